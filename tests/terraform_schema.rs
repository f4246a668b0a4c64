//! Names check for the Terraform output. `terraform validate` cannot download
//! the AWS provider here, so every example's module is parsed back and held
//! against the provider's schema (hashicorp/aws 6.66.0): no unknown resource
//! type, attribute or nested block, no read-only attribute set, nothing
//! required missing, and every reference names a declared resource and an
//! attribute it has.
//!
//! The schema is vendored as `schemas/aws-provider-schema-subset.json`: the
//! provider block and the resource and data source types below, copied from
//! the full schema (`provider_version`, `provider`, `resources` and
//! `data_sources` of hashicorp/aws, as `terraform providers schema -json`
//! describes them). Regenerate it after changing the list with
//! `PALISADE_AWS_PROVIDER_SCHEMA=<full schema> PALISADE_UPDATE_SCHEMA_SUBSET=1
//! cargo test --test terraform_schema vendored`.

mod terraform_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value as Json, json};
use terraform_support::*;

const SUBSET: &str = "schemas/aws-provider-schema-subset.json";
/// Names the full provider schema the subset is copied from.
const FULL_ENV: &str = "PALISADE_AWS_PROVIDER_SCHEMA";

/// Every resource type the emitter can write.
const RESOURCES: &[&str] = &[
    "aws_api_gateway_api_key",
    "aws_api_gateway_authorizer",
    "aws_api_gateway_deployment",
    "aws_api_gateway_gateway_response",
    "aws_api_gateway_integration",
    "aws_api_gateway_integration_response",
    "aws_api_gateway_method",
    "aws_api_gateway_method_response",
    "aws_api_gateway_method_settings",
    "aws_api_gateway_resource",
    "aws_api_gateway_rest_api",
    "aws_api_gateway_stage",
    "aws_api_gateway_usage_plan",
    "aws_api_gateway_usage_plan_key",
    "aws_apigatewayv2_api",
    "aws_apigatewayv2_authorizer",
    "aws_apigatewayv2_integration",
    "aws_apigatewayv2_route",
    "aws_apigatewayv2_stage",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_dynamodb_table",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_kms_alias",
    "aws_kms_key",
    "aws_lambda_event_source_mapping",
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_s3_bucket",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_notification",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_secretsmanager_secret",
    "aws_secretsmanager_secret_rotation",
    "aws_sns_topic",
    "aws_sns_topic_policy",
    "aws_sns_topic_subscription",
    "aws_sqs_queue",
    "aws_sqs_queue_policy",
    "aws_wafv2_web_acl",
    "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration",
];

const DATA_SOURCES: &[&str] = &["aws_caller_identity", "aws_partition", "aws_region"];

/// Arguments Terraform itself gives every resource.
const META_ARGUMENTS: &[&str] = &["count", "depends_on", "for_each", "provider"];
const LIFECYCLE: &[&str] = &[
    "create_before_destroy",
    "ignore_changes",
    "prevent_destroy",
    "replace_triggered_by",
];

fn subset_of(full: &Json) -> Json {
    let pick = |section: &str, names: &[&str]| -> Json {
        Json::Object(
            names
                .iter()
                .map(|name| {
                    let node = full[section]
                        .get(*name)
                        .unwrap_or_else(|| panic!("{name} is not in the provider schema"));
                    (name.to_string(), node.clone())
                })
                .collect(),
        )
    };
    json!({
        "provider_version": full["provider_version"],
        "generated_from": "the full hashicorp/aws provider schema, by tests/terraform_schema.rs",
        "provider": full["provider"],
        "resources": pick("resources", RESOURCES),
        "data_sources": pick("data_sources", DATA_SOURCES),
    })
}

fn vendored() -> Json {
    serde_json::from_str(&std::fs::read_to_string(SUBSET).unwrap()).unwrap()
}

