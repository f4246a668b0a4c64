//! The REST API (`api.type: rest`): resources by path, one method per
//! route with its Cognito authorizer and scopes, a deployment of exactly
//! these methods, and a throttled, traced, access-logged stage.

use sha2::{Digest, Sha256};

use super::*;
use crate::plan::logical_id::{
    REST_API, REST_API_5XX_ALARM, REST_API_ACCESS_LOGS, REST_API_AUTHORIZER, REST_API_STAGE,
};

/// What a REST API's access log records: the HTTP API's fields in REST
/// terms, plus the API key's ID (never the key) and what WAF decided.
pub const REST_ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId","requestTime":"$context.requestTime","sourceIp":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","principal":"$context.authorizer.claims.sub","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency","integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error","apiKeyId":"$context.identity.apiKeyId","wafResponse":"$context.wafResponseCode"}"#;

impl Builder<'_> {
    pub(super) fn rest_api(&mut self) {
        let Some(api) = &self.spec.api else { return };
        if api.routes.is_empty() || api.api_type() != spec::ApiType::Rest {
            return;
        }
        let service = self.spec.service.value.clone();
        let loc = api.routes.keys().next().map(|k| k.loc).unwrap_or_default();
        let rest_api = self.add(
            REST_API.into(),
            None,
            loc,
            Kind::RestApi(RestApi {
                name: service.clone(),
                description: self.spec.description.as_ref().map(|d| d.value.clone()),
            }),
        );
        rest_api.controls = vec![
            applied(API_THROTTLING, None),
            applied(API_ACCESS_LOGS, None),
        ];
        let authorizer = api.auth.as_ref().map(|auth| {
            let issuer = auth.jwt.issuer.value.clone();
            // Validation accepts only Cognito issuers for a REST API.
            let (region, pool) = spec::cognito_user_pool(&issuer)
                .map_or((String::new(), String::new()), |(r, p)| {
                    (r.into(), p.into())
                });
            let resource = self.add(
                REST_API_AUTHORIZER.into(),
                None,
                auth.jwt.loc,
                Kind::RestAuthorizer(RestAuthorizer {
                    api: REST_API.into(),
                    issuer,
                    // The pool is the issuer's, in its region, in this account.
                    user_pools: vec![Expr(vec![
                        Part::Lit("arn:".into()),
                        Part::Partition,
                        Part::Lit(format!(":cognito-idp:{region}:")),
                        Part::Account,
                        Part::Lit(format!(":userpool/{pool}")),
                    ])],
                    identity_source: "method.request.header.Authorization".into(),
                }),
            );
            resource.controls.push(applied(API_AUTHORIZER, None));
            REST_API_AUTHORIZER.to_string()
        });
        let scopes_waiver = waiver(&api.waive, API_SCOPES);
        let mut resources: BTreeSet<String> = BTreeSet::new();
        let mut methods: Vec<Id> = Vec::new();
        let mut method_throttles = Vec::new();
        let mut digest = Sha256::new();
        for (key, route) in &api.routes {
            let Some((method, path)) = key.split_once(' ') else {
                continue;
            };
            let resource = self.rest_resources(path, loc, &mut resources);
            let stem = logical_id::route_stem(method, path);
            let function_id = self.of(&route.function, "Function");
            let timeout = self
                .spec
                .functions
                .get(route.function.as_str())
                .and_then(|f| f.timeout.as_ref())
                .map_or(spec::DEFAULT_TIMEOUT, |t| t.value);
            let public_reason = route.public.as_ref().map(|p| p.value.clone());
            let method_id = logical_id::part(&stem, "Method");
            let rest_method = RestMethod {
                api: REST_API.into(),
                resource,
                http_method: method.to_string(),
                key: key.value.clone(),
                function: function_id.clone(),
                timeout_ms: (timeout * 1000).min(29_000),
                authorizer: if public_reason.is_some() {
                    None
                } else {
                    authorizer.clone()
                },
                scopes: route.scopes.iter().map(|s| s.value.clone()).collect(),
                public_reason: public_reason.clone(),
                // A usage plan limits only requests that present its key.
                api_key_required: !api.clients.is_empty() && route.public.is_none(),
            };
            digest.update(format!("{rest_method:?}\n"));
            let added = self.add(
                method_id.clone(),
                None,
                key.loc,
                Kind::RestMethod(rest_method),
            );
            added.controls.push(applied(
                API_AUTHORIZER,
                public_reason.map(|r| format!("public: {r}")),
            ));
            if route.public.is_none() && !api.clients.is_empty() {
                added.controls.push(applied(API_CLIENT_LIMITS, None));
            }
            if route.public.is_none() {
                added.controls.push(applied(
                    API_SCOPES,
                    if route.scopes.is_empty() {
                        scopes_waiver.clone()
                    } else {
                        None
                    },
                ));
            }
            methods.push(method_id);
            if let Some(throttle) = route.throttle {
                method_throttles.push((
                    path.to_string(),
                    method.to_string(),
                    Throttle {
                        rate: throttle.rate,
                        burst: throttle.burst,
                    },
                ));
            }
            // REST APIs name the invoked path in the source ARN with path
            // parameters as wildcards.
            let arn_method = if method == "ANY" { "*" } else { method };
            let arn_path: Vec<&str> = path
                .split('/')
                .map(|s| if s.starts_with('{') { "*" } else { s })
                .collect();
            let source_arn = Expr::arn_in_account(
                "execute-api",
                vec![
                    Part::Ref(REST_API.into(), Attr::Id),
                    Part::Lit(format!("/*/{arn_method}{}", arn_path.join("/"))),
                ],
            );
            self.permission(
                logical_id::part(&stem, "Permission"),
                &route.function,
                key.loc,
                &function_id,
                "apigateway.amazonaws.com",
                source_arn,
            );
        }
        if let Some(auth) = &api.auth {
            digest.update(format!("{}\n", auth.jwt.issuer.value));
        }
        let revision: String = digest
            .finalize()
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        let deployment_id = logical_id::rest_deployment(&revision);
        let deployment = self.add(
            deployment_id.clone(),
            None,
            loc,
            Kind::RestDeployment(RestDeployment {
                api: REST_API.into(),
                revision,
            }),
        );
        // A deployment snapshots the methods that exist when it is made.
        deployment.depends_on = methods;

        self.access_log_group(
            REST_API_ACCESS_LOGS,
            format!("/aws/apigateway/{service}/rest-access"),
            loc,
        );
        let throttle = api.throttle.unwrap_or(spec::DEFAULT_THROTTLE);
        let stage = self.add(
            REST_API_STAGE.into(),
            None,
            loc,
            Kind::RestStage(RestStage {
                api: REST_API.into(),
                deployment: deployment_id,
                name: spec::REST_STAGE.into(),
                throttle: Throttle {
                    rate: throttle.rate,
                    burst: throttle.burst,
                },
                method_throttles,
                tracing: true,
                access_log_group: REST_API_ACCESS_LOGS.into(),
                access_log_format: REST_ACCESS_LOG_FORMAT.into(),
            }),
        );
        stage.controls = vec![
            applied(API_THROTTLING, None),
            applied(API_ACCESS_LOGS, None),
        ];
        if let Some(reason) = waiver(&api.waive, MON_API_ALARM) {
            if let Some(rest_api) = self.plan.resources.iter_mut().find(|r| r.id == REST_API) {
                rest_api.controls.push(applied(MON_API_ALARM, Some(reason)));
            }
        } else {
            self.alarm(
                REST_API_5XX_ALARM.into(),
                format!("{service}: the API answered with server errors"),
                super::alarm::Watched {
                    namespace: "AWS/ApiGateway",
                    metric: "5XXError",
                    dimensions: vec![
                        ("ApiName", Expr::lit(&service)),
                        ("Stage", Expr::lit(spec::REST_STAGE)),
                    ],
                    statistic: "Sum",
                },
                MON_API_ALARM,
            );
        }
        let url = Expr(vec![
            Part::Lit("https://".into()),
            Part::Ref(REST_API.into(), Attr::Id),
            Part::Lit(".execute-api.".into()),
            Part::Region,
            Part::Lit(".".into()),
            Part::UrlSuffix,
            Part::Lit(format!("/{}/", spec::REST_STAGE)),
        ]);
        self.output(API_URL.into(), "Base URL of the REST API".into(), url);
    }

    /// The resources of a path, each under its parent, made once however
    /// many routes share them; the last one's ID (`None` for `/`).
    fn rest_resources(&mut self, path: &str, loc: Loc, made: &mut BTreeSet<String>) -> Option<Id> {
        let mut parent: Option<Id> = None;
        let mut prefix = String::new();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            prefix.push('/');
            prefix.push_str(segment);
            let id = logical_id::rest_resource(&prefix);
            if made.insert(id.clone()) {
                self.add(
                    id.clone(),
                    None,
                    loc,
                    Kind::RestResource(RestResource {
                        api: REST_API.into(),
                        parent: parent.clone(),
                        path_part: segment.to_string(),
                    }),
                );
            }
            parent = Some(id);
        }
        parent
    }
}
