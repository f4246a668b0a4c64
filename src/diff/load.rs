//! Reading what `diff` compares: a Palisade spec (compiled in memory), a
//! CloudFormation template in JSON or YAML (Palisade's or anyone's, short-form
//! tags included), or a spec as it was at a git ref.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::diagnostic::{Code, Diagnostic};
use crate::emit::cloudformation;
use crate::error::{Error, Result};
use crate::spec::{Loc, Source};

/// One side of a diff.
#[derive(Debug)]
pub enum Input {
    /// A spec, compiled to its CloudFormation template, with its waivers
    /// (which a template only shows when a scanner check goes with them).
    Spec { template: Value, waivers: Waivers },
    /// A CloudFormation template read from a file.
    Template(Value),
}

impl Input {
    pub fn cloudformation(&self) -> &Value {
        match self {
            Input::Spec { template, .. } | Input::Template(template) => template,
        }
    }

    pub fn waivers(&self) -> Option<&Waivers> {
        match self {
            Input::Spec { waivers, .. } => Some(waivers),
            Input::Template(_) => None,
        }
    }
}

/// Reads a file as a spec or a template, by what it contains.
pub fn read(path: &str) -> Result<Input> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse(path, &bytes)
}

/// Parses bytes (a file, or a spec from `git show`) as a spec or a template.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Input> {
    let text = std::str::from_utf8(bytes).map_err(|_| invalid(path, "", "not UTF-8 text"))?;
    let value = parse_template(text).map_err(|message| invalid(path, text, &message))?;
    if value.get("Resources").is_some() {
        return Ok(Input::Template(value));
    }
    if value.get("service").is_some() {
        return compile_spec(path, bytes);
    }
    Err(invalid(
        path,
        text,
        "neither a Palisade spec (no `service:`) nor a CloudFormation template (no `Resources:`)",
    ))
}

/// Compiles a spec without touching the disk: no handler files are read, so
/// both sides of a diff (one may come from git) are compiled alike.
fn compile_spec(path: &str, bytes: &[u8]) -> Result<Input> {
    let loaded = crate::spec::load(path, bytes, None).map_err(|diagnostics| Error::Invalid {
        diagnostics,
        sources: vec![Source {
            path: path.into(),
            text: String::from_utf8_lossy(bytes).into_owned(),
        }],
    })?;
    let plan =
        crate::plan::compile(&loaded.spec, &Default::default()).map_err(|err| match err {
            crate::plan::CompileError::Invalid(mut diagnostics) => {
                for d in &mut diagnostics {
                    d.file = path.to_string();
                }
                Error::Invalid {
                    diagnostics,
                    sources: vec![loaded.source.clone()],
                }
            }
            crate::plan::CompileError::Bug(bug) => bug,
        })?;
    let overrides = loaded
        .spec
        .overrides
        .cloudformation
        .iter()
        .map(|(id, patch)| (id.value.clone(), patch.value.clone()))
        .collect();
    let waivers = plan
        .resources
        .iter()
        .flat_map(|r| {
            r.controls.iter().filter_map(|c| {
                c.waived
                    .as_ref()
                    .map(|reason| ((r.id.clone(), c.control), reason.clone()))
            })
        })
        .collect();
    Ok(Input::Spec {
        template: cloudformation::template(&plan, &overrides),
        waivers,
    })
}

