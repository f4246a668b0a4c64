//! `dist/SECURITY.md`: the security posture of the generated stack for a
//! reviewer who does not read CloudFormation — controls per resource, every
//! waiver and scanner suppression with its reason, each function's
//! permissions, public routes, a Mermaid graph of the service, and a
//! compliance summary.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use handlebars::{Context, Handlebars};
use serde_json::{Value, json};

use crate::text::markdown_code;

/// User text (waiver reasons, public-route reasons) for a Markdown table cell.
fn cell(text: &str) -> String {
    crate::text::markdown(text).into_owned()
}
use crate::controls;
use crate::plan::{AssumedBy, Check, Kind, Plan, Principal, Statement};

macro_rules! section {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../templates/security/", $name, ".md.hbs")),
        )
    };
}

/// The report's sections, in order. One template per section: handlebars
/// finds each element's line by scanning its template from the start, so
/// parsing grows with the square of a template's length, and one 4 KB
/// template took longer to parse than the whole plan takes to build. They
/// are rendered one after another against one context, not as partials of
/// a parent, because each partial include copies the whole context.
const SECTIONS: &[(&str, &str)] = &[
    section!("summary"),
    section!("graph"),
    section!("guarantees"),
    section!("public-routes"),
    section!("waivers"),
    section!("suppressions"),
    section!("overrides"),
    section!("function-permissions"),
    section!("deploy-roles"),
    section!("controls"),
    section!("compliance"),
];

/// The parsed templates, shared by every report the process renders.
static TEMPLATES: OnceLock<Handlebars<'static>> = OnceLock::new();

/// Parses the templates now. `build` calls it on another core while it
/// loads the spec, so that `render` finds them ready (it waits if not).
pub fn prepare() {
    TEMPLATES.get_or_init(|| crate::templates::registry(SECTIONS));
}

pub fn render(plan: &Plan, overrides: &crate::spec::Overrides) -> String {
    prepare();
    let handlebars = TEMPLATES.get().expect("prepared");
    let context = Context::wraps(data(plan, overrides)).expect("the data is JSON");
    SECTIONS
        .iter()
        .map(|(name, _)| {
            handlebars
                .render_with_context(name, &context)
                .expect("the data matches the template")
        })
        .collect()
}

fn data(plan: &Plan, overrides: &crate::spec::Overrides) -> Value {
    // Every accepted escape-hatch use, so a reviewer sees them in one place.
    let overrides: Vec<Value> = controls::overrides::by_target(overrides)
        .into_iter()
        .map(|((platform, target), (_, keys))| {
            json!({
                "target": platform,
                "resource": cell(&target),
                "settings": cell(&keys.join(", ")),
            })
        })
        .collect();
    let mut waivers = Vec::new();
    let mut suppressions = Vec::new();
    let mut public_routes = Vec::new();
    let mut functions = Vec::new();
    let mut deploy_roles = Vec::new();
    let mut resources = Vec::new();
    let mut satisfied: BTreeSet<&str> = BTreeSet::new();
    for resource in &plan.resources {
        for applied in &resource.controls {
            match &applied.waived {
                // Public routes have their own section.
                Some(reason) if applied.control != controls::ids::API_AUTHORIZER => {
                    let title = controls::find(applied.control).map_or("", |c| c.title);
                    waivers.push(json!({ "control": applied.control, "title": cell(title), "resource": resource.id, "reason": cell(reason) }));
                }
                Some(_) => {}
                None => {
                    satisfied.insert(applied.control);
                }
            }
        }
        for suppression in &resource.suppressions {
            let checks: Vec<String> = suppression.checks.iter().map(Check::label).collect();
            suppressions.push(json!({ "checks": checks.join(", "), "resource": resource.id, "reason": cell(&suppression.reason) }));
        }
        // Public routes and roles have sections of their own.
        let public = if let Kind::Route(route) = &resource.kind {
            route.public_reason.as_ref().map(|r| (&route.key, r))
        } else if let Kind::RestMethod(method) = &resource.kind {
            method.public_reason.as_ref().map(|r| (&method.key, r))
        } else {
            None
        };
        if let Some((route, reason)) = public {
            public_routes.push(json!({ "route": route, "reason": cell(reason) }));
        }
        if let Kind::Role(role) = &resource.kind {
            match role.assumed_by {
                AssumedBy::Deploy => deploy_roles.push(json!({
                    "name": resource.id,
                    "trust": role.trust.iter().map(|s| statement_row(s).1).collect::<Vec<_>>().join("; "),
                    "max_session_minutes": role.max_session_seconds.map(|s| s / 60),
                    "statements": statement_rows(&role.policy),
                })),
                AssumedBy::Function => functions.push(json!({ "name": resource.source.as_deref().unwrap_or(&resource.id), "statements": statement_rows(&role.policy) })),
            }
        }
        let applied: Vec<String> = resource
            .controls
            .iter()
            .map(|c| {
                if c.waived.is_some() {
                    format!("~~{}~~ (waived)", c.control)
                } else {
                    c.control.to_string()
                }
            })
            .collect();
        if !applied.is_empty() {
            resources.push(json!({ "id": resource.id, "kind": resource.kind.name(), "controls": applied.join(" ") }));
        }
    }
    json!({
        "service": plan.service,
        "summary": {
            "resources": plan.resources.len(),
            "applied": satisfied.len(),
            "waivers": waivers.len(),
            "suppressions": suppressions.len(),
            "public_routes": public_routes.len(),
        },
        "alerts_unsubscribed": plan.unsubscribed_alert_topic().map(|topic| topic.id.as_str()),
        "waf": plan.resources.iter().any(|r| matches!(r.kind, Kind::WebAcl(_))),
        "clients": plan.resources.iter().any(|r| matches!(r.kind, Kind::UsagePlan(_))),
        "graph": crate::graph::Graph::from_plan(plan).render(crate::graph::Format::Mermaid),
        "public_routes": public_routes,
        "waivers": waivers,
        "suppressions": suppressions,
        "overrides": overrides,
        "functions": functions,
        "deploy_roles": deploy_roles,
        "resources": resources,
        "frameworks": frameworks(&satisfied),
    })
}

