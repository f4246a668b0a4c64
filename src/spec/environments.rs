//! `environments:`: the stages a service is deployed to (account, region,
//! deploy branches) and the tunable values each may change.
//!
//! An environment is applied to the spec before planning ([`apply`]): a
//! spec → spec transform that suffixes the service name (so two stages can
//! share an account) and swaps tunable values in. The planner and emitters
//! never see environments, so the security structure is the same in every
//! stage by construction, and a spec without `environments:` compiles
//! exactly as before. Only tunables exist in an environment's schema; any
//! other key is `E003` at its line. Raising a limit a control sets (stage or
//! route throttling, reserved concurrency) loosens that control in one stage
//! and needs the environment's own `waive:` with a reason (`E081`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::*;
use super::spanned::null_as_empty;
use crate::catalog::ids::{API_CLIENT_LIMITS, API_THROTTLING, API_WAF, FN_CONCURRENCY};
use crate::diagnostic::{Code, Diagnostic};
use crate::suggest::did_you_mean;

/// A stage of the service (`dev`, `staging`, `prod`): where it is deployed
/// and the tunable values that differ there. Security structure cannot be
/// changed per environment.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The AWS account ID, 12 digits, quoted (`"111111111111"`). `deploy`
    /// refuses credentials for any other account.
    pub account: Spanned<String>,
    /// The AWS region the stage is deployed to (for example `eu-west-1`).
    pub region: Spanned<String>,
    /// Git branches that deploy this stage (the `init` workflow deploys on
    /// pushes to them).
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub branches: Vec<Spanned<String>>,
    /// Tags added to (or replacing) the service's tags in this stage.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub tags: BTreeMap<Name, Spanned<String>>,
    /// Where this stage's alarms are sent, instead of the service's `alerts:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Alerts>,
    /// How long this stage keeps its logs: the spec's retention or longer,
    /// never shorter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<Logs>,
    /// API throttling in this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<EnvironmentApi>,
    /// Per function: memory, timeout and reserved concurrency in this stage.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub functions: BTreeMap<Name, EnvironmentFunction>,
    /// Limits this stage raises above the spec's, each with a reason:
    /// `PAL-API-003` (throttling) or `PAL-FN-003` (reserved concurrency).
    /// Scoped to this environment; shown by `check` and in SECURITY.md.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub waive: Waivers,
}

/// An environment's API settings: its limits only.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentApi {
    /// A REST API's AWS WAF per-IP limit in this environment. Above the
    /// spec's it needs `waive: { PAL-API-007: reason }` in the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waf: Option<EnvironmentWaf>,
    /// A REST API's clients' usage-plan limits in this environment, by the
    /// spec's client name, each in full (`rate`, `burst`, `quota`). Above the
    /// spec's they need `waive: { PAL-API-008: reason }` in the environment.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub clients: BTreeMap<Name, super::Client>,
    /// Stage-wide throttling in this environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<Spanned<Throttle>>,
    /// Per-route throttling in this environment, by the spec's route key.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub routes: BTreeMap<Spanned<String>, EnvironmentRoute>,
}

/// An environment's AWS WAF setting.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentWaf {
    /// Requests one client IP may make per the spec's window.
    pub rate_per_ip: Spanned<u32>,
}

/// An environment's settings for one route.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentRoute {
    /// Throttling for this route in this environment.
    pub throttle: Spanned<Throttle>,
}

/// An environment's settings for one function.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentFunction {
    /// Memory in MB, 128 to 10240.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Spanned<u32>>,
    /// Timeout in seconds, 1 to 900.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Spanned<u32>>,
    /// Reserved concurrency. Above the spec's value it needs
    /// `waive: { PAL-FN-003: reason }` in the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Spanned<u32>>,
}

/// A limit an environment raises above the spec's, and the waiver that
/// allows it (absent only in a spec that fails to load).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loosening {
    pub control: &'static str,
    /// What is loosened, in words: `function get-order: reserved concurrency 10 → 50`.
    pub what: String,
    pub loc: Loc,
    pub reason: Option<String>,
}

/// The most characters an environment name may have: it is appended to the
/// service name, which must stay within a spec name's 41.
fn fits(service: &str, environment: &str) -> bool {
    service.len() + 1 + environment.len() <= 41
}

