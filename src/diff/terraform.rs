//! Reading a Terraform root module (every `*.tf` file of a directory, or the
//! files the emitter produces in memory) into resources that compare like
//! CloudFormation's: each `resource "type" "name"` block becomes canonical
//! JSON under its address `type.name`.
//!
//! Values are read, not evaluated. References stay as written
//! (`aws_kms_key.service.arn`, `"${aws_s3_bucket.b.arn}/*"`); what is
//! literal becomes JSON, including `jsonencode({...})` and JSON heredoc
//! policy documents and `aws_iam_policy_document` data sources, so IAM
//! statements compare statement by statement. Anything else (a conditional,
//! a `for` expression, another function) is kept as its source text.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Block, BlockLabel, Body, Structure};
use hcl::edit::template::{Element, Template};
use hcl::edit::{Span, parser};
use serde_json::{Map, Value};

use super::Resource;
use super::normalize::{identifies, normalize};
use super::vocabulary::TERRAFORM_SUPPRESSIONS;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::spec::{Loc, Source};

/// What a module declares that `diff` compares.
#[derive(Debug, Clone, Default)]
pub struct Module {
    /// By address: `type.name`, `data.aws_iam_policy_document.name`,
    /// `provider.aws` (its `default_tags` reach every resource).
    pub resources: BTreeMap<String, Resource>,
    /// `moved { from, to }`: the resource is renamed in the state, not destroyed.
    pub moved: BTreeMap<String, String>,
    /// `removed { from; lifecycle { destroy = false } }`: the resource leaves
    /// the state and stays in the cloud.
    pub forgotten: BTreeSet<String>,
}

/// Every `*.tf` file directly in `dir` (Terraform reads no subdirectories).
pub fn read_dir(dir: &Path) -> Result<Module> {
    let shown = dir.display().to_string();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(&shown, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "tf") && path.is_file())
        .collect();
    if paths.is_empty() {
        return Err(Error::Usage(format!(
            "{shown} has no .tf files: give a Terraform module directory"
        )));
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        // A link out of the module (to `/proc/self/environ`, say) is not
        // read: its content would end up in an error message or the diff.
        if let Err(outside) = crate::input::resolve_inside(dir, &path) {
            return Err(Error::Usage(match outside {
                crate::input::Outside::Leaves(target) => format!(
                    "{name} is a symbolic link to {}, outside {shown}; diff reads only the module's own files",
                    target.display()
                ),
                crate::input::Outside::Unresolvable(e) => {
                    format!("{name}: cannot resolve the symbolic link ({e})")
                }
            }));
        }
        let bytes = crate::input::read_regular(&path)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            invalid(
                &name,
                "",
                Code::Unreadable,
                loc_at("", None),
                "not UTF-8 text",
            )
        })?;
        files.push((name, text));
    }
    parse(&files)
}

/// Parses the files of one module, `(path, text)`.
pub fn parse(files: &[(String, String)]) -> Result<Module> {
    let mut module = Module::default();
    for (path, text) in files {
        let body = parser::parse_body(text).map_err(|e| {
            let at = e.location();
            let loc = Loc {
                line: at.line() as u32,
                column: at.column() as u32,
                offset: at.offset(),
                len: 0,
            };
            invalid(
                path,
                text,
                Code::Unreadable,
                loc,
                &format!("not valid HCL: {}", e.message()),
            )
        })?;
        let reader = Reader { text };
        for block in body.blocks() {
            let Some((address, resource)) = reader.declaration(block, &mut module) else {
                continue;
            };
            if module.resources.insert(address.clone(), resource).is_some() {
                let loc = loc_at(text, block.span());
                return Err(invalid(
                    path,
                    text,
                    Code::NameDuplicate,
                    loc,
                    &format!("`{address}` is declared twice in the module"),
                ));
            }
        }
    }
    Ok(module)
}

struct Reader<'a> {
    text: &'a str,
}

