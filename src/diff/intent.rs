//! What a change means at the level of the spec, for the top of a pull-request
//! comment: new functions and what they may touch, routes made public (with
//! the reason given), data stores removed and what happens to their data.
//! Read off the two service graphs (node IDs are the logical IDs, so a
//! resource-level change is found by the same name) and the report.

use crate::text::{markdown, markdown_code as code};
use std::collections::BTreeSet;

use super::{Report, Risk, Target};
use crate::graph::{Edge, Graph, Node, NodeKind, Relation, RouteAuth};

/// One line per thing a reviewer should know, most consequential first.
pub fn lines(old: &Graph, new: &Graph, report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let old_edges: BTreeSet<&Edge> = old.edges().collect();
    let new_edges: BTreeSet<&Edge> = new.edges().collect();
    let name = |graph: &Graph, id: &str| {
        graph
            .node(id)
            .map_or_else(|| id.to_string(), |n| n.name.clone())
    };
    // Removed first: they are where data can be lost.
    for node in old.nodes().filter(|n| new.node(&n.id).is_none()) {
        let mut line = format!("{} {} removed", kind_word(&node.kind), code(&node.name));
        if node.kind == NodeKind::Function {
            line.push_str(" (with its log group)");
        }
        let fates: Vec<String> = Target::ALL
            .into_iter()
            .filter_map(|target| {
                report
                    .changes
                    .iter()
                    .find(|c| {
                        c.target == target
                            && c.risks.contains(&Risk::DataLoss)
                            && same_resource(target, &c.resource, node)
                    })
                    .map(|c| format!("{}: {}", target_name(target), markdown(&c.details[0])))
            })
            .collect();
        if !fates.is_empty() {
            line.push_str(&format!(" — {}", fates.join("; ")));
        }
        out.push(line);
    }
    for node in new.nodes().filter(|n| old.node(&n.id).is_none()) {
        let mut line = format!("{}: new {}", code(&node.name), kind_word(&node.kind));
        if let NodeKind::Route(auth) = &node.kind {
            line.push_str(&format!(", {}", auth_words(auth)));
        }
        let reaches: Vec<String> = new_edges
            .iter()
            .filter(|e| e.from == node.id)
            .filter_map(|e| relation_words(&e.relation).map(|w| (w, e)))
            .map(|(w, e)| format!("{w} {}", code(&name(new, &e.to))))
            .collect();
        if !reaches.is_empty() {
            line.push_str(&format!(", {}", reaches.join(", ")));
        }
        out.push(line);
    }
    for node in new.nodes() {
        let Some(before) = old.node(&node.id) else {
            continue;
        };
        if before.name != node.name && !matches!(node.kind, NodeKind::Route(_)) {
            out.push(format!(
                "{} {} renamed to {} (`renamed_from`): its logical IDs, Terraform addresses and AWS names stay those of {}, so nothing is replaced (AWS cannot rename a {} in place)",
                kind_word(&node.kind),
                code(&before.name),
                code(&node.name),
                code(&before.name),
                kind_word(&node.kind)
            ));
        }
        if let (NodeKind::Route(was), NodeKind::Route(is)) = (&before.kind, &node.kind)
            && was != is
        {
            out.push(match (was, is) {
                (RouteAuth::Jwt { .. }, RouteAuth::Public { reason }) => {
                    format!("{} made public: {}", code(&node.name), markdown(reason))
                }
                (_, is) => format!("{} now {}", code(&node.name), auth_words(is)),
            });
        }
    }
    // Access gained or lost between things that were already there.
    let existing = |e: &Edge| old.node(&e.from).is_some() && new.node(&e.from).is_some();
    for edge in new_edges.difference(&old_edges).filter(|e| existing(e)) {
        if let Some(words) = relation_words(&edge.relation) {
            out.push(format!(
                "{} gains {words} {}",
                code(&name(new, &edge.from)),
                code(&name(new, &edge.to))
            ));
        }
    }
    for edge in old_edges.difference(&new_edges).filter(|e| existing(e)) {
        if let Some(words) = relation_words(&edge.relation) {
            out.push(format!(
                "{} loses {words} {}",
                code(&name(old, &edge.from)),
                code(&name(old, &edge.to))
            ));
        }
    }
    out
}

fn target_name(target: Target) -> &'static str {
    match target {
        Target::CloudFormation => "CloudFormation",
        Target::Terraform => "Terraform",
    }
}

/// Whether a change's resource is this node or goes with it (a function's
/// log group, a queue's dead-letter queue): the logical ID on
/// CloudFormation; on Terraform, an address whose name is the node's name.
fn same_resource(target: Target, resource: &str, node: &Node) -> bool {
    match target {
        Target::CloudFormation => {
            let companions: &[(&str, &str)] = match node.kind {
                NodeKind::Function => &[("Function", "LogGroup")],
                NodeKind::Queue { .. } => &[("Queue", "DeadLetterQueue")],
                NodeKind::WebAcl { .. } => &[("", "Association"), ("", "Logging")],
                NodeKind::Client { .. } => {
                    &[("UsagePlan", "ApiKey"), ("UsagePlan", "UsagePlanKey")]
                }
                NodeKind::Route(_)
                | NodeKind::Schedule
                | NodeKind::Table
                | NodeKind::DeadLetterQueue
                | NodeKind::Bucket
                | NodeKind::Topic
                | NodeKind::Secret
                | NodeKind::Key { .. } => &[],
            };
            resource == node.id
                || companions.iter().any(|(suffix, companion)| {
                    node.id
                        .strip_suffix(suffix)
                        .is_some_and(|stem| resource == format!("{stem}{companion}"))
                })
        }
        Target::Terraform => resource
            .split_once('.')
            .is_some_and(|(_, name)| name == node.name.replace('-', "_")),
    }
}

fn kind_word(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Route(_) => "route",
        NodeKind::Schedule => "schedule",
        NodeKind::Function => "function",
        NodeKind::Table => "table",
        NodeKind::Queue { .. } => "queue",
        NodeKind::DeadLetterQueue => "dead-letter queue",
        NodeKind::Bucket => "bucket",
        NodeKind::Topic => "topic",
        NodeKind::Secret => "secret",
        NodeKind::Key { .. } => "key",
        NodeKind::WebAcl { .. } => "web ACL",
        NodeKind::Client { .. } => "API client",
    }
}

fn auth_words(auth: &RouteAuth) -> String {
    match auth {
        RouteAuth::Jwt { scopes } if scopes.is_empty() => "JWT".into(),
        RouteAuth::Jwt { scopes } => format!("JWT with {}", markdown(&scopes.join(", "))),
        RouteAuth::Public { reason } => format!("**public**: {}", markdown(reason)),
    }
}

/// `read on`, `invokes`; `None` for what says nothing about access.
fn relation_words(relation: &Relation) -> Option<String> {
    match relation {
        Relation::Invokes(_) => Some("invokes".into()),
        Relation::Access(level) => Some(format!("{} on", format!("{level:?}").to_lowercase())),
        Relation::Actions(actions) => Some(format!("{} on", actions.join(", "))),
        Relation::Filters => Some("filters".into()),
        Relation::ApiKey => Some("calls with its API key".into()),
        Relation::DeadLetter { .. } => None,
    }
}
