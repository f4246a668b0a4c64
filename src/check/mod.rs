//! `palisade check`: the spec and its plan evaluated against every control —
//! per resource, which controls are applied, waived (with the reason and the
//! waiver's place in the spec) or violated — plus advisories (a newer runtime
//! exists, a secret is not rotated). `render` prints it as text, JSON or
//! SARIF.

pub mod render;

use serde::Serialize;

use crate::controls::{self, ids};
use crate::pipeline;
use crate::plan::{self, Plan};
use crate::spec::{LoadedSpec, Loc, Spec, runtime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Applied,
    Waived,
    Violated,
}

/// One control on one resource.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub control: &'static str,
    pub resource: String,
    pub status: Status,
    /// The waiver's reason, or what is violated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Where in the spec: the waiver, the override, or the resource.
    pub line: u32,
    pub column: u32,
}

/// Something worth doing that no control requires.
#[derive(Debug, Clone, Serialize)]
pub struct Advisory {
    pub rule: &'static str,
    pub message: String,
    pub line: u32,
    pub column: u32,
}

pub const RUNTIME_UPDATE: &str = "palisade.runtime-update";
pub const ALERTS_UNSUBSCRIBED: &str = "palisade.alerts-unsubscribed";
pub const CLIENT_OVER_WAF_LIMIT: &str = "palisade.client-over-waf-limit";
pub const NESTED_STACKS_UNPINNED: &str = "palisade.nested-stacks-unpinned";

/// An override `build` accepted: listed so every escape-hatch use is seen.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptedOverride {
    pub target: &'static str,
    pub resource: String,
    pub settings: Vec<String>,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub evaluations: Vec<Evaluation>,
    pub advisories: Vec<Advisory>,
    pub overrides: Vec<AcceptedOverride>,
}

impl Assessment {
    pub fn violations(&self) -> impl Iterator<Item = &Evaluation> {
        self.evaluations
            .iter()
            .filter(|e| e.status == Status::Violated)
    }
}

/// Evaluates a loaded spec through the pipeline: controls the final
/// artifacts fail through overrides are violations here (in `build` they are
/// errors); an override of the wrong shape is still invalid input.
pub fn check(loaded: &LoadedSpec) -> crate::Result<Assessment> {
    let compiled = pipeline::run(loaded, &Default::default())?;
    let spec = &loaded.spec;
    let mut evaluations = applied_and_waived(spec, &compiled.plan);
    for located in &compiled.violations {
        let v = &located.violation;
        let message = format!(
            "{} (through the override at {}:{})",
            v.message, located.at.loc.line, located.at.loc.column
        );
        // A control the plan applies but the final artifact fails is
        // violated, not also applied.
        let planned = evaluations.iter_mut().find(|e| {
            e.control == v.control && e.resource == v.resource && e.status == Status::Applied
        });
        match planned {
            Some(evaluation) => {
                evaluation.status = Status::Violated;
                evaluation.message = Some(message);
                evaluation.line = located.at.loc.line;
                evaluation.column = located.at.loc.column;
            }
            None => evaluations.push(Evaluation {
                control: v.control,
                resource: v.resource.clone(),
                status: Status::Violated,
                message: Some(message),
                line: located.at.loc.line,
                column: located.at.loc.column,
            }),
        }
    }
    // A limit this environment raises, with the waiver scoped to it: waived
    // here like any other, so every format (SARIF included) carries it.
    if let Some(stage) = &loaded.stage {
        for loosening in &stage.loosenings {
            evaluations.push(Evaluation {
                control: loosening.control,
                resource: format!("environment {}", stage.name),
                status: Status::Waived,
                message: Some(format!(
                    "{}: {}",
                    loosening.what,
                    loosening.reason.as_deref().unwrap_or("")
                )),
                line: loosening.loc.line,
                column: loosening.loc.column,
            });
        }
    }
    let overrides = controls::overrides::by_target(&spec.overrides)
        .into_iter()
        .map(|((target, resource), (loc, settings))| AcceptedOverride {
            target,
            resource,
            settings,
            line: loc.line,
            column: loc.column,
        })
        .collect();
    Ok(Assessment {
        evaluations,
        advisories: advisories(spec, &compiled.plan)
            .into_iter()
            .chain(nested_unpinned(spec, &compiled.cloudformation))
            .collect(),
        overrides,
    })
}

fn applied_and_waived(spec: &Spec, plan: &Plan) -> Vec<Evaluation> {
    let mut evaluations = Vec::new();
    for resource in &plan.resources {
        for applied in &resource.controls {
            let (status, loc) = match &applied.waived {
                Some(_) => (
                    Status::Waived,
                    waiver_loc(spec, resource, applied.control).unwrap_or(resource.loc),
                ),
                None => (Status::Applied, resource.loc),
            };
            evaluations.push(Evaluation {
                control: applied.control,
                resource: resource.id.clone(),
                status,
                message: applied.waived.clone(),
                line: loc.line,
                column: loc.column,
            });
        }
    }
    evaluations
}

