//! CloudFormation for the REST API: translation only.

use serde_json::{Map, Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn rest_api(&self, api: &RestApi) -> Value {
        let mut properties = Map::new();
        properties.insert("Name".into(), json!(api.name));
        if let Some(description) = &api.description {
            properties.insert("Description".into(), json!(description));
        }
        properties.insert(
            "EndpointConfiguration".into(),
            json!({ "Types": ["REGIONAL"] }),
        );
        properties.insert("Tags".into(), self.tags());
        Value::Object(properties)
    }

    /// The parent resource, or the API's root.
    fn rest_parent(&self, api: &str, parent: Option<&Id>) -> Value {
        match parent {
            Some(parent) => self.reference(parent),
            None => self.expr(&Expr::attr(api, Attr::RootResourceId)),
        }
    }

    pub(super) fn rest_resource(&self, resource: &RestResource) -> Value {
        json!({
            "RestApiId": self.reference(&resource.api),
            "ParentId": self.rest_parent(&resource.api, resource.parent.as_ref()),
            "PathPart": resource.path_part,
        })
    }

    pub(super) fn rest_method(&self, method: &RestMethod) -> Value {
        let mut properties = Map::new();
        properties.insert("RestApiId".into(), self.reference(&method.api));
        properties.insert(
            "ResourceId".into(),
            self.rest_parent(&method.api, method.resource.as_ref()),
        );
        properties.insert("HttpMethod".into(), json!(method.http_method));
        if method.api_key_required {
            properties.insert("ApiKeyRequired".into(), json!(true));
        }
        match &method.authorizer {
            Some(authorizer) => {
                properties.insert("AuthorizationType".into(), json!("CUSTOM"));
                properties.insert("AuthorizerId".into(), self.reference(authorizer));
                // No `AuthorizationScopes`: API Gateway refuses them on a
                // method whose authorization type is not COGNITO_USER_POOLS
                // ("Authorization Scopes are only valid for COGNITO_USER_POOLS
                // authorization type"). The authorizer function enforces each
                // route's scopes (`config.json` in its package).
            }
            None => {
                properties.insert("AuthorizationType".into(), json!("NONE"));
            }
        }
        properties.insert(
            "Integration".into(),
            json!({
                "Type": "AWS_PROXY",
                "IntegrationHttpMethod": "POST",
                "Uri": self.expr(&method.integration_uri()),
                "TimeoutInMillis": method.timeout_ms,
            }),
        );
        Value::Object(properties)
    }

    /// The preflight: `OPTIONS` answered by API Gateway's mock integration.
    pub(super) fn rest_preflight(&self, preflight: &RestPreflight) -> Value {
        let header = |name: &str| format!("method.response.header.{name}");
        let fixed: Map<String, Value> = preflight
            .headers
            .iter()
            .map(|(name, value)| (header(name), json!(value)))
            .collect();
        let declared: Map<String, Value> = preflight
            .header_names()
            .into_iter()
            .map(|name| (header(name), json!(false)))
            .collect();
        let mut response = Map::new();
        response.insert("StatusCode".into(), json!(RestPreflight::STATUS));
        response.insert("ResponseParameters".into(), Value::Object(fixed));
        if let Some(template) = &preflight.origin_template {
            response.insert(
                "ResponseTemplates".into(),
                json!({ "application/json": template }),
            );
        }
        json!({
            "RestApiId": self.reference(&preflight.api),
            "ResourceId": self.rest_parent(&preflight.api, preflight.resource.as_ref()),
            "HttpMethod": "OPTIONS",
            "AuthorizationType": "NONE",
            "ApiKeyRequired": false,
            "Integration": {
                "Type": "MOCK",
                "RequestTemplates": { "application/json": format!("{{\"statusCode\": {}}}", RestPreflight::STATUS) },
                "IntegrationResponses": [Value::Object(response)],
            },
            "MethodResponses": [{
                "StatusCode": RestPreflight::STATUS,
                "ResponseParameters": Value::Object(declared),
            }],
        })
    }

    pub(super) fn rest_gateway_response(&self, response: &RestGatewayResponse) -> Value {
        let headers: Map<String, Value> = response
            .headers
            .iter()
            .map(|(name, value)| (format!("gatewayresponse.header.{name}"), json!(value)))
            .collect();
        json!({
            "RestApiId": self.reference(&response.api),
            "ResponseType": response.response_type,
            "ResponseParameters": Value::Object(headers),
        })
    }

    pub(super) fn rest_authorizer(&self, authorizer: &RestAuthorizer) -> Value {
        json!({
            "RestApiId": self.reference(&authorizer.api),
            "Name": "jwt",
            "Type": "TOKEN",
            "AuthorizerUri": self.expr(&authorizer.uri()),
            "IdentitySource": authorizer.identity_source,
            "IdentityValidationExpression": authorizer.validation_expression,
            "AuthorizerResultTtlInSeconds": authorizer.result_ttl,
        })
    }

    pub(super) fn rest_deployment(&self, deployment: &RestDeployment) -> Value {
        json!({
            "RestApiId": self.reference(&deployment.api),
            "Description": format!("revision {}", deployment.revision),
        })
    }

    pub(super) fn rest_stage(&self, stage: &RestStage) -> Value {
        let settings: Vec<Value> = stage
            .method_settings()
            .into_iter()
            .map(|(path, method, t)| {
                // `/orders/{id}` is written `/~1orders~1{id}`; `/*` is all.
                let path = if path == "/*" {
                    path
                } else {
                    format!("/{}", path.replace('/', "~1"))
                };
                json!({
                    "ResourcePath": path,
                    "HttpMethod": method,
                    "ThrottlingRateLimit": t.rate,
                    "ThrottlingBurstLimit": t.burst,
                    "MetricsEnabled": true,
                })
            })
            .collect();
        json!({
            "RestApiId": self.reference(&stage.api),
            "DeploymentId": self.reference(&stage.deployment),
            "StageName": stage.name,
            "TracingEnabled": stage.tracing,
            "MethodSettings": settings,
            "AccessLogSetting": {
                "DestinationArn": self.arn(&stage.access_log_group),
                "Format": stage.access_log_format,
            },
            "Tags": self.tags(),
        })
    }
}
