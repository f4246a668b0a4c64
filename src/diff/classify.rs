//! From two canonical resources to a classified change: what kind of change,
//! the details a reviewer reads, and whether it widens access or can lose data.

use std::collections::BTreeSet;

use serde_json::Value;

use super::replacement::{is_stateful, replaces};
use super::{Change, ChangeKind, PropertyChange, Risk, describe, property_changes};

/// Properties that, removed or changed, weaken encryption at rest.
const ENCRYPTION: &[&str] = &[
    "KmsMasterKeyId",
    "KMSMasterKeyId",
    "KmsKeyId",
    "KmsKeyArn",
    "SSESpecification",
    "SSEEnabled",
    "SSEType",
    "BucketEncryption",
    "SSEAlgorithm",
    "ServerSideEncryptionConfiguration",
    "ServerSideEncryptionByDefault",
];

pub fn cloudformation_change(
    id: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> Option<Change> {
    let type_of = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| v["Type"].as_str())
            .unwrap_or("")
            .to_string()
    };
    let (old_type, new_type) = (type_of(&before), type_of(&after));
    let resource_type = if new_type.is_empty() {
        old_type.clone()
    } else {
        new_type.clone()
    };
    let mut c = Classifier {
        resource_type: resource_type.clone(),
        risky: Vec::new(),
        details: Vec::new(),
        risks: BTreeSet::new(),
        // Every property of an added or removed resource would be noise:
        // only its risky properties are listed.
        list_plain_changes: before.is_some() && after.is_some(),
        removing: false,
    };
    let change = match (&before, &after) {
        (None, None) => return None,
        (None, Some(new)) => {
            c.added(new);
            ChangeKind::Added
        }
        (Some(old), None) => {
            c.removed(old);
            ChangeKind::Removed
        }
        (Some(old), Some(new)) => {
            let changes = property_changes(old, new);
            let replaced_by: Vec<String> = changes
                .iter()
                .filter(|p| p.path.first().map(String::as_str) == Some("Properties"))
                .filter_map(|p| p.path.get(1))
                .filter(|property| replaces(&resource_type, property))
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let kind = if old_type != new_type {
                c.details.push(format!("type: {old_type} → {new_type}"));
                ChangeKind::Replaced
            } else if !replaced_by.is_empty() {
                c.details.push(format!(
                    "replaced: changing {} creates a new resource",
                    replaced_by.join(", ")
                ));
                ChangeKind::Replaced
            } else {
                ChangeKind::Modified
            };
            if kind == ChangeKind::Replaced && is_stateful(&old_type) {
                c.data_loss(if retained(old) {
                    "orphaned: the old resource and its data leave the stack; the replacement starts empty".into()
                } else {
                    "data loss: the old resource is deleted with its data; the replacement starts empty".into()
                });
            }
            c.modified(&changes, old, new);
            kind
        }
    };
    let risky_details = c.risky.len();
    let mut details = c.risky;
    details.extend(c.details);
    Some(Change {
        target: "cloudformation",
        resource: id.to_string(),
        resource_type,
        change,
        risks: c.risks,
        details,
        risky_details,
        old: before,
        new: after,
    })
}

fn retained(resource: &Value) -> bool {
    resource["DeletionPolicy"].as_str() == Some("Retain")
}

struct Classifier {
    resource_type: String,
    /// Lines that explain a risk.
    risky: Vec<String>,
    details: Vec<String>,
    risks: BTreeSet<Risk>,
    list_plain_changes: bool,
    /// The resource is going away: only its IAM statements matter.
    removing: bool,
}

impl Classifier {
    fn broadening(&mut self, detail: String) {
        self.risks.insert(Risk::Broadening);
        self.risky.push(detail);
    }

    fn data_loss(&mut self, detail: String) {
        self.risks.insert(Risk::DataLoss);
        self.risky.push(detail);
    }

