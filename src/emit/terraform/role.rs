//! Terraform for IAM roles: translation only.

use super::hcl::Value;
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn role(&self, out: Out<'_>, role: &Role) {
        let Out {
            resource,
            name,
            body,
            extra,
        } = out;
        body.attr("description", Value::str(&role.description));
        body.attr("assume_role_policy", self.policy_document(&role.trust));
        if let Some(seconds) = role.max_session_seconds {
            body.attr("max_session_duration", Value::int(seconds));
        }
        // CloudFormation's inline `Policies` entry.
        extra.push(
            self.resource("aws_iam_role_policy", name)
                .attr("name", Value::str("palisade"))
                .attr(
                    "role",
                    Value::raw(format!("{}.id", self.address(&resource.id))),
                )
                .attr("policy", self.policy_document(&role.policy)),
        );
    }
}
