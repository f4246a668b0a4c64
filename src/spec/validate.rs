//! Semantic checks on a parsed spec. Each rule has its own diagnostic code and
//! points at the value that breaks it.

use std::collections::BTreeMap;

use super::model::*;
use super::runtime;
use super::secrets::looks_like_secret;
use crate::diagnostic::{Code, Diagnostic};
use crate::suggest::did_you_mean;

/// The longest `service-name` + `-` + resource name, leaving room for the
/// suffixes Palisade adds (`-dlq`, `-role`) within AWS's 64-character names.
pub const MAX_QUALIFIED_NAME: usize = 56;
/// Bucket names are `<service>-<bucket>-<account>-<region>` within S3's 63.
pub const MAX_QUALIFIED_BUCKET_NAME: usize = 35;
/// The most functions, tables, queues, buckets, topics, secrets or routes a
/// spec may declare, and the most events on one function. Far above any real
/// service (CloudFormation deploys at most 500 resources per stack), they
/// bound the time and memory a runaway generated spec can cost.
pub const MAX_PER_KIND: usize = 2_000;
pub const MAX_EVENTS_PER_FUNCTION: usize = 100;
/// The most resources a spec may generate, checked once planned.
pub const MAX_GENERATED_RESOURCES: usize = 25_000;
const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
];

/// What the checks need from outside the spec.
pub struct Context<'a> {
    /// Today's date, for runtime deprecation.
    pub today: (u16, u8, u8),
    /// The spec's directory, to check that handler files exist; `None` when
    /// the spec did not come from disk (a git ref, a test).
    pub base_dir: Option<&'a std::path::Path>,
    /// Looks up a control by ID, for waivers.
    pub control: &'a dyn Fn(&str) -> Option<&'static crate::catalog::ControlInfo>,
}

/// Every problem in the spec; empty when it is valid.
pub fn validate(spec: &Spec, context: &Context) -> Vec<Diagnostic> {
    let mut v = Validator {
        spec,
        context,
        found: Vec::new(),
    };
    v.counts();
    v.names();
    v.service_settings();
    if let Some(api) = &spec.api {
        v.api(api);
    }
    for (name, function) in &spec.functions {
        v.function(name, function);
    }
    v.queue_consumers();
    for (name, table) in &spec.tables {
        v.table(name, table);
    }
    for queue in spec.queues.values() {
        v.queue(queue);
    }
    for bucket in spec.buckets.values() {
        v.range(
            "expire_after_days",
            bucket.expire_after_days.as_ref(),
            1,
            36_500,
        );
        v.waivers(&bucket.waive);
    }
    for topic in spec.topics.values() {
        v.waivers(&topic.waive);
    }
    for (name, secret) in &spec.secrets {
        v.secret(name, secret);
        v.waivers(&secret.waive);
    }
    if let Some(nested) = &spec.nested_stacks {
        v.nested_stacks(nested);
    }
    if let Some(role) = &spec.deploy_role {
        v.deploy_role(role);
    }
    v.found
}

