//! CloudFormation for the service key and its alias: translation only.

use serde_json::{Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn key(&self, key: &Key) -> Value {
        json!({
            "Description": key.description,
            "EnableKeyRotation": key.rotation,
            "KeySpec": key.spec,
            "KeyUsage": key.usage,
            "KeyPolicy": self.policy_document(&key.policy),
            "Tags": self.tags(),
        })
    }

    pub(super) fn key_alias(&self, name: &str, key: &str) -> Value {
        json!({ "AliasName": name, "TargetKeyId": self.reference(key) })
    }
}
