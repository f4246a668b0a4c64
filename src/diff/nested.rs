//! `diff` across nested layouts. Each side's CloudFormation is compared as
//! one flat template (so a single-template build and a nested build of the
//! same spec compare resource by resource), and the stack each resource
//! lives in is carried beside it: a resource whose stack changes is a
//! replacement, CloudFormation creating it in the new stack before deleting
//! it from the old (a named resource collides, a stateful one loses its data).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::replacement::is_stateful;
use super::{Change, ChangeKind, Report, Risk, Target};
use crate::emit::cloudformation::nested::Stack;

/// The key under which a flattened template carries its resources' stacks
/// (`{ logical ID: stack }`, root resources absent). Never written to a file.
pub const MEMBERSHIP: &str = "PalisadeStackMembership";

/// The stack of each resource of a spec's final template, as `build`
/// would lay it out (empty when it writes one template).
pub fn spec_membership(
    spec: &crate::spec::Spec,
    plan: &crate::plan::Plan,
    template: &Value,
) -> BTreeMap<String, Stack> {
    let split = crate::emit::cloudformation::nested::pinned(spec)
        || crate::emit::cloudformation::nested::needed(template, None)
        || crate::emit::cloudformation::nested::needed(
            template,
            Some(&crate::emit::yaml::to_yaml(template)),
        );
    if !split {
        return BTreeMap::new();
    }
    crate::emit::cloudformation::nested::assign(spec, plan)
        .into_iter()
        .filter(|(_, stack)| *stack != Stack::Root)
        .collect()
}

/// Adds `membership` to a template under [`MEMBERSHIP`] (nothing when
/// empty), and points the root's `DependsOn` at the child stacks as the
/// root `build` writes does, so a spec and its nested build compare equal.
pub fn annotate(template: &mut Value, membership: BTreeMap<String, Stack>) {
    if membership.is_empty() {
        return;
    }
    let Some(object) = template.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(resources)) = object.get_mut("Resources") {
        for (id, resource) in resources.iter_mut() {
            if membership.contains_key(id) {
                continue;
            }
            if let Some(resource) = resource.as_object_mut() {
                crate::emit::cloudformation::nested::point_depends_on_at_stacks(
                    resource,
                    &membership,
                );
            }
        }
    }
    let names: Map<String, Value> = membership
        .into_iter()
        .map(|(id, stack)| (id, json!(stack.name())))
        .collect();
    object.insert(MEMBERSHIP.into(), Value::Object(names));
}

fn membership(template: &Value) -> BTreeMap<&str, &str> {
    template
        .get(MEMBERSHIP)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(id, stack)| Some((id.as_str(), stack.as_str()?)))
        .collect()
}

/// Flattens a root template whose `AWS::CloudFormation::Stack` resources
/// point at children found in `stacks/` beside it (as `build` writes them):
/// the children's resources join the root's, their parameters and outputs
/// resolved back to the references they stand for, and each carries its
/// stack. A root without such children is returned as it is. `read` reads
/// and parses a child file.
pub fn flatten(
    root: Value,
    dir: &Path,
    read: &dyn Fn(&Path) -> crate::error::Result<Value>,
) -> crate::error::Result<Value> {
    let Some(resources) = root.get("Resources").and_then(Value::as_object) else {
        return Ok(root);
    };
    let mut children: BTreeMap<String, (Value, Map<String, Value>)> = BTreeMap::new();
    for (id, resource) in resources {
        if resource["Type"] != "AWS::CloudFormation::Stack" {
            continue;
        }
        let url = match &resource["Properties"]["TemplateURL"] {
            Value::String(url) => url.as_str(),
            Value::Object(o) => o.get("Fn::Sub").and_then(Value::as_str).unwrap_or(""),
            _ => "",
        };
        let Some(base) = url.rsplit('/').next().filter(|b| !b.is_empty()) else {
            continue;
        };
        let path = dir.join("stacks").join(base);
        if !path.is_file() {
            continue;
        }
        let parameters = resource["Properties"]["Parameters"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        children.insert(id.clone(), (read(&path)?, parameters));
    }
    if children.is_empty() {
        return Ok(root);
    }
    // What `Fn::GetAtt [Stack, Outputs.X]` reads: the child's output value.
    let output = |stack: &str, name: &str| -> Option<Value> {
        children.get(stack)?.0["Outputs"][name]
            .get("Value")
            .cloned()
    };
    let mut flat = root.clone();
    let mut membership = Map::new();
    let mut all = Map::new();
    let mut outputs = root["Outputs"].as_object().cloned().unwrap_or_default();
    for (id, resource) in resources {
        if children.contains_key(id) {
            continue;
        }
        let mut resource = resource.clone();
        resolve(&mut resource, &|name, attr| {
            let (stack, output_name) = match attr {
                Some(attr) => (name, attr.strip_prefix("Outputs.")?),
                None => return None,
            };
            output(stack, output_name)
        });
        all.insert(id.clone(), resource);
    }
    for (stack, (child, parameters)) in &children {
        let name = child_name(child, stack);
        // A parameter's value in the root, itself resolved to what it reads.
        let parameter = |name: &str| -> Option<Value> {
            let mut value = parameters.get(name)?.clone();
            if let Some([stack, attr]) = value
                .get("Fn::GetAtt")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                && let (Some(stack), Some(attr)) = (stack.as_str(), attr.as_str())
                && let Some(name) = attr.strip_prefix("Outputs.")
                && let Some(resolved) = output(stack, name)
            {
                value = resolved;
            }
            Some(value)
        };
        for (id, resource) in child["Resources"].as_object().into_iter().flatten() {
            let mut resource = resource.clone();
            resolve(&mut resource, &|name, attr| match attr {
                None => parameter(name),
                Some(_) => None,
            });
            membership.insert(id.clone(), json!(name));
            all.insert(id.clone(), resource);
        }
        // The service's outputs the child carries (not those passed between stacks).
        for (key, value) in child["Outputs"].as_object().into_iter().flatten() {
            if value.get("Description").is_some() {
                outputs.insert(key.clone(), value.clone());
            }
        }
    }
    let object = flat.as_object_mut().expect("checked above");
    object.insert("Resources".into(), Value::Object(all));
    if !outputs.is_empty() {
        object.insert("Outputs".into(), Value::Object(outputs));
    }
    object.insert(MEMBERSHIP.into(), Value::Object(membership));
    Ok(flat)
}

/// The child's name from its description (`svc functions-007: ...`), or its stack ID.
fn child_name(child: &Value, stack: &str) -> String {
    child["Description"]
        .as_str()
        .and_then(|d| d.split(':').next())
        .and_then(|head| head.rsplit(' ').next())
        .map_or_else(|| stack.to_string(), str::to_string)
}

/// Replaces `Ref P` / `${P}` / `Fn::GetAtt [S, A]` / `${S.A}` by what
/// `lookup(name, attr)` says they stand for (a `Ref` or `Fn::GetAtt`).
fn resolve(value: &mut Value, lookup: &dyn Fn(&str, Option<&str>) -> Option<Value>) {
    match value {
        Value::Object(map) if map.len() == 1 => {
            let (key, inner) = map.iter_mut().next().expect("one entry");
            let replacement = match (key.as_str(), &*inner) {
                ("Ref", Value::String(name)) => lookup(name, None),
                ("Fn::GetAtt", Value::Array(parts)) if parts.len() == 2 => {
                    match (parts[0].as_str(), parts[1].as_str()) {
                        (Some(name), Some(attr)) => lookup(name, Some(attr)),
                        _ => None,
                    }
                }
                ("Fn::Sub", Value::String(text)) => {
                    Some(json!({ "Fn::Sub": resolve_sub(text, lookup) }))
                }
                _ => None,
            };
            match replacement {
                Some(replacement) => *value = replacement,
                None => resolve(inner, lookup),
            }
        }
        Value::Object(map) => map.values_mut().for_each(|v| resolve(v, lookup)),
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, lookup)),
        _ => {}
    }
}

