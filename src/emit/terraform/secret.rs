//! Terraform for secrets and their rotation: translation only.

use super::hcl::{Block, Value};
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn secret(&self, out: Out<'_>, secret: &Secret) {
        let Out { body, .. } = out;
        body.attr("name", Value::str(&secret.name));
        if let Some(description) = &secret.description {
            body.attr("description", Value::str(description));
        }
        body.attr("kms_key_id", self.arn(&secret.key));
    }

    pub(super) fn rotation_schedule(&self, out: Out<'_>, rotation: &RotationSchedule) {
        let Out { body, .. } = out;
        body.attr("secret_id", self.reference(&rotation.secret));
        body.attr("rotation_lambda_arn", self.arn(&rotation.function));
        body.block(
            Block::new("rotation_rules", &[])
                .attr("schedule_expression", Value::str(&rotation.schedule)),
        );
    }
}