/// Where the spec waives `control` for the resource (or, for a public route,
/// where it says `public:`).
fn waiver_loc(spec: &Spec, resource: &plan::Resource, control: &str) -> Option<Loc> {
    if control == ids::API_AUTHORIZER {
        return match &resource.kind {
            plan::Kind::Route(route) => spec
                .api
                .as_ref()?
                .routes
                .get(route.key.as_str())?
                .public
                .as_ref()
                .map(|p| p.loc),
            _ => None,
        };
    }
    pipeline::waiver_loc(spec, resource, control)
}

fn advisories(spec: &Spec, plan: &Plan) -> Vec<Advisory> {
    let mut advisories = Vec::new();
    if let Some(alerts) = &spec.alerts
        && alerts.email.value == crate::scaffold::PLACEHOLDER_ALERTS_EMAIL
    {
        advisories.push(Advisory {
            rule: ALERTS_UNSUBSCRIBED,
            message: format!(
                "`alerts.email` is `{}`, the placeholder `palisade init` wrote: set your team's address so an alarm reaches someone",
                alerts.email.value
            ),
            line: alerts.email.loc.line,
            column: alerts.email.loc.column,
        });
    }
    if let Some(topic) = plan.unsubscribed_alert_topic() {
        advisories.push(Advisory {
            rule: ALERTS_UNSUBSCRIBED,
            message: format!(
                "the alarms notify `{}`, which has no subscriber: add `alerts: {{ email: team@example.com }}` so an alarm reaches someone",
                topic.id
            ),
            line: topic.loc.line,
            column: topic.loc.column,
        });
    }
    let runtimes = spec
        .runtime
        .iter()
        .chain(spec.functions.values().filter_map(|f| f.runtime.as_ref()));
    for runtime in runtimes {
        if let Some(known) = runtime::find(runtime) {
            let newest = runtime::newest(known.family);
            if newest.id != known.id {
                advisories.push(Advisory {
                    rule: RUNTIME_UPDATE,
                    message: format!(
                        "runtime `{}` is supported until {}; `{}` is the newest of its family",
                        known.id,
                        known.deprecation_date(),
                        newest.id
                    ),
                    line: runtime.loc.line,
                    column: runtime.loc.column,
                });
            }
        }
    }
    // A client's plan lets it send more from one address than AWS WAF lets
    // one address send: calling from one IP, it is blocked below its plan.
    if let Some(api) = &spec.api
        && api.api_type() == crate::spec::ApiType::Rest
        && !api.waive.contains_key(crate::catalog::ids::API_WAF)
    {
        let waf = api.waf.as_ref().map(|w| &w.value);
        let per_ip = waf
            .and_then(|w| w.rate_per_ip.as_ref())
            .map_or(crate::spec::DEFAULT_WAF_RATE_PER_IP, |r| r.value);
        let window = waf
            .and_then(|w| w.window.as_ref())
            .map_or(crate::spec::DEFAULT_WAF_WINDOW, |w| w.value);
        for (name, client) in &api.clients {
            let planned = u64::from(client.rate.value) * u64::from(window);
            if planned > u64::from(per_ip) {
                advisories.push(Advisory {
                    rule: CLIENT_OVER_WAF_LIMIT,
                    message: format!(
                        "client `{}` may send {}/s ({planned} per {window} s), but AWS WAF blocks an IP address after {per_ip} per {window} s: from one address it is blocked below its plan; raise `waf.rate_per_ip` if it calls from few addresses",
                        name.value, client.rate.value
                    ),
                    line: client.rate.loc.line,
                    column: client.rate.loc.column,
                });
            }
        }
    }
    // Secret rotation was an advisory here; it is control PAL-DATA-010 now.
    advisories
}

/// A service split into nested stacks by counts chosen from its size: the
/// counts double as it grows, and then about half of a tier's entries
/// move between stacks, which replaces them (a store loses its data).
fn nested_unpinned(spec: &Spec, template: &serde_json::Value) -> Option<Advisory> {
    use crate::emit::cloudformation::nested;
    if !nested::pinned(spec) && !nested::needed(template, None) {
        return None;
    }
    let (functions, stores) = nested::next_doubling(spec);
    let (function_stacks, data_stacks) = nested::shard_counts(spec);
    let mut moves = Vec::new();
    if let Some(at) = functions {
        moves.push(format!(
            "at {at} functions the {function_stacks} function stacks double and about half the functions move to another stack (each replaced)"
        ));
    }
    if let Some(at) = stores {
        moves.push(format!(
            "at {at} tables, queues, buckets, topics and secrets the {data_stacks} data stacks double and about half of them move (replaced: their data is lost)"
        ));
    }
    if moves.is_empty() {
        return None;
    }
    Some(Advisory {
        rule: NESTED_STACKS_UNPINNED,
        message: format!(
            "the CloudFormation output is nested stacks with counts chosen from the spec's size: {}; pin them now with `nested_stacks: {{ functions: {function_stacks}, data: {data_stacks} }}` (or larger powers of two) so that growth moves nothing",
            moves.join("; ")
        ),
        line: spec.service.loc.line,
        column: spec.service.loc.column,
    })
}