/// `Fn::Sub` text with each `${P}` or `${S.Outputs.X}` resolved.
fn resolve_sub(text: &str, lookup: &dyn Fn(&str, Option<&str>) -> Option<Value>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let token = &after[..end];
        let (name, attr) = match token.split_once('.') {
            Some((name, attr)) => (name, Some(attr)),
            None => (token, None),
        };
        let resolved = (!token.starts_with('!'))
            .then(|| lookup(name, attr))
            .flatten()
            .and_then(|value| sub_token(&value));
        match resolved {
            Some(token) => {
                out.push_str("${");
                out.push_str(&token);
                out.push('}');
            }
            None => out.push_str(&rest[start..start + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A `Ref`/`Fn::GetAtt` as the token `Fn::Sub` writes for it.
fn sub_token(value: &Value) -> Option<String> {
    if let Some(name) = value.get("Ref").and_then(Value::as_str) {
        return Some(name.to_string());
    }
    let parts = value.get("Fn::GetAtt")?.as_array()?;
    Some(format!(
        "{}.{}",
        parts.first()?.as_str()?,
        parts.get(1)?.as_str()?
    ))
}

/// Marks every resource of both templates whose stack differs as replaced,
/// with data loss when it is stateful.
pub fn mark_moves(report: &mut Report, old: &Value, new: &Value) {
    let (before, after) = (membership(old), membership(new));
    fn stack<'a>(m: &BTreeMap<&str, &'a str>, id: &str) -> &'a str {
        m.get(id).copied().unwrap_or("root")
    }
    let Some(new_resources) = new.get("Resources").and_then(Value::as_object) else {
        return;
    };
    for (id, resource) in new_resources {
        if old["Resources"].get(id).is_none() {
            continue;
        }
        let (from, to) = (stack(&before, id), stack(&after, id));
        if from == to {
            continue;
        }
        let resource_type = resource["Type"].as_str().unwrap_or_default().to_string();
        let stateful = is_stateful(Target::CloudFormation, &resource_type);
        let detail = format!(
            "replaced: moves from stack {from} to stack {to}; CloudFormation creates it in {to} before deleting it from {from}{}",
            if stateful {
                ", so a named resource collides and its data does not move"
            } else {
                ""
            }
        );
        let existing = report
            .changes
            .iter_mut()
            .find(|c| c.target == Target::CloudFormation && c.resource == *id);
        let change = match existing {
            Some(change) => change,
            None => {
                report.changes.push(Change {
                    target: Target::CloudFormation,
                    resource: id.clone(),
                    resource_type: resource_type.clone(),
                    change: ChangeKind::Replaced,
                    risks: Default::default(),
                    details: Vec::new(),
                    risky_details: 0,
                    accepted: None,
                    old: old["Resources"].get(id).cloned(),
                    new: Some(resource.clone()),
                });
                report.changes.last_mut().expect("just pushed")
            }
        };
        change.change = ChangeKind::Replaced;
        if stateful {
            change.risks.insert(Risk::DataLoss);
            change.details.insert(0, detail);
            change.risky_details += 1;
        } else {
            change.details.insert(change.risky_details, detail);
        }
    }
    report.sort();
}
