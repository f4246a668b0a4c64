//! Which setting changes replace a resource (delete and recreate it, losing
//! whatever it stores), per target, and which resources hold data. One place,
//! from CloudFormation's "Update requires: Replacement" and the AWS
//! provider's `ForceNew` arguments ("Forces new resource" in its docs).

use super::Target;

/// `(resource type, top-level property)` pairs whose change replaces the resource.
pub const CLOUDFORMATION: &[(&str, &[&str])] = &[
    ("AWS::DynamoDB::Table", &["TableName", "KeySchema"]),
    ("AWS::S3::Bucket", &["BucketName"]),
    ("AWS::SQS::Queue", &["QueueName", "FifoQueue"]),
    ("AWS::SNS::Topic", &["TopicName", "FifoTopic"]),
    (
        "AWS::SNS::Subscription",
        &["Protocol", "Endpoint", "TopicArn"],
    ),
    ("AWS::Lambda::Function", &["FunctionName", "PackageType"]),
    (
        "AWS::Lambda::Permission",
        &[
            "Action",
            "FunctionName",
            "Principal",
            "SourceArn",
            "SourceAccount",
            "EventSourceToken",
            "PrincipalOrgID",
        ],
    ),
    (
        "AWS::Lambda::EventSourceMapping",
        &[
            "EventSourceArn",
            "StartingPosition",
            "StartingPositionTimestamp",
        ],
    ),
    (
        "AWS::KMS::Key",
        &["KeySpec", "KeyUsage", "MultiRegion", "Origin"],
    ),
    ("AWS::KMS::Alias", &["AliasName"]),
    ("AWS::Logs::LogGroup", &["LogGroupName"]),
    ("AWS::SecretsManager::Secret", &["Name"]),
    ("AWS::IAM::Role", &["RoleName", "Path"]),
    ("AWS::ApiGatewayV2::Api", &["ProtocolType"]),
    ("AWS::ApiGatewayV2::Stage", &["ApiId", "StageName"]),
    ("AWS::ApiGatewayV2::Route", &["ApiId"]),
    ("AWS::ApiGatewayV2::Integration", &["ApiId"]),
    ("AWS::ApiGatewayV2::Authorizer", &["ApiId"]),
    ("AWS::CloudWatch::Alarm", &["AlarmName"]),
    ("AWS::Events::Rule", &["Name", "EventBusName"]),
    ("AWS::S3::BucketPolicy", &["Bucket"]),
];

/// `(resource type, top-level argument)` pairs whose change makes Terraform
/// plan `-/+` (destroy, then create).
pub const TERRAFORM: &[(&str, &[&str])] = &[
    ("aws_dynamodb_table", &["name", "hash_key", "range_key"]),
    (
        "aws_s3_bucket",
        &["bucket", "bucket_prefix", "object_lock_enabled"],
    ),
    ("aws_sqs_queue", &["name", "name_prefix", "fifo_queue"]),
    ("aws_sns_topic", &["name", "name_prefix", "fifo_topic"]),
    (
        "aws_sns_topic_subscription",
        &["protocol", "endpoint", "topic_arn"],
    ),
    ("aws_lambda_function", &["function_name", "package_type"]),
    (
        "aws_lambda_permission",
        &[
            "action",
            "function_name",
            "principal",
            "source_arn",
            "source_account",
            "event_source_token",
            "principal_org_id",
            "qualifier",
            "statement_id",
            "statement_id_prefix",
        ],
    ),
    (
        "aws_lambda_event_source_mapping",
        &[
            "event_source_arn",
            "starting_position",
            "starting_position_timestamp",
        ],
    ),
    (
        "aws_kms_key",
        &[
            "customer_master_key_spec",
            "key_usage",
            "multi_region",
            "custom_key_store_id",
        ],
    ),
    ("aws_kms_alias", &["name", "name_prefix"]),
    ("aws_cloudwatch_log_group", &["name", "name_prefix"]),
    ("aws_secretsmanager_secret", &["name", "name_prefix"]),
    ("aws_iam_role", &["name", "name_prefix", "path"]),
    ("aws_iam_role_policy", &["name", "name_prefix", "role"]),
    ("aws_apigatewayv2_api", &["protocol_type"]),
    ("aws_apigatewayv2_stage", &["api_id", "name"]),
    ("aws_apigatewayv2_route", &["api_id"]),
    ("aws_apigatewayv2_integration", &["api_id"]),
    ("aws_apigatewayv2_authorizer", &["api_id"]),
    ("aws_cloudwatch_metric_alarm", &["alarm_name"]),
    (
        "aws_cloudwatch_event_rule",
        &["name", "name_prefix", "event_bus_name"],
    ),
    (
        "aws_cloudwatch_event_target",
        &["rule", "target_id", "event_bus_name"],
    ),
    ("aws_s3_bucket_policy", &["bucket"]),
    ("aws_sqs_queue_policy", &["queue_url"]),
    ("aws_sns_topic_policy", &["arn"]),
    ("aws_s3_bucket_versioning", &["bucket"]),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        &["bucket"],
    ),
    ("aws_s3_bucket_public_access_block", &["bucket"]),
    ("aws_s3_bucket_ownership_controls", &["bucket"]),
    ("aws_s3_bucket_lifecycle_configuration", &["bucket"]),
    ("aws_s3_bucket_logging", &["bucket"]),
    ("aws_s3_bucket_notification", &["bucket"]),
];