impl Reader<'_> {
    /// A top-level block: a resource (or something compared like one) with
    /// its address, or a `moved`/`removed` block noted on the module.
    fn declaration(&self, block: &Block, module: &mut Module) -> Option<(String, Resource)> {
        let labels: Vec<&str> = block.labels.iter().map(label).collect();
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [resource_type, name]) => {
                let mut value = self.body(&block.body);
                let suppressions = suppressions(self.slice(block.span()));
                if !suppressions.is_empty() {
                    value.insert(TERRAFORM_SUPPRESSIONS.into(), Value::Object(suppressions));
                }
                Some((
                    format!("{resource_type}.{name}"),
                    resource(resource_type, value),
                ))
            }
            ("data", [resource_type @ "aws_iam_policy_document", name]) => Some((
                format!("data.{resource_type}.{name}"),
                resource(resource_type, self.policy_document(&block.body)),
            )),
            ("provider", [name]) => {
                let value = self.body(&block.body);
                let address = match value.get("alias").and_then(Value::as_str) {
                    Some(alias) => format!("provider.{name}.{alias}"),
                    None => format!("provider.{name}"),
                };
                Some((address, resource("provider", value)))
            }
            ("moved", []) => {
                let value = self.body(&block.body);
                if let (Some(from), Some(to)) = (value["from"].as_str(), value["to"].as_str()) {
                    module.moved.insert(from.into(), to.into());
                }
                None
            }
            ("removed", []) => {
                let value = self.body(&block.body);
                if value["lifecycle"]["destroy"] == Value::Bool(false)
                    && let Some(from) = value["from"].as_str()
                {
                    module.forgotten.insert(from.into());
                }
                None
            }
            _ => None,
        }
    }

    /// A body as JSON: attributes by name, nested blocks by name (with their
    /// labels, `dynamic.statement`).
    fn body(&self, body: &Body) -> Map<String, Value> {
        let mut out = Map::new();
        let mut blocks: Vec<(String, Vec<Value>)> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    out.insert(attribute.key.to_string(), self.expr(&attribute.value));
                }
                Structure::Block(block) => {
                    let name = std::iter::once(block.ident.as_str())
                        .chain(block.labels.iter().map(label))
                        .collect::<Vec<_>>()
                        .join(".");
                    let value = Value::Object(self.body(&block.body));
                    match blocks.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, values)) => values.push(value),
                        None => {
                            // Holds the block's place, so the JSON reads in
                            // the order of the source.
                            out.insert(name.clone(), Value::Null);
                            blocks.push((name, vec![value]));
                        }
                    }
                }
            }
        }
        for (name, mut values) in blocks {
            // A block that names itself (`attribute`, `route_settings`) is
            // always a list, compared by name, however many there are; any
            // other single block is an object, so its settings have paths.
            let value = if values.len() == 1 && !identifies(&values[0]) {
                values.remove(0)
            } else {
                Value::Array(values)
            };
            out.insert(name, value);
        }
        out
    }

    fn expr(&self, expr: &Expression) -> Value {
        match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                let n = n.value();
                n.as_u64()
                    .map(Value::from)
                    .or_else(|| n.as_i64().map(Value::from))
                    .or_else(|| n.as_f64().map(Value::from))
                    .unwrap_or(Value::Null)
            }
            Expression::String(s) => policy_or_text(s.value().clone()),
            Expression::Array(items) => Value::Array(items.iter().map(|e| self.expr(e)).collect()),
            Expression::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(key, value)| (self.key(key), self.expr(value.expr())))
                    .collect(),
            ),
            Expression::StringTemplate(template) => self.template(template, expr),
            Expression::HeredocTemplate(heredoc) => self.template(&heredoc.template, expr),
            Expression::Parenthesis(inner) => self.expr(inner.inner()),
            Expression::FuncCall(call)
                if call.name.name.as_str() == "jsonencode"
                    && !call.name.is_namespaced()
                    && call.args.len() == 1 =>
            {
                match call.args.get(0) {
                    Some(arg @ (Expression::Object(_) | Expression::Array(_))) => self.expr(arg),
                    _ => Value::String(self.source(expr)),
                }
            }
            other => Value::String(self.source(other)),
        }
    }

    fn key(&self, key: &ObjectKey) -> String {
        match key {
            ObjectKey::Ident(ident) => ident.to_string(),
            ObjectKey::Expression(expr) => match self.expr(expr) {
                Value::String(text) => text,
                other => other.to_string(),
            },
        }
    }

    /// A string with interpolations written back as `${...}`. A template
    /// that is one interpolation is that value (`"${var.x}"` is `var.x`).
    fn template(&self, template: &Template, whole: &Expression) -> Value {
        let elements: Vec<&Element> = template.iter().collect();
        if let [Element::Interpolation(only)] = elements.as_slice() {
            return self.expr(&only.expr);
        }
        let mut text = String::new();
        for element in elements {
            match element {
                Element::Literal(literal) => text.push_str(literal),
                Element::Interpolation(interpolation) => {
                    text.push_str("${");
                    text.push_str(&self.source(&interpolation.expr));
                    text.push('}');
                }
                Element::Directive(_) => return Value::String(self.source(whole)),
            }
        }
        policy_or_text(text)
    }

    /// An expression as written, on one line.
    fn source(&self, expr: &Expression) -> String {
        let written = match expr.span() {
            Some(span) => self.slice(Some(span)).to_string(),
            None => expr.to_string(),
        };
        written.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn slice(&self, span: Option<Range<usize>>) -> &str {
        span.and_then(|s| self.text.get(s)).unwrap_or_default()
    }

    /// `data "aws_iam_policy_document"` as the JSON policy it renders, with
    /// its `statement` blocks as `Statement` entries.
    fn policy_document(&self, body: &Body) -> Map<String, Value> {
        let mut out = Map::new();
        let mut statements = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    out.insert(attribute.key.to_string(), self.expr(&attribute.value));
                }
                Structure::Block(block) if block.ident.as_str() == "statement" => {
                    statements.push(self.statement(&block.body));
                }
                Structure::Block(block) => {
                    out.insert(
                        block.ident.to_string(),
                        Value::Object(self.body(&block.body)),
                    );
                }
            }
        }
        out.insert("Statement".into(), Value::Array(statements));
        out
    }

    fn statement(&self, body: &Body) -> Value {
        let mut statement = Map::new();
        for (from, to) in [
            ("sid", "Sid"),
            ("effect", "Effect"),
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(attribute) = body.get_attribute(from) {
                statement.insert(to.into(), self.expr(&attribute.value));
            }
        }
        statement
            .entry("Effect")
            .or_insert_with(|| Value::String("Allow".into()));
        for (from, to) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut principals = Map::new();
            for block in body.get_blocks(from) {
                let value = self.body(&block.body);
                let kind = value["type"].as_str().unwrap_or_default().to_string();
                let entry = principals
                    .entry(kind)
                    .or_insert_with(|| Value::Array(Vec::new()));
                // A reference (`local.services`) stands for principals the
                // reader cannot list: it stays, as written, never dropped.
                if let Value::Array(all) = entry {
                    match &value["identifiers"] {
                        Value::Array(identifiers) => all.extend(identifiers.iter().cloned()),
                        Value::Null => {}
                        other => all.push(other.clone()),
                    }
                }
            }
            if !principals.is_empty() {
                statement.insert(to.into(), Value::Object(principals));
            }
        }
        let mut conditions = Map::new();
        for block in body.get_blocks("condition") {
            let value = self.body(&block.body);
            let test = value["test"].as_str().unwrap_or_default().to_string();
            let variable = value["variable"].as_str().unwrap_or_default().to_string();
            if let Value::Object(keys) = conditions
                .entry(test)
                .or_insert_with(|| Value::Object(Map::new()))
            {
                keys.insert(variable, value["values"].clone());
            }
        }
        if !conditions.is_empty() {
            statement.insert("Condition".into(), Value::Object(conditions));
        }
        Value::Object(statement)
    }
}

