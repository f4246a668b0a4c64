//! Terraform for log groups: translation only.

use super::hcl::Value;
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn log_group(&self, out: Out<'_>, group: &LogGroup) {
        let Out { body, .. } = out;
        body.attr("name", self.value(&group.name));
        body.attr("kms_key_id", self.arn(&group.key));
        body.attr("retention_in_days", Value::int(group.retention_days));
    }
}
