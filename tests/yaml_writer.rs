//! `emit::yaml::to_yaml` writes a template's block layout itself and asks
//! serde-saphyr only for scalars that are not plainly safe: its output must
//! be serde-saphyr's, byte for byte, on every template Palisade writes and
//! on documents no template has yet (any key or string, any nesting).

mod support;

use palisade::cli::build::TemplateFormat;
use palisade::emit::yaml::{saphyr, to_yaml};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn same(value: &Value) {
    let ours = to_yaml(value);
    let theirs = saphyr(value);
    if ours != theirs {
        let line = ours
            .lines()
            .zip(theirs.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "differs at line {}:\n  ours:   {:?}\n  theirs: {:?}",
            line + 1,
            ours.lines().nth(line),
            theirs.lines().nth(line)
        );
    }
}

#[test]
fn every_examples_template_is_written_as_serde_saphyr_writes_it() {
    for spec in support::examples() {
        let outputs = support::cloudformation(&spec, TemplateFormat::Json);
        let template: Value = serde_json::from_str(&support::template_text(&outputs)).unwrap();
        same(&template);
    }
}

#[test]
fn a_nested_services_root_and_children_are_written_as_serde_saphyr_writes_them() {
    let dir = support::scratch("yaml-writer-nested");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/app.py"), "def handler(e, c):\n    return 1\n").unwrap();
    let mut spec = String::from(
        "service: big\nruntime: python3.13\nnested_stacks: { functions: 4, data: 2 }\napi:\n  auth: { jwt: { issuer: \"https://auth.example.com/\", audience: [big] } }\n  routes:\n",
    );
    for i in 0..40 {
        spec.push_str(&format!(
            "    GET /items{i}/{{id}}: {{ function: f{i}, scopes: [items:read] }}\n"
        ));
    }
    spec.push_str("functions:\n");
    for i in 0..40 {
        spec.push_str(&format!(
            "  f{i}:\n    handler: src/app.handler\n    access: {{ t{}: read }}\n",
            i % 5
        ));
    }
    spec.push_str("tables:\n");
    for i in 0..5 {
        spec.push_str(&format!(
            "  t{i}:\n    partition_key: {{ name: id, type: string }}\n"
        ));
    }
    std::fs::write(dir.join("palisade.yaml"), spec).unwrap();
    let outputs = support::cloudformation(&dir.join("palisade.yaml"), TemplateFormat::Json);
    let mut templates = 0;
    for (path, bytes) in &outputs {
        if path.starts_with("cloudformation/") {
            same(&serde_json::from_slice(bytes).unwrap());
            templates += 1;
        }
    }
    assert!(templates > 3, "{:?}", outputs.keys().collect::<Vec<_>>());
}

/// Strings that probe every rule: YAML 1.1 keywords, numbers, dates,
/// indicators at the start, `: ` and ` #` inside, edge whitespace, control
/// characters, quotes, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_./:${}*@-]{0,12}",
        "[ -~]{0,10}",
        "[a-zA-Z0-9 :#'\"\\-\n\t\u{85}\u{2028}é😀]{0,8}",
        prop::sample::select(vec![
            "y",
            "Y",
            "n",
            "NO",
            "On",
            "off",
            "True",
            "null",
            "Null",
            "~",
            "nan",
            "Inf",
            "-inf",
            ".NaN",
            "<<",
            "=",
            "---",
            "...",
            "--- x",
            "2012-10-17",
            "12:30",
            "0x1F",
            "0o17",
            "1_000",
            "1e3",
            "-",
            "?",
            "- a",
            "a:",
            "a: b",
            "a #b",
            "a#b",
            "Fn::Sub",
            "arn:${AWS::Partition}:s3:::b/*",
            "",
            " ",
            "x ",
            " x",
            "@x",
            "`x",
            "%x",
            "!x",
        ])
        .prop_map(str::to_string),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => text().prop_map(Value::String),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
        1 => Just(Value::Object(Map::new())),
        1 => Just(Value::Array(Vec::new())),
    ]
}

fn document() -> impl Strategy<Value = Value> {
    let tree = scalar().prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..5).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 1..5)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    });
    prop::collection::vec((text(), tree), 1..6)
        .prop_map(|entries| Value::Object(entries.into_iter().collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn any_document_is_written_as_serde_saphyr_writes_it(value in document()) {
        same(&value);
    }
}
