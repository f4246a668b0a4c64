//! Which setting changes replace a resource (delete and recreate it, losing
//! whatever it stores), per target, and which resources hold data: read from
//! the kind registry (`crate::plan::kinds`), the one place each type's
//! replacing settings and statefulness are written.

use super::Target;
use crate::plan::kinds::{self, Type};

/// Whether changing `setting` replaces a resource of `resource_type`.
pub fn replaces(target: Target, resource_type: &str, setting: &str) -> bool {
    let replacing = |t: &Type| t.name == resource_type && t.replaced_by.contains(&setting);
    match target {
        Target::CloudFormation => kinds::cloudformation_types().any(replacing),
        Target::Terraform => kinds::terraform_types().any(replacing),
    }
}

/// Whether a type holds data, as the target calls it: removing or replacing
/// one can lose it. Only the kinds' primary types: a Terraform companion
/// (`aws_s3_bucket_versioning`) holds none of the bucket's objects.
pub fn is_stateful(target: Target, resource_type: &str) -> bool {
    kinds::KINDS.iter().any(|d| {
        d.holds_data
            && match target {
                Target::CloudFormation => d.cloudformation.name == resource_type,
                Target::Terraform => d.terraform.name == resource_type,
            }
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
    fn stateful_types_are_the_same_kinds_on_both_targets() {
        assert!(is_stateful(Target::CloudFormation, "AWS::DynamoDB::Table"));
        assert!(is_stateful(Target::Terraform, "aws_dynamodb_table"));
        assert!(is_stateful(Target::Terraform, "aws_cloudwatch_log_group"));
        assert!(!is_stateful(Target::Terraform, "AWS::DynamoDB::Table"));
        assert!(!is_stateful(Target::Terraform, "aws_lambda_function"));
        assert!(is_stateful(Target::CloudFormation, "AWS::SNS::Topic"));
        assert!(!is_stateful(Target::Terraform, "aws_s3_bucket_versioning"));
    }
}
