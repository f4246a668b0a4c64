//! Reading what `diff` compares: a Palisade spec (compiled in memory to both
//! targets), a CloudFormation template in JSON or YAML (Palisade's or
//! anyone's, short-form tags included), a Terraform module directory (or one
//! `.tf` file), or a spec as it was at a git ref.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::Target;
use super::terraform::{self, Module};
use crate::diagnostic::{Code, Diagnostic};
use crate::emit::terraform as emit_terraform;
use crate::error::{Error, Result};
use crate::spec::{Loc, Source};

/// One side of a diff.
#[derive(Debug)]
pub enum Input {
    /// A spec, compiled to both targets.
    Spec(Box<Compiled>),
    /// A CloudFormation template read from a file.
    Template(Value),
    /// A Terraform module read from a directory.
    Terraform(Module),
}

/// A spec's output on both targets, with its waivers (which the output only
/// shows when a scanner check goes with them).
#[derive(Debug)]
pub struct Compiled {
    pub cloudformation: Value,
    pub terraform: Module,
    /// Per target, by the name the target gives the waived resource.
    pub waivers: BTreeMap<Target, Waivers>,
    /// The service graph, so a pull-request comment can draw what changed.
    pub graph: crate::graph::Graph,
}

impl Input {
    /// The service graph, for specs.
    pub fn graph(&self) -> Option<&crate::graph::Graph> {
        match self {
            Input::Spec(compiled) => Some(&compiled.graph),
            Input::Template(_) | Input::Terraform(_) => None,
        }
    }

    /// The targets this input can be compared on.
    pub fn targets(&self) -> &'static [Target] {
        match self {
            Input::Spec(_) => &Target::ALL,
            Input::Template(_) => &[Target::CloudFormation],
            Input::Terraform(_) => &[Target::Terraform],
        }
    }

    pub fn cloudformation(&self) -> Option<&Value> {
        match self {
            Input::Spec(compiled) => Some(&compiled.cloudformation),
            Input::Template(template) => Some(template),
            Input::Terraform(_) => None,
        }
    }

    pub fn terraform(&self) -> Option<&Module> {
        match self {
            Input::Spec(compiled) => Some(&compiled.terraform),
            Input::Terraform(module) => Some(module),
            Input::Template(_) => None,
        }
    }

    pub fn waivers(&self, target: Target) -> Option<&Waivers> {
        match self {
            Input::Spec(compiled) => compiled.waivers.get(&target),
            _ => None,
        }
    }
}

/// The targets both inputs carry.
pub fn common_targets(old: &Input, new: &Input) -> Vec<Target> {
    old.targets()
        .iter()
        .filter(|t| new.targets().contains(t))
        .copied()
        .collect()
}

/// The targets to compare: the one asked for, or every target both inputs
/// carry (both, for two specs). Asking for a target an input does not have
/// is a usage error.
pub fn targets(old: &Input, new: &Input, asked: Option<Target>) -> Result<Vec<Target>> {
    let common = common_targets(old, new);
    let describe = |input: &Input| match input {
        Input::Spec(_) => "a spec",
        Input::Template(_) => "a CloudFormation template",
        Input::Terraform(_) => "a Terraform module",
    };
    match asked {
        None if common.is_empty() => Err(Error::Usage(format!(
            "cannot compare {} with {}: give two specs, two templates or two Terraform directories",
            describe(old),
            describe(new)
        ))),
        None => Ok(common),
        Some(target) if common.contains(&target) => Ok(vec![target]),
        Some(target) if common.is_empty() => Err(Error::Usage(format!(
            "--target {target}: cannot compare {} with {}",
            describe(old),
            describe(new)
        ))),
        Some(target) => Err(Error::Usage(format!(
            "--target {target}: {} and {} can only be compared on {}",
            describe(old),
            describe(new),
            common
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        ))),
    }
}

/// Reads the two sides of a diff at once: parsing a large template or module
/// is most of the time a diff takes. The old side's error, if both fail.
pub fn both(
    old: impl FnOnce() -> Result<Input> + Send,
    new: impl FnOnce() -> Result<Input>,
) -> Result<(Input, Input)> {
    std::thread::scope(|scope| {
        let old = scope.spawn(old);
        let new = new();
        let old = old
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((old?, new?))
    })
}

/// Reads a path: a directory or `.tf` file as Terraform, any other file as a
/// spec or a template, by what it contains.
pub fn read(path: &str) -> Result<Input> {
    read_in(path, None)
}

