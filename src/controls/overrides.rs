//! The shape of `overrides:`, checked before anything is merged: an override
//! names a resource Palisade generates, patches only what a resource of that
//! type has (names from cfn-lint's CloudFormation schemas and the vendored
//! hashicorp/aws schema, case included), and never the structure (`Type`,
//! `Condition`, `DependsOn`, Terraform meta-arguments, scanner suppressions).
//! What the patch does to the controls is checked afterwards, on the final
//! artifacts (`controls::artifact`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic};
use crate::plan::{Plan, Resource};
use crate::spec::{Name, Overrides, Spanned};
use crate::suggest::did_you_mean;

/// Top-level properties of each CloudFormation type Palisade emits.
const CFN_PROPERTIES: &str = include_str!("../../schemas/cloudformation-properties.json");
/// Arguments and blocks of each Terraform type Palisade emits.
const TF_SCHEMA: &str = include_str!("../../schemas/aws-provider-schema-subset.json");

/// Keys of a CloudFormation resource that are its structure, never patched.
const CFN_STRUCTURE: &[&str] = &[
    "Type",
    "Condition",
    "DependsOn",
    "CreationPolicy",
    "UpdatePolicy",
];

/// Terraform meta-arguments: they change how many resources exist, where,
/// when they are destroyed, or run commands.
const TF_META: &[&str] = &[
    "count",
    "for_each",
    "provider",
    "lifecycle",
    "depends_on",
    "provisioner",
    "connection",
];

/// `Metadata` keys that scanners read as suppressions: those come from
/// `waive:`, with a reason, or not at all.
const SCANNER_METADATA: &[&str] = &[
    "checkov", "cfn_nag", "cdk_nag", "guard", "cfn-lint", "cfn_lint",
];

fn cfn_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(CFN_PROPERTIES).expect("vendored JSON"))
}

fn tf_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(TF_SCHEMA).expect("vendored JSON"))
}

fn names(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::Object(entries)) => entries.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

fn structure(at: &Name, message: String) -> Diagnostic {
    Diagnostic::error(Code::OverrideStructure, at.loc, message)
}

/// Every problem with the shape of the CloudFormation and Terraform
/// overrides. `cfn_type` gives a plan resource's CloudFormation type;
/// `addresses` the Terraform addresses with their resources.
pub fn check(
    plan: &Plan,
    overrides: &Overrides,
    cfn_type: &dyn Fn(&Resource) -> &'static str,
    addresses: &[(String, &Resource)],
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (id, patch) in &overrides.cloudformation {
        let Some(resource) = plan.get(id) else {
            found.push(unknown_target(
                id,
                "a resource Palisade generates",
                plan.resources.iter().map(|r| r.id.as_str()),
                "`palisade build` and look at the template's logical IDs",
            ));
            continue;
        };
        cloudformation(id, patch, cfn_type(resource), &mut found);
    }
    if overrides.terraform.is_empty() {
        return found;
    }
    for (address, patch) in &overrides.terraform {
        if !addresses.iter().any(|(a, _)| a == &address.value) {
            found.push(unknown_target(
                address,
                "a Terraform resource Palisade generates",
                addresses.iter().map(|(a, _)| a.as_str()),
                "`palisade build --target terraform` and look at the resource addresses",
            ));
            continue;
        }
        let tf_type = address.value.split('.').next().unwrap_or_default();
        terraform(address, patch, tf_type, &mut found);
    }
    found
}

fn unknown_target<'a>(
    target: &Name,
    what: &str,
    known: impl Iterator<Item = &'a str>,
    otherwise: &str,
) -> Diagnostic {
    let suggestion = did_you_mean(target, known)
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| otherwise.to_string());
    Diagnostic::error(
        Code::OverrideTarget,
        target.loc,
        format!("`{}` is not {what}", target.value),
    )
    .with_suggestion(suggestion)
}

