//! What every command has in common: `--format json` diagnostics on stdout,
//! the hint outside a service directory, complete help, completions and the
//! manual page.

mod support;

use assert_cmd::Command;

fn palisade() -> Command {
    Command::cargo_bin("palisade").unwrap()
}

fn invalid_spec(name: &str) -> String {
    let dir = support::scratch(name);
    let spec = dir.join("palisade.yaml");
    std::fs::write(&spec, "service: Not_Kebab\nruntime: python3.12\n").unwrap();
    spec.to_str().unwrap().to_string()
}

#[test]
fn format_json_prints_diagnostics_on_stdout_for_every_command() {
    let spec = invalid_spec("consistency-json");
    let commands: [Vec<&str>; 5] = [
        vec!["validate", &spec, "--format", "json"],
        vec!["build", &spec, "--format", "json"],
        vec!["build", &spec, "--diagnostics", "json"],
        vec!["check", &spec, "--format", "json"],
        vec!["diff", &spec, &spec, "--format", "json"],
    ];
    for args in commands {
        let out = palisade().args(&args).assert().code(2).get_output().clone();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e})"));
        assert_eq!(json["diagnostics"][0]["code"], "E010", "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: stderr {:?}", out.stderr);
    }
}

#[test]
fn outside_a_service_directory_every_command_says_what_to_do() {
    let empty = support::scratch("consistency-no-spec");
    for command in ["validate", "build", "check", "graph"] {
        let out = palisade()
            .current_dir(&empty)
            .arg(command)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("palisade init"), "{command}: {stderr}");
        assert!(!stderr.contains("palisade.yaml:1:1"), "{command}: {stderr}");
    }
    let out = palisade()
        .current_dir(&empty)
        .args(["validate", "--format", "json"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64()),
        (Some("E007"), Some(0))
    );
    assert!(d["suggestion"].as_str().unwrap().contains("palisade init"));
}

#[test]
fn build_help_names_both_targets() {
    let out = palisade().args(["build", "--help"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("Terraform") && text.contains("CloudFormation"),
        "{text}"
    );
    let out = palisade().arg("--help").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("completions") && text.contains("man"),
        "{text}"
    );
}

#[test]
fn completions_and_manual_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = palisade().args(["completions", shell]).assert().success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        assert!(
            text.contains("palisade") && text.contains("validate"),
            "{shell}"
        );
    }
    let out = palisade().arg("man").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.starts_with(".ie") || text.contains(".TH palisade"),
        "{text}"
    );
    assert!(text.contains("Terraform"));
}
