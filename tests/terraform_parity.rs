//! The two targets must never drift apart in what they protect. For every
//! example this compares the CloudFormation template with the Terraform
//! module: per function, the (action, resource) pairs its role allows; every
//! policy document in full; and, per resource, the settings behind each
//! control the plan applied, including retention.
//!
//! References are compared in one neutral form, `{LogicalId.Attr}` and
//! `{Partition}`/`{Region}`/`{Account}`/`{UrlSuffix}`, read independently from
//! each output: `Ref`/`Fn::GetAtt`/`Fn::Sub` on one side, `aws_x.y.attr` and
//! `data.*` on the other.

mod terraform_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use palisade::controls::translate::terraform_equivalent;
use palisade::plan::logical_id::pascal;
use palisade::plan::logical_id::terraform_name as name;
use serde_json::Value as Json;
use terraform_support::*;

/// CloudFormation type → the Terraform type of its main resource.
fn terraform_type(cfn_type: &str) -> &'static str {
    match cfn_type {
        "AWS::KMS::Key" => "aws_kms_key",
        "AWS::KMS::Alias" => "aws_kms_alias",
        "AWS::Logs::LogGroup" => "aws_cloudwatch_log_group",
        "AWS::IAM::Role" => "aws_iam_role",
        "AWS::Lambda::Function" => "aws_lambda_function",
        "AWS::DynamoDB::Table" => "aws_dynamodb_table",
        "AWS::SQS::Queue" => "aws_sqs_queue",
        "AWS::S3::Bucket" => "aws_s3_bucket",
        "AWS::SNS::Topic" => "aws_sns_topic",
        "AWS::SQS::QueuePolicy" => "aws_sqs_queue_policy",
        "AWS::SNS::TopicPolicy" => "aws_sns_topic_policy",
        "AWS::S3::BucketPolicy" => "aws_s3_bucket_policy",
        "AWS::SNS::Subscription" => "aws_sns_topic_subscription",
        "AWS::SecretsManager::Secret" => "aws_secretsmanager_secret",
        "AWS::SecretsManager::RotationSchedule" => "aws_secretsmanager_secret_rotation",
        "AWS::ApiGatewayV2::Api" => "aws_apigatewayv2_api",
        "AWS::ApiGatewayV2::Authorizer" => "aws_apigatewayv2_authorizer",
        "AWS::ApiGatewayV2::Integration" => "aws_apigatewayv2_integration",
        "AWS::ApiGatewayV2::Route" => "aws_apigatewayv2_route",
        "AWS::ApiGatewayV2::Stage" => "aws_apigatewayv2_stage",
        "AWS::Lambda::Permission" => "aws_lambda_permission",
        "AWS::Events::Rule" => "aws_cloudwatch_event_rule",
        "AWS::Lambda::EventSourceMapping" => "aws_lambda_event_source_mapping",
        "AWS::CloudWatch::Alarm" => "aws_cloudwatch_metric_alarm",
        "AWS::ApiGateway::RestApi" => "aws_api_gateway_rest_api",
        "AWS::ApiGateway::Resource" => "aws_api_gateway_resource",
        "AWS::ApiGateway::Method" => "aws_api_gateway_method",
        "AWS::ApiGateway::Authorizer" => "aws_api_gateway_authorizer",
        "AWS::ApiGateway::GatewayResponse" => "aws_api_gateway_gateway_response",
        "AWS::ApiGateway::Deployment" => "aws_api_gateway_deployment",
        "AWS::ApiGateway::Stage" => "aws_api_gateway_stage",
        "AWS::ApiGateway::UsagePlan" => "aws_api_gateway_usage_plan",
        "AWS::ApiGateway::ApiKey" => "aws_api_gateway_api_key",
        "AWS::ApiGateway::UsagePlanKey" => "aws_api_gateway_usage_plan_key",
        "AWS::WAFv2::WebACL" => "aws_wafv2_web_acl",
        "AWS::WAFv2::WebACLAssociation" => "aws_wafv2_web_acl_association",
        "AWS::WAFv2::LoggingConfiguration" => "aws_wafv2_web_acl_logging_configuration",
        other => panic!("no Terraform type for {other}"),
    }
}

/// What `Ref` returns for a CloudFormation type, in neutral terms.
fn ref_attr(cfn_type: &str) -> &'static str {
    match cfn_type {
        "AWS::DynamoDB::Table"
        | "AWS::S3::Bucket"
        | "AWS::Logs::LogGroup"
        | "AWS::Lambda::Function"
        | "AWS::IAM::Role"
        | "AWS::CloudWatch::Alarm"
        | "AWS::Events::Rule"
        | "AWS::ApiGateway::Stage" => "Name",
        "AWS::SQS::Queue" => "Url",
        "AWS::SNS::Topic" | "AWS::SecretsManager::Secret" => "Arn",
        _ => "Id",
    }
}

