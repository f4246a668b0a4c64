//! Per-stage timings: `cargo bench --bench compile`. The examples show real
//! services; the synthetic specs (10, 100, 1000 functions) show how cost
//! grows with size.

mod support;

use std::collections::BTreeMap;

use palisade::emit::{cloudformation, terraform, yaml};

fn main() {
    divan::main();
}

const EXAMPLES: &[&str] = &["orders", "webhooks", "media", "reports"];
const SIZES: &[usize] = &[10, 100, 1000];

fn spec_bytes(example: &str) -> Vec<u8> {
    std::fs::read(format!("examples/{example}/palisade.yaml")).unwrap()
}

fn plan_of(bytes: &[u8]) -> palisade::plan::Plan {
    let loaded = palisade::spec::load("palisade.yaml", bytes, None).unwrap();
    palisade::plan::compile(&loaded.spec, &Default::default()).unwrap()
}

#[divan::bench(args = EXAMPLES)]
fn load_and_validate(bencher: divan::Bencher, example: &str) {
    let bytes = spec_bytes(example);
    bencher
        .bench(|| palisade::spec::load("palisade.yaml", divan::black_box(&bytes), None).unwrap());
}

/// The two halves of loading: YAML → typed spec with spans, then the checks.
#[divan::bench(args = EXAMPLES)]
fn parse(bencher: divan::Bencher, example: &str) {
    let bytes = spec_bytes(example);
    bencher
        .bench(|| palisade::spec::load::parse("palisade.yaml", divan::black_box(&bytes)).unwrap());
}

#[divan::bench(args = EXAMPLES)]
fn validate(bencher: divan::Bencher, example: &str) {
    let (_, spec) = palisade::spec::load::parse("palisade.yaml", &spec_bytes(example)).unwrap();
    bencher.bench(|| {
        palisade::spec::validate::validate(divan::black_box(&spec), &validation_context())
    });
}

/// Built inside each timed call: its control lookup is not `Sync`, and it
/// costs one clock read.
fn validation_context() -> palisade::spec::validate::Context<'static> {
    palisade::spec::validate::Context {
        today: palisade::spec::runtime::today(),
        base_dir: None,
        control: &palisade::controls::find,
    }
}

#[divan::bench(args = EXAMPLES)]
fn plan(bencher: divan::Bencher, example: &str) {
    let loaded = palisade::spec::load("palisade.yaml", &spec_bytes(example), None).unwrap();
    bencher.bench(|| {
        palisade::plan::compile(divan::black_box(&loaded.spec), &Default::default()).unwrap()
    });
}

#[divan::bench(args = EXAMPLES)]
fn emit_cloudformation_yaml(bencher: divan::Bencher, example: &str) {
    let plan = plan_of(&spec_bytes(example));
    bencher.bench(|| {
        yaml::to_yaml(&cloudformation::template(
            divan::black_box(&plan),
            &BTreeMap::new(),
        ))
    });
}

#[divan::bench(args = EXAMPLES)]
fn emit_terraform(bencher: divan::Bencher, example: &str) {
    let plan = plan_of(&spec_bytes(example));
    bencher.bench(|| terraform::module(divan::black_box(&plan), &BTreeMap::new()).unwrap());
}

/// Everything `palisade build` does in memory: read, validate, zip, plan, emit both targets.
#[divan::bench(args = EXAMPLES)]
fn build_in_memory(bencher: divan::Bencher, example: &str) {
    let path = format!("examples/{example}/palisade.yaml");
    bencher.bench(|| {
        palisade::cli::build::compile(
            &path,
            palisade::cli::build::Targets::All,
            palisade::cli::build::TemplateFormat::Yaml,
        )
        .unwrap()
    });
}

/// Each stage on the synthetic specs, to see which one grows fastest.
#[divan::bench(args = SIZES)]
fn synthetic_load(bencher: divan::Bencher, functions: usize) {
    let text = support::spec(functions);
    bencher.counter(functions).bench(|| {
        palisade::spec::load("palisade.yaml", divan::black_box(text.as_bytes()), None).unwrap()
    });
}