/// [`read`], a spec staged for environment `env` (`--env`).
pub fn read_in(path: &str, env: Option<&str>) -> Result<Input> {
    if Path::new(path).is_dir() {
        return terraform::read_dir(Path::new(path)).map(Input::Terraform);
    }
    let bytes = crate::input::read_regular(Path::new(path))?;
    if path.ends_with(".tf") {
        let text = String::from_utf8(bytes).map_err(|_| invalid(path, "", "not UTF-8 text"))?;
        return terraform::parse(&[(path.to_string(), text)]).map(Input::Terraform);
    }
    match parse_in(path, &bytes, env)? {
        // A root written by `build` with its children in `stacks/` beside it.
        Input::Template(root) => {
            let dir = Path::new(path).parent().unwrap_or(Path::new(""));
            let read_child = |child: &Path| -> Result<Value> {
                let name = child.display().to_string();
                let bytes = crate::input::read_regular(child)?;
                let text = std::str::from_utf8(&bytes)
                    .map_err(|_| invalid(&name, "", "not UTF-8 text"))?;
                parse_template(text).map_err(|diagnostic| located(&name, text, diagnostic))
            };
            super::nested::flatten(root, dir, &read_child).map(Input::Template)
        }
        input => Ok(input),
    }
}

/// Parses bytes (a file, or a spec from `git show`) as a spec or a template.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Input> {
    parse_in(path, bytes, None)
}

/// [`parse`], a spec staged for environment `env` (`--env`; a template is
/// the same in every environment).
pub fn parse_in(path: &str, bytes: &[u8], env: Option<&str>) -> Result<Input> {
    let text = std::str::from_utf8(bytes).map_err(|_| invalid(path, "", "not UTF-8 text"))?;
    let value = parse_template(text).map_err(|diagnostic| located(path, text, diagnostic))?;
    if let Some(resources) = value.get("Resources") {
        // Read as no resources, a list would show every resource as removed.
        if !resources.is_object() {
            return Err(invalid(
                path,
                text,
                "`Resources` must be a mapping of logical IDs to resources",
            ));
        }
        return Ok(Input::Template(value));
    }
    if value.get("service").is_some() {
        return compile_spec(path, bytes, env);
    }
    Err(invalid(
        path,
        text,
        "neither a Palisade spec (no `service:`) nor a CloudFormation template (no `Resources:`)",
    ))
}

/// Compiles a spec to both targets without touching the disk: no handler
/// files are read, so both sides of a diff (one may come from git) are
/// compiled alike.
fn compile_spec(path: &str, bytes: &[u8], env: Option<&str>) -> Result<Input> {
    let loaded = crate::spec::load(path, bytes, None).map_err(|diagnostics| Error::Invalid {
        diagnostics,
        sources: vec![Source {
            path: path.into(),
            text: String::from_utf8_lossy(bytes).into_owned(),
        }],
    })?;
    let loaded = match env {
        None => loaded,
        Some(name) => crate::spec::environments::stage(&loaded, name).map_err(|err| match err {
            crate::spec::environments::StageError::Unknown(message) => {
                Error::Usage(format!("{path}: {message}"))
            }
            crate::spec::environments::StageError::Invalid(diagnostics) => Error::Invalid {
                diagnostics,
                sources: vec![loaded.source.clone()],
            },
        })?,
    };
    let compiled = crate::pipeline::run_strict(&loaded, &Default::default())?;
    let plan = &compiled.plan;
    let addresses = emit_terraform::addresses(plan).map_err(|clash| {
        Error::Internal(format!(
            "the pipeline accepted a Terraform name clash: {clash:?}"
        ))
    })?;
    let files = compiled.terraform.clone();
    let files: Vec<(String, String)> = files
        .into_iter()
        .map(|(name, text)| (format!("terraform/{name}"), text))
        .collect();
    let terraform = terraform::parse(&files).map_err(|e| {
        Error::Internal(format!("the generated Terraform does not read back: {e:?}"))
    })?;
    // A plan resource's main Terraform block comes first among its addresses.
    let mut terraform_names: BTreeMap<&str, &str> = BTreeMap::new();
    for (address, resource) in &addresses {
        terraform_names
            .entry(resource.id.as_str())
            .or_insert(address.as_str());
    }
    let mut waivers: BTreeMap<Target, Waivers> = BTreeMap::new();
    for resource in &plan.resources {
        for applied in &resource.controls {
            let Some(reason) = &applied.waived else {
                continue;
            };
            waivers
                .entry(Target::CloudFormation)
                .or_default()
                .insert((resource.id.clone(), applied.control), reason.clone());
            if let Some(address) = terraform_names.get(resource.id.as_str()) {
                waivers
                    .entry(Target::Terraform)
                    .or_default()
                    .insert((address.to_string(), applied.control), reason.clone());
            }
        }
    }
    for target in Target::ALL {
        waivers.entry(target).or_default();
    }
    let membership = super::nested::spec_membership(&loaded.spec, plan, &compiled.cloudformation);
    let mut cloudformation = compiled.cloudformation;
    super::nested::annotate(&mut cloudformation, membership);
    Ok(Input::Spec(Box::new(Compiled {
        graph: crate::graph::Graph::from_plan(plan),
        cloudformation,
        terraform,
        waivers,
    })))
}

