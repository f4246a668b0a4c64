//! Spec text is data, never code. Every free-text field of a spec is filled
//! with arbitrary Unicode (heavy in `${`, `%{`, `$${`, quotes, backslashes,
//! `!Ref` and YAML's special words) and built (line breaks, other control
//! and bidi characters and non-NFC text are refused by validation, E067, so
//! the generators leave them out and a test checks they are refused); the output is
//! compared with a build of the same spec whose texts are plain placeholders:
//! - both CloudFormation formats parse (JSON; YAML) to the same template;
//! - every `Fn::Sub` string, read as CloudFormation reads it, has exactly the
//!   placeholder build's variables: no spec `${` is live;
//! - every Terraform file parses (hcl-rs) and, read as Terraform reads it, has
//!   exactly the placeholder build's interpolations and no `%{` directive,
//!   and the same comments (a comment cannot be broken out of);
//! - with each placeholder replaced by its text, the placeholder build's
//!   values equal the real build's: each text round-trips exactly, wherever
//!   it lands.

use std::collections::BTreeMap;

use palisade::cli::build::{Outputs, Targets, TemplateFormat, compile_loaded};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// The free-text slots of the test spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Description,
    TagKey,
    TagValue,
    Audience,
    Scope,
    PublicReason,
    WaiverReason,
    FunctionDescription,
    Environment,
    SecretDescription,
    Origin,
}

use Slot::*;

/// The spec, with `{N}` where slot N's text goes (as a YAML double-quoted
/// scalar). `PATH` is a route path (validation allows few characters there,
/// and the path names resources, so it is the same in both builds).
const SPEC: &str = r#"service: inj
description: {0}
runtime: python3.12
region: us-east-1
tags: { {1}: {2} }
alerts: { email: oncall@example.com }
api:
  auth: { jwt: { issuer: "https://auth.example.com/", audience: [{3}, {4}] } }
  cors: { origins: [{16}] }
  routes:
    "GET PATH": { function: fn-a, scopes: [{5}, {6}] }
    "POST /hook": { function: fn-a, public: {7} }
functions:
  fn-a:
    handler: src/a.handler
    description: {8}
    environment: { VAR_A: {9}, VAR_B: {10} }
    access: { tbl: read, sec: read, bkt: [read, write] }
    waive: { PAL-FN-004: {11}, PAL-FN-002: {12} }
tables:
  tbl:
    partition_key: { name: id, type: string }
    waive: { PAL-DATA-002: {13} }
buckets:
  bkt: { waive: { PAL-DATA-004: {14} } }
secrets:
  sec: { description: {15}, waive: { PAL-DATA-010: "set by hand" } }
"#;

const SLOTS: [Slot; 17] = [
    Description,
    TagKey,
    TagValue,
    Audience,
    Audience,
    Scope,
    Scope,
    PublicReason,
    FunctionDescription,
    Environment,
    Environment,
    WaiverReason,
    WaiverReason,
    WaiverReason,
    WaiverReason,
    SecretDescription,
    Origin,
];

fn placeholder(i: usize) -> String {
    if SLOTS[i] == Origin {
        format!("https://zqxph{i}qxz.example")
    } else {
        format!("zqxPH{i}QXZ")
    }
}

/// A YAML double-quoted scalar that reads back as exactly `text`: anything
/// but printable ASCII is escaped, so no character is YAML's to interpret.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn spec_text(texts: &[String], path: &str) -> String {
    // One pass, so a text that contains `{3}` is never substituted into.
    let mut spec = String::new();
    let mut rest = SPEC;
    while let Some(open) = rest.find('{') {
        spec.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        match after[digits..].strip_prefix('}') {
            Some(tail) if digits > 0 => {
                spec.push_str(&yaml_quoted(
                    &texts[after[..digits].parse::<usize>().unwrap()],
                ));
                rest = tail;
            }
            _ => {
                spec.push('{');
                rest = after;
            }
        }
    }
    spec.push_str(rest);
    spec.replace("PATH", path)
}