#[divan::bench(args = SIZES)]
fn synthetic_validate(bencher: divan::Bencher, functions: usize) {
    let (_, spec) =
        palisade::spec::load::parse("palisade.yaml", support::spec(functions).as_bytes()).unwrap();
    bencher.counter(functions).bench(|| {
        palisade::spec::validate::validate(divan::black_box(&spec), &validation_context())
    });
}

#[divan::bench(args = SIZES)]
fn synthetic_plan(bencher: divan::Bencher, functions: usize) {
    let loaded =
        palisade::spec::load("palisade.yaml", support::spec(functions).as_bytes(), None).unwrap();
    bencher.counter(functions).bench(|| {
        palisade::plan::compile(divan::black_box(&loaded.spec), &Default::default()).unwrap()
    });
}

#[divan::bench(args = SIZES)]
fn synthetic_cloudformation(bencher: divan::Bencher, functions: usize) {
    let plan = plan_of(support::spec(functions).as_bytes());
    bencher.counter(functions).bench(|| {
        yaml::to_yaml(&cloudformation::template(
            divan::black_box(&plan),
            &BTreeMap::new(),
        ))
    });
}

#[divan::bench(args = SIZES)]
fn synthetic_terraform(bencher: divan::Bencher, functions: usize) {
    let plan = plan_of(support::spec(functions).as_bytes());
    bencher
        .counter(functions)
        .bench(|| terraform::module(divan::black_box(&plan), &BTreeMap::new()).unwrap());
}

/// Spec text → CloudFormation YAML and Terraform, no packages: the compiler alone.
#[divan::bench(args = SIZES)]
fn synthetic_compile(bencher: divan::Bencher, functions: usize) {
    let text = support::spec(functions);
    bencher.counter(functions).bench(|| {
        let plan = plan_of(divan::black_box(text.as_bytes()));
        let template = yaml::to_yaml(&cloudformation::template(&plan, &BTreeMap::new()));
        let module = terraform::module(&plan, &BTreeMap::new()).unwrap();
        (template, module)
    });
}

/// Two large templates that differ in one permission per function.
#[divan::bench(args = SIZES)]
fn synthetic_diff(bencher: divan::Bencher, functions: usize) {
    let old = support::spec(functions);
    let new = old.replace("[read, write]", "[read, write, scan]");
    let old = palisade::diff::load::parse("old.yaml", old.as_bytes()).unwrap();
    let new = palisade::diff::load::parse("new.yaml", new.as_bytes()).unwrap();
    bencher
        .counter(functions)
        .bench(|| palisade::diff::compare(divan::black_box(&old), divan::black_box(&new)));
}

#[divan::bench(args = SIZES)]
fn synthetic_cloudformation_json_only(bencher: divan::Bencher, functions: usize) {
    let plan = plan_of(support::spec(functions).as_bytes());
    bencher
        .counter(functions)
        .bench(|| cloudformation::template(divan::black_box(&plan), &BTreeMap::new()));
}

#[divan::bench(args = SIZES)]
fn synthetic_yaml_only(bencher: divan::Bencher, functions: usize) {
    let plan = plan_of(support::spec(functions).as_bytes());
    let template = cloudformation::template(&plan, &BTreeMap::new());
    bencher
        .counter(functions)
        .bench(|| yaml::to_yaml(divan::black_box(&template)));
}

#[divan::bench(args = EXAMPLES)]
fn security_report(bencher: divan::Bencher, example: &str) {
    let plan = plan_of(&spec_bytes(example));
    bencher
        .bench(|| palisade::emit::security::render(divan::black_box(&plan), &Default::default()));
}

/// Zipping a function code directory (once per directory per build).
#[divan::bench(args = EXAMPLES)]
fn package_code(bencher: divan::Bencher, example: &str) {
    let dir = format!("examples/{example}");
    bencher.bench(|| {
        let spec = std::path::Path::new(&dir).join("palisade.yaml");
        let excluded = palisade::package::Excluded::new(&spec, None);
        palisade::package::read(
            std::path::Path::new(&dir),
            "src",
            &excluded,
            Default::default(),
        )
        .unwrap()
        .archive()
        .unwrap()
    });
}
