//! Terraform for SQS queues: translation only.

use super::hcl::Value;
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn queue(&self, out: Out<'_>, queue: &Queue) {
        let Out { body, .. } = out;
        body.attr("name", Value::str(&queue.name));
        if queue.fifo {
            body.attr("fifo_queue", Value::bool(true));
        }
        body.attr("kms_master_key_id", self.arn(&queue.key));
        body.attr(
            "kms_data_key_reuse_period_seconds",
            Value::int(queue.data_key_reuse_seconds),
        );
        body.attr(
            "message_retention_seconds",
            Value::int(queue.retention_seconds),
        );
        body.attr(
            "visibility_timeout_seconds",
            Value::int(queue.visibility_timeout),
        );
        if let Some((dlq, max_receives)) = &queue.redrive {
            body.attr(
                "redrive_policy",
                Value::Call(
                    "jsonencode",
                    vec![Value::Object(vec![
                        ("deadLetterTargetArn".into(), self.arn(dlq)),
                        ("maxReceiveCount".into(), Value::int(*max_receives)),
                    ])],
                ),
            );
        }
    }
}
