//! The REST API (`api.type: rest`): resources by path, one method per
//! route behind Palisade's JWT authorizer function, a deployment of exactly
//! these methods, and a throttled, traced, access-logged stage.

use sha2::{Digest, Sha256};

use super::*;
use crate::plan::logical_id::{
    REST_API, REST_API_5XX_ALARM, REST_API_ACCESS_LOGS, REST_API_AUTHORIZER,
    REST_API_AUTHORIZER_PERMISSION, REST_API_CORS_4XX, REST_API_CORS_5XX, REST_API_STAGE,
};

/// What a REST API's access log records: the HTTP API's fields in REST
/// terms, plus the API key's ID (never the key) and what WAF decided.
pub const REST_ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId","requestTime":"$context.requestTime","sourceIp":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","principal":"$context.authorizer.principalId","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency","integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error","apiKeyId":"$context.identity.apiKeyId","wafResponse":"$context.wafResponseCode"}"#;

impl Builder<'_> {
    pub(super) fn rest_api(&mut self, packages: &Packages) {
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
        let authorizer = api
            .auth
            .as_ref()
            .map(|auth| self.rest_authorizer(auth, packages));
        let scopes_waiver = waiver(&api.waive, API_SCOPES);
        let mut resources: BTreeSet<String> = BTreeSet::new();
        let mut methods: Vec<Id> = Vec::new();
        let mut method_throttles = Vec::new();
        let mut digest = Sha256::new();
        let mut routed_resources: BTreeSet<Option<Id>> = BTreeSet::new();
        for (key, route) in &api.routes {
            let Some((method, path)) = key.split_once(' ') else {
                continue;
            };
            let resource = self.rest_resources(path, loc, &mut resources);
            routed_resources.insert(resource.clone());
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
            let (arn_method, arn_path) = arn_route(method, path);
            let source_arn = Expr::arn_in_account(
                "execute-api",
                vec![
                    Part::Ref(REST_API.into(), Attr::Id),
                    Part::Lit(format!("/*/{arn_method}{arn_path}")),
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
        if let Some(cors) = super::api::cors(api) {
            let preflights = self.rest_cors(&cors, !api.clients.is_empty(), &routed_resources, loc);
            for id in &preflights {
                if let Some(Kind::RestPreflight(p)) = self.plan.get(id).map(|r| &r.kind) {
                    digest.update(format!("{id}{p:?}\n"));
                }
            }
            methods.extend(preflights);
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

    /// The JWT authorizer: Palisade's function (an ordinary function of
    /// the plan, so every function control applies to it), the REST
    /// authorizer that invokes it, and API Gateway's permission to, from
    /// this authorizer only. Returns the authorizer's ID.
    fn rest_authorizer(&mut self, auth: &spec::Auth, packages: &Packages) -> Id {
        let jwt = &auth.jwt;
        // Settings Palisade chooses, written on no line of the spec.
        fn at<T>(value: T) -> spec::Spanned<T> {
            spec::Spanned::synthetic(value)
        }
        let routed: BTreeSet<&str> = self
            .spec
            .api
            .iter()
            .flat_map(|api| api.routes.values())
            .map(|route| route.function.value.as_str())
            .collect();
        // As many at once as the busiest function it guards may run.
        let concurrency = routed
            .iter()
            .filter_map(|name| self.spec.functions.get(*name))
            .map(|f| {
                f.concurrency
                    .as_ref()
                    .map_or(spec::DEFAULT_CONCURRENCY, |c| c.value)
            })
            .max()
            .unwrap_or(spec::DEFAULT_CONCURRENCY);
        let mut waive = spec::Waivers::new();
        waive.insert(
            at(FN_ASYNC_DLQ.to_string()),
            at("API Gateway invokes the authorizer synchronously only: a failure is the caller's 401, there is no asynchronous invocation to retry".to_string()),
        );
        waive.insert(
            at(MON_FUNCTION_ALARMS.to_string()),
            at("API Gateway's contract makes every rejected token (an expired one included) a function error, so an errors alarm would page on routine 401s; the authorizer failing or being throttled is a 500 of the API, which the API's 5XX alarm watches".to_string()),
        );
        let function = spec::Function {
            renamed_from: None,
            // The issuer is in the environment: a description holds 256 characters.
            description: Some(at(
                "Verifies the JWTs of the REST API's callers (generated by palisade)".to_string(),
            )),
            handler: at("index.handler".into()),
            runtime: Some(at(spec::AUTHORIZER_RUNTIME.into())),
            architecture: Some(at(spec::Architecture::Arm64)),
            memory: None,
            timeout: None,
            concurrency: Some(at(concurrency)),
            // Who is trusted, where `diff` and reviewers see it (the routes'
            // scopes are on the methods too); the routes are in its package.
            environment: [
                (AUTHORIZER_ISSUER_VARIABLE, jwt.issuer.value.clone()),
                (
                    AUTHORIZER_AUDIENCE_VARIABLE,
                    serde_json::json!(
                        jwt.audience
                            .iter()
                            .map(|a| a.value.as_str())
                            .collect::<Vec<_>>()
                    )
                    .to_string(),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (at(k.to_string()), at(v)))
            .collect(),
            access: BTreeMap::new(),
            events: Vec::new(),
            waive,
        };
        let name = spec::Spanned {
            value: spec::AUTHORIZER_FUNCTION.to_string(),
            loc: jwt.loc,
        };
        self.function(&name, &function, packages.get(spec::AUTHORIZER_FUNCTION));
        let function_id = self.of(&name, "Function");
        let authorizer = self.add(
            REST_API_AUTHORIZER.into(),
            None,
            jwt.loc,
            Kind::RestAuthorizer(RestAuthorizer {
                api: REST_API.into(),
                issuer: jwt.issuer.value.clone(),
                audience: jwt.audience.iter().map(|a| a.value.clone()).collect(),
                function: function_id.clone(),
                identity_source: "method.request.header.Authorization".into(),
                validation_expression: BEARER_JWT.into(),
                result_ttl: spec::AUTHORIZER_CACHE_SECONDS,
            }),
        );
        authorizer.controls.push(applied(API_AUTHORIZER, None));
        // `.../<api>/authorizers/<id>`: this authorizer only, not any
        // API's, nor a route's.
        let source_arn = Expr::arn_in_account(
            "execute-api",
            vec![
                Part::Ref(REST_API.into(), Attr::Id),
                Part::Lit("/authorizers/".into()),
                Part::Ref(REST_API_AUTHORIZER.into(), Attr::Id),
            ],
        );
        self.permission(
            REST_API_AUTHORIZER_PERMISSION.into(),
            &name,
            jwt.loc,
            &function_id,
            "apigateway.amazonaws.com",
            source_arn,
        );
        REST_API_AUTHORIZER.to_string()
    }

    /// CORS for a REST API: a preflight on each resource with routes and
    /// API Gateway's own 4XX and 5XX answers with the CORS headers. The
    /// functions' answers are their own (Lambda proxy): they add the headers
    /// themselves. Returns the preflights' IDs.
    fn rest_cors(
        &mut self,
        cors: &Cors,
        api_keys: bool,
        resources: &BTreeSet<Option<Id>>,
        loc: Loc,
    ) -> Vec<Id> {
        let quoted = |value: &str| format!("'{value}'");
        let mut request_headers = cors.headers.clone();
        // Callers must send their client's key: browsers must be let to.
        if api_keys
            && !request_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case("x-api-key"))
        {
            request_headers.push("x-api-key".into());
        }
        let allow = vec![
            (
                "Access-Control-Allow-Headers".to_string(),
                quoted(&request_headers.join(",")),
            ),
            (
                "Access-Control-Allow-Methods".to_string(),
                quoted(&cors.methods.join(",")),
            ),
        ];
        // One origin is a fixed header; several, the request's own `Origin`
        // when it is one of them (API Gateway's mock cannot list several).
        let (origin, origin_template) = match cors.origins.as_slice() {
            [only] => (
                vec![(ACCESS_CONTROL_ALLOW_ORIGIN.to_string(), quoted(only))],
                None,
            ),
            several => (Vec::new(), Some(origin_template(several))),
        };
        let mut headers = allow.clone();
        headers.extend(origin.iter().cloned());
        headers.push((
            "Access-Control-Max-Age".to_string(),
            quoted(&cors.max_age.to_string()),
        ));
        headers.push(("Vary".to_string(), quoted("Origin")));
        headers.sort();
        let mut ids = Vec::new();
        for resource in resources {
            let id = logical_id::rest_preflight(resource.as_deref());
            let preflight = self.add(
                id.clone(),
                None,
                loc,
                Kind::RestPreflight(RestPreflight {
                    api: REST_API.into(),
                    resource: resource.clone(),
                    origins: cors.origins.clone(),
                    headers: headers.clone(),
                    origin_template: origin_template.clone(),
                }),
            );
            preflight.controls.push(applied(API_CORS, None));
            ids.push(id);
        }
        // API Gateway's own answers cannot choose among several origins:
        // with several, browsers see its errors as network errors.
        if !origin.is_empty() {
            let mut headers = allow;
            headers.extend(origin);
            headers.push(("Vary".to_string(), quoted("Origin")));
            headers.sort();
            for (id, response_type) in [
                (REST_API_CORS_4XX, "DEFAULT_4XX"),
                (REST_API_CORS_5XX, "DEFAULT_5XX"),
            ] {
                let response = self.add(
                    id.into(),
                    None,
                    loc,
                    Kind::RestGatewayResponse(RestGatewayResponse {
                        api: REST_API.into(),
                        response_type,
                        headers: headers.clone(),
                    }),
                );
                response.controls.push(applied(API_CORS, None));
            }
        }
        ids
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

/// An `Authorization` header API Gateway passes to the authorizer: `Bearer`
/// and three base64url segments. Anything else is a 401 without invoking it.
const BEARER_JWT: &str = "^[Bb]earer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$";

/// A route as execute-api ARNs name it: the method (`*` for `ANY`) and the
/// path with each path parameter a `*`.
fn arn_route(method: &str, path: &str) -> (String, String) {
    let method = if method == "ANY" { "*" } else { method };
    let path: Vec<&str> = path
        .split('/')
        .map(|s| if s.starts_with('{') { "*" } else { s })
        .collect();
    (method.to_string(), path.join("/"))
}

/// The authorizer function's environment variables naming the issuer it
/// trusts and the audience (a JSON list).
pub const AUTHORIZER_ISSUER_VARIABLE: &str = "PALISADE_JWT_ISSUER";
pub const AUTHORIZER_AUDIENCE_VARIABLE: &str = "PALISADE_JWT_AUDIENCE";

/// The authorizer's routes, as `config.json` in its package: for each route
/// it guards, the method, the ARN path and the scopes that admit a token to
/// it (a list could exceed Lambda's 4 KB of environment). `None` without a
/// REST API with auth.
pub fn authorizer_config(spec: &Spec) -> Option<String> {
    let api = spec.api.as_ref()?;
    api.auth.as_ref()?;
    if api.api_type() != spec::ApiType::Rest || api.routes.is_empty() {
        return None;
    }
    let routes: Vec<serde_json::Value> = api
        .routes
        .iter()
        .filter(|(_, route)| route.public.is_none())
        .filter_map(|(key, route)| {
            let (method, path) = key.split_once(' ')?;
            let (method, path) = arn_route(method, path);
            Some(serde_json::json!({
                "method": method,
                "path": path,
                "scopes": route.scopes.iter().map(|s| s.value.as_str()).collect::<Vec<_>>(),
            }))
        })
        .collect();
    let config = serde_json::json!({ "routes": routes });
    Some(format!("{config:#}\n"))
}

/// The mapping template of a preflight's answer that sets
/// `Access-Control-Allow-Origin` to the request's `Origin` (`origin` over
/// HTTP/2, where header names are lower case) when it is one of
/// `origins` (each an `https://host[:port]` the spec's validation admits;
/// escaped for a VTL string all the same).
fn origin_template(origins: &[String]) -> String {
    let vtl = |origin: &str| {
        origin
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '-'))
            .collect::<String>()
    };
    let tests: Vec<String> = origins
        .iter()
        .map(|o| format!("$origin == \"{}\"", vtl(o)))
        .collect();
    format!(
        "#set($origin = $input.params().header.get('Origin'))\n#if(!$origin)#set($origin = $input.params().header.get('origin'))#end\n#if({})\n#set($context.responseOverride.header.{ACCESS_CONTROL_ALLOW_ORIGIN} = $origin)\n#end\n",
        tests.join(" || ")
    )
}
