//! `palisade diff` on inputs made to mislead it: refs that look like git
//! options, templates that JSON would read "last key wins" or as an empty
//! stack, Terraform files that link out of their module, and errors that
//! must read as English rather than Rust.

mod support;

use support::palisade;

const OLD: &str = "examples/orders/palisade.yaml";

/// Exit code and stderr of a diff run in `dir`.
fn diff_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let output = palisade()
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn git_repo(name: &str) -> std::path::PathBuf {
    support::committed_spec(name, OLD)
}

#[test]
fn a_base_that_looks_like_an_option_or_is_empty_is_refused() {
    let dir = git_repo("hostile-base");
    let written = dir.join("written-by-git");
    let option = format!("--base=--output={}", written.display());
    for args in [
        vec![option.as_str(), "palisade.yaml"],
        vec!["--base", "", "palisade.yaml"],
        vec!["--base=-p", "palisade.yaml"],
    ] {
        let (code, stderr) = diff_in(&dir, &args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is not a git ref"), "{args:?}: {stderr}");
    }
    assert!(!written.exists(), "git was given the ref as an option");
}

#[test]
fn json_templates_with_a_duplicate_key_are_refused_like_yaml_ones() {
    let dir = support::scratch("hostile-json-dup");
    let json = dir.join("dup.json");
    std::fs::write(
        &json,
        "{\"Resources\": {\n  \"A\": {\"Type\": \"AWS::SQS::Queue\"},\n  \"A\": {\"Type\": \"AWS::SNS::Topic\"}\n}}\n",
    )
    .unwrap();
    let yaml = dir.join("dup.yaml");
    std::fs::write(
        &yaml,
        "Resources:\n  A: { Type: AWS::SQS::Queue }\n  A: { Type: AWS::SNS::Topic }\n",
    )
    .unwrap();
    for file in ["dup.json", "dup.yaml"] {
        let (code, stderr) = diff_in(&dir, &[file, file]);
        assert_eq!(code, Some(2), "{file}: {stderr}");
        assert!(stderr.contains("duplicate key"), "{file}: {stderr}");
        assert!(stderr.contains(&format!("{file}:3:")), "{file}: {stderr}");
    }
}

#[test]
fn resources_that_are_not_a_mapping_are_an_error_not_an_empty_stack() {
    let dir = support::scratch("hostile-resources");
    std::fs::write(dir.join("list.json"), "{\"Resources\": [1, 2, 3]}\n").unwrap();
    std::fs::write(dir.join("list.yaml"), "Resources: [1, 2, 3]\n").unwrap();
    std::fs::write(
        dir.join("ok.yaml"),
        "Resources:\n  A: { Type: AWS::SQS::Queue }\n",
    )
    .unwrap();
    for file in ["list.json", "list.yaml"] {
        let (code, stderr) = diff_in(&dir, &["ok.yaml", file]);
        assert_eq!(code, Some(2), "{file}: {stderr}");
        assert!(
            stderr.contains("`Resources` must be a mapping"),
            "{file}: {stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_terraform_file_linking_out_of_its_module_is_not_read() {
    let dir = support::scratch("hostile-tf-link");
    let module = dir.join("module");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("main.tf"),
        "resource \"aws_sqs_queue\" \"a\" {}\n",
    )
    .unwrap();
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "AWS_SECRET_ACCESS_KEY=hunter2 {{{ not hcl").unwrap();
    std::os::unix::fs::symlink(&secret, module.join("secret.tf")).unwrap();
    let (code, stderr) = diff_in(&dir, &["module", "module"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("outside"), "{stderr}");
    assert!(
        !stderr.contains("hunter2"),
        "the content was echoed: {stderr}"
    );
    // A link that stays inside the module is read as usual.
    std::fs::remove_file(module.join("secret.tf")).unwrap();
    std::fs::write(
        module.join("real.txt"),
        "resource \"aws_sqs_queue\" \"b\" {}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("real.txt", module.join("linked.tf")).unwrap();
    let (code, stderr) = diff_in(&dir, &["module", "module"]);
    assert_eq!(code, Some(0), "{stderr}");
}

/// serde-saphyr's Rust wording (`Aliases { aliases: 1 }`, `ScalarBytes {..}`,
/// `use Option<String>`) never reaches the user, from `diff` or `validate`.
#[test]
fn parse_errors_speak_english() {
    let dir = support::scratch("hostile-wording");
    let tags: Vec<String> = (0..60).map(|i| format!("t{i}: *a")).collect();
    let bomb = format!(
        "service: s\ndescription: &a \"{}\"\ntags: {{ {} }}\n",
        "a".repeat(60_000),
        tags.join(", ")
    );
    let cases = [
        (
            "diff",
            "alias.yaml",
            "a: &x 1\nResources:\n  B: *x\n",
            "YAML alias",
        ),
        (
            "diff",
            "null.yaml",
            "service: ~\nruntime: python3.13\n",
            "found nothing",
        ),
        (
            "validate",
            "null.yaml",
            "service: ~\nruntime: python3.13\n",
            "found nothing",
        ),
        ("validate", "bomb.yaml", bomb.as_str(), "1 MiB of text"),
    ];
    for (command, file, text, expected) in cases {
        std::fs::write(dir.join(file), text).unwrap();
        let args: &[&str] = if command == "diff" {
            &[file, file]
        } else {
            &[file]
        };
        let output = palisade()
            .current_dir(&dir)
            .arg(command)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command} {file}: {stderr}");
        assert!(stderr.contains(expected), "{command} {file}: {stderr}");
        for rust in ["{ ", "Option<", "Aliases", "ScalarBytes", "::"] {
            assert!(
                !stderr.contains(rust),
                "{command} {file}: Rust wording {rust:?}: {stderr}"
            );
        }
    }
}

#[test]
fn the_size_limit_message_gives_the_real_size() {
    let dir = support::scratch("hostile-size");
    let text = format!("service: s\n# {}\n", "x".repeat(2 * 1024 * 1024));
    std::fs::write(dir.join("palisade.yaml"), &text).unwrap();
    let output = palisade()
        .current_dir(&dir)
        .arg("validate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("the spec is {} bytes", text.len())),
        "{stderr}"
    );
}
