//! Random patches over the examples' resources, in both targets: whenever the
//! pipeline accepts one (what `build` would write with exit 0), the final
//! artifact differs from what the plan emits only in tunable settings, so no
//! control's setting moved. The oracle reads the final artifacts directly.

use std::collections::BTreeMap;

use palisade::controls::tunable::is_tunable;
use palisade::emit::{cloudformation, terraform};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

const EXAMPLES: &[&str] = &["orders", "webhooks", "media"];

fn values() -> Vec<Value> {
    vec![
        json!(null),
        json!(false),
        json!(true),
        json!(0),
        json!(1024),
        json!("*"),
        json!(""),
        json!("arn:aws:iam::999999999999:root"),
        json!({}),
        json!([]),
        json!(["lambda:*"]),
        json!({ "Statement": [{ "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*" }] }),
        json!({ "Size": 1024 }),
        json!({ "enabled": false }),
    ]
}

fn cfn_names() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string("schemas/cloudformation-properties.json").unwrap(),
    )
    .unwrap()
}

fn tf_names() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string("schemas/aws-provider-schema-subset.json").unwrap(),
    )
    .unwrap()
}

fn names(node: &Value, key: &str) -> Vec<String> {
    match node.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Some(Value::Object(o)) => o.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Settings whose values differ between two resources (CloudFormation:
/// `Properties` flattened beside the resource's own keys).
fn differing(platform_cfn: bool, planned: &Value, shipped: &Value) -> Vec<String> {
    let flat = |v: &Value| -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        if let Value::Object(o) = v {
            for (k, v) in o {
                match (platform_cfn, k.as_str(), v) {
                    (true, "Properties", Value::Object(p)) => {
                        for (pk, pv) in p {
                            out.insert(pk.clone(), pv.clone());
                        }
                    }
                    _ => {
                        out.insert(format!("@{k}"), v.clone());
                    }
                }
            }
        }
        out
    };
    let (a, b) = (flat(planned), flat(shipped));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// Whether `setting` is one a control the spec waived on this resource sets:
/// the waiver opens it, with its reason in the report.
fn opened_by_waiver(
    resource: &palisade::plan::Resource,
    cfn_type: &str,
    tf_type: Option<&str>,
    setting: &str,
) -> bool {
    resource
        .controls
        .iter()
        .filter(|c| c.waived.is_some())
        .any(|c| {
            palisade::controls::find(c.control)
                .unwrap()
                .protects
                .iter()
                .any(|p| match tf_type {
                    None => p.resource_type == cfn_type && p.property == setting,
                    Some(tf_type) => palisade::controls::translate::terraform_equivalent(
                        p.resource_type,
                        p.property,
                    )
                    .is_some_and(|(t, key)| t == tf_type && key.is_none_or(|k| k == setting)),
                })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn accepted_patches_change_only_tunable_settings(
        example in 0..EXAMPLES.len(),
        cfn in any::<bool>(),
        top_level in 0..6u8,
        resource in any::<Index>(),
        setting in any::<Index>(),
        value in any::<Index>(),
    ) {
        let path = format!("examples/{}/palisade.yaml", EXAMPLES[example]);
        let text = std::fs::read_to_string(&path).unwrap();
        let base = palisade::spec::load(&path, text.as_bytes(), None).unwrap();
        let plan = palisade::plan::compile(&base.spec, &Default::default()).unwrap();
        let value = value.get(&values()).clone();
        let (section, address, patch) = if cfn {
            let r = resource.get(&plan.resources);
            let cfn_type = r.kind.describe().cloudformation.name;
            let mut candidates = names(&cfn_names()["types"][cfn_type], "properties");
            candidates.extend(["Type", "DeletionPolicy", "Metadata", "Condition"].map(String::from));
            // A third of the draws tune a tunable setting, so accepted
            // patches are common and the oracle has work to do.
            let tunables = palisade::controls::tunable::settings(cfn_type);
            if top_level >= 4 && !tunables.is_empty() {
                candidates = tunables.iter().map(|s| s.to_string()).collect();
            }
            let key = setting.get(&candidates).clone();
            let patch = if key.chars().next().unwrap().is_uppercase() && top_level == 0 && ["Type", "DeletionPolicy", "Metadata", "Condition"].contains(&key.as_str()) {
                json!({ key: value })
            } else {
                json!({ "Properties": { key: value } })
            };
            ("cloudformation", r.id.clone(), patch)
        } else {
            let addresses = terraform::addresses(&plan).unwrap();
            let (address, _) = resource.get(&addresses);
            let tf_type = address.split('.').next().unwrap();
            let node = &tf_names()["resources"][tf_type];
            let mut candidates = names(node, "attributes");
            candidates.extend(names(node, "blocks"));
            candidates.extend(["count", "lifecycle", "provisioner"].map(String::from));
            let tunables = palisade::controls::tunable::settings(tf_type);
            if top_level >= 4 && !tunables.is_empty() {
                candidates = tunables.iter().map(|s| s.to_string()).collect();
            }
            let key = setting.get(&candidates).clone();
            ("terraform", address.clone(), json!({ key: value }))
        };
        let spec_text = format!(
            "{text}overrides:\n  {section}:\n    {address}: {}\n",
            serde_json::to_string(&patch).unwrap()
        );
        let Ok(loaded) = palisade::spec::load(&path, spec_text.as_bytes(), None) else {
            return Ok(());
        };
        let Ok(compiled) = palisade::pipeline::run_strict(&loaded, &Default::default()) else {
            return Ok(());
        };
        // Accepted: compare the final artifact with the plan's own output.
        if cfn {
            let planned = cloudformation::template(&plan, &BTreeMap::new());
            let (before, after) = (&planned["Resources"][&address], &compiled.cloudformation["Resources"][&address]);
            let cfn_type = before["Type"].as_str().unwrap();
            for key in differing(true, before, after) {
                let resource = plan.get(&address).unwrap();
                prop_assert!(
                    is_tunable(cfn_type, &key) || key == "@Metadata" || opened_by_waiver(resource, cfn_type, None, key.trim_start_matches('@')),
                    "accepted a change of {key} on {address} ({cfn_type}): {patch}"
                );
            }
        } else {
            let mut patches = BTreeMap::new();
            patches.insert(address.clone(), patch.clone());
            let (_, blocks) = terraform::module_patched(&plan, &patches).unwrap();
            for block in blocks {
                let resource = plan.get(&block.resource).unwrap();
                let cfn_type = resource.kind.describe().cloudformation.name;
                for key in differing(false, &block.planned, &block.shipped) {
                    let key = key.trim_start_matches('@');
                    prop_assert!(
                        is_tunable(&block.resource_type, key) || opened_by_waiver(resource, cfn_type, Some(&block.resource_type), key),
                        "accepted a change of {key} on {address}: {patch}"
                    );
                }
            }
            let planned_files = terraform::module(&plan, &BTreeMap::new()).unwrap();
            let changed_files = planned_files.iter().filter(|(name, text)| compiled.terraform.get(*name) != Some(text)).count();
            prop_assert!(changed_files <= 1, "one override changed {changed_files} files");
        }
    }
}