fn resource(resource_type: &str, value: Map<String, Value>) -> Resource {
    Resource {
        resource_type: resource_type.to_string(),
        value: normalize(&Value::Object(value)),
    }
}

fn label(label: &BlockLabel) -> &str {
    match label {
        BlockLabel::Ident(ident) => ident.as_str(),
        BlockLabel::String(text) => text.as_str(),
    }
}

/// A policy document written as a string (a heredoc, say) is read as the
/// JSON it is, so its statements compare one by one.
fn policy_or_text(text: String) -> Value {
    if text.trim_start().starts_with('{')
        && let Ok(value @ Value::Object(_)) = serde_json::from_str::<Value>(&text)
        && value.get("Statement").is_some()
    {
        return value;
    }
    Value::String(text)
}

/// The checks a block suppresses, `ID` → reason, found as checkov finds
/// them: `checkov:skip=ID:reason` (or the older `bridgecrew:skip=`) on any
/// line inside the block.
fn suppressions(block: &str) -> Map<String, Value> {
    let mut found = Map::new();
    for line in block.lines() {
        for marker in ["checkov:skip=", "bridgecrew:skip="] {
            let Some(start) = line.find(marker) else {
                continue;
            };
            let rest = line[start + marker.len()..].trim_start();
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let (id, after) = rest.split_at(end);
            if !id.is_empty() {
                let reason = after.strip_prefix(':').unwrap_or_default().trim();
                found.insert(id.to_string(), Value::String(reason.to_string()));
            }
        }
    }
    found
}

