//! Controls verified on what ships: each resource an override changed is
//! compared, setting by setting, with what the plan emits for it, in the
//! final CloudFormation and the final Terraform alike. A changed setting
//! that a control protects undoes that control; a changed setting that is
//! not tunable is PAL-OVR-001; and the semantic checks (who a resource
//! policy admits, whether a key is enabled, …) read the final resource as a
//! whole, so a setting no control names yet cannot slip through.

use serde_json::{Map, Value};

use super::ids::*;
use super::{ControlInfo, EVERY_SETTING, Target, tunable};
use crate::iam::Scope;
use crate::plan::Resource;

/// One resource as the plan emits it and as it ships after `overrides:`.
#[derive(Debug, Clone)]
pub struct Shipped<'a> {
    pub target: Target,
    /// The plan resource it comes from.
    pub resource: &'a Resource,
    /// Logical ID or Terraform address.
    pub address: String,
    /// `AWS::SQS::Queue` or `aws_sqs_queue`.
    pub resource_type: String,
    /// The CloudFormation type of the plan resource, which controls declare
    /// their protected settings in.
    pub cfn_type: String,
    /// CloudFormation: the resource object (`Type`, `Properties`, …).
    /// Terraform: the block body.
    pub planned: Value,
    pub shipped: Value,
}

/// A control the final artifact does not satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub control: &'static str,
    pub target: Target,
    /// The plan resource (its logical ID).
    pub resource: String,
    /// Logical ID or Terraform address.
    pub address: String,
    /// The setting at fault.
    pub setting: String,
    pub message: String,
}

/// The keys of a CloudFormation resource other than `Properties` that an
/// override may set at all.
pub const CFN_RESOURCE_KEYS: &[&str] = &[
    "Properties",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
];

/// Every violation in `shipped`; `waiver(resource, control)` says whether the
/// spec waives a waivable control for the resource.
pub fn verify(shipped: &[Shipped], waiver: &dyn Fn(&Resource, &str) -> bool) -> Vec<Violation> {
    let mut found = Vec::new();
    for item in shipped {
        let planned = settings(item.target, &item.planned);
        let now = settings(item.target, &item.shipped);
        let mut keys: Vec<&String> = planned.keys().chain(now.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            if planned.get(key) == now.get(key) {
                continue;
            }
            found.extend(changed(item, key, waiver));
        }
        found.extend(semantic(item, waiver));
    }
    found.sort_by(|a, b| {
        (&a.address, &a.setting, a.control).cmp(&(&b.address, &b.setting, b.control))
    });
    found.dedup();
    found
}

/// A resource's settings: CloudFormation properties (and the resource's
/// other keys, `Type` included), or Terraform arguments and blocks.
fn settings(target: Target, value: &Value) -> Map<String, Value> {
    let Value::Object(object) = value else {
        return Map::new();
    };
    match target {
        Target::Terraform => object.clone(),
        Target::CloudFormation => {
            let mut flat = Map::new();
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("Properties", Value::Object(properties)) => {
                        for (name, value) in properties {
                            flat.insert(name.clone(), value.clone());
                        }
                    }
                    // `Properties: null` or a list: every property is gone
                    // and the key itself is malformed.
                    _ => {
                        flat.insert(format!("@{key}"), value.clone());
                    }
                }
            }
            flat
        }
    }
}

