//! Nested stacks: a service whose CloudFormation would exceed what one stack
//! accepts (500 resources, a 1 MB template; we keep a margin) is written as a
//! root template plus child templates (`AWS::CloudFormation::Stack`).
//!
//! The split is a pure function of the spec and never depends on position:
//! each function's resources (role, log group, alarms, permissions, route,
//! integration, event sources) go to child `functions-<hash(name) mod N>`,
//! each store's (table, queue, bucket, topic, secret) to `data-<hash(name)
//! mod M>`, and what the whole service shares (key, dead-letter queue, API,
//! authorizer, stage, alerts) stays in the root. Adding or removing one entry
//! therefore moves no other resource: moving a named resource between stacks
//! would make CloudFormation create the new one before deleting the old
//! (physical name collisions, stateful data replaced). N and M are powers of
//! two chosen from the entry counts with headroom, so growth crosses a
//! boundary rarely; `diff` reports such a move as a replacement.
//!
//! Works on the final template (overrides merged, controls verified), so
//! every check that reads the plan or the flat template sees the whole
//! service whatever the layout.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::diagnostic::{Code, Diagnostic};
use crate::plan::{Kind, Plan, Resource};
use crate::spec::Spec;

/// The most resources a generated template may hold (CloudFormation: 500).
pub const MAX_RESOURCES: usize = 450;
/// The most bytes a generated template's text may hold (CloudFormation: 1 MB from S3).
pub const MAX_BYTES: usize = 800 * 1024;
/// The most parameters, and outputs, a template may have (CloudFormation: 200 each).
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;
/// Functions per child stack the automatic count aims at (about 8 resources
/// each: a third of the limit, so hash imbalance and events fit).
const FUNCTIONS_PER_STACK: usize = 16;
/// Stores per child stack the automatic count aims at (1–3 resources each).
const STORES_PER_STACK: usize = 32;
/// The most child stacks of each tier (functions, data).
pub const MAX_STACKS: usize = crate::spec::MAX_NESTED_STACKS as usize;

/// Which template a resource is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stack {
    Root,
    Functions(u32),
    Data(u32),
}

impl Stack {
    /// The child's name (`functions-007`), used in file names and S3 keys.
    pub fn name(self) -> String {
        match self {
            Stack::Root => "root".into(),
            Stack::Functions(i) => format!("functions-{i:03}"),
            Stack::Data(i) => format!("data-{i:03}"),
        }
    }

    /// The child's logical ID in the root (`Functions007Stack`).
    pub fn logical_id(self) -> String {
        match self {
            Stack::Root => "Root".into(),
            Stack::Functions(i) => format!("Functions{i:03}Stack"),
            Stack::Data(i) => format!("Data{i:03}Stack"),
        }
    }
}

/// One child template, rendered.
#[derive(Debug, Clone)]
pub struct Child {
    pub stack: Stack,
    /// The S3 key the root's `TemplateURL` points at:
    /// `<service>/stacks/<name>-<sha256 of the text, 16 hex>.<ext>`.
    pub key: String,
    pub template: Value,
    pub text: String,
}

/// A nested layout: the root template and its children.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: Value,
    pub root_text: String,
    pub children: Vec<Child>,
}

/// The CloudFormation files of a build: `(path, text)` of one template, or
/// of a root and its children; or why no layout can deploy.
pub type Rendered = Result<Vec<(String, String)>, Diagnostic>;

/// What renders them, given the plan and the final template ([`render`]).
/// It takes the template: splitting moves its resources into the stacks
/// instead of copying them.
pub type RenderStacks<'a> = dyn Fn(&Plan, Value) -> Rendered + Sync + 'a;

/// Renders the final template as `build` writes it: at `root_file`, split
/// into nested stacks when the spec pins them or the template is over the
/// margins. Runs on the pipeline's second core, beside Terraform.
pub fn render(
    spec: &Spec,
    plan: &Plan,
    template: Value,
    text: &(dyn Fn(&Value) -> String + Sync),
    root_file: &str,
) -> Rendered {
    if !pinned(spec) && !needed(&template, None) {
        let single = text(&template);
        if !needed(&template, Some(&single)) {
            return Ok(vec![(root_file.to_string(), single)]);
        }
    }
    let ext = root_file.rsplit('.').next().unwrap_or("yaml");
    let layout = split(spec, plan, template, text, ext)?;
    let mut files = vec![(root_file.to_string(), layout.root_text)];
    let mut values = vec![layout.root];
    for child in layout.children {
        let base = child
            .key
            .rsplit('/')
            .next()
            .unwrap_or(&child.key)
            .to_string();
        files.push((format!("cloudformation/stacks/{base}"), child.text));
        values.push(child.template);
    }
    // Freeing every resource is a measurable part of a large build.
    crate::process::discard(values);
    Ok(files)
}

