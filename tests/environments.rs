//! `environments:` and `--env`: stages compile with the environment's name,
//! region and tunables; security structure cannot differ between them
//! without a waiver scoped to the environment; bad input is located.

mod support;

use std::path::{Path, PathBuf};
use support::palisade;

const STAGES: &str = r#"
environments:
  staging: { account: "111111111111", region: eu-west-1 }
  prod:
    account: "222222222222"
    region: eu-west-1
    branches: [main]
    tags: { tier: production }
    alerts: { email: prod-oncall@example.com }
    api:
      throttle: { rate: 40, burst: 80 }
      routes:
        POST /orders: { throttle: { rate: 100, burst: 200 } }
    functions:
      get-order: { memory: 512, timeout: 20, concurrency: 50 }
    waive:
      PAL-API-003: "prod order intake peaks at 100 requests a second"
      PAL-FN-003: "prod reads take the whole storefront's traffic"
"#;

/// A copy of the orders example whose spec ends with `extra`.
fn orders_with(name: &str, extra: &str) -> PathBuf {
    let dir = support::example_copy("orders", name);
    let spec = dir.join("palisade.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str(extra);
    std::fs::write(&spec, text).unwrap();
    spec
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn template(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("cloudformation/template.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The line of the first occurrence of `needle` in the spec, 1-based.
fn line_of(spec: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(spec).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_spec_with_environments_builds_as_before_without_env() {
    // The section only adds stages: the spec itself compiles to the same bytes.
    let plain = support::example_copy("orders", "env-plain");
    let staged = orders_with("env-staged", STAGES);
    for spec in [plain.join("palisade.yaml"), staged.clone()] {
        palisade()
            .args(["build", path(&spec), "--template-format", "json"])
            .assert()
            .success();
    }
    let read = |dir: &Path, file: &str| std::fs::read(dir.join("dist").join(file)).unwrap();
    for file in [
        "cloudformation/template.json",
        "SECURITY.md",
        "terraform/main.tf",
    ] {
        if plain.join("dist").join(file).exists() {
            assert!(
                read(&plain, file) == read(staged.parent().unwrap(), file),
                "{file} differs"
            );
        }
    }
}

#[test]
fn env_build_names_the_stage_and_applies_its_tunables() {
    let spec = orders_with("env-build", STAGES);
    let dir = spec.parent().unwrap();
    palisade()
        .args([
            "build",
            path(&spec),
            "--env",
            "prod",
            "--template-format",
            "json",
        ])
        .assert()
        .success();
    let out = dir.join("dist/prod");
    let template = template(&out);
    let text = template.to_string();
    assert!(
        text.contains("orders-prod-get-order"),
        "names carry the stage"
    );
    let resources = template["Resources"].as_object().unwrap();
    let get_order = resources
        .values()
        .find(|r| {
            r["Type"] == "AWS::Lambda::Function"
                && r["Properties"]["FunctionName"]
                    .to_string()
                    .contains("get-order")
        })
        .unwrap();
    assert_eq!(get_order["Properties"]["MemorySize"], 512);
    assert_eq!(get_order["Properties"]["Timeout"], 20);
    assert_eq!(get_order["Properties"]["ReservedConcurrentExecutions"], 50);
    assert!(text.contains("prod-oncall@example.com"));
    let security = std::fs::read_to_string(out.join("SECURITY.md")).unwrap();
    assert!(security.contains("## Environment `prod`"), "{security}");
    assert!(security.contains("PAL-FN-003 function `get-order` reserved concurrency 20 → 50"));
    // The plain build is untouched by a stage's build.
    assert!(!dir.join("dist/cloudformation").exists());
    // Terraform deploys to the environment's region.
    let providers = std::fs::read_to_string(out.join("terraform/providers.tf"))
        .or_else(|_| std::fs::read_to_string(out.join("terraform/versions.tf")))
        .unwrap_or_default();
    let all_tf: String = std::fs::read_dir(out.join("terraform"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        all_tf.contains("eu-west-1") || providers.contains("eu-west-1"),
        "region"
    );
}

#[test]
fn two_stages_share_an_account_without_clashing_names() {
    let spec = orders_with(
        "env-shared",
        "\nenvironments:\n  a: { account: \"111111111111\", region: eu-west-1 }\n  b: { account: \"111111111111\", region: eu-west-1 }\n",
    );
    let mut names = Vec::new();
    for env in ["a", "b"] {
        palisade()
            .args([
                "build",
                path(&spec),
                "--env",
                env,
                "--template-format",
                "json",
            ])
            .assert()
            .success();
        let template = template(&spec.parent().unwrap().join("dist").join(env));
        for resource in template["Resources"].as_object().unwrap().values() {
            // Names that are unique in an account and region.
            for key in [
                "FunctionName",
                "TableName",
                "QueueName",
                "TopicName",
                "LogGroupName",
                "RoleName",
            ] {
                if let Some(name) = resource["Properties"][key].as_str() {
                    names.push(name.to_string());
                }
            }
        }
    }
    let count = names.len();
    names.sort();
    names.dedup();
    assert!(count > 4);
    assert_eq!(
        names.len(),
        count,
        "a physical name is the same in two stages"
    );
}

#[test]
fn diff_between_two_environments_shows_the_raised_limits() {
    let spec = orders_with("env-diff", STAGES);
    let out = palisade()
        .args(["diff", "--env", "staging", "--env", "prod", path(&spec)])
        .args(["--format", "json", "--target", "cloudformation"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(
        report["summary"]["broadening"].as_u64().unwrap() >= 1,
        "{report:#}"
    );
    palisade()
        .args(["diff", "--env", "staging", "--env", "prod", path(&spec)])
        .args(["--fail-on", "broadening"])
        .assert()
        .code(1);
}

#[test]
fn unknown_env_is_a_usage_error_listing_the_known_ones() {
    let spec = orders_with("env-unknown", STAGES);
    for command in ["build", "check", "graph", "diff"] {
        let mut cmd = palisade();
        cmd.arg(command);
        if command == "diff" {
            cmd.args(["--env", "staging", "--env", "qa"]);
        } else {
            cmd.args(["--env", "qa"]);
        }
        cmd.arg(path(&spec))
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "known environments: prod, staging",
            ));
    }
    assert!(!spec.parent().unwrap().join("dist").exists());
}

/// Runs `build --env E` on a spec and returns stderr, asserting exit 2 and
/// that nothing was written.
fn refused(name: &str, extra: &str, env: Option<&str>) -> String {
    let spec = orders_with(name, extra);
    let mut cmd = palisade();
    cmd.args(["build", path(&spec)]);
    if let Some(env) = env {
        cmd.args(["--env", env]);
    }
    let out = cmd.assert().code(2).get_output().clone();
    assert!(
        !spec.parent().unwrap().join("dist").exists(),
        "nothing written"
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn security_structure_cannot_be_set_per_environment() {
    // Access, routes' auth, public routes, events, CORS, overrides and
    // waivers of controls are the spec's: an environment has no such keys.
    for (key, body) in [
        (
            "access",
            "functions: { get-order: { access: { orders: write } } }",
        ),
        (
            "public",
            "api: { routes: { \"GET /orders/{id}\": { public: \"open\" } } }",
        ),
        (
            "auth",
            "api: { auth: { jwt: { issuer: https://x.example/, audience: [a] } } }",
        ),
        ("cors", "api: { cors: { origins: [https://evil.example] } }"),
        ("overrides", "overrides: { cloudformation: {} }"),
        (
            "tables",
            "tables: { orders: { partition_key: { name: id, type: string } } }",
        ),
        (
            "runtime",
            "functions: { get-order: { runtime: python3.9 } }",
        ),
        ("events", "functions: { get-order: { events: [] } }"),
    ] {
        let extra = format!(
            "\nenvironments:\n  prod:\n    account: \"222222222222\"\n    region: eu-west-1\n    {body}\n"
        );
        let stderr = refused(&format!("env-structure-{key}"), &extra, None);
        assert!(stderr.contains("E003"), "{key}: {stderr}");
        assert!(stderr.contains(&format!("`{key}`")), "{key}: {stderr}");
        assert!(stderr.contains("palisade.yaml:"), "located: {stderr}");
    }
}

#[test]
fn an_environment_cannot_loosen_a_control_without_a_scoped_waiver() {
    let cases = [
        (
            "concurrency",
            "functions: { get-order: { concurrency: 21 } }",
            "PAL-FN-003",
        ),
        (
            "throttle",
            "api: { throttle: { rate: 51, burst: 100 } }",
            "PAL-API-003",
        ),
        (
            "route",
            "api: { routes: { POST /orders: { throttle: { rate: 10, burst: 21 } } } }",
            "PAL-API-003",
        ),
    ];
    for (name, body, control) in cases {
        let extra = format!(
            "\nenvironments:\n  prod:\n    account: \"222222222222\"\n    region: eu-west-1\n    {body}\n"
        );
        let stderr = refused(&format!("env-loosen-{name}"), &extra, None);
        assert!(stderr.contains("E081"), "{name}: {stderr}");
        assert!(stderr.contains(control), "{name}: {stderr}");
        // The same change with the waiver in the environment is accepted,
        // and check shows it.
        let waived = format!("{extra}    waive: {{ {control}: \"measured peak\" }}\n");
        let spec = orders_with(&format!("env-loosen-{name}-waived"), &waived);
        let out = palisade()
            .args(["check", path(&spec), "--env", "prod"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("## Environment `prod`"), "{text}");
        assert!(
            text.contains(control) && text.contains("measured peak"),
            "{text}"
        );
        let json = palisade()
            .args(["check", path(&spec), "--env", "prod", "--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(
            json["environment"]["waived_loosenings"][0]["control"],
            control
        );
        // SARIF carries it as a suppressed result at the raised value.
        let sarif = palisade()
            .args(["check", path(&spec), "--env", "prod", "--format", "sarif"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let sarif: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let waived = results
            .iter()
            .find(|r| {
                r["ruleId"] == control
                    && r["suppressions"][0]["justification"]
                        .as_str()
                        .is_some_and(|j| j.contains("measured peak"))
            })
            .unwrap_or_else(|| panic!("{name}: no suppressed {control} result"));
        let line = waived["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap();
        assert!(line > 0, "{name}: located");
    }
    // Lowering a limit tightens: no waiver needed.
    let tighter = "\nenvironments:\n  dev:\n    account: \"111111111111\"\n    region: eu-west-1\n    functions: { get-order: { concurrency: 2 } }\n    api: { throttle: { rate: 5, burst: 10 } }\n";
    let spec = orders_with("env-tighter", tighter);
    palisade()
        .args(["check", path(&spec), "--env", "dev"])
        .assert()
        .success();
}

#[test]
fn an_environment_may_waive_only_the_limits_it_raises() {
    let extra = "\nenvironments:\n  prod:\n    account: \"222222222222\"\n    region: eu-west-1\n    waive: { PAL-IAM-001: \"shared role in prod\" }\n";
    let stderr = refused("env-waive-other", extra, None);
    assert!(
        stderr.contains("E081") && stderr.contains("cannot waive"),
        "{stderr}"
    );
    let unused = "\nenvironments:\n  prod:\n    account: \"222222222222\"\n    region: eu-west-1\n    waive: { PAL-FN-003: \"just in case\" }\n";
    let stderr = refused("env-waive-unused", unused, None);
    assert!(stderr.contains("does not loosen"), "{stderr}");
}

#[test]
fn bad_environment_values_are_located() {
    let extra = "\nenvironments:\n  prod:\n    account: \"12345\"\n    region: europe\n    functions: { get-ordr: { memory: 512 } }\n";
    let spec = orders_with("env-bad-values", extra);
    let out = palisade()
        .args(["validate", path(&spec)])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let account = line_of(&spec, "account: \"12345\"");
    assert!(
        stderr.contains(&format!("palisade.yaml:{account}:")),
        "{stderr}"
    );
    assert!(stderr.contains("E080"), "{stderr}");
    assert!(stderr.contains("not an AWS account ID"), "{stderr}");
    assert!(stderr.contains("not an AWS region"), "{stderr}");
    assert!(stderr.contains("did you mean `get-order`"), "{stderr}");
    // A value out of range once applied points at the environment's line.
    let memory = "\nenvironments:\n  prod:\n    account: \"222222222222\"\n    region: eu-west-1\n    functions:\n      get-order: { memory: 99999 }\n";
    let spec = orders_with("env-bad-memory", memory);
    let stderr = refused("env-bad-memory", memory, Some("prod"));
    let line = line_of(&spec, "memory: 99999");
    assert!(stderr.contains(&format!(":{line}:")), "{stderr}");
    assert!(stderr.contains("E042"), "{stderr}");
}

#[test]
fn schema_accepts_environments() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("schemas/palisade.schema.json").unwrap())
            .unwrap();
    assert!(schema["properties"]["environments"].is_object());
}

#[test]
fn diff_base_with_env_compares_the_stage_and_a_new_stage_is_all_added() {
    // The base commit has no environments: its prod stage did not exist.
    let dir = support::committed_spec("env-base", "examples/orders/palisade.yaml");
    let spec = dir.join("palisade.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str(STAGES);
    std::fs::write(&spec, text).unwrap();
    let out = palisade()
        .current_dir(&dir)
        .args([
            "diff", "--base", "HEAD", "--env", "prod", "--format", "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["summary"]["removed"], 0, "{report:#}");
    assert!(
        report["summary"]["added"].as_u64().unwrap() > 20,
        "{report:#}"
    );
    // Without --env the section changes nothing.
    let out = palisade()
        .current_dir(&dir)
        .args(["diff", "--base", "HEAD", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["changes"], serde_json::json!([]), "{report:#}");
}

#[test]
fn an_environment_keeps_logs_longer_never_shorter() {
    // Longer: every log group of the stage and the access-log bucket's
    // expiry follow; the spec's own build keeps its 731 days.
    let spec = orders_with(
        "env-logs-longer",
        "logs: { retention_days: 731 }\nenvironments:\n  prod: { account: \"222222222222\", region: eu-west-1, logs: { retention_days: 1827 } }\n",
    );
    for env in [None, Some("prod")] {
        let mut cmd = palisade();
        cmd.args(["build", path(&spec), "--template-format", "json"]);
        if let Some(env) = env {
            cmd.args(["--env", env]);
        }
        cmd.assert().success();
        let dist = spec.parent().unwrap().join("dist");
        let (dir, days) = match env {
            Some(env) => (dist.join(env), 1827),
            None => (dist.clone(), 731),
        };
        let template = template(&dir);
        let groups: Vec<&serde_json::Value> = template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::Logs::LogGroup")
            .collect();
        assert!(!groups.is_empty());
        for group in groups {
            assert_eq!(group["Properties"]["RetentionInDays"], days, "{env:?}");
        }
    }

    // Shorter than the spec's: refused at the environment's value.
    let extra = "logs: { retention_days: 731 }\nenvironments:\n  prod:\n    account: \"222222222222\"\n    region: eu-west-1\n    logs: { retention_days: 400 }\n";
    let stderr = refused("env-logs-shorter", extra, None);
    assert!(
        stderr.contains("E081") && stderr.contains("less than the spec's 731"),
        "{stderr}"
    );
    let spec = orders_with("env-logs-line", extra);
    let line = line_of(&spec, "retention_days: 400");
    assert!(
        stderr.contains(&format!("palisade.yaml:{line}:")),
        "{stderr}"
    );

    // Not a CloudWatch period of a year or more: refused in the spec too.
    let stderr = refused("env-logs-period", "logs: { retention_days: 30 }\n", None);
    assert!(
        stderr.contains("E042") && stderr.contains("3653"),
        "{stderr}"
    );
}

#[test]
fn an_environment_waiver_reason_is_escaped_in_security_md() {
    let spec = orders_with(
        "env-reason-markdown",
        "environments:\n  prod:\n    account: \"222222222222\"\n    region: eu-west-1\n    functions: { get-order: { concurrency: 50 } }\n    waive: { PAL-FN-003: \"peak <img src=x> [l](http://e) | x\" }\n",
    );
    palisade()
        .args(["build", path(&spec), "--env", "prod"])
        .assert()
        .success();
    let security =
        std::fs::read_to_string(spec.parent().unwrap().join("dist/prod/SECURITY.md")).unwrap();
    let line = security.lines().find(|l| l.contains("peak")).unwrap();
    assert!(
        !line.contains("<img") && !line.contains("[l](") && !line.contains(" | x"),
        "{line}"
    );
}

/// A copy of the partners example (a REST API with AWS WAF and clients)
/// whose spec ends with `extra`.
fn partners_with(name: &str, extra: &str) -> PathBuf {
    let dir = support::example_copy("partners", name);
    let spec = dir.join("palisade.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str(extra);
    std::fs::write(&spec, text).unwrap();
    spec
}

const REST_STAGES: &str = r#"
environments:
  staging:
    account: "111111111111"
    region: eu-central-1
    api:
      waf: { rate_per_ip: 500 }
      clients:
        partner-a: { rate: 2, burst: 4, quota: { limit: 1000, period: day } }
  prod:
    account: "222222222222"
    region: eu-central-1
    api:
      waf: { rate_per_ip: 4000 }
      clients:
        partner-b: { rate: 2, burst: 5, quota: { limit: 5000, period: day } }
    waive:
      PAL-API-007: "prod partners batch from few addresses"
      PAL-API-008: "partner-b's contract allows 5000 a day in prod"
"#;

/// The resources of a type in a built template.
fn of_type<'a>(template: &'a serde_json::Value, ty: &str) -> Vec<&'a serde_json::Value> {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == ty)
        .collect()
}

#[test]
fn an_environment_tunes_a_rest_apis_waf_and_client_limits() {
    let spec = partners_with("env-rest", REST_STAGES);
    let dir = spec.parent().unwrap();
    for env in ["staging", "prod"] {
        palisade()
            .args(["build", path(&spec), "--env", env])
            .args(["--template-format", "json"])
            .assert()
            .success();
    }
    let staging = template(&dir.join("dist/staging"));
    let acl = of_type(&staging, "AWS::WAFv2::WebACL")[0];
    let limit = acl["Properties"]["Rules"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["Statement"]["RateBasedStatement"]["Limit"].as_u64());
    assert_eq!(limit, Some(500), "{acl}");
    let plans = of_type(&staging, "AWS::ApiGateway::UsagePlan");
    let partner_a = plans
        .iter()
        .find(|p| {
            p["Properties"]["UsagePlanName"]
                .to_string()
                .contains("partner-a")
        })
        .expect("partner-a's plan");
    assert_eq!(partner_a["Properties"]["Throttle"]["RateLimit"], 2.0);
    assert_eq!(partner_a["Properties"]["Quota"]["Limit"], 1000);
    assert_eq!(partner_a["Properties"]["Quota"]["Period"], "DAY");

    let prod = template(&dir.join("dist/prod"));
    let security = std::fs::read_to_string(dir.join("dist/prod/SECURITY.md")).unwrap();
    assert!(
        security.contains("PAL-API-007 AWS WAF per-IP limit 2000 → 4000"),
        "{security}"
    );
    assert!(
        security.contains("PAL-API-008 client `partner-b`"),
        "{security}"
    );
    let acl = of_type(&prod, "AWS::WAFv2::WebACL")[0];
    assert!(acl.to_string().contains("4000"), "{acl}");
}

#[test]
fn an_environment_cannot_raise_rest_limits_without_a_scoped_waiver() {
    let cases = [
        ("api:\n      waf: { rate_per_ip: 2001 }", "PAL-API-007"),
        (
            "api:\n      clients:\n        partner-a: { rate: 6, burst: 10, quota: { limit: 100000, period: month } }",
            "PAL-API-008",
        ),
        (
            "api:\n      clients:\n        partner-a: { rate: 5, burst: 10 }",
            "PAL-API-008",
        ),
        (
            "api:\n      clients:\n        partner-b: { rate: 1, burst: 5, quota: { limit: 7001, period: week } }",
            "PAL-API-008",
        ),
    ];
    for (i, (tuning, control)) in cases.iter().enumerate() {
        let extra = format!(
            "\nenvironments:\n  prod:\n    account: \"222222222222\"\n    region: eu-central-1\n    {tuning}\n"
        );
        let spec = partners_with(&format!("env-rest-loosen-{i}"), &extra);
        let out = palisade()
            .args(["build", path(&spec)])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(&format!("loosens {control}")) && stderr.contains("palisade.yaml:"),
            "{tuning}: {stderr}"
        );
    }
    // Lower limits need no waiver; an unknown client is located.
    let extra = "\nenvironments:\n  prod:\n    account: \"222222222222\"\n    region: eu-central-1\n    api:\n      clients:\n        partner-z: { rate: 1, burst: 1 }\n";
    let spec = partners_with("env-rest-unknown", extra);
    palisade()
        .args(["build", path(&spec)])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "tunes client `partner-z`, which the spec does not declare",
        ));
}

#[test]
fn diff_between_rest_environments_flags_the_raised_limits() {
    let spec = partners_with("env-rest-diff", REST_STAGES);
    palisade()
        .args(["diff", "--env", "staging", "--env", "prod", path(&spec)])
        .args(["--fail-on", "broadening"])
        .assert()
        .code(1);
}
