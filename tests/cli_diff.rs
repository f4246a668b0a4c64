//! `palisade diff` as a user runs it: every renderer snapshotted (a spec pair
//! compares on both targets), exit codes, templates and Terraform modules
//! Palisade did not write, `--target`, and `--base` against git.

mod support;

use support::palisade;

const OLD: &str = "examples/orders/palisade.yaml";
const NEW: &str = "tests/diff/orders-changed.yaml";
const FOREIGN_OLD: &str = "tests/diff/foreign-old.yaml";
const FOREIGN_NEW: &str = "tests/diff/foreign-new.yaml";
const TF_OLD: &str = "tests/diff/terraform-old";
const TF_NEW: &str = "tests/diff/terraform-new";

fn stdout(args: &[&str]) -> String {
    let out = palisade()
        .args(args)
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn text_renderer() {
    insta::assert_snapshot!(stdout(&["diff", OLD, NEW]));
}

#[test]
fn markdown_renderer() {
    let markdown = stdout(&["diff", OLD, NEW, "--format", "markdown"]);
    assert!(markdown.starts_with("### 🛑 Palisade diff:"));
    assert!(markdown.contains("<details>") && markdown.contains("```diff"));
    // Two specs: the comment draws the service graph with the change marked.
    assert!(markdown.contains("```mermaid\nflowchart"), "{markdown}");
    insta::assert_snapshot!(markdown);
}

#[test]
fn json_renderer_has_the_design_shape() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&["diff", OLD, NEW, "--format", "json"])).unwrap();
    for key in [
        "added",
        "removed",
        "modified",
        "replaced",
        "broadening",
        "data_loss",
    ] {
        assert!(json["summary"][key].is_u64(), "summary.{key}");
    }
    let mut targets = std::collections::BTreeSet::new();
    for change in json["changes"].as_array().unwrap() {
        for key in ["target", "resource", "type", "change", "risks", "details"] {
            assert!(!change[key].is_null(), "{key} in {change}");
        }
        targets.insert(change["target"].as_str().unwrap().to_string());
    }
    assert_eq!(
        targets,
        ["cloudformation".to_string(), "terraform".to_string()].into(),
        "two specs compare on both targets"
    );
    insta::assert_json_snapshot!(json);
}