fn statement_rows(statements: &[Statement]) -> Vec<Value> {
    statements
        .iter()
        .map(|s| {
            let (actions, resources) = statement_row(s);
            json!({ "actions": actions, "resources": resources })
        })
        .collect()
}

/// A statement's actions, and whom or what it applies to with its conditions.
fn statement_row(statement: &Statement) -> (String, String) {
    let code = |text: &str| markdown_code(text);
    let mut applies_to: Vec<String> = statement
        .resources
        .iter()
        .map(|r| code(&r.describe()))
        .collect();
    match &statement.principal {
        Some(Principal::Federated(provider)) => applies_to.push(code(&provider.describe())),
        Some(Principal::Service(service)) => applies_to.push(code(&service.describe())),
        _ => {}
    }
    let mut text = applies_to.join(" ");
    for (i, condition) in statement.conditions.iter().enumerate() {
        let values: Vec<String> = condition
            .values
            .iter()
            .map(|v| code(&v.describe()))
            .collect();
        let joiner = if i == 0 { "when" } else { "and" };
        text.push_str(&format!(
            " {joiner} {} is {}",
            markdown_code(&condition.key),
            values.join(" or ")
        ));
    }
    let actions = statement
        .actions
        .iter()
        .map(|a| code(a))
        .collect::<Vec<_>>()
        .join(" ");
    (actions, text)
}

/// Per framework, each reference and the applied controls that satisfy it.
fn frameworks(satisfied: &BTreeSet<&str>) -> Value {
    let mut by_framework: Vec<(&str, BTreeMap<&str, Vec<&str>>)> = vec![
        ("AWS Foundational Security Best Practices", BTreeMap::new()),
        ("CIS AWS Foundations Benchmark", BTreeMap::new()),
        ("AWS Well-Architected", BTreeMap::new()),
    ];
    for control in controls::CATALOG
        .iter()
        .filter(|c| satisfied.contains(c.id))
    {
        for (index, references) in [control.fsbp, control.cis, control.well_architected]
            .into_iter()
            .enumerate()
        {
            for reference in references {
                by_framework[index]
                    .1
                    .entry(reference)
                    .or_default()
                    .push(control.id);
            }
        }
    }
    Value::Array(
        by_framework
            .into_iter()
            .filter(|(_, references)| !references.is_empty())
            .map(|(name, references)| {
                json!({
                    "name": name,
                    "references": references
                        .into_iter()
                        .map(|(reference, ids)| json!({ "reference": reference, "controls": ids.join(" ") }))
                        .collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}
