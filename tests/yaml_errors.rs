//! YAML syntax errors are reported where a person would fix them, with a
//! hint. Each file in `tests/corpus/yaml-syntax/` starts with
//! `# at: LINE:COL help: TEXT`: the one diagnostic must be at that position
//! and its help must contain TEXT.

use std::path::Path;

#[test]
fn syntax_errors_point_where_to_fix_them() {
    let dir = Path::new("tests/corpus/yaml-syntax");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 15, "the corpus is missing");
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let header = text.lines().next().unwrap();
        let (at, help) = header
            .strip_prefix("# at: ")
            .and_then(|rest| rest.split_once(" help: "))
            .unwrap_or_else(|| panic!("{}: no `# at: L:C help: ...` line", path.display()));
        let name = path.file_name().unwrap().to_string_lossy();
        let diagnostics = match palisade::spec::load(&name, text.as_bytes(), None) {
            Ok(_) => {
                failures.push(format!("{name}: loaded without an error"));
                continue;
            }
            Err(diagnostics) => diagnostics,
        };
        let [d] = diagnostics.as_slice() else {
            failures.push(format!("{name}: {} diagnostics", diagnostics.len()));
            continue;
        };
        let found = format!("{}:{}", d.line, d.column);
        let suggestion = d.suggestion.as_deref().unwrap_or("");
        if found != at || !suggestion.contains(help) {
            failures.push(format!(
                "{name}: want {at} with help containing {help:?}\n  got {found} [{}] {}\n  help: {suggestion}",
                d.code.0.id(),
                d.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_specs_have_no_syntax_mistake() {
    // The scan runs only on a failed load, but it must not find mistakes in
    // well-formed YAML either (else it would hide the real error).
    for entry in std::fs::read_dir("examples").unwrap() {
        let path = entry.unwrap().path().join("palisade.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let broken = format!("{text}\nbogus_top_level_key: 1\n");
        let diagnostics = palisade::spec::load("x.yaml", broken.as_bytes(), None).unwrap_err();
        assert_eq!(
            diagnostics[0].code.0.id(),
            "E003",
            "{}: {:?}",
            path.display(),
            diagnostics[0]
        );
    }
}