#[test]
fn target_picks_one_stack_and_must_exist_on_both_sides() {
    let json =
        |args: &[&str]| -> serde_json::Value { serde_json::from_str(&stdout(args)).unwrap() };
    for (target, expected) in [
        ("cloudformation", "cloudformation"),
        ("terraform", "terraform"),
    ] {
        let report = json(&["diff", OLD, NEW, "--format", "json", "--target", target]);
        let changes = report["changes"].as_array().unwrap();
        assert!(!changes.is_empty());
        assert!(changes.iter().all(|c| c["target"] == expected), "{report}");
    }
    let all = json(&["diff", OLD, NEW, "--format", "json", "--target", "all"]);
    let both = json(&["diff", OLD, NEW, "--format", "json"]);
    assert_eq!(all, both, "specs compare on both targets by default");
    // A template has no Terraform, a module no CloudFormation.
    for args in [
        &["diff", FOREIGN_OLD, FOREIGN_NEW, "--target", "terraform"][..],
        &["diff", FOREIGN_OLD, FOREIGN_NEW, "--target", "all"],
        &["diff", TF_OLD, TF_NEW, "--target", "cloudformation"],
        &["diff", FOREIGN_OLD, TF_NEW],
    ] {
        let out = palisade().args(args).assert().code(2).get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("can only be compared on") || stderr.contains("cannot compare"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn fail_on_exits_1_only_for_the_classes_asked_for() {
    palisade()
        .args(["diff", OLD, NEW, "--fail-on", "broadening"])
        .assert()
        .code(1);
    palisade()
        .args(["diff", OLD, NEW, "--fail-on", "data-loss,broadening"])
        .assert()
        .code(1);
    let benign = support::scratch("diff-benign").join("palisade.yaml");
    std::fs::write(
        &benign,
        std::fs::read_to_string(OLD)
            .unwrap()
            .replace("    memory: 256 ", "    memory: 384 "),
    )
    .unwrap();
    palisade()
        .args([
            "diff",
            OLD,
            benign.to_str().unwrap(),
            "--fail-on",
            "broadening,data-loss",
        ])
        .assert()
        .success();
}

#[test]
fn templates_not_written_by_palisade_are_compared_too() {
    let text = stdout(&["diff", FOREIGN_OLD, FOREIGN_NEW]);
    assert!(text.contains("encryption removed or weakened"), "{text}");
    assert!(text.contains("IAM: + Allow sqs:* on *"), "{text}");
    assert!(
        text.contains("IAM: + Allow s3:PutObject on ${Uploads.Arn}/*"),
        "{text}"
    );
    assert!(text.contains("public access block weakened"), "{text}");
    assert!(text.contains("replaced Jobs"), "{text}");
    insta::assert_snapshot!(text);
}

/// A hand-written module: several files, `jsonencode`, heredoc and
/// `aws_iam_policy_document` policies, bucket settings as resources of their
/// own, `moved` and `removed` blocks.
#[test]
fn terraform_modules_not_written_by_palisade_are_compared_too() {
    let text = stdout(&["diff", TF_OLD, TF_NEW]);
    for expected in [
        // Statement by statement, however the policy is written.
        "IAM: + Allow s3:PutObject on ${aws_s3_bucket.uploads.arn}/*",
        "IAM: + Allow sqs:SendMessage on *",
        "IAM: + Allow logs:FilterLogEvents on ${aws_cloudwatch_log_group.worker.arn}:*",
        "IAM: + Allow sts:AssumeRole on * for Service:edgelambda.amazonaws.com",
        "IAM: + managed policy arn:aws:iam::aws:policy/AdministratorAccess",
        // A bucket's settings removed as resources while the bucket stays.
        "removed aws_s3_bucket_server_side_encryption_configuration.uploads",
        "encryption removed or weakened: rule.apply_server_side_encryption_by_default.sse_algorithm: aws:kms → (none)",
        "versioning turned off: versioning_configuration.status: Enabled → (none)",
        "public access block weakened: block_public_policy: true → false",
        "retain protection removed: lifecycle.prevent_destroy: true → (none)",
        "key rotation turned off",
        "log retention shortened: retention_in_days: 365 → 30",
        "limit raised or removed: reserved_concurrent_executions: 5 → (none)",
        "scanner suppression added: CKV_AWS_116: a synchronous worker has no dead-letter queue",
        "route made public: authorization_type: (none) → NONE",
        "invoke permission widened: source_arn: aws_s3_bucket.uploads.arn → (none)",
        // Data: deleted, kept by a `removed` block, replaced, or only moved.
        "!! removed aws_dynamodb_table.sessions",
        "prevent_destroy goes with the block and does not stop this",
        "!! removed aws_s3_bucket.archive (aws_s3_bucket, terraform) [data-loss]\n     orphaned: data stays but leaves the stack",
        "!! replaced aws_sqs_queue.jobs",
        "   modified aws_s3_bucket.temp (aws_s3_bucket, terraform)\n     moved from aws_s3_bucket.scratch",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(
        !text.contains("memory_size: 256 → 512\n!"),
        "a benign change is listed, not flagged"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_spec_against_a_terraform_module_works() {
    let dir = support::scratch("diff-mixed-terraform");
    palisade()
        .args([
            "build",
            OLD,
            "--target",
            "terraform",
            "--out",
            dir.to_str().unwrap(),
        ])
        .assert()
        .success();
    let module = dir.join("terraform");
    // As with a template: only the package hashes differ.
    let text = stdout(&["diff", module.to_str().unwrap(), OLD]);
    assert!(text.contains("0 broadening, 0 data-loss"), "{text}");
    assert!(!text.contains("cloudformation"), "{text}");
    let text = stdout(&["diff", module.to_str().unwrap(), NEW]);
    assert!(
        text.contains("!! replaced aws_dynamodb_table.orders"),
        "{text}"
    );
}

#[test]
fn a_spec_against_a_template_works() {
    let dir = support::scratch("diff-mixed");
    let template = dir.join("template.json");
    palisade()
        .args([
            "build",
            OLD,
            "--template-format",
            "json",
            "--out",
            dir.to_str().unwrap(),
        ])
        .assert()
        .success();
    std::fs::rename(dir.join("cloudformation/template.json"), &template).unwrap();
    // The built template carries the package hashes; the spec compiled for
    // diff does not, so only the code keys differ.
    let text = stdout(&["diff", template.to_str().unwrap(), OLD]);
    assert!(text.contains("0 broadening, 0 data-loss"), "{text}");
}

#[test]
fn base_compares_the_committed_spec_with_the_working_copy() {
    let dir = support::committed_spec("diff-git", OLD);
    std::fs::copy(NEW, dir.join("palisade.yaml")).unwrap();
    let out = palisade()
        .current_dir(&dir)
        .args(["diff", "--base", "HEAD", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["summary"]["data_loss"].as_u64().unwrap() >= 1,
        "{json}"
    );
    palisade()
        .current_dir(&dir)
        .args(["diff", "--base", "no-such-ref"])
        .assert()
        .code(2);
}

#[test]
fn wrong_arguments_exit_2() {
    palisade().args(["diff", OLD]).assert().code(2);
    palisade().args(["diff", "nope.yaml", OLD]).assert().code(2);
    palisade()
        .args(["diff", "tests/corpus/invalid/cors-wildcard.yaml", OLD])
        .assert()
        .code(2);
    // A directory with no module in it, and a module that does not parse.
    let empty = support::scratch("diff-empty-module");
    palisade()
        .args(["diff", empty.to_str().unwrap(), TF_NEW])
        .assert()
        .code(2);
    let broken = support::scratch("diff-broken-module");
    std::fs::write(
        broken.join("main.tf"),
        "resource \"aws_sqs_queue\" \"q\" {\n  name = \n}\n",
    )
    .unwrap();
    let out = palisade()
        .args(["diff", broken.to_str().unwrap(), TF_NEW])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("main.tf") && stderr.contains("not valid HCL"),
        "{stderr}"
    );
}
