//! `palisade diff`: what a change does to the generated stack, resource by
//! resource and IAM statement by statement, with the changes that widen
//! access or can lose data called out.

pub mod accept;
pub mod classify;
pub mod intent;
pub mod load;
pub mod nested;
mod normalize;
pub mod plan;
pub mod render;
pub mod replacement;
pub mod terraform;
pub mod vocabulary;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

pub use normalize::normalize;

/// Which generated stack a change is in.
pub use crate::catalog::Target;

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One resource of one target in canonical form (see [`normalize`]): a
/// CloudFormation resource with its `Type`, or a Terraform block's body.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub resource_type: String,
    pub value: Value,
}

/// What happens to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
    /// The resource's identity changes: the cloud deletes and recreates it.
    Replaced,
}

/// Why a reviewer should look twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    Broadening,
    DataLoss,
    /// Palisade could not tell what the change does (a policy it cannot
    /// read, say): a person must, so it is never passed as benign.
    Unanalysed,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Broadening => "broadening",
            Risk::DataLoss => "data-loss",
            Risk::Unanalysed => "unanalysed",
        }
    }
}

/// One property that differs, at a path inside the resource.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    /// `Properties.MemorySize`, `Properties.Policies.PolicyName=x.PolicyDocument...`,
    /// `memory_size`, `policy.Statement.Sid=x...`
    pub path: Vec<String>,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

impl PropertyChange {
    pub fn path_text(&self) -> String {
        self.path.join(".")
    }
}

/// One resource's change.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub target: Target,
    /// The logical ID (CloudFormation) or address (Terraform).
    pub resource: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub change: ChangeKind,
    pub risks: BTreeSet<Risk>,
    /// Human-readable lines: IAM statements, property paths old → new, notes.
    /// The risky ones come first.
    pub details: Vec<String>,
    /// How many of `details` (from the front) explain the risks.
    #[serde(skip)]
    pub risky_details: usize,
    /// Why a reviewed data-loss change is fine (`.palisade/accept.yaml`):
    /// it keeps its risk but no longer fails `--fail-on data-loss`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// The resource before and after (canonical JSON), for unified diffs.
    #[serde(skip)]
    pub old: Option<Value>,
    #[serde(skip)]
    pub new: Option<Value>,
}

/// Everything that differs between two stacks, on each target compared.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The targets compared, so that one without changes still says so.
    #[serde(skip)]
    pub targets: Vec<Target>,
    pub changes: Vec<Change>,
    /// Functions whose handler code differs and nothing else about them
    /// (the specs compile alike): benign, listed one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub code_changes: Vec<String>,
    /// Acceptances that named no data-loss change.
    #[serde(skip)]
    pub unused_acceptances: Vec<accept::Entry>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub modified: usize,
    pub replaced: usize,
    pub broadening: usize,
    pub data_loss: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub unanalysed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Report {
    pub fn summary(&self) -> Summary {
        self.summary_of(|_| true)
    }

    /// The summary of one target's changes.
    pub fn target_summary(&self, target: Target) -> Summary {
        self.summary_of(|c| c.target == target)
    }

    fn summary_of(&self, keep: impl Fn(&Change) -> bool) -> Summary {
        let mut summary = Summary::default();
        for change in self.changes.iter().filter(|c| keep(c)) {
            match change.change {
                ChangeKind::Added => summary.added += 1,
                ChangeKind::Removed => summary.removed += 1,
                ChangeKind::Modified => summary.modified += 1,
                ChangeKind::Replaced => summary.replaced += 1,
            }
            summary.broadening += usize::from(change.risks.contains(&Risk::Broadening));
            summary.data_loss += usize::from(change.risks.contains(&Risk::DataLoss));
            summary.unanalysed += usize::from(change.risks.contains(&Risk::Unanalysed));
        }
        summary
    }

    pub fn has_risk(&self, risk: Risk) -> bool {
        self.changes.iter().any(|c| c.risks.contains(&risk))
    }

    /// A change of this risk that no acceptance covers: what `--fail-on` fails.
    pub fn has_unaccepted(&self, risk: Risk) -> bool {
        self.changes
            .iter()
            .any(|c| c.risks.contains(&risk) && c.accepted.is_none())
    }

    /// Risky changes first (data loss, then broadening), then by target and resource.
    pub fn sort(&mut self) {
        self.changes.sort_by(|a, b| {
            let rank = |c: &Change| {
                (
                    !c.risks.contains(&Risk::DataLoss),
                    !c.risks.contains(&Risk::Broadening),
                    !c.risks.contains(&Risk::Unanalysed),
                )
            };
            (rank(a), a.target, &a.resource).cmp(&(rank(b), b.target, &b.resource))
        });
    }
}