/// Checks the `environments:` section of a spec that parsed: names, account
/// and region formats, references to functions and routes, and that each
/// loosening has a waiver scoped to its environment. Values are checked
/// once applied ([`apply`] re-validates), at the environment's lines.
pub fn validate(spec: &Spec) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (name, env) in &spec.environments {
        let mut error = |loc: Loc, message: String, suggestion: Option<String>| {
            let d = Diagnostic::error(Code::Environment, loc, message);
            found.push(match suggestion {
                Some(s) => d.with_suggestion(s),
                None => d,
            });
        };
        if !super::validate::is_kebab(name) {
            error(
                name.loc,
                format!("environment name `{}` is not kebab-case", name.value),
                Some("for example `dev`, `staging` or `prod`".into()),
            );
        } else if !fits(&spec.service, name) {
            error(
                name.loc,
                format!(
                    "`{}-{}` (the service name in this environment) is longer than 41 characters",
                    spec.service.value, name.value
                ),
                Some("use a shorter environment name".into()),
            );
        }
        let account = &env.account;
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            error(
                account.loc,
                format!("`{}` is not an AWS account ID", account.value),
                Some("an account ID is 12 digits, quoted: `account: \"111111111111\"`".into()),
            );
        }
        if !is_region(&env.region) {
            error(
                env.region.loc,
                format!("`{}` is not an AWS region", env.region.value),
                Some("for example `us-east-1` or `eu-central-1`".into()),
            );
        }
        for branch in &env.branches {
            if branch.trim().is_empty() || branch.contains(['*', '?', ' ']) {
                error(
                    branch.loc,
                    format!("`{}` is not an exact branch name", branch.value),
                    Some("name each branch exactly, without wildcards".into()),
                );
            }
        }
        for function in env.functions.keys() {
            if !spec.functions.contains_key(function) {
                let names = spec.functions.keys().map(|n| n.value.as_str());
                error(
                    function.loc,
                    format!(
                        "environment `{}` tunes function `{}`, which the spec does not declare",
                        name.value, function.value
                    ),
                    did_you_mean(function, names).map(|s| format!("did you mean `{s}`?")),
                );
            }
        }
        if let Some(api) = &env.api {
            match &spec.api {
                None => error(
                    name.loc,
                    format!(
                        "environment `{}` sets `api:`, but the spec has no API",
                        name.value
                    ),
                    None,
                ),
                Some(base) => {
                    for client in api.clients.keys() {
                        if !base.clients.contains_key(client) {
                            let names = base.clients.keys().map(|k| k.value.as_str());
                            error(
                                client.loc,
                                format!(
                                    "environment `{}` tunes client `{}`, which the spec does not declare",
                                    name.value, client.value
                                ),
                                did_you_mean(client, names).map(|s| format!("did you mean `{s}`?")),
                            );
                        }
                    }
                    if let Some(waf) = &api.waf
                        && (base.api_type() != super::ApiType::Rest
                            || base.waive.contains_key(API_WAF))
                    {
                        error(
                            waf.rate_per_ip.loc,
                            format!(
                                "environment `{}` tunes AWS WAF, which the spec's API does not have",
                                name.value
                            ),
                            Some("AWS WAF protects a `type: rest` API that does not waive PAL-API-007".into()),
                        );
                    }
                    for route in api.routes.keys() {
                        if !base.routes.contains_key(route) {
                            let keys = base.routes.keys().map(|k| k.value.as_str());
                            error(
                                route.loc,
                                format!(
                                    "environment `{}` throttles route `{}`, which the spec does not declare",
                                    name.value, route.value
                                ),
                                did_you_mean(route, keys).map(|s| format!("did you mean `{s}`?")),
                            );
                        }
                    }
                }
            }
        }
        if let Some(days) = env.logs.as_ref().and_then(|l| l.retention_days.as_ref())
            && days.value < spec.log_retention_days()
        {
            found.push(
                Diagnostic::error(
                    Code::EnvironmentLoosening,
                    days.loc,
                    format!(
                        "environment `{}` keeps logs {} days, less than the spec's {}",
                        name.value,
                        days.value,
                        spec.log_retention_days()
                    ),
                )
                .with_suggestion(
                    "an environment may keep logs longer than the spec, never shorter",
                ),
            );
        }
        let loosened = loosenings(spec, env);
        for l in &loosened {
            if l.reason.is_none() {
                found.push(
                    Diagnostic::error(
                        Code::EnvironmentLoosening,
                        l.loc,
                        format!(
                            "environment `{}` loosens {} ({}) without a waiver",
                            name.value, l.control, l.what
                        ),
                    )
                    .with_suggestion(format!(
                        "keep the spec's limit, or add `waive: {{ {}: <reason> }}` to environment `{}`",
                        l.control, name.value
                    )),
                );
            }
        }
        for (control, reason) in &env.waive {
            let scoped = TUNED_LIMITS.contains(&control.value.as_str());
            if !scoped {
                found.push(
                    Diagnostic::error(
                        Code::EnvironmentLoosening,
                        control.loc,
                        format!(
                            "environment `{}` cannot waive `{}`: every environment has the same security controls",
                            name.value, control.value
                        ),
                    )
                    .with_suggestion(format!(
                        "an environment may waive only the limits it raises ({}); waive other controls on the resource in the spec, for every environment",
                        TUNED_LIMITS.join(", ")
                    )),
                );
            } else if reason.trim().is_empty() {
                found.push(Diagnostic::error(
                    Code::Waiver,
                    reason.loc,
                    format!("the waiver of `{}` needs a reason", control.value),
                ));
            } else if !loosened.iter().any(|l| l.control == control.value) {
                found.push(
                    Diagnostic::error(
                        Code::EnvironmentLoosening,
                        control.loc,
                        format!(
                            "environment `{}` waives `{}` but does not loosen it",
                            name.value, control.value
                        ),
                    )
                    .with_suggestion("remove the waiver"),
                );
            }
        }
    }
    found
}