fn pseudo(name: &str) -> Option<&'static str> {
    Some(match name {
        "AWS::Partition" => "{Partition}",
        "AWS::Region" => "{Region}",
        "AWS::AccountId" => "{Account}",
        "AWS::URLSuffix" => "{UrlSuffix}",
        _ => return None,
    })
}

struct Cfn<'a> {
    template: &'a Json,
    types: BTreeMap<String, String>,
}

impl Cfn<'_> {
    fn resource_ref(&self, id: &str) -> String {
        if let Some(p) = pseudo(id) {
            return p.into();
        }
        match self.types.get(id) {
            Some(t) => format!("{{{id}.{}}}", ref_attr(t)),
            None => format!("{{param:{id}}}"),
        }
    }

    fn get_att(id: &str, attribute: &str) -> String {
        let attr = match attribute {
            "QueueName" | "TopicName" => "Name",
            "ApiEndpoint" => "Endpoint",
            other => other,
        };
        format!("{{{id}.{attr}}}")
    }

    /// A value with intrinsic functions replaced by neutral references.
    fn canon(&self, value: &Json) -> Json {
        match value {
            Json::Object(map) if map.len() == 1 && map.contains_key("Ref") => {
                Json::String(self.resource_ref(map["Ref"].as_str().unwrap()))
            }
            Json::Object(map) if map.len() == 1 && map.contains_key("Fn::GetAtt") => {
                let parts = map["Fn::GetAtt"].as_array().unwrap();
                Json::String(Self::get_att(
                    parts[0].as_str().unwrap(),
                    parts[1].as_str().unwrap(),
                ))
            }
            Json::Object(map) if map.len() == 1 && map.contains_key("Fn::Sub") => {
                Json::String(self.sub(map["Fn::Sub"].as_str().unwrap()))
            }
            Json::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.canon(v)))
                    .collect(),
            ),
            Json::Array(items) => Json::Array(items.iter().map(|v| self.canon(v)).collect()),
            other => other.clone(),
        }
    }

    fn sub(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after.find('}').expect("closed substitution");
            let inner = &after[..end];
            out.push_str(&match inner.split_once('.') {
                Some((id, attribute)) => Self::get_att(id, attribute),
                None => self.resource_ref(inner),
            });
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn resource(&self, id: &str) -> &Json {
        &self.template["Resources"][id]
    }
}

struct Tf {
    blocks: Vec<hcl::Block>,
    /// `aws_x.name` → logical ID.
    ids: BTreeMap<String, String>,
}

impl Tf {
    fn block(&self, resource_type: &str, name: &str) -> Option<&hcl::Block> {
        self.blocks
            .iter()
            .find(|b| b.identifier.as_str() == "resource" && labels(b) == [resource_type, name])
    }

    fn attribute<'b>(block: &'b hcl::Block, key: &str) -> Option<&'b hcl::Expression> {
        block
            .body
            .attributes()
            .find(|a| a.key.as_str() == key)
            .map(|a| &a.expr)
    }

    fn canon(&self, expr: &hcl::Expression) -> Json {
        let value = to_json(expr, &mut |reference| self.reference(reference));
        // CloudFormation's log group `Arn` ends in `:*`; Terraform's needs it added.
        fix_log_group_arns(value)
    }

    fn reference(&self, reference: &str) -> String {
        match reference {
            "data.aws_partition.current.partition" => return "{Partition}".into(),
            "data.aws_partition.current.dns_suffix" => return "{UrlSuffix}".into(),
            "data.aws_region.current.region" => return "{Region}".into(),
            "data.aws_caller_identity.current.account_id" => return "{Account}".into(),
            _ => {}
        }
        // Template parameters are variables, in snake case.
        if let Some(variable) = reference.strip_prefix("var.") {
            return format!("{{param:{}}}", pascal(variable));
        }
        let (address, attribute) = reference.rsplit_once('.').unwrap();
        let id = self
            .ids
            .get(address)
            .unwrap_or_else(|| panic!("{reference} names no resource of the template"));
        let attr = match (address.split('.').next().unwrap(), attribute) {
            ("aws_cloudwatch_log_group", "arn") => "LogGroupArnWithoutStar",
            (_, "arn") => "Arn",
            (_, "name" | "function_name" | "bucket" | "alarm_name") => "Name",
            (_, "url") => "Url",
            (_, "stream_arn") => "StreamArn",
            (_, "api_endpoint") => "Endpoint",
            (_, "id" | "key_id") => "Id",
            (_, other) => panic!("unexpected attribute {other} in {reference}"),
        };
        format!("{{{id}.{attr}}}")
    }
}

