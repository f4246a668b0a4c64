//! `diff` on templates other tools wrote (CDK, the SAM translator, the
//! Serverless Framework, terraform-aws-modules; see tests/diff/foreign/README.md), each mutated in
//! one way: every broadening, data-loss or unanalysable change is flagged
//! with its class, and every benign one (reorder, split, narrow, add a
//! condition, tune) with none.

use std::path::Path;

use palisade::diff::{self, Risk, load::Input};
use serde_json::Value;

const DIR: &str = "tests/diff/foreign";

fn pointer_parts(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn parent<'a>(root: &'a mut Value, parts: &[String]) -> &'a mut Value {
    let mut at = root;
    for part in parts {
        at = match at {
            Value::Array(items) => &mut items[part.parse::<usize>().unwrap()],
            Value::Object(object) => object.get_mut(part).unwrap_or_else(|| panic!("no {part}")),
            other => panic!("cannot descend into {other}"),
        };
    }
    at
}

fn apply(template: &mut Value, operation: &str) {
    let (verb, rest) = operation.trim().split_once(' ').unwrap();
    let (pointer, json) = match rest.split_once(' ') {
        Some((p, j)) => (p, Some(j)),
        None => (rest, None),
    };
    let parts = pointer_parts(pointer);
    let (last, init) = parts.split_last().unwrap();
    let value = || -> Value { serde_json::from_str(json.unwrap()).unwrap() };
    match verb {
        "set" => match parent(template, init) {
            Value::Array(items) => items[last.parse::<usize>().unwrap()] = value(),
            Value::Object(object) => {
                object.insert(last.clone(), value());
            }
            other => panic!("cannot set in {other}"),
        },
        "del" => match parent(template, init) {
            Value::Array(items) => {
                items.remove(last.parse::<usize>().unwrap());
            }
            Value::Object(object) => {
                object.remove(last).unwrap();
            }
            other => panic!("cannot delete in {other}"),
        },
        "add" => match parent(template, &parts) {
            Value::Array(items) => items.push(value()),
            other => panic!("cannot append to {other}"),
        },
        "swap" => match parent(template, &parts) {
            Value::Array(items) => items.reverse(),
            other => panic!("cannot reverse {other}"),
        },
        other => panic!("unknown operation {other}"),
    }
}

fn expected(risk: &str) -> Option<Risk> {
    match risk {
        "broadening" => Some(Risk::Broadening),
        "data-loss" => Some(Risk::DataLoss),
        "unanalysed" => Some(Risk::Unanalysed),
        "benign" => None,
        other => panic!("unknown class {other}"),
    }
}

fn report_for(fixture: &str, operations: &str) -> diff::Report {
    if fixture.starts_with("tf-") {
        let old = diff::terraform::read_dir(&Path::new(DIR).join(fixture)).unwrap();
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("foreign-{fixture}"));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        for entry in std::fs::read_dir(Path::new(DIR).join(fixture)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), scratch.join(entry.file_name())).unwrap();
        }
        for operation in operations.split(" ; ") {
            let rest = operation.trim().strip_prefix("replace ").unwrap();
            let (file, change) = rest.split_once(' ').unwrap();
            let (from, to) = change.split_once("=>").unwrap();
            let path = scratch.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains(from), "{fixture}: `{from}` not found");
            std::fs::write(&path, text.replacen(from, &to.replace("\\n", "\n"), 1)).unwrap();
        }
        let new = diff::terraform::read_dir(&scratch).unwrap();
        return diff::compare(&Input::Terraform(old), &Input::Terraform(new));
    }
    let file = Path::new(DIR).join(format!("{fixture}-orders.json"));
    let old: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut new = old.clone();
    for operation in operations.split(" ; ") {
        apply(&mut new, operation);
    }
    diff::compare(&Input::Template(old), &Input::Template(new))
}

#[test]
fn every_mutation_of_a_foreign_template_gets_its_class() {
    let text = std::fs::read_to_string(Path::new(DIR).join("mutations.txt")).unwrap();
    let mut wrong = Vec::new();
    let mut count = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split(" | ").collect();
        let [fixture, operations, class] = fields[..] else {
            panic!("bad line: {line}");
        };
        count += 1;
        let report = report_for(fixture, operations);
        let risks: std::collections::BTreeSet<Risk> = report
            .changes
            .iter()
            .flat_map(|c| c.risks.iter().copied())
            .collect();
        let ok = match expected(class) {
            Some(risk) => risks.contains(&risk),
            None => risks.is_empty(),
        };
        if !ok {
            wrong.push(format!(
                "{fixture} | {operations}\n  expected {class}, got {risks:?}\n{}",
                diff::render::text(&report, false)
            ));
        }
    }
    assert!(count >= 40, "the corpus shrank");
    assert!(
        wrong.is_empty(),
        "{} of {count} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
