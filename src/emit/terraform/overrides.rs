//! Terraform `overrides:` are merged onto the generated blocks, so they get the
//! same scrutiny as CloudFormation's: an address must exist, and an override
//! may not touch what a control sets unless the spec waives that control.
//!
//! Controls declare what they protect once, in CloudFormation terms
//! (`controls::Protected`); this module only translates those properties into
//! the Terraform attributes, blocks or companion resources that carry them.

use crate::diagnostic::{Code, Diagnostic};
use crate::plan::{Plan, Resource};
use crate::spec::Overrides;
use crate::suggest::did_you_mean;

/// Where a CloudFormation property lives in the Terraform output: a resource
/// type and a top-level key of it, or the whole resource (`None`) when the
/// property became a companion resource of its own.
pub fn terraform_equivalent(
    cfn_type: &str,
    cfn_property: &str,
) -> Option<(&'static str, Option<&'static str>)> {
    let found = match (cfn_type, cfn_property) {
        (_, "DeletionPolicy") => (terraform_type(cfn_type)?, Some("lifecycle")),
        ("AWS::Lambda::Function", property) => (
            "aws_lambda_function",
            Some(match property {
                "Role" => "role",
                "KmsKeyArn" => "kms_key_arn",
                "LoggingConfig" => "logging_config",
                "TracingConfig" => "tracing_config",
                "ReservedConcurrentExecutions" => "reserved_concurrent_executions",
                "DeadLetterConfig" => "dead_letter_config",
                "Runtime" => "runtime",
                "Environment" => "environment",
                _ => return None,
            }),
        ),
        ("AWS::IAM::Role", "Policies") => ("aws_iam_role_policy", None),
        ("AWS::IAM::Role", property) => (
            "aws_iam_role",
            Some(match property {
                "AssumeRolePolicyDocument" => "assume_role_policy",
                "ManagedPolicyArns" => "managed_policy_arns",
                "PermissionsBoundary" => "permissions_boundary",
                "MaxSessionDuration" => "max_session_duration",
                _ => return None,
            }),
        ),
        ("AWS::Lambda::Permission", property) => (
            "aws_lambda_permission",
            Some(match property {
                "SourceArn" => "source_arn",
                "SourceAccount" => "source_account",
                "Principal" => "principal",
                _ => return None,
            }),
        ),
        ("AWS::KMS::Key", "EnableKeyRotation") => ("aws_kms_key", Some("enable_key_rotation")),
        ("AWS::KMS::Key", "KeyPolicy") => ("aws_kms_key", Some("policy")),
        ("AWS::DynamoDB::Table", property) => (
            "aws_dynamodb_table",
            Some(match property {
                "SSESpecification" => "server_side_encryption",
                "PointInTimeRecoverySpecification" => "point_in_time_recovery",
                "DeletionProtectionEnabled" => "deletion_protection_enabled",
                _ => return None,
            }),
        ),
        ("AWS::SQS::Queue", property) => (
            "aws_sqs_queue",
            Some(match property {
                "KmsMasterKeyId" => "kms_master_key_id",
                "RedrivePolicy" => "redrive_policy",
                "VisibilityTimeout" => "visibility_timeout_seconds",
                _ => return None,
            }),
        ),
        ("AWS::SNS::Topic", "KmsMasterKeyId") => ("aws_sns_topic", Some("kms_master_key_id")),
        ("AWS::S3::Bucket", property) => (
            match property {
                "BucketEncryption" => "aws_s3_bucket_server_side_encryption_configuration",
                "VersioningConfiguration" => "aws_s3_bucket_versioning",
                "PublicAccessBlockConfiguration" => "aws_s3_bucket_public_access_block",
                "OwnershipControls" => "aws_s3_bucket_ownership_controls",
                "LoggingConfiguration" => "aws_s3_bucket_logging",
                _ => return None,
            },
            None,
        ),
        ("AWS::Logs::LogGroup", "KmsKeyId") => ("aws_cloudwatch_log_group", Some("kms_key_id")),
        ("AWS::Logs::LogGroup", "RetentionInDays") => {
            ("aws_cloudwatch_log_group", Some("retention_in_days"))
        }
        ("AWS::SecretsManager::Secret", "KmsKeyId") => {
            ("aws_secretsmanager_secret", Some("kms_key_id"))
        }
        ("AWS::S3::BucketPolicy", "PolicyDocument") => ("aws_s3_bucket_policy", Some("policy")),
        ("AWS::SQS::QueuePolicy", "PolicyDocument") => ("aws_sqs_queue_policy", Some("policy")),
        ("AWS::SNS::TopicPolicy", "PolicyDocument") => ("aws_sns_topic_policy", Some("policy")),
        ("AWS::ApiGatewayV2::Route", property) => (
            "aws_apigatewayv2_route",
            Some(match property {
                "AuthorizationType" => "authorization_type",
                "AuthorizerId" => "authorizer_id",
                "AuthorizationScopes" => "authorization_scopes",
                _ => return None,
            }),
        ),
        ("AWS::ApiGatewayV2::Stage", property) => (
            "aws_apigatewayv2_stage",
            Some(match property {
                "DefaultRouteSettings" => "default_route_settings",
                "RouteSettings" => "route_settings",
                "AccessLogSettings" => "access_log_settings",
                _ => return None,
            }),
        ),
        ("AWS::ApiGatewayV2::Api", "CorsConfiguration") => {
            ("aws_apigatewayv2_api", Some("cors_configuration"))
        }
        _ => return None,
    };
    Some(found)
}

