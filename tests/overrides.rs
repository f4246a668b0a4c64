//! `overrides:` as an attacker writes them: every weakening patch in
//! `tests/corpus/overrides/hostile.txt` (both targets) is refused by `build`
//! (exit 2, nothing written) and reported by `check`; every ordinary tuning
//! patch in `tuning.txt` builds and checks clean. `validate` and `build`
//! agree on the whole invalid corpus.

mod support;

use std::path::Path;
use std::process::Command;

use support::{example_copy, palisade_process as palisade, scratch};

/// `(target, address, patch)` per non-comment line.
fn cases(file: &str) -> Vec<(String, String, String)> {
    std::fs::read_to_string(Path::new("tests/corpus/overrides").join(file))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut parts = line.splitn(3, '|').map(|p| p.trim().to_string());
            (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            )
        })
        .collect()
}

/// A copy of orders with the override appended; the spec's path.
fn with_override(dir: &Path, (target, address, patch): &(String, String, String)) -> String {
    let spec = dir.join("palisade.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str(&format!(
        "overrides:\n  {target}:\n    {address}: {patch}\n"
    ));
    std::fs::write(&spec, text).unwrap();
    spec.display().to_string()
}

fn code(command: &mut Command) -> (i32, String) {
    let out = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_weakening_override_is_refused_by_build_and_reported_by_check() {
    let hostile = cases("hostile.txt");
    assert!(hostile.len() >= 100, "the corpus shrank");
    let mut failures = Vec::new();
    for case in &hostile {
        let dir = example_copy("orders", "override-hostile");
        let spec = with_override(&dir, case);
        let (build, stderr) = code(palisade().args(["build", &spec]));
        let (check, _) = code(palisade().args(["check", &spec]));
        if build != 2 || !(check == 1 || check == 2) || dir.join("dist").exists() {
            failures.push(format!("{case:?}: build {build}, check {check}\n{stderr}"));
        }
        // Refusals are located at the override and name a code.
        if build == 2
            && !["E063", "E064", "E066", "E067"]
                .iter()
                .any(|code| stderr.contains(code))
        {
            failures.push(format!(
                "{case:?}: refused without an override code\n{stderr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ordinary_tuning_overrides_build_and_check_clean() {
    for case in cases("tuning.txt") {
        let dir = example_copy("orders", "override-tuning");
        let spec = with_override(&dir, &case);
        let (build, stderr) = code(palisade().args(["build", &spec]));
        assert_eq!(build, 0, "{case:?}: {stderr}");
        let (check, stderr) = code(palisade().args(["check", &spec]));
        assert_eq!(check, 0, "{case:?}: {stderr}");
        let report = std::fs::read_to_string(dir.join("dist/SECURITY.md")).unwrap();
        assert!(
            report.contains("## Overrides"),
            "{case:?}: the report lists no override"
        );
    }
}

/// Orders with `PAL-OVR-001` waived on `get-order` and one CloudFormation
/// patch on its function; `build`'s exit code and stderr.
fn build_with_waiver(scratch: &str, patch: &str) -> (i32, String) {
    let dir = example_copy("orders", scratch);
    let spec = dir.join("palisade.yaml");
    let text = std::fs::read_to_string(&spec).unwrap().replace(
        "  get-order:\n",
        "  get-order:\n    waive: { PAL-OVR-001: \"needs the VPC for the legacy database\" }\n",
    );
    std::fs::write(&spec, text).unwrap();
    let case = (
        "cloudformation".to_string(),
        "GetOrderFunction".to_string(),
        patch.to_string(),
    );
    let spec = with_override(&dir, &case);
    code(palisade().args(["build", &spec]))
}

#[test]
fn a_waiver_of_pal_ovr_001_opens_non_tunable_settings_but_not_controls() {
    let (build, stderr) = build_with_waiver(
        "override-waived",
        "{ Properties: { VpcConfig: { SubnetIds: [subnet-1], SecurityGroupIds: [sg-1] } } }",
    );
    assert_eq!(build, 0, "{stderr}");
    // The same waiver does not open what a control protects.
    let (build, stderr) = build_with_waiver(
        "override-waived-control",
        "{ Properties: { Layers: [\"arn:aws:lambda:us-east-1:999999999999:layer:x:1\"] } }",
    );
    assert_eq!(build, 2, "{stderr}");
    assert!(stderr.contains("PAL-DATA-008"), "{stderr}");
}

#[test]
fn a_terraform_key_that_is_not_an_identifier_never_reaches_the_hcl() {
    let dir = example_copy("orders", "override-injection");
    let case = (
        "terraform".to_string(),
        "aws_lambda_function.get_order".to_string(),
        "{ \"x\\n}\\nresource \\\"aws_iam_role_policy_attachment\\\" \\\"admin\\\" {\\n#\": 1 }"
            .to_string(),
    );
    let spec = with_override(&dir, &case);
    let (build, stderr) = code(palisade().args(["build", &spec]));
    assert_eq!(build, 2, "{stderr}");
    // Refused as text (a newline in a key) before its shape is even read.
    assert!(
        stderr.contains("E067") || stderr.contains("E066"),
        "{stderr}"
    );
    assert!(!dir.join("dist").exists());
}

/// What `build` refuses, `validate` refuses too, with a location: over the
/// whole invalid corpus, both exit 2.
#[test]
fn validate_and_build_agree_on_every_invalid_spec() {
    let mut disagreements = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir("tests/corpus/invalid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for file in files {
        let dir = scratch("validate-build");
        let src = Path::new("tests/corpus/invalid/src");
        if src.is_dir() {
            std::fs::create_dir_all(dir.join("src")).unwrap();
            for entry in std::fs::read_dir(src).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), dir.join("src").join(entry.file_name())).unwrap();
            }
        }
        let spec = dir.join("palisade.yaml");
        std::fs::copy(&file, &spec).unwrap();
        let spec = spec.display().to_string();
        let (validate, v_err) = code(palisade().args(["validate", &spec]));
        let (build, b_err) = code(palisade().args(["build", &spec]));
        let located = v_err.contains("palisade.yaml:");
        if validate != 2 || build != 2 || !located {
            disagreements.push(format!(
                "{}: validate {validate}, build {build}\n{v_err}\n{b_err}",
                file.display()
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Names in overrides are checked against the vendored schemas; a type the
/// emitter writes that the schema lacks would refuse every property.
#[test]
fn every_emitted_cloudformation_type_has_vendored_properties() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("schemas/cloudformation-properties.json").unwrap(),
    )
    .unwrap();
    for spec in support::examples() {
        let path = spec.display().to_string();
        let bytes = std::fs::read(&spec).unwrap();
        let loaded = palisade::spec::load(&path, &bytes, None).unwrap();
        let plan = palisade::plan::compile(&loaded.spec, &Default::default()).unwrap();
        for resource in &plan.resources {
            let cfn_type = resource.kind.describe().cloudformation.name;
            assert!(
                schema["types"][cfn_type]["properties"].is_array(),
                "{cfn_type} is missing from schemas/cloudformation-properties.json"
            );
        }
    }
}

/// A control the final artifact fails is reported violated, not also applied.
#[test]
fn check_never_reports_a_control_both_applied_and_violated() {
    for case in cases("hostile.txt").into_iter().take(40) {
        let dir = example_copy("orders", "override-check-json");
        let spec = with_override(&dir, &case);
        let out = palisade()
            .args(["check", &spec, "--format", "json"])
            .output()
            .unwrap();
        if out.status.code() != Some(1) {
            continue;
        }
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut seen = std::collections::BTreeMap::new();
        for e in report["evaluations"].as_array().unwrap() {
            let key = (e["control"].to_string(), e["resource"].to_string());
            if let Some(other) = seen.insert(key.clone(), e["status"].to_string()) {
                assert_eq!(other, e["status"].to_string(), "{case:?}: {key:?} twice");
            }
        }
    }
}

/// A REST API's controls hold against overrides even with PAL-OVR-001
/// waived on `api:`: its wiring, its web ACL's rules, its clients' limits,
/// and no API key value ever written into a template.
#[test]
fn a_rest_apis_wiring_waf_and_keys_hold_under_a_waiver() {
    let cases = [
        (
            "cloudformation",
            "GetItemsMethod",
            "{ Properties: { AuthorizationType: NONE } }",
            "PAL-API-006",
        ),
        (
            "terraform",
            "aws_api_gateway_integration.get_items",
            "{ uri: \"arn:aws:lambda:us-east-1:123456789012:function:other\" }",
            "PAL-API-006",
        ),
        (
            "cloudformation",
            "WebAcl",
            "{ Properties: { Rules: [] } }",
            "PAL-API-007",
        ),
        (
            "cloudformation",
            "PartnerAApiKey",
            "{ Properties: { Value: \"chosen-key-value-0123456789\" } }",
            "PAL-API-008",
        ),
        (
            "terraform",
            "aws_api_gateway_usage_plan.partner_a",
            "{ throttle_settings: { rate_limit: 10000, burst_limit: 5000 } }",
            "PAL-API-008",
        ),
    ];
    for (i, (target, address, patch, control)) in cases.into_iter().enumerate() {
        let dir = example_copy("partners", &format!("override-rest-{i}"));
        let spec = dir.join("palisade.yaml");
        let text = std::fs::read_to_string(&spec).unwrap().replacen(
            "  routes:\n",
            "  waive: { PAL-OVR-001: \"tuning by hand\" }\n  routes:\n",
            1,
        );
        std::fs::write(&spec, text).unwrap();
        let case = (target.to_string(), address.to_string(), patch.to_string());
        let spec = with_override(&dir, &case);
        let (build, stderr) = code(palisade().args(["build", &spec]));
        assert_eq!(build, 2, "{address}: {stderr}");
        assert!(stderr.contains(control), "{address}: {stderr}");
        // Refused before anything is written (the diagnostic quotes the
        // spec's own line, nothing more).
        assert!(!dir.join("dist").exists(), "{address}: output written");
    }
}
