//! CloudFormation for SNS topics and subscriptions: translation only.

use serde_json::{Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn topic(&self, topic: &Topic) -> Value {
        json!({ "TopicName": topic.name, "KmsMasterKeyId": self.arn(&topic.key), "Tags": self.tags() })
    }

    pub(super) fn subscription(&self, subscription: &Subscription) -> Value {
        json!({
            "TopicArn": self.reference(&subscription.topic),
            "Protocol": subscription.protocol,
            "Endpoint": self.expr(&subscription.endpoint),
        })
    }
}
