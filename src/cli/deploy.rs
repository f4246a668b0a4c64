//! `palisade deploy [SPEC] [--env NAME]`: compile the CloudFormation stack
//! and deploy it through a reviewed change set (src/deploy/).

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::time::Duration;

use super::build::{Targets, TemplateFormat, compile_with_cache};
use super::diff::FailOn;
use super::{DEFAULT_SPEC, Io, load_spec_in};
use crate::deploy::{self, Clients, Console, Options, Outcome, Stack};
use crate::diff::Risk;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    #[arg(default_value = DEFAULT_SPEC)]
    pub spec: String,
    /// Deploy this environment (`environments:`): its account (other
    /// credentials are refused), region and stack name (`<service>-<NAME>`).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// The S3 bucket the function zips are uploaded to (the template's
    /// `ArtifactBucket` parameter). It must exist, in the stack's region.
    #[arg(long, value_name = "BUCKET")]
    pub artifact_bucket: String,
    /// The change set's name. Default: `palisade-<UTC time>`.
    #[arg(long, value_name = "NAME")]
    pub change_set_name: Option<String>,
    /// Stop before executing when the change has changes of these classes
    /// (the change set is deleted); exit 1.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub fail_on: Vec<FailOn>,
    /// Execute without asking. Without it, `deploy` asks on a terminal and
    /// refuses (exit 2, change set left) when there is none to ask on.
    #[arg(long)]
    pub yes: bool,
    /// Create and show the change set, and leave it for review.
    #[arg(long, conflicts_with = "yes")]
    pub no_execute: bool,
    /// The IAM role CloudFormation provisions as. Default: the stack's
    /// `CloudFormationExecutionRoleArn` output (a spec with `deploy_role:`),
    /// else the caller's own permissions.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Also write the change set summary in Markdown to this file (for a
    /// pull request comment or `$GITHUB_STEP_SUMMARY`).
    #[arg(long, value_name = "PATH")]
    pub summary: Option<String>,
}

/// `palisade deploy`: runs `palisade-deploy` (installed beside `palisade`)
/// with the same arguments and terminal, and returns its exit code. The AWS
/// SDK is linked into that executable only: in this one its relocations
/// would cost every `build` about half a millisecond at start.
pub fn delegate(args: &[std::ffi::OsString], io: &mut Io) -> i32 {
    let _ = io.stdout.flush();
    let _ = io.stderr.flush();
    let name = format!("palisade-deploy{}", std::env::consts::EXE_SUFFIX);
    let program = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&name)))
        .filter(|p| p.is_file());
    let Some(program) = program else {
        let _ = writeln!(
            io.stderr,
            "error: {name} is not installed beside palisade (`cargo install` installs both)"
        );
        return 2;
    };
    match std::process::Command::new(&program).args(args).status() {
        Ok(status) => status.code().unwrap_or(3),
        Err(err) => {
            let _ = writeln!(io.stderr, "error: {}: {err}", program.display());
            2
        }
    }
}

/// The deploy itself (in `palisade-deploy`).
pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let loaded = load_spec_in(&args.spec, args.env.as_deref())?;
    let spec_dir = Path::new(&args.spec).parent().unwrap_or(Path::new(""));
    let cache = crate::package::Cache::beside(spec_dir);
    let compiled = compile_with_cache(
        &args.spec,
        Targets::CloudFormation,
        TemplateFormat::Json,
        Some(&cache),
        None,
        args.env.as_deref(),
    )?;
    cache.keep(&compiled.archives);
    let text = compiled
        .outputs
        .get("cloudformation/template.json")
        .ok_or_else(|| Error::Internal("the build wrote no template".into()))?;
    let template: serde_json::Value = serde_json::from_slice(text)
        .map_err(|e| Error::Internal(format!("the template is not JSON: {e}")))?;
    let zips: Vec<(String, Vec<u8>)> = compiled
        .outputs
        .iter()
        .filter_map(|(path, bytes)| {
            let name = path.strip_prefix("functions/")?.strip_suffix(".zip")?;
            Some((name.to_string(), bytes.clone()))
        })
        .collect();
    let children = deploy::children(&template, &compiled.outputs)?;
    let mut packages = deploy::packages(&template, &zips)?;
    for (_, text) in &children {
        let child: serde_json::Value = serde_json::from_slice(text)
            .map_err(|e| Error::Internal(format!("a nested template is not JSON: {e}")))?;
        packages.extend(deploy::packages(&child, &zips)?);
    }
    packages.sort();
    packages.dedup();
    let stack = Stack {
        name: loaded.spec.service.value.clone(),
        packages,
        children,
        template,
        account: loaded.stage.as_ref().map(|s| s.account.clone()),
    };
    let options = Options {
        artifact_bucket: args.artifact_bucket.clone(),
        change_set_name: args
            .change_set_name
            .clone()
            .unwrap_or_else(default_change_set_name),
        fail_on: args
            .fail_on
            .iter()
            .map(|f| match f {
                FailOn::Broadening => Risk::Broadening,
                FailOn::DataLoss => Risk::DataLoss,
                FailOn::Unanalysed => Risk::Unanalysed,
            })
            .collect(),
        yes: args.yes,
        no_execute: args.no_execute,
        poll: poll_interval(),
        color: io.color_stdout,
        role_arn: args.role_arn.clone(),
    };
    let region = loaded
        .stage
        .as_ref()
        .map(|s| s.region.clone())
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok());
    let fallback = loaded.spec.region.as_ref().map(|r| r.value.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("async runtime: {e}")))?;
    let mut summary = match &args.summary {
        Some(path) => Some(std::fs::File::create(path).map_err(|e| Error::io(path, e))?),
        None => None,
    };
    let mut ask = |question: &str| -> std::io::Result<bool> {
        eprint!("{question} [y/N] ");
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let mut console = Console {
        out: io.stdout,
        progress: io.stderr,
        confirm: if interactive {
            Some(&mut ask as &mut dyn FnMut(&str) -> std::io::Result<bool>)
        } else {
            None
        },
        summary: summary.as_mut().map(|f| f as &mut dyn std::io::Write),
    };
    let outcome = runtime.block_on(async {
        let mut clients = Clients::from_environment(region.as_deref()).await;
        if clients.cloudformation.config().region().is_none() {
            match &fallback {
                Some(region) => clients = Clients::from_environment(Some(region)).await,
                None => {
                    return Err(Error::Usage(
                        "no AWS region: set AWS_REGION, a profile's region, or `region:` in the spec (or deploy an environment)".into(),
                    ));
                }
            }
        }
        deploy::deploy(&clients, &stack, &options, &mut console).await
    })?;
    if let Outcome::NoChanges = outcome
        && let Some(summary) = console.summary.as_deref_mut()
    {
        let _ = writeln!(summary, "### {}: no changes to deploy", stack.name);
    }
    Ok(())
}

/// `palisade-20261207T045900Z`: unique per second, and sorts by time.
fn default_change_set_name() -> String {
    let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    let text = now
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    let compact: String = text
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    format!("palisade-{compact}Z")
}

/// How often CloudFormation is polled: every 2 s, or
/// `PALISADE_DEPLOY_POLL_MS` (the emulator tests poll fast).
fn poll_interval() -> Duration {
    let ms = std::env::var("PALISADE_DEPLOY_POLL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    Duration::from_millis(ms)
}