/// `xx-name-N` (and longer forms such as `us-gov-west-1`).
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// The limits `env` raises above the spec's, each with the environment's
/// waiver reason if it has one.
pub fn loosenings(spec: &Spec, env: &Environment) -> Vec<Loosening> {
    let waived = |control: &str| {
        env.waive
            .iter()
            .find(|(k, v)| k.value == control && !v.trim().is_empty())
            .map(|(_, v)| v.value.clone())
    };
    let mut found = Vec::new();
    let higher = |new: &Throttle, old: &Throttle| new.rate > old.rate || new.burst > old.burst;
    if let (Some(api), Some(base)) = (&env.api, &spec.api) {
        let stage = base.throttle.unwrap_or(super::DEFAULT_THROTTLE);
        if let Some(throttle) = &api.throttle
            && higher(throttle, &stage)
        {
            found.push(Loosening {
                control: API_THROTTLING,
                what: format!(
                    "API throttling {}/{} → {}/{}",
                    stage.rate, stage.burst, throttle.rate, throttle.burst
                ),
                loc: throttle.loc,
                reason: waived(API_THROTTLING),
            });
        }
        let spec_waf = base
            .waf
            .as_ref()
            .and_then(|w| w.rate_per_ip.as_ref())
            .map_or(super::DEFAULT_WAF_RATE_PER_IP, |r| r.value);
        if let Some(waf) = &api.waf
            && waf.rate_per_ip.value > spec_waf
        {
            found.push(Loosening {
                control: API_WAF,
                what: format!(
                    "AWS WAF per-IP limit {spec_waf} → {}",
                    waf.rate_per_ip.value
                ),
                loc: waf.rate_per_ip.loc,
                reason: waived(API_WAF),
            });
        }
        for (name, client) in &api.clients {
            let Some(old) = base.clients.get(name) else {
                continue;
            };
            let mut raised = Vec::new();
            if client.rate.value > old.rate.value || client.burst.value > old.burst.value {
                raised.push(format!(
                    "{}/{} → {}/{}",
                    old.rate.value, old.burst.value, client.rate.value, client.burst.value
                ));
            }
            if quota_raised(old.quota.as_deref(), client.quota.as_deref()) {
                let shown = |q: Option<&super::Quota>| {
                    q.map_or("no quota".to_string(), |q| {
                        format!("{} per {:?}", q.limit, q.period).to_lowercase()
                    })
                };
                raised.push(format!(
                    "quota {} → {}",
                    shown(old.quota.as_deref()),
                    shown(client.quota.as_deref())
                ));
            }
            if !raised.is_empty() {
                found.push(Loosening {
                    control: API_CLIENT_LIMITS,
                    what: format!("client `{}` {}", name.value, raised.join(", ")),
                    loc: client.rate.loc,
                    reason: waived(API_CLIENT_LIMITS),
                });
            }
        }
        for (key, route) in &api.routes {
            let Some(spec_route) = base.routes.get(key) else {
                continue;
            };
            let old = spec_route.throttle.unwrap_or(stage);
            if higher(&route.throttle, &old) {
                found.push(Loosening {
                    control: API_THROTTLING,
                    what: format!(
                        "route `{}` throttling {}/{} → {}/{}",
                        key.value, old.rate, old.burst, route.throttle.rate, route.throttle.burst
                    ),
                    loc: route.throttle.loc,
                    reason: waived(API_THROTTLING),
                });
            }
        }
    }
    for (name, tuned) in &env.functions {
        let (Some(function), Some(concurrency)) = (spec.functions.get(name), &tuned.concurrency)
        else {
            continue;
        };
        let old = function
            .concurrency
            .as_ref()
            .map_or(super::DEFAULT_CONCURRENCY, |c| c.value);
        if concurrency.value > old {
            found.push(Loosening {
                control: FN_CONCURRENCY,
                what: format!(
                    "function `{}` reserved concurrency {old} → {}",
                    name.value, concurrency.value
                ),
                loc: concurrency.loc,
                reason: waived(FN_CONCURRENCY),
            });
        }
    }
    found
}

