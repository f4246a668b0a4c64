//! A change set as a reviewer reads it: Palisade's diff of the deployed
//! template against the new one (risk classes), with CloudFormation's own
//! `Replacement` answers merged in (`diff::plan`), then CloudFormation's
//! per-resource answers (action, replacement, scope) as it gave them.

use aws_sdk_cloudformation::types::Change;
use serde_json::{Value, json};

use crate::diff::{self, Report};
use crate::error::Result;

/// The SDK's changes in the shape of `aws cloudformation
/// describe-change-set --output json`, which `diff::plan::change_set` reads.
pub fn change_set_json(changes: &[Change]) -> Value {
    let entries: Vec<Value> = changes
        .iter()
        .filter_map(|change| {
            let rc = change.resource_change()?;
            let mut entry = json!({
                "Action": rc.action().map(|a| a.as_str()),
                "LogicalResourceId": rc.logical_resource_id(),
                "ResourceType": rc.resource_type(),
                "Scope": rc.scope().iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "Details": rc.details().iter().map(|d| {
                    let target = d.target();
                    json!({
                        "Target": {
                            "Attribute": target.and_then(|t| t.attribute()).map(|a| a.as_str()),
                            "Name": target.and_then(|t| t.name()),
                            "RequiresRecreation": target.and_then(|t| t.requires_recreation()).map(|r| r.as_str()),
                        },
                        "Evaluation": d.evaluation().map(|e| e.as_str()),
                        "ChangeSource": d.change_source().map(|c| c.as_str()),
                        "CausingEntity": d.causing_entity(),
                    })
                }).collect::<Vec<_>>(),
            });
            if let Some(replacement) = rc.replacement() {
                entry["Replacement"] = json!(replacement.as_str());
            }
            if let Some(before) = rc.before_context() {
                entry["BeforeContext"] = json!(before);
            }
            if let Some(after) = rc.after_context() {
                entry["AfterContext"] = json!(after);
            }
            if let Some(nested) = rc.change_set_id() {
                entry["ChangeSetId"] = json!(nested);
            }
            Some(json!({ "Type": "Resource", "ResourceChange": entry }))
        })
        .collect();
    json!({ "Changes": entries })
}

/// Adds a nested change set's entries to its parent's, as
/// `<stack>/<logical ID>`, and marks the parent's stack entry as read, so
/// that [`diff::plan::change_set`] classifies the nested resources instead
/// of calling the stack `unanalysed`.
pub fn splice_nested(set: &mut Value, parent: &str, nested: &Value) {
    let Some(entries) = set["Changes"].as_array_mut() else {
        return;
    };
    for entry in entries.iter_mut() {
        let rc = &mut entry["ResourceChange"];
        if rc["LogicalResourceId"] == parent && rc["ResourceType"] == "AWS::CloudFormation::Stack" {
            rc[diff::plan::NESTED_INCLUDED] = json!(true);
        }
    }
    for entry in nested["Changes"].as_array().into_iter().flatten() {
        let mut entry = entry.clone();
        let rc = &mut entry["ResourceChange"];
        if let Some(id) = rc["LogicalResourceId"].as_str() {
            rc["LogicalResourceId"] = json!(format!("{parent}/{id}"));
        }
        entries.push(entry);
    }
}

/// Palisade's diff of the deployed template (`{"Resources": {}}` for a new
/// stack) against the new one, with the change set's replacement answers
/// merged in: where CloudFormation says it replaces, it does.
pub fn report(old: &Value, new: &Value, change_set: &Value) -> Result<Report> {
    let mut ours = diff::compare_cloudformation(old, new);
    let theirs = diff::plan::change_set("change set", change_set)?;
    diff::plan::merge_replacements(&mut ours, &theirs);
    // Nested stacks' resources are not in the root template compared above:
    // their changes come from the nested change sets, classified by their
    // property values.
    // A nested stack whose change set could not be read stays `unanalysed`
    // (CloudFormation gave no nested change set, or an emulator).
    for change in theirs.changes {
        if change.resource.contains('/') {
            ours.changes.push(change);
        } else if change.resource_type == "AWS::CloudFormation::Stack"
            && change.risks.contains(&diff::Risk::Unanalysed)
        {
            match ours
                .changes
                .iter_mut()
                .find(|c| c.resource == change.resource)
            {
                Some(mine) => {
                    mine.risks.insert(diff::Risk::Unanalysed);
                    mine.details
                        .splice(0..0, change.details.into_iter().take(1));
                    mine.risky_details += 1;
                }
                None => ours.changes.push(change),
            }
        }
    }
    Ok(ours)
}

/// One line per resource CloudFormation changes: action, logical ID, type,
/// replacement and scope, as CloudFormation answered.
fn cloudformation_rows(change_set: &Value) -> Vec<[String; 5]> {
    change_set["Changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let rc = &c["ResourceChange"];
            let text = |v: &Value| v.as_str().unwrap_or("-").to_string();
            let scope: Vec<&str> = rc["Scope"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            [
                text(&rc["Action"]),
                text(&rc["LogicalResourceId"]),
                text(&rc["ResourceType"]),
                text(&rc["Replacement"]),
                if scope.is_empty() {
                    "-".into()
                } else {
                    scope.join(", ")
                },
            ]
        })
        .collect()
}

/// The change set for a terminal.
pub fn text(heading: &str, report: &Report, change_set: &Value, color: bool) -> String {
    let mut out = format!("{heading}\n\n");
    out.push_str(&diff::render::text(report, color));
    out.push_str("\nCloudFormation's answers (action, resource, type, replacement, scope):\n");
    for [action, id, kind, replacement, scope] in cloudformation_rows(change_set) {
        out.push_str(&format!(
            "  {action:<7} {id:<40} {kind:<32} replacement: {replacement:<11} scope: {scope}\n"
        ));
    }
    out
}

/// The change set for a pull request comment or a job summary.
pub fn markdown(heading: &str, report: &Report, change_set: &Value) -> String {
    let mut out = format!("### {heading}\n\n");
    out.push_str(&diff::render::markdown(report, None));
    out.push_str("\n<details><summary>CloudFormation's answers</summary>\n\n| action | resource | type | replacement | scope |\n|---|---|---|---|---|\n");
    for [action, id, kind, replacement, scope] in cloudformation_rows(change_set) {
        out.push_str(&format!(
            "| {action} | `{id}` | `{kind}` | {replacement} | {scope} |\n"
        ));
    }
    out.push_str("\n</details>\n");
    out
}
