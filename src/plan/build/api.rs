//! The HTTP API: authorizer, routes, integrations, throttled stage.

use super::*;

impl Builder<'_> {
    pub(super) fn api(&mut self) {
        let Some(api) = &self.spec.api else { return };
        if api.routes.is_empty() || api.api_type() != spec::ApiType::Http {
            return;
        }
        let service = self.spec.service.value.clone();
        let loc = api.routes.keys().next().map(|k| k.loc).unwrap_or_default();
        let api_resource = self.add(
            API.into(),
            None,
            loc,
            Kind::Api(Api {
                name: service.clone(),
                description: self.spec.description.as_ref().map(|d| d.value.clone()),
                cors: cors(api),
            }),
        );
        api_resource.controls = vec![
            applied(API_CORS, None),
            applied(API_THROTTLING, None),
            applied(API_ACCESS_LOGS, None),
        ];
        let authorizer = api.auth.as_ref().map(|auth| {
            let resource = self.add(
                API_AUTHORIZER_ID.into(),
                None,
                auth.jwt.loc,
                Kind::Authorizer(Authorizer {
                    api: API.into(),
                    issuer: auth.jwt.issuer.value.clone(),
                    audience: auth.jwt.audience.iter().map(|a| a.value.clone()).collect(),
                    identity_source: "$request.header.Authorization".into(),
                }),
            );
            resource.controls.push(applied(API_AUTHORIZER, None));
            API_AUTHORIZER_ID.to_string()
        });
        let scopes_waiver = waiver(&api.waive, API_SCOPES);
        let mut routes = Routes {
            authorizer,
            scopes_waiver,
            ids: Vec::new(),
            throttles: Vec::new(),
            integrations: BTreeSet::new(),
        };
        for (key, route) in &api.routes {
            self.route(key, route, &mut routes);
        }
        let Routes {
            ids: route_ids,
            throttles: route_throttles,
            ..
        } = routes;
        let access_logs = API_ACCESS_LOGS_ID.to_string();
        self.access_log_group(
            &access_logs,
            format!("/aws/apigateway/{service}/access"),
            loc,
        );
        let throttle = api.throttle.unwrap_or(spec::DEFAULT_THROTTLE);
        let stage = self.add(
            API_STAGE.into(),
            None,
            loc,
            Kind::Stage(Stage {
                api: API.into(),
                name: STAGE_NAME.into(),
                throttle: Throttle {
                    rate: throttle.rate,
                    burst: throttle.burst,
                },
                route_throttles,
                access_log_group: access_logs,
                access_log_format: ACCESS_LOG_FORMAT.into(),
            }),
        );
        // Route settings name routes by key: the routes must exist first.
        stage.depends_on = route_ids;
        stage.controls = vec![
            applied(API_THROTTLING, None),
            applied(API_ACCESS_LOGS, None),
        ];
        if let Some(reason) = waiver(&api.waive, MON_API_ALARM) {
            if let Some(api_resource) = self.plan.resources.iter_mut().find(|r| r.id == API) {
                api_resource
                    .controls
                    .push(applied(MON_API_ALARM, Some(reason)));
            }
        } else {
            self.alarm(
                API_5XX_ALARM.into(),
                format!("{service}: the API answered with server errors"),
                super::alarm::Watched {
                    namespace: "AWS/ApiGateway",
                    metric: "5xx",
                    dimensions: vec![
                        ("ApiId", Expr::attr(API, Attr::Id)),
                        ("Stage", Expr::lit(STAGE_NAME)),
                    ],
                    statistic: "Sum",
                },
                MON_API_ALARM,
            );
        }
        let mut url = Expr::attr(API, Attr::Endpoint);
        url.0.push(Part::Lit("/".into()));
        self.output(API_URL.into(), "Base URL of the HTTP API".into(), url);
    }

    /// One route: its integration (one per function), the route with its
    /// authorizer and scopes, and the permission for exactly this route.
    fn route(&mut self, key: &spec::Name, route: &spec::Route, routes: &mut Routes) {
        let Some((method, path)) = key.split_once(' ') else {
            return;
        };
        let stem = logical_id::route_stem(method, path);
        let function_id = self.of(&route.function, "Function");
        let integration = self.of(&route.function, "Integration");
        if routes.integrations.insert(integration.clone()) {
            let timeout = self
                .spec
                .functions
                .get(route.function.as_str())
                .and_then(|f| f.timeout.as_ref())
                .map_or(spec::DEFAULT_TIMEOUT, |t| t.value);
            self.add(
                integration.clone(),
                Some(&route.function),
                route.function.loc,
                Kind::Integration(Integration {
                    api: API.into(),
                    function: function_id.clone(),
                    timeout_ms: (timeout * 1000).min(30_000),
                }),
            );
        }
        let public_reason = route.public.as_ref().map(|p| p.value.clone());
        let route_id = logical_id::part(&stem, "Route");
        let resource = self.add(
            route_id.clone(),
            None,
            key.loc,
            Kind::Route(Route {
                api: API.into(),
                key: key.value.clone(),
                integration,
                authorizer: if public_reason.is_some() {
                    None
                } else {
                    routes.authorizer.clone()
                },
                scopes: route.scopes.iter().map(|s| s.value.clone()).collect(),
                public_reason: public_reason.clone(),
            }),
        );
        resource.controls.push(applied(
            API_AUTHORIZER,
            public_reason.map(|r| format!("public: {r}")),
        ));
        if route.public.is_none() {
            resource.controls.push(applied(
                API_SCOPES,
                if route.scopes.is_empty() {
                    routes.scopes_waiver.clone()
                } else {
                    None
                },
            ));
        }
        if let Some(throttle) = route.throttle {
            routes.throttles.push((
                key.value.clone(),
                Throttle {
                    rate: throttle.rate,
                    burst: throttle.burst,
                },
            ));
        }
        routes.ids.push(route_id);
        // The source ARN names the route exactly, path parameters included.
        let arn_method = if method == "ANY" { "*" } else { method };
        let source_arn = Expr(vec![
            Part::Lit("arn:".into()),
            Part::Partition,
            Part::Lit(":execute-api:".into()),
            Part::Region,
            Part::Lit(":".into()),
            Part::Account,
            Part::Lit(":".into()),
            Part::Ref(API.into(), Attr::Id),
            Part::Lit(format!("/*/{arn_method}{path}")),
        ]);
        self.permission(
            logical_id::part(&stem, "Permission"),
            &route.function,
            key.loc,
            &function_id,
            "apigateway.amazonaws.com",
            source_arn,
        );
    }
}

