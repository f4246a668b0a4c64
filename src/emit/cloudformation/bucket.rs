//! CloudFormation for S3 buckets: translation only.

use serde_json::{Map, Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn bucket(&self, bucket: &Bucket) -> Value {
        let mut properties = Map::new();
        if let Some(name) = &bucket.name {
            properties.insert("BucketName".into(), self.expr(name));
        }
        let encryption = match &bucket.key {
            Some(key) => json!({ "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": self.arn(key) }),
            None => json!({ "SSEAlgorithm": "AES256" }),
        };
        properties.insert(
            "BucketEncryption".into(),
            json!({ "ServerSideEncryptionConfiguration": [{ "ServerSideEncryptionByDefault": encryption, "BucketKeyEnabled": bucket.key.is_some() }] }),
        );
        if bucket.versioning {
            properties.insert(
                "VersioningConfiguration".into(),
                json!({ "Status": "Enabled" }),
            );
        }
        if bucket.block_public_access {
            properties.insert(
                "PublicAccessBlockConfiguration".into(),
                json!({ "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true }),
            );
        }
        if bucket.owner_enforced {
            properties.insert(
                "OwnershipControls".into(),
                json!({ "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] }),
            );
        }
        if let Some(target) = &bucket.access_log_bucket {
            properties.insert(
                "LoggingConfiguration".into(),
                json!({ "DestinationBucketName": self.reference(target), "LogFilePrefix": bucket.access_log_prefix }),
            );
        }
        let mut rule = Map::new();
        rule.insert("Id".into(), json!("palisade-retention"));
        rule.insert("Status".into(), json!("Enabled"));
        if let Some(days) = bucket.expire_after_days {
            rule.insert("ExpirationInDays".into(), json!(days));
        }
        if bucket.versioning {
            rule.insert(
                "NoncurrentVersionExpiration".into(),
                json!({ "NoncurrentDays": bucket.noncurrent_expire_days }),
            );
        }
        rule.insert(
            "AbortIncompleteMultipartUpload".into(),
            json!({ "DaysAfterInitiation": bucket.abort_incomplete_upload_days }),
        );
        properties.insert("LifecycleConfiguration".into(), json!({ "Rules": [rule] }));
        if !bucket.notifications.is_empty() {
            let configurations: Vec<Value> = bucket
                .notifications
                .iter()
                .map(|n| {
                    let mut configuration = Map::new();
                    configuration.insert("Event".into(), json!("s3:ObjectCreated:*"));
                    let rules: Vec<Value> = [("prefix", &n.prefix), ("suffix", &n.suffix)]
                        .into_iter()
                        .filter_map(|(name, value)| {
                            value.as_ref().map(|v| json!({ "Name": name, "Value": v }))
                        })
                        .collect();
                    if !rules.is_empty() {
                        configuration
                            .insert("Filter".into(), json!({ "S3Key": { "Rules": rules } }));
                    }
                    configuration.insert("Function".into(), self.arn(&n.function));
                    Value::Object(configuration)
                })
                .collect();
            properties.insert(
                "NotificationConfiguration".into(),
                json!({ "LambdaConfigurations": configurations }),
            );
        }
        properties.insert("Tags".into(), self.tags());
        Value::Object(properties)
    }
}