/// The limits an environment may raise, each with the environment's waiver.
const TUNED_LIMITS: &[&str] = &[API_THROTTLING, FN_CONCURRENCY, API_WAF, API_CLIENT_LIMITS];

/// Whether `new` lets a client make more requests than `old`: no quota where
/// there was one, or more per day on average (a month counted as 30 days).
fn quota_raised(old: Option<&super::Quota>, new: Option<&super::Quota>) -> bool {
    let days = |q: &super::Quota| match q.period {
        super::QuotaPeriod::Day => 1u64,
        super::QuotaPeriod::Week => 7,
        super::QuotaPeriod::Month => 30,
    };
    match (old, new) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(old), Some(new)) => {
            u64::from(new.limit) * days(old) > u64::from(old.limit) * days(new)
        }
    }
}

/// The spec as deployed to environment `name`: the service name suffixed
/// with `-<name>`, the environment's region, tags, alerts, throttling and
/// function settings swapped in. `None` when the spec has no such
/// environment. The caller re-validates the result.
pub fn apply(spec: &Spec, name: &str) -> Option<Spec> {
    let env = spec.environments.get(name)?;
    let mut applied = spec.clone();
    applied.service.value = format!("{}-{name}", spec.service.value);
    applied.region = Some(env.region.clone());
    for (key, value) in &env.tags {
        applied.tags.remove(key);
        applied.tags.insert(key.clone(), value.clone());
    }
    if let Some(alerts) = &env.alerts {
        applied.alerts = Some(alerts.clone());
    }
    if let Some(logs) = env.logs.as_ref().filter(|l| l.retention_days.is_some()) {
        applied.logs = Some(logs.clone());
    }
    if let (Some(tuned), Some(api)) = (&env.api, &mut applied.api) {
        if let Some(throttle) = &tuned.throttle {
            api.throttle = Some(throttle.value);
        }
        if let Some(tuned_waf) = &tuned.waf {
            let waf = api.waf.get_or_insert_with(|| Spanned {
                value: super::Waf::default(),
                loc: tuned_waf.rate_per_ip.loc,
            });
            waf.value.rate_per_ip = Some(tuned_waf.rate_per_ip.clone());
        }
        for (name, client) in &tuned.clients {
            if let Some(target) = api.clients.get_mut(name) {
                *target = client.clone();
            }
        }
        for (key, route) in &tuned.routes {
            if let Some(target) = api.routes.get_mut(key) {
                target.throttle = Some(route.throttle.value);
            }
        }
    }
    for (function, tuned) in &env.functions {
        if let Some(target) = applied.functions.get_mut(function) {
            if let Some(memory) = &tuned.memory {
                target.memory = Some(memory.clone());
            }
            if let Some(timeout) = &tuned.timeout {
                target.timeout = Some(timeout.clone());
            }
            if let Some(concurrency) = &tuned.concurrency {
                target.concurrency = Some(concurrency.clone());
            }
        }
    }
    // The compiled stage carries no environments: it is one of them.
    applied.environments.clear();
    Some(applied)
}

