//! `diff --plan` (Terraform's `show -json`) and `diff --change-set`
//! (CloudFormation's `describe-change-set`): each resource gets the class the
//! planner's own answers and the risk rules give it.

use std::collections::BTreeMap;
use std::process::Command;

use palisade::diff::{self, ChangeKind, Risk};
use serde_json::Value;

fn read(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("tests/diff/plans/{name}")).unwrap())
        .unwrap()
}

fn classes(report: &diff::Report) -> BTreeMap<String, (ChangeKind, Vec<Risk>)> {
    report
        .changes
        .iter()
        .map(|c| {
            (
                c.resource.clone(),
                (c.change, c.risks.iter().copied().collect()),
            )
        })
        .collect()
}

#[test]
fn a_real_terraform_plan_reads_create_update_replace_delete_and_addresses() {
    let report =
        diff::plan::terraform("terraform-data.json", &read("terraform-data.json")).unwrap();
    let got = classes(&report);
    assert_eq!(got["terraform_data.added"].0, ChangeKind::Added);
    assert_eq!(got["terraform_data.single"].0, ChangeKind::Modified);
    assert_eq!(got["terraform_data.counted[1]"].0, ChangeKind::Removed);
    assert_eq!(got["terraform_data.each[\"a\"]"].0, ChangeKind::Replaced);
    assert!(
        !got.contains_key("terraform_data.counted[0]"),
        "no-op is not a change"
    );
    let text = diff::render::text(&report, false);
    assert!(text.contains("output: v1 → (known after apply)"), "{text}");
    assert!(text.contains("changing triggers_replace"), "{text}");
}

#[test]
fn an_aws_plan_is_classified_by_the_same_rules() {
    let report = diff::plan::terraform("aws.json", &read("aws.json")).unwrap();
    let got = classes(&report);
    let expect = [
        ("aws_iam_role_policy.worker", vec![Risk::Broadening]),
        ("aws_iam_role_policy.reader", vec![]),
        ("aws_iam_role_policy.generated", vec![Risk::Unanalysed]),
        ("aws_dynamodb_table.orders", vec![Risk::DataLoss]),
        ("aws_s3_bucket.logs", vec![Risk::DataLoss]),
        ("aws_s3_bucket.archive", vec![Risk::DataLoss]),
        ("aws_lambda_function.api", vec![]),
        ("aws_kms_key.data", vec![Risk::Broadening]),
        ("aws_apigatewayv2_route.orders", vec![Risk::Broadening]),
        ("aws_sqs_queue.jobs[\"a\"]", vec![]),
    ];
    for (address, risks) in expect {
        assert_eq!(got[address].1, risks, "{address}");
    }
    assert_eq!(got["aws_dynamodb_table.orders"].0, ChangeKind::Replaced);
    assert!(!got.contains_key("aws_sqs_queue.jobs[0]"));
}

#[test]
fn change_sets_with_and_without_values() {
    for (file, role) in [
        ("changeset-values.json", Risk::Broadening),
        ("changeset-novalues.json", Risk::Unanalysed),
    ] {
        let report = diff::plan::change_set(file, &read(file)).unwrap();
        let got = classes(&report);
        assert_eq!(got["GetOrderRole"].1, vec![role], "{file}");
        assert_eq!(
            got["OrdersTable"],
            (ChangeKind::Replaced, vec![Risk::DataLoss]),
            "{file}"
        );
        assert_eq!(
            got["EventsQueue"].1,
            vec![Risk::DataLoss],
            "{file}: Conditional"
        );
        assert_eq!(got["AuditTable"].1, vec![Risk::DataLoss], "{file}");
        assert_eq!(got["GetOrderFunction"].1, vec![], "{file}");
        assert_eq!(got["ReportsBucket"].1, vec![], "{file}");
    }
}

#[test]
fn the_cli_reads_plans_and_change_sets_and_fails_on_request() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "diff",
        "--plan",
        "tests/diff/plans/aws.json",
        "--fail-on",
        "unanalysed",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&[
        "diff",
        "--plan",
        "tests/diff/plans/terraform-data.json",
        "--fail-on",
        "broadening,data-loss,unanalysed",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[
        "diff",
        "--change-set",
        "tests/diff/plans/changeset-values.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["data_loss"], 3);
    let out = run(&["diff", "--plan", "tests/diff/plans/changeset-values.json"]);
    assert_eq!(out.status.code(), Some(2), "a change set is not a plan");
    let out = run(&["diff", "--plan", "Cargo.toml"]);
    assert_eq!(out.status.code(), Some(2), "not JSON");
}

/// A root change set with a nested stack (`--include-nested-stacks`): the
/// stack's own entry says nothing about its resources, so alone it is
/// `unanalysed`; with the nested change set spliced in (as `palisade deploy`
/// does) the nested resources are classified and the stack entry is not.
#[test]
fn nested_change_sets_are_unanalysed_until_read() {
    let root = serde_json::json!({ "Changes": [
        { "Type": "Resource", "ResourceChange": {
            "Action": "Modify", "LogicalResourceId": "Functions000Stack",
            "ResourceType": "AWS::CloudFormation::Stack", "Replacement": "False",
            "Scope": ["Properties"],
            "ChangeSetId": "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/palisade-1-Functions000Stack/1",
            "Details": [{ "Target": { "Attribute": "Properties", "Name": "TemplateURL", "RequiresRecreation": "Never" } }]
        } }
    ] });
    let alone = classes(&diff::plan::change_set("root.json", &root).unwrap());
    assert_eq!(alone["Functions000Stack"].1, vec![Risk::Unanalysed]);

    let values = read("changeset-values.json");
    let nested = serde_json::json!({ "Changes": values["Changes"].as_array().unwrap().iter()
        .filter(|c| c["ResourceChange"]["LogicalResourceId"] == "GetOrderRole").cloned().collect::<Vec<_>>() });
    let mut spliced = root.clone();
    palisade::deploy::render::splice_nested(&mut spliced, "Functions000Stack", &nested);
    let read = classes(&diff::plan::change_set("root.json", &spliced).unwrap());
    assert_eq!(read["Functions000Stack"].1, vec![], "{read:?}");
    assert_eq!(
        read["Functions000Stack/GetOrderRole"].1,
        vec![Risk::Broadening],
        "{read:?}"
    );
    // Splicing under another stack's name reads nothing for this one.
    let mut elsewhere = root.clone();
    palisade::deploy::render::splice_nested(&mut elsewhere, "Data000Stack", &nested);
    let other = classes(&diff::plan::change_set("root.json", &elsewhere).unwrap());
    assert_eq!(other["Functions000Stack"].1, vec![Risk::Unanalysed]);
}