    fn added(&mut self, new: &Value) {
        let empty = empty_like(new);
        self.modified(&property_changes(&empty, new), &empty, new);
        if self.resource_type == "AWS::Lambda::Permission" {
            let p = &new["Properties"];
            self.broadening(format!(
                "Lambda permission: + {} may invoke {} from {}",
                describe(&p["Principal"]),
                describe(&p["FunctionName"]),
                if p["SourceArn"].is_null() {
                    "any source".to_string()
                } else {
                    describe(&p["SourceArn"])
                }
            ));
        }
    }

    fn removed(&mut self, old: &Value) {
        if is_stateful(&self.resource_type) {
            self.data_loss(if retained(old) {
                "orphaned: data stays but leaves the stack".into()
            } else {
                "data loss: deleted with its data".into()
            });
        }
        // Removing a policy removes its denies (TLS-only, for one); the
        // resource's own settings going with it is not a weakening.
        let empty = empty_like(old);
        self.removing = true;
        self.modified(&property_changes(old, &empty), old, &empty);
    }

    /// Details and risks for each changed path.
    fn modified(&mut self, changes: &[PropertyChange], before: &Value, after: &Value) {
        let mut statements: BTreeSet<Vec<String>> = BTreeSet::new();
        for change in changes {
            if let Some(index) = change.path.iter().position(|p| p == "Statement")
                && change.path.len() > index + 1
            {
                // Whole statements are compared below, once each.
                statements.insert(change.path[..index + 2].to_vec());
                continue;
            }
            if !self.removing {
                self.property(change);
            }
        }
        for path in &statements {
            self.statement(at(before, path), at(after, path));
        }
    }

    fn property(&mut self, change: &PropertyChange) {
        let path = change.path_text();
        let last = change.path.last().map(String::as_str).unwrap_or("");
        let (old, new) = (change.old.as_ref(), change.new.as_ref());
        let shown = format!("{path}: {} → {}", show(old), show(new));
        let number = |v: Option<&Value>| v.and_then(Value::as_f64);
        let is_true = |v: Option<&Value>| v == Some(&Value::Bool(true));
        let weakened_flag = is_true(old) && !is_true(new);
        let set_additions = || -> Vec<String> {
            let old: BTreeSet<String> = old
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(describe)
                .collect();
            new.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(describe)
                .filter(|v| !old.contains(v))
                .collect()
        };
        match last {
            _ if change.path.first().map(String::as_str) == Some("Metadata")
                && change.path.iter().any(|p| p == "checkov" || p == "cdk_nag") =>
            {
                if new.is_some() {
                    self.broadening(format!(
                        "scanner suppression added or changed: {}",
                        show(new)
                    ));
                } else if self.list_plain_changes {
                    self.details.push(shown);
                }
            }
            _ if ENCRYPTION.contains(&last)
                && (new.is_none()
                    || last == "SSEAlgorithm"
                        && new.and_then(Value::as_str) != Some("aws:kms")
                    || last == "SSEEnabled" && !is_true(new)) =>
            {
                self.broadening(format!("encryption removed or weakened: {shown}"));
            }
            "EnableKeyRotation" if weakened_flag => {
                self.broadening(format!("key rotation turned off: {shown}"))
            }
            "BlockPublicAcls"
            | "BlockPublicPolicy"
            | "IgnorePublicAcls"
            | "RestrictPublicBuckets"
                if weakened_flag =>
            {
                self.broadening(format!("public access block weakened: {shown}"));
            }
            "PublicAccessBlockConfiguration" | "OwnershipControls" if new.is_none() => {
                self.broadening(format!("public access protection removed: {shown}"));
            }
            "AuthorizationType" if new.and_then(Value::as_str) == Some("NONE") => {
                self.broadening(format!("route made public: {shown}"));
            }
            "AuthorizerId" if new.is_none() && old.is_some() => {
                self.broadening(format!("authorizer removed: {shown}"))
            }
            "AuthorizationScopes"
                if new.is_none()
                    || old.and_then(Value::as_array).is_some_and(|o| {
                        o.len() > new.and_then(Value::as_array).map_or(0, Vec::len)
                    }) =>
            {
                self.broadening(format!("route scopes removed: {shown}"));
            }
            "ThrottlingRateLimit" | "ThrottlingBurstLimit" | "ReservedConcurrentExecutions"
                if old.is_some() && (new.is_none() || number(new) > number(old)) =>
            {
                self.broadening(format!("limit raised or removed: {shown}"));
            }
            "DefaultRouteSettings" | "RouteSettings" if old.is_some() && new.is_none() => {
                self.broadening(format!("throttling removed: {shown}"));
            }
            "AllowOrigins" | "AllowMethods" | "AllowHeaders" if !set_additions().is_empty() => {
                self.broadening(format!("CORS widened: + {}", set_additions().join(", ")));
            }
            "CorsConfiguration" if new.is_some() && old.is_none() => {
                self.broadening(format!("CORS enabled: {}", show(new)))
            }
            "RetentionInDays" if old.is_some() && (new.is_none() || number(new) < number(old)) => {
                self.broadening(format!("log retention shortened: {shown}"));
            }
            "DeletionPolicy" | "UpdateReplacePolicy"
                if old.and_then(Value::as_str) == Some("Retain")
                    && new.and_then(Value::as_str) != Some("Retain") =>
            {
                self.broadening(format!("retain protection removed: {shown}"));
            }
            "DeletionProtectionEnabled" | "PointInTimeRecoveryEnabled" if weakened_flag => {
                self.broadening(format!("data protection turned off: {shown}"));
            }
            "Status"
                if change.path.iter().any(|p| p == "VersioningConfiguration")
                    && old.and_then(Value::as_str) == Some("Enabled") =>
            {
                self.broadening(format!("versioning turned off: {shown}"));
            }
            "VersioningConfiguration" if old.is_some() && new.is_none() => {
                self.broadening(format!("versioning turned off: {shown}"))
            }
            "SourceArn" | "SourceAccount"
                if self.resource_type == "AWS::Lambda::Permission" && old.is_some() =>
            {
                self.broadening(format!("invoke permission widened: {shown}"));
            }
            "Principal" if self.resource_type == "AWS::Lambda::Permission" && old.is_some() => {
                self.broadening(format!(
                    "invoke permission given to another principal: {shown}"
                ));
            }
            _ if self.list_plain_changes => self.details.push(shown),
            _ => {}
        }
    }

