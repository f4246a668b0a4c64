//! From two canonical resources to a classified change: what kind of change,
//! the details a reviewer reads, and whether it widens access or can lose data.
//! The rules are the same on both targets; `vocabulary` says what each calls
//! the settings they are about.

use std::collections::BTreeSet;

use serde_json::Value;

use super::replacement::{is_stateful, replaces};
use super::vocabulary::{self, Concept};
use super::{
    Change, ChangeKind, PropertyChange, Resource, Risk, Target, describe, property_changes,
};

/// What the comparison knows about a resource beyond its two versions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Situation<'a> {
    /// Terraform: a `moved` block renamed it from this address.
    pub moved_from: Option<&'a str>,
    /// Terraform: a `removed` block with `destroy = false` keeps it in the cloud.
    pub forgotten: bool,
    /// Terraform: it only carries settings of a resource that stays (a
    /// bucket's public-access block), so removing it removes those settings.
    pub parent_stays: bool,
}

pub fn change(
    target: Target,
    id: &str,
    before: Option<&Resource>,
    after: Option<&Resource>,
    situation: &Situation,
    added: &dyn Fn(&str) -> bool,
) -> Option<Change> {
    let type_of = |r: Option<&Resource>| r.map(|r| r.resource_type.clone()).unwrap_or_default();
    let (old_type, new_type) = (type_of(before), type_of(after));
    let resource_type = if new_type.is_empty() {
        old_type.clone()
    } else {
        new_type.clone()
    };
    let mut c = Classifier {
        target,
        resource_type: resource_type.clone(),
        risky: Vec::new(),
        details: Vec::new(),
        risks: BTreeSet::new(),
        // Every property of an added or removed resource would be noise:
        // only its risky properties are listed.
        list_plain_changes: before.is_some() && after.is_some(),
        removing: false,
        adding: false,
        environment_after: after.is_some_and(|r| has_environment(&r.value)),
    };
    let change = match (before, after) {
        (None, None) => return None,
        (None, Some(new)) => {
            c.added(&new.value, added);
            ChangeKind::Added
        }
        (Some(old), None) => {
            c.removed(&old.value, situation);
            ChangeKind::Removed
        }
        (Some(old), Some(new)) => {
            let changes = property_changes(&old.value, &new.value);
            let replaced_by: Vec<&str> = changes
                .iter()
                .filter_map(|p| vocabulary::setting(target, &p.path))
                .filter(|setting| replaces(target, &resource_type, setting))
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
            if kind == ChangeKind::Replaced && is_stateful(target, &old_type) {
                c.data_loss(replaced_fate(target, &old.value, &new.value));
            }
            if let Some(from) = situation.moved_from {
                c.details.push(format!(
                    "moved from {from} (a `moved` block: nothing is destroyed)"
                ));
            }
            c.modified(&changes, &old.value, &new.value);
            kind
        }
    };
    let risky_details = c.risky.len();
    let mut details = c.risky;
    details.extend(c.details);
    Some(Change {
        target,
        resource: id.to_string(),
        resource_type,
        change,
        risks: c.risks,
        details,
        risky_details,
        accepted: None,
        old: before.map(|r| r.value.clone()),
        new: after.map(|r| r.value.clone()),
    })
}

/// What replacing a stateful resource does to its data.
fn replaced_fate(target: Target, old: &Value, new: &Value) -> String {
    match target {
        Target::CloudFormation if vocabulary::protected(target, old) => {
            "orphaned: the old resource and its data leave the stack; the replacement starts empty"
                .into()
        }
        // Terraform checks the configuration being applied, so it is the
        // new block's `prevent_destroy` that stops the plan.
        Target::Terraform if vocabulary::protected(target, new) => {
            "blocked: prevent_destroy; remove it deliberately (Terraform refuses to plan the replacement, which would start empty)"
                .into()
        }
        _ => "data loss: the old resource is deleted with its data; the replacement starts empty"
            .into(),
    }
}