fn loc_at(text: &str, span: Option<Range<usize>>) -> Loc {
    let offset = span.map_or(0, |s| s.start);
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    Loc {
        line: line as u32,
        column: column as u32,
        offset,
        len: 0,
    }
}

fn invalid(path: &str, text: &str, code: Code, loc: Loc, message: &str) -> Error {
    Error::Invalid {
        diagnostics: vec![Diagnostic {
            file: path.to_string(),
            ..Diagnostic::error(code, loc, message)
        }],
        sources: vec![Source {
            path: path.into(),
            text: text.into(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Module {
        parse(&[("main.tf".into(), text.into())]).unwrap()
    }

    #[test]
    fn references_stay_as_written_and_literals_become_json() {
        let module = one(r#"
resource "aws_sqs_queue" "jobs" {
  name                      = "jobs"
  kms_master_key_id         = aws_kms_key.service.arn
  message_retention_seconds = 345600
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  })
  tags = { "team" = "payments", tier = var.tier }
  name_suffix = "${var.env}-jobs"
  only_ref    = "${var.env}"
  choice      = var.env == "prod" ? 1 : 0
}
"#);
        let queue = &module.resources["aws_sqs_queue.jobs"];
        assert_eq!(queue.resource_type, "aws_sqs_queue");
        assert_eq!(
            queue.value,
            json!({
                "name": "jobs",
                "kms_master_key_id": "aws_kms_key.service.arn",
                "message_retention_seconds": 345600,
                "redrive_policy": { "deadLetterTargetArn": "aws_sqs_queue.dlq.arn", "maxReceiveCount": 5 },
                "tags": { "team": "payments", "tier": "var.tier" },
                "name_suffix": "${var.env}-jobs",
                "only_ref": "var.env",
                "choice": "var.env == \"prod\" ? 1 : 0",
            })
        );
    }

    #[test]
    fn policies_compare_statement_by_statement_however_written() {
        let module = one(r#"
resource "aws_iam_role_policy" "encoded" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Read", Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}
resource "aws_iam_role_policy" "heredoc" {
  policy = <<-EOF
    {"Version": "2012-10-17",
     "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "${aws_s3_bucket.b.arn}/*"}]}
  EOF
}
data "aws_iam_policy_document" "doc" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
}
"#);
        let expected = json!({ "Sid=Read": {
            "Sid": "Read", "Effect": "Allow",
            "Action": ["s3:GetObject"], "Resource": ["${aws_s3_bucket.b.arn}/*"],
        }});
        assert_eq!(
            module.resources["aws_iam_role_policy.encoded"].value["policy"]["Statement"],
            expected
        );
        assert_eq!(
            module.resources["aws_iam_role_policy.heredoc"].value["policy"]["Statement"],
            expected
        );
        assert_eq!(
            module.resources["data.aws_iam_policy_document.doc"].value["Statement"],
            expected
        );
    }

    #[test]
    fn policy_document_principals_and_conditions_read_as_json() {
        let module = one(r#"
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}
"#);
        let statements = &module.resources["data.aws_iam_policy_document.trust"].value["Statement"];
        let statement = statements.as_object().unwrap().values().next().unwrap();
        assert_eq!(
            statement["Principal"],
            json!({ "Service": ["lambda.amazonaws.com"] })
        );
        assert_eq!(
            statement["Condition"],
            json!({ "StringEquals": { "aws:SourceAccount": ["data.aws_caller_identity.current.account_id"] } })
        );
    }

    #[test]
    fn blocks_single_or_named_and_suppressions_from_comments() {
        let module = one(r#"
resource "aws_dynamodb_table" "orders" {
  #checkov:skip=CKV_AWS_28:rebuilt nightly
  name     = "orders"
  hash_key = "id"
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
  lifecycle {
    prevent_destroy = true
  }
}
"#);
        let table = &module.resources["aws_dynamodb_table.orders"].value;
        assert_eq!(
            table["attribute"],
            json!({ "name=id": { "name": "id", "type": "S" } })
        );
        assert_eq!(table["point_in_time_recovery"], json!({ "enabled": true }));
        assert_eq!(table["lifecycle"], json!({ "prevent_destroy": true }));
        assert_eq!(
            table[TERRAFORM_SUPPRESSIONS],
            json!({ "CKV_AWS_28": "rebuilt nightly" })
        );
    }

    #[test]
    fn moved_removed_and_providers_are_noted() {
        let module = one(r#"
provider "aws" {
  region = "us-east-1"
  default_tags { tags = { team = "payments" } }
}
moved {
  from = aws_s3_bucket.old
  to   = aws_s3_bucket.new
}
removed {
  from = aws_s3_bucket.kept
  lifecycle { destroy = false }
}
removed {
  from = aws_s3_bucket.gone
  lifecycle { destroy = true }
}
"#);
        assert_eq!(
            module.moved,
            [(
                "aws_s3_bucket.old".to_string(),
                "aws_s3_bucket.new".to_string()
            )]
            .into()
        );
        assert_eq!(module.forgotten, ["aws_s3_bucket.kept".to_string()].into());
        assert_eq!(
            module.resources["provider.aws"].value["default_tags"]["tags"]["team"],
            "payments"
        );
    }

    #[test]
    fn syntax_errors_and_duplicates_are_invalid_input_with_a_location() {
        let Err(Error::Invalid { diagnostics, .. }) = parse(&[(
            "bad.tf".into(),
            "resource \"a\" \"b\" {\n  x = \n}\n".into(),
        )]) else {
            panic!("a syntax error is invalid input");
        };
        assert_eq!(diagnostics[0].file, "bad.tf");
        assert!(diagnostics[0].message.contains("not valid HCL"));
        let twice = "resource \"aws_sqs_queue\" \"q\" {}\n\nresource \"aws_sqs_queue\" \"q\" {}\n";
        let Err(Error::Invalid { diagnostics, .. }) = parse(&[("a.tf".into(), twice.into())])
        else {
            panic!("a duplicate address is invalid input");
        };
        assert_eq!(diagnostics[0].line, 3);
    }
}
