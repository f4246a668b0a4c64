//! Plan → Terraform: a root module of `.tf` files. Pure translation that
//! mirrors the CloudFormation emitter field by field; every value comes from
//! the plan and nothing here decides what is secure.
//!
//! Where the two providers differ in shape, the translation keeps the
//! meaning: S3 bucket settings are separate `aws_s3_bucket_*` resources, a
//! role's inline policy is an `aws_iam_role_policy`, a schedule's target is an
//! `aws_cloudwatch_event_target`, tags are the provider's `default_tags`, and
//! `DeletionPolicy: Retain` is `lifecycle { prevent_destroy = true }`.

mod alarm;
mod api;
mod bucket;
mod function;
pub mod hcl;
mod key;
mod logs;
mod policy;
mod queue;
mod rest;
mod role;
mod secret;
mod table;
mod topic;
mod usage;
mod waf;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use self::hcl::{Block, Body, Item, Piece, Value};
use crate::plan::logical_id;
use crate::plan::*;

/// The first line of every generated file; `palisade build` replaces or
/// removes only files that start with it.
pub const HEADER: &str = crate::text::GENERATED;

/// The AWS provider range the output is written and schema-checked for.
pub const PROVIDER_VERSION: &str = "~> 6.66";
pub const TERRAFORM_VERSION: &str = ">= 1.5.0";

/// File name → contents, for `dist/terraform/`.
pub type Files = BTreeMap<String, String>;

/// Two plan resources whose Terraform addresses would be the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameClash {
    pub address: String,
    pub first: Id,
    pub second: Id,
}

impl NameClash {
    /// The error for the spec: the second resource is the one to rename.
    pub fn diagnostic(&self, plan: &Plan) -> crate::diagnostic::Diagnostic {
        let loc = plan.get(&self.second).map(|r| r.loc).unwrap_or_default();
        crate::diagnostic::Diagnostic::error(
            crate::diagnostic::Code::NameDuplicate,
            loc,
            format!(
                "`{}` and `{}` would both be the Terraform resource `{}`; rename one",
                self.first, self.second, self.address
            ),
        )
    }
}

/// The module's files, with `overrides` (attributes by Terraform address)
/// merged onto the generated resources.
pub fn module(plan: &Plan, overrides: &BTreeMap<String, Json>) -> Result<Files, NameClash> {
    module_patched(plan, overrides).map(|(files, _)| files)
}

/// A resource block an override changed: as the plan emits it and as it
/// ships, read as JSON, for the controls to compare.
#[derive(Debug, Clone)]
pub struct PatchedBlock {
    pub address: String,
    pub resource_type: String,
    /// The plan resource it belongs to.
    pub resource: Id,
    pub planned: Json,
    pub shipped: Json,
}

/// [`module`], and every block an override changed.
pub fn module_patched(
    plan: &Plan,
    overrides: &BTreeMap<String, Json>,
) -> Result<(Files, Vec<PatchedBlock>), NameClash> {
    let emitter = Emitter::new(plan)?;
    let mut areas: BTreeMap<&'static str, Vec<Block>> = BTreeMap::new();
    let mut patched = Vec::new();
    for resource in &plan.resources {
        for mut block in emitter.blocks(resource) {
            let address = address_of(&block);
            if let Some(patch) = overrides.get(&address) {
                let planned = block.body.to_json();
                merge(&mut block.body, patch);
                patched.push(PatchedBlock {
                    resource_type: block.labels.first().cloned().unwrap_or_default(),
                    address,
                    resource: resource.id.clone(),
                    planned,
                    shipped: block.body.to_json(),
                });
            }
            areas
                .entry(resource.kind.describe().area.file())
                .or_default()
                .push(block);
        }
    }
    let outputs: Vec<Block> = plan
        .outputs
        .iter()
        .map(|o| {
            Block::new("output", &[&logical_id::snake(&o.name)])
                .attr("description", Value::str(&o.description))
                .attr("value", emitter.value(&o.value))
        })
        .collect();
    let mut files = Files::new();
    let header = [HEADER];
    for (file, blocks) in &areas {
        files.insert(file.to_string(), hcl::render_file(&header, blocks));
    }
    if !outputs.is_empty() {
        files.insert("outputs.tf".into(), hcl::render_file(&header, &outputs));
    }
    files.insert(
        "versions.tf".into(),
        hcl::render_file(&header, &[versions()]),
    );
    let mut provider = vec![emitter.provider()];
    provider.extend(emitter.data_sources());
    files.insert("providers.tf".into(), hcl::render_file(&header, &provider));
    let variables = emitter.variables();
    if !variables.is_empty() {
        files.insert("variables.tf".into(), hcl::render_file(&header, &variables));
    }
    Ok((files, patched))
}

