//! Every example's Terraform module, snapshotted file by file, and the
//! invariants any output must keep: it parses, rebuilds byte for byte, and
//! names no machine-specific path.

mod terraform_support;

use terraform_support::*;

/// All files of a module in one snapshot, each under a `# ==== name` line.
fn module_text(spec: &std::path::Path) -> String {
    terraform_files(spec)
        .iter()
        .map(|(name, text)| format!("# ==== {name}\n{text}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_example_module_matches_its_snapshot() {
    for spec in examples() {
        insta::assert_snapshot!(
            format!("terraform-{}", example_name(&spec)),
            module_text(&spec)
        );
    }
}

#[test]
fn every_module_parses_and_declares_each_address_once() {
    for spec in examples() {
        let blocks = parse_module(&terraform_files(&spec));
        let mut seen = std::collections::BTreeSet::new();
        for block in blocks
            .iter()
            .filter(|b| b.identifier.as_str() == "resource")
        {
            let address = labels(block).join(".");
            assert!(
                seen.insert(address.clone()),
                "{}: {address} twice",
                spec.display()
            );
        }
        assert!(!seen.is_empty(), "{}", spec.display());
    }
}

#[test]
fn two_builds_are_byte_identical() {
    for spec in examples() {
        assert_eq!(
            terraform_files(&spec),
            terraform_files(&spec),
            "{}",
            spec.display()
        );
    }
}

#[test]
fn output_names_no_machine_specific_paths() {
    let cwd = std::env::current_dir().unwrap();
    for spec in examples() {
        let text = module_text(&spec);
        assert!(!text.contains(cwd.to_str().unwrap()), "{}", spec.display());
    }
}

/// Function packages are read relative to the module, so the module works
/// wherever dist/ is copied.
#[test]
fn packages_are_referenced_relative_to_the_module() {
    for spec in examples() {
        let text = terraform_files(&spec)["functions.tf"].clone();
        for line in text
            .lines()
            .filter(|l| l.trim_start().starts_with("filename "))
        {
            assert!(
                line.contains("\"${path.module}/../functions/"),
                "{}: {line}",
                spec.display()
            );
        }
    }
}