/// What removing a stateful resource does to its data.
fn removed_fate(target: Target, old: &Value, situation: &Situation) -> String {
    match target {
        Target::CloudFormation if vocabulary::protected(target, old) => {
            "orphaned: data stays but leaves the stack".into()
        }
        Target::Terraform if situation.forgotten => {
            "orphaned: data stays but leaves the stack".into()
        }
        // `prevent_destroy` lives in the block: deleting the block deletes the
        // protection with it, and Terraform destroys the resource.
        Target::Terraform if vocabulary::protected(target, old) => {
            "data loss: deleted with its data; prevent_destroy goes with the block and does not stop this (a `removed` block with `destroy = false` keeps the data)"
                .into()
        }
        _ => "data loss: deleted with its data".into(),
    }
}

struct Classifier {
    target: Target,
    resource_type: String,
    /// Lines that explain a risk.
    risky: Vec<String>,
    details: Vec<String>,
    risks: BTreeSet<Risk>,
    list_plain_changes: bool,
    /// The resource is going away: only its IAM statements matter.
    removing: bool,
    /// The resource is new: what it waives applies to it alone, so a scanner
    /// suppression is a fact to list, not a widening of anything that was.
    adding: bool,
    /// The resource (after the change) has environment variables: a
    /// function's `KmsKeyArn` only encrypts those, so dropping it with the
    /// last variable weakens nothing.
    environment_after: bool,
}

impl Classifier {
    fn broadening(&mut self, detail: String) {
        self.risks.insert(Risk::Broadening);
        self.risky.push(detail);
    }

    fn unanalysed(&mut self, detail: String) {
        self.risks.insert(Risk::Unanalysed);
        self.risky.push(detail);
    }

    fn data_loss(&mut self, detail: String) {
        self.risks.insert(Risk::DataLoss);
        self.risky.push(detail);
    }

    /// `fresh`: whether a reference (`ListItemsFunction.Arn`,
    /// `aws_lambda_function.list_items.arn`) names a resource the change adds.
    fn added(&mut self, new: &Value, fresh: &dyn Fn(&str) -> bool) {
        self.adding = true;
        let empty = empty_like(new);
        self.modified(&property_changes(&empty, new), &empty, new);
        let find = |concept| vocabulary::find(self.target, &self.resource_type, new, concept);
        if let Some(principal) = find(Concept::InvokePrincipal) {
            let line = format!(
                "Lambda permission: + {} may invoke {} from {}",
                describe(principal),
                find(Concept::InvokeFunction).map_or("(none)".into(), describe),
                find(Concept::InvokeSource).map_or("any source".into(), describe)
            );
            // An AWS service invoking a *new* function from one named source
            // (its route, its bucket, its rule) is the new function's wiring;
            // who reaches that source is judged on the source (a public route
            // is flagged on the route). A new way to reach an existing
            // function is exposure it did not have.
            let service = describe(principal).ends_with(".amazonaws.com");
            let new_function = find(Concept::InvokeFunction).is_some_and(|f| fresh(&describe(f)));
            if service && new_function && find(Concept::InvokeSource).is_some() {
                self.details.push(line);
            } else {
                self.broadening(line);
            }
        }
    }

    fn removed(&mut self, old: &Value, situation: &Situation) {
        if is_stateful(self.target, &self.resource_type) {
            self.data_loss(removed_fate(self.target, old, situation));
        }
        if vocabulary::guards_requests(&self.resource_type) {
            self.broadening(format!(
                "AWS WAF protection removed: {} goes",
                self.resource_type
            ));
        }
        // Removing a policy removes its denies (TLS-only, for one); the
        // resource's own settings going with it is not a weakening, unless
        // they are settings of a resource that stays.
        let empty = empty_like(old);
        self.removing = !situation.parent_stays;
        self.modified(&property_changes(old, &empty), old, &empty);
    }