/// The build's outputs in both template formats, or `None` when validation
/// rejects the texts.
fn build(texts: &[String], path: &str) -> Option<(Outputs, Outputs)> {
    let spec = spec_text(texts, path);
    let loaded = palisade::spec::load("palisade.yaml", spec.as_bytes(), None).ok()?;
    let packages = Default::default();
    let yaml = compile_loaded(&loaded, &packages, Targets::All, TemplateFormat::Yaml);
    let json = compile_loaded(
        &loaded,
        &packages,
        Targets::CloudFormation,
        TemplateFormat::Json,
    );
    Some((yaml.unwrap(), json.unwrap()))
}

/// Text that stresses every escaping layer: YAML, JSON, CloudFormation
/// `Fn::Sub`, HCL strings, templates and comments.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(vec![
            "${", "${x}", "${AWS::Region}", "${!x}", "%{", "%{ if true }x%{ endif }", "$${", "%%{",
            "$", "%", "{", "}", "\"", "'", "\\", "\\n", "\n", "\r\n", "\t", "!Ref ", "!GetAtt a.b",
            "!Sub ", "yes", "no", "on", "null", "~", "true", "0x1F", "1e3", "2012-10-17", "- ",
            ": ", " #", "#", "&a", "*a", "|", ">", "---", "...", "<<: *a", "\u{0}", "\u{7f}",
            "\u{85}", "\u{2028}", "\u{feff}", "\u{200b}", "é", "e\u{301}", "😀", "\u{10ffff}",
            "<!--", "*/", "${jsonencode(1)}", "${var.region}", "EOT\n", "<<EOT\n", " ",
        ])
        .prop_map(String::from),
        2 => "[a-z ]{1,4}",
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 1..6).prop_map(|pieces| acceptable(&pieces.concat()))
}

/// `text` as validation accepts it anywhere (src/spec/strings.rs): each
/// control, line-separator or bidi character becomes a space, and the
/// result is NFC.
fn acceptable(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.chars()
        .map(|c| {
            if palisade::text::is_forging(c) {
                ' '
            } else {
                c
            }
        })
        .nfc()
        .collect()
}

/// A text validation accepts in `slot`.
fn text_for(slot: Slot) -> BoxedStrategy<String> {
    match slot {
        // One non-empty word.
        Scope => nasty()
            .prop_map(|t| t.split_whitespace().collect::<String>())
            .prop_filter("a scope is a word", |t| !t.is_empty())
            .boxed(),
        Audience | PublicReason | WaiverReason => nasty()
            .prop_filter("not blank", |t| !palisade::text::is_blank(t))
            .boxed(),
        TagKey => nasty()
            .prop_filter("a tag key", |t| {
                !t.is_empty()
                    && t.len() <= 128
                    && t != "service"
                    && !t.to_ascii_lowercase().starts_with("aws:")
            })
            .boxed(),
        Origin => (
            proptest::collection::vec("[a-z0-9][a-z0-9-]{0,8}", 2..4),
            prop::option::of(1u16..),
        )
            .prop_map(|(labels, port)| {
                let port = port.map(|p| format!(":{p}")).unwrap_or_default();
                format!("https://{}{port}", labels.join("."))
            })
            .boxed(),
        _ => nasty().boxed(),
    }
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    SLOTS.iter().map(|&slot| text_for(slot)).collect::<Vec<_>>()
}

/// A route path as validation allows it.
fn route_path() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        3 => "[A-Za-z0-9._~-]{1,8}",
        1 => "[a-z_]{1,6}".prop_map(|name| format!("{{{name}}}")),
    ];
    proptest::collection::vec(segment, 1..4).prop_map(|segments| {
        let mut seen = Vec::new();
        let unique: Vec<String> = segments
            .into_iter()
            .filter(|s| {
                !s.starts_with('{')
                    || !seen.contains(s) && {
                        seen.push(s.clone());
                        true
                    }
            })
            .collect();
        format!("/{}", unique.join("/"))
    })
}