/// What changing `key` does: undoes the controls that protect it, or needs
/// PAL-OVR-001 when it is not tunable.
fn changed(item: &Shipped, key: &str, waiver: &dyn Fn(&Resource, &str) -> bool) -> Vec<Violation> {
    let violation = |control: &'static str, message: String| Violation {
        control,
        target: item.target,
        resource: item.resource.id.clone(),
        address: item.address.clone(),
        setting: key.trim_start_matches('@').to_string(),
        message,
    };
    // The resource's own keys: `Type`, `Condition`, `DependsOn` are structure.
    if let Some(top) = key.strip_prefix('@') {
        let allowed = CFN_RESOURCE_KEYS.contains(&top) && top != "Properties";
        if !allowed {
            return vec![violation(
                OVERRIDES_TUNABLE,
                format!(
                    "`{top}` of {} changed: overrides cannot change a resource's structure",
                    item.address
                ),
            )];
        }
        if top == "Metadata" {
            return Vec::new();
        }
    }
    // `UpdateReplacePolicy` keeps or drops the data on replacement exactly as
    // `DeletionPolicy` does on removal: the same controls protect both.
    let setting = match key.trim_start_matches('@') {
        "UpdateReplacePolicy" => "DeletionPolicy",
        other => other,
    };
    let mut found = Vec::new();
    let protectors = protecting(item, setting);
    for &control in &protectors {
        let waivable_and_waived = control.waivable && waiver(item.resource, control.id);
        let waived_in_plan = item
            .resource
            .controls
            .iter()
            .any(|c| c.control == control.id && c.waived.is_some());
        if !(waivable_and_waived || waived_in_plan) {
            found.push(violation(
                control.id,
                format!(
                    "`{setting}` of {} changed, and the control sets it",
                    item.address
                ),
            ));
        }
    }
    if protectors.is_empty()
        && !tunable::is_tunable(&item.resource_type, setting)
        && !waiver(item.resource, OVERRIDES_TUNABLE)
    {
        found.push(violation(
            OVERRIDES_TUNABLE,
            format!(
                "`{setting}` of {} ({}) is not a tunable setting",
                item.address, item.resource_type
            ),
        ));
    }
    found
}

/// The controls that protect `setting` on this resource: those the plan
/// applied to it, and the artifact controls, which hold for every resource
/// of their types.
fn protecting(item: &Shipped, setting: &str) -> Vec<&'static ControlInfo> {
    let tunable = tunable::is_tunable(&item.resource_type, setting);
    let applied = item
        .resource
        .controls
        .iter()
        .filter_map(|c| super::find(c.control));
    let artifact = ARTIFACT_CONTROLS.iter().filter_map(|id| super::find(id));
    let mut found: Vec<&'static ControlInfo> = applied
        .chain(artifact)
        .filter(|control| {
            control.protects.iter().any(|p| {
                let (resource_type, property) = match (p.target, item.target) {
                    (Target::CloudFormation, Target::CloudFormation) => {
                        (p.resource_type, Some(p.property))
                    }
                    (Target::Terraform, Target::Terraform) => (p.resource_type, Some(p.property)),
                    (Target::CloudFormation, Target::Terraform)
                        if p.resource_type == item.cfn_type =>
                    {
                        let Some((t, key)) =
                            super::translate::terraform_equivalent(p.resource_type, p.property)
                        else {
                            return false;
                        };
                        (t, key)
                    }
                    _ => return false,
                };
                resource_type == item.resource_type
                    && match property {
                        // A companion resource that carries the setting whole.
                        None => true,
                        Some(EVERY_SETTING) => !tunable,
                        Some(property) => property == setting,
                    }
            })
        })
        .collect();
    found.sort_by_key(|c| c.id);
    found.dedup_by_key(|c| c.id);
    found
}

