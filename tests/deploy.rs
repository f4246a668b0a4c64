//! `palisade deploy` end to end against moto's server (pinned by
//! scripts/emulator.sh, patched by scripts/moto-server.py), started here on
//! 127.0.0.1 on a free port, one per test. moto has no API Gateway v2 and
//! ignores CloudWatch alarms and SNS topic policies, so these specs have no
//! routes; tests/deploy_render.rs covers what moto does not answer
//! (Replacement, Scope, property values).
//!
//! Without the emulator the tests are skipped with a message, except under
//! CI (`CI` set), where a missing emulator fails them.

mod support;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

/// moto's server, killed when dropped.
struct Emulator {
    child: Child,
    endpoint: String,
    python: PathBuf,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the emulator, or `None` (skip) outside CI when it cannot be installed.
fn emulator() -> Option<Emulator> {
    let installed = Process::new("scripts/emulator.sh")
        .stderr(Stdio::inherit())
        .output()
        .ok()
        .filter(|o| o.status.success());
    let Some(installed) = installed else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the AWS emulator (moto) is missing: scripts/emulator.sh failed, and CI must run the deploy tests"
        );
        eprintln!("SKIPPED: scripts/emulator.sh could not install moto; deploy tests not run");
        return None;
    };
    let moto_server = PathBuf::from(String::from_utf8(installed.stdout).unwrap().trim());
    let python = moto_server.parent().unwrap().join("python");
    // A free port can be taken between asking for it and moto binding it
    // (the tests start servers in parallel): then our server exits, and
    // whatever answered on the port goes away. One test starts its server
    // at a time, and a server that died is started again on another port.
    static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _starting = STARTING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for _ in 0..5 {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Process::new(&python)
            .args(["scripts/moto-server.py", "-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut emulator = Emulator {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            python: python.clone(),
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "moto did not start"
            );
            if emulator.child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if emulator.child.try_wait().unwrap().is_some() {
            continue;
        }
        let created = emulator.try_boto("s3.create_bucket(Bucket='artifacts', CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})");
        std::thread::sleep(Duration::from_millis(200));
        if created.is_ok() && emulator.child.try_wait().unwrap().is_none() {
            return Some(emulator);
        }
    }
    panic!("moto did not start on any of 5 ports");
}

impl Emulator {
    /// Runs Python with `s3`, `sqs` and `cfn` clients on the emulator;
    /// returns what it prints.
    fn boto(&self, code: &str) -> String {
        self.try_boto(code).unwrap_or_else(|err| panic!("{err}"))
    }

    /// [`Self::boto`], or Python's error output.
    fn try_boto(&self, code: &str) -> Result<String, String> {
        let script = format!(
            "import boto3, json\nkw = dict(endpoint_url='{}', region_name='eu-west-1', aws_access_key_id='test', aws_secret_access_key='test')\ns3 = boto3.client('s3', **kw)\nsqs = boto3.client('sqs', **kw)\ncfn = boto3.client('cloudformation', **kw)\n{code}\n",
            self.endpoint
        );
        let out = Process::new(&self.python)
            .args(["-c", &script])
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8(out.stdout).unwrap())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn stack_status(&self, stack: &str) -> String {
        self.boto(&format!(
            "print(cfn.describe_stacks(StackName='{stack}')['Stacks'][0]['StackStatus'])"
        ))
        .trim()
        .to_string()
    }

    /// Change sets that could still be executed (moto also lists executed ones).
    fn pending_change_sets(&self, stack: &str) -> usize {
        self.boto(&format!(
            "print(len([s for s in cfn.list_change_sets(StackName='{stack}')['Summaries'] if s['ExecutionStatus'] == 'AVAILABLE']))"
        ))
        .trim()
        .parse()
        .unwrap()
    }