/// A CloudFormation `Fn::Sub` string as CloudFormation reads it: `${!` is a
/// literal `${`; any other `${` starts a variable that runs to `}`.
fn read_sub(text: &str) -> Value {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        literal.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        if let Some(escaped) = after.strip_prefix('!') {
            literal.push_str("${");
            rest = escaped;
            continue;
        }
        let end = after.find('}').expect("an unclosed ${ in Fn::Sub");
        if !literal.is_empty() {
            pieces.push(Value::String(std::mem::take(&mut literal)));
        }
        pieces.push(serde_json::json!({ "var": &after[..end] }));
        rest = &after[end + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Value::String(literal));
    }
    serde_json::json!({ "sub": pieces })
}

/// A template with its `Fn::Sub` strings read into pieces.
fn read_subs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("Fn::Sub", Value::String(text)) => read_sub(text),
                        ("Fn::Sub", Value::Array(items)) if !items.is_empty() => {
                            let mut items = items.clone();
                            items[0] = read_sub(items[0].as_str().unwrap());
                            Value::Array(items.iter().map(read_subs).collect())
                        }
                        _ => read_subs(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(read_subs).collect()),
        other => other.clone(),
    }
}

/// Every `Fn::Sub` variable names a parameter, a resource (or its
/// attribute) or a pseudo parameter of the template.
fn assert_sub_variables_are_known(template: &Value, read: &Value) {
    let known = |name: &str| {
        let id = name.split('.').next().unwrap();
        name.starts_with("AWS::")
            || template["Resources"].get(id).is_some()
            || template["Parameters"].get(id).is_some()
    };
    match read {
        Value::Object(map) => {
            if let Some(var) = map.get("var") {
                let var = var.as_str().unwrap();
                assert!(known(var), "Fn::Sub variable `{var}` is not Palisade's");
            }
            map.values()
                .for_each(|v| assert_sub_variables_are_known(template, v));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| assert_sub_variables_are_known(template, v)),
        _ => {}
    }
}

/// A Terraform file as data: blocks, attributes, and strings read as
/// Terraform reads them (quoted templates split into literal text and
/// interpolations).
fn read_hcl(text: &str) -> Value {
    let body = hcl::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    body_value(&body)
}

fn body_value(body: &hcl::Body) -> Value {
    Value::Array(
        body.iter()
            .map(|structure| match structure {
                hcl::Structure::Attribute(a) => {
                    serde_json::json!({ "attr": a.key.as_str(), "value": expr_value(&a.expr) })
                }
                hcl::Structure::Block(b) => serde_json::json!({
                    "block": b.identifier.as_str(),
                    "labels": b.labels.iter().map(|l| l.as_str().to_string()).collect::<Vec<_>>(),
                    "body": body_value(&b.body),
                }),
            })
            .collect(),
    )
}

fn expr_value(expr: &hcl::Expression) -> Value {
    use hcl::Expression as E;
    match expr {
        E::String(text) => Value::String(text.clone()),
        E::Array(items) => Value::Array(items.iter().map(expr_value).collect()),
        E::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let key = match key {
                        hcl::ObjectKey::Identifier(id) => id.to_string(),
                        hcl::ObjectKey::Expression(E::String(text)) => text.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, expr_value(value))
                })
                .collect::<Map<String, Value>>(),
        ),
        E::TemplateExpr(template) => {
            let template = hcl::Template::from_expr(template).unwrap();
            let mut pieces = Vec::new();
            for element in template.elements() {
                match element {
                    hcl::template::Element::Literal(text) => match pieces.last_mut() {
                        Some(Value::String(previous)) => previous.push_str(text),
                        _ => pieces.push(Value::String(text.clone())),
                    },
                    hcl::template::Element::Interpolation(i) => {
                        pieces.push(serde_json::json!({ "interp": format!("{:?}", i.expr) }))
                    }
                    hcl::template::Element::Directive(d) => {
                        pieces.push(serde_json::json!({ "directive": format!("{d:?}") }))
                    }
                }
            }
            serde_json::json!({ "template": pieces })
        }
        E::FuncCall(call) => serde_json::json!({
            "call": call.name.to_string(),
            "args": call.args.iter().map(expr_value).collect::<Vec<_>>(),
        }),
        other => serde_json::json!({ "expr": format!("{other:?}") }),
    }
}