/// Checks that read the final resource as a whole.
fn semantic(item: &Shipped, waiver: &dyn Fn(&Resource, &str) -> bool) -> Vec<Violation> {
    let mut found = Vec::new();
    let mut flag = |control: &'static str, setting: &str, message: String| {
        let waivable = super::find(control).is_some_and(|c| c.waivable);
        if waivable && waiver(item.resource, control) {
            return;
        }
        found.push(Violation {
            control,
            target: item.target,
            resource: item.resource.id.clone(),
            address: item.address.clone(),
            setting: setting.to_string(),
            message,
        });
    };
    let settings = settings(item.target, &item.shipped);
    let get = |name: &str| settings.get(name);
    let is_false = |v: Option<&Value>| {
        matches!(v, Some(Value::Bool(false)))
            || matches!(v, Some(Value::String(s)) if s.eq_ignore_ascii_case("false"))
    };
    let address = &item.address;
    match item.resource_type.as_str() {
        "AWS::KMS::Key" | "aws_kms_key" => {
            for key in ["Enabled", "is_enabled"] {
                if is_false(get(key)) {
                    flag(KMS_KEY_ENABLED, key, format!("{address} is disabled"));
                }
            }
            for (key, expected) in [
                ("KeyUsage", "ENCRYPT_DECRYPT"),
                ("key_usage", "ENCRYPT_DECRYPT"),
                ("KeySpec", "SYMMETRIC_DEFAULT"),
                ("customer_master_key_spec", "SYMMETRIC_DEFAULT"),
            ] {
                if let Some(value) = get(key)
                    && value != &Value::String(expected.into())
                {
                    flag(
                        KMS_KEY_ENABLED,
                        key,
                        format!("{address} has {key} {value}; the service key is {expected}"),
                    );
                }
            }
            for key in ["KeyPolicy", "policy"] {
                if let Some(policy) = get(key) {
                    resource_policy(policy, key, address, &mut flag);
                }
            }
        }
        "AWS::CloudWatch::Alarm" | "aws_cloudwatch_metric_alarm" => {
            for key in ["ActionsEnabled", "actions_enabled"] {
                if is_false(get(key)) {
                    flag(
                        MON_ALARMS_ENABLED,
                        key,
                        format!("{address} has its actions disabled"),
                    );
                }
            }
            for key in [
                "AlarmActions",
                "OKActions",
                "InsufficientDataActions",
                "alarm_actions",
                "ok_actions",
                "insufficient_data_actions",
            ] {
                for action in get(key).into_iter().flat_map(strings) {
                    if is_literal(&action) {
                        flag(
                            MON_ALARMS_ENABLED,
                            key,
                            format!(
                                "{address} notifies `{action}`, which is not a resource of this stack"
                            ),
                        );
                    }
                }
            }
        }
        "AWS::SecretsManager::Secret" => {
            for key in ["SecretString", "SecretBinary"] {
                if get(key).is_some() {
                    flag(
                        DATA_NO_SECRET_VALUES,
                        key,
                        format!("{address} carries its value in the template"),
                    );
                }
            }
        }
        "AWS::Lambda::Permission" | "aws_lambda_permission" => {
            for key in ["Action", "action"] {
                if let Some(action) = get(key)
                    && action != &Value::String("lambda:InvokeFunction".into())
                {
                    flag(
                        IAM_INVOKE_ONLY,
                        key,
                        format!(
                            "{address} grants {action}; only `lambda:InvokeFunction` is allowed"
                        ),
                    );
                }
            }
            for key in ["FunctionUrlAuthType", "function_url_auth_type"] {
                if get(key).is_some() {
                    flag(
                        IAM_INVOKE_ONLY,
                        key,
                        format!("{address} opens a function URL"),
                    );
                }
            }
            for key in ["Principal", "principal"] {
                if let Some(principal) = get(key)
                    && (principal == &Value::String("*".into())
                        || strings(principal).iter().any(|p| is_account_literal(p)))
                {
                    flag(
                        IAM_INVOKE_ONLY,
                        key,
                        format!("{address} admits {principal}"),
                    );
                }
            }
        }
        "AWS::S3::Bucket" | "aws_s3_bucket" => {
            for key in ["ReplicationConfiguration", "replication_configuration"] {
                if get(key).is_some() {
                    flag(
                        DATA_IN_ACCOUNT,
                        key,
                        format!("{address} replicates its objects elsewhere"),
                    );
                }
            }
        }
        "AWS::SNS::Topic" | "aws_sns_topic" => {
            if get("Subscription").is_some() {
                flag(
                    DATA_IN_ACCOUNT,
                    "Subscription",
                    format!("{address} gains a subscription the spec does not declare"),
                );
            }
            if let Some(policy) = get("policy") {
                resource_policy(policy, "policy", address, &mut flag);
            }
        }
        "AWS::Lambda::Function" | "aws_lambda_function" => {
            for key in ["Layers", "layers", "ImageUri", "image_uri"] {
                if get(key).is_some_and(|v| !strings(v).is_empty()) {
                    flag(
                        DATA_IN_ACCOUNT,
                        key,
                        format!("{address} runs code from outside its package ({key})"),
                    );
                }
            }
        }
        "AWS::IAM::Role" | "aws_iam_role" | "aws_iam_role_policy" => {
            for key in ["Policies", "inline_policy"] {
                for policy in get(key).into_iter().flat_map(list) {
                    let document = policy
                        .get("PolicyDocument")
                        .or_else(|| policy.get("policy"));
                    if let Some(document) = document {
                        identity_policy(document, key, address, &mut flag);
                    }
                }
            }
            if item.resource_type == "aws_iam_role_policy"
                && let Some(document) = get("policy")
            {
                identity_policy(document, "policy", address, &mut flag);
            }
            for key in ["ManagedPolicyArns", "managed_policy_arns"] {
                if get(key).is_some_and(|v| !strings(v).is_empty()) {
                    flag(
                        IAM_NO_MANAGED_POLICIES,
                        key,
                        format!("{address} attaches managed policies"),
                    );
                }
            }
        }
        "AWS::S3::BucketPolicy" | "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" => {
            if let Some(policy) = get("PolicyDocument") {
                resource_policy(policy, "PolicyDocument", address, &mut flag);
            }
        }
        "aws_s3_bucket_policy"
        | "aws_sqs_queue_policy"
        | "aws_sns_topic_policy"
        | "aws_sqs_queue"
        | "aws_secretsmanager_secret" => {
            if let Some(policy) = get("policy") {
                resource_policy(policy, "policy", address, &mut flag);
            }
        }
        // Types with no semantic check are still held by the setting-by-
        // setting comparison above: only tunable settings may change.
        _ => {}
    }
    found
}

