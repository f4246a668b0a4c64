//! Terraform for the REST API: translation only.

use super::hcl::{Block, Value};
use super::{Emitter, Out};
use crate::plan::logical_id;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn rest_api(&self, out: Out<'_>, api: &RestApi) {
        let Out { body, .. } = out;
        body.attr("name", Value::str(&api.name));
        if let Some(description) = &api.description {
            body.attr("description", Value::str(description));
        }
        body.block(
            Block::new("endpoint_configuration", &[]).attr("types", Value::strs(["REGIONAL"])),
        );
        // Nothing replaces it today; if a provider change ever does, the
        // stage's new API exists before the old one goes.
        body.block(Block::new("lifecycle", &[]).attr("create_before_destroy", Value::bool(true)));
    }

    /// The parent resource, or the API's root.
    fn rest_parent(&self, api: &str, parent: Option<&Id>) -> Value {
        match parent {
            Some(parent) => self.reference(parent),
            None => self.value(&Expr::attr(api, Attr::RootResourceId)),
        }
    }

    pub(super) fn rest_resource(&self, out: Out<'_>, resource: &RestResource) {
        let Out { body, .. } = out;
        body.attr("rest_api_id", self.reference(&resource.api));
        body.attr(
            "parent_id",
            self.rest_parent(&resource.api, resource.parent.as_ref()),
        );
        body.attr("path_part", Value::str(&resource.path_part));
    }

    /// The method and, as its own resource, its Lambda proxy integration.
    pub(super) fn rest_method(&self, out: Out<'_>, method: &RestMethod) {
        let Out {
            resource,
            name,
            body,
            extra,
        } = out;
        let api = self.reference(&method.api);
        let resource_id = self.rest_parent(&method.api, method.resource.as_ref());
        body.attr("rest_api_id", api.clone());
        body.attr("resource_id", resource_id.clone());
        body.attr("http_method", Value::str(&method.http_method));
        if method.api_key_required {
            body.attr("api_key_required", Value::bool(true));
        }
        match &method.authorizer {
            Some(authorizer) => {
                body.attr("authorization", Value::str("CUSTOM"));
                body.attr("authorizer_id", self.reference(authorizer));
                // No `authorization_scopes`: API Gateway refuses them unless
                // the authorization is COGNITO_USER_POOLS; the authorizer
                // function enforces each route's scopes (its `config.json`).
            }
            None => body.attr("authorization", Value::str("NONE")),
        }
        extra.push(
            self.resource("aws_api_gateway_integration", name)
                .attr("rest_api_id", api)
                .attr("resource_id", resource_id)
                .attr(
                    "http_method",
                    Value::raw(format!("{}.http_method", self.address(&resource.id))),
                )
                .attr("type", Value::str("AWS_PROXY"))
                .attr("integration_http_method", Value::str("POST"))
                .attr("uri", self.value(&method.integration_uri()))
                .attr("timeout_milliseconds", Value::int(method.timeout_ms)),
        );
    }

    /// The preflight: `OPTIONS` answered by API Gateway's mock integration,
    /// its method and integration responses resources of their own.
    pub(super) fn rest_preflight(&self, out: Out<'_>, preflight: &RestPreflight) {
        let Out {
            resource,
            name,
            body,
            extra,
        } = out;
        let api = self.reference(&preflight.api);
        let resource_id = self.rest_parent(&preflight.api, preflight.resource.as_ref());
        let http_method = Value::raw(format!("{}.http_method", self.address(&resource.id)));
        let header = |name: &str| format!("method.response.header.{name}");
        body.attr("rest_api_id", api.clone());
        body.attr("resource_id", resource_id.clone());
        body.attr("http_method", Value::str("OPTIONS"));
        body.attr("authorization", Value::str("NONE"));
        body.attr("api_key_required", Value::bool(false));
        extra.push(
            self.resource("aws_api_gateway_integration", name)
                .attr("rest_api_id", api.clone())
                .attr("resource_id", resource_id.clone())
                .attr("http_method", http_method.clone())
                .attr("type", Value::str("MOCK"))
                .attr(
                    "request_templates",
                    Value::Object(vec![(
                        "application/json".into(),
                        Value::str(format!("{{\"statusCode\": {}}}", RestPreflight::STATUS)),
                    )]),
                ),
        );
        extra.push(
            self.resource("aws_api_gateway_method_response", name)
                .attr("rest_api_id", api.clone())
                .attr("resource_id", resource_id.clone())
                .attr("http_method", http_method.clone())
                .attr("status_code", Value::str(RestPreflight::STATUS))
                .attr(
                    "response_parameters",
                    Value::Object(
                        preflight
                            .header_names()
                            .into_iter()
                            .map(|n| (header(n), Value::bool(false)))
                            .collect(),
                    ),
                ),
        );
        let mut response = self
            .resource("aws_api_gateway_integration_response", name)
            .attr("rest_api_id", api)
            .attr("resource_id", resource_id)
            .attr("http_method", http_method)
            .attr(
                "status_code",
                Value::raw(format!(
                    "aws_api_gateway_method_response.{name}.status_code"
                )),
            )
            .attr(
                "response_parameters",
                Value::Object(
                    preflight
                        .headers
                        .iter()
                        .map(|(n, v)| (header(n), Value::str(v)))
                        .collect(),
                ),
            );
        if let Some(template) = &preflight.origin_template {
            response = response.attr(
                "response_templates",
                Value::Object(vec![("application/json".into(), Value::str(template))]),
            );
        }
        // The response belongs to the integration, which must exist first.
        extra.push(response.attr(
            "depends_on",
            Value::List(vec![Value::raw(format!(
                "aws_api_gateway_integration.{name}"
            ))]),
        ));
    }

    pub(super) fn rest_gateway_response(&self, out: Out<'_>, response: &RestGatewayResponse) {
        let Out { body, .. } = out;
        body.attr("rest_api_id", self.reference(&response.api));
        body.attr("response_type", Value::str(response.response_type));
        body.attr(
            "response_parameters",
            Value::Object(
                response
                    .headers
                    .iter()
                    .map(|(n, v)| (format!("gatewayresponse.header.{n}"), Value::str(v)))
                    .collect(),
            ),
        );
    }

    pub(super) fn rest_authorizer(&self, out: Out<'_>, authorizer: &RestAuthorizer) {
        let Out { body, .. } = out;
        body.attr("name", Value::str("jwt"));
        body.attr("rest_api_id", self.reference(&authorizer.api));
        body.attr("type", Value::str("TOKEN"));
        body.attr("authorizer_uri", self.value(&authorizer.uri()));
        body.attr("identity_source", Value::str(&authorizer.identity_source));
        body.attr(
            "identity_validation_expression",
            Value::str(&authorizer.validation_expression),
        );
        body.attr(
            "authorizer_result_ttl_in_seconds",
            Value::int(authorizer.result_ttl),
        );
    }

    /// The deployment waits for the methods' integrations too (here they
    /// are resources of their own), and a new revision replaces it before
    /// the old one goes, so the stage always has one.
    pub(super) fn rest_deployment(&self, out: Out<'_>, deployment: &RestDeployment) {
        let Out { resource, body, .. } = out;
        body.attr("rest_api_id", self.reference(&deployment.api));
        body.attr(
            "description",
            Value::str(format!("revision {}", deployment.revision)),
        );
        body.attr(
            "triggers",
            Value::Object(vec![("revision".into(), Value::str(&deployment.revision))]),
        );
        let integrations: Vec<Value> = resource
            .depends_on
            .iter()
            .flat_map(|id| {
                let name = &self.names[id.as_str()];
                let kind = self.kinds.get(id.as_str());
                let mut found = Vec::new();
                if matches!(kind, Some(Kind::RestMethod(_) | Kind::RestPreflight(_))) {
                    found.push(format!("aws_api_gateway_integration.{name}"));
                }
                // A mock answers only once its integration response exists.
                if matches!(kind, Some(Kind::RestPreflight(_))) {
                    found.push(format!("aws_api_gateway_integration_response.{name}"));
                }
                found
            })
            .map(Value::raw)
            .collect();
        if !integrations.is_empty() {
            body.attr("depends_on", Value::List(integrations));
        }
        body.block(Block::new("lifecycle", &[]).attr("create_before_destroy", Value::bool(true)));
    }

    /// The stage and, as their own resources, its method settings.
    pub(super) fn rest_stage(&self, out: Out<'_>, stage: &RestStage) {
        let Out {
            resource,
            name,
            body,
            extra,
        } = out;
        let api = self.reference(&stage.api);
        body.attr("rest_api_id", api.clone());
        body.attr("deployment_id", self.reference(&stage.deployment));
        body.attr("stage_name", Value::str(&stage.name));
        body.attr("xray_tracing_enabled", Value::bool(stage.tracing));
        body.block(
            Block::new("access_log_settings", &[])
                .attr("destination_arn", self.arn(&stage.access_log_group))
                .attr("format", Value::str(&stage.access_log_format)),
        );
        for (path, method, t) in stage.method_settings() {
            // `*/*` for all; `orders/{id}/GET` for one method.
            let (companion, method_path) = if path == "/*" {
                (name.to_string(), "*/*".to_string())
            } else {
                (
                    logical_id::companion(name, &logical_id::route_stem(&method, &path)),
                    format!("{}/{method}", path.trim_start_matches('/')),
                )
            };
            extra.push(
                self.resource("aws_api_gateway_method_settings", &companion)
                    .attr("rest_api_id", api.clone())
                    .attr(
                        "stage_name",
                        Value::raw(format!("{}.stage_name", self.address(&resource.id))),
                    )
                    .attr("method_path", Value::str(method_path))
                    .block(
                        Block::new("settings", &[])
                            .attr("throttling_rate_limit", Value::int(t.rate))
                            .attr("throttling_burst_limit", Value::int(t.burst))
                            .attr("metrics_enabled", Value::bool(true)),
                    ),
            );
        }
    }
}
