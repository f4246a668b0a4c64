//! CloudFormation for SQS queues: translation only.

use serde_json::{Map, Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn queue(&self, queue: &Queue) -> Value {
        let mut properties = Map::new();
        properties.insert("QueueName".into(), json!(queue.name));
        if queue.fifo {
            properties.insert("FifoQueue".into(), json!(true));
        }
        properties.insert("KmsMasterKeyId".into(), self.arn(&queue.key));
        properties.insert(
            "KmsDataKeyReusePeriodSeconds".into(),
            json!(queue.data_key_reuse_seconds),
        );
        properties.insert(
            "MessageRetentionPeriod".into(),
            json!(queue.retention_seconds),
        );
        properties.insert("VisibilityTimeout".into(), json!(queue.visibility_timeout));
        if let Some((dlq, max_receives)) = &queue.redrive {
            properties.insert(
                "RedrivePolicy".into(),
                json!({ "deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": max_receives }),
            );
        }
        properties.insert("Tags".into(), self.tags());
        Value::Object(properties)
    }
}
