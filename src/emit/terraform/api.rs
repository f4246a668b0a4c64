//! Terraform for the HTTP API: translation only.

use super::hcl::{Block, Value};
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn api(&self, out: Out<'_>, api: &Api) {
        let Out { body, .. } = out;
        body.attr("name", Value::str(&api.name));
        if let Some(description) = &api.description {
            body.attr("description", Value::str(description));
        }
        body.attr("protocol_type", Value::str("HTTP"));
        if let Some(cors) = &api.cors {
            body.block(
                Block::new("cors_configuration", &[])
                    .attr("allow_origins", Value::strs(&cors.origins))
                    .attr("allow_methods", Value::strs(&cors.methods))
                    .attr("allow_headers", Value::strs(&cors.headers))
                    .attr("max_age", Value::int(cors.max_age)),
            );
        }
    }

    pub(super) fn authorizer(&self, out: Out<'_>, authorizer: &Authorizer) {
        let Out { body, .. } = out;
        body.attr("api_id", self.reference(&authorizer.api));
        body.attr("name", Value::str("jwt"));
        body.attr("authorizer_type", Value::str("JWT"));
        body.attr(
            "identity_sources",
            Value::strs([authorizer.identity_source.as_str()]),
        );
        body.block(
            Block::new("jwt_configuration", &[])
                .attr("issuer", Value::str(&authorizer.issuer))
                .attr("audience", Value::strs(&authorizer.audience)),
        );
    }

    pub(super) fn integration(&self, out: Out<'_>, integration: &Integration) {
        let Out { body, .. } = out;
        body.attr("api_id", self.reference(&integration.api));
        body.attr("integration_type", Value::str("AWS_PROXY"));
        body.attr("integration_uri", self.arn(&integration.function));
        body.attr("payload_format_version", Value::str("2.0"));
        body.attr("timeout_milliseconds", Value::int(integration.timeout_ms));
    }

    pub(super) fn route(&self, out: Out<'_>, route: &Route) {
        let Out { body, .. } = out;
        body.attr("api_id", self.reference(&route.api));
        body.attr("route_key", Value::str(&route.key));
        body.attr(
            "target",
            self.value(&Expr(vec![
                Part::Lit("integrations/".into()),
                Part::Ref(route.integration.clone(), Attr::Id),
            ])),
        );
        match &route.authorizer {
            Some(authorizer) => {
                body.attr("authorization_type", Value::str("JWT"));
                body.attr("authorizer_id", self.reference(authorizer));
                if !route.scopes.is_empty() {
                    body.attr("authorization_scopes", Value::strs(&route.scopes));
                }
            }
            None => body.attr("authorization_type", Value::str("NONE")),
        }
    }

    pub(super) fn stage(&self, out: Out<'_>, stage: &Stage) {
        let Out { body, .. } = out;
        body.attr("api_id", self.reference(&stage.api));
        body.attr("name", Value::str(&stage.name));
        body.attr("auto_deploy", Value::bool(true));
        let throttle = |block: Block, t: &Throttle| {
            block
                .attr("throttling_rate_limit", Value::int(t.rate))
                .attr("throttling_burst_limit", Value::int(t.burst))
                .attr("detailed_metrics_enabled", Value::bool(true))
        };
        body.block(throttle(
            Block::new("default_route_settings", &[]),
            &stage.throttle,
        ));
        for (key, t) in &stage.route_throttles {
            body.block(throttle(
                Block::new("route_settings", &[]).attr("route_key", Value::str(key)),
                t,
            ));
        }
        body.block(
            Block::new("access_log_settings", &[])
                .attr("destination_arn", self.arn(&stage.access_log_group))
                .attr("format", Value::str(&stage.access_log_format)),
        );
    }
}