/// Compares two inputs on every target both carry (both, for two specs).
pub fn compare(old: &load::Input, new: &load::Input) -> Report {
    compare_on(old, new, &load::common_targets(old, new))
}

/// Compares two inputs on each of `targets` (both inputs must carry them;
/// see [`load::targets`]), with waivers when both are specs.
pub fn compare_on(old: &load::Input, new: &load::Input, targets: &[Target]) -> Report {
    let mut report = Report {
        targets: targets.to_vec(),
        ..Report::default()
    };
    for &target in targets {
        let mut part = match target {
            Target::CloudFormation => match (old.cloudformation(), new.cloudformation()) {
                (Some(old), Some(new)) => {
                    let mut part = compare_cloudformation(old, new);
                    nested::mark_moves(&mut part, old, new);
                    part
                }
                _ => continue,
            },
            Target::Terraform => match (old.terraform(), new.terraform()) {
                (Some(old), Some(new)) => compare_terraform(old, new),
                _ => continue,
            },
        };
        if let (Some(old_waivers), Some(new_waivers)) = (old.waivers(target), new.waivers(target)) {
            add_waiver_changes(&mut part, target, old_waivers, new_waivers, new);
        }
        report.changes.append(&mut part.changes);
    }
    if let (Some(old_graph), Some(new_graph)) = (old.graph(), new.graph()) {
        scopes_held_by_authorizer(&mut report, targets, old_graph, new_graph, new);
    }
    report.sort();
    report
}

/// A REST API's route scopes are enforced by Palisade's authorizer function
/// (its `config.json`): API Gateway refuses `AuthorizationScopes` on a
/// method whose authorizer is not Cognito's, so no template says them. The
/// two specs' graphs do: a route whose scopes change, with no template
/// change flagging it, is broadening (another token may now call it).
fn scopes_held_by_authorizer(
    report: &mut Report,
    targets: &[Target],
    old: &crate::graph::Graph,
    new: &crate::graph::Graph,
    new_input: &load::Input,
) {
    use crate::graph::{NodeKind, RouteAuth};
    for node in new.nodes() {
        let NodeKind::Route(RouteAuth::Jwt { scopes: after }) = &node.kind else {
            continue;
        };
        let Some(NodeKind::Route(RouteAuth::Jwt { scopes: before })) =
            old.node(&node.id).map(|n| &n.kind)
        else {
            continue;
        };
        if before == after {
            continue;
        }
        let is_rest_method = new_input.cloudformation().is_some_and(|template| {
            template["Resources"][node.id.as_str()]["Type"] == "AWS::ApiGateway::Method"
        });
        if !is_rest_method {
            continue;
        }
        for &target in targets {
            let flagged = report.changes.iter().any(|c| {
                c.target == target && c.resource == node.id && c.risks.contains(&Risk::Broadening)
            });
            if flagged {
                continue;
            }
            report.changes.push(Change {
                target,
                resource: node.id.clone(),
                resource_type: match target {
                    Target::CloudFormation => "AWS::ApiGateway::Method".into(),
                    Target::Terraform => "aws_api_gateway_method".into(),
                },
                change: ChangeKind::Modified,
                risks: [Risk::Broadening].into_iter().collect(),
                details: vec![format!(
                    "route {}: scopes [{}] → [{}] (enforced by the REST API's authorizer function, which holds them in its package)",
                    node.name,
                    before.join(", "),
                    after.join(", ")
                )],
                risky_details: 1,
                accepted: None,
                old: None,
                new: None,
            });
        }
    }
}

