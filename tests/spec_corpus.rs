//! The bad-input corpus: every file must be rejected with located diagnostics
//! (snapshotted), and every valid file and example must load.

use std::path::Path;

fn render(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).unwrap();
    let shown = format!("corpus/{}", path.file_name().unwrap().to_string_lossy());
    match palisade::spec::load(&shown, &bytes, path.parent()) {
        Ok(_) => Ok(String::new()),
        Err(diagnostics) => {
            let text = String::from_utf8_lossy(&bytes);
            Err(diagnostics
                .iter()
                .map(|d| d.render(&text, false))
                .collect::<Vec<_>>()
                .join("\n\n"))
        }
    }
}

#[test]
fn every_invalid_spec_is_rejected_with_a_location() {
    insta::glob!("corpus/invalid/*.yaml", |path| {
        let rendered = render(path).expect_err("the spec should be invalid");
        let bytes = std::fs::read(path).unwrap();
        let shown = format!("corpus/{}", path.file_name().unwrap().to_string_lossy());
        let diagnostics = palisade::spec::load(&shown, &bytes, path.parent()).unwrap_err();
        for d in &diagnostics {
            assert!(
                d.line >= 1 && d.column >= 1,
                "{}: no location",
                path.display()
            );
        }
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn every_valid_spec_loads() {
    let mut paths: Vec<_> = glob_dir("tests/corpus/valid");
    paths.extend(
        std::fs::read_dir("examples")
            .unwrap()
            .map(|e| e.unwrap().path().join("palisade.yaml")),
    );
    assert!(
        paths.len() >= 7,
        "expected the valid corpus and the examples"
    );
    for path in paths {
        if let Err(rendered) = render(&path) {
            panic!("{} should be valid:\n{rendered}", path.display());
        }
    }
}

fn glob_dir(dir: &str) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}
