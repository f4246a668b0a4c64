//! CloudFormation for log groups: translation only.

use serde_json::{Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn log_group(&self, group: &LogGroup) -> Value {
        json!({
            "LogGroupName": self.expr(&group.name),
            "KmsKeyId": self.arn(&group.key),
            "RetentionInDays": group.retention_days,
            "Tags": self.tags(),
        })
    }
}
