//! CloudFormation for the HTTP API: translation only.

use serde_json::{Map, Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn api(&self, api: &Api) -> Value {
        let mut properties = Map::new();
        properties.insert("Name".into(), json!(api.name));
        if let Some(description) = &api.description {
            properties.insert("Description".into(), json!(description));
        }
        properties.insert("ProtocolType".into(), json!("HTTP"));
        if let Some(cors) = &api.cors {
            properties.insert(
                "CorsConfiguration".into(),
                json!({
                    "AllowOrigins": cors.origins,
                    "AllowMethods": cors.methods,
                    "AllowHeaders": cors.headers,
                    "MaxAge": cors.max_age,
                }),
            );
        }
        properties.insert("Tags".into(), self.tag_map());
        Value::Object(properties)
    }

    pub(super) fn authorizer(&self, authorizer: &Authorizer) -> Value {
        json!({
            "ApiId": self.reference(&authorizer.api),
            "Name": "jwt",
            "AuthorizerType": "JWT",
            "IdentitySource": [authorizer.identity_source],
            "JwtConfiguration": { "Issuer": authorizer.issuer, "Audience": authorizer.audience },
        })
    }

    pub(super) fn integration(&self, integration: &Integration) -> Value {
        json!({
            "ApiId": self.reference(&integration.api),
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": self.arn(&integration.function),
            "PayloadFormatVersion": "2.0",
            "TimeoutInMillis": integration.timeout_ms,
        })
    }

    pub(super) fn route(&self, route: &Route) -> Value {
        let mut properties = Map::new();
        properties.insert("ApiId".into(), self.reference(&route.api));
        properties.insert("RouteKey".into(), json!(route.key));
        properties.insert(
            "Target".into(),
            self.expr(&Expr(vec![
                Part::Lit("integrations/".into()),
                Part::Ref(route.integration.clone(), Attr::Id),
            ])),
        );
        match &route.authorizer {
            Some(authorizer) => {
                properties.insert("AuthorizationType".into(), json!("JWT"));
                properties.insert("AuthorizerId".into(), self.reference(authorizer));
                if !route.scopes.is_empty() {
                    properties.insert("AuthorizationScopes".into(), json!(route.scopes));
                }
            }
            None => {
                properties.insert("AuthorizationType".into(), json!("NONE"));
            }
        }
        Value::Object(properties)
    }

    pub(super) fn stage(&self, stage: &Stage) -> Value {
        let throttle = |t: &Throttle| json!({ "ThrottlingRateLimit": t.rate, "ThrottlingBurstLimit": t.burst, "DetailedMetricsEnabled": true });
        let mut properties = Map::new();
        properties.insert("ApiId".into(), self.reference(&stage.api));
        properties.insert("StageName".into(), json!(stage.name));
        properties.insert("AutoDeploy".into(), json!(true));
        properties.insert("DefaultRouteSettings".into(), throttle(&stage.throttle));
        if !stage.route_throttles.is_empty() {
            properties.insert(
                "RouteSettings".into(),
                Value::Object(
                    stage
                        .route_throttles
                        .iter()
                        .map(|(key, t)| (key.clone(), throttle(t)))
                        .collect(),
                ),
            );
        }
        properties.insert(
                    "AccessLogSettings".into(),
                    json!({ "DestinationArn": self.arn(&stage.access_log_group), "Format": stage.access_log_format }),
                );
        properties.insert("Tags".into(), self.tag_map());
        Value::Object(properties)
    }
}