/// `(resource, control ID)` → the waiver's reason; the resource as the
/// target names it (logical ID, Terraform address).
pub type Waivers = BTreeMap<(String, &'static str), String>;

/// The spec at `path` as it is at git `reference`, read with `git show`
/// (no checkout, the working copy is untouched).
pub fn at_git_ref(reference: &str, path: &str) -> Result<Input> {
    at_git_ref_in(reference, path, None)
}

/// [`at_git_ref`], staged for environment `env`. A base that does not have
/// the environment yet compiles to no resources: the stage is new.
pub fn at_git_ref_in(reference: &str, path: &str, env: Option<&str>) -> Result<Input> {
    // An empty ref would make `git show :path` read the index, and one that
    // starts with `-` would be read as an option (`--output=FILE` writes).
    if reference.is_empty() || reference.starts_with('-') {
        return Err(Error::Usage(format!(
            "--base {reference:?} is not a git ref: give a branch, tag or commit such as `main`"
        )));
    }
    let relative = git_relative(path)?;
    if !exists_at(reference, &relative)? {
        return Ok(empty_service());
    }
    let output = std::process::Command::new("git")
        .args([
            "show",
            "--end-of-options",
            &format!("{reference}:{relative}"),
        ])
        .output()
        .map_err(|e| Error::io("git", e))?;
    if !output.status.success() {
        return Err(Error::Usage(format!(
            "git show {reference}:{relative} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let at = format!("{reference}:{relative}");
    match parse_in(&at, &output.stdout, env) {
        Err(Error::Usage(_)) if env.is_some() => Ok(empty_service()),
        other => other,
    }
}

/// Whether `relative` exists at `reference`; an error when `reference` is
/// not a commit (a typo must not read as "no base": everything would look new).
fn exists_at(reference: &str, relative: &str) -> Result<bool> {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .map_err(|e| Error::io("git", e))
    };
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &format!("{reference}^{{commit}}"),
    ])?;
    if !commit.status.success() {
        return Err(Error::Usage(format!(
            "--base {reference}: not a commit in this repository (for a pull request, fetch the base branch: `actions/checkout` with `fetch-depth: 0`)"
        )));
    }
    let found = git(&[
        "cat-file",
        "-e",
        "--end-of-options",
        &format!("{reference}:{relative}"),
    ])?;
    Ok(found.status.success())
}

/// What a spec that does not exist yet compiles to: no resources on either
/// target, so a first pull request shows everything as added.
pub fn empty_service() -> Input {
    Input::Spec(Box::new(Compiled {
        cloudformation: serde_json::json!({ "Resources": {} }),
        terraform: Module::default(),
        waivers: Target::ALL
            .into_iter()
            .map(|t| (t, Waivers::new()))
            .collect(),
        graph: crate::graph::Graph::empty(""),
    }))
}

/// The functions of the spec at `path` whose code directory differs between
/// git `reference` and the working copy, among `existing` (functions the base
/// has: a new function is already news). Read with `git diff`, so a
/// code-only change is seen without building or AWS.
pub fn code_changes(
    reference: &str,
    path: &str,
    existing: &std::collections::BTreeSet<String>,
) -> Result<Vec<String>> {
    let bytes = crate::input::read_regular(Path::new(path))?;
    let Ok(loaded) = crate::spec::load(path, &bytes, None) else {
        // The spec was compiled already; a spec that does not load has no
        // functions to list (its diagnostics were reported there).
        return Ok(Vec::new());
    };
    let spec_dir = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut changed = Vec::new();
    for (name, function) in &loaded.spec.functions {
        if !existing.contains(name.value.as_str()) {
            continue;
        }
        let (dir, _) = crate::package::code_dir(&function.handler.value);
        let code = spec_dir.join(dir);
        let mut args: Vec<String> = vec![
            "diff".into(),
            "--quiet".into(),
            "--end-of-options".into(),
            reference.into(),
            "--".into(),
            code.display().to_string(),
        ];
        if dir.is_empty() {
            // The service directory itself is packaged: everything but
            // what is never in a package.
            for excluded in ["dist", ".palisade", ".github"] {
                args.push(format!(":(exclude){}", spec_dir.join(excluded).display()));
            }
            args.push(format!(":(exclude){path}"));
        }
        let status = std::process::Command::new("git")
            .args(&args)
            .status()
            .map_err(|e| Error::io("git", e))?;
        match status.code() {
            Some(0) => {}
            Some(1) => changed.push(name.value.clone()),
            _ => {
                return Err(Error::Usage(format!(
                    "git diff {reference} -- {} failed",
                    code.display()
                )));
            }
        }
    }
    Ok(changed)
}

/// `path` relative to the repository root, as `git show REF:path` wants it.
fn git_relative(path: &str) -> Result<String> {
    let output = std::process::Command::new("git")
        .args(["ls-files", "--full-name", "--error-unmatch", "--", path])
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
    located(
        path,
        text,
        Diagnostic::error(Code::YamlSyntax, start, message),
    )
}

fn located(path: &str, text: &str, diagnostic: Diagnostic) -> Error {
    Error::Invalid {
        diagnostics: vec![Diagnostic {
            file: path.to_string(),
            ..diagnostic
        }],
        sources: vec![Source {
            path: path.into(),
            text: text.into(),
        }],
    }
}

/// JSON or YAML; CloudFormation's short-form tags become long-form
/// intrinsics. A key twice in one mapping is an error in both (CloudFormation
/// refuses it; reading the last would diff a template that cannot deploy).
pub fn parse_template(text: &str) -> std::result::Result<Value, Diagnostic> {
    if text.trim_start().starts_with('{') {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        return Plain::<Json>::deserialize(&mut deserializer)
            .and_then(|Plain(value, _)| deserializer.end().map(|()| value))
            .map_err(|e| {
                let message = e.to_string();
                let message = message
                    .rfind(" at line ")
                    .map_or(message.as_str(), |cut| &message[..cut]);
                let loc = crate::spec::load::located_loc(e.line() as u64, e.column() as u64, text);
                Diagnostic::error(Code::YamlSyntax, loc, message)
            });
    }
    let options = serde_saphyr::options! {
        with_snippet: false,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        budget: serde_saphyr::budget! {
            max_documents: 1,
            max_depth: crate::spec::load::TEMPLATE_MAX_DEPTH,
            max_aliases: 0,
        },
    };
    serde_saphyr::from_str_with_options::<Node>(text, options)
        .map(|node| node.0)
        .map_err(|e| {
            crate::spec::load::to_diagnostic(&e, text, crate::spec::load::Document::Template)
        })
}

/// A YAML node with its tag resolved into CloudFormation's long form.
struct Node(Value);

/// A JSON value (JSON has no tags).
struct Json(Value);

/// A node whose children are `C`s ([`Node`] or [`Json`]).
struct Plain<C>(Value, std::marker::PhantomData<C>);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let serde_saphyr::Tagged(Plain(value, _), tag) =
            serde_saphyr::Tagged::<Plain<Node>>::deserialize(deserializer)?;
        Ok(Node(match tag {
            Some(tag) => long_form(&tag, value),
            None => value,
        }))
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        Plain::<Json>::deserialize(deserializer).map(|Plain(value, _)| Json(value))
    }
}