    fn objects(&self) -> Vec<String> {
        let listed = self.boto(
            "print(json.dumps([o['Key'] for o in s3.list_objects_v2(Bucket='artifacts').get('Contents', [])]))",
        );
        serde_json::from_str(&listed).unwrap()
    }

    /// `palisade deploy` on `spec` with the emulator's endpoint and dummy
    /// credentials, nothing on stdin.
    fn deploy(&self, spec: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
        support::palisade()
            .arg("deploy")
            .arg(spec)
            .args(["--artifact-bucket", "artifacts"])
            .args(args)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "eu-west-1")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("PALISADE_DEPLOY_POLL_MS", "20")
            .write_stdin("")
            .assert()
    }
}

/// A service moto can create: a function writing a table, no routes.
/// moto's default account is 123456789012.
fn service(name: &str) -> PathBuf {
    let dir = support::scratch(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/worker.py"),
        "def handler(event, context):\n    return 1\n",
    )
    .unwrap();
    let spec = dir.join("palisade.yaml");
    std::fs::write(
        &spec,
        format!(
            "service: {name}\nruntime: python3.12\nfunctions:\n  worker:\n    handler: src/worker.handler\n    access: {{ jobs: write }}\ntables:\n  jobs:\n    partition_key: {{ name: id, type: string }}\nenvironments:\n  test: {{ account: \"123456789012\", region: eu-west-1 }}\n  elsewhere: {{ account: \"111111111111\", region: eu-west-1 }}\n"
        ),
    )
    .unwrap();
    spec
}