fn fix_log_group_arns(value: Json) -> Json {
    match value {
        Json::String(s) => Json::String(s.replace(".LogGroupArnWithoutStar}:*", ".Arn}")),
        Json::Array(items) => Json::Array(items.into_iter().map(fix_log_group_arns).collect()),
        Json::Object(map) => Json::Object(
            map.into_iter()
                .map(|(k, v)| (k, fix_log_group_arns(v)))
                .collect(),
        ),
        other => other,
    }
}

fn load(spec: &Path) -> (Json, Tf) {
    let template = cloudformation_template(spec);
    let blocks = parse_module(&terraform_files(spec));
    let ids = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, r)| {
            let tf_type = terraform_type(r["Type"].as_str().unwrap());
            (format!("{tf_type}.{}", name(tf_type, id)), id.clone())
        })
        .collect();
    (template, Tf { blocks, ids })
}

fn cfn_view(template: &Json) -> Cfn<'_> {
    let types = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, r)| (id.clone(), r["Type"].as_str().unwrap().to_string()))
        .collect();
    Cfn { template, types }
}

fn many(value: &Json) -> Vec<Json> {
    match value {
        Json::Array(items) => items.clone(),
        Json::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// (action, resource) pairs a policy document allows.
fn allowed_pairs(document: &Json) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    for statement in many(&document["Statement"]) {
        if statement["Effect"] != "Allow" {
            continue;
        }
        for action in many(&statement["Action"]) {
            for resource in many(&statement["Resource"]) {
                pairs.insert((
                    action.as_str().unwrap().to_string(),
                    resource.as_str().unwrap().to_string(),
                ));
            }
        }
    }
    pairs
}

#[test]
fn every_function_role_allows_the_same_actions_on_the_same_resources() {
    for spec in examples() {
        let (template, tf) = load(&spec);
        let cfn = cfn_view(&template);
        let mut roles = 0;
        for (id, kind) in &cfn.types {
            if kind != "AWS::IAM::Role" {
                continue;
            }
            roles += 1;
            let resource = cfn.resource(id);
            let cfn_policy = cfn.canon(&resource["Properties"]["Policies"][0]["PolicyDocument"]);
            let tf_name = name("aws_iam_role", id);
            let policy = tf
                .block("aws_iam_role_policy", &tf_name)
                .and_then(|b| Tf::attribute(b, "policy"))
                .unwrap_or_else(|| panic!("{}: no aws_iam_role_policy.{tf_name}", spec.display()));
            let tf_policy = tf.canon(policy);
            let (cfn_pairs, tf_pairs) = (allowed_pairs(&cfn_policy), allowed_pairs(&tf_policy));
            assert!(!cfn_pairs.is_empty(), "{id}");
            assert_eq!(
                cfn_pairs,
                tf_pairs,
                "{}: {id} differs\nonly CloudFormation: {:?}\nonly Terraform: {:?}",
                spec.display(),
                cfn_pairs.difference(&tf_pairs).collect::<Vec<_>>(),
                tf_pairs.difference(&cfn_pairs).collect::<Vec<_>>()
            );
            // Conditions and Sids too: the whole document, not just the pairs.
            assert_eq!(cfn_policy, tf_policy, "{}: {id}", spec.display());
            let trust = tf
                .block("aws_iam_role", &tf_name)
                .and_then(|b| Tf::attribute(b, "assume_role_policy"))
                .unwrap();
            assert_eq!(
                cfn.canon(&resource["Properties"]["AssumeRolePolicyDocument"]),
                tf.canon(trust),
                "{}: {id} trust",
                spec.display()
            );
        }
        assert!(roles > 0, "{}", spec.display());
    }
}

#[test]
fn key_and_resource_policies_are_the_same_documents() {
    let cases = [
        ("AWS::KMS::Key", "KeyPolicy", "policy"),
        ("AWS::SQS::QueuePolicy", "PolicyDocument", "policy"),
        ("AWS::SNS::TopicPolicy", "PolicyDocument", "policy"),
        ("AWS::S3::BucketPolicy", "PolicyDocument", "policy"),
    ];
    for spec in examples() {
        let (template, tf) = load(&spec);
        let cfn = cfn_view(&template);
        for (id, kind) in &cfn.types {
            let Some((_, property, attribute)) = cases.iter().find(|(t, _, _)| t == kind) else {
                continue;
            };
            let tf_type = terraform_type(kind);
            let block = tf.block(tf_type, &name(tf_type, id)).unwrap();
            assert_eq!(
                cfn.canon(&cfn.resource(id)["Properties"][*property]),
                tf.canon(Tf::attribute(block, attribute).unwrap()),
                "{}: {id}",
                spec.display()
            );
        }
    }
}

/// Whether the Terraform output carries a setting: an attribute or block of
/// the main resource, a companion resource, or `prevent_destroy`.
fn terraform_has(
    tf: &Tf,
    main_type: &str,
    name: &str,
    tf_type: &str,
    key: Option<&str>,
) -> (bool, Option<Json>) {
    let block_type = if key.is_none() { tf_type } else { main_type };
    let Some(block) = tf.block(block_type, name) else {
        return (false, None);
    };
    match key {
        None => (true, None),
        Some("lifecycle") => {
            let retained = block.body.blocks().any(|b| {
                b.identifier.as_str() == "lifecycle"
                    && Tf::attribute(b, "prevent_destroy") == Some(&hcl::Expression::Bool(true))
            });
            (retained, None)
        }
        Some(key) => match Tf::attribute(block, key) {
            Some(expr) => (true, Some(tf.canon(expr))),
            None => (
                block.body.blocks().any(|b| b.identifier.as_str() == key),
                None,
            ),
        },
    }
}

#[test]
fn every_applied_control_is_carried_by_both_targets() {
    for spec in examples() {
        let (template, tf) = load(&spec);
        let cfn = cfn_view(&template);
        let loaded = palisade::cli::load_spec(spec.to_str().unwrap()).unwrap();
        let plan = palisade::plan::build::build(&loaded.spec, &Default::default());
        let mut checked = 0;
        for resource in &plan.resources {
            let cfn_type = resource.kind.describe().cloudformation.name;
            let main_type = terraform_type(cfn_type);
            let tf_name = name(main_type, &resource.id);
            let cfn_resource = cfn.resource(&resource.id);
            for applied in resource.controls.iter().filter(|c| c.waived.is_none()) {
                let control = palisade::controls::find(applied.control).unwrap();
                for protected in control.protects.iter().filter(|p| {
                    p.target == palisade::controls::Target::CloudFormation
                        && p.resource_type == cfn_type
                }) {
                    let (tf_type, key) =
                        terraform_equivalent(protected.resource_type, protected.property).unwrap();
                    let cfn_value = if protected.property == "DeletionPolicy" {
                        cfn_resource.get("DeletionPolicy").cloned()
                    } else if protected.property == palisade::catalog::EVERY_SETTING {
                        // The whole resource: the Terraform resource exists.
                        Some(cfn.canon(&cfn_resource["Properties"]))
                    } else {
                        cfn_resource["Properties"]
                            .get(protected.property)
                            .map(|v| cfn.canon(v))
                    };
                    let (tf_present, tf_value) =
                        terraform_has(&tf, main_type, &tf_name, tf_type, key);
                    // Lambda keeps no key for an empty environment (Terraform
                    // would plan a change forever), so only then may it be absent.
                    let empty_environment = protected.property == "KmsKeyArn"
                        && cfn_resource["Properties"].get("Environment").is_none();
                    if tf_present || !empty_environment {
                        assert_eq!(
                            cfn_value.is_some(),
                            tf_present,
                            "{}: {} {} on {} ({cfn_type} {}) vs {tf_type} {key:?}",
                            spec.display(),
                            control.id,
                            control.title,
                            resource.id,
                            protected.property
                        );
                    }
                    if let (Some(cfn_value), Some(tf_value)) = (&cfn_value, &tf_value)
                        && !cfn_value.is_object()
                        && !cfn_value.is_array()
                    {
                        assert_eq!(
                            cfn_value,
                            tf_value,
                            "{}: {} on {}",
                            spec.display(),
                            protected.property,
                            resource.id
                        );
                    }
                    checked += 1;
                }
            }
            // Retention, whether or not a control asks for it.
            let retained_cfn = cfn_resource.get("DeletionPolicy") == Some(&Json::from("Retain"));
            let (retained_tf, _) =
                terraform_has(&tf, main_type, &tf_name, main_type, Some("lifecycle"));
            assert_eq!(
                retained_cfn,
                retained_tf,
                "{}: {}",
                spec.display(),
                resource.id
            );
        }
        assert!(
            checked > 50,
            "{}: only {checked} settings checked",
            spec.display()
        );
    }
}