    /// One IAM statement, before and after.
    fn statement(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let effect = |s: &Value| s["Effect"].as_str().unwrap_or("Allow").to_string();
        let list = |s: Option<&Value>, field: &str| -> BTreeSet<String> {
            s.and_then(|s| s.get(field))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(describe)
                .collect()
        };
        let principal = |s: &Value| {
            s.get("Principal")
                .map(|p| format!(" for {}", show(Some(p))))
                .unwrap_or_default()
        };
        match (old, new) {
            (None, Some(new)) => {
                let line = format!(
                    "IAM: + {} {} on {}{}{}",
                    effect(new),
                    join(&list(Some(new), "Action")),
                    join(&list(Some(new), "Resource")),
                    principal(new),
                    conditions(new)
                );
                if effect(new) == "Allow" {
                    self.broadening(line);
                } else {
                    self.details.push(line);
                }
            }
            (Some(old), None) => {
                let line = format!(
                    "IAM: - {} {} on {}{}",
                    effect(old),
                    join(&list(Some(old), "Action")),
                    join(&list(Some(old), "Resource")),
                    principal(old)
                );
                if effect(old) == "Deny" {
                    self.broadening(line);
                } else {
                    self.details.push(line);
                }
            }
            (Some(old), Some(new)) => {
                let allow = effect(new) == "Allow";
                let sid = new["Sid"]
                    .as_str()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                // Name exactly what is new: added actions on the statement's
                // resources, and the statement's actions on added resources.
                for (field, other) in [("Action", "Resource"), ("Resource", "Action")] {
                    let (before, after) = (list(Some(old), field), list(Some(new), field));
                    let added: BTreeSet<String> = after.difference(&before).cloned().collect();
                    let removed: BTreeSet<String> = before.difference(&after).cloned().collect();
                    let phrase = |items: &BTreeSet<String>, statement: &Value| {
                        let context = join(&list(Some(statement), other));
                        if field == "Action" {
                            format!("{} on {context}", join(items))
                        } else {
                            format!("{context} on {}", join(items))
                        }
                    };
                    if !added.is_empty() {
                        let line = format!("IAM{sid}: + {} {}", effect(new), phrase(&added, new));
                        if allow {
                            self.broadening(line)
                        } else {
                            self.details.push(line)
                        }
                    }
                    if !removed.is_empty() {
                        let line = format!("IAM{sid}: - {} {}", effect(old), phrase(&removed, old));
                        if allow {
                            self.details.push(line)
                        } else {
                            self.broadening(line)
                        }
                    }
                }
                if old.get("Principal") != new.get("Principal") {
                    self.broadening(format!(
                        "IAM{sid}: principal {} → {}",
                        show(old.get("Principal")),
                        show(new.get("Principal"))
                    ));
                }
                self.conditions(&sid, allow, old.get("Condition"), new.get("Condition"));
                if effect(old) != effect(new) {
                    self.broadening(format!(
                        "IAM{sid}: effect {} → {}",
                        effect(old),
                        effect(new)
                    ));
                }
            }
            (None, None) => {}
        }
    }
}