/// FNV-1a, 64 bits: stable across platforms, Rust versions and builds (the
/// standard library's hasher is not), so the layout is reproducible.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The number of child stacks for `entries` spec entries at `per_stack`
/// each: a power of two, so it changes only when the count doubles.
fn stack_count(entries: usize, per_stack: usize) -> u32 {
    let wanted = entries.div_ceil(per_stack).max(1);
    wanted.next_power_of_two().min(MAX_STACKS) as u32
}

/// The shard counts of a spec: (functions, data).
pub fn shard_counts(spec: &Spec) -> (u32, u32) {
    let stores = spec.tables.len()
        + spec.queues.len()
        + spec.buckets.len()
        + spec.topics.len()
        + spec.secrets.len();
    let pinned = |count: Option<&crate::spec::Spanned<u32>>| count.map(|c| c.value.max(1));
    let nested = spec.nested_stacks.as_ref();
    (
        pinned(nested.and_then(|n| n.functions.as_ref()))
            .unwrap_or_else(|| stack_count(spec.functions.len(), FUNCTIONS_PER_STACK)),
        pinned(nested.and_then(|n| n.data.as_ref()))
            .unwrap_or_else(|| stack_count(stores, STORES_PER_STACK)),
    )
}

/// The smallest function count and store count at which the automatic
/// shard counts of `spec` double (`None`: pinned, or at [`MAX_STACKS`]):
/// there about half of that tier's entries move to another stack.
pub fn next_doubling(spec: &Spec) -> (Option<usize>, Option<usize>) {
    let (functions, data) = shard_counts(spec);
    let nested = spec.nested_stacks.as_ref();
    let at = |pinned: bool, count: u32, per_stack: usize| {
        (!pinned && (count as usize) < MAX_STACKS).then(|| count as usize * per_stack + 1)
    };
    (
        at(
            nested.is_some_and(|n| n.functions.is_some()),
            functions,
            FUNCTIONS_PER_STACK,
        ),
        at(
            nested.is_some_and(|n| n.data.is_some()),
            data,
            STORES_PER_STACK,
        ),
    )
}