/// Every Terraform address the module declares, with the plan resource it
/// comes from (several addresses for buckets and schedules).
pub fn addresses(plan: &Plan) -> Result<Vec<(String, &Resource)>, NameClash> {
    let emitter = Emitter::new(plan)?;
    Ok(plan
        .resources
        .iter()
        .flat_map(|r| {
            emitter
                .blocks(r)
                .iter()
                .map(|b| (address_of(b), r))
                .collect::<Vec<_>>()
        })
        .collect())
}

fn address_of(block: &Block) -> String {
    block.labels.join(".")
}

fn versions() -> Block {
    let mut body = Body::default();
    body.attr("required_version", Value::str(TERRAFORM_VERSION));
    body.block(Block::new("required_providers", &[]).attr(
        "aws",
        Value::Object(vec![
            ("source".into(), Value::str("hashicorp/aws")),
            ("version".into(), Value::str(PROVIDER_VERSION)),
        ]),
    ));
    Block {
        name: "terraform".into(),
        labels: Vec::new(),
        body,
    }
}

/// A data source the module reads the deploy-time context from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Data {
    Partition,
    Region,
    CallerIdentity,
}

impl Data {
    fn type_name(self) -> &'static str {
        match self {
            Data::Partition => "aws_partition",
            Data::Region => "aws_region",
            Data::CallerIdentity => "aws_caller_identity",
        }
    }
}

struct Emitter<'a> {
    plan: &'a Plan,
    kinds: BTreeMap<&'a str, &'a Kind>,
    names: BTreeMap<&'a str, String>,
    /// Data sources and variables the rendered expressions used.
    data: RefCell<BTreeSet<Data>>,
    params: RefCell<BTreeSet<&'static str>>,
}

impl<'a> Emitter<'a> {
    fn new(plan: &'a Plan) -> Result<Self, NameClash> {
        let kinds: BTreeMap<&str, &Kind> = plan
            .resources
            .iter()
            .map(|r| (r.id.as_str(), &r.kind))
            .collect();
        let mut names = BTreeMap::new();
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for resource in &plan.resources {
            let resource_type = resource.kind.describe().terraform.name;
            let name = logical_id::terraform_name(resource_type, &resource.id);
            let address = format!("{resource_type}.{name}");
            if let Some(first) = seen.insert(address.clone(), &resource.id) {
                return Err(NameClash {
                    address,
                    first: first.to_string(),
                    second: resource.id.clone(),
                });
            }
            names.insert(resource.id.as_str(), name);
        }
        Ok(Emitter {
            plan,
            kinds,
            names,
            data: RefCell::default(),
            params: RefCell::default(),
        })
    }

    fn data(&self, data: Data, attribute: &str) -> Piece {
        self.data.borrow_mut().insert(data);
        Piece::Interp(format!("data.{}.current.{attribute}", data.type_name()))
    }

    /// `aws_x.name` for a plan resource.
    fn address(&self, id: &str) -> String {
        let kind = self.kinds.get(id).copied();
        let resource_type = kind.map_or("aws_unknown", |k| k.describe().terraform.name);
        let name = self
            .names
            .get(id)
            .cloned()
            .unwrap_or_else(|| logical_id::snake(id));
        format!("{resource_type}.{name}")
    }