/// `(logical ID, control ID)` → the waiver's reason.
pub type Waivers = std::collections::BTreeMap<(String, &'static str), String>;

/// The spec at `path` as it is at git `reference`, read with `git show`
/// (no checkout, the working copy is untouched).
pub fn at_git_ref(reference: &str, path: &str) -> Result<Input> {
    let relative = git_relative(path)?;
    let output = std::process::Command::new("git")
        .args(["show", &format!("{reference}:{relative}")])
        .output()
        .map_err(|e| Error::io("git", e))?;
    if !output.status.success() {
        return Err(Error::Usage(format!(
            "git show {reference}:{relative} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    parse(&format!("{reference}:{relative}"), &output.stdout)
}

/// `path` relative to the repository root, as `git show REF:path` wants it.
fn git_relative(path: &str) -> Result<String> {
    let output = std::process::Command::new("git")
        .args(["ls-files", "--full-name", "--error-unmatch", path])
        .output()
        .map_err(|e| Error::io("git", e))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).trim().to_string());
    }
    Err(Error::Usage(format!(
        "{path} is not tracked by git, so it has no base version"
    )))
}

fn invalid(path: &str, text: &str, message: &str) -> Error {
    let start = Loc {
        line: 1,
        column: 1,
        ..Loc::default()
    };
    Error::Invalid {
        diagnostics: vec![Diagnostic {
            file: path.to_string(),
            ..Diagnostic::error(Code::YamlSyntax, start, message)
        }],
        sources: vec![Source {
            path: path.into(),
            text: text.into(),
        }],
    }
}

/// JSON or YAML; CloudFormation's short-form tags become long-form intrinsics.
pub fn parse_template(text: &str) -> std::result::Result<Value, String> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| e.to_string());
    }
    let options = serde_saphyr::options! {
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_documents: 1,
            max_depth: 64,
            max_aliases: 0,
        },
    };
    serde_saphyr::from_str_with_options::<Node>(text, options)
        .map(|node| node.0)
        .map_err(|e| e.to_string())
}

/// A YAML node with its tag resolved into CloudFormation's long form.
struct Node(Value);

/// A YAML node whose children are [`Node`]s.
struct Plain(Value);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let serde_saphyr::Tagged(Plain(value), tag) =
            serde_saphyr::Tagged::<Plain>::deserialize(deserializer)?;
        Ok(Node(match tag {
            Some(tag) => long_form(&tag, value),
            None => value,
        }))
    }
}

impl<'de> Deserialize<'de> for Plain {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Plain;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a template value")
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<Plain, E> {
                Ok(Plain(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Plain, E> {
                Ok(Plain(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Plain, E> {
                Ok(Plain(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Plain, E> {
                Ok(Plain(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Plain, E> {
                Ok(Plain(Value::String(v.to_string())))
            }
            fn visit_unit<E>(self) -> std::result::Result<Plain, E> {
                Ok(Plain(Value::Null))
            }
            fn visit_none<E>(self) -> std::result::Result<Plain, E> {
                Ok(Plain(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Plain, A::Error> {
                let mut items = Vec::new();
                while let Some(Node(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Plain(Value::Array(items)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Plain, A::Error> {
                let mut object = Map::new();
                while let Some((key, Node(value))) = map.next_entry::<String, Node>()? {
                    object.insert(key, value);
                }
                Ok(Plain(Value::Object(object)))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`,
/// `!Sub s` → `{"Fn::Sub": s}`; unknown tags keep their value.
fn long_form(tag: &str, value: Value) -> Value {
    let name = tag.trim_start_matches('!');
    let mut object = Map::new();
    match name {
        "Ref" | "Condition" => {
            object.insert(name.to_string(), value);
        }
        "GetAtt" => {
            let parts = match value {
                Value::String(text) => match text.split_once('.') {
                    Some((resource, attribute)) => {
                        Value::Array(vec![resource.into(), attribute.into()])
                    }
                    None => Value::String(text),
                },
                other => other,
            };
            object.insert("Fn::GetAtt".into(), parts);
        }
        "Base64" | "Cidr" | "FindInMap" | "GetAZs" | "ImportValue" | "Join" | "Select"
        | "Split" | "Sub" | "Transform" | "And" | "Equals" | "If" | "Not" | "Or"
        | "ToJsonString" | "Length" => {
            object.insert(format!("Fn::{name}"), value);
        }
        _ => return value,
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_form_tags_become_long_form() {
        let yaml = "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${AWS::StackName}-q'\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dlq.Arn\n      Tags: [{ Key: k, Value: !Ref Env }]\n";
        let value = parse_template(yaml).unwrap();
        let properties = &value["Resources"]["A"]["Properties"];
        assert_eq!(
            properties["QueueName"],
            json!({ "Fn::Sub": "${AWS::StackName}-q" })
        );
        assert_eq!(
            properties["RedrivePolicy"]["deadLetterTargetArn"],
            json!({ "Fn::GetAtt": ["Dlq", "Arn"] })
        );
        assert_eq!(properties["Tags"][0]["Value"], json!({ "Ref": "Env" }));
    }

    #[test]
    fn json_templates_parse_as_json() {
        assert_eq!(
            parse_template("{\"Resources\": {}}").unwrap(),
            json!({ "Resources": {} })
        );
    }
}