/// Compares two CloudFormation templates (JSON values) resource by resource.
pub fn compare_cloudformation(old: &Value, new: &Value) -> Report {
    fn resources(template: &Value) -> BTreeMap<&str, &Value> {
        template
            .get("Resources")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(id, resource)| (id.as_str(), resource))
            .collect()
    }
    let report = compare_resources(
        Target::CloudFormation,
        &resources(old),
        &resources(new),
        |resource| std::borrow::Cow::Owned(cloudformation_resource(resource)),
        |_, _| classify::Situation::default(),
    );
    Report {
        targets: vec![Target::CloudFormation],
        ..report
    }
}

/// A template's resource in canonical form.
fn cloudformation_resource(resource: &Value) -> Resource {
    let value = normalize(resource);
    Resource {
        resource_type: value["Type"].as_str().unwrap_or_default().to_string(),
        value,
    }
}

/// Compares two Terraform modules block by block, by address. A `moved`
/// block renames in place; a `removed` block that keeps the object and a
/// settings resource whose parent stays change what a removal means.
pub fn compare_terraform(old: &terraform::Module, new: &terraform::Module) -> Report {
    fn view(module: &terraform::Module) -> BTreeMap<&str, &Resource> {
        module
            .resources
            .iter()
            .map(|(address, resource)| (address.as_str(), resource))
            .collect()
    }
    let mut before = view(old);
    let mut moved_from: BTreeMap<&str, &str> = BTreeMap::new();
    for (from, to) in &new.moved {
        if !old.resources.contains_key(to)
            && let Some(resource) = before.remove(from.as_str())
        {
            before.insert(to, resource);
            moved_from.insert(to, from);
        }
    }
    let report = compare_resources(
        Target::Terraform,
        &before,
        &view(new),
        // Read into canonical form already.
        std::borrow::Cow::Borrowed,
        |address, resource| classify::Situation {
            moved_from: moved_from.get(address).copied(),
            forgotten: new.forgotten.contains(address),
            parent_stays: resource
                .and_then(|r| vocabulary::settings_parent(&r.resource_type, &r.value))
                .is_some_and(|parent| {
                    // `aws_s3_bucket.b.id` names a resource of the module;
                    // anything else (a literal bucket name) is assumed to stay.
                    let parent = parent.split('.').take(2).collect::<Vec<_>>().join(".");
                    !old.resources.contains_key(&parent) || new.resources.contains_key(&parent)
                }),
        },
    );
    Report {
        targets: vec![Target::Terraform],
        ..report
    }
}

