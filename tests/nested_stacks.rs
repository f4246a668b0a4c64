//! Nested stacks (issue 17): a 1,000-function service is written as a root
//! and children CloudFormation accepts, adding a function moves nothing else
//! between stacks, and `diff` reads the nested layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade::cli::build::{Targets, TemplateFormat, compile};
use palisade::diff::{self, ChangeKind, Risk};
use serde_json::Value;

#[path = "../benches/support/mod.rs"]
mod bench_support;
mod support;

/// Writes the benchmarks' synthetic service of `functions` functions (plus
/// `extra`, appended) to a fresh directory; returns the spec's path.
fn service(name: &str, functions: usize, extra: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("nested-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/app.py"),
        "def handler(event, context):\n    return None\n",
    )
    .unwrap();
    let spec = dir.join("palisade.yaml");
    std::fs::write(&spec, bench_support::spec(functions) + extra).unwrap();
    spec
}

/// The templates a build writes, parsed, by path.
fn templates(spec: &Path) -> BTreeMap<String, (Value, usize)> {
    let outputs = compile(
        spec.to_str().unwrap(),
        Targets::CloudFormation,
        TemplateFormat::Yaml,
    )
    .unwrap();
    outputs
        .into_iter()
        .filter(|(path, _)| path.starts_with("cloudformation/"))
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            let value = palisade::diff::load::parse_template(&text).unwrap();
            (path, (value, text.len()))
        })
        .collect()
}

/// Each resource's stack: `root`, or the child's name (`functions-007`).
fn membership(templates: &BTreeMap<String, (Value, usize)>) -> BTreeMap<String, String> {
    let mut stacks = BTreeMap::new();
    for (path, (template, _)) in templates {
        let stack = match path.strip_prefix("cloudformation/stacks/") {
            Some(file) => file.rsplit_once('-').unwrap().0.to_string(),
            None => "root".to_string(),
        };
        for id in template["Resources"].as_object().unwrap().keys() {
            assert!(
                stacks.insert(id.clone(), stack.clone()).is_none(),
                "{id} twice"
            );
        }
    }
    stacks
}

/// The service with one more function, with its own route and table.
fn with_added_function(functions: usize) -> String {
    // The generator's shape, one more entry of each kind, inserted in place.
    let mut spec = bench_support::spec(functions);
    let n = functions;
    spec = spec.replacen(
        "functions:\n",
        &format!(
            "    GET /items{n}/{{id}}: {{ function: f{n}, scopes: [items:read] }}\nfunctions:\n"
        ),
        1,
    );
    spec = spec.replacen(
        "tables:\n",
        &format!("  f{n}:\n    handler: src/app.handler\n    access: {{ t{n}: [read, write] }}\ntables:\n"),
        1,
    );
    spec.replacen(
        "queues:\n",
        &format!("  t{n}: {{ partition_key: {{ name: id, type: string }} }}\nqueues:\n"),
        1,
    )
}

#[test]
fn a_thousand_functions_deploy_as_nested_stacks_within_the_limits() {
    let spec = service("1000", 1000, "");
    let templates = templates(&spec);
    assert!(templates.contains_key("cloudformation/template.yaml"));
    assert!(
        templates.len() > 2,
        "children written: {:?}",
        templates.keys()
    );
    for (path, (template, bytes)) in &templates {
        let resources = template["Resources"].as_object().unwrap().len();
        assert!(resources <= 450, "{path}: {resources} resources");
        assert!(*bytes <= 800 * 1024, "{path}: {bytes} bytes");
        for section in ["Parameters", "Outputs"] {
            let n = template[section].as_object().map_or(0, |o| o.len());
            assert!(n <= 200, "{path}: {n} {section}");
        }
    }
    // Every child is a stack of the root, at its content-addressed key.
    let root = &templates["cloudformation/template.yaml"].0;
    for path in templates
        .keys()
        .filter(|p| p.starts_with("cloudformation/stacks/"))
    {
        let file = path.rsplit('/').next().unwrap();
        let pointed = root["Resources"].as_object().unwrap().values().any(|r| {
            r["Properties"]["TemplateURL"]["Fn::Sub"]
                .as_str()
                .is_some_and(|url| url.ends_with(&format!("/synthetic/stacks/{file}")))
        });
        assert!(pointed, "{file} is not a stack of the root");
    }
    // The shared resources stay in the root; functions and tables do not.
    let stacks = membership(&templates);
    for shared in [
        "ServiceKey",
        "FunctionsDeadLetterQueue",
        "HttpApi",
        "HttpApiAuthorizer",
    ] {
        assert_eq!(stacks[shared], "root", "{shared}");
    }
    assert!(stacks["F0Function"].starts_with("functions-"));
    assert!(stacks["T0Table"].starts_with("data-"));
    // A function's group stays together.
    for id in ["F0Role", "F0LogGroup", "GetItems0ByIdRoute"] {
        if let Some(stack) = stacks.get(id) {
            assert_eq!(stack, &stacks["F0Function"], "{id}");
        }
    }
}

