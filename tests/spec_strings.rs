//! Strings that reach AWS: control characters (NUL, CR/LF, ESC, tab),
//! line separators and bidi controls are refused in every spec string (E062
//! in tags, E067 elsewhere), as is text not in NFC; a reason made only of
//! invisible characters is no reason.

use assert_cmd::Command;

const BASE: &str = "service: pk\nruntime: python3.13\nregion: eu-west-1\n";

/// The codes of the errors `load` reports for the spec `BASE` + `extra`.
fn codes(extra: &str) -> Vec<String> {
    let text = format!("{BASE}{extra}");
    match palisade::spec::load("palisade.yaml", text.as_bytes(), None) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|d| format!("{}@{}:{}", d.code.0.id(), d.line, d.column))
            .collect(),
    }
}

const FUNCTION: &str = "functions:\n  hello:\n    handler: src/app.handler\n";

#[test]
fn tags_with_control_or_bidi_characters_are_e062() {
    for bad in [
        "\\0", "\\r", "\\n", "a\\r\\nb", "\\u202E", "\\u2066x", "\\e[2K", "\\t", "\\u2028",
    ] {
        assert_eq!(
            codes(&format!("tags: {{ team: \"{bad}\" }}\n")),
            ["E062@4:15"],
            "value {bad}"
        );
        assert_eq!(
            codes(&format!("tags: {{ \"k{bad}\": v }}\n")),
            ["E062@4:9"],
            "key {bad}"
        );
    }
    assert_eq!(
        codes("tags: { team: \"caf\\u0065\\u0301\" }\n"),
        ["E062@4:15"]
    );
    assert!(codes("tags: { team: \"café ünïcode 😀\" }\n").is_empty());
}

#[test]
fn other_strings_with_control_or_bidi_characters_are_e066() {
    let cases = [
        ("description: \"a\\nb\"\n", "E067@4:14"),
        ("description: |\n  two\n  lines\n", "E067@5:3"),
        ("description: \"\\u202Eevil\"\n", "E067@4:14"),
        ("description: \"e\\u0301\"\n", "E067@4:14"),
    ];
    for (extra, expected) in cases {
        assert_eq!(codes(extra), [expected], "{extra}");
    }
    let env = format!("{FUNCTION}    environment: {{ X: \"\\e[1A\\e[2K\" }}\n");
    assert_eq!(codes(&env), ["E067@7:23"]);
    let reason = format!("{FUNCTION}    waive:\n      PAL-FN-002: \"ok\\n\\n## fake heading\"\n");
    let found = codes(&reason);
    assert_eq!(found, ["E067@8:19"]);
}

#[test]
fn invisible_only_reasons_are_empty() {
    for reason in ["\\u200B", "\\u200B\\u200B", " \\uFEFF ", "\\u2060"] {
        let spec = format!("{FUNCTION}    waive:\n      PAL-FN-002: \"{reason}\"\n");
        let found = codes(&spec);
        assert!(
            found.iter().any(|c| c.starts_with("E060@8:")),
            "{reason}: {found:?}"
        );
    }
}

#[test]
fn the_cli_refuses_with_a_location_and_writes_nothing() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("spec-strings");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/app.py"), "def handler(e, c):\n    return 1\n").unwrap();
    std::fs::write(
        dir.join("palisade.yaml"),
        format!("{BASE}tags: {{ team: \"a\\u0000b\" }}\n{FUNCTION}"),
    )
    .unwrap();
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(&dir)
        .arg("build")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[E062]") && stderr.contains("palisade.yaml:4:15"),
        "{stderr}"
    );
    assert!(stderr.contains("U+0000"), "{stderr}");
    assert!(!stderr.contains('\0'));
    assert!(!dir.join("dist").exists());
}