impl From<Node> for Value {
    fn from(node: Node) -> Value {
        node.0
    }
}

impl From<Json> for Value {
    fn from(json: Json) -> Value {
        json.0
    }
}

impl<'de, C: Deserialize<'de> + Into<Value>> Deserialize<'de> for Plain<C> {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Visitor<C>(std::marker::PhantomData<C>);
        impl<'de, C: Deserialize<'de> + Into<Value>> serde::de::Visitor<'de> for Visitor<C> {
            type Value = Plain<C>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a template value")
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<Plain<C>, E> {
                Ok(plain(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Plain<C>, E> {
                Ok(plain(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Plain<C>, E> {
                Ok(plain(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Plain<C>, E> {
                Ok(plain(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Plain<C>, E> {
                Ok(plain(Value::String(v.to_string())))
            }
            fn visit_unit<E>(self) -> std::result::Result<Plain<C>, E> {
                Ok(plain(Value::Null))
            }
            fn visit_none<E>(self) -> std::result::Result<Plain<C>, E> {
                Ok(plain(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Plain<C>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<C>()? {
                    items.push(item.into());
                }
                Ok(plain(Value::Array(items)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Plain<C>, A::Error> {
                let mut object = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if object.contains_key(&key) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate key `{key}`"
                        )));
                    }
                    let value: C = map.next_value()?;
                    object.insert(key, value.into());
                }
                Ok(plain(Value::Object(object)))
            }
        }
        fn plain<C>(value: Value) -> Plain<C> {
            Plain(value, std::marker::PhantomData)
        }
        deserializer.deserialize_any(Visitor(std::marker::PhantomData))
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
