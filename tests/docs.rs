//! The documentation describes this repository and stays complete:
//! docs/spec.md names every key of the schema, every diagnostic code and
//! every advisory; docs/diff-json.md every field `diff --format json` writes
//! and its version; and no link in the README or docs leaves the repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every property path in the schema: `functions.<name>.events[].queue`.
fn schema_paths() -> BTreeSet<String> {
    let schema: Value = serde_json::from_str(&read("schemas/palisade.schema.json")).unwrap();
    let definitions = schema["definitions"].clone();
    let mut paths = BTreeSet::new();
    walk(&schema, "", &definitions, &mut paths);
    paths
}

fn walk(node: &Value, path: &str, definitions: &Value, paths: &mut BTreeSet<String>) {
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap();
        return walk(&definitions[name], path, definitions, paths);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for alternative in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(alternative, path, definitions, paths);
        }
    }
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        for (key, value) in properties {
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            paths.insert(child.clone());
            walk(value, &child, definitions, paths);
        }
    }
    if let Some(map) = node.get("additionalProperties").filter(|v| v.is_object()) {
        walk(map, &format!("{path}.<name>"), definitions, paths);
    }
    if let Some(items) = node.get("items").filter(|v| v.is_object()) {
        walk(items, &format!("{path}[]"), definitions, paths);
    }
}

#[test]
fn spec_reference_names_every_key_of_the_schema() {
    let doc = read("docs/spec.md");
    let paths = schema_paths();
    assert!(paths.len() > 80, "the schema walk found too little");
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !doc.contains(&format!("`{p}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/spec.md does not document {missing:?}"
    );
}

#[test]
fn spec_reference_lists_every_diagnostic_code_and_advisory() {
    let doc = read("docs/spec.md");
    let source = read("src/diagnostic.rs");
    let codes: Vec<&str> = source
        .split('"')
        .filter(|s| {
            s.len() == 4 && s.starts_with('E') && s[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    assert!(codes.len() >= 30, "found {codes:?}");
    for code in codes {
        assert!(
            doc.contains(&format!("| {code} |")),
            "docs/spec.md lacks {code}"
        );
    }
    let check = read("src/check/mod.rs");
    for rule in check.split('"').filter(|s| s.starts_with("palisade.")) {
        assert!(
            doc.contains(&format!("`{rule}`")),
            "docs/spec.md lacks {rule}"
        );
    }
}

fn json_paths(value: &Value, path: &str, paths: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                paths.insert(child_path.clone());
                json_paths(child, &child_path, paths);
            }
        }
        Value::Array(items) => {
            for item in items {
                json_paths(item, &format!("{path}[]"), paths);
            }
        }
        _ => {}
    }
}

#[test]
fn diff_json_reference_names_every_field_and_the_version() {
    let doc = read("docs/diff-json.md");
    let version = palisade::diff::render::JSON_VERSION;
    assert!(doc.contains(&format!("version {version}")), "title version");
    assert!(
        doc.contains(&format!("\"version\": {version}")),
        "example version"
    );
    // The snapshot of a real diff with every kind of change.
    let snapshot = read("tests/snapshots/cli_diff__json_renderer_has_the_design_shape.snap");
    let json_text = &snapshot[snapshot.find("\n{").unwrap()..];
    let value: Value = serde_json::from_str(json_text).unwrap();
    let mut paths = BTreeSet::new();
    json_paths(&value, "", &mut paths);
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !doc.contains(&format!("`{p}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/diff-json.md does not document {missing:?}"
    );
}

/// Markdown files a reader of the repository follows.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md"), PathBuf::from("BENCHMARKS.md")];
    for entry in std::fs::read_dir("docs").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files
}

#[test]
fn no_link_leaves_the_repository() {
    let root = std::fs::canonicalize(".").unwrap();
    let mut problems = Vec::new();
    for file in documents() {
        let text = read(file.to_str().unwrap());
        if text.contains("../shared") {
            problems.push(format!("{}: mentions ../shared", file.display()));
        }
        let mut rest = text.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            rest = &rest[end..];
            if target.contains("://") || target.starts_with("mailto:") || target.starts_with('#') {
                continue;
            }
            let path = target.split('#').next().unwrap();
            let resolved = file.parent().unwrap_or(Path::new("")).join(path);
            match std::fs::canonicalize(&resolved) {
                Ok(real) if real.starts_with(&root) => {}
                Ok(_) => problems.push(format!(
                    "{}: {target} is outside the repository",
                    file.display()
                )),
                Err(_) => problems.push(format!("{}: {target} does not exist", file.display())),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