struct Validator<'a> {
    spec: &'a Spec,
    context: &'a Context<'a>,
    found: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn error(&mut self, code: Code, loc: Loc, message: impl Into<String>) -> &mut Diagnostic {
        self.found.push(Diagnostic::error(code, loc, message));
        self.found.last_mut().expect("just pushed")
    }

    fn counts(&mut self) {
        let spec = self.spec;
        let locs = |names: Vec<&Name>| names.into_iter().map(|n| n.loc).collect::<Vec<_>>();
        let kinds = [
            ("functions", locs(spec.functions.keys().collect())),
            ("tables", locs(spec.tables.keys().collect())),
            ("queues", locs(spec.queues.keys().collect())),
            ("buckets", locs(spec.buckets.keys().collect())),
            ("topics", locs(spec.topics.keys().collect())),
            ("secrets", locs(spec.secrets.keys().collect())),
            (
                "routes",
                spec.api
                    .iter()
                    .flat_map(|api| api.routes.keys().map(|k| k.loc))
                    .collect(),
            ),
        ];
        for (what, locs) in kinds {
            self.at_most(what, &locs, MAX_PER_KIND);
        }
        for (name, function) in &spec.functions {
            let events: Vec<Loc> = function.events.iter().map(|e| e.loc).collect();
            self.at_most(
                &format!("events on `{}`", name.value),
                &events,
                MAX_EVENTS_PER_FUNCTION,
            );
        }
    }

    /// An error at the first item past the limit in file order, so the
    /// snippet shows where the spec grows too large.
    fn at_most(&mut self, what: &str, locs: &[Loc], max: usize) {
        if locs.len() > max {
            let mut in_file_order = locs.to_vec();
            in_file_order.sort_by_key(|l| l.offset);
            let first_over = &in_file_order[max];
            self.error(
                Code::InputLimit,
                *first_over,
                format!("{} {what}; the limit is {max}", locs.len()),
            )
            .suggestion = Some("split the service into several specs".into());
        }
    }

    fn names(&mut self) {
        let spec = self.spec;
        check_name(self, &spec.service, "service");
        let mut seen: BTreeMap<&str, (Section, Loc)> = BTreeMap::new();
        for (name, kind) in spec.named_resources() {
            check_name(self, name, kind.as_str());
            let qualified = spec.service.len() + 1 + name.len();
            if qualified > MAX_QUALIFIED_NAME && is_kebab(&spec.service) {
                self.error(
                    Code::NameFormat,
                    name.loc,
                    format!(
                        "`{}-{}` is {qualified} characters; generated AWS names allow {MAX_QUALIFIED_NAME}",
                        spec.service.value, name.value
                    ),
                )
                .suggestion = Some("shorten the service or resource name".into());
            }
            if let Some((first_kind, first_loc)) = seen.get(name.as_str()) {
                let message = format!(
                    "the name `{}` is already used by a {} (line {})",
                    name.value,
                    first_kind.as_str(),
                    first_loc.line
                );
                self.error(Code::NameDuplicate, name.loc, message).suggestion = Some(
                    "names are unique across all kinds, so `access:` can name anything without its kind".into(),
                );
            } else {
                seen.insert(name.as_str(), (kind, name.loc));
            }
        }
        let mut renamed: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, from) in spec.renames() {
            check_name(self, from, "renamed_from");
            if let Some(kind) = spec.kind_of(from) {
                let message = format!(
                    "`{}` is renamed from `{}`, which is still a {} in the spec",
                    name.value,
                    from.value,
                    kind.as_str()
                );
                self.error(Code::NameDuplicate, from.loc, message)
                    .suggestion = Some(
                    "a rename keeps the old name's AWS resources: the old entry must be gone"
                        .into(),
                );
            } else if let Some(first) = renamed.insert(from.as_str(), name.as_str()) {
                let message = format!(
                    "`{}` and `{first}` are both renamed from `{}`",
                    name.value, from.value
                );
                self.error(Code::NameDuplicate, from.loc, message);
            }
        }
        for name in spec.buckets.keys() {
            let qualified = spec.service.len() + 1 + name.len();
            if qualified > MAX_QUALIFIED_BUCKET_NAME && is_kebab(&spec.service) {
                self.error(
                    Code::NameFormat,
                    name.loc,
                    format!(
                        "bucket `{}-{}` is {qualified} characters; with the account and region it must fit S3's 63 (at most {MAX_QUALIFIED_BUCKET_NAME})",
                        spec.service.value, name.value
                    ),
                );
            }
        }
        for table in spec.tables.values() {
            for index in table.indexes.keys() {
                check_name(self, index, "index");
            }
        }
    }

    fn service_settings(&mut self) {
        let spec = self.spec;
        if let Some(runtime) = &spec.runtime {
            self.runtime(runtime);
        }
        for (key, value) in &spec.tags {
            if key.is_empty() || key.len() > 128 || value.len() > 256 {
                self.error(
                    Code::Tag,
                    key.loc,
                    "tag keys are 1–128 characters and values at most 256",
                );
            } else if key.to_ascii_lowercase().starts_with("aws:") {
                self.error(
                    Code::Tag,
                    key.loc,
                    "tag keys starting with `aws:` are reserved by AWS",
                );
            } else if key.value == "service" {
                self.error(
                    Code::Tag,
                    key.loc,
                    "the `service` tag is set by Palisade from `service:`",
                );
            }
        }
        if let Some(days) = spec.logs.as_ref().and_then(|l| l.retention_days.as_ref())
            && !crate::spec::LOG_RETENTION_PERIODS.contains(&days.value)
        {
            self.error(
                Code::OutOfRange,
                days.loc,
                format!(
                    "`retention_days` is {}; CloudWatch keeps logs for one of {} days (a year or more)",
                    days.value,
                    crate::spec::LOG_RETENTION_PERIODS
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        if let Some(alerts) = &spec.alerts {
            let email = &alerts.email;
            let valid = email.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            }) && !email.contains(char::is_whitespace);
            if !valid {
                self.error(
                    Code::Email,
                    email.loc,
                    format!("`{}` is not an email address", email.value),
                );
            }
        }
        if let Some(region) = &spec.region {
            let parts: Vec<&str> = region.split('-').collect();
            let valid = parts.len() >= 3
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
                && parts
                    .last()
                    .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
            if !valid {
                self.error(
                    Code::WrongType,
                    region.loc,
                    format!("`{}` is not an AWS region", region.value),
                )
                .suggestion = Some("for example `us-east-1` or `eu-central-1`".into());
            }
        }
    }

    fn runtime(&mut self, runtime: &Spanned<String>) {
        let today = self.context.today;
        let use_instead = runtime::replacement(runtime)
            .map(|r| format!("use `{}`, the newest {} runtime", r.id, r.family.name()));
        match runtime::find(runtime) {
            Some(known) if known.is_deprecated(today) => {
                let message = format!(
                    "runtime `{}` was deprecated by AWS on {}",
                    known.id,
                    known.deprecation_date()
                );
                self.error(Code::RuntimeDeprecated, runtime.loc, message)
                    .suggestion = use_instead;
            }
            Some(_) => {}
            None => {
                let supported: Vec<&str> = runtime::RUNTIMES
                    .iter()
                    .filter(|r| !r.is_deprecated(today))
                    .map(|r| r.id)
                    .collect();
                let suggestion = use_instead
                    .or_else(|| {
                        did_you_mean(runtime, supported.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"))
                    })
                    .unwrap_or_else(|| format!("supported runtimes: {}", supported.join(", ")));
                self.error(
                    Code::RuntimeUnknown,
                    runtime.loc,
                    format!("`{}` is not a runtime Palisade supports", runtime.value),
                )
                .suggestion = Some(suggestion);
            }
        }
    }

    /// Stack counts are powers of two, so that a later change of count
    /// moves at most half of the resources.
    fn nested_stacks(&mut self, nested: &super::model::NestedStacks) {
        let max = crate::spec::MAX_NESTED_STACKS;
        for (what, count) in [("functions", &nested.functions), ("data", &nested.data)] {
            let Some(count) = count else { continue };
            if !(1..=max).contains(&count.value) || !count.value.is_power_of_two() {
                self.error(
                    Code::OutOfRange,
                    count.loc,
                    format!(
                        "`nested_stacks.{what}` is {}; it must be a power of two from 1 to {max}",
                        count.value
                    ),
                )
                .suggestion = Some(format!(
                    "use {}",
                    count.value.clamp(1, max).next_power_of_two().min(max)
                ));
            }
        }
    }

    fn range(&mut self, what: &str, value: Option<&Spanned<u32>>, min: u32, max: u32) {
        if let Some(value) = value
            && !(min..=max).contains(&value.value)
        {
            self.error(
                Code::OutOfRange,
                value.loc,
                format!(
                    "`{what}` is {}; it must be between {min} and {max}",
                    value.value
                ),
            );
        }
    }

    fn throttle(&mut self, throttle: Option<&Throttle>, loc: Loc) {
        if let Some(t) = throttle
            && (t.rate == 0 || t.burst == 0 || t.rate > 10_000 || t.burst > 5_000)
        {
            self.error(
                Code::OutOfRange,
                loc,
                "throttle `rate` must be 1–10000 and `burst` 1–5000 (API Gateway's account limits)",
            );
        }
    }

    fn api(&mut self, api: &Api) {
        if let Some(auth) = &api.auth {
            let jwt = &auth.jwt;
            if !is_https_url(&jwt.issuer) {
                self.error(
                    Code::JwtConfig,
                    jwt.issuer.loc,
                    format!(
                        "the JWT issuer `{}` must be an https:// URL",
                        jwt.issuer.value
                    ),
                );
            }
            if jwt.audience.is_empty() {
                self.error(
                    Code::JwtConfig,
                    jwt.loc,
                    "the JWT authorizer needs at least one `audience`",
                );
            }
            for audience in &jwt.audience {
                if crate::text::is_blank(audience) {
                    self.error(
                        Code::JwtConfig,
                        audience.loc,
                        "an empty audience matches nothing",
                    );
                }
            }
        }
        if api.api_type() == ApiType::Rest {
            self.rest_api(api);
        } else {
            if let Some(waf) = &api.waf {
                self.error(
                    Code::RestApi,
                    waf.loc,
                    "AWS WAF cannot protect an HTTP API; `waf:` needs `type: rest`",
                );
            }
            if let Some(name) = api.clients.keys().next() {
                self.error(
                    Code::RestApi,
                    name.loc,
                    "HTTP APIs have no usage plans or API keys; `clients:` needs `type: rest`",
                );
            }
        }
        let first_route_loc = api.routes.keys().next().map(|k| k.loc).unwrap_or_default();
        self.throttle(api.throttle.as_ref(), first_route_loc);
        if let Some(cors) = &api.cors {
            self.cors(cors);
        }
        let mut seen_routes: BTreeMap<String, &Spanned<String>> = BTreeMap::new();
        for (key, route) in &api.routes {
            if let Some(normalised) = self.route_key(key) {
                if let Some(first) = seen_routes.get(&normalised) {
                    let message = format!(
                        "route `{}` is the same route as `{}` on line {}",
                        key.value, first.value, first.loc.line
                    );
                    self.error(Code::RouteKey, key.loc, message);
                } else {
                    seen_routes.insert(normalised, key);
                }
            }
            self.route(api, key, route);
        }
        self.waivers(&api.waive);
    }

    /// What a REST API needs beyond the HTTP API's checks (its `cors:` is
    /// checked as the HTTP API's): the name of the authorizer function
    /// Palisade adds is its own.
    fn rest_api(&mut self, api: &Api) {
        if api.auth.is_some()
            && let Some((name, _)) = self
                .spec
                .functions
                .get_key_value(crate::spec::AUTHORIZER_FUNCTION)
        {
            self.error(
                Code::RestApi,
                name.loc,
                format!(
                    "`{}` is the name of the JWT authorizer function Palisade adds to a REST API with `auth:`; rename this function",
                    name.value
                ),
            );
        }
        // Each resource's OPTIONS method is the CORS preflight.
        if api.cors.is_some() {
            for key in api.routes.keys().filter(|k| k.starts_with("OPTIONS ")) {
                self.error(
                    Code::RestApi,
                    key.loc,
                    format!(
                        "route `{}` would be the same method as the CORS preflight Palisade adds to each resource of a REST API with `cors:`",
                        key.value
                    ),
                );
            }
        }
        if let Some(waf) = &api.waf {
            if let Some(rate) = &waf.rate_per_ip
                && !(10..=2_000_000_000).contains(&rate.value)
            {
                self.error(
                    Code::OutOfRange,
                    rate.loc,
                    "`rate_per_ip` must be 10–2,000,000,000 (AWS WAF's limits)",
                );
            }
            if let Some(window) = &waf.window
                && !crate::spec::WAF_WINDOWS.contains(&window.value)
            {
                self.error(
                    Code::OutOfRange,
                    window.loc,
                    "`window` must be 60, 120, 300 or 600 seconds",
                );
            }
            let mut seen = std::collections::BTreeSet::new();
            if let Some(chosen) = &waf.managed_rules
                && !chosen
                    .iter()
                    .any(|r| r.value == ManagedRules::KnownBadInputs)
            {
                self.error(
                    Code::RestApi,
                    chosen.first().map_or(waf.loc, |r| r.loc),
                    "`managed_rules` must include `known-bad-inputs`: it blocks Log4j-style exploit requests",
                );
            }
            for rules in waf.managed_rules.iter().flatten() {
                if !seen.insert(rules.value) {
                    self.error(
                        Code::RestApi,
                        rules.loc,
                        format!("`{}` is listed twice", rules.value.aws_name()),
                    );
                }
            }
        }
        for (name, client) in &api.clients {
            check_name(self, name, "client");
            self.throttle(
                Some(&Throttle {
                    rate: client.rate.value,
                    burst: client.burst.value,
                }),
                client.rate.loc,
            );
            if let Some(quota) = &client.quota
                && quota.limit == 0
            {
                self.error(
                    Code::OutOfRange,
                    quota.loc,
                    format!("client `{}` has a quota of 0 requests", name.value),
                );
            }
        }
    }

    /// Checks `METHOD /path`; returns the route with path parameters
    /// normalised (`{id}` → `{}`) so equivalent routes collide.
    fn route_key(&mut self, key: &Spanned<String>) -> Option<String> {
        let Some((method, path)) = key.split_once(' ') else {
            self.error(
                Code::RouteKey,
                key.loc,
                format!("route `{}` must be `METHOD /path`", key.value),
            )
            .suggestion = Some("for example `GET /orders/{id}`".into());
            return None;
        };
        if !HTTP_METHODS.contains(&method) {
            let upper = method.to_ascii_uppercase();
            let suggestion = if HTTP_METHODS.contains(&upper.as_str()) {
                format!("methods are upper case: `{upper}`")
            } else {
                format!("methods: {}", HTTP_METHODS.join(", "))
            };
            self.error(
                Code::RouteKey,
                key.loc,
                format!("`{method}` is not an HTTP method"),
            )
            .suggestion = Some(suggestion);
            return None;
        }
        if let Err(problem) = check_path(path) {
            self.error(
                Code::RouteKey,
                key.loc,
                format!("route path `{path}` {problem}"),
            );
            return None;
        }
        let normalised: Vec<String> = path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "{}".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        Some(format!("{method} {}", normalised.join("/")))
    }

    fn route(&mut self, api: &Api, key: &Spanned<String>, route: &Route) {
        if !self.spec.functions.contains_key(route.function.as_str()) {
            let names = self.spec.functions.keys().map(|n| n.as_str());
            let suggestion =
                did_you_mean(&route.function, names).map(|s| format!("did you mean `{s}`?"));
            let d = self.error(
                Code::RouteUnknownFunction,
                route.function.loc,
                format!(
                    "route `{}` names the function `{}`, which does not exist",
                    key.value, route.function.value
                ),
            );
            d.suggestion = suggestion;
        }
        self.throttle(route.throttle.as_ref(), key.loc);
        match &route.public {
            // Only invisible characters (U+200B…) is no reason either.
            Some(reason) if crate::text::is_blank(reason) => {
                self.error(
                    Code::RoutePublicReason,
                    reason.loc,
                    format!("route `{}` is public without a reason", key.value),
                )
                .suggestion = Some("say why, e.g. `public: \"load balancer health probe\"`".into());
            }
            Some(reason) if !route.scopes.is_empty() => {
                self.error(
                    Code::RoutePublicReason,
                    reason.loc,
                    format!(
                        "route `{}` is public, so its `scopes` would never be checked",
                        key.value
                    ),
                );
            }
            Some(_) => {}
            None if api.auth.is_none() => {
                self.error(
                    Code::RouteWithoutAuth,
                    key.loc,
                    format!("route `{}` has no authorizer", key.value),
                )
                .suggestion = Some(
                    "add `api.auth.jwt` (issuer and audience), or make the route `public: \"<reason>\"`".into(),
                );
            }
            // PAL-API-002: a token from the issuer is not enough; the route
            // names the scopes it needs, unless the API waives that.
            None if route.scopes.is_empty()
                && !api
                    .waive
                    .keys()
                    .any(|k| k.value == crate::catalog::ids::API_SCOPES) =>
            {
                self.error(
                    Code::RouteWithoutAuth,
                    key.loc,
                    format!(
                        "route `{}` requires no scopes, so any token from the issuer may call it",
                        key.value
                    ),
                )
                .suggestion = Some(
                    "add `scopes: [<scope>]` to the route, or waive PAL-API-002 under `api.waive` with a reason".into(),
                );
            }
            None => {}
        }
        for scope in &route.scopes {
            if crate::text::is_blank(scope) || scope.contains(char::is_whitespace) {
                self.error(Code::JwtConfig, scope.loc, "a scope is one non-empty word");
            }
        }
    }

    fn cors(&mut self, cors: &Cors) {
        if cors.origins.is_empty() {
            self.error(
                Code::CorsOrigin,
                Loc::default(),
                "`cors.origins` needs at least one origin",
            );
        }
        for origin in &cors.origins {
            if let Err(problem) = check_origin(origin) {
                self.error(
                    Code::CorsOrigin,
                    origin.loc,
                    format!("CORS origin `{}` {problem}", origin.value),
                )
                .suggestion =
                    Some("list each origin explicitly, e.g. `https://app.example.com`".into());
            }
        }
        for method in &cors.methods {
            if !HTTP_METHODS.contains(&method.as_str()) || method.value == "ANY" {
                self.error(
                    Code::CorsOrigin,
                    method.loc,
                    format!("`{}` is not an HTTP method", method.value),
                );
            }
        }
        for header in &cors.headers {
            if header.value == "*"
                || header.is_empty()
                || !header
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                self.error(
                    Code::CorsOrigin,
                    header.loc,
                    format!("`{}` is not a header name", header.value),
                )
                .suggestion = Some("list each header explicitly".into());
            }
        }
        self.range("max_age", cors.max_age.as_ref(), 0, 86_400);
    }

    fn function(&mut self, name: &Name, function: &Function) {
        match &function.runtime {
            Some(runtime) => self.runtime(runtime),
            None if self.spec.runtime.is_none() => {
                self.error(
                    Code::MissingKey,
                    name.loc,
                    format!("function `{}` has no runtime", name.value),
                )
                .suggestion =
                    Some("set `runtime:` at the top of the spec or on the function".into());
            }
            None => {}
        }
        self.range("memory", function.memory.as_ref(), 128, 10_240);
        self.range("timeout", function.timeout.as_ref(), 1, 900);
        self.range("concurrency", function.concurrency.as_ref(), 1, 1_000);
        let family = function
            .runtime
            .as_ref()
            .or(self.spec.runtime.as_ref())
            .and_then(|r| runtime::find(r))
            .map(|r| r.family);
        match check_handler(&function.handler) {
            Err(problem) => {
                self.error(
                    Code::HandlerPath,
                    function.handler.loc,
                    format!("handler `{}` {problem}", function.handler.value),
                )
                .suggestion = Some(
                    "write `dir/module.function`, relative to the spec, e.g. `src/app.handler`"
                        .into(),
                );
            }
            Ok(()) => {
                if let (Some(base), Some(family)) = (self.context.base_dir, family)
                    && handler_file(base, &function.handler, family).is_none()
                {
                    let module = function.handler.rsplit_once('.').map_or("", |(m, _)| m);
                    let tried: Vec<String> = family
                        .extensions()
                        .iter()
                        .map(|e| format!("{module}.{e}"))
                        .collect();
                    self.error(
                        Code::HandlerPath,
                        function.handler.loc,
                        format!(
                            "handler `{}`: no file {}",
                            function.handler.value,
                            tried.join(" or ")
                        ),
                    );
                }
            }
        }
        for (key, value) in &function.environment {
            self.environment(key, value);
        }
        for (target, levels) in &function.access {
            self.access(target, levels);
        }
        for event in &function.events {
            self.event(function, event);
        }
        self.waivers(&function.waive);
    }

    fn environment(&mut self, key: &Spanned<String>, value: &Spanned<String>) {
        let valid_name = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            self.error(
                Code::WrongType,
                key.loc,
                format!("`{}` is not an environment variable name", key.value),
            );
        } else if key.starts_with("AWS_") || key.value == "_HANDLER" || key.starts_with("LAMBDA_") {
            self.error(
                Code::WrongType,
                key.loc,
                format!("`{}` is reserved by Lambda", key.value),
            );
        }
        if let Some(what) = looks_like_secret(key, value) {
            self.error(
                Code::SecretInEnvironment,
                value.loc,
                format!("`{}` looks like {what}; environment variables are not secret", key.value),
            )
            .suggestion = Some(
                "store it under `secrets:` and give the function `read` access: it gets the secret's ARN, never the value".into(),
            );
        }
    }

    fn access(&mut self, target: &Name, levels: &Spanned<Levels>) {
        let Some(kind) = self.spec.kind_of(target) else {
            let names = self
                .spec
                .named_resources()
                .filter(|(_, k)| *k != Section::Function)
                .map(|(n, _)| n.as_str());
            let suggestion = did_you_mean(target, names).map(|s| format!("did you mean `{s}`?"));
            self.error(
                Code::AccessUnknownTarget,
                target.loc,
                format!(
                    "`access` names `{}`, which is not a table, queue, bucket, topic or secret",
                    target.value
                ),
            )
            .suggestion = suggestion;
            return;
        };
        if matches!(levels.value, Levels::Many(ref many) if many.is_empty()) {
            self.error(
                Code::AccessLevelMismatch,
                levels.loc,
                "an empty list grants nothing; remove the entry",
            );
        }
        for level in levels.iter() {
            if !kind.access_levels().contains(&level.value) {
                let allowed: Vec<String> = kind
                    .access_levels()
                    .iter()
                    .map(|l| format!("`{}`", level_name(*l)))
                    .collect();
                let loc = if level.loc.line == 0 {
                    levels.loc
                } else {
                    level.loc
                };
                let message = format!(
                    "`{}` is not an access level for {} `{}`",
                    level_name(level.value),
                    kind.as_str(),
                    target.value
                );
                self.error(Code::AccessLevelMismatch, loc, message)
                    .suggestion = Some(if allowed.is_empty() {
                    "functions cannot be granted access to other functions".into()
                } else {
                    format!("{} levels: {}", kind.as_str(), allowed.join(", "))
                });
            }
        }
    }

    fn event(&mut self, function: &Function, event: &Spanned<Event>) {
        let sources = event.sources();
        let source = match sources.as_slice() {
            [one] => *one,
            [] => {
                self.error(
                    Code::EventShape,
                    event.loc,
                    "an event needs one source: `queue`, `schedule`, `bucket`, `topic` or `stream`",
                );
                return;
            }
            _ => {
                self.error(
                    Code::EventShape,
                    event.loc,
                    "an event has exactly one source; write one list item per source",
                );
                return;
            }
        };
        let (kind, option_fits) = match source {
            EventSource::Queue(_) => (
                Some(Section::Queue),
                event.prefix.is_none()
                    && event.suffix.is_none()
                    && event.starting_position.is_none(),
            ),
            EventSource::Stream(_) => (
                Some(Section::Table),
                event.prefix.is_none() && event.suffix.is_none(),
            ),
            EventSource::Bucket(_) => (
                Some(Section::Bucket),
                event.batch_size.is_none() && event.starting_position.is_none(),
            ),
            EventSource::Topic(_) | EventSource::Schedule(_) => (
                None,
                event.batch_size.is_none()
                    && event.prefix.is_none()
                    && event.suffix.is_none()
                    && event.starting_position.is_none(),
            ),
        };
        if !option_fits {
            self.error(
                Code::EventShape,
                event.loc,
                "options that do not fit this event: `batch_size` is for queue and stream events, `prefix`/`suffix` for bucket events, `starting_position` for stream events",
            );
        }
        let (target, expected) = match source {
            EventSource::Schedule(expression) => {
                if let Err(problem) = check_schedule(expression) {
                    self.error(
                        Code::ScheduleExpression,
                        expression.loc,
                        format!("schedule `{}`: {problem}", expression.value),
                    )
                    .suggestion = Some(
                        "write `rate(5 minutes)`, `rate(1 day)` or `cron(0 3 * * ? *)`".into(),
                    );
                }
                return;
            }
            EventSource::Topic(name) => (name, Section::Topic),
            EventSource::Queue(name) | EventSource::Stream(name) | EventSource::Bucket(name) => {
                (name, kind.expect("has a kind"))
            }
        };
        if self.spec.kind_of(target) != Some(expected) {
            let names = self
                .spec
                .named_resources()
                .filter(|(_, k)| *k == expected)
                .map(|(n, _)| n.as_str());
            let suggestion = did_you_mean(target, names).map(|s| format!("did you mean `{s}`?"));
            self.error(
                Code::EventUnknownSource,
                target.loc,
                format!(
                    "the event names {} `{}`, which does not exist",
                    expected.as_str(),
                    target.value
                ),
            )
            .suggestion = suggestion;
            return;
        }
        match source {
            EventSource::Stream(table) => {
                if self
                    .spec
                    .tables
                    .get(table.as_str())
                    .is_some_and(|t| t.stream.is_none())
                {
                    self.error(
                        Code::StreamNotEnabled,
                        table.loc,
                        format!("table `{}` has no stream", table.value),
                    )
                    .suggestion = Some(format!(
                        "add `stream: new-and-old` to table `{}`",
                        table.value
                    ));
                }
                self.range("batch_size", event.batch_size.as_ref(), 1, 10_000);
            }
            EventSource::Queue(queue) => {
                let fifo = self
                    .spec
                    .queues
                    .get(queue.as_str())
                    .and_then(|q| q.fifo.as_ref())
                    .is_some_and(|f| f.value);
                if let Some(batch) = &event.batch_size {
                    let max = crate::spec::max_queue_batch(fifo);
                    if !(1..=max).contains(&batch.value) {
                        let kind = if fifo { "FIFO queue" } else { "queue" };
                        self.error(
                            Code::QueueConsumer,
                            batch.loc,
                            format!(
                                "`batch_size` {} does not fit {kind} `{}`: 1 to {max}",
                                batch.value, queue.value
                            ),
                        );
                    }
                }
                let timeout = function
                    .timeout
                    .as_ref()
                    .map_or(crate::spec::DEFAULT_TIMEOUT, |t| t.value);
                let retention = self
                    .spec
                    .queues
                    .get(queue.as_str())
                    .and_then(|q| q.retention_days.as_ref())
                    .map_or(crate::spec::DEFAULT_QUEUE_RETENTION_DAYS, |d| d.value);
                if u64::from(timeout) * 6 > u64::from(retention) * 86_400 {
                    self.error(
                        Code::QueueConsumer,
                        queue.loc,
                        format!(
                            "queue `{}` keeps messages for less than 6× the consumer's timeout",
                            queue.value
                        ),
                    );
                }
            }
            _ => {}
        }
    }

    /// A queue consumed by two functions splits its messages between them at
    /// random: almost always a mistake.
    fn queue_consumers(&mut self) {
        let mut consumers: BTreeMap<&str, &Name> = BTreeMap::new();
        for (function, spec_function) in &self.spec.functions {
            for event in &spec_function.events {
                if let Some(EventSource::Queue(queue)) = event.source() {
                    if let Some(first) = consumers.get(queue.as_str()) {
                        let message = format!(
                            "queue `{}` is already consumed by `{}`; two consumers split its messages at random",
                            queue.value, first.value
                        );
                        self.error(Code::QueueConsumer, queue.loc, message)
                            .suggestion =
                            Some("use a topic to fan out, or one consumer per queue".into());
                    } else {
                        consumers.insert(queue.as_str(), function);
                    }
                }
            }
        }
    }

    fn table(&mut self, name: &Name, table: &Table) {
        let mut attributes: BTreeMap<&str, KeyType> = BTreeMap::new();
        let keys = [Some(&table.partition_key), table.sort_key.as_ref()]
            .into_iter()
            .chain(
                table
                    .indexes
                    .values()
                    .flat_map(|i| [Some(&i.partition_key), i.sort_key.as_ref()]),
            )
            .flatten();
        for key in keys {
            if key.name.trim().is_empty() || key.name.len() > 255 {
                self.error(
                    Code::WrongType,
                    key.name.loc,
                    "key attribute names are 1–255 characters",
                );
            }
            match attributes.get(key.name.as_str()) {
                Some(kind) if *kind != key.kind => {
                    let message = format!(
                        "attribute `{}` is declared with two different types in table `{}`",
                        key.name.value, name.value
                    );
                    self.error(Code::WrongType, key.name.loc, message);
                }
                _ => {
                    attributes.insert(key.name.as_str(), key.kind);
                }
            }
        }
        if table.indexes.len() > 20 {
            self.error(
                Code::OutOfRange,
                name.loc,
                "a table has at most 20 global secondary indexes",
            );
        }
        if let Some(ttl) = &table.ttl_attribute
            && attributes.contains_key(ttl.as_str())
        {
            self.error(
                Code::WrongType,
                ttl.loc,
                "the TTL attribute cannot be a key attribute",
            );
        }
        self.waivers(&table.waive);
    }

    fn queue(&mut self, queue: &Queue) {
        self.range("max_receives", queue.max_receives.as_ref(), 1, 1_000);
        self.range("retention_days", queue.retention_days.as_ref(), 1, 14);
        self.waivers(&queue.waive);
    }

    /// PAL-DATA-010: rotated by a function of the spec, or waived with a reason.
    fn secret(&mut self, name: &Name, secret: &Secret) {
        let waived = secret
            .waive
            .keys()
            .find(|c| c.as_str() == crate::catalog::ids::DATA_SECRET_ROTATION);
        let Some(rotation) = &secret.rotation else {
            if waived.is_none() {
                self.error(
                    Code::SecretRotation,
                    name.loc,
                    format!("secret `{}` is not rotated", name.value),
                )
                .suggestion = Some(format!(
                    "add `rotation: {{ function: <name>, schedule: rate(30 days) }}` with a function that rotates it, or, for a value an outside system issues and you set by hand, waive {} with a reason",
                    crate::catalog::ids::DATA_SECRET_ROTATION
                ));
            }
            return;
        };
        if let Some(control) = waived {
            self.error(
                Code::SecretRotation,
                control.loc,
                format!(
                    "secret `{}` has `rotation:` and waives {}: keep one",
                    name.value, control.value
                ),
            );
        }
        if !self.spec.functions.contains_key(rotation.function.as_str()) {
            let names = self.spec.functions.keys().map(|n| n.as_str());
            let suggestion =
                did_you_mean(&rotation.function, names).map(|s| format!("did you mean `{s}`?"));
            self.error(
                Code::SecretRotation,
                rotation.function.loc,
                format!(
                    "secret `{}` is rotated by the function `{}`, which does not exist",
                    name.value, rotation.function.value
                ),
            )
            .suggestion = suggestion;
        }
        if let Err(problem) = check_rotation_schedule(&rotation.schedule) {
            self.error(
                Code::ScheduleExpression,
                rotation.schedule.loc,
                format!("rotation schedule `{}`: {problem}", rotation.schedule.value),
            )
            .suggestion = Some(
                "write `rate(30 days)` (1–1000 days), `rate(12 hours)` (4–23 hours) or `cron(0 3 1 * ? *)`".into(),
            );
        }
    }

    fn waivers(&mut self, waivers: &Waivers) {
        for (control, reason) in waivers {
            if !is_control_id(control) {
                self.error(
                    Code::Waiver,
                    control.loc,
                    format!("`{}` is not a control ID", control.value),
                )
                .suggestion = Some(
                    "control IDs look like `PAL-IAM-001`; `palisade controls` lists them".into(),
                );
            } else {
                match (self.context.control)(control) {
                    None => {
                        let ids = crate::catalog::CATALOG.iter().map(|c| c.id);
                        let suggestion = did_you_mean(control, ids).map_or_else(
                            || "`palisade controls` lists them".to_string(),
                            |s| format!("did you mean `{s}`?"),
                        );
                        self.error(
                            Code::Waiver,
                            control.loc,
                            format!("there is no control `{}`", control.value),
                        )
                        .suggestion = Some(suggestion);
                    }
                    Some(found) if !found.waivable => {
                        let message = format!(
                            "control `{}` ({}) cannot be waived",
                            control.value, found.title
                        );
                        self.error(Code::Waiver, control.loc, message).suggestion = Some(
                            "`palisade explain` says why and what the alternatives are".into(),
                        );
                    }
                    Some(_) => {}
                }
            }
            if crate::text::is_blank(reason) {
                self.error(Code::Waiver, reason.loc, format!("the waiver of `{}` has no reason", control.value))
                    .suggestion = Some("say why the control does not apply; the reason is shown in reviews and reports".into());
            }
        }
    }

    fn deploy_role(&mut self, role: &DeployRole) {
        let repository = &role.github.repository;
        let valid = repository.split_once('/').is_some_and(|(owner, name)| {
            let part = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            };
            part(owner) && part(name)
        });
        if !valid {
            self.error(
                Code::DeployRole,
                repository.loc,
                format!("`{}` is not `owner/repository`", repository.value),
            )
            .suggestion = Some(
                "name exactly one repository; wildcards would let other repositories deploy".into(),
            );
        }
        if role.github.branches.is_empty() {
            self.error(
                Code::DeployRole,
                repository.loc,
                "`branches` needs at least one branch",
            );
        }
        for branch in &role.github.branches {
            let valid = !branch.is_empty()
                && !branch.contains(['*', '?', ' ', '\\', ':', '~', '^', '['])
                && !branch.contains("..")
                && !branch.starts_with('/');
            if !valid {
                self.error(
                    Code::DeployRole,
                    branch.loc,
                    format!("`{}` is not an exact branch name", branch.value),
                )
                .suggestion =
                    Some("the trust policy matches branches exactly; list each one".into());
            }
        }
        self.range(
            "max_session_minutes",
            role.max_session_minutes.as_ref(),
            15,
            720,
        );
    }
}