    /// Details and risks for each changed path. IAM policies are compared
    /// by meaning, per resource and kind (trust or permissions), over all of
    /// the resource's documents of that kind: splitting, merging, moving or
    /// reordering statements is not a change of access.
    fn modified(&mut self, changes: &[PropertyChange], before: &Value, after: &Value) {
        if vocabulary::is_waf(&self.resource_type) {
            if !self.removing {
                for change in changes {
                    self.property(change);
                }
            }
            return;
        }
        let mut statements: BTreeSet<Vec<String>> = BTreeSet::new();
        let mut kinds: BTreeSet<bool> = BTreeSet::new();
        let mut document_paths = Vec::new();
        documents(before, &mut Vec::new(), &mut document_paths);
        documents(after, &mut Vec::new(), &mut document_paths);
        let document_paths: BTreeSet<Vec<String>> =
            document_paths.into_iter().map(|(path, _)| path).collect();
        for change in changes {
            // A part of a policy document that is not a statement (a
            // Terraform `dynamic` block, `count`): what it grants is unknown.
            if let Some(doc) = document_paths
                .iter()
                .find(|d| change.path.len() > d.len() && change.path.starts_with(d))
                && !matches!(
                    change.path[doc.len()].as_str(),
                    "Statement" | "Version" | "Id"
                )
            {
                self.unanalysed(format!(
                    "IAM policy part Palisade cannot read changed, review it by hand: {}: {} → {}",
                    change.path_text(),
                    show(change.old.as_ref()),
                    show(change.new.as_ref())
                ));
                continue;
            }
            if let Some(index) = change.path.iter().position(|p| p == "Statement") {
                if change.path.len() > index + 1 {
                    // Whole statements are listed below, once each.
                    statements.insert(change.path[..index + 2].to_vec());
                }
                kinds.insert(is_trust(&change.path));
                continue;
            }
            let holds_policy = |v: &Option<Value>| {
                v.as_ref().is_some_and(|v| {
                    let mut found = Vec::new();
                    documents(v, &mut change.path.clone(), &mut found);
                    !found.is_empty()
                })
            };
            if is_policy_field(&change.path)
                || holds_policy(&change.old)
                || holds_policy(&change.new)
            {
                kinds.insert(is_trust(&change.path));
                self.details.push(format!(
                    "{}: {} → {}",
                    change.path_text(),
                    show(change.old.as_ref()),
                    show(change.new.as_ref())
                ));
                continue;
            }
            if !self.removing {
                self.property(change);
            }
        }
        for path in &statements {
            self.statement(at(before, path), at(after, path));
        }
        for trust in kinds {
            self.policies(trust, before, after);
        }
    }

