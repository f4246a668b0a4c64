//! `palisade check`: text, JSON and SARIF (validated against the SARIF 2.1.0
//! schema), waivers with their locations, violations through overrides.

mod support;

use support::palisade;

fn check_json(spec: &str) -> serde_json::Value {
    let out = palisade()
        .args(["check", spec, "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_example_checks_clean_with_controls_applied() {
    for spec in support::examples() {
        let json = check_json(spec.to_str().unwrap());
        assert!(
            json["summary"]["applied"].as_u64().unwrap() > 20,
            "{}",
            spec.display()
        );
        assert_eq!(json["summary"]["violated"], 0, "{}", spec.display());
    }
}

#[test]
fn waivers_carry_their_reason_and_spec_location() {
    let json = check_json("examples/webhooks/palisade.yaml");
    let waived: Vec<&serde_json::Value> = json["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "waived" && e["control"] == "PAL-FN-004")
        .collect();
    assert_eq!(waived.len(), 1);
    assert!(
        waived[0]["message"]
            .as_str()
            .unwrap()
            .contains("synchronously")
    );
    let spec = std::fs::read_to_string("examples/webhooks/palisade.yaml").unwrap();
    let line = spec
        .lines()
        .nth(waived[0]["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(
        line.contains("PAL-FN-004"),
        "the location points at the waiver: {line}"
    );
}

#[test]
fn advisories_name_newer_runtimes_and_rotation_is_a_control() {
    let json = check_json("examples/webhooks/palisade.yaml");
    let rules: Vec<&str> = json["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"palisade.runtime-update"));
    // Secret rotation is control PAL-DATA-010: webhooks waives it for the
    // Stripe signing secret, so it is a waived evaluation, not an advisory.
    assert!(!rules.contains(&"palisade.secret-rotation"));
    let waived = json["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["control"] == "PAL-DATA-010" && e["status"] == "waived");
    assert!(waived, "{json:#}");
}

#[test]
fn an_override_that_undoes_a_control_is_a_violation_exit_1() {
    let dir = support::example_copy("orders", "check-violation");
    let spec = dir.join("palisade.yaml");
    let mut text = std::fs::read_to_string("examples/orders/palisade.yaml").unwrap();
    text.push_str("overrides:\n  cloudformation:\n    OrdersTable:\n      Properties:\n        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false }\n");
    std::fs::write(&spec, &text).unwrap();
    let out = palisade()
        .args(["check", spec.to_str().unwrap()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let override_line = text
        .lines()
        .position(|l| l.trim_start().starts_with("OrdersTable:"))
        .unwrap()
        + 1;
    assert!(
        stdout.contains(&format!(
            "VIOLATED  PAL-DATA-002 at {}:{override_line}:5",
            spec.display()
        )),
        "{stdout}"
    );
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/sarif-2.1.0-rtm.5.json").unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    for spec in support::examples() {
        let out = palisade()
            .args(["check", spec.to_str().unwrap(), "--format", "sarif"])
            .assert()
            .success()
            .get_output()
            .clone();
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", spec.display());
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert!(rules.len() >= palisade::controls::CATALOG.len());
        assert!(
            rules[0]["help"]["text"]
                .as_str()
                .unwrap()
                .contains("## Why")
        );
        for result in sarif["runs"][0]["results"].as_array().unwrap() {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1);
        }
    }
}

#[test]
fn sarif_marks_waivers_as_suppressed_results() {
    let out = palisade()
        .args([
            "check",
            "examples/webhooks/palisade.yaml",
            "--format",
            "sarif",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let suppressed = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "inSource")
        .count();
    assert!(suppressed >= 2);
}

/// A client whose plan allows more from one address than AWS WAF does is
/// pointed out (the form: 50/s against 300 per 5 minutes); the
/// partners example's clients fit under its per-IP limit.
#[test]
fn a_client_over_the_waf_per_ip_limit_is_an_advisory() {
    let rules = |spec: &str| -> Vec<String> {
        check_json(spec)["advisories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| format!("{} {}", a["rule"], a["message"]))
            .collect()
    };
    let found = rules("tests/corpus/valid/rest-api.yaml");
    assert!(
        found
            .iter()
            .any(|r| r.contains("palisade.client-over-waf-limit")
                && r.contains("partner-a")
                && r.contains("15000 per 300 s")),
        "{found:?}"
    );
    let found = rules("examples/partners/palisade.yaml");
    assert!(
        !found.iter().any(|r| r.contains("client-over-waf-limit")),
        "{found:?}"
    );
    // Its authorizer function checks the audience: nothing to warn about.
    assert!(
        !found.iter().any(|r| r.contains("rest-audience-unchecked")),
        "{found:?}"
    );
}
