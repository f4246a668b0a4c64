//! `palisade controls` and `palisade explain`.

mod support;

use predicates::prelude::*;
use predicates::str::contains;
use support::palisade;

#[test]
fn controls_lists_every_control() {
    let out = palisade()
        .arg("controls")
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    for control in palisade::controls::CATALOG.iter() {
        assert!(stdout.contains(control.id), "{}", control.id);
    }
}

#[test]
fn controls_json_is_an_array_with_references() {
    let out = palisade()
        .args(["controls", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json.as_array().unwrap().len(),
        palisade::controls::CATALOG.len()
    );
    assert!(json[0]["references"]["checkov"].is_array());
}

#[test]
fn explain_prints_the_documentation_with_fixed_headings() {
    palisade()
        .args(["explain", "PAL-DATA-002"])
        .assert()
        .success()
        .stdout(
            contains("## What it enforces")
                .and(contains("## Opting out"))
                .and(contains("DynamoDB.2")),
        );
}

#[test]
fn explain_accepts_lower_case_and_json() {
    let out = palisade()
        .args(["explain", "pal-kms-001", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["id"], "PAL-KMS-001");
    assert_eq!(json["waivable"], false);
}

#[test]
fn explain_unknown_id_suggests_and_exits_2() {
    palisade()
        .args(["explain", "PAL-FN-04"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("did you mean PAL-FN-004"));
}

#[test]
fn generated_controls_doc_is_current() {
    let checked_in = std::fs::read_to_string("docs/controls.md").unwrap();
    assert!(
        checked_in == palisade::controls::catalog_markdown(),
        "docs/controls.md is stale: run `cargo run -- controls --format markdown > docs/controls.md`"
    );
}

#[test]
fn generated_overrides_doc_is_current() {
    let checked_in = std::fs::read_to_string("docs/overrides.md").unwrap();
    assert!(
        checked_in == palisade::controls::tunable::markdown(),
        "docs/overrides.md is stale: run `cargo run -- controls --format overrides > docs/overrides.md`"
    );
}