    /// An attribute of a resource, as template pieces. CloudFormation's
    /// `Fn::GetAtt LogGroup.Arn` ends in `:*` (covering its log streams) while
    /// Terraform's `arn` does not, so the suffix is added to keep the meaning.
    fn attribute(&self, id: &str, attr: Attr) -> Vec<Piece> {
        let kind = self.kinds.get(id).copied();
        let reference = format!("{}.{}", self.address(id), attribute_name(kind, attr));
        if matches!((kind, attr), (Some(Kind::LogGroup(_)), Attr::Arn)) {
            vec![Piece::Interp(reference), Piece::Lit(":*".into())]
        } else {
            vec![Piece::Interp(reference)]
        }
    }

    /// What CloudFormation's `Ref` gives for a resource, in Terraform.
    fn reference(&self, id: &str) -> Value {
        let attr = self
            .kinds
            .get(id)
            .map_or(Attr::Id, |kind| kind.describe().reference);
        Value::Template(self.attribute(id, attr))
    }

    fn arn(&self, id: &str) -> Value {
        Value::Template(self.attribute(id, Attr::Arn))
    }

    fn value(&self, expr: &Expr) -> Value {
        let mut pieces: Vec<Piece> = Vec::new();
        for part in &expr.0 {
            let new = match part {
                Part::Lit(text) => vec![Piece::Lit(text.clone())],
                Part::Ref(id, attr) => self.attribute(id, *attr),
                Part::Partition => vec![self.data(Data::Partition, "partition")],
                Part::UrlSuffix => vec![self.data(Data::Partition, "dns_suffix")],
                Part::Region => vec![self.data(Data::Region, "region")],
                Part::Account => vec![self.data(Data::CallerIdentity, "account_id")],
                Part::Param(name) => {
                    self.params.borrow_mut().insert(name);
                    vec![Piece::Interp(format!("var.{}", logical_id::snake(name)))]
                }
            };
            for piece in new {
                match (pieces.last_mut(), piece) {
                    (Some(Piece::Lit(previous)), Piece::Lit(text)) => previous.push_str(&text),
                    (_, piece) => pieces.push(piece),
                }
            }
        }
        if pieces.is_empty() {
            return Value::str("");
        }
        Value::Template(pieces)
    }

    fn policy_document(&self, statements: &[Statement]) -> Value {
        Value::Call(
            "jsonencode",
            vec![Value::Object(vec![
                ("Version".into(), Value::str("2012-10-17")),
                (
                    "Statement".into(),
                    Value::List(statements.iter().map(|s| self.statement(s)).collect()),
                ),
            ])],
        )
    }

