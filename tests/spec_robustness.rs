//! Hostile and random input: the loader answers with diagnostics, never a
//! panic or a hang.

use palisade::diagnostic::Code;
use proptest::prelude::*;

#[test]
fn oversized_spec_is_rejected_before_parsing() {
    let mut bytes = b"service: big\ndescription: \"".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', palisade::spec::MAX_SPEC_BYTES));
    bytes.extend(b"\"\n");
    let diagnostics = palisade::spec::load("big.yaml", &bytes, None).unwrap_err();
    assert_eq!(diagnostics[0].code(), Code::InputLimit);
}

#[test]
fn multiple_documents_are_rejected() {
    let diagnostics =
        palisade::spec::load("two.yaml", b"service: a\n---\nservice: b\n", None).unwrap_err();
    assert_eq!(diagnostics[0].code(), Code::YamlSyntax);
    assert_eq!(diagnostics[0].line, 2, "{diagnostics:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = palisade::spec::load("fuzz.yaml", &bytes, None);
    }

    #[test]
    fn yaml_like_text_never_panics(text in "(service|functions|api|routes|  |- |: |\\{|\\}|\\[|\\]|&a|\\*a|\n|x|\"|'|#|\t|1){0,64}") {
        if let Err(diagnostics) = palisade::spec::load("fuzz.yaml", text.as_bytes(), None) {
            for d in diagnostics {
                prop_assert!(d.line >= 1);
                let _ = d.render(&text, false);
            }
        }
    }
}