/// The environments a spec declares, for messages: `staging, prod`.
pub fn known(spec: &Spec) -> String {
    if spec.environments.is_empty() {
        return "the spec declares no `environments:`".into();
    }
    let names: Vec<&str> = spec.environments.keys().map(|k| k.value.as_str()).collect();
    format!("known environments: {}", names.join(", "))
}

/// The environment a spec was compiled for, as `check` and SECURITY.md
/// report it.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub account: String,
    pub region: String,
    /// The service name in this environment (the stack's name).
    pub service: String,
    /// Limits raised above the spec's, each waived in the environment.
    pub loosenings: Vec<Loosening>,
}

/// Why a spec could not be compiled for an environment.
#[derive(Debug)]
pub enum StageError {
    /// No environment of that name: the message lists the known ones.
    Unknown(String),
    /// The environment's values break the spec's rules, at their lines.
    Invalid(Vec<Diagnostic>),
}

/// `loaded` as deployed to environment `name`, validated again with the
/// environment's values in place (so a memory out of range points at the
/// environment's line).
pub fn stage(loaded: &super::LoadedSpec, name: &str) -> Result<super::LoadedSpec, StageError> {
    let spec = &loaded.spec;
    let (Some(applied), Some(env)) = (apply(spec, name), spec.environments.get(name)) else {
        let names = spec.environments.keys().map(|k| k.value.as_str());
        let hint =
            did_you_mean(name, names).map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
        return Err(StageError::Unknown(format!(
            "--env {name}: no such environment{hint}; {}",
            known(spec)
        )));
    };
    let context = super::validate::Context {
        today: super::runtime::today(),
        base_dir: None,
        control: &crate::catalog::find,
    };
    let mut found: Vec<Diagnostic> = super::validate::validate(&applied, &context)
        .into_iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .collect();
    if !found.is_empty() {
        for d in &mut found {
            d.file = loaded.source.path.clone();
        }
        crate::diagnostic::sort(&mut found);
        return Err(StageError::Invalid(found));
    }
    Ok(super::LoadedSpec {
        source: loaded.source.clone(),
        stage: Some(Stage {
            name: name.to_string(),
            account: env.account.value.clone(),
            region: env.region.value.clone(),
            service: applied.service.value.clone(),
            loosenings: loosenings(spec, env),
        }),
        spec: applied,
        warnings: loaded.warnings.clone(),
    })
}

/// The section SECURITY.md and `check` add for a build for an environment.
/// `escape` makes the waiver reasons (user text) safe for where the section
/// goes: [`crate::text::markdown`] in SECURITY.md, [`crate::text::terminal`]
/// in `check`'s text report.
pub fn describe(stage: &Stage, escape: fn(&str) -> std::borrow::Cow<'_, str>) -> String {
    let mut text = format!(
        "\n## Environment `{}`\n\nStack `{}` in account {} ({}). Security controls are the spec's; only tunable values differ.\n",
        stage.name, stage.service, stage.account, stage.region
    );
    if stage.loosenings.is_empty() {
        text.push_str("\nNo limit is raised above the spec's.\n");
    } else {
        text.push_str("\nLimits raised in this environment, each waived here only:\n\n");
        for l in &stage.loosenings {
            let reason = escape(l.reason.as_deref().unwrap_or(""));
            text.push_str(&format!("- {} {}: waived: {reason}\n", l.control, l.what));
        }
    }
    text
}

/// `check`'s report with the environment added: a section after the text
/// report, an `environment` member in JSON. Not for SARIF, which carries
/// the environment's waivers as suppressed results (`check::check`).
pub fn add_to_check(report: String, stage: &Stage, json: bool) -> String {
    if !json {
        return report + &describe(stage, crate::text::terminal);
    }
    let Ok(serde_json::Value::Object(mut object)) =
        serde_json::from_str::<serde_json::Value>(&report)
    else {
        return report;
    };
    let loosened: Vec<serde_json::Value> = stage
        .loosenings
        .iter()
        .map(|l| serde_json::json!({ "control": l.control, "what": l.what, "reason": l.reason }))
        .collect();
    object.insert(
        "environment".into(),
        serde_json::json!({
            "name": stage.name,
            "account": stage.account,
            "region": stage.region,
            "service": stage.service,
            "waived_loosenings": loosened,
        }),
    );
    let mut text =
        serde_json::to_string_pretty(&serde_json::Value::Object(object)).unwrap_or(report);
    text.push('\n');
    text
}