    /// One statement, key for key as the CloudFormation emitter writes it.
    fn statement(&self, statement: &Statement) -> Value {
        let mut s: Vec<(String, Value)> = Vec::new();
        if !statement.sid.is_empty() {
            s.push(("Sid".into(), Value::str(&statement.sid)));
        }
        s.push((
            "Effect".into(),
            Value::str(match statement.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            }),
        ));
        if let Some(principal) = &statement.principal {
            let value = match principal {
                Principal::Any => Value::str("*"),
                Principal::Service(service) => {
                    Value::Object(vec![("Service".into(), self.value(service))])
                }
                Principal::AccountRoot => Value::Object(vec![(
                    "AWS".into(),
                    self.value(&Expr(vec![
                        Part::Lit("arn:".into()),
                        Part::Partition,
                        Part::Lit(":iam::".into()),
                        Part::Account,
                        Part::Lit(":root".into()),
                    ])),
                )]),
                Principal::Federated(provider) => {
                    Value::Object(vec![("Federated".into(), self.value(provider))])
                }
            };
            s.push(("Principal".into(), value));
        }
        s.push((
            "Action".into(),
            one_or_many(statement.actions.iter().map(Value::str).collect()),
        ));
        if !statement.resources.is_empty() {
            s.push((
                "Resource".into(),
                one_or_many(statement.resources.iter().map(|r| self.value(r)).collect()),
            ));
        }
        if !statement.conditions.is_empty() {
            let mut tests: Vec<(String, Value)> = Vec::new();
            for condition in &statement.conditions {
                let entry = (
                    condition.key.clone(),
                    one_or_many(
                        condition
                            .values
                            .iter()
                            .map(|v| {
                                condition
                                    .boolean(v)
                                    .map_or_else(|| self.value(v), Value::bool)
                            })
                            .collect(),
                    ),
                );
                match tests.iter_mut().find(|(test, _)| test == condition.test) {
                    Some((_, Value::Object(entries))) => entries.push(entry),
                    _ => tests.push((condition.test.to_string(), Value::Object(vec![entry]))),
                }
            }
            s.push(("Condition".into(), Value::Object(tests)));
        }
        Value::Object(s)
    }

    fn provider(&self) -> Block {
        let region = match &self.plan.region {
            Some(region) => Value::str(region),
            None => Value::raw("var.region"),
        };
        let tags = Value::Object(
            self.plan
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), Value::str(v)))
                .collect(),
        );
        Block::new("provider", &["aws"])
            .attr("region", region)
            .block(Block::new("default_tags", &[]).attr("tags", tags))
    }

    fn data_sources(&self) -> Vec<Block> {
        self.data
            .borrow()
            .iter()
            .map(|d| Block::new("data", &[d.type_name(), "current"]))
            .collect()
    }

    fn variables(&self) -> Vec<Block> {
        let mut variables = Vec::new();
        if self.plan.region.is_none() {
            variables.push(
                Block::new("variable", &["region"])
                    .attr(
                        "description",
                        Value::str("AWS region to deploy to (the spec names none)"),
                    )
                    .attr("type", Value::raw("string")),
            );
        }
        let used = self.params.borrow();
        for parameter in self
            .plan
            .parameters
            .iter()
            .filter(|p| used.contains(p.name))
        {
            variables.push(
                Block::new("variable", &[&logical_id::snake(parameter.name)])
                    .attr("description", Value::str(parameter.description.as_str()))
                    .attr("type", Value::raw("string")),
            );
        }
        variables
    }

    /// The Terraform blocks for one plan resource: its main resource first,
    /// then any resources that carry the rest of its settings.
    fn blocks(&self, resource: &Resource) -> Vec<Block> {
        let kind = resource.kind.describe().terraform.name;
        let name = self.names[resource.id.as_str()].as_str();
        let mut main = Block::new("resource", &[kind, name]);
        // Of the scanners the gate runs, only checkov reads Terraform.
        for suppression in &resource.suppressions {
            for check in &suppression.checks {
                match check {
                    Check::Checkov(id) | Check::CheckovTerraform(id) => main
                        .body
                        .comment(&format!("checkov:skip={id}:{}", suppression.reason)),
                    Check::CheckovTerraformCompanion(..)
                    | Check::CdkNag(_)
                    | Check::CdkNagResources(..)
                    | Check::Guard(_) => {}
                }
            }
        }
        let mut extra = Vec::new();
        self.translate(resource, name, &mut main.body, &mut extra);
        for suppression in &resource.suppressions {
            for check in &suppression.checks {
                if let Check::CheckovTerraformCompanion(companion, id) = check {
                    for block in extra
                        .iter_mut()
                        .filter(|b| b.labels.first().map(String::as_str) == Some(*companion))
                    {
                        block
                            .body
                            .comment(&format!("checkov:skip={id}:{}", suppression.reason));
                    }
                }
            }
        }
        let depends_on: Vec<String> = resource
            .depends_on
            .iter()
            .map(|id| self.address(id))
            .collect();
        // A bucket waits for its notification targets' permissions; here the
        // notifications are their own resource, so that is where the wait goes.
        let dependent = match extra
            .iter_mut()
            .find(|b| b.labels.first().map(String::as_str) == Some("aws_s3_bucket_notification"))
        {
            Some(notification) => &mut notification.body,
            None => &mut main.body,
        };
        add_depends_on(dependent, depends_on);
        if resource.retain {
            main.body
                .block(Block::new("lifecycle", &[]).attr("prevent_destroy", Value::bool(true)));
        }
        let mut blocks = vec![main];
        blocks.extend(extra);
        blocks
    }

    fn resource(&self, resource_type: &str, name: &str) -> Block {
        Block::new("resource", &[resource_type, name])
    }

    /// Fills the main block's body and adds companion resources.
    fn translate(&self, resource: &Resource, name: &str, body: &mut Body, extra: &mut Vec<Block>) {
        let out = Out {
            resource,
            name,
            body,
            extra,
        };
        match &resource.kind {
            Kind::Key(key) => self.key(out, key),
            Kind::KeyAlias { name: alias, key } => self.key_alias(out, alias, key),
            Kind::LogGroup(group) => self.log_group(out, group),
            Kind::Role(role) => self.role(out, role),
            Kind::Function(f) => self.function(out, f),
            Kind::Table(table) => self.table(out, table),
            Kind::Queue(queue) => self.queue(out, queue),
            Kind::Bucket(bucket) => self.bucket(out, bucket),
            Kind::Topic(topic) => self.topic(out, topic),
            Kind::ResourcePolicy(policy) => self.resource_policy(out, policy),
            Kind::Subscription(subscription) => self.subscription(out, subscription),
            Kind::Secret(secret) => self.secret(out, secret),
            Kind::RotationSchedule(rotation) => self.rotation_schedule(out, rotation),
            Kind::Api(api) => self.api(out, api),
            Kind::Authorizer(authorizer) => self.authorizer(out, authorizer),
            Kind::Integration(integration) => self.integration(out, integration),
            Kind::Route(route) => self.route(out, route),
            Kind::Stage(stage) => self.stage(out, stage),
            Kind::Permission(permission) => self.permission(out, permission),
            Kind::Schedule(schedule) => self.schedule(out, schedule),
            Kind::EventSourceMapping(mapping) => self.event_source_mapping(out, mapping),
            Kind::Alarm(alarm) => self.alarm(out, alarm),
            Kind::RestApi(api) => self.rest_api(out, api),
            Kind::RestResource(resource) => self.rest_resource(out, resource),
            Kind::RestMethod(method) => self.rest_method(out, method),
            Kind::RestPreflight(preflight) => self.rest_preflight(out, preflight),
            Kind::RestGatewayResponse(response) => self.rest_gateway_response(out, response),
            Kind::RestAuthorizer(authorizer) => self.rest_authorizer(out, authorizer),
            Kind::RestDeployment(deployment) => self.rest_deployment(out, deployment),
            Kind::RestStage(stage) => self.rest_stage(out, stage),
            Kind::WebAcl(acl) => self.web_acl(out, acl),
            Kind::WebAclAssociation(association) => self.web_acl_association(out, association),
            Kind::WebAclLogging(logging) => self.web_acl_logging(out, logging),
            Kind::UsagePlan(plan) => self.usage_plan(out, plan),
            Kind::ApiKey(key) => self.api_key(out, key),
            Kind::UsagePlanKey(plan_key) => self.usage_plan_key(out, plan_key),
        }
    }
}

