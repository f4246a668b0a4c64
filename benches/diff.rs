//! How long `palisade diff` takes on large stacks: a synthetic pair of
//! 5,000-resource CloudFormation templates (and the same shape as a
//! Terraform module), one resource in twenty changed, some of them risky.
//!
//! `cargo bench --bench diff`

use palisade::diff::{self, load, terraform};
use serde_json::{Value, json};

fn main() {
    divan::main();
}

const RESOURCES: usize = 5_000;

/// Resource `i` of a template; `changed` applies this resource's edit.
fn cloudformation_resource(i: usize, changed: bool) -> (String, Value) {
    let edit = changed && (i / 5).is_multiple_of(20);
    match i % 5 {
        0 => (
            format!("Role{i}"),
            json!({
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" },
                        "Action": "sts:AssumeRole" }] },
                    "Policies": [{ "PolicyName": "access", "PolicyDocument": { "Version": "2012-10-17", "Statement": [
                        { "Sid": "Read", "Effect": "Allow",
                          "Action": if edit { json!(["dynamodb:GetItem", "dynamodb:PutItem"]) } else { json!(["dynamodb:GetItem"]) },
                          "Resource": { "Fn::GetAtt": [format!("Table{}", i + 2), "Arn"] } },
                        { "Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                          "Resource": { "Fn::Sub": format!("${{Logs{}.Arn}}:*", i + 4) } }
                    ] } }],
                    "Tags": [{ "Key": "team", "Value": "payments" }]
                }
            }),
        ),
        1 => (
            format!("Function{i}"),
            json!({
                "Type": "AWS::Lambda::Function",
                "Metadata": { "checkov": { "skip": [{ "id": "CKV_AWS_117", "comment": "no VPC needed" }] } },
                "Properties": {
                    "FunctionName": format!("fn-{i}"),
                    "Runtime": "python3.12", "Handler": "main.handler",
                    "MemorySize": if edit { 512 } else { 256 },
                    "ReservedConcurrentExecutions": 10,
                    "Role": { "Fn::GetAtt": [format!("Role{}", i - 1), "Arn"] },
                    "TracingConfig": { "Mode": "Active" },
                    "Environment": { "Variables": { "TABLE": { "Ref": format!("Table{}", i + 1) } } }
                }
            }),
        ),
        2 => (
            format!("Table{i}"),
            json!({
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "TableName": format!("table-{i}"),
                    "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": [{ "AttributeName": if edit { "key" } else { "id" }, "KeyType": "HASH" }],
                    "AttributeDefinitions": [{ "AttributeName": if edit { "key" } else { "id" }, "AttributeType": "S" }],
                    "SSESpecification": { "SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": { "Ref": "Key" } },
                    "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true }
                }
            }),
        ),
        3 => (
            format!("Bucket{i}"),
            json!({
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "Properties": {
                    "BucketEncryption": { "ServerSideEncryptionConfiguration": [{
                        "ServerSideEncryptionByDefault": { "SSEAlgorithm": if edit { "AES256" } else { "aws:kms" } } }] },
                    "PublicAccessBlockConfiguration": { "BlockPublicAcls": true, "BlockPublicPolicy": true,
                        "IgnorePublicAcls": true, "RestrictPublicBuckets": true },
                    "VersioningConfiguration": { "Status": "Enabled" }
                }
            }),
        ),
        _ => (
            format!("Logs{i}"),
            json!({
                "Type": "AWS::Logs::LogGroup",
                "Properties": {
                    "LogGroupName": format!("/aws/lambda/fn-{i}"),
                    "RetentionInDays": if edit { 30 } else { 365 },
                    "KmsKeyId": { "Fn::GetAtt": ["Key", "Arn"] }
                }
            }),
        ),
    }
}

fn template(changed: bool) -> Value {
    let resources: serde_json::Map<String, Value> = (0..RESOURCES)
        .map(|i| cloudformation_resource(i, changed))
        .collect();
    json!({ "AWSTemplateFormatVersion": "2010-09-09", "Resources": resources })
}