/// The vendored subset is exactly what the full schema gives for the list
/// above (checked when `PALISADE_AWS_PROVIDER_SCHEMA` names the full schema).
#[test]
fn vendored_schema_subset_is_current() {
    let Some(text) = std::env::var_os(FULL_ENV).and_then(|path| std::fs::read_to_string(path).ok())
    else {
        assert!(
            Path::new(SUBSET).is_file(),
            "{SUBSET} is missing and {FULL_ENV} does not name the full schema to make it"
        );
        return;
    };
    let subset = subset_of(&serde_json::from_str(&text).unwrap());
    let mut rendered = serde_json::to_string_pretty(&subset).unwrap();
    rendered.push('\n');
    if std::env::var_os("PALISADE_UPDATE_SCHEMA_SUBSET").is_some() {
        std::fs::write(SUBSET, &rendered).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(SUBSET).unwrap_or_default(),
        rendered,
        "{SUBSET} is stale: {FULL_ENV}=<full schema> PALISADE_UPDATE_SCHEMA_SUBSET=1 cargo test --test terraform_schema vendored"
    );
}

struct Checker<'a> {
    schema: &'a Json,
    problems: Vec<String>,
}

impl Checker<'_> {
    /// Checks a body against a schema node (`attributes`, `blocks`, ...).
    fn body(&mut self, where_: &str, body: &hcl::Body, node: &Json, top: bool) {
        if node.get("opaque").is_some() {
            return;
        }
        let names = |key: &str| -> BTreeSet<String> {
            node.get(key)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let settable = names("attributes");
        let computed = names("computed");
        let objects: BTreeSet<String> = node
            .get("object_attributes")
            .and_then(Json::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let mut present = BTreeSet::new();
        for attribute in body.attributes() {
            let key = attribute.key.as_str();
            present.insert(key.to_string());
            if top && META_ARGUMENTS.contains(&key) {
                continue;
            }
            if computed.contains(key) {
                self.problems
                    .push(format!("{where_}: sets read-only attribute `{key}`"));
            } else if !settable.contains(key) && !objects.contains(key) {
                self.problems
                    .push(format!("{where_}: unknown attribute `{key}`"));
            }
        }
        let blocks = node.get("blocks").and_then(Json::as_object);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for block in body.blocks() {
            let name = block.identifier.as_str();
            *counts.entry(name.to_string()).or_default() += 1;
            if top && name == "lifecycle" {
                for attribute in block.body.attributes() {
                    if !LIFECYCLE.contains(&attribute.key.as_str()) {
                        self.problems.push(format!(
                            "{where_}: unknown lifecycle argument `{}`",
                            attribute.key.as_str()
                        ));
                    }
                }
                continue;
            }
            match blocks.and_then(|b| b.get(name)) {
                Some(child) => {
                    let child = self.resolve(child);
                    self.body(&format!("{where_}.{name}"), &block.body, &child, false);
                }
                None => self
                    .problems
                    .push(format!("{where_}: unknown nested block `{name}`")),
            }
        }
        if let Some(blocks) = blocks {
            for (name, child) in blocks {
                if child.get("nesting").and_then(Json::as_str) == Some("single")
                    && counts.get(name).copied().unwrap_or(0) > 1
                {
                    self.problems
                        .push(format!("{where_}: block `{name}` may appear once"));
                }
            }
        }
        for required in names("required") {
            if !present.contains(&required) {
                self.problems
                    .push(format!("{where_}: missing required attribute `{required}`"));
            }
        }
        for required in names("required_blocks") {
            if !counts.contains_key(&required) {
                self.problems
                    .push(format!("{where_}: missing required block `{required}`"));
            }
        }
    }

    /// Follows `same_as` (a recursive schema) to the node it points at.
    fn resolve(&self, node: &Json) -> Json {
        let Some(path) = node.get("same_as").and_then(Json::as_array) else {
            return node.clone();
        };
        let mut current = self.schema;
        for step in path {
            let step = step.as_str().unwrap_or_default();
            current = current
                .get(step)
                .or_else(|| current.get("blocks").and_then(|b| b.get(step)))
                .unwrap_or(&Json::Null);
        }
        current.clone()
    }
}

/// Whether `type` has attribute `name` to read.
fn readable(node: &Json, name: &str) -> bool {
    ["attributes", "computed"].iter().any(|key| {
        node.get(*key)
            .and_then(Json::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(name)))
    })
}