fn level_name(level: AccessLevel) -> &'static str {
    use AccessLevel::*;
    match level {
        Read => "read",
        Write => "write",
        Scan => "scan",
        Stream => "stream",
        Send => "send",
        Consume => "consume",
        Delete => "delete",
        List => "list",
        Publish => "publish",
        Rotate => "rotate",
    }
}

pub fn is_kebab(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 41
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && !name.contains("--")
}

fn check_name(v: &mut Validator, name: &Name, what: &str) {
    if !is_kebab(name) {
        let kebab: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let d = v.error(
            Code::NameFormat,
            name.loc,
            format!("{what} name `{}` is not kebab-case (a–z, 0–9, `-`, starting with a letter, at most 41)", name.value),
        );
        if is_kebab(&kebab) {
            d.suggestion = Some(format!("did you mean `{kebab}`?"));
        }
    }
}

fn is_control_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    matches!(parts.as_slice(), ["PAL", area, number]
        if !area.is_empty() && area.chars().all(|c| c.is_ascii_uppercase())
            && number.len() == 3 && number.chars().all(|c| c.is_ascii_digit()))
}

fn is_https_url(url: &str) -> bool {
    url.strip_prefix("https://")
        .and_then(|rest| rest.split('/').next())
        .is_some_and(|host| is_host(host.rsplit_once(':').map_or(host, |(h, _)| h)))
}

fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn check_origin(origin: &str) -> Result<(), &'static str> {
    if origin.contains('*') {
        return Err("is a wildcard; any site could then call the API with a user's credentials");
    }
    let Some(rest) = origin.strip_prefix("https://") else {
        return Err("must start with https://");
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    if !is_host(host) || !host.contains('.') && host != "localhost" {
        return Err("is not an origin (scheme and host, no path)");
    }
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return Err("has an invalid port");
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        return Err("must start with `/`");
    }
    if path == "/" {
        return Ok(());
    }
    if path.ends_with('/') {
        return Err("must not end with `/`");
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let mut parameters = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if segment.is_empty() {
            return Err("has an empty segment (`//`)");
        }
        if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let (name, greedy) = match inner.strip_suffix('+') {
                Some(name) => (name, true),
                None => (inner, false),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err("has a malformed parameter; write `{name}` or `{proxy+}`");
            }
            if greedy && i + 1 != segments.len() {
                return Err("has a greedy `{name+}` parameter that is not the last segment");
            }
            if parameters.contains(&name) {
                return Err("uses the same parameter twice");
            }
            parameters.push(name);
        } else if !segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        {
            return Err("has characters outside A–Z a–z 0–9 - _ . ~");
        }
    }
    Ok(())
}

/// The source file a (well-formed) handler names, relative to `base`.
pub fn handler_file(
    base: &std::path::Path,
    handler: &str,
    family: runtime::Family,
) -> Option<std::path::PathBuf> {
    let (module, _) = handler.rsplit_once('.')?;
    family
        .extensions()
        .iter()
        .map(|ext| base.join(format!("{module}.{ext}")))
        .find(|path| path.is_file())
}