/// The same stack shape as a Terraform module, one file.
fn module_text(changed: bool) -> String {
    let mut out = String::new();
    for i in 0..RESOURCES {
        let edit = changed && (i / 5).is_multiple_of(20);
        let block = match i % 5 {
            0 => format!(
                r#"resource "aws_iam_role_policy" "r{i}" {{
  name = "access"
  role = aws_iam_role.r{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{ Sid = "Read", Effect = "Allow", Action = [{actions}], Resource = aws_dynamodb_table.t{t}.arn }},
      {{ Sid = "Logs", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "${{aws_cloudwatch_log_group.l{l}.arn}}:*" }},
    ]
  }})
}}
"#,
                actions = if edit {
                    r#""dynamodb:GetItem", "dynamodb:PutItem""#
                } else {
                    r#""dynamodb:GetItem""#
                },
                t = i + 2,
                l = i + 4
            ),
            1 => format!(
                r#"resource "aws_lambda_function" "f{i}" {{
  #checkov:skip=CKV_AWS_117:no VPC needed
  function_name                  = "fn-{i}"
  runtime                        = "python3.12"
  handler                        = "main.handler"
  memory_size                    = {memory}
  reserved_concurrent_executions = 10
  role                           = aws_iam_role.r{r}.arn
  tracing_config {{
    mode = "Active"
  }}
  environment {{
    variables = {{ TABLE = aws_dynamodb_table.t{t}.name }}
  }}
}}
"#,
                memory = if edit { 512 } else { 256 },
                r = i - 1,
                t = i + 1
            ),
            2 => format!(
                r#"resource "aws_dynamodb_table" "t{i}" {{
  name         = "table-{i}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "{key}"
  attribute {{
    name = "{key}"
    type = "S"
  }}
  server_side_encryption {{
    enabled     = true
    kms_key_arn = aws_kms_key.key.arn
  }}
  point_in_time_recovery {{
    enabled = true
  }}
  lifecycle {{
    prevent_destroy = true
  }}
}}
"#,
                key = if edit { "key" } else { "id" }
            ),
            3 => format!(
                r#"resource "aws_s3_bucket_server_side_encryption_configuration" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "{algorithm}"
    }}
  }}
}}
"#,
                algorithm = if edit { "AES256" } else { "aws:kms" }
            ),
            _ => format!(
                r#"resource "aws_cloudwatch_log_group" "l{i}" {{
  name              = "/aws/lambda/fn-{i}"
  retention_in_days = {days}
  kms_key_id        = aws_kms_key.key.arn
}}
"#,
                days = if edit { 30 } else { 365 }
            ),
        };
        out.push_str(&block);
        out.push('\n');
    }
    out
}

/// The pair is what it should be: every twentieth resource changed, each
/// edit classified.
fn check(report: &diff::Report) {
    assert_eq!(report.changes.len(), RESOURCES / 20);
    assert!(report.changes.iter().all(|c| !c.details.is_empty()));
    assert!(report.has_risk(diff::Risk::Broadening) && report.has_risk(diff::Risk::DataLoss));
}

/// Comparing two parsed templates: normalising, matching, classifying.
#[divan::bench]
fn cloudformation_5000_compare(bencher: divan::Bencher) {
    let (old, new) = (template(false), template(true));
    check(&diff::compare_cloudformation(&old, &new));
    bencher.bench(|| diff::compare_cloudformation(divan::black_box(&old), divan::black_box(&new)));
}

/// What `palisade diff old.json new.json` does after reading the files:
/// parse both (at once), compare.
#[divan::bench]
fn cloudformation_5000_parse_and_compare(bencher: divan::Bencher) {
    let old = serde_json::to_string_pretty(&template(false)).unwrap();
    let new = serde_json::to_string_pretty(&template(true)).unwrap();
    bencher.bench(|| {
        let (old, new) = load::both(
            || load::parse("old.json", divan::black_box(old.as_bytes())),
            || load::parse("new.json", divan::black_box(new.as_bytes())),
        )
        .unwrap();
        diff::compare_on(&old, &new, &[diff::Target::CloudFormation])
    });
}

/// The same for two Terraform modules: reading the HCL and comparing.
#[divan::bench]
fn terraform_5000_parse_and_compare(bencher: divan::Bencher) {
    let old = vec![("main.tf".to_string(), module_text(false))];
    let new = vec![("main.tf".to_string(), module_text(true))];
    check(&diff::compare_terraform(
        &terraform::parse(&old).unwrap(),
        &terraform::parse(&new).unwrap(),
    ));
    bencher.bench(|| {
        let (old, new) = load::both(
            || terraform::parse(divan::black_box(&old)).map(load::Input::Terraform),
            || terraform::parse(divan::black_box(&new)).map(load::Input::Terraform),
        )
        .unwrap();
        diff::compare_on(&old, &new, &[diff::Target::Terraform])
    });
}
