//! Per-stage timings on the example services: `cargo bench --bench compile`.

use std::collections::BTreeMap;

use palisade::emit::{cloudformation, yaml};

fn main() {
    divan::main();
}

const EXAMPLES: &[&str] = &["orders", "webhooks", "media", "reports"];

fn spec_bytes(example: &str) -> Vec<u8> {
    std::fs::read(format!("examples/{example}/palisade.yaml")).unwrap()
}

#[divan::bench(args = EXAMPLES)]
fn load_and_validate(bencher: divan::Bencher, example: &str) {
    let bytes = spec_bytes(example);
    bencher
        .bench(|| palisade::spec::load("palisade.yaml", divan::black_box(&bytes), None).unwrap());
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
    let loaded = palisade::spec::load("palisade.yaml", &spec_bytes(example), None).unwrap();
    let plan = palisade::plan::compile(&loaded.spec, &Default::default()).unwrap();
    bencher.bench(|| {
        yaml::to_yaml(&cloudformation::template(
            divan::black_box(&plan),
            &BTreeMap::new(),
        ))
    });
}

/// Everything `palisade build` does in memory: read, validate, zip, plan, emit.
#[divan::bench(args = EXAMPLES)]
fn build_in_memory(bencher: divan::Bencher, example: &str) {
    let path = format!("examples/{example}/palisade.yaml");
    bencher.bench(|| {
        palisade::cli::build::compile(
            &path,
            palisade::cli::build::Target::Cloudformation,
            palisade::cli::build::TemplateFormat::Yaml,
        )
        .unwrap()
    });
}
