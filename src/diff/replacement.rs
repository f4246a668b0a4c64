//! Which property changes make CloudFormation replace a resource (delete and
//! recreate it, losing whatever it stores). One table, from the
//! CloudFormation resource reference's "Update requires: Replacement".

/// `(resource type, top-level property)` pairs whose change replaces the resource.
pub const REPLACING: &[(&str, &[&str])] = &[
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

/// Whether changing `property` replaces a resource of `resource_type`.
pub fn replaces(resource_type: &str, property: &str) -> bool {
    REPLACING
        .iter()
        .find(|(t, _)| *t == resource_type)
        .is_some_and(|(_, properties)| properties.contains(&property))
}

/// Types that hold data: removing or replacing one can lose it.
pub const STATEFUL: &[&str] = &[
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::Logs::LogGroup",
];

pub fn is_stateful(resource_type: &str) -> bool {
    STATEFUL.contains(&resource_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_properties_replace() {
        assert!(replaces("AWS::DynamoDB::Table", "KeySchema"));
        assert!(replaces("AWS::SQS::Queue", "FifoQueue"));
        assert!(replaces("AWS::S3::Bucket", "BucketName"));
        assert!(replaces("AWS::KMS::Key", "KeySpec"));
        assert!(replaces("AWS::Lambda::Function", "FunctionName"));
    }

    #[test]
    fn settings_do_not_replace() {
        assert!(!replaces(
            "AWS::DynamoDB::Table",
            "PointInTimeRecoverySpecification"
        ));
        assert!(!replaces("AWS::Lambda::Function", "MemorySize"));
        assert!(!replaces("AWS::SQS::Queue", "VisibilityTimeout"));
        assert!(!replaces("AWS::Unknown::Thing", "Name"));
    }

    #[test]
    fn every_type_is_listed_once() {
        let mut types: Vec<&str> = REPLACING.iter().map(|(t, _)| *t).collect();
        types.sort();
        let before = types.len();
        types.dedup();
        assert_eq!(before, types.len());
    }
}
