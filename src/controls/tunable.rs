//! The accepted surface of `overrides:`: per resource type, the settings an
//! override may change without a waiver (PAL-OVR-001). Each is a capacity,
//! cost or text setting that no control relies on; anything else an override
//! changes in the final artifact is refused unless waived, and every control
//! is still checked on the result. `docs/overrides.md` is generated from
//! this table.

/// `(resource type, settings)`: CloudFormation properties and Terraform
/// arguments (or nested block names) that are tunable.
pub const TUNABLE: &[(&str, &[&str])] = &[
    (
        "AWS::Lambda::Function",
        &[
            "Description",
            "MemorySize",
            "Timeout",
            "EphemeralStorage",
            "Architectures",
            "SnapStart",
            "Tags",
        ],
    ),
    (
        "aws_lambda_function",
        &[
            "description",
            "memory_size",
            "timeout",
            "ephemeral_storage",
            "architectures",
            "snap_start",
            "publish",
            "tags",
        ],
    ),
    (
        "AWS::DynamoDB::Table",
        &[
            "TableClass",
            "BillingMode",
            "ProvisionedThroughput",
            "OnDemandThroughput",
            "WarmThroughput",
            "ContributorInsightsSpecification",
            "TimeToLiveSpecification",
            "Tags",
        ],
    ),
    (
        "aws_dynamodb_table",
        &[
            "table_class",
            "billing_mode",
            "read_capacity",
            "write_capacity",
            "on_demand_throughput",
            "warm_throughput",
            "ttl",
            "tags",
        ],
    ),
    (
        "AWS::SQS::Queue",
        &[
            "DelaySeconds",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds",
            "Tags",
        ],
    ),
    (
        "aws_sqs_queue",
        &[
            "delay_seconds",
            "max_message_size",
            "message_retention_seconds",
            "receive_wait_time_seconds",
            "tags",
        ],
    ),
    ("AWS::SNS::Topic", &["DisplayName", "Tags"]),
    ("aws_sns_topic", &["display_name", "tags"]),
    (
        "AWS::S3::Bucket",
        &[
            "IntelligentTieringConfigurations",
            "AccelerateConfiguration",
            "Tags",
        ],
    ),
    ("aws_s3_bucket", &["tags"]),
    ("AWS::Logs::LogGroup", &["Tags"]),
    ("aws_cloudwatch_log_group", &["tags"]),
    (
        "AWS::CloudWatch::Alarm",
        &[
            "AlarmDescription",
            "Threshold",
            "EvaluationPeriods",
            "DatapointsToAlarm",
            "Period",
            "TreatMissingData",
            "Tags",
        ],
    ),
    (
        "aws_cloudwatch_metric_alarm",
        &[
            "alarm_description",
            "threshold",
            "evaluation_periods",
            "datapoints_to_alarm",
            "period",
            "treat_missing_data",
            "tags",
        ],
    ),
    ("AWS::ApiGatewayV2::Api", &["Description", "Tags"]),
    ("aws_apigatewayv2_api", &["description", "tags"]),
    ("AWS::ApiGatewayV2::Stage", &["Description", "Tags"]),
    ("aws_apigatewayv2_stage", &["description", "tags"]),
    (
        "AWS::ApiGatewayV2::Integration",
        &["TimeoutInMillis", "Description"],
    ),
    (
        "aws_apigatewayv2_integration",
        &["timeout_milliseconds", "description"],
    ),
    ("AWS::SecretsManager::Secret", &["Description", "Tags"]),
    ("aws_secretsmanager_secret", &["description", "tags"]),
    (
        "AWS::KMS::Key",
        &["Description", "PendingWindowInDays", "Tags"],
    ),
    (
        "aws_kms_key",
        &["description", "deletion_window_in_days", "tags"],
    ),
    ("AWS::IAM::Role", &["Description", "Tags"]),
    ("aws_iam_role", &["description", "tags"]),
    ("AWS::Events::Rule", &["Description"]),
    ("aws_cloudwatch_event_rule", &["description", "tags"]),
    (
        "AWS::Lambda::EventSourceMapping",
        &[
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "ParallelizationFactor",
            "ScalingConfig",
        ],
    ),
    (
        "aws_lambda_event_source_mapping",
        &[
            "batch_size",
            "maximum_batching_window_in_seconds",
            "parallelization_factor",
            "scaling_config",
        ],
    ),
];

/// Whether an override may change `setting` on a resource of `resource_type`
/// without a waiver.
pub fn is_tunable(resource_type: &str, setting: &str) -> bool {
    TUNABLE
        .iter()
        .any(|(t, settings)| *t == resource_type && settings.contains(&setting))
}

/// The tunable settings of a type, for messages and docs.
pub fn settings(resource_type: &str) -> &'static [&'static str] {
    TUNABLE
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map_or(&[], |(_, settings)| settings)
}

/// `docs/overrides.md`: the accepted surface, generated from [`TUNABLE`].
pub fn markdown() -> String {
    let mut text = String::from(
        "<!-- generated from src/controls/tunable.rs by `palisade controls --format overrides`; do not edit -->\n\n# What `overrides:` may change\n\n\
`overrides:` patches the final CloudFormation (by logical ID) and Terraform (by address). \
Every control is verified on the result, in both targets. Without a waiver an override may \
change only the settings below (PAL-OVR-001); with `waive: { PAL-OVR-001: <reason> }` on the \
spec entry that owns the resource, it may change other settings too, but never one a control \
protects (E064 names the control) and never the structure:\n\n\
- CloudFormation: only `Properties`, `DeletionPolicy`, `UpdateReplacePolicy` and `Metadata` \
(without scanner suppressions, which come from `waive:`); not `Type`, `Condition`, `DependsOn`; \
`Properties` is a mapping whose keys are properties of the resource type (as cfn-lint's \
schemas list them, case included).\n\
- Terraform: argument and block names that the resource type has in hashicorp/aws 6.66 \
(identifiers only), not meta-arguments (`count`, `for_each`, `provider`, `lifecycle`, \
`depends_on`, `provisioner`, `connection`) and not read-only attributes.\n\n\
| resource type | tunable settings |\n|---|---|\n",
    );
    for (resource_type, settings) in TUNABLE {
        text.push_str(&format!(
            "| `{resource_type}` | {} |\n",
            settings
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    text
}
