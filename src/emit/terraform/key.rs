//! Terraform for the service key and its alias: translation only.

use super::hcl::Value;
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn key(&self, out: Out<'_>, key: &Key) {
        let Out { body, .. } = out;
        body.attr("description", Value::str(&key.description));
        body.attr("enable_key_rotation", Value::bool(key.rotation));
        body.attr("customer_master_key_spec", Value::str(key.spec));
        body.attr("key_usage", Value::str(key.usage));
        body.attr("policy", self.policy_document(&key.policy));
    }

    pub(super) fn key_alias(&self, out: Out<'_>, alias: &str, key: &str) {
        let Out { body, .. } = out;
        body.attr("name", Value::str(alias));
        body.attr("target_key_id", self.reference(key));
    }
}