/// Adds `depends_on` (merged, sorted, once) at the end of a body.
/// Where one plan resource's translation goes: the main block's body and
/// its companion blocks, with the resource and its Terraform name.
struct Out<'a> {
    resource: &'a Resource,
    name: &'a str,
    body: &'a mut Body,
    extra: &'a mut Vec<Block>,
}

fn add_depends_on(body: &mut Body, addresses: Vec<String>) {
    if addresses.is_empty() {
        return;
    }
    let mut all: BTreeSet<String> = addresses.into_iter().collect();
    body.items.retain(|item| match item {
        Item::Attr(key, Value::List(existing)) if key == "depends_on" => {
            all.extend(existing.iter().filter_map(|v| match v {
                Value::Raw(a) => Some(a.clone()),
                _ => None,
            }));
            false
        }
        _ => true,
    });
    body.attr(
        "depends_on",
        Value::List(all.into_iter().map(Value::Raw).collect()),
    );
}

/// The Terraform attribute that carries a plan attribute.
fn attribute_name(kind: Option<&Kind>, attr: Attr) -> &'static str {
    match (kind, attr) {
        (Some(Kind::Key(_)), Attr::Id) => "key_id",
        (Some(Kind::Function(_)), Attr::Name) => "function_name",
        (Some(Kind::Bucket(_)), Attr::Name) => "bucket",
        (Some(Kind::Alarm(_)), Attr::Name) => "alarm_name",
        (Some(Kind::Queue(_)), Attr::Url) => "url",
        (Some(Kind::Table(_)), Attr::StreamArn) => "stream_arn",
        (Some(Kind::Api(_)), Attr::Endpoint) => "api_endpoint",
        (Some(Kind::RestStage(_)), Attr::Name) => "stage_name",
        (_, Attr::RootResourceId) => "root_resource_id",
        (_, Attr::Name) => "name",
        (_, Attr::Id) => "id",
        (_, Attr::Arn | Attr::Url | Attr::StreamArn | Attr::Endpoint) => "arn",
    }
}

