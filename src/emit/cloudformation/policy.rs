//! CloudFormation for resource policies: translation only.

use serde_json::{Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn resource_policy(&self, policy: &ResourcePolicy) -> Value {
        let document = self.policy_document(&policy.statements);
        let target = self.reference(&policy.target);
        match policy.on {
            PolicyOn::Queue => json!({ "Queues": [target], "PolicyDocument": document }),
            PolicyOn::Topic => json!({ "Topics": [target], "PolicyDocument": document }),
            PolicyOn::Bucket => json!({ "Bucket": target, "PolicyDocument": document }),
        }
    }
}