fn check_module(spec: &Path, schema: &Json) -> Vec<String> {
    let blocks = parse_module(&terraform_files(spec));
    let mut checker = Checker {
        schema,
        problems: Vec::new(),
    };
    let mut declared: BTreeMap<String, &Json> = BTreeMap::new();
    let mut variables = BTreeSet::new();
    for block in &blocks {
        let labels = labels(block);
        match (block.identifier.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => match schema["resources"].get(kind) {
                Some(node) => {
                    declared.insert(format!("{kind}.{name}"), node);
                    checker.body(&format!("{kind}.{name}"), &block.body, node, true);
                }
                None => checker
                    .problems
                    .push(format!("unknown resource type `{kind}`")),
            },
            ("data", [kind, name]) => match schema["data_sources"].get(kind) {
                Some(node) => {
                    declared.insert(format!("data.{kind}.{name}"), node);
                    checker.body(&format!("data.{kind}.{name}"), &block.body, node, true);
                }
                None => checker
                    .problems
                    .push(format!("unknown data source `{kind}`")),
            },
            ("provider", [name]) if name == "aws" => {
                checker.body("provider.aws", &block.body, &schema["provider"], false)
            }
            ("variable", [name]) => {
                variables.insert(format!("var.{name}"));
            }
            ("terraform" | "output", _) => {}
            (other, _) => checker.problems.push(format!("unexpected block `{other}`")),
        }
    }
    // Every reference names something declared, and an attribute it has.
    let mut expressions: Vec<(String, hcl::Expression)> = Vec::new();
    fn collect(where_: &str, body: &hcl::Body, into: &mut Vec<(String, hcl::Expression)>) {
        for attribute in body.attributes() {
            into.push((where_.to_string(), attribute.expr.clone()));
        }
        for block in body.blocks() {
            collect(where_, &block.body, into);
        }
    }
    // A variable's `type = string` is a type, not a reference.
    for block in blocks
        .iter()
        .filter(|b| b.identifier.as_str() != "variable")
    {
        collect(&labels(block).join("."), &block.body, &mut expressions);
    }
    for (where_, expr) in &expressions {
        for reference in references(expr) {
            // `depends_on` names whole resources.
            let whole = declared.contains_key(&reference);
            if whole || reference == "path.module" || variables.contains(&reference) {
                continue;
            }
            let (address, attribute) = reference.rsplit_once('.').unwrap_or((&reference, ""));
            match declared.get(address) {
                Some(node) if readable(node, attribute) => {}
                Some(_) => checker.problems.push(format!(
                    "{where_}: `{address}` has no attribute `{attribute}`"
                )),
                None => checker.problems.push(format!(
                    "{where_}: `{reference}` refers to nothing declared"
                )),
            }
        }
    }
    checker.problems
}

#[test]
fn every_example_module_uses_only_names_the_provider_has() {
    let schema = vendored();
    for spec in examples() {
        let problems = check_module(&spec, &schema);
        assert!(
            problems.is_empty(),
            "{}: {} problems:\n  {}",
            spec.display(),
            problems.len(),
            problems.join("\n  ")
        );
    }
}

/// The checker itself finds what it is meant to find.
#[test]
fn the_checker_reports_unknown_read_only_and_missing_names() {
    let schema = vendored();
    let text = r#"
resource "aws_sqs_queue" "q" {
  arn      = "x"
  no_such  = 1
  name     = aws_sqs_queue.q.nope

  redrive_block {}
}

resource "aws_lambda_function" "f" {
  tracing_config {}
  tracing_config {}
}

resource "aws_no_such_type" "x" {}
"#;
    let blocks = hcl::parse(text).unwrap();
    let mut checker = Checker {
        schema: &schema,
        problems: Vec::new(),
    };
    for block in blocks.blocks() {
        let labels = labels(block);
        match schema["resources"].get(&labels[0]) {
            Some(node) => checker.body(&labels.join("."), &block.body, node, true),
            None => checker
                .problems
                .push(format!("unknown resource type `{}`", labels[0])),
        }
    }
    let problems = checker.problems.join("\n");
    for expected in [
        "aws_sqs_queue.q: sets read-only attribute `arn`",
        "aws_sqs_queue.q: unknown attribute `no_such`",
        "aws_sqs_queue.q: unknown nested block `redrive_block`",
        "aws_lambda_function.f: block `tracing_config` may appear once",
        "aws_lambda_function.f.tracing_config: missing required attribute `mode`",
        "aws_lambda_function.f: missing required attribute `function_name`",
        "unknown resource type `aws_no_such_type`",
    ] {
        assert!(
            problems.contains(expected),
            "missing {expected:?} in\n{problems}"
        );
    }
}