fn one_or_many(mut values: Vec<Value>) -> Value {
    if values.len() == 1 {
        values.remove(0)
    } else {
        Value::List(values)
    }
}

/// A number as HCL writes it: no `.0` on whole numbers.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Merges an override onto a resource body: an object merges into the nested
/// block or object attribute of that name (or becomes a nested block), a list
/// of objects replaces the blocks of that name, anything else replaces the
/// attribute.
fn merge(body: &mut Body, patch: &Json) {
    let Json::Object(patch) = patch else { return };
    for (key, value) in patch {
        match value {
            Json::Object(_) => {
                let existing = body.items.iter_mut().find_map(|item| match item {
                    Item::Block(b) if &b.name == key => Some(MergeInto::Block(&mut b.body)),
                    Item::Attr(k, v @ Value::Object(_)) if k == key => Some(MergeInto::Object(v)),
                    _ => None,
                });
                match existing {
                    Some(MergeInto::Block(block)) => merge(block, value),
                    Some(MergeInto::Object(object)) => merge_object(object, value),
                    None => {
                        let mut block = Block::new(key, &[]);
                        merge(&mut block.body, value);
                        body.block(block);
                    }
                }
            }
            Json::Array(items) if !items.is_empty() && items.iter().all(Json::is_object) => {
                body.items
                    .retain(|item| !matches!(item, Item::Block(b) if &b.name == key));
                for item in items {
                    let mut block = Block::new(key, &[]);
                    merge(&mut block.body, item);
                    body.block(block);
                }
            }
            _ => body.attr(key, json_value(value)),
        }
    }
}

enum MergeInto<'b> {
    Block(&'b mut Body),
    Object(&'b mut Value),
}

fn merge_object(object: &mut Value, patch: &Json) {
    let (Value::Object(entries), Json::Object(patch)) = (object, patch) else {
        return;
    };
    for (key, value) in patch {
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, existing @ Value::Object(_))) if value.is_object() => {
                merge_object(existing, value)
            }
            Some((_, existing)) => *existing = json_value(value),
            None => entries.push((key.clone(), json_value(value))),
        }
    }
}

/// A JSON override value as HCL; strings stay literals.
fn json_value(value: &Json) -> Value {
    match value {
        Json::Null => Value::raw("null"),
        Json::Bool(b) => Value::bool(*b),
        Json::Number(n) => Value::raw(n.to_string()),
        Json::String(s) => Value::str(s),
        Json::Array(items) => Value::List(items.iter().map(json_value).collect()),
        Json::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), json_value(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_merge_into_blocks_and_replace_attributes() {
        let mut body = Body::default();
        body.attr("description", Value::str("old"));
        body.block(Block::new("tracing_config", &[]).attr("mode", Value::str("Active")));
        merge(
            &mut body,
            &serde_json::json!({ "description": "new ${x}", "tracing_config": { "mode": "PassThrough" }, "vpc_config": { "subnet_ids": ["a"] } }),
        );
        let text = hcl::render_file(
            &[],
            &[Block {
                name: "resource".into(),
                labels: vec!["a".into(), "b".into()],
                body,
            }],
        );
        assert_eq!(
            text,
            "resource \"a\" \"b\" {\n  description = \"new $${x}\"\n\n  tracing_config {\n    mode = \"PassThrough\"\n  }\n\n  vpc_config {\n    subnet_ids = [\"a\"]\n  }\n}\n"
        );
    }
}