/// `value` with each placeholder replaced by its text, arrays sorted (a
/// text can change where it sorts, as tag keys do) and adjacent literal
/// pieces joined.
fn substituted(value: &Value, texts: &[String]) -> Value {
    canonical(&replace(value, &|s: &str| {
        let mut s = s.to_string();
        for i in (0..texts.len()).rev() {
            s = s.replace(&placeholder(i), &texts[i]);
        }
        s
    }))
}

fn replace(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| replace(v, f)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (f(k), replace(v, f))).collect())
        }
        other => other.clone(),
    }
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut joined: Vec<Value> = Vec::new();
            for item in items.iter().map(canonical) {
                match (joined.last_mut(), &item) {
                    (Some(Value::String(previous)), Value::String(text)) => previous.push_str(text),
                    _ => joined.push(item),
                }
            }
            joined.sort_by_cached_key(|v| v.to_string());
            Value::Array(joined)
        }
        Value::Object(map) => {
            let sorted: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, canonical(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        other => other.clone(),
    }
}

fn template_value(outputs: &Outputs, name: &str) -> Value {
    let text = std::str::from_utf8(&outputs[name]).unwrap();
    if name.ends_with(".json") {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    } else {
        serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }
}

/// Terraform comments, which the HCL reader drops: the same comment lines,
/// with each placeholder replaced by its text (control characters as
/// spaces). Other lines may differ in number: a long list wraps.
fn assert_same_comments(placeholder_text: &str, real: &str, texts: &[String], file: &str) {
    let comments = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(String::from)
            .collect()
    };
    let expected: Vec<String> = comments(placeholder_text)
        .into_iter()
        .map(|mut line| {
            for i in (0..texts.len()).rev() {
                let shown: String = texts[i]
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                line = line.replace(&placeholder(i), &shown);
            }
            line
        })
        .collect();
    assert_eq!(expected, comments(real), "{file}\n{real}");
}

fn check(texts: &[String], path: &str) -> Result<(), TestCaseError> {
    let Some((real_yaml, real_json)) = build(texts, path) else {
        return Err(TestCaseError::reject("validation rejects a text"));
    };
    let placeholders: Vec<String> = (0..texts.len()).map(placeholder).collect();
    let (base_yaml, base_json) = build(&placeholders, path).expect("placeholders are valid");

    // CloudFormation: both formats are the same template.
    let template = template_value(&real_json, "cloudformation/template.json");
    prop_assert_eq!(
        &template_value(&real_yaml, "cloudformation/template.yaml"),
        &template
    );
    let base = template_value(&base_json, "cloudformation/template.json");
    let read = read_subs(&template);
    assert_sub_variables_are_known(&template, &read);
    prop_assert_eq!(substituted(&read_subs(&base), texts), canonical(&read));
    let route_key = format!("GET {path}");
    prop_assert!(
        template
            .to_string()
            .contains(&serde_json::to_string(&route_key).unwrap())
    );

    // Terraform: the same module, text for placeholder.
    let mut terraform_files = 0;
    for (name, bytes) in &real_yaml {
        if !name.ends_with(".tf") {
            continue;
        }
        terraform_files += 1;
        let real = std::str::from_utf8(bytes).unwrap();
        let base = std::str::from_utf8(&base_yaml[name]).unwrap();
        prop_assert_eq!(
            substituted(&read_hcl(base), texts),
            canonical(&read_hcl(real)),
            "{}",
            name
        );
        assert_same_comments(base, real, texts, name);
    }
    prop_assert!(terraform_files > 3);
    Ok(())
}

/// Each placeholder reaches both stacks, so the comparison covers it; a
/// waiver of a control no scanner checks is only reported.
#[test]
fn every_slot_reaches_both_stacks() {
    let placeholders: Vec<String> = (0..SLOTS.len()).map(placeholder).collect();
    let (yaml, _) = build(&placeholders, "/items/{id}").expect("placeholders are valid");
    let text = |name: &str| String::from_utf8(yaml[name].clone()).unwrap();
    let template = text("cloudformation/template.yaml");
    let report = text("SECURITY.md");
    let terraform: String = yaml
        .iter()
        .filter(|(name, _)| name.ends_with(".tf"))
        .map(|(_, bytes)| String::from_utf8(bytes.clone()).unwrap())
        .collect();
    for (i, p) in placeholders.iter().enumerate() {
        let found = (
            template.contains(p.as_str()),
            terraform.contains(p.as_str()),
        );
        if i == REPORTED_ONLY {
            assert_eq!(found, (false, false));
            assert!(report.contains(p.as_str()));
        } else {
            assert_eq!(found, (true, true), "slot {i} ({:?})", SLOTS[i]);
        }
    }
}