fn check_handler(handler: &str) -> Result<(), &'static str> {
    if handler.starts_with('/') || handler.contains('\\') || handler.contains(':') {
        return Err("must be a relative path inside the service directory");
    }
    let Some((module, function)) = handler.rsplit_once('.') else {
        return Err("must be `path/module.function`");
    };
    if module
        .split('/')
        .any(|s| s == ".." || s == "." || s.is_empty())
    {
        return Err("must stay inside the service directory (no `..`, `.` or empty segments)");
    }
    let identifier = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !identifier(function) {
        return Err("must end in `.function_name`");
    }
    if !module.split('/').all(|s| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    }) {
        return Err("has characters that are not allowed in a module path");
    }
    Ok(())
}

/// `rate(N unit)` or `cron(min hour day-of-month month day-of-week year)`, as
/// EventBridge accepts them.
/// A schedule Secrets Manager accepts for rotation: a schedule expression
/// of at least 4 hours and at most 1000 days between rotations.
pub fn check_rotation_schedule(expression: &str) -> Result<(), String> {
    check_schedule(expression)?;
    if let Some(inner) = expression
        .strip_prefix("rate(")
        .and_then(|s| s.strip_suffix(')'))
        && let Some((value, unit)) = inner.split_once(' ')
        && let Ok(value) = value.parse::<u32>()
    {
        return match unit.trim_end_matches('s') {
            "minute" => Err("Secrets Manager rotates at most every 4 hours".into()),
            "hour" if !(4..=23).contains(&value) => {
                Err("hours must be 4–23 (write days for a day or more)".into())
            }
            "day" if value > 1000 => Err("Secrets Manager rotates at least every 1000 days".into()),
            _ => Ok(()),
        };
    }
    Ok(())
}

