//! Terraform for a REST API's clients: translation only.

use super::hcl::{Block, Value};
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn usage_plan(&self, out: Out<'_>, plan: &UsagePlan) {
        let Out { body, .. } = out;
        body.attr("name", Value::str(&plan.name));
        body.attr("description", Value::str(&plan.description));
        body.block(
            Block::new("api_stages", &[])
                .attr("api_id", self.reference(&plan.api))
                .attr("stage", self.reference(&plan.stage)),
        );
        body.block(
            Block::new("throttle_settings", &[])
                .attr("rate_limit", Value::int(plan.throttle.rate))
                .attr("burst_limit", Value::int(plan.throttle.burst)),
        );
        if let Some((limit, period)) = plan.quota {
            body.block(
                Block::new("quota_settings", &[])
                    .attr("limit", Value::int(limit))
                    .attr("period", Value::str(period)),
            );
        }
    }

    /// No `value`: API Gateway generates it (Terraform keeps it in state,
    /// marked sensitive).
    pub(super) fn api_key(&self, out: Out<'_>, key: &ApiKey) {
        let Out { body, .. } = out;
        body.attr("name", Value::str(&key.name));
        body.attr("description", Value::str(&key.description));
        body.attr("enabled", Value::bool(true));
    }

    pub(super) fn usage_plan_key(&self, out: Out<'_>, plan_key: &UsagePlanKey) {
        let Out { body, .. } = out;
        body.attr("key_id", self.reference(&plan_key.key));
        body.attr("key_type", Value::str("API_KEY"));
        body.attr("usage_plan_id", self.reference(&plan_key.plan));
    }
}
