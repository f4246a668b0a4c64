//! `palisade build` and the Terraform target, as a user runs it.

mod support;

use std::path::Path;

use support::{example_copy, palisade};

fn with_overrides(dir: &Path, yaml: &str) -> String {
    let spec = dir.join("palisade.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str(yaml);
    std::fs::write(&spec, text).unwrap();
    spec.to_str().unwrap().to_string()
}

fn stderr_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

#[test]
fn default_build_writes_both_targets_from_one_plan() {
    let dir = example_copy("orders", "tf-default");
    palisade()
        .args(["build", dir.join("palisade.yaml").to_str().unwrap()])
        .assert()
        .success();
    let dist = dir.join("dist");
    assert!(dist.join("cloudformation/template.yaml").is_file());
    for file in ["versions.tf", "providers.tf", "functions.tf", "outputs.tf"] {
        assert!(dist.join("terraform").join(file).is_file(), "{file}");
    }
    assert!(dist.join("functions/get-order.zip").is_file());
}

#[test]
fn terraform_target_writes_no_template() {
    let dir = example_copy("webhooks", "tf-only");
    palisade()
        .args(["build", dir.join("palisade.yaml").to_str().unwrap()])
        .args(["--target", "terraform"])
        .assert()
        .success();
    assert!(dir.join("dist/terraform/kms.tf").is_file());
    assert!(!dir.join("dist/cloudformation").exists());
}

/// The spec names no region: the provider reads it from a variable.
#[test]
fn a_spec_without_region_gets_a_region_variable() {
    let dir = example_copy("webhooks", "tf-region");
    let spec = dir.join("palisade.yaml");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("region: eu-west-1\n", "");
    std::fs::write(&spec, text).unwrap();
    palisade()
        .args(["build", spec.to_str().unwrap(), "--target", "terraform"])
        .assert()
        .success();
    let terraform = dir.join("dist/terraform");
    let variables = std::fs::read_to_string(terraform.join("variables.tf")).unwrap();
    assert!(variables.contains("variable \"region\""), "{variables}");
    let providers = std::fs::read_to_string(terraform.join("providers.tf")).unwrap();
    assert!(providers.contains("region = var.region"), "{providers}");
}

/// Terraform deploys every .tf file in the module, so a file the build no
/// longer writes must go; the user's own files stay.
#[test]
fn stale_generated_files_are_flagged_and_removed_and_user_files_kept() {
    let dir = example_copy("orders", "tf-stale");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    palisade().args(["build", spec]).assert().success();
    let terraform = dir.join("dist/terraform");
    let stale = terraform.join("old.tf");
    std::fs::write(&stale, format!("# {}\n", palisade::emit::terraform::HEADER)).unwrap();
    let backend = terraform.join("backend.tf");
    std::fs::write(&backend, "terraform {}\n").unwrap();
    let stderr = stderr_of(palisade().args(["build", spec, "--check"]).assert().code(1));
    assert!(stderr.contains("old.tf"), "{stderr}");
    assert!(stale.exists(), "--check must not write");
    palisade().args(["build", spec]).assert().success();
    assert!(!stale.exists());
    assert!(backend.exists());
    palisade()
        .args(["build", spec, "--check"])
        .assert()
        .success();
}

#[test]
fn terraform_override_is_merged_onto_the_resource() {
    let dir = example_copy("orders", "tf-override");
    let spec = with_overrides(
        &dir,
        "overrides:\n  terraform:\n    aws_lambda_function.get_order:\n      description: \"reads ${var.x} orders\"\n      ephemeral_storage: { size: 1024 }\n",
    );
    palisade()
        .args(["build", &spec, "--target", "terraform"])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.join("dist/terraform/functions.tf")).unwrap();
    assert!(
        text.contains(r#"description = "reads $${var.x} orders""#),
        "{text}"
    );
    assert!(
        text.contains("ephemeral_storage {\n    size = 1024\n  }"),
        "{text}"
    );
}

#[test]
fn terraform_override_of_an_unknown_address_is_rejected_with_a_suggestion() {
    let dir = example_copy("orders", "tf-override-unknown");
    let spec = with_overrides(
        &dir,
        "overrides:\n  terraform:\n    aws_lambda_function.get_ordr:\n      description: x\n",
    );
    let stderr = stderr_of(palisade().args(["build", &spec]).assert().code(2));
    assert!(stderr.contains("aws_lambda_function.get_ordr"), "{stderr}");
    assert!(stderr.contains("aws_lambda_function.get_order"), "{stderr}");
    assert!(!dir.join("dist").exists(), "nothing is written");
}

#[test]
fn terraform_override_that_undoes_a_control_is_rejected() {
    for (address, patch, control) in [
        (
            "aws_lambda_function.get_order",
            "tracing_config: { mode: PassThrough }",
            "PAL-FN-002",
        ),
        (
            "aws_dynamodb_table.orders",
            "lifecycle: { prevent_destroy: false }",
            "E066",
        ),
        (
            "aws_s3_bucket_public_access_block.receipts",
            "block_public_acls: false",
            "PAL-DATA-005",
        ),
        (
            "aws_iam_role_policy.get_order",
            "policy: \"{}\"",
            "PAL-IAM-002",
        ),
    ] {
        let dir = example_copy("orders", "tf-override-control");
        let spec = with_overrides(
            &dir,
            &format!("overrides:\n  terraform:\n    {address}:\n      {patch}\n"),
        );
        let stderr = stderr_of(palisade().args(["build", &spec]).assert().code(2));
        assert!(stderr.contains(control), "{address}: {stderr}");
    }
}
