//! Controls declare what they protect once, mostly in CloudFormation terms
//! (`controls::Protected`); this module translates those properties into the
//! Terraform attributes, blocks or companion resources that carry them, so
//! the final Terraform is checked for the same settings.

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
        ("AWS::SecretsManager::RotationSchedule", property) => (
            "aws_secretsmanager_secret_rotation",
            Some(match property {
                "SecretId" => "secret_id",
                "RotationLambdaARN" => "rotation_lambda_arn",
                "RotationRules" => "rotation_rules",
                _ => return None,
            }),
        ),
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
        ("AWS::ApiGateway::UsagePlan", property) => (
            "aws_api_gateway_usage_plan",
            Some(match property {
                "Throttle" => "throttle_settings",
                "Quota" => "quota_settings",
                "ApiStages" => "api_stages",
                _ => return None,
            }),
        ),
        ("AWS::ApiGateway::ApiKey", "Value") => ("aws_api_gateway_api_key", Some("value")),
        ("AWS::ApiGateway::UsagePlanKey", property) => (
            "aws_api_gateway_usage_plan_key",
            Some(match property {
                "KeyId" => "key_id",
                "UsagePlanId" => "usage_plan_id",
                _ => return None,
            }),
        ),
        ("AWS::ApiGateway::Method", "ApiKeyRequired") => {
            ("aws_api_gateway_method", Some("api_key_required"))
        }
        ("AWS::WAFv2::WebACL", property) => (
            "aws_wafv2_web_acl",
            Some(match property {
                "Rules" => "rule",
                "DefaultAction" => "default_action",
                "Scope" => "scope",
                _ => return None,
            }),
        ),
        ("AWS::WAFv2::WebACLAssociation", property) => (
            "aws_wafv2_web_acl_association",
            Some(match property {
                "ResourceArn" => "resource_arn",
                "WebACLArn" => "web_acl_arn",
                _ => return None,
            }),
        ),
        ("AWS::WAFv2::LoggingConfiguration", property) => (
            "aws_wafv2_web_acl_logging_configuration",
            Some(match property {
                "ResourceArn" => "resource_arn",
                "LogDestinationConfigs" => "log_destination_configs",
                "RedactedFields" => "redacted_fields",
                _ => return None,
            }),
        ),
        ("AWS::ApiGatewayV2::Api", "CorsConfiguration") => {
            ("aws_apigatewayv2_api", Some("cors_configuration"))
        }
        ("AWS::ApiGateway::GatewayResponse", crate::catalog::EVERY_SETTING) => {
            ("aws_api_gateway_gateway_response", None)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property a control protects has a Terraform home, so no
    /// override can slip past the check for want of a translation.
    #[test]
    fn every_protected_property_has_a_terraform_equivalent() {
        for control in crate::controls::CATALOG.iter() {
            // Artifact controls name both targets' settings themselves.
            if crate::controls::ids::ARTIFACT_CONTROLS.contains(&control.id) {
                continue;
            }
            for protected in control
                .protects
                .iter()
                .filter(|p| p.target == crate::controls::Target::CloudFormation)
            {
                assert!(
                    terraform_equivalent(protected.resource_type, protected.property).is_some(),
                    "{}: {} {}",
                    control.id,
                    protected.resource_type,
                    protected.property
                );
            }
        }
    }
}
