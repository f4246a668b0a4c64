//! What the clouds' own planners say: a Terraform plan (`terraform show
//! -json plan.out`) and a CloudFormation change set (`aws cloudformation
//! describe-change-set`), classified with the same rules as template diffs.
//! Terraform's and CloudFormation's answers on replacement are taken as
//! given; values they cannot know yet are shown as such, and a policy that
//! is unknown until apply is `unanalysed`.

use serde_json::{Map, Value};

use super::classify::{self, Situation};
use super::replacement::is_stateful;
use super::{Change, ChangeKind, Report, Resource, Risk, Target, normalize};
use crate::error::{Error, Result};

/// Shown where Terraform knows a value only after apply.
pub const UNKNOWN: &str = "(known after apply)";
const SENSITIVE: &str = "(sensitive)";

fn invalid(path: &str, message: String) -> Error {
    Error::Usage(format!("{path}: {message}"))
}

/// A Terraform plan's resource changes.
pub fn terraform(path: &str, plan: &Value) -> Result<Report> {
    let changes = plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            invalid(
                path,
                "not a Terraform plan: no `resource_changes` (make it with `terraform show -json plan.out`)".into(),
            )
        })?;
    let mut report = Report {
        targets: vec![Target::Terraform],
        ..Report::default()
    };
    for entry in changes {
        if entry["mode"].as_str() == Some("data") {
            continue;
        }
        let address = entry["address"]
            .as_str()
            .ok_or_else(|| invalid(path, "a resource change has no `address`".into()))?;
        let resource_type = entry["type"].as_str().unwrap_or_default();
        let change = &entry["change"];
        let actions: Vec<&str> = change["actions"]
            .as_array()
            .ok_or_else(|| invalid(path, format!("{address}: no `change.actions`")))?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let side = |value: &Value, unknown: &Value, sensitive: &Value| {
            (!value.is_null()).then(|| Resource {
                resource_type: resource_type.to_string(),
                value: normalize(&blocks_as_objects(&mark(value, unknown, sensitive))),
            })
        };
        let before = side(&change["before"], &Value::Null, &change["before_sensitive"]);
        let after = side(
            &change["after"],
            &change["after_unknown"],
            &change["after_sensitive"],
        );
        let situation = Situation {
            forgotten: actions == ["forget"],
            ..Situation::default()
        };
        let (before, after) = match actions.as_slice() {
            ["no-op"] | ["read"] => continue,
            ["create"] => (None, after),
            ["delete"] | ["forget"] => (before, None),
            ["update"] | ["delete", "create"] | ["create", "delete"] => (before, after),
            other => {
                return Err(invalid(
                    path,
                    format!("{address}: actions {other:?} are not ones Palisade knows"),
                ));
            }
        };
        let Some(mut classified) = classify::change(
            Target::Terraform,
            address,
            before.as_ref(),
            after.as_ref(),
            &situation,
            &|_| false,
        ) else {
            continue;
        };
        if matches!(
            actions.as_slice(),
            ["delete", "create"] | ["create", "delete"]
        ) {
            replaced(
                &mut classified,
                &change["replace_paths"],
                entry["action_reason"].as_str(),
            );
        }
        report.changes.push(classified);
    }
    report.sort();
    Ok(report)
}

/// Terraform decided to replace: say why, and what it does to the data.
fn replaced(change: &mut Change, paths: &Value, reason: Option<&str>) {
    let paths: Vec<String> = paths
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            p.as_array()
                .into_iter()
                .flatten()
                .map(|s| s.as_str().map_or_else(|| s.to_string(), String::from))
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    change.change = ChangeKind::Replaced;
    let mut detail = "replaced: Terraform plans to destroy and recreate it".to_string();
    if !paths.is_empty() {
        detail.push_str(&format!(" (changing {})", paths.join(", ")));
    }
    if let Some(reason) = reason {
        detail.push_str(&format!("; {reason}"));
    }
    change.details.insert(change.risky_details, detail);
    if is_stateful(Target::Terraform, &change.resource_type)
        && !change.risks.contains(&Risk::DataLoss)
    {
        change.risks.insert(Risk::DataLoss);
        change.details.insert(
            0,
            "data loss: the old resource is deleted with its data; the replacement starts empty"
                .into(),
        );
        change.risky_details += 1;
    }
}

