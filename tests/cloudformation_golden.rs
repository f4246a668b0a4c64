//! Every example's CloudFormation, snapshotted and checked for the invariants
//! that must hold on any output: it re-parses the same in YAML and JSON (also
//! with PyYAML, a YAML 1.1 reader), and builds are byte-identical.

mod support;

use palisade::cli::build::TemplateFormat;
use support::*;

#[test]
fn every_example_template_matches_its_snapshot() {
    for spec in examples() {
        let template = template_text(&cloudformation(&spec, TemplateFormat::Yaml));
        insta::assert_snapshot!(format!("cloudformation-{}", example_name(&spec)), template);
    }
}

#[test]
fn yaml_and_json_outputs_carry_the_same_template() {
    for spec in examples() {
        let yaml = template_text(&cloudformation(&spec, TemplateFormat::Yaml));
        let json = template_text(&cloudformation(&spec, TemplateFormat::Json));
        let from_yaml: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        let from_json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(from_yaml, from_json, "{}", spec.display());
    }
}

/// A YAML 1.1 reader (PyYAML, as cfn-lint and many tools use) must read the
/// YAML exactly as the JSON says: no `yes`/`on`/dates turning into other types.
#[test]
fn pyyaml_reads_the_yaml_as_the_json() {
    let python = validators_python();
    let dir = scratch("pyyaml");
    for spec in examples() {
        let name = example_name(&spec);
        let yaml = dir.join(format!("{name}.yaml"));
        let json = dir.join(format!("{name}.json"));
        std::fs::write(
            &yaml,
            template_text(&cloudformation(&spec, TemplateFormat::Yaml)),
        )
        .unwrap();
        std::fs::write(
            &json,
            template_text(&cloudformation(&spec, TemplateFormat::Json)),
        )
        .unwrap();
        let status = std::process::Command::new(&python)
            .args([
                "-c",
                "import json, sys, yaml\n\
                 a = yaml.safe_load(open(sys.argv[1]))\n\
                 b = json.load(open(sys.argv[2]))\n\
                 sys.exit(0 if a == b else 1)",
            ])
            .arg(&yaml)
            .arg(&json)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "{name}: PyYAML reads the YAML differently from the JSON"
        );
    }
}

#[test]
fn two_builds_are_byte_identical() {
    for spec in examples() {
        let first = cloudformation(&spec, TemplateFormat::Yaml);
        let second = cloudformation(&spec, TemplateFormat::Yaml);
        assert_eq!(first, second, "{}", spec.display());
    }
}

#[test]
fn output_names_no_machine_specific_paths() {
    let cwd = std::env::current_dir().unwrap();
    for spec in examples() {
        let template = template_text(&cloudformation(&spec, TemplateFormat::Yaml));
        assert!(
            !template.contains(cwd.to_str().unwrap()),
            "{}",
            spec.display()
        );
    }
}

#[test]
fn every_example_security_report_matches_its_snapshot() {
    for spec in examples() {
        let outputs = cloudformation(&spec, TemplateFormat::Yaml);
        let report = String::from_utf8(outputs["SECURITY.md"].clone()).unwrap();
        insta::assert_snapshot!(format!("security-{}", example_name(&spec)), report);
    }
}

/// Every scanner suppression in the template, in each scanner's format
/// (checkov, cdk-nag, Guard), is in the report on a row of its resource,
/// with the same reason where the format carries one.
#[test]
fn every_suppression_is_reported_with_its_reason() {
    for spec in examples() {
        let outputs = cloudformation(&spec, TemplateFormat::Json);
        let report = String::from_utf8(outputs["SECURITY.md"].clone()).unwrap();
        let template: serde_json::Value = serde_json::from_str(&template_text(&outputs)).unwrap();
        let mut count = 0;
        let mut check = |resource: &str, label: String, reason: Option<&str>| {
            let tail = match reason {
                Some(reason) => format!("| {resource} | {} |", palisade::text::markdown(reason)),
                None => format!("| {resource} |"),
            };
            assert!(
                report
                    .lines()
                    .any(|line| line.contains(&label) && line.contains(&tail)),
                "{}: no row for {label} on {resource} ({reason:?})",
                spec.display()
            );
            count += 1;
        };
        for (id, resource) in template["Resources"].as_object().unwrap() {
            let metadata = &resource["Metadata"];
            for skip in metadata["checkov"]["skip"].as_array().into_iter().flatten() {
                let check_id = skip["id"].as_str().unwrap();
                check(id, format!("checkov {check_id}"), skip["comment"].as_str());
            }
            for rule in metadata["cdk_nag"]["rules_to_suppress"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let rule_id = rule["id"].as_str().unwrap();
                check(id, format!("cdk-nag {rule_id}"), rule["reason"].as_str());
            }
            for rule in metadata["guard"]["SuppressedRules"]
                .as_array()
                .into_iter()
                .flatten()
            {
                check(id, format!("Guard {}", rule.as_str().unwrap()), None);
            }
        }
        assert!(
            count > 0,
            "{}: every example has at least one suppression",
            spec.display()
        );
    }
}

/// The `ArtifactBucket` parameter tells the deployer where to upload each
/// zip: the key it names must be the one the functions' `Code.S3Key` reads.
#[test]
fn artifact_bucket_description_names_the_functions_s3_keys() {
    for spec in examples() {
        let json = template_text(&cloudformation(&spec, TemplateFormat::Json));
        let template: serde_json::Value = serde_json::from_str(&json).unwrap();
        let Some(description) = template["Parameters"]["ArtifactBucket"]["Description"].as_str()
        else {
            continue;
        };
        let functions = template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::Lambda::Function");
        for function in functions {
            let key = function["Properties"]["Code"]["S3Key"].as_str().unwrap();
            // `orders/get-order-0123456789abcdef.zip` → `orders/<name>-<hash>.zip`
            let (service, file) = key.split_once('/').unwrap();
            let (_, hash) = file.trim_end_matches(".zip").rsplit_once('-').unwrap();
            assert_eq!(hash.len(), 16, "{key}");
            let pattern = format!("{service}/<name>-<hash>.zip");
            assert!(
                description.contains(&pattern),
                "{}: the description {description:?} does not give the key {pattern} ({key})",
                spec.display()
            );
        }
    }
}
