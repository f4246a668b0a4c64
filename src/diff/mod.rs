//! `palisade diff`: what a change does to the generated stack, resource by
//! resource and IAM statement by statement, with the changes that widen
//! access or can lose data called out.

pub mod classify;
pub mod load;
mod normalize;
pub mod render;
pub mod replacement;

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

pub use normalize::normalize;

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
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Broadening => "broadening",
            Risk::DataLoss => "data-loss",
        }
    }
}

/// One property that differs, at a path inside the resource.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    /// `Properties.MemorySize`, `Properties.Policies.PolicyName=x.PolicyDocument...`
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
    pub target: &'static str,
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
    /// The resource before and after (canonical JSON), for unified diffs.
    #[serde(skip)]
    pub old: Option<Value>,
    #[serde(skip)]
    pub new: Option<Value>,
}

/// Everything that differs between two stacks of one target.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub modified: usize,
    pub replaced: usize,
    pub broadening: usize,
    pub data_loss: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.change {
                ChangeKind::Added => summary.added += 1,
                ChangeKind::Removed => summary.removed += 1,
                ChangeKind::Modified => summary.modified += 1,
                ChangeKind::Replaced => summary.replaced += 1,
            }
            summary.broadening += usize::from(change.risks.contains(&Risk::Broadening));
            summary.data_loss += usize::from(change.risks.contains(&Risk::DataLoss));
        }
        summary
    }

    pub fn has_risk(&self, risk: Risk) -> bool {
        self.changes.iter().any(|c| c.risks.contains(&risk))
    }

    /// Risky changes first (data loss, then broadening), then by resource.
    pub fn sort(&mut self) {
        self.changes.sort_by(|a, b| {
            let rank = |c: &Change| {
                (
                    !c.risks.contains(&Risk::DataLoss),
                    !c.risks.contains(&Risk::Broadening),
                )
            };
            (rank(a), a.target, &a.resource).cmp(&(rank(b), b.target, &b.resource))
        });
    }
}

/// Compares two inputs: their CloudFormation, plus waivers when both are specs.
pub fn compare(old: &load::Input, new: &load::Input) -> Report {
    let mut report = compare_cloudformation(old.cloudformation(), new.cloudformation());
    if let (Some(old_waivers), Some(new_waivers)) = (old.waivers(), new.waivers()) {
        add_waiver_changes(&mut report, old_waivers, new_waivers, new.cloudformation());
    }
    report
}

/// Compares two CloudFormation templates (JSON values) resource by resource.
pub fn compare_cloudformation(old: &Value, new: &Value) -> Report {
    let empty = Map::new();
    let resources = |t: &Value| {
        t.get("Resources")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let old_resources = resources(old);
    let new_resources = resources(new);
    let ids: BTreeSet<&String> = old_resources.keys().chain(new_resources.keys()).collect();
    let mut report = Report::default();
    for id in ids {
        let before = old_resources.get(id).map(normalize);
        let after = new_resources.get(id).map(normalize);
        if before == after {
            continue;
        }
        if let Some(change) = classify::cloudformation_change(id, before, after) {
            report.changes.push(change);
        }
    }
    report.sort();
    report
}

/// Waivers added in the new spec are broadening even where the template
/// hides them (a control with no scanner check shows no suppression).
fn add_waiver_changes(
    report: &mut Report,
    old: &load::Waivers,
    new: &load::Waivers,
    new_template: &Value,
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
                let resource_value = new_template["Resources"].get(resource).map(normalize);
                report.changes.push(Change {
                    target: "cloudformation",
                    resource: resource.clone(),
                    resource_type: resource_value
                        .as_ref()
                        .and_then(|v| v["Type"].as_str())
                        .unwrap_or("")
                        .to_string(),
                    change: ChangeKind::Modified,
                    risks: [Risk::Broadening].into(),
                    details: vec![detail],
                    risky_details: 1,
                    old: resource_value.clone(),
                    new: resource_value,
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