/// Classifies every resource that differs between two sides of one target.
/// Resources as read (`R`) are put in canonical form only when they differ
/// as read: most of a large stack is unchanged, and that comparison is cheap.
fn compare_resources<'a, R: PartialEq>(
    target: Target,
    old: &BTreeMap<&'a str, &'a R>,
    new: &BTreeMap<&'a str, &'a R>,
    canonical: impl Fn(&'a R) -> std::borrow::Cow<'a, Resource>,
    situation: impl Fn(&str, Option<&'a R>) -> classify::Situation<'a>,
) -> Report {
    let ids: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
    // A reference names a resource by its ID (`ListItemsFunction.Arn`) or
    // address (`aws_lambda_function.list_items.arn`), then an attribute.
    let fresh = |reference: &str| {
        let parts: Vec<&str> = reference.split('.').collect();
        let named = match target {
            Target::CloudFormation => parts[0].to_string(),
            Target::Terraform => parts.iter().take(2).copied().collect::<Vec<_>>().join("."),
        };
        new.contains_key(named.as_str()) && !old.contains_key(named.as_str())
    };
    let mut report = Report::default();
    for id in ids {
        let (before, after) = (old.get(id).copied(), new.get(id).copied());
        let situation = situation(id, before);
        let renamed = situation.moved_from.is_some();
        if before == after && !renamed {
            continue;
        }
        let (before, after) = (before.map(&canonical), after.map(&canonical));
        if before == after && !renamed {
            continue;
        }
        if let Some(change) = classify::change(
            target,
            id,
            before.as_deref(),
            after.as_deref(),
            &situation,
            &fresh,
        ) {
            report.changes.push(change);
        }
    }
    report.sort();
    report
}

/// Waivers added in the new spec are broadening even where the output
/// hides them (a control with no scanner check shows no suppression).
fn add_waiver_changes(
    report: &mut Report,
    target: Target,
    old: &load::Waivers,
    new: &load::Waivers,
    new_input: &load::Input,
) {
    for ((resource, control), reason) in new {
        if old.contains_key(&(resource.clone(), *control)) {
            continue;
        }
        let detail = format!("waiver added: {control} ({reason})");
        match report.changes.iter_mut().find(|c| &c.resource == resource) {
            Some(change) => {
                change.risks.insert(Risk::Broadening);
                change.details.insert(0, detail);
                change.risky_details += 1;
            }
            None => {
                let found = match target {
                    Target::CloudFormation => new_input
                        .cloudformation()
                        .and_then(|t| t["Resources"].get(resource))
                        .map(cloudformation_resource),
                    Target::Terraform => new_input
                        .terraform()
                        .and_then(|m| m.resources.get(resource))
                        .cloned(),
                };
                report.changes.push(Change {
                    target,
                    resource: resource.clone(),
                    resource_type: found
                        .as_ref()
                        .map(|r| r.resource_type.clone())
                        .unwrap_or_default(),
                    change: ChangeKind::Modified,
                    risks: [Risk::Broadening].into(),
                    details: vec![detail],
                    risky_details: 1,
                    accepted: None,
                    old: found.as_ref().map(|r| r.value.clone()),
                    new: found.map(|r| r.value),
                });
            }
        }
    }
    report.sort();
}

/// Every leaf that differs between two canonical values.
pub fn property_changes(old: &Value, new: &Value) -> Vec<PropertyChange> {
    let mut changes = Vec::new();
    walk(&mut Vec::new(), Some(old), Some(new), &mut changes);
    changes
}

fn walk(
    path: &mut Vec<String>,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<PropertyChange>,
) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                path.push(key.clone());
                walk(path, a.get(key), b.get(key), out);
                path.pop();
            }
        }
        (a, b) if a == b => {}
        // A mapping added or removed as a whole: report its leaves, so that
        // rules keyed on a leaf (a suppression, a statement) still see them.
        (None, Some(Value::Object(b))) if expandable(path, b) => {
            for (key, value) in b {
                path.push(key.clone());
                walk(path, None, Some(value), out);
                path.pop();
            }
        }
        (Some(Value::Object(a)), None) if expandable(path, a) => {
            for (key, value) in a {
                path.push(key.clone());
                walk(path, Some(value), None, out);
                path.pop();
            }
        }
        (a, b) => out.push(PropertyChange {
            path: path.clone(),
            old: a.cloned(),
            new: b.cloned(),
        }),
    }
}

/// Whether an added or removed mapping is reported leaf by leaf: not an
/// intrinsic function (one value) and not a keyed list element (one item).
fn expandable(path: &[String], object: &Map<String, Value>) -> bool {
    let intrinsic = object.len() == 1 && object.keys().all(|k| k == "Ref" || k.starts_with("Fn::"));
    let keyed_element = path.last().is_some_and(|p| p.contains('='));
    !object.is_empty() && !intrinsic && !keyed_element
}

/// A readable rendering of a template value: `Ref`/`GetAtt`/`Sub` shown as
/// what they name, lists joined, everything else compact JSON.
pub fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(describe).collect::<Vec<_>>().join(", "),
        Value::Object(object) if object.len() == 1 => {
            let (key, inner) = object.iter().next().expect("one entry");
            match (key.as_str(), inner) {
                ("Ref", Value::String(name)) => name.clone(),
                ("Fn::GetAtt", Value::Array(parts)) => {
                    parts.iter().map(describe).collect::<Vec<_>>().join(".")
                }
                ("Fn::Sub", Value::String(text)) => text.clone(),
                _ => value.to_string(),
            }
        }
        other => other.to_string(),
    }
}
