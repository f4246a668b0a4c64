//! Noise is a bug: what nobody gains access, exposure or limits from is not
//! broadening (suppressions on new resources, the key policy's list of log
//! groups, a new bucket, a function's last environment variable going, list
//! reorders), and a pull-request comment fits GitHub without losing a risky
//! line. The real risks stay flagged: tests/diff_corpus.rs.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const PALISADE: &str = env!("CARGO_BIN_EXE_palisade");

fn dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("diff-noise-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The spec `init` writes for service `svc` with these features.
fn init(at: &Path, with: &str) -> String {
    let mut args = vec!["init", "svc", "--dir"];
    let target = at.join(if with.is_empty() { "plain" } else { with });
    args.push(target.to_str().unwrap());
    if !with.is_empty() {
        args.extend(["--with", with]);
    }
    let output = Command::new(PALISADE).args(&args).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    std::fs::read_to_string(target.join("palisade.yaml")).unwrap()
}

fn diff(at: &Path, old: &str, new: &str, format: &str) -> String {
    std::fs::write(at.join("old.yaml"), old).unwrap();
    std::fs::write(at.join("new.yaml"), new).unwrap();
    let output = Command::new(PALISADE)
        .current_dir(at)
        .args(["diff", "old.yaml", "new.yaml", "--format", format])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// `(target, resource, risks, details)` of each change.
fn changes(at: &Path, old: &str, new: &str) -> Vec<(String, String, Vec<String>, Vec<String>)> {
    let report: Value = serde_json::from_str(&diff(at, old, new, "json")).unwrap();
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect()
            };
            (
                c["target"].as_str().unwrap().to_string(),
                c["resource"].as_str().unwrap().to_string(),
                strings(&c["risks"]),
                strings(&c["details"]),
            )
        })
        .collect()
}

fn broadening(
    changes: &[(String, String, Vec<String>, Vec<String>)],
) -> Vec<(String, String, Vec<String>)> {
    changes
        .iter()
        .filter(|(_, _, risks, _)| risks.iter().any(|r| r == "broadening"))
        .map(|(t, r, _, d)| (t.clone(), r.clone(), d.clone()))
        .collect()
}

fn add_route(spec: &str) -> String {
    spec.replacen(
        "  routes:\n",
        "  routes:\n    \"GET /items\":\n      function: list-items\n      scopes:\n      - items:read\n",
        1,
    )
    .replacen(
        "functions:\n",
        "functions:\n  list-items:\n    description: Lists items\n    handler: src/get_item.handler\n    access:\n      items: read\n",
        1,
    )
}

/// One JWT-protected read route and its function: the new role's grants are
/// the one broadening change on each target, and both say the same thing.
#[test]
fn adding_one_route_flags_only_the_new_grant_on_each_target() {
    let at = dir("route");
    let old = init(&at, "api,table");
    let new = add_route(&old);
    let found = changes(&at, &old, &new);
    let flagged = broadening(&found);
    let resources: Vec<(&str, &str)> = flagged
        .iter()
        .map(|(t, r, _)| (t.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        resources,
        [
            ("cloudformation", "ListItemsRole"),
            ("terraform", "aws_iam_role_policy.list_items")
        ],
        "{flagged:#?}"
    );
    for (_, _, details) in &flagged {
        assert!(
            details[0].starts_with("IAM: + Allow dynamodb:BatchGetItem"),
            "{details:?}"
        );
    }
    for (target, resource, risks, details) in &found {
        assert!(
            !details
                .iter()
                .any(|d| d.starts_with("scanner suppression added")),
            "{target} {resource}: {details:?}"
        );
        if resource == "ServiceKey" || resource == "aws_kms_key.service" {
            assert!(risks.is_empty(), "{target} {resource}: {details:?}");
            // Only the log group added is printed, not the whole list twice.
            assert!(details.iter().all(|d| d.len() < 400), "{details:?}");
        }
    }
    // The permission names the function the right way round.
    assert!(
        found
            .iter()
            .flat_map(|(_, _, _, d)| d)
            .any(|d| d.contains("may invoke ListItemsFunction.Arn"))
    );
}

#[test]
fn adding_a_bucket_is_not_broadening() {
    let at = dir("bucket");
    let old = init(&at, "table");
    let new = format!("{old}buckets:\n  archive: {{}}\n");
    let found = changes(&at, &old, &new);
    assert!(!found.is_empty());
    assert_eq!(broadening(&found), [], "{found:#?}");
}

/// `KmsKeyArn` only encrypts environment variables: without any, dropping
/// it weakens nothing (and `check`'s PAL-KMS-002 still holds).
#[test]
fn a_function_losing_its_last_environment_variable_is_not_broadening() {
    let at = dir("environment");
    let plain = init(&at, "");
    let with_variable = plain.replacen(
        "    handler: src/hello.handler\n",
        "    handler: src/hello.handler\n    environment:\n      GREETING: hello\n",
        1,
    );
    assert_ne!(plain, with_variable);
    let found = changes(&at, &with_variable, &plain);
    assert!(!found.is_empty());
    assert_eq!(broadening(&found), [], "{found:#?}");
    assert!(
        !found
            .iter()
            .flat_map(|(_, _, _, d)| d)
            .any(|d| d.contains("encryption removed"))
    );
}

#[test]
fn reordering_lists_is_no_change() {
    let at = dir("reorder");
    let old = init(&at, "api,table").replacen(
        "    access:\n      items: write\n",
        "    access:\n      items: [read, write]\n",
        1,
    );
    let new = old.replacen("items: [read, write]", "items: [write, read]", 1);
    assert_ne!(old, new);
    assert_eq!(changes(&at, &old, &new), []);
}

/// Everything `init` can add, at once: the full comment is far over GitHub's
/// limit; the comment is under 60,000 characters and keeps every risky line.
#[test]
fn a_large_change_fits_a_comment_and_keeps_every_risky_line() {
    let at = dir("large");
    let old = init(&at, "");
    let new = init(&at, "api,table,queue,bucket,schedule,secret");
    std::fs::write(at.join("old.yaml"), &old).unwrap();
    std::fs::write(at.join("new.yaml"), &new).unwrap();
    let output = Command::new(PALISADE)
        .current_dir(&at)
        .args([
            "diff",
            "old.yaml",
            "new.yaml",
            "--format",
            "markdown",
            "--full-output",
            "full.md",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let comment = String::from_utf8(output.stdout).unwrap();
    let full = std::fs::read_to_string(at.join("full.md")).unwrap();
    assert!(full.chars().count() > 60_000, "{}", full.len());
    assert!(comment.chars().count() < 60_000, "{}", comment.len());
    assert!(comment.contains("full diff is in the job summary"));
    let risky_rows: Vec<&str> = full.lines().filter(|l| l.starts_with("| **")).collect();
    assert!(!risky_rows.is_empty());
    for row in risky_rows {
        assert!(comment.contains(row), "dropped: {row}");
    }
}
