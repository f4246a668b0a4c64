//! `palisade build` as a user runs it.

mod support;

use support::{example_copy, palisade};

#[test]
fn build_writes_template_and_packages_next_to_the_spec() {
    let dir = example_copy("orders", "build-default");
    palisade()
        .args(["build", dir.join("palisade.yaml").to_str().unwrap()])
        .assert()
        .success()
        .stdout("");
    let dist = dir.join("dist");
    assert!(dist.join("cloudformation/template.yaml").is_file());
    for function in [
        "get-order",
        "create-order",
        "process-order",
        "nightly-report",
        "health",
        "thumbnail",
    ] {
        assert!(
            dist.join(format!("functions/{function}.zip")).is_file(),
            "{function}"
        );
    }
}

#[test]
fn json_format_writes_template_json() {
    let dir = example_copy("webhooks", "build-json");
    let out = dir.join("out");
    palisade()
        .args([
            "build",
            dir.join("palisade.yaml").to_str().unwrap(),
            "--template-format",
            "json",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("cloudformation/template.json")).unwrap();
    let template: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(template["Resources"]["ServiceKey"].is_object());
}

#[test]
fn check_passes_when_current_and_fails_naming_stale_files() {
    let dir = example_copy("reports", "build-check");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    palisade().args(["build", spec, "--check"]).assert().code(1);
    palisade().args(["build", spec]).assert().success();
    palisade()
        .args(["build", spec, "--check"])
        .assert()
        .success();
    let template = dir.join("dist/cloudformation/template.yaml");
    let mut text = std::fs::read_to_string(&template).unwrap();
    text.push_str("# hand edit\n");
    std::fs::write(&template, &text).unwrap();
    let out = palisade()
        .args(["build", spec, "--check"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cloudformation/template.yaml"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&template).unwrap(),
        text,
        "--check must not write"
    );
}

#[test]
fn invalid_spec_exits_2_and_writes_nothing() {
    let dir = support::scratch("build-invalid");
    std::fs::write(
        dir.join("palisade.yaml"),
        "service: orders\nfunctions:\n  a:\n    handler: src/a.handler\n    memroy: 1\n",
    )
    .unwrap();
    let out = palisade()
        .args(["build", dir.join("palisade.yaml").to_str().unwrap()])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("palisade.yaml:5:5")
    );
    assert!(!dir.join("dist").exists());
}

#[test]
fn override_that_undoes_a_control_is_rejected_at_the_override() {
    let dir = example_copy("orders", "build-override");
    let spec = dir.join("palisade.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str("overrides:\n  cloudformation:\n    GetOrderFunction:\n      Properties:\n        TracingConfig: { Mode: PassThrough }\n");
    std::fs::write(&spec, text).unwrap();
    let out = palisade()
        .args(["build", spec.to_str().unwrap()])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("E064") && stderr.contains("PAL-FN-002"),
        "{stderr}"
    );
    assert!(stderr.contains("waive PAL-FN-002"), "{stderr}");
    assert!(!dir.join("dist").exists());
}

#[test]
fn waived_control_allows_the_override() {
    let dir = example_copy("orders", "build-override-waived");
    let spec = dir.join("palisade.yaml");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("  health:\n    handler: src/health.handler\n", "  health:\n    handler: src/health.handler\n    waive: { PAL-FN-002: \"probe only; traces would be noise\" }\n");
    let text = format!(
        "{text}overrides:\n  cloudformation:\n    HealthFunction:\n      Properties:\n        TracingConfig: {{ Mode: PassThrough }}\n"
    );
    std::fs::write(&spec, text).unwrap();
    palisade()
        .args(["build", spec.to_str().unwrap()])
        .assert()
        .success();
    let template = std::fs::read_to_string(dir.join("dist/cloudformation/template.yaml")).unwrap();
    assert!(template.contains("Mode: PassThrough"));
}

#[test]
fn override_of_an_unknown_resource_suggests_the_right_one() {
    let dir = example_copy("orders", "build-override-unknown");
    let spec = dir.join("palisade.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str("overrides:\n  cloudformation:\n    GetOrderFuncton:\n      Properties: { Description: x }\n");
    std::fs::write(&spec, text).unwrap();
    let out = palisade()
        .args(["build", spec.to_str().unwrap()])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("E063") && stderr.contains("GetOrderFunction"),
        "{stderr}"
    );
}

#[test]
fn packages_are_deterministic_zips_of_the_code_directory() {
    let dir = example_copy("orders", "build-zip");
    let spec = dir.join("palisade.yaml");
    palisade()
        .args(["build", spec.to_str().unwrap()])
        .assert()
        .success();
    let first = std::fs::read(dir.join("dist/functions/get-order.zip")).unwrap();
    // A new mtime on the source must not change the package.
    let source = dir.join("src/get_order.py");
    let content = std::fs::read(&source).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(&source, content).unwrap();
    palisade()
        .args(["build", spec.to_str().unwrap()])
        .assert()
        .success();
    let second = std::fs::read(dir.join("dist/functions/get-order.zip")).unwrap();
    assert_eq!(first, second);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(first)).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(names.contains(&"get_order.py".to_string()), "{names:?}");
    let template = std::fs::read_to_string(dir.join("dist/cloudformation/template.yaml")).unwrap();
    assert!(
        template.contains("Handler: get_order.handler"),
        "the handler is relative to the zip root"
    );
}