#[test]
fn adding_a_function_moves_no_resource_and_loses_no_data() {
    let old_spec = service("1000-old", 1000, "");
    let new_spec = service("1000-new", 1000, "");
    std::fs::write(&new_spec, with_added_function(1000)).unwrap();
    let (old, new) = (templates(&old_spec), templates(&new_spec));
    let (before, after) = (membership(&old), membership(&new));
    assert!(after.len() > before.len(), "the function was added");
    let moved: Vec<_> = before
        .iter()
        .filter(|(id, stack)| after.get(*id) != Some(*stack))
        .collect();
    assert!(moved.is_empty(), "moved between stacks: {moved:?}");

    // The spec diff of that change: additions, no replacement, no data loss.
    let (old_input, new_input) = (
        diff::load::read(old_spec.to_str().unwrap()).unwrap(),
        diff::load::read(new_spec.to_str().unwrap()).unwrap(),
    );
    let report = diff::compare(&old_input, &new_input);
    assert!(!report.has_risk(Risk::DataLoss), "{:#?}", report.summary());
    assert!(
        report
            .changes
            .iter()
            .all(|c| c.change != ChangeKind::Replaced && c.change != ChangeKind::Removed),
        "{:?}",
        report
            .changes
            .iter()
            .filter(|c| matches!(c.change, ChangeKind::Replaced | ChangeKind::Removed))
            .map(|c| &c.resource)
            .collect::<Vec<_>>()
    );
}

#[test]
fn diff_reads_a_nested_build_and_flags_layout_moves() {
    let spec = service("diff-dirs", 1000, "");
    let palisade = || support::palisade();
    palisade()
        .args([
            "build",
            spec.to_str().unwrap(),
            "--target",
            "cloudformation",
        ])
        .assert()
        .success();
    let dist = spec
        .parent()
        .unwrap()
        .join("dist/cloudformation/template.yaml");
    // The nested build against the spec it came from: the same service.
    let from_files = diff::load::read(dist.to_str().unwrap()).unwrap();
    let from_spec = diff::load::read(spec.to_str().unwrap()).unwrap();
    let same = diff::compare_on(&from_spec, &from_files, &[diff::Target::CloudFormation]);
    let unexpected: Vec<_> = same
        .changes
        .iter()
        .filter(|c| c.resource_type != "AWS::CloudFormation::Stack")
        // A spec is compiled without its handlers: only the code keys differ.
        .filter(|c| {
            !c.details
                .iter()
                .all(|d| d.starts_with("Properties.Code.S3Key"))
        })
        .map(|c| (&c.resource, c.change, &c.details))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");

    // Against a single template holding the same resources: every resource
    // that moved into a child is a replacement, the stateful ones data loss.
    let mut single = match &from_spec {
        diff::load::Input::Spec(compiled) => compiled.cloudformation.clone(),
        _ => unreachable!(),
    };
    single
        .as_object_mut()
        .unwrap()
        .remove(diff::nested::MEMBERSHIP);
    let report = diff::compare_cloudformation(&single, from_files.cloudformation().unwrap());
    let mut report = report;
    diff::nested::mark_moves(&mut report, &single, from_files.cloudformation().unwrap());
    let table = report
        .changes
        .iter()
        .find(|c| c.resource == "T0Table")
        .expect("the table moved");
    assert_eq!(table.change, ChangeKind::Replaced);
    assert!(table.risks.contains(&Risk::DataLoss));
    assert!(
        !report.changes.iter().any(|c| c.resource == "ServiceKey"),
        "the key stays in the root"
    );
}

