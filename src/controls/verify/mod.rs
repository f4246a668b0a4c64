//! The verification pass: the finished plan is checked against every control
//! again, so a planner bug can never ship a stack that silently lacks one.
//! One file per control family, named as in `src/catalog/`; each checks the
//! controls its catalog file declares.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::{Effect, Kind, Plan, Resource};

mod api;
mod ci;
mod data;
mod function;
mod iam;
mod kms;
mod monitoring;
mod tls;

/// A control the plan does not satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub control: &'static str,
    pub resource: String,
    pub message: String,
}

/// What the families' checks look up across the plan, computed once.
struct Context<'a> {
    plan: &'a Plan,
    by_id: BTreeMap<&'a str, &'a Resource>,
    /// Resources an alarm watches, with the alarm's metric.
    alarm_metrics: BTreeSet<(&'a str, &'static str)>,
    /// Resources with a TLS-only resource policy.
    tls_only: BTreeSet<&'a str>,
    /// How many functions use each role.
    role_users: BTreeMap<&'a str, usize>,
}

impl<'a> Context<'a> {
    fn new(plan: &'a Plan) -> Self {
        let mut cx = Context {
            plan,
            by_id: plan.resources.iter().map(|r| (r.id.as_str(), r)).collect(),
            alarm_metrics: BTreeSet::new(),
            tls_only: BTreeSet::new(),
            role_users: BTreeMap::new(),
        };
        for resource in &plan.resources {
            if let Kind::Alarm(alarm) = &resource.kind {
                for (_, value) in &alarm.dimensions {
                    for id in value.references() {
                        cx.alarm_metrics.insert((id.as_str(), alarm.metric));
                    }
                }
            }
            if let Kind::ResourcePolicy(policy) = &resource.kind
                && policy.statements.iter().any(|s| {
                    s.effect == Effect::Deny
                        && s.conditions.iter().any(|c| c.key == "aws:SecureTransport")
                })
            {
                cx.tls_only.insert(policy.target.as_str());
            }
            if let Kind::Function(f) = &resource.kind {
                *cx.role_users.entry(f.role.as_str()).or_default() += 1;
            }
        }
        cx
    }

    fn alarmed(&self, id: &str) -> bool {
        self.alarm_metrics.iter().any(|(watched, _)| *watched == id)
    }
}

/// Findings of one family's checks on one resource.
struct Findings<'r> {
    resource: &'r Resource,
    found: Vec<Finding>,
}

impl Findings<'_> {
    fn add(&mut self, control: &'static str, message: impl Into<String>) {
        self.found.push(Finding {
            control,
            resource: self.resource.id.clone(),
            message: message.into(),
        });
    }

    /// Whether the control applies to the resource and was not waived.
    fn enforced(&self, control: &str) -> bool {
        self.resource
            .controls
            .iter()
            .any(|c| c.control == control && c.waived.is_none())
    }

    fn waived(&self, control: &str) -> bool {
        self.resource
            .controls
            .iter()
            .any(|c| c.control == control && c.waived.is_some())
    }
}

/// Every family's check, in catalog order.
const FAMILIES: &[fn(&Context, &mut Findings)] = &[
    iam::check,
    kms::check,
    tls::check,
    api::check,
    function::check,
    data::check,
    monitoring::check,
    ci::check,
];

/// Every finding for the plan; empty for a correct plan.
pub fn verify(plan: &Plan) -> Vec<Finding> {
    let cx = Context::new(plan);
    let mut all = Vec::new();
    for resource in &plan.resources {
        let mut findings = Findings {
            resource,
            found: Vec::new(),
        };
        for family in FAMILIES {
            family(&cx, &mut findings);
        }
        all.extend(findings.found);
    }
    all
}
