//! `palisade validate` and `palisade schema` as a user runs them.

mod support;

use support::palisade;

#[test]
fn valid_example_exits_0() {
    palisade()
        .args(["validate", "examples/orders/palisade.yaml"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicates_str("valid"));
}

#[test]
fn invalid_spec_exits_2_with_position_on_stderr() {
    let out = palisade()
        .args(["validate", "tests/corpus/invalid/unknown-key-typo.yaml"])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("tests/corpus/invalid/unknown-key-typo.yaml:"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn json_format_prints_diagnostics_on_stdout() {
    let out = palisade()
        .args([
            "validate",
            "--format",
            "json",
            "tests/corpus/invalid/memory-too-small.yaml",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json["diagnostics"][0];
    assert_eq!(first["code"], "E042");
    assert_eq!(first["severity"], "error");
    assert!(first["line"].as_u64().unwrap() > 0);
    assert!(first["column"].as_u64().unwrap() > 0);
    assert_eq!(first["file"], "tests/corpus/invalid/memory-too-small.yaml");
}

#[test]
fn json_format_on_a_valid_spec_prints_an_empty_list() {
    let out = palisade()
        .args([
            "validate",
            "--format",
            "json",
            "examples/orders/palisade.yaml",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["diagnostics"], serde_json::json!([]));
}

#[test]
fn missing_file_exits_2() {
    palisade()
        .args(["validate", "no/such/palisade.yaml"])
        .assert()
        .code(2)
        .stderr(predicates_str("no/such/palisade.yaml"));
}

#[test]
fn default_spec_is_palisade_yaml_in_the_current_directory() {
    palisade()
        .current_dir("examples/orders")
        .arg("validate")
        .assert()
        .success();
}

#[test]
fn unknown_flag_is_a_usage_error() {
    palisade()
        .args(["validate", "--frmat", "json"])
        .assert()
        .code(2);
}

#[test]
fn schema_prints_the_checked_in_schema() {
    let expected = std::fs::read_to_string("schemas/palisade.schema.json").unwrap();
    palisade().arg("schema").assert().success().stdout(expected);
}

fn predicates_str(needle: &'static str) -> impl predicates::Predicate<str> {
    predicates::str::contains(needle)
}

#[test]
fn several_specs_are_all_checked() {
    let out = palisade()
        .args([
            "validate",
            "examples/orders/palisade.yaml",
            "tests/corpus/invalid/cors-wildcard.yaml",
            "tests/corpus/invalid/memory-too-small.yaml",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("examples/orders/palisade.yaml: valid"),
        "{stderr}"
    );
    assert!(stderr.contains("cors-wildcard.yaml:10:15"), "{stderr}");
    assert!(stderr.contains("memory-too-small.yaml:"), "{stderr}");
}

#[test]
fn every_example_validates_in_one_call() {
    let mut cmd = palisade();
    cmd.arg("validate");
    for entry in std::fs::read_dir("examples").unwrap() {
        cmd.arg(entry.unwrap().path().join("palisade.yaml"));
    }
    cmd.assert().success();
}