/// The stage served at the API's root URL; its alarm names it too.
const STAGE_NAME: &str = "$default";

/// CORS as the spec asks, with defaults: the routes' methods (and
/// OPTIONS), the two headers a JWT API needs, ten minutes of caching.
pub(super) fn cors(api: &spec::Api) -> Option<Cors> {
    api.cors.as_ref().map(|cors| Cors {
        origins: cors.origins.iter().map(|o| o.value.clone()).collect(),
        methods: if cors.methods.is_empty() {
            let mut methods: BTreeSet<String> = api
                .routes
                .keys()
                .filter_map(|k| k.split_once(' '))
                .map(|(m, _)| m.to_string())
                .filter(|m| m != "ANY")
                .collect();
            methods.insert("OPTIONS".into());
            methods.into_iter().collect()
        } else {
            cors.methods.iter().map(|m| m.value.clone()).collect()
        },
        headers: if cors.headers.is_empty() {
            vec!["authorization".into(), "content-type".into()]
        } else {
            cors.headers.iter().map(|h| h.value.clone()).collect()
        },
        max_age: cors.max_age.as_ref().map_or(600, |m| m.value),
    })
}

/// What the routes add up to for the stage.
struct Routes {
    authorizer: Option<Id>,
    scopes_waiver: Option<String>,
    ids: Vec<Id>,
    throttles: Vec<(String, Throttle)>,
    /// One integration per function, however many routes it serves.
    integrations: BTreeSet<Id>,
}

impl Builder<'_> {
    /// An API's access-log group (HTTP or REST): encrypted with the
    /// service key, retained, with the service's retention.
    pub(super) fn access_log_group(&mut self, id: &str, name: String, loc: Loc) {
        let log_group = self.add(
            id.into(),
            None,
            loc,
            Kind::LogGroup(LogGroup {
                name: Expr::lit(&name),
                retention_days: self.spec.log_retention_days(),
                key: SERVICE_KEY.into(),
            }),
        );
        log_group.retain = true;
        log_group.controls = vec![
            applied(API_ACCESS_LOGS, None),
            applied(KMS_ENCRYPTION, None),
        ];
        self.log_groups.push(name);
    }
}
