//! The pull-request experience end to end, as a team lives it: a git
//! repository, `init --github`, then one pull request after another, each
//! diffed with the exact script of the generated workflow's "Security diff"
//! step (read from the workflow file, run with bash). The exit statuses and
//! each comment's first lines are snapshotted; every comment fits GitHub.

use std::path::{Path, PathBuf};
use std::process::Command;

const PALISADE: &str = env!("CARGO_BIN_EXE_palisade");

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn git(dir: &Path, args: &[&str]) -> String {
    run(dir, "git", args)
}

/// The "Security diff" step's script, as the workflow has it.
fn diff_step(repo: &Path) -> String {
    let text = std::fs::read_to_string(repo.join(".github/workflows/palisade.yml")).unwrap();
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    workflow["jobs"]["review"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Security diff")
        .expect("a Security diff step")["run"]
        .as_str()
        .unwrap()
        .to_string()
}

struct Pr {
    status: String,
    comment: String,
}

/// Runs the workflow's review steps for the branch checked out, against
/// `origin/main`: `build --check`, then the diff step's script.
fn review(repo: &Path, bin: &Path) -> Pr {
    run(repo, PALISADE, &["build", "--check"]);
    let output_file = repo.join("../github-output");
    let summary = repo.join("../step-summary");
    std::fs::write(&output_file, "").unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let done = Command::new("bash")
        .args(["-e", "-c", &diff_step(repo)])
        .current_dir(repo)
        .env("PATH", path)
        .env("BASE_REF", "main")
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "the step itself failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let status = std::fs::read_to_string(&output_file)
        .unwrap()
        .trim()
        .to_string();
    let comment = std::fs::read_to_string(repo.join("palisade-diff.md")).unwrap();
    let full = std::fs::read_to_string(repo.join("palisade-diff-full.md")).unwrap();
    assert!(full.len() >= comment.len());
    std::fs::remove_file(repo.join("palisade-diff.md")).unwrap();
    std::fs::remove_file(repo.join("palisade-diff-full.md")).unwrap();
    Pr { status, comment }
}

/// Commits the working copy on a pull-request branch, reviews it, then
/// merges it into `main` (and `origin/main`).
fn pull_request(repo: &Path, bin: &Path, name: &str, edit: impl FnOnce(&Path)) -> Pr {
    git(repo, &["checkout", "-q", "-b", name]);
    edit(repo);
    run(repo, PALISADE, &["build"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", name]);
    let pr = review(repo, bin);
    git(repo, &["checkout", "-q", "main"]);
    git(repo, &["merge", "-q", "--ff-only", name]);
    git(repo, &["update-ref", "refs/remotes/origin/main", "main"]);
    pr
}

fn edit_spec(repo: &Path, edit: impl FnOnce(String) -> String) {
    let path = repo.join("palisade.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(text, edited, "the edit changed nothing");
    std::fs::write(path, edited).unwrap();
}

fn replace(text: String, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in:\n{text}");
    text.replacen(from, to, 1)
}

#[test]
fn six_pull_requests_through_the_generated_workflow() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pr-workflow");
    let _ = std::fs::remove_dir_all(&root);
    let repo = root.join("svc");
    std::fs::create_dir_all(&repo).unwrap();
    // `palisade` on PATH, as the workflow's install step leaves it.
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(PALISADE, bin.join("palisade")).unwrap();

    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("LICENSE"), "Apache-2.0\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "empty repository"]);
    git(&repo, &["update-ref", "refs/remotes/origin/main", "main"]);

    let mut log = String::new();
    let mut record = |name: &str, pr: Pr| {
        assert!(
            pr.comment.chars().count() < 60_000,
            "{name}: {} characters",
            pr.comment.chars().count()
        );
        // Up to the risk table or the collapsed detail.
        let head: Vec<&str> = pr
            .comment
            .lines()
            .take_while(|l| !l.starts_with('|') && !l.starts_with("<details>"))
            .collect();
        log.push_str(&format!("== {name}: {}\n{}\n", pr.status, head.join("\n")));
    };

    // 1. The first pull request: main has no palisade.yaml yet.
    let pr = pull_request(&repo, &bin, "init", |repo| {
        run(
            repo,
            PALISADE,
            &[
                "init",
                "svc",
                "--dir",
                ".",
                "--github",
                "acme/svc",
                "--with",
                "api,table",
                "--alerts",
                "team@example.com",
            ],
        );
    });
    assert_eq!(pr.status, "status=0", "{}", pr.comment);
    record("first pull request, empty base", pr);

    // 2. A route and the function behind it.
    let pr = pull_request(&repo, &bin, "add-route", |repo| {
        edit_spec(repo, |spec| {
            let spec = replace(
                spec,
                "  routes:\n",
                "  routes:\n    \"GET /items\":\n      function: list-items\n      scopes:\n      - items:read\n",
            );
            replace(
                spec,
                "functions:\n",
                "functions:\n  list-items:\n    description: Lists items\n    handler: src/list_items.handler\n    access:\n      items: read\n",
            )
        });
        std::fs::write(
            repo.join("src/list_items.py"),
            "def handler(event, context):\n    return {\"statusCode\": 200, \"body\": \"[]\"}\n",
        )
        .unwrap();
    });
    assert_eq!(pr.status, "status=0", "{}", pr.comment);
    record("add a route and its function", pr);

    // 3. The route made public.
    let pr = pull_request(&repo, &bin, "public-route", |repo| {
        edit_spec(repo, |spec| {
            replace(
                spec,
                "      function: list-items\n      scopes:\n      - items:read\n",
                "      function: list-items\n      public: the catalogue is public\n",
            )
        });
    });
    assert_eq!(pr.status, "status=0", "{}", pr.comment);
    record("make a route public", pr);

    // 4. The function renamed.
    let pr = pull_request(&repo, &bin, "rename", |repo| {
        edit_spec(repo, |spec| {
            let spec = replace(spec, "function: list-items", "function: list-all-items");
            replace(
                spec,
                "  list-items:\n",
                "  list-all-items:\n    renamed_from: list-items\n",
            )
        });
    });
    assert_eq!(pr.status, "status=0", "{}", pr.comment);
    record("rename a function", pr);

    // 5. The table removed (and every function's access to it): data loss
    // fails the job until the loss is reviewed and accepted.
    git(&repo, &["checkout", "-q", "-b", "remove-table"]);
    edit_spec(&repo, |spec| {
        let spec = spec.replace("    access:\n      items: read\n", "");
        let spec = spec.replace("    access:\n      items: write\n", "");
        let cut = spec.find("tables:\n").expect("a tables block");
        spec[..cut].to_string()
    });
    run(&repo, PALISADE, &["build"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "remove the table"]);
    let pr = review(&repo, &bin);
    assert_eq!(pr.status, "status=1", "{}", pr.comment);
    record("remove a table", pr);
    std::fs::create_dir_all(repo.join(".palisade")).unwrap();
    std::fs::write(
        repo.join(".palisade/accept.yaml"),
        "accept:\n  - resource: ItemsTable\n    reason: items moved to the catalogue service, which imported the retained table\n  - resource: aws_dynamodb_table.items\n    reason: items moved to the catalogue service (state moved there first)\n",
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "accept the table's removal"]);
    let pr = review(&repo, &bin);
    assert_eq!(pr.status, "status=0", "{}", pr.comment);
    assert!(pr.comment.contains("**accepted**"));
    record("remove a table, accepted", pr);
    git(&repo, &["checkout", "-q", "main"]);
    git(&repo, &["merge", "-q", "--ff-only", "remove-table"]);
    git(&repo, &["update-ref", "refs/remotes/origin/main", "main"]);
    std::fs::remove_file(repo.join(".palisade/accept.yaml")).unwrap();
    git(&repo, &["commit", "-q", "-a", "-m", "acceptance done"]);
    git(&repo, &["update-ref", "refs/remotes/origin/main", "main"]);

    // 6. Code only.
    let pr = pull_request(&repo, &bin, "code-only", |repo| {
        let handler = repo.join("src/get_item.py");
        let mut code = std::fs::read_to_string(&handler).unwrap();
        code.push_str("\n# handles a missing id\n");
        std::fs::write(handler, code).unwrap();
    });
    assert_eq!(pr.status, "status=0", "{}", pr.comment);
    assert!(pr.comment.contains("code changed"), "{}", pr.comment);
    record("code-only change", pr);

    insta::assert_snapshot!(log);
}