    /// What the resource's policies of one kind allow, before and after.
    fn policies(&mut self, trust: bool, before: &Value, after: &Value) {
        let (mut old_docs, mut new_docs) = (Vec::new(), Vec::new());
        documents(before, &mut Vec::new(), &mut old_docs);
        documents(after, &mut Vec::new(), &mut new_docs);
        old_docs.retain(|(path, _)| is_trust(path) == trust);
        new_docs.retain(|(path, _)| is_trust(path) == trust);
        let read = |docs: &[(Vec<String>, &Value)], others: &[(Vec<String>, &Value)]| {
            let mut grants = Vec::new();
            let mut unreadable = Vec::new();
            for (path, doc) in docs {
                match crate::iam::grants(doc) {
                    Ok(mut found) => grants.append(&mut found),
                    // An unreadable document that did not change changes nothing.
                    Err(_) if others.iter().any(|(p, d)| p == path && d == doc) => {}
                    Err(_) if **doc == Value::String(super::plan::UNKNOWN.into()) => {
                        unreadable.push(format!("{}: known only after apply", path.join(".")))
                    }
                    Err(why) => unreadable.push(format!("{}: {}", path.join("."), why.0)),
                }
            }
            (grants, unreadable)
        };
        let (old_grants, old_unreadable) = read(&old_docs, &new_docs);
        let (new_grants, new_unreadable) = read(&new_docs, &old_docs);
        if !old_unreadable.is_empty() || !new_unreadable.is_empty() {
            for why in old_unreadable.iter().chain(&new_unreadable) {
                self.unanalysed(format!(
                    "IAM policy cannot be analysed, review it by hand: {why}"
                ));
            }
            return;
        }
        let what = if trust { "trust policy" } else { "IAM" };
        let widened: Vec<crate::iam::Widening> = crate::iam::widened(&old_grants, &new_grants)
            .into_iter()
            .filter(|w| !derived(w, trust, self.adding))
            .collect();
        let lines = widening_lines(what, &widened);
        if !lines.is_empty() {
            // The risky lines say what the statement lines said; keep the
            // statement lines only for what narrowed.
            self.details.retain(|d| {
                !(d.starts_with("IAM") && (d.contains(": + Allow") || d.contains(": - Deny")))
            });
        }
        for line in lines {
            self.broadening(line);
        }
        let unknown = crate::iam::unknown_actions(&new_grants);
        if !unknown.is_empty() {
            self.details.push(format!(
                "IAM: actions the IAM action table does not know: {}",
                unknown.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }

    fn property(&mut self, change: &PropertyChange) {
        let path = change.path_text();
        let (old, new) = (change.old.as_ref(), change.new.as_ref());
        let shown = format!("{path}: {} → {}", show(old), show(new));
        let number = |v: Option<&Value>| v.and_then(Value::as_f64);
        let is_true = |v: Option<&Value>| v == Some(&Value::Bool(true));
        // Turned off: from on, or from a value set elsewhere (a Terraform
        // variable, a CloudFormation parameter) to a literal off.
        let set_elsewhere = old.is_some_and(|v| !v.is_boolean() && v.as_str() != Some("true"));
        let weakened_flag =
            (is_true(old) && !is_true(new)) || (set_elsewhere && new == Some(&Value::Bool(false)));
        // `Retain` and `prevent_destroy = true`; `Enabled` and `enabled = true`.
        let retains = |v: Option<&Value>| is_true(v) || v.and_then(Value::as_str) == Some("Retain");
        let enabled =
            |v: Option<&Value>| is_true(v) || v.and_then(Value::as_str) == Some("Enabled");
        // Values in `new` that `old` did not have; a single value counts as a set of one.
        let set_additions = || -> Vec<String> {
            let set = |v: Option<&Value>| -> BTreeSet<String> {
                match v {
                    Some(Value::Array(items)) => items.iter().map(describe).collect(),
                    Some(value) => [describe(value)].into(),
                    None => BTreeSet::new(),
                }
            };
            let before = set(old);
            set(new)
                .into_iter()
                .filter(|v| !before.contains(v))
                .collect()
        };
        if let Some(line) = openapi(change) {
            self.broadening(format!("{line}: {shown}"));
            return;
        }
        let concept = vocabulary::concept(self.target, &self.resource_type, &change.path);
        match concept {
            Some(Concept::Identity) if old.is_some() => {
                self.broadening(format!("authorizer identity changed: {shown}"));
            }
            // A new policy's grants are judged as grants; attaching an
            // existing one to more principals widens who has them.
            Some(Concept::Attachment) if old.is_some() && !set_additions().is_empty() => {
                self.broadening(format!(
                    "IAM: policy attached to {}",
                    set_additions().join(", ")
                ));
            }
            Some(Concept::CannedAcl)
                if new.and_then(Value::as_str).is_some_and(|acl| {
                    let acl = acl.to_ascii_lowercase().replace('-', "");
                    acl.starts_with("public") || acl == "authenticatedread"
                }) =>
            {
                self.broadening(format!("bucket opened by its ACL: {shown}"));
            }
            Some(Concept::Wiring) if old.is_some() => {
                self.broadening(format!("route or event wiring changed: {shown}"));
            }
            Some(Concept::Suppression) => {
                let id = change.path.last().map_or("", String::as_str);
                let widened = widened_suppressions(id, old, new);
                if self.adding {
                    for line in widened {
                        self.details.push(line.replacen(
                            "scanner suppression added",
                            "scanner suppression",
                            1,
                        ));
                    }
                } else if widened.is_empty() {
                    if self.list_plain_changes {
                        self.details.push(shown);
                    }
                } else {
                    for line in widened {
                        self.broadening(line);
                    }
                }
            }
            Some(Concept::Encryption)
                if new.is_none()
                    && (self.environment_after
                        || !is_environment_key(&self.resource_type, &change.path)) =>
            {
                self.broadening(format!("encryption removed or weakened: {shown}"));
            }
            // A new resource weakens nothing that was; `check` judges its settings.
            Some(Concept::EncryptionAlgorithm)
                if !self.adding && new.and_then(Value::as_str) != Some("aws:kms") =>
            {
                self.broadening(format!("encryption removed or weakened: {shown}"));
            }
            Some(Concept::EncryptionEnabled) if !self.adding && !is_true(new) => {
                self.broadening(format!("encryption removed or weakened: {shown}"));
            }
            Some(Concept::KeyRotation) if weakened_flag => {
                self.broadening(format!("key rotation turned off: {shown}"))
            }
            Some(Concept::PublicAccessBlock) if weakened_flag => {
                self.broadening(format!("public access block weakened: {shown}"));
            }
            Some(Concept::PublicAccessProtection) if new.is_none() => {
                self.broadening(format!("public access protection removed: {shown}"));
            }
            Some(Concept::AuthorizationType) if new.and_then(Value::as_str) == Some("NONE") => {
                self.broadening(format!("route made public: {shown}"));
            }
            Some(Concept::Authorizer) if new.is_none() && old.is_some() => {
                self.broadening(format!("authorizer removed: {shown}"))
            }
            Some(Concept::AuthorizationScopes)
                if new.is_none()
                    || old.and_then(Value::as_array).is_some_and(|o| {
                        o.len() > new.and_then(Value::as_array).map_or(0, Vec::len)
                    }) =>
            {
                self.broadening(format!("route scopes removed: {shown}"));
            }
            Some(Concept::Limit)
                if old.is_some() && (new.is_none() || number(new) > number(old)) =>
            {
                self.broadening(format!("limit raised or removed: {shown}"));
            }
            Some(Concept::WafRule) if old.is_some() && new.is_none() => {
                self.broadening(format!("AWS WAF rule removed: {path}"));
            }
            Some(Concept::WafProtection) if old.is_some() && old != new => {
                self.broadening(format!("AWS WAF web ACL removed or replaced: {shown}"));
            }
            Some(Concept::Throttling) if old.is_some() && new.is_none() => {
                self.broadening(format!("throttling removed: {shown}"));
            }
            Some(Concept::CorsList) if !set_additions().is_empty() => {
                self.broadening(format!("CORS widened: + {}", set_additions().join(", ")));
            }
            Some(Concept::Cors) if new.is_some() && old.is_none() => {
                self.broadening(format!("CORS enabled: {}", show(new)))
            }
            Some(Concept::LogRetention)
                if old.is_some() && (new.is_none() || number(new) < number(old)) =>
            {
                self.broadening(format!("log retention shortened: {shown}"));
            }
            Some(Concept::Retain) if retains(old) && !retains(new) => {
                self.broadening(format!("retain protection removed: {shown}"));
            }
            Some(Concept::DataProtection) if weakened_flag => {
                self.broadening(format!("data protection turned off: {shown}"));
            }
            Some(Concept::VersioningStatus) if enabled(old) => {
                self.broadening(format!("versioning turned off: {shown}"));
            }
            Some(Concept::Versioning) if old.is_some() && new.is_none() => {
                self.broadening(format!("versioning turned off: {shown}"))
            }
            Some(Concept::InvokeSource) if old.is_some() => {
                self.broadening(format!("invoke permission widened: {shown}"));
            }
            Some(Concept::InvokePrincipal) if old.is_some() => {
                self.broadening(format!(
                    "invoke permission given to another principal: {shown}"
                ));
            }
            Some(Concept::ManagedPolicy) if !set_additions().is_empty() => {
                self.broadening(format!(
                    "IAM: + managed policy {}",
                    set_additions().join(", ")
                ));
            }
            _ if self.list_plain_changes => self.details.push(shown),
            _ => {}
        }
    }

    /// One IAM statement, before and after, for the reader; whether access
    /// widened is decided by meaning in `policies`.
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
                    "IAM: + {} {}{}{}{}",
                    effect(new),
                    join(&list(Some(new), "Action")),
                    on(&list(Some(new), "Resource")),
                    principal(new),
                    conditions(new)
                );
                self.details.push(line);
            }
            (Some(old), None) => {
                let line = format!(
                    "IAM: - {} {}{}{}",
                    effect(old),
                    join(&list(Some(old), "Action")),
                    on(&list(Some(old), "Resource")),
                    principal(old)
                );
                self.details.push(line);
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
                        let context = list(Some(statement), other);
                        if field == "Action" {
                            format!("{}{}", join(items), on(&context))
                        } else {
                            format!("{}{}", join(&context), on(items))
                        }
                    };
                    if !added.is_empty() {
                        let line = format!("IAM{sid}: + {} {}", effect(new), phrase(&added, new));
                        self.details.push(line)
                    }
                    if !removed.is_empty() {
                        let line = format!("IAM{sid}: - {} {}", effect(old), phrase(&removed, old));
                        self.details.push(line)
                    }
                }
                if old.get("Principal") != new.get("Principal") {
                    self.details.push(format!(
                        "IAM{sid}: principal {} → {}",
                        show(old.get("Principal")),
                        show(new.get("Principal"))
                    ));
                }
                self.conditions(&sid, allow, old.get("Condition"), new.get("Condition"));
                if effect(old) != effect(new) {
                    self.details.push(format!(
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
            // Only what differs: a condition listing every log group of a
            // service would otherwise be printed twice over.
            let line = match (was, is) {
                (Some(was), Some(is)) => {
                    let mut parts = Vec::new();
                    let added: BTreeSet<String> = is.difference(was).cloned().collect();
                    let removed: BTreeSet<String> = was.difference(is).cloned().collect();
                    if !added.is_empty() {
                        parts.push(format!("+ {}", join(&added)));
                    }
                    if !removed.is_empty() {
                        parts.push(format!("- {}", join(&removed)));
                    }
                    format!("IAM{sid}: condition {test} {name}: {}", parts.join("; "))
                }
                _ => format!(
                    "IAM{sid}: condition {test} {name}: {} → {}",
                    was.map_or("(none)".into(), join),
                    is.map_or("(none)".into(), join)
                ),
            };
            let _ = (allow, &widened);
            {
                self.details.push(line);
            }
        }
    }
}

/// A widening that only follows from resources the stack adds: CloudWatch
/// Logs allowed to use the service key for one more of the stack's log groups
/// (the key policy lists them by ARN). The log group itself is in the diff.
///
/// On a resource the change adds, an AWS service given what the new resource
/// needs is housekeeping, not access anyone gains: a new role that only the
/// Lambda service may assume (its grants are judged on their own), a new
/// bucket policy letting a service write only on behalf of a named source.
fn derived(widening: &crate::iam::Widening, trust: bool, adding: bool) -> bool {
    let service = widening
        .principal
        .as_deref()
        .is_some_and(|p| p.starts_with("Service:") && !p.contains(','));
    let conditions: Vec<String> = widening
        .conditions
        .split(" and ")
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let only = |keys: &[&str]| {
        !conditions.is_empty()
            && conditions.iter().all(|c| {
                let mut words = c.split(' ');
                let (_test, key) = (words.next(), words.next().unwrap_or_default());
                keys.contains(&key)
            })
    };
    if !widening.allowed || !service {
        return false;
    }
    let logs_key = widening
        .principal
        .as_deref()
        .is_some_and(|p| p.contains("logs."))
        && only(&["kms:encryptioncontext:aws:logs:arn"]);
    let new_trust = adding && trust && conditions.is_empty();
    let new_scoped = adding && only(&["aws:sourcearn", "aws:sourceaccount"]);
    logs_key || new_trust || new_scoped
}

/// A function's key for its environment variables (`KmsKeyArn`, `kms_key_arn`).
fn is_environment_key(resource_type: &str, path: &[String]) -> bool {
    matches!(
        resource_type,
        "AWS::Lambda::Function" | "AWS::Serverless::Function" | "aws_lambda_function"
    ) && path
        .last()
        .is_some_and(|p| p == "KmsKeyArn" || p == "kms_key_arn")
}

/// Whether a function has environment variables to encrypt.
fn has_environment(value: &Value) -> bool {
    let non_empty = |v: Option<&Value>| match v {
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Array(a)) => a.iter().any(|item| match item {
            Value::Object(o) => o
                .get("variables")
                .is_some_and(|v| v.as_object().is_none_or(|o| !o.is_empty())),
            _ => true,
        }),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    non_empty(value.pointer("/Properties/Environment/Variables"))
        || non_empty(value.pointer("/environment/variables"))
        || matches!(value.get("environment"), Some(Value::Array(_)))
            && non_empty(value.get("environment"))
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

/// Scanner suppressions in `new` that `old` lacks or that now cover more (a
/// new check ID, more `applies_to` entries, or none: everything). A reason
/// reworded or a suppression narrowed or dropped is no widening.
fn widened_suppressions(id: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<String> {
    let (Some(before), Some(after)) = (suppressions(id, old), suppressions(id, new)) else {
        // A shape these rules do not know: any change may widen it.
        return match new {
            Some(new) => vec![format!(
                "scanner suppression added or changed: {}",
                show(Some(new))
            )],
            None => Vec::new(),
        };
    };
    let mut widened = Vec::new();
    for (id, (reason, scope)) in &after {
        match (before.get(id).map(|(_, scope)| scope), scope) {
            (None, _) => widened.push(format!("scanner suppression added: {id}: {reason}")),
            (Some(Some(_)), None) => widened.push(format!(
                "scanner suppression widened: {id} now covers every resource"
            )),
            (Some(Some(was)), Some(is)) if !is.is_subset(was) => widened.push(format!(
                "scanner suppression widened: {id} also covers {}",
                join(&is.difference(was).cloned().collect())
            )),
            _ => {}
        }
    }
    widened
}

/// Suppressions by check ID: the reason, and what they are limited to
/// (`applies_to`; `None` is everything). Terraform's come one per path
/// (`#checkov:skip.ID` → reason); CloudFormation's as checkov's
/// `[{id, comment}]` or cdk-nag's `[{id, reason, applies_to}]`. `None` for
/// any other shape.
type Suppressions = std::collections::BTreeMap<String, (String, Option<BTreeSet<String>>)>;

fn suppressions(id: &str, value: Option<&Value>) -> Option<Suppressions> {
    match value {
        None => Some(Suppressions::new()),
        Some(Value::String(reason)) => Some([(id.to_string(), (reason.clone(), None))].into()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                let id = item.get("id")?.as_str()?.to_string();
                let reason = item
                    .get("comment")
                    .or_else(|| item.get("reason"))
                    .map(describe)
                    .unwrap_or_default();
                let scope = item
                    .get("applies_to")
                    .and_then(Value::as_array)
                    .map(|scope| scope.iter().map(describe).collect());
                Some((id, (reason, scope)))
            })
            .collect(),
        Some(_) => None,
    }
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

/// ` on RESOURCES`, or nothing for a statement without resources (a trust
/// policy's, whose subject is its principal).
fn on(resources: &BTreeSet<String>) -> String {
    if resources.is_empty() {
        String::new()
    } else {
        format!(" on {}", join(resources))
    }
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

/// Fields that hold a whole policy document, however written.
const POLICY_FIELDS: &[&str] = &[
    "PolicyDocument",
    "KeyPolicy",
    "AssumeRolePolicyDocument",
    "ResourcePolicy",
    "policy",
    "assume_role_policy",
];

fn is_policy_field(path: &[String]) -> bool {
    path.last()
        .is_some_and(|p| POLICY_FIELDS.contains(&p.as_str()))
}

/// Trust policies say who may assume a role; the rest say what is allowed.
fn is_trust(path: &[String]) -> bool {
    path.iter()
        .any(|p| p == "AssumeRolePolicyDocument" || p == "assume_role_policy")
}

/// Every policy document in a resource, by path: mappings with a
/// `Statement`, and whatever stands in a policy field (text, an intrinsic).
fn documents<'v>(
    value: &'v Value,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'v Value)>,
) {
    match value {
        Value::Object(object) if object.contains_key("Statement") => {
            out.push((path.clone(), value))
        }
        _ if is_policy_field(path) && !value.is_null() => out.push((path.clone(), value)),
        Value::Object(object) => {
            for (key, child) in object {
                path.push(key.clone());
                documents(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(i.to_string());
                documents(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Widenings as reviewers read them: the actions on the same resources
/// together, resources shown as what they name.
fn widening_lines(what: &str, widenings: &[crate::iam::Widening]) -> Vec<String> {
    use std::collections::BTreeMap;
    let readable = |text: &str| match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => describe(&value),
        _ => text.to_string(),
    };
    /// Newly allowed (or no longer denied), principal, conditions.
    type Who = (bool, Option<String>, String);
    // (who, resource) → actions
    let mut by_resource: BTreeMap<(Who, String), BTreeSet<String>> = BTreeMap::new();
    for w in widenings {
        let who = (w.allowed, w.principal.clone(), w.conditions.clone());
        by_resource
            .entry((who, readable(&w.resource)))
            .or_default()
            .insert(w.action.clone());
    }
    // (who, actions) → resources
    let mut grouped: BTreeMap<(Who, Vec<String>), BTreeSet<String>> = BTreeMap::new();
    for ((who, resource), actions) in by_resource {
        grouped
            .entry((who, actions.into_iter().collect()))
            .or_default()
            .insert(resource);
    }
    grouped
        .into_iter()
        .map(|(((allowed, principal, conditions), actions), resources)| {
            let mut line = format!(
                "{what}: {} {} on {}",
                if allowed { "+ Allow" } else { "- Deny" },
                actions.join(", "),
                resources.into_iter().collect::<Vec<_>>().join(", ")
            );
            if let Some(principal) = principal {
                line.push_str(&format!(" for {principal}"));
            }
            if !conditions.is_empty() {
                line.push_str(&format!(" if {conditions}"));
            }
            line
        })
        .collect()
}

/// An OpenAPI body (`Body`, SAM's `DefinitionBody`, Terraform's `body`) is
/// where SAM and hand-written APIs keep each route's auth and target:
/// removing a route's `security`, changing an integration or an authorizer
/// definition is as risky as the same change on a route resource.
fn openapi(change: &PropertyChange) -> Option<&'static str> {
    let start = change
        .path
        .iter()
        .position(|p| matches!(p.as_str(), "Body" | "DefinitionBody" | "body"))?;
    let inside = &change.path[start + 1..];
    let empty = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    };
    if inside.iter().any(|p| p == "security") {
        let (old, new) = (change.old.as_ref(), change.new.as_ref());
        return (!empty(old) && (empty(new) || old != new))
            .then_some("OpenAPI security removed or changed (a route may be public)");
    }
    if inside
        .iter()
        .any(|p| p == "x-amazon-apigateway-integration")
        && change.old.is_some()
    {
        return Some("OpenAPI integration changed (another target answers)");
    }
    if inside.iter().any(|p| {
        matches!(
            p.as_str(),
            "securitySchemes" | "securityDefinitions" | "x-amazon-apigateway-authorizer"
        )
    }) && change.old.is_some()
    {
        return Some("OpenAPI authorizer changed (who is authenticated)");
    }
    None
}