/// Whether changing `setting` replaces a resource of `resource_type`.
pub fn replaces(target: Target, resource_type: &str, setting: &str) -> bool {
    let table = match target {
        Target::CloudFormation => CLOUDFORMATION,
        Target::Terraform => TERRAFORM,
    };
    table
        .iter()
        .find(|(t, _)| *t == resource_type)
        .is_some_and(|(_, settings)| settings.contains(&setting))
}

/// Types that hold data, as each target calls them: removing or replacing
/// one can lose it.
pub const STATEFUL: &[(&str, &str)] = &[
    ("AWS::DynamoDB::Table", "aws_dynamodb_table"),
    ("AWS::S3::Bucket", "aws_s3_bucket"),
    ("AWS::SQS::Queue", "aws_sqs_queue"),
    ("AWS::SNS::Topic", "aws_sns_topic"),
    ("AWS::KMS::Key", "aws_kms_key"),
    ("AWS::SecretsManager::Secret", "aws_secretsmanager_secret"),
    ("AWS::Logs::LogGroup", "aws_cloudwatch_log_group"),
];

pub fn is_stateful(target: Target, resource_type: &str) -> bool {
    STATEFUL.iter().any(|(cfn, tf)| match target {
        Target::CloudFormation => *cfn == resource_type,
        Target::Terraform => *tf == resource_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_properties_replace() {
        let cfn = |t, p| replaces(Target::CloudFormation, t, p);
        assert!(cfn("AWS::DynamoDB::Table", "KeySchema"));
        assert!(cfn("AWS::SQS::Queue", "FifoQueue"));
        assert!(cfn("AWS::S3::Bucket", "BucketName"));
        assert!(cfn("AWS::KMS::Key", "KeySpec"));
        assert!(cfn("AWS::Lambda::Function", "FunctionName"));
    }

    #[test]
    fn identity_arguments_force_a_new_terraform_resource() {
        let tf = |t, p| replaces(Target::Terraform, t, p);
        assert!(tf("aws_dynamodb_table", "name"));
        assert!(tf("aws_dynamodb_table", "hash_key"));
        assert!(tf("aws_dynamodb_table", "range_key"));
        assert!(tf("aws_s3_bucket", "bucket"));
        assert!(tf("aws_s3_bucket", "bucket_prefix"));
        assert!(tf("aws_sqs_queue", "name"));
        assert!(tf("aws_sqs_queue", "fifo_queue"));
        assert!(tf("aws_sns_topic", "name"));
        assert!(tf("aws_lambda_function", "function_name"));
        assert!(tf("aws_kms_key", "customer_master_key_spec"));
        assert!(tf("aws_kms_key", "key_usage"));
        assert!(tf("aws_cloudwatch_log_group", "name"));
        assert!(tf("aws_secretsmanager_secret", "name"));
        assert!(tf("aws_iam_role", "name"));
    }

    #[test]
    fn settings_do_not_replace() {
        let cfn = |t, p| replaces(Target::CloudFormation, t, p);
        assert!(!cfn(
            "AWS::DynamoDB::Table",
            "PointInTimeRecoverySpecification"
        ));
        assert!(!cfn("AWS::Lambda::Function", "MemorySize"));
        assert!(!cfn("AWS::SQS::Queue", "VisibilityTimeout"));
        assert!(!cfn("AWS::Unknown::Thing", "Name"));
        let tf = |t, p| replaces(Target::Terraform, t, p);
        assert!(!tf("aws_dynamodb_table", "point_in_time_recovery"));
        assert!(!tf("aws_dynamodb_table", "attribute"));
        assert!(!tf("aws_lambda_function", "memory_size"));
        assert!(!tf("aws_sqs_queue", "visibility_timeout_seconds"));
        assert!(!tf("aws_kms_key", "enable_key_rotation"));
        assert!(!tf("aws_unknown_thing", "name"));
        // A CloudFormation name means nothing to Terraform, and the reverse.
        assert!(!tf("aws_s3_bucket", "BucketName"));
        assert!(!cfn("AWS::S3::Bucket", "bucket"));
    }

    #[test]
    fn every_type_is_listed_once() {
        for table in [CLOUDFORMATION, TERRAFORM] {
            let mut types: Vec<&str> = table.iter().map(|(t, _)| *t).collect();
            types.sort();
            let before = types.len();
            types.dedup();
            assert_eq!(before, types.len());
        }
    }

    #[test]
    fn stateful_types_are_the_same_kinds_on_both_targets() {
        assert!(is_stateful(Target::CloudFormation, "AWS::DynamoDB::Table"));
        assert!(is_stateful(Target::Terraform, "aws_dynamodb_table"));
        assert!(is_stateful(Target::Terraform, "aws_cloudwatch_log_group"));
        assert!(!is_stateful(Target::Terraform, "AWS::DynamoDB::Table"));
        assert!(!is_stateful(Target::Terraform, "aws_lambda_function"));
        // Every stateful type is one whose identity the replacement table knows.
        for (cfn, tf) in STATEFUL {
            assert!(CLOUDFORMATION.iter().any(|(t, _)| t == cfn), "{cfn}");
            assert!(TERRAFORM.iter().any(|(t, _)| t == tf), "{tf}");
        }
    }
}