fn cloudformation(id: &Name, patch: &Spanned<Value>, cfn_type: &str, found: &mut Vec<Diagnostic>) {
    let Some(patch) = patch.value.as_object() else {
        found.push(Diagnostic::error(
            Code::WrongType,
            patch.loc,
            "an override is a mapping (for example `{ Properties: { ... } }`)",
        ));
        return;
    };
    for (key, value) in patch {
        if CFN_STRUCTURE.contains(&key.as_str()) {
            found.push(structure(
                id,
                format!("this override sets `{key}` on {}: overrides cannot change a resource's structure", id.value),
            ).with_suggestion("describe the resource in the spec instead; `overrides:` only tunes what Palisade generates"));
            continue;
        }
        if !super::artifact::CFN_RESOURCE_KEYS.contains(&key.as_str()) {
            let mut d = structure(
                id,
                format!("`{key}` is not a key of a CloudFormation resource that overrides may set"),
            );
            d.suggestion = Some(
                match did_you_mean(key, super::artifact::CFN_RESOURCE_KEYS.iter().copied()) {
                    Some(s) => {
                        format!("did you mean `{s}`? (CloudFormation keys are case-sensitive)")
                    }
                    None => format!(
                        "overrides may set {}",
                        super::artifact::CFN_RESOURCE_KEYS.join(", ")
                    ),
                },
            );
            found.push(d);
            continue;
        }
        match key.as_str() {
            "Properties" => {
                let Some(properties) = value.as_object() else {
                    found.push(structure(
                        id,
                        format!(
                            "`Properties` of the override on {} must be a mapping of properties",
                            id.value
                        ),
                    ));
                    continue;
                };
                let types = &cfn_schema()["types"][cfn_type];
                let known = names(types.get("properties"));
                let read_only = names(types.get("read_only"));
                for name in properties.keys() {
                    if read_only.contains(&name.as_str()) {
                        found.push(structure(
                            id,
                            format!(
                                "`{name}` is a read-only attribute of {cfn_type}, not a property"
                            ),
                        ));
                    } else if !known.contains(&name.as_str()) {
                        let mut d = structure(id, format!("{cfn_type} has no property `{name}`"));
                        d.suggestion = Some(match did_you_mean(name, known.iter().copied()) {
                            Some(s) => {
                                format!("did you mean `{s}`? (property names are case-sensitive)")
                            }
                            None => {
                                "see the resource type's properties in the CloudFormation reference"
                                    .into()
                            }
                        });
                        found.push(d);
                    }
                }
            }
            "Metadata" => {
                let Some(metadata) = value.as_object() else {
                    found.push(structure(id, "`Metadata` must be a mapping".into()));
                    continue;
                };
                for name in metadata
                    .keys()
                    .filter(|k| SCANNER_METADATA.contains(&k.as_str()))
                {
                    found.push(structure(id, format!("`Metadata.{name}` suppresses scanner findings; suppressions come only from `waive:`, with a reason")).with_suggestion("waive the control on the spec entry with a reason; Palisade writes the suppression for every scanner and lists it in SECURITY.md"));
                }
            }
            "DeletionPolicy" | "UpdateReplacePolicy"
                if !matches!(
                    value.as_str(),
                    Some("Delete" | "Retain" | "Snapshot" | "RetainExceptOnCreate")
                ) =>
            {
                found.push(structure(
                    id,
                    format!("`{key}` is one of Delete, Retain, Snapshot, RetainExceptOnCreate"),
                ));
            }
            _ => {}
        }
    }
}