/// Which stack each plan resource belongs to.
pub fn assign(spec: &Spec, plan: &Plan) -> BTreeMap<String, Stack> {
    let (functions, data) = shard_counts(spec);
    let by_id = plan.by_id();
    let source_of = |id: &str| by_id.get(id).and_then(|r| r.source.clone());
    let function_of = |resource: &Resource| -> Option<String> {
        let function = match &resource.kind {
            Kind::Function(_) => return resource.source.clone(),
            Kind::Integration(i) => &i.function,
            Kind::Permission(p) => &p.function,
            Kind::Schedule(s) => &s.function,
            Kind::EventSourceMapping(e) => &e.function,
            Kind::RotationSchedule(r) => &r.function,
            Kind::RestMethod(m) => &m.function,
            // A topic's subscription of a function is that function's event.
            Kind::Subscription(sub) => sub.endpoint.references().find(|id| {
                matches!(
                    by_id.get(id.as_str()).map(|r| &r.kind),
                    Some(Kind::Function(_))
                )
            })?,
            Kind::Route(route) => {
                let Some(Kind::Integration(i)) = by_id.get(&route.integration).map(|r| &r.kind)
                else {
                    return None;
                };
                &i.function
            }
            // A function's role and log group carry its name as their source.
            Kind::Key(_)
            | Kind::KeyAlias { .. }
            | Kind::LogGroup(_)
            | Kind::Role(_)
            | Kind::Table(_)
            | Kind::Queue(_)
            | Kind::Bucket(_)
            | Kind::Topic(_)
            | Kind::ResourcePolicy(_)
            | Kind::Secret(_)
            | Kind::Api(_)
            | Kind::Authorizer(_)
            | Kind::Stage(_)
            | Kind::Alarm(_)
            | Kind::RestApi(_)
            | Kind::RestResource(_)
            | Kind::RestPreflight(_)
            | Kind::RestGatewayResponse(_)
            | Kind::RestAuthorizer(_)
            | Kind::RestDeployment(_)
            | Kind::RestStage(_)
            | Kind::WebAcl(_)
            | Kind::WebAclAssociation(_)
            | Kind::WebAclLogging(_)
            | Kind::UsagePlan(_)
            | Kind::ApiKey(_)
            | Kind::UsagePlanKey(_) => {
                return resource
                    .source
                    .clone()
                    .filter(|s| spec.functions.contains_key(s.as_str()));
            }
        };
        source_of(function)
    };
    // A bucket that notifies functions is created after them (S3 checks the
    // invoke permission), while the functions' stacks are created after the
    // data stacks they read: in a data stack it would close a cycle, so it
    // stays in the root, which may wait for any child.
    let notifying: BTreeSet<&str> = plan
        .resources
        .iter()
        .filter(|r| matches!(&r.kind, Kind::Bucket(b) if !b.notifications.is_empty()))
        .filter_map(|r| r.source.as_deref())
        .collect();
    let direct = |resource: &Resource| -> Stack {
        // Palisade's own functions (the REST API's JWT authorizer) are the
        // API's, in the root with it: its authorizer and their permission
        // refer to each other.
        if let Some(name) =
            function_of(resource).filter(|name| spec.functions.contains_key(name.as_str()))
        {
            // By the name the logical IDs come from: `renamed_from:` moves nothing.
            let name = spec.stable_name(&name);
            return Stack::Functions((fnv1a(name) % u64::from(functions)) as u32);
        }
        match resource.source.as_deref() {
            Some(name) if notifying.contains(name) => Stack::Root,
            Some(name)
                if spec.tables.contains_key(name)
                    || spec.queues.contains_key(name)
                    || spec.buckets.contains_key(name)
                    || spec.topics.contains_key(name)
                    || spec.secrets.contains_key(name) =>
            {
                Stack::Data((fnv1a(spec.stable_name(name)) % u64::from(data)) as u32)
            }
            _ => Stack::Root,
        }
    };
    plan.resources
        .iter()
        .map(|resource| {
            // Resources without a spec name of their own (a queue's policy,
            // an alarm on a function) go with what they are about.
            let about: Option<&str> = match &resource.kind {
                Kind::ResourcePolicy(policy) => Some(&policy.target),
                Kind::Alarm(alarm) => alarm
                    .dimensions
                    .iter()
                    .flat_map(|(_, expr)| expr.references())
                    .next()
                    .map(String::as_str),
                Kind::Key(_)
                | Kind::KeyAlias { .. }
                | Kind::LogGroup(_)
                | Kind::Role(_)
                | Kind::Function(_)
                | Kind::Table(_)
                | Kind::Queue(_)
                | Kind::Bucket(_)
                | Kind::Topic(_)
                | Kind::Subscription(_)
                | Kind::Secret(_)
                | Kind::RotationSchedule(_)
                | Kind::Api(_)
                | Kind::Authorizer(_)
                | Kind::Integration(_)
                | Kind::Route(_)
                | Kind::Stage(_)
                | Kind::Permission(_)
                | Kind::Schedule(_)
                | Kind::EventSourceMapping(_)
                | Kind::RestApi(_)
                | Kind::RestResource(_)
                | Kind::RestPreflight(_)
                | Kind::RestGatewayResponse(_)
                | Kind::RestMethod(_)
                | Kind::RestAuthorizer(_)
                | Kind::RestDeployment(_)
                | Kind::RestStage(_)
                | Kind::WebAcl(_)
                | Kind::WebAclAssociation(_)
                | Kind::WebAclLogging(_)
                | Kind::UsagePlan(_)
                | Kind::ApiKey(_)
                | Kind::UsagePlanKey(_) => None,
            };
            let stack = match direct(resource) {
                Stack::Root => about
                    .and_then(|id| by_id.get(id))
                    .map_or(Stack::Root, &direct),
                stack => stack,
            };
            (resource.id.clone(), stack)
        })
        .collect()
}

/// Whether the spec asks for nested stacks whatever the size.
pub fn pinned(spec: &Spec) -> bool {
    spec.nested_stacks.is_some()
}

/// Whether a single template must be split: too many resources, or too
/// much text (`text` is its rendering; `None` when not rendered).
pub fn needed(template: &Value, text: Option<&str>) -> bool {
    let resources = template["Resources"].as_object().map_or(0, Map::len);
    resources > MAX_RESOURCES || text.is_some_and(|t| t.len() > MAX_BYTES)
}

/// What a template needs from outside itself: `(id, attribute)` with `None`
/// for a `Ref`.
type Need = (String, Option<String>);

/// A child before rendering: its resources, what it needs from outside,
/// and the outside ids its resources depend on.
type Pending = (Map<String, Value>, BTreeSet<Need>, BTreeSet<String>);

/// A child's template before its text: with its needs, its dependencies
/// and its counts of resources, parameters and outputs.
type Built = (Stack, Value, BTreeSet<Need>, BTreeSet<String>, [usize; 3]);

/// The parameter (in a child) or output (of a child) name for a need:
/// `Ref X` keeps `X`, so `Ref` and `${X}` need no rewriting; `X.Arn` is `XArn`.
fn need_name((id, attr): &Need) -> String {
    match attr {
        None => id.clone(),
        Some(attr) => format!(
            "{id}{}",
            attr.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        ),
    }
}

/// Rewrites the references of `value` to ids `outside` answers for: it
/// returns the replacement for a `Ref`/`GetAtt` (as a value) and for a
/// `${...}` of `Fn::Sub` (as text), and records what it saw.
struct Rewriter<'a> {
    /// Is this id outside the template being rewritten (and not a pseudo parameter)?
    outside: &'a dyn Fn(&str) -> bool,
    /// The value standing for an outside need.
    value: &'a dyn Fn(&Need) -> Value,
    /// The `Fn::Sub` text standing for an outside need (without `${}`).
    sub: &'a dyn Fn(&Need) -> String,
    needs: BTreeSet<Need>,
}