/// The slot of the PAL-FN-002 waiver reason (no scanner check goes with it).
const REPORTED_ONLY: usize = 12;

/// The nastiest texts, by hand, so they are always in the run.
#[test]
fn known_nasty_texts_stay_text() {
    let nasty = [
        "${AWS::AccountId}",
        "%{ for x in [1] }${x}%{ endfor }",
        "$${literal}",
        "a$",
        "{b}",
        "\"; resource \"aws_iam_user\" \"x\" {}\n#",
        "!Ref ServiceKey",
        "yes",
        "line1\nline2\r\n\u{2028}end",
        "back\\slash\\n",
        "${!Literal}",
        "x\n}\nresource \"aws_iam_user\" \"evil\" {\n#",
        "😀 ${💥}",
        "%{",
        "zqx",
        "https://x.example",
    ];
    // With their line breaks, they are refused; without, they stay text.
    for (i, text) in nasty.iter().enumerate() {
        if acceptable(text) != *text {
            let mut texts: Vec<String> = (0..SLOTS.len()).map(placeholder).collect();
            texts[i % SLOTS.len()] = text.to_string();
            let spec = spec_text(&texts, "/");
            let refused = palisade::spec::load("palisade.yaml", spec.as_bytes(), None).is_err();
            assert!(refused, "{text:?} is accepted");
        }
    }
    let texts: Vec<String> = SLOTS
        .iter()
        .enumerate()
        .map(|(i, &slot)| match slot {
            Origin => "https://app.example.com:8443".to_string(),
            Scope => nasty[i].split_whitespace().collect(),
            _ => acceptable(nasty[i % nasty.len()]),
        })
        .collect();
    check(&texts, "/orders/{id}/items").unwrap();
    // Every text that ends in `$` next to a text that starts with `{`.
    let joined: Vec<String> = SLOTS
        .iter()
        .map(|&slot| match slot {
            Origin => "https://app.example.com".to_string(),
            Scope => "$".to_string(),
            _ => "{x}$".to_string(),
        })
        .collect();
    check(&joined, "/").unwrap();
}

proptest! {
    // 64 cases by default (about a minute); PROPTEST_CASES=5000 for a long run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64),
        max_global_rejects: 4096,
        ..ProptestConfig::default()
    })]

    #[test]
    fn spec_texts_never_become_code(texts in texts(), path in route_path()) {
        check(&texts, &path)?;
    }
}

/// The generators must mostly produce texts that validation accepts, and
/// those must be nasty, or the property above proves little.
#[test]
fn generated_texts_are_mostly_accepted_and_nasty() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (texts(), route_path());
    let (mut accepted, mut nasty_texts) = (0, Vec::new());
    let cases = 200;
    for _ in 0..cases {
        let (texts, path) = strategy.new_tree(&mut runner).unwrap().current();
        let spec = spec_text(&texts, &path);
        if palisade::spec::load("palisade.yaml", spec.as_bytes(), None).is_ok() {
            accepted += 1;
            nasty_texts.extend(texts);
        }
    }
    assert!(
        accepted * 10 >= cases * 9,
        "only {accepted} of {cases} accepted"
    );
    let share = |needle: &str| {
        nasty_texts.iter().filter(|t| t.contains(needle)).count() * 100 / nasty_texts.len()
    };
    for needle in ["${", "%{", "\"", "\\", "!Ref"] {
        assert!(
            share(needle) >= 3,
            "{needle:?} in only {}% of accepted texts",
            share(needle)
        );
    }
    let non_ascii = nasty_texts.iter().filter(|t| !t.is_ascii()).count() * 100 / nasty_texts.len();
    assert!(non_ascii >= 10, "{non_ascii}% non-ASCII");
}