/// `after` with each value Terraform marks unknown (or sensitive) shown as such.
fn mark(value: &Value, unknown: &Value, sensitive: &Value) -> Value {
    if unknown == &Value::Bool(true) {
        return Value::String(UNKNOWN.into());
    }
    if sensitive == &Value::Bool(true) {
        return Value::String(SENSITIVE.into());
    }
    match value {
        Value::Object(object) => {
            let mut out = Map::new();
            for (key, child) in object {
                out.insert(
                    key.clone(),
                    mark(child, &unknown[key.as_str()], &sensitive[key.as_str()]),
                );
            }
            // Attributes known only after apply are absent from `after`.
            if let Value::Object(unknown) = unknown {
                for (key, flag) in unknown {
                    if flag == &Value::Bool(true) && !out.contains_key(key) {
                        out.insert(key.clone(), Value::String(UNKNOWN.into()));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, child)| mark(child, &unknown[i], &sensitive[i]))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A plan shows a nested block as a list of one object; the module reader
/// and the rules read it as the object.
fn blocks_as_objects(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(k, v)| (k.clone(), blocks_as_objects(v)))
                .collect(),
        ),
        Value::Array(items) if items.len() == 1 && items[0].is_object() => {
            blocks_as_objects(&items[0])
        }
        Value::Array(items) => Value::Array(items.iter().map(blocks_as_objects).collect()),
        other => other.clone(),
    }
}

/// The key `palisade deploy` sets on a nested stack's entry of a change set
/// once it has added that stack's own change set's entries after it.
pub const NESTED_INCLUDED: &str = "PalisadeNestedChangesIncluded";

/// A CloudFormation change set. With property values (`BeforeContext` and
/// `AfterContext`, from `--include-property-values`) each resource is
/// classified like a template diff; without them, what it changes is named
/// and a change to a setting a rule cares about is `unanalysed`.
/// CloudFormation's `Replacement` is the answer on replacement either way.
pub fn change_set(path: &str, set: &Value) -> Result<Report> {
    let spliced: std::collections::BTreeSet<&str> = set["Changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["ResourceChange"]["LogicalResourceId"].as_str())
        .filter_map(|id| id.split_once('/').map(|(stack, _)| stack))
        .collect();
    let changes = set.get("Changes").and_then(Value::as_array).ok_or_else(|| {
        invalid(
            path,
            "not a change set: no `Changes` (make it with `aws cloudformation describe-change-set --include-property-values`)".into(),
        )
    })?;
    let mut report = Report {
        targets: vec![Target::CloudFormation],
        ..Report::default()
    };
    for entry in changes {
        let Some(rc) = entry.get("ResourceChange") else {
            continue;
        };
        let id = rc["LogicalResourceId"]
            .as_str()
            .ok_or_else(|| invalid(path, "a change has no `LogicalResourceId`".into()))?;
        let resource_type = rc["ResourceType"].as_str().unwrap_or_default();
        let context = |key: &str| -> Option<Resource> {
            let text = rc.get(key)?.as_str()?;
            let mut value: Value = serde_json::from_str(text).ok()?;
            value["Type"] = Value::String(resource_type.to_string());
            Some(Resource {
                resource_type: resource_type.to_string(),
                value: normalize(&value),
            })
        };
        let action = rc["Action"].as_str().unwrap_or_default();
        let shell = || Resource {
            resource_type: resource_type.to_string(),
            value: serde_json::json!({ "Type": resource_type }),
        };
        let (before, after) = match action {
            "Add" | "Import" => (None, Some(context("AfterContext").unwrap_or_else(shell))),
            "Remove" => (Some(context("BeforeContext").unwrap_or_else(shell)), None),
            _ => (
                Some(context("BeforeContext").unwrap_or_else(shell)),
                Some(context("AfterContext").unwrap_or_else(shell)),
            ),
        };
        let has_values = rc.get("BeforeContext").is_some() || rc.get("AfterContext").is_some();
        let mut change = classify::change(
            Target::CloudFormation,
            id,
            before.as_ref(),
            after.as_ref(),
            &Situation::default(),
            &|_| false,
        )
        .unwrap_or_else(|| Change {
            target: Target::CloudFormation,
            resource: id.to_string(),
            resource_type: resource_type.to_string(),
            change: ChangeKind::Modified,
            risks: Default::default(),
            details: Vec::new(),
            risky_details: 0,
            accepted: None,
            old: None,
            new: None,
        });
        let targets: Vec<String> = rc["Details"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| {
                let target = &d["Target"];
                let name = target["Name"]
                    .as_str()
                    .or_else(|| target["Attribute"].as_str())?;
                let recreation = target["RequiresRecreation"].as_str().unwrap_or("Never");
                Some(format!("{name} (recreation: {recreation})"))
            })
            .collect();
        if action == "Modify" && !has_values {
            let cared: Vec<&Value> = rc["Details"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| {
                    let name = d["Target"]["Name"].as_str().unwrap_or_default();
                    let path = vec!["Properties".to_string(), name.to_string()];
                    super::vocabulary::concept(Target::CloudFormation, resource_type, &path)
                        .is_some()
                        || matches!(
                            name,
                            "PolicyDocument"
                                | "Policies"
                                | "KeyPolicy"
                                | "AssumeRolePolicyDocument"
                                | "ManagedPolicyArns"
                        )
                })
                .collect();
            if !cared.is_empty() {
                change.risks.insert(Risk::Unanalysed);
                change.details.insert(0, "the change set has no property values (use `describe-change-set --include-property-values`); a security-relevant setting changes, review it by hand".into());
                change.risky_details += 1;
            }
            if !targets.is_empty() {
                change
                    .details
                    .push(format!("changes {}", targets.join(", ")));
            }
        }
        // A nested stack's own entry says only that its template or
        // parameters change: what changes inside is in its nested change
        // set. Unless that was read (spliced in as `<stack>/<id>`, as
        // `palisade deploy` does), nothing about its resources is known.
        if resource_type == "AWS::CloudFormation::Stack"
            && action != "Remove"
            && !(rc[NESTED_INCLUDED] == true && spliced.contains(id))
        {
            change.risks.insert(Risk::Unanalysed);
            let nested = rc["ChangeSetId"].as_str().map_or(
                "create the change set with `--include-nested-stacks`".to_string(),
                |set| format!("its change set is {set}"),
            );
            change.details.insert(0, format!("a nested stack: the changes to its resources are in a change set of their own ({nested}); `palisade deploy` reads it, or describe it with `--include-property-values` and review it by hand"));
            change.risky_details += 1;
        }
        match rc["Replacement"].as_str() {
            Some("True") => {
                change.change = ChangeKind::Replaced;
                change
                    .details
                    .push("CloudFormation: Replacement True".into());
                if is_stateful(Target::CloudFormation, resource_type)
                    && !change.risks.contains(&Risk::DataLoss)
                {
                    change.risks.insert(Risk::DataLoss);
                    change.details.insert(0, "data loss: CloudFormation replaces it; the replacement starts empty (orphaned instead if the template retains it)".into());
                    change.risky_details += 1;
                }
            }
            Some("Conditional") => {
                change.details.push(
                    "CloudFormation: Replacement Conditional (decided during the update)".into(),
                );
                if is_stateful(Target::CloudFormation, resource_type)
                    && !change.risks.contains(&Risk::DataLoss)
                {
                    change.risks.insert(Risk::DataLoss);
                    change.details.insert(0, "may lose data: CloudFormation may replace it (Conditional), and a replacement starts empty".into());
                    change.risky_details += 1;
                }
            }
            _ => {}
        }
        report.changes.push(change);
    }
    report.sort();
    Ok(report)
}

/// A template diff with CloudFormation's own replacement answers merged in:
/// where the change set says a resource is replaced, it is, whatever
/// Palisade's table says.
pub fn merge_replacements(report: &mut Report, from_change_set: &Report) {
    for theirs in &from_change_set.changes {
        if theirs.change != ChangeKind::Replaced && !theirs.risks.contains(&Risk::DataLoss) {
            continue;
        }
        match report
            .changes
            .iter_mut()
            .find(|c| c.target == Target::CloudFormation && c.resource == theirs.resource)
        {
            Some(ours) => {
                if theirs.change == ChangeKind::Replaced {
                    ours.change = ChangeKind::Replaced;
                }
                for risk in &theirs.risks {
                    if ours.risks.insert(*risk) {
                        ours.details.insert(0, theirs.details[0].clone());
                        ours.risky_details += 1;
                    }
                }
                for detail in theirs
                    .details
                    .iter()
                    .filter(|d| d.starts_with("CloudFormation:"))
                {
                    ours.details.push(detail.clone());
                }
            }
            None => report.changes.push(theirs.clone()),
        }
    }
    report.sort();
}