fn terraform(address: &Name, patch: &Spanned<Value>, tf_type: &str, found: &mut Vec<Diagnostic>) {
    let Some(patch) = patch.value.as_object() else {
        found.push(Diagnostic::error(
            Code::WrongType,
            patch.loc,
            "a Terraform override is a mapping of attributes (for example `{ description: ... }`)",
        ));
        return;
    };
    for key in patch.keys().filter(|k| TF_META.contains(&k.as_str())) {
        found.push(structure(address, format!("`{key}` is a Terraform meta-argument; overrides cannot set it")).with_suggestion(
            "meta-arguments decide how many resources exist and how they are destroyed; Palisade sets them from the spec",
        ));
    }
    let node = &tf_schema()["resources"][tf_type];
    let patch: serde_json::Map<String, Value> = patch
        .iter()
        .filter(|(k, _)| !TF_META.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    terraform_body(address, tf_type, &patch, node, &mut Vec::new(), found);
}

/// Checks a body's keys against its schema node, descending into nested
/// blocks; every key at every depth must be an identifier, since the HCL
/// writer puts it in the output as is.
fn terraform_body(
    address: &Name,
    tf_type: &str,
    body: &serde_json::Map<String, Value>,
    node: &Value,
    path: &mut Vec<String>,
    found: &mut Vec<Diagnostic>,
) {
    let attributes = names(node.get("attributes"));
    let blocks = node.get("blocks").and_then(Value::as_object);
    let objects = node.get("object_attributes").and_then(Value::as_object);
    let computed = names(node.get("computed"));
    let opaque = node.get("opaque").is_some_and(|v| v == &Value::Bool(true));
    let at = |path: &[String], key: &str| {
        let mut parts = path.to_vec();
        parts.push(key.to_string());
        parts.join(".")
    };
    for (key, value) in body {
        if !crate::text::is_hcl_identifier(key) {
            found.push(structure(
                address,
                format!("`{}` is not a Terraform identifier", key.escape_debug()),
            ));
            continue;
        }
        identifiers_only(address, value, &at(path, key), found);
        if opaque {
            continue;
        }
        if computed.contains(&key.as_str()) && !attributes.contains(&key.as_str()) {
            found.push(structure(
                address,
                format!("`{}` is read-only on {tf_type}", at(path, key)),
            ));
        } else if let Some(block) = blocks.and_then(|b| b.get(key)) {
            let items: Vec<&serde_json::Map<String, Value>> = match value {
                Value::Object(o) => vec![o],
                Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
                _ => Vec::new(),
            };
            if items.is_empty() {
                found.push(structure(
                    address,
                    format!("`{}` is a block: give it a mapping", at(path, key)),
                ));
            }
            for item in items {
                path.push(key.clone());
                terraform_body(address, tf_type, item, block, path, found);
                path.pop();
            }
        } else if !attributes.contains(&key.as_str())
            && !objects.is_some_and(|o| o.contains_key(key))
        {
            let known = attributes.iter().copied().chain(
                blocks
                    .into_iter()
                    .flat_map(|b| b.keys().map(String::as_str)),
            );
            let mut d = structure(
                address,
                format!("{tf_type} has no argument or block `{}`", at(path, key)),
            );
            d.suggestion = did_you_mean(key, known).map(|s| format!("did you mean `{s}`?"));
            found.push(d);
        }
    }
}

/// Nested object keys become HCL identifiers or object keys; refuse any key
/// that is not an identifier, at any depth.
fn identifiers_only(address: &Name, value: &Value, path: &str, found: &mut Vec<Diagnostic>) {
    match value {
        Value::Object(entries) => {
            for (key, value) in entries {
                if !crate::text::is_hcl_identifier(key) {
                    found.push(structure(
                        address,
                        format!(
                            "`{}` under `{path}` is not a Terraform identifier",
                            key.escape_debug()
                        ),
                    ));
                } else {
                    identifiers_only(address, value, &format!("{path}.{key}"), found);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                identifiers_only(address, item, path, found);
            }
        }
        _ => {}
    }
}

/// The diagnostic for an override (at `target`, in either target's section)
/// that makes `control` fail on the final artifact.
pub fn undoes(target: &Name, what: &str, control: &super::ControlInfo) -> Diagnostic {
    Diagnostic::error(
        Code::OverrideUndoesControl,
        target.loc,
        format!(
            "this override undoes {} ({}): {what}",
            control.id, control.title
        ),
    )
    .with_suggestion(if control.waivable {
        format!(
            "waive {} on the spec entry with a reason, or drop the override",
            control.id
        )
    } else {
        format!("{} cannot be waived; drop the override", control.id)
    })
}

/// Overrides by the resource they name, for reports.
pub fn by_target(
    overrides: &Overrides,
) -> BTreeMap<(&'static str, String), (crate::spec::Loc, Vec<String>)> {
    let mut found = BTreeMap::new();
    for (platform, entries) in [
        ("cloudformation", &overrides.cloudformation),
        ("terraform", &overrides.terraform),
    ] {
        for (target, patch) in entries {
            let mut keys: Vec<String> = match &patch.value {
                Value::Object(o) => o
                    .iter()
                    .flat_map(|(k, v)| match (k.as_str(), v) {
                        ("Properties", Value::Object(p)) => p.keys().cloned().collect::<Vec<_>>(),
                        _ => vec![k.clone()],
                    })
                    .collect(),
                _ => Vec::new(),
            };
            // The spec's mapping order must not change a byte of the report.
            keys.sort();
            found.insert((platform, target.value.clone()), (target.loc, keys));
        }
    }
    found
}
