//! Terraform for SNS topics and subscriptions: translation only.

use super::hcl::Value;
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn topic(&self, out: Out<'_>, topic: &Topic) {
        let Out { body, .. } = out;
        body.attr("name", Value::str(&topic.name));
        body.attr("kms_master_key_id", self.arn(&topic.key));
    }

    pub(super) fn subscription(&self, out: Out<'_>, subscription: &Subscription) {
        let Out { body, .. } = out;
        body.attr("topic_arn", self.reference(&subscription.topic));
        body.attr("protocol", Value::str(subscription.protocol));
        body.attr("endpoint", self.value(&subscription.endpoint));
    }
}