/// A policy's `Allow` grants; a policy that cannot be read fails `control`.
fn allows(
    value: &Value,
    control: &'static str,
    setting: &str,
    address: &str,
    flag: &mut dyn FnMut(&'static str, &str, String),
) -> Option<Vec<crate::iam::Grant>> {
    match crate::iam::grants(value) {
        Ok(grants) => Some(grants.into_iter().filter(|g| g.allow).collect()),
        Err(why) => {
            flag(
                control,
                setting,
                format!("the policy of {address} cannot be analysed: {}", why.0),
            );
            None
        }
    }
}

/// IAM-005: an `Allow` admits only this stack's principals. Read with the
/// same grant model `diff` uses.
fn resource_policy(
    value: &Value,
    setting: &str,
    address: &str,
    flag: &mut dyn FnMut(&'static str, &str, String),
) {
    let Some(grants) = allows(value, IAM_RESOURCE_POLICIES, setting, address, flag) else {
        return;
    };
    for grant in &grants {
        match &grant.principals {
            Some(Scope::AllBut(_)) => {
                flag(
                    IAM_RESOURCE_POLICIES,
                    setting,
                    format!("{address} allows with NotPrincipal"),
                );
            }
            Some(Scope::Only(principals)) => {
                for who in principals {
                    let foreign = match who.split_once(':') {
                        None => who == "*",
                        Some(("Service", _)) => false,
                        Some(("AWS", arn)) => arn == "*" || is_account_literal(arn),
                        Some(_) => true,
                    };
                    if foreign {
                        flag(
                            IAM_RESOURCE_POLICIES,
                            setting,
                            format!(
                                "{address} allows `{who}`, which is not a principal of this stack"
                            ),
                        );
                    }
                }
            }
            None => {}
        }
    }
}

/// IAM-002 on the final artifact: no wildcard actions, no `NotAction` or
/// `NotResource` in an `Allow`.
fn identity_policy(
    value: &Value,
    setting: &str,
    address: &str,
    flag: &mut dyn FnMut(&'static str, &str, String),
) {
    let Some(grants) = allows(value, IAM_DECLARED_ACCESS, setting, address, flag) else {
        return;
    };
    for grant in &grants {
        if matches!(grant.actions, Scope::AllBut(_)) {
            flag(
                IAM_DECLARED_ACCESS,
                setting,
                format!("{address} allows with NotAction"),
            );
        }
        if matches!(grant.resources, Scope::AllBut(_)) {
            flag(
                IAM_DECLARED_ACCESS,
                setting,
                format!("{address} allows with NotResource"),
            );
        }
        if let Scope::Only(actions) = &grant.actions {
            for action in actions.iter().filter(|a| a.contains('*')) {
                flag(
                    IAM_DECLARED_ACCESS,
                    setting,
                    format!("{address} allows the wildcard action `{action}`"),
                );
            }
        }
    }
}

/// The strings in a value (a string, or a list of them); intrinsics read as
/// their JSON text, so they never look like a literal.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

fn list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// Text written into the artifact rather than a reference to the stack.
fn is_literal(text: &str) -> bool {
    !text.contains("${") && !text.starts_with('{')
}

/// An account, role or user named literally (an ARN or a 12-digit ID), not
/// through the stack's own account reference.
fn is_account_literal(text: &str) -> bool {
    is_literal(text)
        && (text.starts_with("arn:")
            || (text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())))
}