fn edit(spec: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(spec).unwrap();
    assert!(text.contains(from));
    std::fs::write(spec, text.replacen(from, to, 1)).unwrap();
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

#[test]
fn deploy_creates_updates_and_says_when_nothing_changed() {
    let Some(aws) = emulator() else { return };
    let spec = service("deploy-cycle");
    let first = aws.deploy(&spec, &["--yes"]).success();
    let (out, err) = (stdout(&first), stderr(&first));
    assert!(out.contains("Change set palisade-"), "{out}");
    assert!(out.contains("for stack deploy-cycle (new stack"), "{out}");
    assert!(out.contains("added JobsTable"), "{out}");
    assert!(out.contains("Add     WorkerFunction"), "{out}");
    assert!(err.contains("uploaded ("), "{err}");
    assert!(err.contains("CREATE_COMPLETE"), "{err}");
    assert_eq!(aws.stack_status("deploy-cycle"), "CREATE_COMPLETE");
    let objects = aws.objects();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert!(objects[0].starts_with("deploy-cycle/worker-"));

    // The same spec again: no change set is left, exit 0.
    let again = aws.deploy(&spec, &["--yes"]).success();
    assert!(stderr(&again).contains("no changes to deploy"));
    assert!(aws.pending_change_sets("deploy-cycle") == 0);

    // A tunable change: the zip is already there, the stack is updated.
    edit(
        &spec,
        "    access: { jobs: write }",
        "    memory: 512\n    access: { jobs: write }",
    );
    let update = aws.deploy(&spec, &["--yes"]).success();
    let (out, err) = (stdout(&update), stderr(&update));
    assert!(out.contains("(update, 1 changes)"), "{out}");
    assert!(out.contains("modified WorkerFunction"), "{out}");
    assert!(err.contains("already uploaded"), "{err}");
    assert!(err.contains("UPDATE_COMPLETE"), "{err}");
    assert_eq!(aws.stack_status("deploy-cycle"), "UPDATE_COMPLETE");

    // New code is a new content-addressed key beside the old one.
    let dir = spec.parent().unwrap();
    std::fs::write(
        dir.join("src/worker.py"),
        "def handler(event, context):\n    return 2\n",
    )
    .unwrap();
    aws.deploy(&spec, &["--yes"]).success();
    assert_eq!(aws.objects().len(), 2);
}

#[test]
fn no_execute_leaves_the_change_set_and_without_a_terminal_nothing_runs() {
    let Some(aws) = emulator() else { return };
    let spec = service("deploy-review");
    let summary = spec.parent().unwrap().join("summary.md");
    let left = aws
        .deploy(
            &spec,
            &[
                "--no-execute",
                "--change-set-name",
                "pr-7",
                "--summary",
                summary.to_str().unwrap(),
            ],
        )
        .success();
    assert!(stderr(&left).contains("left change set pr-7 for review"));
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(
        markdown.starts_with("### Change set pr-7 for stack deploy-review"),
        "{markdown}"
    );
    assert!(markdown.contains("| Add | `JobsTable` |"), "{markdown}");
    assert_eq!(aws.stack_status("deploy-review"), "REVIEW_IN_PROGRESS");

    // No --yes and no terminal: refused, never waiting for an answer.
    let refused = aws.deploy(&spec, &["--change-set-name", "pr-8"]).code(2);
    assert!(
        stderr(&refused).contains("nobody to confirm"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(aws.stack_status("deploy-review"), "REVIEW_IN_PROGRESS");
    let sets = aws.boto("print(sorted(s['ChangeSetName'] for s in cfn.list_change_sets(StackName='deploy-review')['Summaries']))");
    assert!(sets.contains("pr-7") && sets.contains("pr-8"), "{sets}");
}

#[test]
fn data_loss_is_stopped_by_fail_on_before_execution() {
    let Some(aws) = emulator() else { return };
    let spec = service("deploy-loss");
    aws.deploy(&spec, &["--yes"]).success();
    // A new partition key replaces the table: its data would be lost.
    edit(&spec, "name: id, type: string", "name: pk, type: string");
    let stopped = aws
        .deploy(&spec, &["--yes", "--fail-on", "broadening,data-loss"])
        .code(1);
    let (out, err) = (stdout(&stopped), stderr(&stopped));
    assert!(out.contains("data-loss"), "{out}");
    assert!(out.contains("JobsTable"), "{out}");
    assert!(
        err.contains("data-loss changes (--fail-on): not executed"),
        "{err}"
    );
    assert_eq!(aws.stack_status("deploy-loss"), "CREATE_COMPLETE");
    assert!(aws.pending_change_sets("deploy-loss") == 0);
}

#[test]
fn a_failing_resource_reports_its_reason_and_the_rollback() {
    let Some(aws) = emulator() else { return };
    let spec = service("deploy-fails");
    // A queue of the stack's dead-letter queue's name, with other settings,
    // already exists: creating the stack's fails.
    let queue = "deploy-fails-functions-dlq";
    let template = support::palisade()
        .args([
            "build",
            spec.to_str().unwrap(),
            "--target",
            "cloudformation",
            "--template-format",
            "json",
        ])
        .assert()
        .success();
    drop(template);
    let text = std::fs::read_to_string(
        spec.parent()
            .unwrap()
            .join("dist/cloudformation/template.json"),
    )
    .unwrap();
    assert!(text.contains(queue), "the dead-letter queue's name changed");
    aws.boto(&format!(
        "sqs.create_queue(QueueName='{queue}', Attributes={{'DelaySeconds': '7'}})"
    ));
    let failed = aws.deploy(&spec, &["--yes"]).code(1);
    let err = stderr(&failed);
    assert!(
        err.contains("first failure: FunctionsDeadLetterQueue (AWS::SQS::Queue)"),
        "{err}"
    );
    assert!(err.contains("ROLLBACK_COMPLETE"), "{err}");
    assert!(
        err.contains("rolled back: the new stack holds nothing"),
        "{err}"
    );
    // The next deploy says what to do instead of failing obscurely.
    let next = aws.deploy(&spec, &["--yes"]).code(1);
    assert!(stderr(&next).contains("delete it"), "{}", stderr(&next));
}

#[test]
fn an_environment_deploys_its_own_stack_and_refuses_another_account() {
    let Some(aws) = emulator() else { return };
    let spec = service("deploy-env");
    let deployed = aws.deploy(&spec, &["--env", "test", "--yes"]).success();
    assert!(stdout(&deployed).contains("for stack deploy-env-test"));
    assert_eq!(aws.stack_status("deploy-env-test"), "CREATE_COMPLETE");
    let refused = aws.deploy(&spec, &["--env", "elsewhere", "--yes"]).code(2);
    let err = stderr(&refused);
    assert!(
        err.contains("credentials are for account 123456789012, but the environment deploys to account 111111111111"),
        "{err}"
    );
    // Nothing of the refused stage is left behind.
    let stacks = aws.boto("print([s['StackName'] for s in cfn.list_stacks()['StackSummaries'] if s['StackStatus'] != 'DELETE_COMPLETE'])");
    assert!(!stacks.contains("deploy-env-elsewhere"), "{stacks}");
    // An unknown environment is bad input, before any AWS call.
    let unknown = aws.deploy(&spec, &["--env", "prod", "--yes"]).code(2);
    assert!(stderr(&unknown).contains("known environments: elsewhere, test"));
}

#[test]
fn a_template_over_the_inline_limit_is_uploaded_and_passed_by_url() {
    let Some(aws) = emulator() else { return };
    let spec = service("deploy-large");
    // Fourteen functions make a template over CloudFormation's 51,200
    // bytes for an inline body.
    let mut functions = String::new();
    for i in 1..=14 {
        functions.push_str(&format!(
            "  worker-{i}:\n    handler: src/worker.handler\n    access: {{ jobs: write }}\n"
        ));
    }
    edit(
        &spec,
        "  worker:\n    handler: src/worker.handler\n    access: { jobs: write }\n",
        &functions,
    );
    let deployed = aws.deploy(&spec, &["--yes"]).success();
    let err = stderr(&deployed);
    assert!(
        err.contains("s3://artifacts/deploy-large/templates/"),
        "{err}"
    );
    assert!(err.contains("CREATE_COMPLETE"), "{err}");
    // Functions share one code directory: one zip content, one key each.
    assert_eq!(aws.objects().len(), 15);
}

#[test]
fn nested_stacks_are_uploaded_before_the_change_set_and_deploy() {
    let Some(aws) = emulator() else { return };
    let spec = service("deploy-nested");
    // Pinned nested stacks: a root with the key and alerts, a functions
    // child with the worker, a data child with the table.
    edit(
        &spec,
        "runtime: python3.12\n",
        "runtime: python3.12\nnested_stacks: { functions: 1, data: 1 }\n",
    );
    let deployed = aws.deploy(&spec, &["--yes"]).success();
    let (out, err) = (stdout(&deployed), stderr(&deployed));
    let objects = aws.objects();
    let children: Vec<&String> = objects
        .iter()
        .filter(|key| key.starts_with("deploy-nested/stacks/"))
        .collect();
    assert_eq!(children.len(), 2, "{objects:?}");
    assert!(
        children.iter().any(|k| k.contains("/functions-"))
            && children.iter().all(|k| k.ends_with(".json")),
        "{children:?}"
    );
    // The worker's zip is referenced only by the functions child: it is
    // uploaded all the same.
    assert!(
        objects
            .iter()
            .any(|k| k.starts_with("deploy-nested/worker-")),
        "{objects:?}"
    );
    for child in &children {
        assert!(err.contains(&format!("s3://artifacts/{child}")), "{err}");
    }
    assert!(err.contains("CREATE_COMPLETE"), "{err}");
    assert_eq!(aws.stack_status("deploy-nested"), "CREATE_COMPLETE");
    // moto makes no nested change sets: what changes inside the children is
    // not known, and the report says so rather than showing only the stacks.
    assert!(out.contains("nested stack"), "{out}");
    assert!(out.contains("unanalysed"), "{out}");
}