impl Classifier {
    /// Conditions as (test, key) → values. On an Allow, a value added to a
    /// key that was already constrained, or a constraint dropped, widens it;
    /// a value removed or a constraint added narrows it. On a Deny, the reverse.
    fn conditions(&mut self, sid: &str, allow: bool, old: Option<&Value>, new: Option<&Value>) {
        let (before, after) = (condition_values(old), condition_values(new));
        let keys: BTreeSet<&(String, String)> = before.keys().chain(after.keys()).collect();
        for key in keys {
            let (test, name) = key;
            let (was, is) = (before.get(key), after.get(key));
            let widened: Vec<&String> = match (was, is) {
                (Some(was), Some(is)) => is.difference(was).collect(),
                (Some(was), None) => was.iter().collect(),
                _ => Vec::new(),
            };
            let line = format!(
                "IAM{sid}: condition {test} {name}: {} → {}",
                was.map_or("(none)".into(), join),
                is.map_or("(none)".into(), join)
            );
            let widens_allow = !widened.is_empty();
            if widens_allow == allow {
                self.broadening(line);
            } else {
                self.details.push(line);
            }
        }
    }
}

fn condition_values(
    condition: Option<&Value>,
) -> std::collections::BTreeMap<(String, String), BTreeSet<String>> {
    let mut values = std::collections::BTreeMap::new();
    for (test, keys) in condition.and_then(Value::as_object).into_iter().flatten() {
        for (key, value) in keys.as_object().into_iter().flatten() {
            let set: BTreeSet<String> = match value {
                Value::Array(items) => items.iter().map(describe).collect(),
                other => [describe(other)].into(),
            };
            values.insert((test.clone(), key.clone()), set);
        }
    }
    values
}

/// An object with the same top-level shape but nothing in it, so that an
/// added or removed resource is compared property by property.
fn empty_like(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .filter(|(k, _)| *k == "Type")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// The value at `path` inside `value`, if there is one.
fn at<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

fn conditions(statement: &Value) -> String {
    statement
        .get("Condition")
        .map(|c| format!(" when {}", show(Some(c))))
        .unwrap_or_default()
}

fn join(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(", ")
}

fn show(value: Option<&Value>) -> String {
    match value {
        None => "(none)".into(),
        Some(Value::String(_) | Value::Array(_)) => describe(value.expect("some")),
        Some(Value::Object(object))
            if object.len() == 1 && object.keys().all(|k| k == "Ref" || k.starts_with("Fn::")) =>
        {
            describe(value.expect("some"))
        }
        Some(other) => other.to_string(),
    }
}