impl Rewriter<'_> {
    fn walk(&mut self, value: &mut Value) {
        match value {
            Value::Object(map) if map.len() == 1 => {
                let (key, inner) = map.iter_mut().next().expect("one entry");
                match (key.as_str(), inner) {
                    ("Ref", Value::String(id)) => {
                        if (self.outside)(id) {
                            let need = (id.clone(), None);
                            *value = (self.value)(&need);
                            self.needs.insert(need);
                        }
                    }
                    ("Fn::GetAtt", inner) => {
                        let parts: Option<(String, String)> = match inner {
                            Value::Array(a) if a.len() == 2 => {
                                match (a[0].as_str(), a[1].as_str()) {
                                    (Some(id), Some(attr)) => Some((id.into(), attr.into())),
                                    _ => None,
                                }
                            }
                            Value::String(s) => {
                                s.split_once('.').map(|(id, attr)| (id.into(), attr.into()))
                            }
                            _ => None,
                        };
                        if let Some((id, attr)) = parts
                            && (self.outside)(&id)
                        {
                            let need = (id, Some(attr));
                            *value = (self.value)(&need);
                            self.needs.insert(need);
                        }
                    }
                    ("Fn::Sub", Value::String(text)) => {
                        *text = self.sub_text(text, &BTreeSet::new());
                    }
                    ("Fn::Sub", Value::Array(parts)) if parts.len() == 2 => {
                        let bound: BTreeSet<String> = parts[1]
                            .as_object()
                            .map(|vars| vars.keys().cloned().collect())
                            .unwrap_or_default();
                        self.walk(&mut parts[1]);
                        if let Value::String(text) = &mut parts[0] {
                            *text = self.sub_text(text, &bound);
                        }
                    }
                    (_, inner) => self.walk(inner),
                }
            }
            Value::Object(map) => map.values_mut().for_each(|v| self.walk(v)),
            Value::Array(items) => items.iter_mut().for_each(|v| self.walk(v)),
            _ => {}
        }
    }

    /// `Fn::Sub` text with its outside `${X}`/`${X.Attr}` rewritten;
    /// `${!literal}` is left alone.
    fn sub_text(&mut self, text: &str, bound: &BTreeSet<String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let token = &after[..end];
            let need = match token.split_once('.') {
                Some((id, attr)) => (id.to_string(), Some(attr.to_string())),
                None => (token.to_string(), None),
            };
            if !token.starts_with('!') && !bound.contains(&need.0) && (self.outside)(&need.0) {
                out.push_str("${");
                out.push_str(&(self.sub)(&need));
                out.push('}');
                self.needs.insert(need);
            } else {
                out.push_str(&rest[start..start + 2 + end + 1]);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// The ids a value refers to (`Ref`, `Fn::GetAtt`, `${}` of `Fn::Sub`).
fn references(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, found: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) if map.len() == 1 => {
                let (key, inner) = map.iter().next().expect("one entry");
                match (key.as_str(), inner) {
                    ("Ref", Value::String(id)) if !id.starts_with("AWS::") => {
                        found.insert(id.clone());
                    }
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        if let Some(id) = parts.first().and_then(Value::as_str) {
                            found.insert(id.to_string());
                        }
                    }
                    ("Fn::GetAtt", Value::String(dotted)) => {
                        found.insert(dotted.split('.').next().unwrap_or_default().to_string());
                    }
                    ("Fn::Sub", Value::String(text)) => sub_ids(text, found),
                    ("Fn::Sub", Value::Array(parts)) => {
                        if let Some(text) = parts.first().and_then(Value::as_str) {
                            sub_ids(text, found);
                        }
                        parts.iter().skip(1).for_each(|v| walk(v, found));
                    }
                    (_, inner) => walk(inner, found),
                }
            }
            Value::Object(map) => map.values().for_each(|v| walk(v, found)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    fn sub_ids(text: &str, found: &mut BTreeSet<String>) {
        for (token, _) in text.split("${").skip(1).filter_map(|t| t.split_once('}')) {
            let id = token.split('.').next().unwrap_or_default();
            if !id.starts_with('!') && !id.starts_with("AWS::") {
                found.insert(id.to_string());
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(value, &mut found);
    found
}

/// Splits the final single template into a root and children. `render`
/// gives a template's text (YAML or JSON, as the build writes it) and `ext`
/// its file extension. A layout CloudFormation would refuse (a child or the
/// root over the limits, a dependency cycle between stacks) is an `E069`
/// error at the resource that causes it.
pub fn split(
    spec: &Spec,
    plan: &Plan,
    template: Value,
    render: &(dyn Fn(&Value) -> String + Sync),
    ext: &str,
) -> Result<Layout, Diagnostic> {
    let assigned = assign(spec, plan);
    let stack_of = |id: &str| assigned.get(id).copied();
    // The template's parts move into the stacks: a large template is too
    // large to copy on the build's path.
    let mut template = match template {
        Value::Object(template) => template,
        _ => Map::new(),
    };
    let resources = match template.remove("Resources") {
        Some(Value::Object(resources)) => resources,
        _ => Map::new(),
    };
    let mut members: BTreeMap<Stack, Map<String, Value>> = BTreeMap::new();
    for (id, resource) in resources {
        // A resource the plan does not know (none today) stays in the root.
        let stack = stack_of(&id).unwrap_or(Stack::Root);
        members.entry(stack).or_default().insert(id, resource);
    }
    let root_parameters = match template.remove("Parameters") {
        Some(Value::Object(parameters)) => parameters,
        _ => Map::new(),
    };
    let mut root_resources = members.remove(&Stack::Root).unwrap_or_default();
    let service = &spec.service.value;
    let loc_of = |id: &str| {
        plan.by_id()
            .get(id)
            .map_or(spec.service.loc, |resource| resource.loc)
    };

    // Children in dependency order is not needed: CloudFormation orders the
    // stacks by the references between them. Each child's needs become its
    // parameters; what others need from it becomes its outputs.
    let mut child_templates: BTreeMap<Stack, Pending> = BTreeMap::new();
    for (stack, mut resources) in members {
        let ids: BTreeSet<String> = resources.keys().cloned().collect();
        let outside = |id: &str| !ids.contains(id) && !id.starts_with("AWS::");
        let mut rewriter = Rewriter {
            outside: &outside,
            value: &|need: &Need| json!({ "Ref": need_name(need) }),
            sub: &need_name,
            needs: BTreeSet::new(),
        };
        // Dependencies on other stacks' resources become dependencies of
        // the child stack itself.
        let mut depends = BTreeSet::new();
        for resource in resources.values_mut() {
            if let Some(Value::Object(properties)) = resource.get_mut("Properties") {
                for value in properties.values_mut() {
                    rewriter.walk(value);
                }
            }
            rewriter.walk_other(resource);
            if let Some(object) = resource.as_object_mut() {
                let outside_deps = take_outside_depends_on(object, &ids);
                depends.extend(outside_deps);
            }
        }
        child_templates.insert(stack, (resources, rewriter.needs, depends));
    }

    // Outputs each child must give: what the root and the other children need from it.
    let mut outputs: BTreeMap<Stack, BTreeSet<Need>> = BTreeMap::new();
    for (_, needs, _) in child_templates.values() {
        for need in needs {
            if let Some(stack @ (Stack::Functions(_) | Stack::Data(_))) = stack_of(&need.0) {
                outputs.entry(stack).or_default().insert(need.clone());
            }
        }
    }
    let in_child = |id: &str| matches!(stack_of(id), Some(Stack::Functions(_) | Stack::Data(_)));
    let from_child = |need: &Need| {
        let stack = stack_of(&need.0).expect("a child's resource");
        json!({ "Fn::GetAtt": [stack.logical_id(), format!("Outputs.{}", need_name(need))] })
    };
    let sub_from_child = |need: &Need| {
        let stack = stack_of(&need.0).expect("a child's resource");
        format!("{}.Outputs.{}", stack.logical_id(), need_name(need))
    };
    // The service's outputs about one child's resources (a table's name) are
    // that child's outputs: the root keeps its own, under the 200 a
    // template may have.
    // Everything but the resources and parameters (taken above).
    let mut root_template = Value::Object(template);
    let mut moved_outputs: BTreeMap<Stack, Map<String, Value>> = BTreeMap::new();
    if let Some(Value::Object(template_outputs)) = root_template.get_mut("Outputs") {
        let mut kept = Map::new();
        for (name, output) in std::mem::take(template_outputs) {
            let stacks: BTreeSet<Stack> = references(&output)
                .iter()
                .filter_map(|id| stack_of(id))
                .collect();
            match stacks.iter().next() {
                Some(&stack) if stacks.len() == 1 && stack != Stack::Root => {
                    moved_outputs.entry(stack).or_default().insert(name, output);
                }
                _ => {
                    kept.insert(name, output);
                }
            }
        }
        *template_outputs = kept;
    }
    if root_template["Outputs"]
        .as_object()
        .is_some_and(Map::is_empty)
    {
        root_template.as_object_mut().map(|t| t.remove("Outputs"));
    }
    // The root: its own resources, with references to children read from their outputs.
    let mut root_needs = BTreeSet::new();
    {
        let mut rewriter = Rewriter {
            outside: &in_child,
            value: &from_child,
            sub: &sub_from_child,
            needs: BTreeSet::new(),
        };
        for resource in root_resources.values_mut() {
            rewriter.walk(resource);
            if let Some(object) = resource.as_object_mut() {
                point_depends_on_at_stacks(object, &assigned);
            }
        }
        if let Some(template_outputs) = root_template.get_mut("Outputs") {
            rewriter.walk(template_outputs);
        }
        root_needs.extend(rewriter.needs);
    }
    for need in root_needs {
        if let Some(stack) = stack_of(&need.0).filter(|s| *s != Stack::Root) {
            outputs.entry(stack).or_default().insert(need);
        }
    }

    // Render the children (their text decides their keys), then the root's
    // stack resources that point at them.
    let mut children = Vec::new();
    let mut root_parameters = root_parameters;
    if !root_parameters.contains_key(crate::plan::build::ARTIFACT_BUCKET) {
        root_parameters.insert(
            crate::plan::build::ARTIFACT_BUCKET.into(),
            json!({ "Type": "String", "Description": "The S3 bucket the child templates are uploaded to", "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$" }),
        );
    }
    // Each child's template first, then their texts on two cores (the
    // largest rendering of a large build), then the root's stack resources.
    let mut built = Vec::new();
    for (stack, (resources, needs, depends)) in child_templates {
        let count = resources.len();
        let mut child = Map::new();
        child.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        child.insert(
            "Description".into(),
            json!(format!(
                "{service} {}: a nested stack of {service} (generated by palisade from palisade.yaml; do not edit)",
                stack.name()
            )),
        );
        let mut parameters = Map::new();
        for need in &needs {
            let name = need_name(need);
            if resources.contains_key(&name) {
                return Err(clash(spec, &name));
            }
            parameters.insert(name, json!({ "Type": "String" }));
        }
        if !parameters.is_empty() {
            child.insert("Parameters".into(), Value::Object(parameters));
        }
        child.insert("Resources".into(), Value::Object(resources));
        let mut values = moved_outputs.remove(&stack).unwrap_or_default();
        for need in outputs.get(&stack).into_iter().flatten() {
            let value = match &need.1 {
                None => json!({ "Ref": need.0 }),
                Some(attr) => json!({ "Fn::GetAtt": [need.0, attr] }),
            };
            let name = need_name(need);
            match values.get(&name) {
                Some(existing) if existing["Value"] != value => return Err(clash(spec, &name)),
                Some(_) => {}
                None => {
                    values.insert(name, json!({ "Value": value }));
                }
            }
        }
        let (parameter_count, output_count) = (needs.len(), values.len());
        if !values.is_empty() {
            child.insert("Outputs".into(), Value::Object(values));
        }
        let child = Value::Object(child);
        built.push((
            stack,
            child,
            needs,
            depends,
            [count, parameter_count, output_count],
        ));
    }
    let texts: Vec<String> = {
        let work = |part: &[Built]| {
            part.iter()
                .map(|built| render(&built.1))
                .collect::<Vec<_>>()
        };
        crate::process::in_two_halves(&built, built.len() / 2, work)
    };
    for ((stack, child, needs, depends, counts), text) in built.into_iter().zip(texts) {
        let [count, parameter_count, output_count] = counts;
        if count > MAX_RESOURCES
            || text.len() > MAX_BYTES
            || parameter_count > MAX_PARAMETERS
            || output_count > MAX_OUTPUTS
        {
            let first = child["Resources"]
                .as_object()
                .and_then(|r| r.keys().next().cloned())
                .unwrap_or_default();
            return Err(Diagnostic::error(
                Code::StackLayout,
                loc_of(&first),
                format!(
                    "nested stack {} would hold {count} resources, {parameter_count} parameters and {output_count} outputs in {} bytes; the limits are {MAX_RESOURCES} resources, {MAX_PARAMETERS} parameters, {MAX_OUTPUTS} outputs and {MAX_BYTES} bytes",
                    stack.name(),
                    text.len()
                ),
            )
            .with_suggestion("split the service into several specs; one function with very many events fills a stack on its own"));
        }
        let digest = Sha256::digest(text.as_bytes());
        let short: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let key = format!("{service}/stacks/{}-{short}.{ext}", stack.name());
        // The stack resource: parameters from the root's resources and
        // parameters, or from the other children's outputs.
        let mut stack_parameters = Map::new();
        for need in &needs {
            let value = match stack_of(&need.0) {
                Some(Stack::Root) | None => match &need.1 {
                    None => json!({ "Ref": need.0 }),
                    Some(attr) => json!({ "Fn::GetAtt": [need.0, attr] }),
                },
                Some(_) => from_child(need),
            };
            stack_parameters.insert(need_name(need), value);
        }
        let mut properties = Map::new();
        properties.insert(
            "TemplateURL".into(),
            json!({ "Fn::Sub": format!("https://${{{}}}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}/{key}", crate::plan::build::ARTIFACT_BUCKET) }),
        );
        if !stack_parameters.is_empty() {
            properties.insert("Parameters".into(), Value::Object(stack_parameters));
        }
        let mut resource = Map::new();
        resource.insert("Type".into(), json!("AWS::CloudFormation::Stack"));
        resource.insert("Properties".into(), Value::Object(properties));
        // DependsOn on what the parameters do not already reference (a
        // repeated dependency is a cfn-lint warning).
        let referenced: BTreeSet<String> = needs
            .iter()
            .map(|need| match stack_of(&need.0) {
                Some(Stack::Root) | None => need.0.clone(),
                Some(other) => other.logical_id(),
            })
            .collect();
        let depends: BTreeSet<String> = depends
            .iter()
            .map(|id| match stack_of(id) {
                Some(Stack::Root) | None => id.clone(),
                Some(other) => other.logical_id(),
            })
            .filter(|id| !referenced.contains(id) && *id != stack.logical_id())
            .collect();
        if !depends.is_empty() {
            resource.insert("DependsOn".into(), json!(depends));
        }
        let logical_id = stack.logical_id();
        if root_resources.contains_key(&logical_id) {
            return Err(clash(spec, &logical_id));
        }
        root_resources.insert(logical_id, Value::Object(resource));
        children.push(Child {
            stack,
            key,
            template: child,
            text,
        });
    }
    for resource in root_resources.values_mut() {
        if let Some(object) = resource.as_object_mut() {
            drop_referenced_depends_on(object);
        }
    }
    if let Some(cycle) = find_cycle(&root_resources) {
        let resource = cycle
            .iter()
            .find(|id| plan.by_id().get(id.as_str()).is_some())
            .cloned()
            .unwrap_or_default();
        return Err(Diagnostic::error(
            Code::StackLayout,
            loc_of(&resource),
            format!(
                "the nested stacks would depend on each other in a cycle ({}); CloudFormation cannot deploy that",
                cycle.join(" → ")
            ),
        )
        .with_suggestion("keep this service under 450 resources, or split it into several specs; bucket notifications to functions are the usual cause"));
    }
    let root_object = root_template
        .as_object_mut()
        .expect("a template is a mapping");
    root_object.insert("Parameters".into(), Value::Object(root_parameters));
    root_object.insert("Resources".into(), Value::Object(root_resources));
    // Keep the usual key order: parameters before resources before outputs.
    let order = [
        "AWSTemplateFormatVersion",
        "Description",
        "Parameters",
        "Resources",
        "Outputs",
    ];
    let mut ordered = Map::new();
    for key in order {
        if let Some(value) = root_object.remove(key) {
            ordered.insert(key.into(), value);
        }
    }
    ordered.extend(std::mem::take(root_object));
    let root = Value::Object(ordered);
    let root_text = render(&root);
    let root_count = root["Resources"].as_object().map_or(0, Map::len);
    let root_outputs = root["Outputs"].as_object().map_or(0, Map::len);
    if root_count > MAX_RESOURCES || root_text.len() > MAX_BYTES || root_outputs > MAX_OUTPUTS {
        return Err(Diagnostic::error(
            Code::StackLayout,
            spec.service.loc,
            format!(
                "the root stack would hold {root_count} resources and {root_outputs} outputs in {} bytes; the limits are {MAX_RESOURCES} resources, {MAX_OUTPUTS} outputs and {MAX_BYTES} bytes",
                root_text.len()
            ),
        )
        .with_suggestion("split the service into several specs"));
    }
    Ok(Layout {
        root,
        root_text,
        children,
    })
}

/// A name Palisade would write twice (a parameter or stack ID equal to a
/// resource's logical ID).
fn clash(spec: &Spec, name: &str) -> Diagnostic {
    Diagnostic::error(
        Code::StackLayout,
        spec.service.loc,
        format!("the nested layout needs the name {name} twice"),
    )
    .with_suggestion("rename the spec entry whose logical ID is that name")
}

impl Rewriter<'_> {
    /// Walks a resource's parts other than `Properties` (already walked)
    /// and `DependsOn` (handled apart): `Metadata` holds no references, but
    /// an override might have added one anywhere else.
    fn walk_other(&mut self, resource: &mut Value) {
        if let Some(object) = resource.as_object_mut() {
            for (key, value) in object.iter_mut() {
                if key != "Properties" && key != "DependsOn" && key != "Metadata" && key != "Type" {
                    self.walk(value);
                }
            }
        }
    }
}

/// Removes from `DependsOn` the ids not in `ids` and returns them.
fn take_outside_depends_on(
    resource: &mut Map<String, Value>,
    ids: &BTreeSet<String>,
) -> Vec<String> {
    let Some(depends) = resource.get_mut("DependsOn") else {
        return Vec::new();
    };
    let list: Vec<String> = match depends {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => return Vec::new(),
    };
    let (inside, outside): (Vec<String>, Vec<String>) =
        list.into_iter().partition(|id| ids.contains(id));
    if inside.is_empty() {
        resource.remove("DependsOn");
    } else {
        *depends = json!(inside);
    }
    outside
}

/// Points a root resource's `DependsOn` on child resources at their stacks
/// (deduplicated).
pub fn point_depends_on_at_stacks(
    resource: &mut Map<String, Value>,
    assigned: &BTreeMap<String, Stack>,
) {
    let moved = |id: &str| {
        assigned
            .get(id)
            .filter(|s| **s != Stack::Root)
            .map(|s| s.logical_id())
    };
    let Some(depends) = resource.get_mut("DependsOn") else {
        return;
    };
    let list: Vec<String> = match depends {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => return,
    };
    let mut seen = BTreeSet::new();
    let rewritten: Vec<String> = list
        .into_iter()
        .map(|id| moved(&id).unwrap_or(id))
        .filter(|id| seen.insert(id.clone()))
        .collect();
    *depends = json!(rewritten);
}

/// Drops `DependsOn` entries the resource already references: after
/// rewriting, a dependency on a child may also be a `GetAtt` of it.
fn drop_referenced_depends_on(resource: &mut Map<String, Value>) {
    let Some(Value::Array(items)) = resource.get("DependsOn") else {
        return;
    };
    let mut referenced = BTreeSet::new();
    for (key, value) in resource.iter() {
        if key != "DependsOn" {
            referenced.extend(references(value));
        }
    }
    let kept: Vec<Value> = items
        .iter()
        .filter(|v| v.as_str().is_none_or(|id| !referenced.contains(id)))
        .cloned()
        .collect();
    if kept.is_empty() {
        resource.remove("DependsOn");
    } else {
        resource.insert("DependsOn".into(), Value::Array(kept));
    }
}

/// A dependency cycle among the root's resources (stacks included), as the
/// ids along it.
fn find_cycle(resources: &Map<String, Value>) -> Option<Vec<String>> {
    let edges: BTreeMap<&str, Vec<String>> = resources
        .iter()
        .map(|(id, resource)| {
            let mut deps: BTreeSet<String> = references(resource);
            if let Some(depends) = resource.get("DependsOn") {
                match depends {
                    Value::String(s) => {
                        deps.insert(s.clone());
                    }
                    Value::Array(items) => {
                        deps.extend(items.iter().filter_map(|v| v.as_str().map(String::from)));
                    }
                    _ => {}
                }
            }
            deps.retain(|d| resources.contains_key(d));
            (id.as_str(), deps.into_iter().collect())
        })
        .collect();
    // Iterative depth-first search, colouring nodes (0 new, 1 on the path, 2 done).
    let mut colour: BTreeMap<&str, u8> = BTreeMap::new();
    for start in edges.keys() {
        if colour.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some((node, next)) = path.last_mut() {
            let deps = &edges[*node];
            if *next < deps.len() {
                let dep = deps[*next].as_str();
                *next += 1;
                match colour.get(dep).copied().unwrap_or(0) {
                    0 => {
                        colour.insert(dep, 1);
                        path.push((dep, 0));
                    }
                    1 => {
                        let at = path.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            path[at..].iter().map(|(n, _)| n.to_string()).collect();
                        cycle.push(dep.to_string());
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                colour.insert(node, 2);
                path.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_powers_of_two_with_headroom() {
        assert_eq!(stack_count(0, 16), 1);
        assert_eq!(stack_count(16, 16), 1);
        assert_eq!(stack_count(17, 16), 2);
        assert_eq!(stack_count(1000, 16), 64);
        assert_eq!(stack_count(1024, 16), 64);
        assert_eq!(stack_count(1025, 16), 128);
    }

    #[test]
    fn fnv_is_the_published_function() {
        // Test vectors of FNV-1a 64.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn sub_references_outside_are_rewritten() {
        let outside = |id: &str| id == "Table";
        let mut rewriter = Rewriter {
            outside: &outside,
            value: &|need: &Need| json!({ "Ref": need_name(need) }),
            sub: &need_name,
            needs: BTreeSet::new(),
        };
        let mut value = json!({ "Fn::Sub": "${Table.Arn}/index/*${!Literal}${Own}" });
        rewriter.walk(&mut value);
        assert_eq!(
            value,
            json!({ "Fn::Sub": "${TableArn}/index/*${!Literal}${Own}" })
        );
        let mut value = json!({ "Fn::GetAtt": ["Table", "StreamArn"] });
        rewriter.walk(&mut value);
        assert_eq!(value, json!({ "Ref": "TableStreamArn" }));
    }

    #[test]
    fn cycles_are_found() {
        let resources = json!({
            "A": { "Properties": { "X": { "Ref": "B" } } },
            "B": { "DependsOn": ["A"] },
            "C": { "Properties": { "X": { "Fn::GetAtt": ["A", "Arn"] } } }
        });
        let cycle = find_cycle(resources.as_object().unwrap()).unwrap();
        assert_eq!(cycle.first(), cycle.last());
        let acyclic = json!({ "A": {}, "B": { "DependsOn": "A" } });
        assert!(find_cycle(acyclic.as_object().unwrap()).is_none());
    }
}