pub fn check_schedule(expression: &str) -> Result<(), String> {
    if let Some(inner) = expression
        .strip_prefix("rate(")
        .and_then(|s| s.strip_suffix(')'))
    {
        let (value, unit) = inner
            .split_once(' ')
            .ok_or("write `rate(<number> <unit>)`")?;
        let value: u32 = value
            .parse()
            .map_err(|_| format!("`{value}` is not a positive whole number"))?;
        if value == 0 {
            return Err("the rate must be at least 1".into());
        }
        let singular = matches!(unit, "minute" | "hour" | "day");
        let plural = matches!(unit, "minutes" | "hours" | "days");
        return match (value, singular, plural) {
            (1, true, _) | (2.., _, true) => Ok(()),
            (1, _, true) => Err(format!(
                "use the singular unit with 1: `rate(1 {})`",
                unit.trim_end_matches('s')
            )),
            (_, true, _) => Err(format!("use the plural unit: `rate({value} {unit}s)`")),
            _ => Err(format!(
                "`{unit}` is not a unit; use minutes, hours or days"
            )),
        };
    }
    if let Some(inner) = expression
        .strip_prefix("cron(")
        .and_then(|s| s.strip_suffix(')'))
    {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        if fields.len() != 6 {
            return Err(format!(
                "cron has 6 fields (minute hour day-of-month month day-of-week year), found {}",
                fields.len()
            ));
        }
        let allowed = |f: &str, extra: &str| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || ",-*/".contains(c) || extra.contains(c))
        };
        let ok = allowed(fields[0], "")
            && allowed(fields[1], "")
            && allowed(fields[2], "?LW")
            && allowed(fields[3], "")
            && allowed(fields[4], "?L#")
            && allowed(fields[5], "");
        if !ok {
            return Err("a field has characters cron does not allow".into());
        }
        if (fields[2] == "?") == (fields[4] == "?") {
            return Err("exactly one of day-of-month and day-of-week must be `?`".into());
        }
        return Ok(());
    }
    Err("must be `rate(...)` or `cron(...)`".into())
}
