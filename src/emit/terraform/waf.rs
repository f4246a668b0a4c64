//! Terraform for AWS WAF: translation only.

use super::hcl::{Block, Value};
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn web_acl(&self, out: Out<'_>, acl: &WebAcl) {
        let Out { body, .. } = out;
        let visibility = |metric: &str| {
            Block::new("visibility_config", &[])
                .attr("sampled_requests_enabled", Value::bool(true))
                .attr("cloudwatch_metrics_enabled", Value::bool(true))
                .attr("metric_name", Value::str(metric))
        };
        body.attr("name", Value::str(&acl.name));
        body.attr("scope", Value::str("REGIONAL"));
        body.block(Block::new("default_action", &[]).block(Block::new("allow", &[])));
        body.block(
            Block::new("rule", &[])
                .attr("name", Value::str(WebAcl::RATE_RULE))
                .attr("priority", Value::int(0))
                .block(Block::new("action", &[]).block(Block::new("block", &[])))
                .block(
                    Block::new("statement", &[]).block(
                        Block::new("rate_based_statement", &[])
                            .attr("limit", Value::int(acl.rate_per_ip))
                            .attr("evaluation_window_sec", Value::int(acl.window))
                            .attr("aggregate_key_type", Value::str("IP")),
                    ),
                )
                .block(visibility(WebAcl::RATE_RULE)),
        );
        for (priority, name) in (1u32..).zip(&acl.managed_rules) {
            body.block(
                Block::new("rule", &[])
                    .attr("name", Value::str(name))
                    .attr("priority", Value::int(priority))
                    .block(Block::new("override_action", &[]).block(Block::new("none", &[])))
                    .block(
                        Block::new("statement", &[]).block(
                            Block::new("managed_rule_group_statement", &[])
                                .attr("name", Value::str(name))
                                .attr("vendor_name", Value::str("AWS")),
                        ),
                    )
                    .block(visibility(name)),
            );
        }
        body.block(visibility(&acl.metric));
    }

    pub(super) fn web_acl_association(&self, out: Out<'_>, association: &WebAclAssociation) {
        let Out { body, .. } = out;
        body.attr("resource_arn", self.value(&association.resource));
        body.attr("web_acl_arn", self.arn(&association.acl));
    }

    pub(super) fn web_acl_logging(&self, out: Out<'_>, logging: &WebAclLogging) {
        let Out { body, .. } = out;
        body.attr("resource_arn", self.arn(&logging.acl));
        body.attr(
            "log_destination_configs",
            Value::List(vec![self.value(&logging.destination)]),
        );
        for name in &logging.redacted_headers {
            body.block(
                Block::new("redacted_fields", &[])
                    .block(Block::new("single_header", &[]).attr("name", Value::str(name))),
            );
        }
    }
}
