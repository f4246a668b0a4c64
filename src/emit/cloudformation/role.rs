//! CloudFormation for IAM roles: translation only.

use serde_json::{Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn role(&self, role: &Role) -> Value {
        let mut properties = json!({
            "Description": role.description,
            "AssumeRolePolicyDocument": self.policy_document(&role.trust),
            "Policies": [{ "PolicyName": "palisade", "PolicyDocument": self.policy_document(&role.policy) }],
            "Tags": self.tags(),
        });
        if let Some(seconds) = role.max_session_seconds {
            properties["MaxSessionDuration"] = json!(seconds);
        }
        properties
    }
}