/// The main Terraform type of a CloudFormation type the plan emits.
fn terraform_type(cfn_type: &str) -> Option<&'static str> {
    Some(match cfn_type {
        "AWS::DynamoDB::Table" => "aws_dynamodb_table",
        "AWS::S3::Bucket" => "aws_s3_bucket",
        "AWS::SecretsManager::Secret" => "aws_secretsmanager_secret",
        "AWS::KMS::Key" => "aws_kms_key",
        "AWS::SQS::Queue" => "aws_sqs_queue",
        "AWS::Logs::LogGroup" => "aws_cloudwatch_log_group",
        _ => return None,
    })
}

/// Diagnostics for Terraform overrides that name no generated resource or
/// undo a control.
pub fn check(plan: &Plan, overrides: &Overrides) -> Vec<Diagnostic> {
    if overrides.terraform.is_empty() {
        return Vec::new();
    }
    let Ok(addresses) = super::addresses(plan) else {
        // A name clash is reported by the build itself.
        return Vec::new();
    };
    let mut found = Vec::new();
    for (address, patch) in &overrides.terraform {
        let Some((_, resource)) = addresses.iter().find(|(a, _)| a == &address.value) else {
            let suggestion = did_you_mean(address, addresses.iter().map(|(a, _)| a.as_str()))
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    "`palisade build --target terraform` and look at the resource addresses".into()
                });
            found.push(
                Diagnostic::error(
                    Code::OverrideTarget,
                    address.loc,
                    format!(
                        "`{}` is not a Terraform resource Palisade generates",
                        address.value
                    ),
                )
                .with_suggestion(suggestion),
            );
            continue;
        };
        let Some(patch) = patch.value.as_object() else {
            found.push(Diagnostic::error(
                Code::WrongType,
                patch.loc,
                "a Terraform override is a mapping of attributes (for example `{ description: ... }`)",
            ));
            continue;
        };
        let tf_type = address.value.split('.').next().unwrap_or_default();
        for (control, key) in undone(plan, resource, tf_type, patch.keys()) {
            found.push(crate::controls::overrides::undoes(address, &key, control));
        }
    }
    found
}

/// The controls (not waived on `resource`) whose settings an override of
/// `keys` on a block of `tf_type` would change, with the key it touches.
fn undone<'k>(
    plan: &Plan,
    resource: &Resource,
    tf_type: &str,
    keys: impl Iterator<Item = &'k String> + Clone,
) -> Vec<(&'static crate::controls::ControlInfo, String)> {
    let cfn_type = crate::emit::cloudformation::resource_type(plan, resource);
    let mut found = Vec::new();
    for applied in resource.controls.iter().filter(|c| c.waived.is_none()) {
        let Some(control) = crate::controls::find(applied.control) else {
            continue;
        };
        for protected in control.protects.iter().filter(|p| p.cfn_type == cfn_type) {
            let Some((protected_type, protected_key)) =
                terraform_equivalent(protected.cfn_type, protected.cfn_property)
            else {
                continue;
            };
            if protected_type != tf_type {
                continue;
            }
            for key in keys.clone() {
                if protected_key.is_none_or(|k| k == key) {
                    found.push((control, key.clone()));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property a control protects has a Terraform home, so no
    /// override can slip past the check for want of a translation.
    #[test]
    fn every_protected_property_has_a_terraform_equivalent() {
        for control in crate::controls::CATALOG {
            for protected in control.protects {
                assert!(
                    terraform_equivalent(protected.cfn_type, protected.cfn_property).is_some(),
                    "{}: {} {}",
                    control.id,
                    protected.cfn_type,
                    protected.cfn_property
                );
            }
        }
    }
}
