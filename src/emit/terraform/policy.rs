//! Terraform for resource policies: translation only.

use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn resource_policy(&self, out: Out<'_>, policy: &ResourcePolicy) {
        let Out { body, .. } = out;
        let target = match policy.on {
            PolicyOn::Queue => "queue_url",
            PolicyOn::Topic => "arn",
            PolicyOn::Bucket => "bucket",
        };
        body.attr(target, self.reference(&policy.target));
        body.attr("policy", self.policy_document(&policy.statements));
    }
}
