//! Helpers for the Terraform tests: build an example's module in memory and
//! read it back with an independent HCL parser (hcl-rs, used only to read).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use hcl::expr::{Expression, ObjectKey, TemplateExpr, TraversalOperator};
use hcl::template::{Element, Template};
use palisade::cli::build::{Targets, TemplateFormat, compile};

#[path = "../support/mod.rs"]
mod support;
#[allow(unused_imports)]
pub use support::{example_name, examples};

/// The Terraform module's files (name → text) for a spec.
pub fn terraform_files(spec: &Path) -> BTreeMap<String, String> {
    compile(
        spec.to_str().unwrap(),
        Targets::Terraform,
        TemplateFormat::Yaml,
    )
    .unwrap_or_else(|e| panic!("{}: {e:?}", spec.display()))
    .into_iter()
    .filter_map(|(path, bytes)| {
        let name = path.strip_prefix("terraform/")?.to_string();
        Some((name, String::from_utf8(bytes).unwrap()))
    })
    .collect()
}

/// The CloudFormation template of a spec, as JSON.
pub fn cloudformation_template(spec: &Path) -> serde_json::Value {
    let outputs = compile(
        spec.to_str().unwrap(),
        Targets::CloudFormation,
        TemplateFormat::Json,
    )
    .unwrap();
    serde_json::from_slice(&outputs["cloudformation/template.json"]).unwrap()
}

/// Every top-level block of the module, parsed.
pub fn parse_module(files: &BTreeMap<String, String>) -> Vec<hcl::Block> {
    files
        .iter()
        .flat_map(|(name, text)| {
            let body = hcl::parse(text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
            body.into_blocks().collect::<Vec<_>>()
        })
        .collect()
}

pub fn labels(block: &hcl::Block) -> Vec<String> {
    block
        .labels
        .iter()
        .map(|l| l.as_str().to_string())
        .collect()
}

/// A reference as written: `aws_kms_key.service.arn`, `data.aws_region.current.region`.
pub fn traversal_text(expr: &Expression) -> Option<String> {
    match expr {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::Traversal(t) => {
            let mut text = traversal_text(&t.expr)?;
            for op in &t.operators {
                match op {
                    TraversalOperator::GetAttr(name) => {
                        text.push('.');
                        text.push_str(name.as_str());
                    }
                    _ => return None,
                }
            }
            Some(text)
        }
        _ => None,
    }
}

/// A value with every reference replaced by `translate(reference)`, as JSON:
/// templates become strings, objects and lists their JSON forms. This is how
/// the tests compare Terraform values with CloudFormation ones.
pub fn to_json(expr: &Expression, translate: &mut dyn FnMut(&str) -> String) -> serde_json::Value {
    use serde_json::Value as J;
    match expr {
        Expression::Null => J::Null,
        Expression::Bool(b) => J::Bool(*b),
        Expression::Number(n) => serde_json::to_value(n).unwrap(),
        Expression::String(s) => J::String(s.clone()),
        Expression::Array(items) => J::Array(items.iter().map(|i| to_json(i, translate)).collect()),
        Expression::Object(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Identifier(i) => i.as_str().to_string(),
                        ObjectKey::Expression(e) => match to_json(e, translate) {
                            J::String(s) => s,
                            other => other.to_string(),
                        },
                        other => panic!("unexpected object key {other:?}"),
                    };
                    (key, to_json(v, translate))
                })
                .collect(),
        ),
        Expression::TemplateExpr(t) => J::String(template_text(t, translate)),
        Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
            to_json(&call.args[0], translate)
        }
        other => match traversal_text(other) {
            Some(reference) => J::String(translate(&reference)),
            None => panic!("unexpected expression {other:?}"),
        },
    }
}

fn template_text(t: &TemplateExpr, translate: &mut dyn FnMut(&str) -> String) -> String {
    let template = Template::from_expr(t).unwrap();
    template
        .elements()
        .iter()
        .map(|element| match element {
            Element::Literal(text) => text.clone(),
            Element::Interpolation(i) => match traversal_text(&i.expr) {
                Some(reference) => translate(&reference),
                None => panic!("unexpected interpolation {:?}", i.expr),
            },
            Element::Directive(d) => panic!("no directives are generated: {d:?}"),
        })
        .collect()
}

/// Every reference inside an expression.
pub fn references(expr: &Expression) -> Vec<String> {
    let mut found = Vec::new();
    to_json(expr, &mut |reference| {
        found.push(reference.to_string());
        String::new()
    });
    found
}
