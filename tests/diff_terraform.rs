//! `diff` on Terraform modules Palisade did not write (tests/diff/terraform-*):
//! every resource gets exactly the change kind and risk classes a reviewer
//! should see, however the module writes its policies and settings.

use std::collections::BTreeMap;

use palisade::diff::{self, ChangeKind, Risk, Target, load};

const B: &[Risk] = &[Risk::Broadening];
const D: &[Risk] = &[Risk::DataLoss];
const NONE: &[Risk] = &[];

fn report() -> diff::Report {
    let old = load::read("tests/diff/terraform-old").unwrap();
    let new = load::read("tests/diff/terraform-new").unwrap();
    let targets = load::targets(&old, &new, None).unwrap();
    assert_eq!(targets, [Target::Terraform]);
    diff::compare_on(&old, &new, &targets)
}

#[test]
fn every_resource_gets_its_change_and_risks() {
    use ChangeKind::*;
    let expected: BTreeMap<&str, (ChangeKind, &[Risk])> = [
        // Data: deleted (prevent_destroy leaves with the block), kept by a
        // `removed` block (still leaves the stack), replaced by a new name.
        ("aws_dynamodb_table.sessions", (Removed, D)),
        ("aws_s3_bucket.archive", (Removed, D)),
        ("aws_sqs_queue.jobs", (Replaced, D)),
        // A `moved` block renames without destroying anything.
        ("aws_s3_bucket.temp", (Modified, NONE)),
        // The bucket's settings, removed or weakened as resources of their own.
        ("aws_s3_bucket.uploads", (Modified, B)),
        (
            "aws_s3_bucket_server_side_encryption_configuration.uploads",
            (Removed, B),
        ),
        ("aws_s3_bucket_versioning.uploads", (Removed, B)),
        ("aws_s3_bucket_public_access_block.uploads", (Modified, B)),
        // Policies written three ways, and a managed policy attached.
        ("aws_iam_role_policy.worker", (Modified, B)),
        ("aws_iam_policy.audit", (Modified, B)),
        ("data.aws_iam_policy_document.assume", (Modified, B)),
        ("aws_iam_role_policy_attachment.worker_admin", (Added, B)),
        // Function, key, logs, invocation.
        ("aws_lambda_function.worker", (Modified, B)),
        ("aws_lambda_function_url.worker", (Added, B)),
        ("aws_lambda_permission.from_uploads", (Replaced, B)),
        ("aws_kms_key.data", (Modified, B)),
        ("aws_cloudwatch_log_group.worker", (Modified, B)),
    ]
    .into();
    let report = report();
    let found: BTreeMap<&str, (ChangeKind, &[Risk])> = report
        .changes
        .iter()
        .map(|c| {
            assert_eq!(c.target, Target::Terraform);
            let risks: &[Risk] = match (
                c.risks.contains(&Risk::Broadening),
                c.risks.contains(&Risk::DataLoss),
            ) {
                (false, false) => NONE,
                (true, false) => B,
                (false, true) => D,
                (true, true) => &[Risk::Broadening, Risk::DataLoss],
            };
            (c.resource.as_str(), (c.change, risks))
        })
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_removed_block_that_keeps_the_data_says_so() {
    let report = report();
    let detail = |address: &str| {
        report
            .changes
            .iter()
            .find(|c| c.resource == address)
            .unwrap()
            .details[0]
            .clone()
    };
    assert_eq!(
        detail("aws_s3_bucket.archive"),
        "orphaned: data stays but leaves the stack"
    );
    assert!(
        detail("aws_dynamodb_table.sessions").starts_with("data loss: deleted with its data"),
        "prevent_destroy does not survive the removal of its block"
    );
}

#[test]
fn a_module_compared_with_itself_has_no_changes() {
    let module = load::read("tests/diff/terraform-new").unwrap();
    assert!(
        diff::compare_on(&module, &module, &[Target::Terraform])
            .changes
            .is_empty()
    );
}