#[test]
fn small_services_keep_one_template() {
    for example in ["orders", "media", "reports", "webhooks"] {
        let spec = format!(
            "{}/examples/{example}/palisade.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let outputs = compile(&spec, Targets::CloudFormation, TemplateFormat::Yaml).unwrap();
        let templates: Vec<_> = outputs
            .keys()
            .filter(|p| p.starts_with("cloudformation/"))
            .collect();
        assert_eq!(templates, ["cloudformation/template.yaml"], "{example}");
    }
}

#[test]
fn check_graph_and_the_report_see_every_stack() {
    // They read the plan, not the templates: a resource in a child is as
    // visible as one in the root.
    let spec = service("whole", 1000, "");
    let spec = spec.to_str().unwrap();
    let palisade = || support::palisade();
    // JSON lists every resource's controls; SARIF the waivers and violations.
    for (format, resource) in [("json", "F999Function"), ("sarif", "S996Secret")] {
        let check = palisade()
            .args(["check", spec, "--format", format])
            .assert()
            .success();
        let out = String::from_utf8_lossy(&check.get_output().stdout).into_owned();
        assert!(out.contains(resource), "check --format {format}");
    }
    let graph = palisade().args(["graph", spec]).assert().success();
    assert!(String::from_utf8_lossy(&graph.get_output().stdout).contains("f999"));
    let outputs = compile(spec, Targets::CloudFormation, TemplateFormat::Yaml).unwrap();
    let security = String::from_utf8_lossy(&outputs["SECURITY.md"]).into_owned();
    assert!(security.contains("F999Function") && security.contains("T999Table"));
}

#[test]
fn a_root_over_the_limits_is_refused_located_and_nothing_is_written() {
    // 2,000 functions: the root alone (the key policy names every log group,
    // 256 stacks pass their parameters) would be over 800 KB.
    let spec = service("2000", 2000, "");
    let assert = support::palisade()
        .args([
            "build",
            spec.to_str().unwrap(),
            "--target",
            "cloudformation",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("E069"), "{stderr}");
    assert!(stderr.contains("palisade.yaml:1:10"), "{stderr}");
    assert!(stderr.contains("root stack"), "{stderr}");
    assert!(!spec.parent().unwrap().join("dist").exists());
}

#[test]
fn a_pinned_layout_nests_a_small_service_and_diff_calls_the_switch_replacements() {
    // orders has every event that crosses stacks: a bucket notifying a
    // function, a topic subscription, a table stream, a queue, a schedule.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nested-orders-pinned");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/orders");
    for entry in std::fs::read_dir(example.join("src")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join("src").join(entry.file_name())).unwrap();
    }
    let single = std::fs::read_to_string(example.join("palisade.yaml")).unwrap();
    let spec = dir.join("palisade.yaml");
    std::fs::write(
        &spec,
        format!("{single}nested_stacks: {{ functions: 2, data: 2 }}\n"),
    )
    .unwrap();
    let templates = templates(&spec);
    let children = templates
        .keys()
        .filter(|p| p.starts_with("cloudformation/stacks/"))
        .count();
    assert_eq!(children, 4, "{:?}", templates.keys());
    let stacks = membership(&templates);
    // The bucket that notifies a function waits for it: it stays in the root.
    assert_eq!(stacks["ReceiptsBucket"], "root");
    assert_eq!(
        stacks["ThumbnailFromOrderPlacedTopicSubscription"],
        stacks["ThumbnailFunction"]
    );

    // Switching the layout moves resources: diff says replaced, data loss
    // for the table, and nothing for what stays in the root.
    let old = diff::load::read(example.join("palisade.yaml").to_str().unwrap()).unwrap();
    let new = diff::load::read(spec.to_str().unwrap()).unwrap();
    let report = diff::compare_on(&old, &new, &[diff::Target::CloudFormation]);
    let table = report
        .changes
        .iter()
        .find(|c| c.resource == "OrdersTable")
        .expect("the table moved into a data stack");
    assert_eq!(table.change, ChangeKind::Replaced);
    assert!(table.risks.contains(&Risk::DataLoss), "{table:?}");
    assert!(table.details[0].contains("moves from stack root to stack data-"));
    assert!(!report.changes.iter().any(|c| c.resource == "ServiceKey"));
}

#[test]
fn a_rename_with_renamed_from_keeps_the_stack() {
    // The stack comes from the name the logical IDs come from.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/orders");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nested-rename");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    for entry in std::fs::read_dir(example.join("src")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join("src").join(entry.file_name())).unwrap();
    }
    let original = std::fs::read_to_string(example.join("palisade.yaml")).unwrap()
        + "nested_stacks: { functions: 256, data: 256 }\n";
    let spec = dir.join("palisade.yaml");
    std::fs::write(&spec, &original).unwrap();
    let before = membership(&templates(&spec));
    let renamed = original
        .replace(
            "  get-order:\n",
            "  fetch-order:\n    renamed_from: get-order\n",
        )
        .replace("function: get-order", "function: fetch-order");
    assert_ne!(renamed, original);
    std::fs::write(&spec, renamed).unwrap();
    let after = membership(&templates(&spec));
    assert_eq!(before["GetOrderFunction"], after["GetOrderFunction"]);
    assert_eq!(before, after);
}

/// A nested service whose counts `build` chose is told where they double
/// and how to pin them; pinning them (or a service of one template) is not.
#[test]
fn check_advises_pinning_automatic_stack_counts() {
    let advisories = |spec: &Path| -> Vec<Value> {
        let check = support::palisade()
            .args(["check", spec.to_str().unwrap(), "--format", "json"])
            .assert()
            .success();
        let report: Value = serde_json::from_slice(&check.get_output().stdout).unwrap();
        report["advisories"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["rule"] == "palisade.nested-stacks-unpinned")
            .cloned()
            .collect()
    };
    // 100 functions: 8 function stacks (up to 128 functions), 8 data stacks.
    let automatic = advisories(&service("advise", 100, ""));
    assert_eq!(automatic.len(), 1, "{automatic:?}");
    let message = automatic[0]["message"].as_str().unwrap();
    assert!(message.contains("at 129 functions"), "{message}");
    assert!(
        message.contains("nested_stacks: { functions: 8, data: "),
        "{message}"
    );
    let pinned = service(
        "advise-pinned",
        100,
        "nested_stacks: { functions: 8, data: 8 }\n",
    );
    assert_eq!(advisories(&pinned), Vec::<Value>::new());
    assert_eq!(
        advisories(&service("advise-small", 10, "")),
        Vec::<Value>::new()
    );
}
