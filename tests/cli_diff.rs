//! `palisade diff` as a user runs it: every renderer snapshotted, exit codes,
//! templates Palisade did not write, and `--base` against git.

mod support;

use assert_cmd::Command;

fn palisade() -> Command {
    Command::cargo_bin("palisade").unwrap()
}

const OLD: &str = "examples/orders/palisade.yaml";
const NEW: &str = "tests/diff/orders-changed.yaml";

fn stdout(args: &[&str]) -> String {
    let out = palisade()
        .args(args)
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn text_renderer() {
    insta::assert_snapshot!(stdout(&["diff", OLD, NEW]));
}

#[test]
fn markdown_renderer() {
    let markdown = stdout(&["diff", OLD, NEW, "--format", "markdown"]);
    assert!(markdown.starts_with("### 🛑 Palisade diff:"));
    assert!(markdown.contains("<details>") && markdown.contains("```diff"));
    insta::assert_snapshot!(markdown);
}

#[test]
fn json_renderer_has_the_design_shape() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&["diff", OLD, NEW, "--format", "json"])).unwrap();
    for key in [
        "added",
        "removed",
        "modified",
        "replaced",
        "broadening",
        "data_loss",
    ] {
        assert!(json["summary"][key].is_u64(), "summary.{key}");
    }
    for change in json["changes"].as_array().unwrap() {
        for key in ["target", "resource", "type", "change", "risks", "details"] {
            assert!(!change[key].is_null(), "{key} in {change}");
        }
    }
    insta::assert_json_snapshot!(json);
}

#[test]
fn fail_on_exits_1_only_for_the_classes_asked_for() {
    palisade()
        .args(["diff", OLD, NEW, "--fail-on", "broadening"])
        .assert()
        .code(1);
    palisade()
        .args(["diff", OLD, NEW, "--fail-on", "data-loss,broadening"])
        .assert()
        .code(1);
    let benign = support::scratch("diff-benign").join("palisade.yaml");
    std::fs::write(
        &benign,
        std::fs::read_to_string(OLD)
            .unwrap()
            .replace("    memory: 256 ", "    memory: 384 "),
    )
    .unwrap();
    palisade()
        .args([
            "diff",
            OLD,
            benign.to_str().unwrap(),
            "--fail-on",
            "broadening,data-loss",
        ])
        .assert()
        .success();
}

#[test]
fn templates_not_written_by_palisade_are_compared_too() {
    let text = stdout(&[
        "diff",
        "tests/diff/foreign-old.yaml",
        "tests/diff/foreign-new.yaml",
    ]);
    assert!(text.contains("encryption removed or weakened"), "{text}");
    assert!(text.contains("IAM: + Allow sqs:* on *"), "{text}");
    assert!(
        text.contains("IAM: + Allow s3:PutObject on ${Uploads.Arn}/*"),
        "{text}"
    );
    assert!(text.contains("public access block weakened"), "{text}");
    assert!(text.contains("replaced Jobs"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_spec_against_a_template_works() {
    let dir = support::scratch("diff-mixed");
    let template = dir.join("template.json");
    palisade()
        .args([
            "build",
            OLD,
            "--format",
            "json",
            "--out",
            dir.to_str().unwrap(),
        ])
        .assert()
        .success();
    std::fs::rename(dir.join("cloudformation/template.json"), &template).unwrap();
    // The built template carries the package hashes; the spec compiled for
    // diff does not, so only the code keys differ.
    let text = stdout(&["diff", template.to_str().unwrap(), OLD]);
    assert!(text.contains("0 broadening, 0 data-loss"), "{text}");
}

#[test]
fn base_compares_the_committed_spec_with_the_working_copy() {
    let dir = support::scratch("diff-git");
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::copy(OLD, dir.join("palisade.yaml")).unwrap();
    git(&["add", "palisade.yaml"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-qm",
        "base",
    ]);
    std::fs::copy(NEW, dir.join("palisade.yaml")).unwrap();
    let out = palisade()
        .current_dir(&dir)
        .args(["diff", "--base", "HEAD", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["summary"]["data_loss"].as_u64().unwrap() >= 1,
        "{json}"
    );
    palisade()
        .current_dir(&dir)
        .args(["diff", "--base", "no-such-ref"])
        .assert()
        .code(2);
}

#[test]
fn wrong_arguments_exit_2() {
    palisade().args(["diff", OLD]).assert().code(2);
    palisade().args(["diff", "nope.yaml", OLD]).assert().code(2);
    palisade()
        .args(["diff", "tests/corpus/invalid/cors-wildcard.yaml", OLD])
        .assert()
        .code(2);
}
