//! `palisade deploy`: a compiled stack to CloudFormation through a reviewed
//! change set. Upload the content-addressed function zips that are not
//! there yet, create a named change set, show it as Palisade's diff with
//! CloudFormation's own replacement and scope answers, stop on `--fail-on`
//! or ask, execute, and follow the stack's events to a terminal state.

pub mod aws;
pub mod render;

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, Parameter, StackStatus,
};
use serde_json::{Value, json};

pub use aws::Clients;

use crate::diff::{self, Risk};
use crate::error::{Error, Result};

/// The template parameter that names the artifact bucket.
pub const ARTIFACT_BUCKET: &str = "ArtifactBucket";
/// The output naming the role CloudFormation provisions as (`deploy_role:`).
pub const EXECUTION_ROLE_OUTPUT: &str = "CloudFormationExecutionRoleArn";
/// CloudFormation's limit on a template passed inline; a larger one is
/// uploaded beside the zips and passed by URL.
pub const MAX_TEMPLATE_BODY: usize = 51_200;

/// What is deployed: the compiled stack and where it goes.
#[derive(Debug, Clone)]
pub struct Stack {
    /// The stack's name: the service's (with the environment's suffix).
    pub name: String,
    /// The final template.
    pub template: Value,
    /// Function zips by S3 key (`<service>/<function>-<hash>.zip`).
    pub packages: Vec<(String, Vec<u8>)>,
    /// Nested stacks' templates by S3 key (the root's `TemplateURL`s,
    /// `<service>/stacks/<name>-<hash>.json`); empty for one template.
    pub children: Vec<(String, Vec<u8>)>,
    /// The account the environment names; credentials for another are refused.
    pub account: Option<String>,
}

/// How the deploy proceeds.
#[derive(Debug, Clone)]
pub struct Options {
    pub artifact_bucket: String,
    pub change_set_name: String,
    /// Stop before executing when the change has one of these.
    pub fail_on: Vec<Risk>,
    /// Execute without asking.
    pub yes: bool,
    /// Create and show the change set, and leave it for review.
    pub no_execute: bool,
    /// Between two polls of the change set or the stack.
    pub poll: Duration,
    /// Colour the diff.
    pub color: bool,
    /// The role CloudFormation provisions as. Default: the stack's
    /// `CloudFormationExecutionRoleArn` output, if it has one.
    pub role_arn: Option<String>,
}

/// How a deploy ended, when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The stack already matches: no change set is left.
    NoChanges,
    /// `--no-execute`: the change set awaits review.
    Left { change_set: String },
    /// Executed; the stack reached this status.
    Deployed { status: String },
}

/// Asks a yes/no question; `Ok(true)` is yes.
pub type Confirm = dyn FnMut(&str) -> std::io::Result<bool>;

/// What `deploy` prints and asks.
pub struct Console<'a> {
    /// The change set's rendering (what a reviewer reads).
    pub out: &'a mut dyn Write,
    /// Progress: uploads, status, stack events.
    pub progress: &'a mut dyn Write,
    /// Asks whether to execute; `None` when nobody can be asked (no TTY).
    pub confirm: Option<&'a mut Confirm>,
    /// Where the change set summary is also written in Markdown
    /// (`--summary`), for a pull request or a job summary.
    pub summary: Option<&'a mut dyn Write>,
}

/// An AWS call that failed, in words: the operation and the service's answer.
fn aws_error<E>(what: &str, err: aws_sdk_cloudformation::error::SdkError<E>) -> Error
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let detail = match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => aws_smithy_types::error::display::DisplayErrorContext(&err).to_string(),
    };
    Error::Usage(format!("{what}: {detail}"))
}

fn say(w: &mut dyn Write, text: std::fmt::Arguments) -> Result<()> {
    w.write_fmt(text)
        .and_then(|()| w.write_all(b"\n"))
        .map_err(|e| Error::io("<stderr>", e))
}

/// The stack as CloudFormation has it now, if it exists.
struct Current {
    status: StackStatus,
    /// `None` when the template could not be read (the generated deploy
    /// role may drive change sets but not read templates).
    template: Option<Value>,
    /// The stack's `CloudFormationExecutionRoleArn` output (a spec with
    /// `deploy_role:`): the role CloudFormation provisions as.
    execution_role: Option<String>,
}

async fn current(clients: &Clients, stack: &str) -> Result<Option<Current>> {
    let described = match clients
        .cloudformation
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
    {
        Ok(described) => described,
        Err(err) if err.message().is_some_and(|m| m.contains("does not exist")) => {
            return Ok(None);
        }
        Err(err) => return Err(aws_error(&format!("describing stack {stack}"), err)),
    };
    let Some(found) = described.stacks().first() else {
        return Ok(None);
    };
    let status = found
        .stack_status()
        .cloned()
        .unwrap_or(StackStatus::ReviewInProgress);
    // A stack that only holds a change set never deployed anything.
    if status == StackStatus::ReviewInProgress {
        return Ok(Some(Current {
            status,
            template: Some(json!({ "Resources": {} })),
            execution_role: None,
        }));
    }
    let execution_role = found
        .outputs()
        .iter()
        .find(|o| o.output_key() == Some(EXECUTION_ROLE_OUTPUT))
        .and_then(|o| o.output_value())
        .map(str::to_string);
    let template = match clients
        .cloudformation
        .get_template()
        .stack_name(stack)
        .send()
        .await
    {
        Ok(body) => diff::load::parse_template(body.template_body().unwrap_or("{}")).ok(),
        Err(err) if err.code() == Some("AccessDenied") => None,
        Err(err) => return Err(aws_error(&format!("reading stack {stack}'s template"), err)),
    };
    Ok(Some(Current {
        status,
        template,
        execution_role,
    }))
}

/// Every change of a nested change set (`--include-nested-stacks`), with
/// property values, all pages.
async fn nested_changes(
    cfn: &aws_sdk_cloudformation::Client,
    set_id: &str,
) -> Result<Vec<aws_sdk_cloudformation::types::Change>> {
    let mut changes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let described = cfn
            .describe_change_set()
            .change_set_name(set_id)
            .include_property_values(true)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| aws_error("describing a nested stack's change set", e))?;
        changes.extend(described.changes().iter().cloned());
        token = described.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(changes);
        }
    }
}

/// Deploys `stack`. Errors: `Usage` (exit 2) for what AWS refused or a
/// stack that cannot take a change; `CheckFailed` (exit 1) for a change
/// stopped by `--fail-on`, declined, or that failed and rolled back.
pub async fn deploy(
    clients: &Clients,
    stack: &Stack,
    options: &Options,
    console: &mut Console<'_>,
) -> Result<Outcome> {
    let cfn = &clients.cloudformation;
    let name = stack.name.as_str();
    let now = current(clients, name).await?;
    let set_type = match &now {
        None => ChangeSetType::Create,
        Some(c) if c.status == StackStatus::ReviewInProgress => ChangeSetType::Create,
        Some(c) if c.status == StackStatus::RollbackComplete => {
            return Err(Error::CheckFailed(format!(
                "stack {name} is ROLLBACK_COMPLETE: its first deploy failed and it holds nothing; delete it (`aws cloudformation delete-stack --stack-name {name}`) and deploy again"
            )));
        }
        Some(c) if c.status.as_str().ends_with("_IN_PROGRESS") => {
            return Err(Error::CheckFailed(format!(
                "stack {name} is {}: wait until it finishes",
                c.status.as_str()
            )));
        }
        Some(_) => ChangeSetType::Update,
    };
    let old = match &now {
        None => Some(json!({ "Resources": {} })),
        Some(c) => c.template.clone(),
    };
    let role_arn = options
        .role_arn
        .clone()
        .or_else(|| now.as_ref().and_then(|c| c.execution_role.clone()));

    // The template: inline when CloudFormation takes it so, else by URL.
    let body = serde_json::to_string(&stack.template)
        .map_err(|e| Error::Internal(format!("template: {e}")))?;
    let mut create = cfn
        .create_change_set()
        .stack_name(name)
        .change_set_name(&options.change_set_name)
        .change_set_type(set_type.clone())
        .description("palisade deploy")
        .capabilities(Capability::CapabilityIam)
        .capabilities(Capability::CapabilityNamedIam)
        .parameters(
            Parameter::builder()
                .parameter_key(ARTIFACT_BUCKET)
                .parameter_value(&options.artifact_bucket)
                .build(),
        );
    if let Some(role) = &role_arn {
        create = create.role_arn(role);
    }
    // CloudFormation reads the nested templates when it makes the change
    // set, and shows their changes only in nested change sets.
    upload_all(clients, &options.artifact_bucket, &stack.children, console).await?;
    if !stack.children.is_empty() {
        create = create.include_nested_stacks(true);
    }
    if body.len() <= MAX_TEMPLATE_BODY {
        create = create.template_body(body);
    } else {
        let key = format!("{name}/templates/{}.json", sha256_hex(body.as_bytes()));
        upload(
            clients,
            &options.artifact_bucket,
            &key,
            body.into_bytes(),
            console,
        )
        .await?;
        let region = cfn
            .config()
            .region()
            .map_or("us-east-1".to_string(), |r| r.to_string());
        create = create.template_url(format!(
            "https://{}.s3.{region}.amazonaws.com/{key}",
            options.artifact_bucket
        ));
    }
    let created = match create.send().await {
        Ok(created) => created,
        // CloudFormation answers an identical template with a failed change
        // set (below); some emulators refuse the call instead.
        Err(err) if err.message().is_some_and(no_changes) => {
            say(
                console.progress,
                format_args!("{name}: no changes to deploy"),
            )?;
            return Ok(Outcome::NoChanges);
        }
        Err(err) => return Err(aws_error(&format!("creating a change set for {name}"), err)),
    };
    let set_id = created.id().unwrap_or(&options.change_set_name).to_string();
    let discard = || async {
        let _ = cfn
            .delete_change_set()
            .stack_name(name)
            .change_set_name(&set_id)
            .send()
            .await;
        // A stack made only to hold the change set goes with it.
        if set_type == ChangeSetType::Create {
            let _ = cfn.delete_stack().stack_name(name).send().await;
        }
    };
    if let (Some(want), Some(got)) = (&stack.account, created.stack_id().and_then(account_of))
        && want != got
    {
        discard().await;
        return Err(Error::Usage(format!(
            "the credentials are for account {got}, but the environment deploys to account {want}; nothing was deployed"
        )));
    }

    upload_all(clients, &options.artifact_bucket, &stack.packages, console).await?;

    // Wait for CloudFormation to compute the change set.
    let mut described = loop {
        let d = cfn
            .describe_change_set()
            .stack_name(name)
            .change_set_name(&set_id)
            .include_property_values(true)
            .send()
            .await
            .map_err(|e| aws_error("describing the change set", e))?;
        match d.status() {
            Some(ChangeSetStatus::CreateComplete) => break d,
            Some(ChangeSetStatus::Failed) => {
                let reason = d.status_reason().unwrap_or("no reason given").to_string();
                discard().await;
                if no_changes(&reason) {
                    say(
                        console.progress,
                        format_args!("{name}: no changes to deploy"),
                    )?;
                    return Ok(Outcome::NoChanges);
                }
                return Err(Error::CheckFailed(format!(
                    "CloudFormation could not create the change set for {name}: {reason}"
                )));
            }
            _ => tokio::time::sleep(options.poll).await,
        }
    };
    let mut changes: Vec<aws_sdk_cloudformation::types::Change> = described.changes().to_vec();
    while let Some(token) = described.next_token().map(str::to_string) {
        described = cfn
            .describe_change_set()
            .stack_name(name)
            .change_set_name(&set_id)
            .include_property_values(true)
            .next_token(token)
            .send()
            .await
            .map_err(|e| aws_error("describing the change set", e))?;
        changes.extend(described.changes().iter().cloned());
    }
    if changes.is_empty() {
        discard_set(cfn, name, &set_id).await;
        say(
            console.progress,
            format_args!("{name}: no changes to deploy"),
        )?;
        return Ok(Outcome::NoChanges);
    }

    let mut set_json = render::change_set_json(&changes);
    for change in &changes {
        let Some(rc) = change.resource_change() else {
            continue;
        };
        let (Some(parent), Some(nested_id)) = (rc.logical_resource_id(), rc.change_set_id()) else {
            continue;
        };
        if rc.resource_type() != Some("AWS::CloudFormation::Stack") {
            continue;
        }
        let nested = nested_changes(cfn, nested_id).await?;
        render::splice_nested(&mut set_json, parent, &render::change_set_json(&nested));
    }
    let report = match &old {
        Some(old) => render::report(old, &stack.template, &set_json)?,
        None => {
            say(
                console.progress,
                format_args!(
                    "{name}: the deployed template cannot be read (cloudformation:GetTemplate denied); the changes are classified from the change set's property values"
                ),
            )?;
            diff::plan::change_set("change set", &set_json)?
        }
    };
    let heading = format!(
        "Change set {} for stack {name} ({}, {} changes)",
        options.change_set_name,
        if set_type == ChangeSetType::Create {
            "new stack"
        } else {
            "update"
        },
        changes.len()
    );
    let text = render::text(&heading, &report, &set_json, options.color);
    console
        .out
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("<stdout>", e))?;
    if let Some(summary) = console.summary.as_deref_mut() {
        summary
            .write_all(render::markdown(&heading, &report, &set_json).as_bytes())
            .map_err(|e| Error::io("--summary", e))?;
    }

    let matched: Vec<&str> = options
        .fail_on
        .iter()
        .filter(|risk| report.has_unaccepted(**risk))
        .map(|risk| risk.as_str())
        .collect();
    if !matched.is_empty() {
        discard().await;
        return Err(Error::CheckFailed(format!(
            "the change has {} changes (--fail-on): not executed, change set deleted",
            matched.join(" and ")
        )));
    }
    if options.no_execute {
        say(
            console.progress,
            format_args!(
                "left change set {} for review (--no-execute): execute it with `aws cloudformation execute-change-set --change-set-name {set_id}`",
                options.change_set_name
            ),
        )?;
        return Ok(Outcome::Left { change_set: set_id });
    }
    if !options.yes {
        let question = format!("Execute change set {} on {name}?", options.change_set_name);
        let approved = match console.confirm.as_deref_mut() {
            Some(ask) => ask(&question).map_err(|e| Error::io("<stdin>", e))?,
            None => {
                return Err(Error::Usage(format!(
                    "not executed: nobody to confirm (stdin is not a terminal); pass --yes to execute, or --no-execute to leave change set {} for review (it is left)",
                    options.change_set_name
                )));
            }
        };
        if !approved {
            return Err(Error::CheckFailed(format!(
                "not executed; change set {} is left for review",
                options.change_set_name
            )));
        }
    }

    // Events already there (an earlier deploy's) are not this one's.
    let mut seen: HashSet<String> = recent_events(cfn, name)
        .await?
        .into_iter()
        .filter_map(|e| e.event_id().map(str::to_string))
        .collect();
    cfn.execute_change_set()
        .stack_name(name)
        .change_set_name(&set_id)
        .send()
        .await
        .map_err(|e| aws_error("executing the change set", e))?;
    say(
        console.progress,
        format_args!("{name}: executing {}", options.change_set_name),
    )?;
    let mut first_failure: Option<String> = None;
    // Progress: the changed resources that have finished, of all of them.
    let total = changes.len();
    let mut finished: HashSet<String> = HashSet::new();
    let status = loop {
        let status = cfn
            .describe_stacks()
            .stack_name(name)
            .send()
            .await
            .map_err(|e| aws_error(&format!("describing stack {name}"), e))?
            .stacks()
            .first()
            .and_then(|s| s.stack_status().cloned());
        // Events after the status, so the last events of a finished stack
        // are printed before it is reported finished.
        let mut fresh: Vec<_> = recent_events(cfn, name)
            .await?
            .into_iter()
            .filter(|e| e.event_id().is_some_and(|id| seen.insert(id.to_string())))
            .collect();
        fresh.reverse();
        for event in &fresh {
            let status = event.resource_status().map_or("", |s| s.as_str());
            let reason = event.resource_status_reason().unwrap_or("");
            if first_failure.is_none()
                && status.ends_with("_FAILED")
                && event.resource_type() != Some("AWS::CloudFormation::Stack")
            {
                first_failure = Some(format!(
                    "{} ({}): {reason}",
                    event.logical_resource_id().unwrap_or("?"),
                    event.resource_type().unwrap_or("?")
                ));
            }
            let at = event
                .timestamp()
                .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
                .map(|t| t.get(11..19).unwrap_or_default().to_string())
                .unwrap_or_default();
            let logical = event.logical_resource_id().unwrap_or("");
            if event.resource_type() != Some("AWS::CloudFormation::Stack")
                && (status.ends_with("_COMPLETE") || status.ends_with("_FAILED"))
            {
                finished.insert(logical.to_string());
            }
            let done = finished.len().min(total);
            let line = format!(
                "  {at}  [{done:>3}/{total}] {status:<28} {logical:<40} {}{}",
                event.resource_type().unwrap_or(""),
                if reason.is_empty() {
                    String::new()
                } else {
                    format!("  {reason}")
                }
            );
            say(console.progress, format_args!("{}", line.trim_end()))?;
        }
        match status {
            Some(s) if !s.as_str().ends_with("_IN_PROGRESS") => break s,
            None => {
                return Err(Error::CheckFailed(format!(
                    "stack {name} disappeared during the deploy"
                )));
            }
            Some(_) => tokio::time::sleep(options.poll).await,
        }
    };
    match status {
        StackStatus::CreateComplete | StackStatus::UpdateComplete => {
            say(
                console.progress,
                format_args!("{name}: {}", status.as_str()),
            )?;
            Ok(Outcome::Deployed {
                status: status.as_str().to_string(),
            })
        }
        other => {
            let rollback = match other {
                StackStatus::RollbackComplete => {
                    "rolled back: the new stack holds nothing; delete it before deploying again"
                }
                StackStatus::UpdateRollbackComplete => {
                    "rolled back: the stack is as it was before this deploy"
                }
                StackStatus::RollbackFailed | StackStatus::UpdateRollbackFailed => {
                    "the rollback failed too: the stack needs attention in the console"
                }
                _ => "the stack did not reach a complete state",
            };
            let first =
                first_failure.map_or_else(String::new, |f| format!("\n  first failure: {f}"));
            Err(Error::CheckFailed(format!(
                "the deploy of {name} failed ({}){first}\n  {rollback}",
                other.as_str()
            )))
        }
    }
}

async fn discard_set(cfn: &aws_sdk_cloudformation::Client, stack: &str, set: &str) {
    let _ = cfn
        .delete_change_set()
        .stack_name(stack)
        .change_set_name(set)
        .send()
        .await;
}

/// The newest page of the stack's events (newest first).
async fn recent_events(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Vec<aws_sdk_cloudformation::types::StackEvent>> {
    let events = cfn
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| aws_error(&format!("reading stack {stack}'s events"), e))?;
    Ok(events.stack_events().to_vec())
}

/// Puts `bytes` at `key` unless an object is there already: keys are
/// content-addressed, so an object at the key is this content.
/// [`upload`] of each `(key, bytes)`.
async fn upload_all(
    clients: &Clients,
    bucket: &str,
    objects: &[(String, Vec<u8>)],
    console: &mut Console<'_>,
) -> Result<()> {
    for (key, bytes) in objects {
        upload(clients, bucket, key, bytes.clone(), console).await?;
    }
    Ok(())
}

async fn upload(
    clients: &Clients,
    bucket: &str,
    key: &str,
    bytes: Vec<u8>,
    console: &mut Console<'_>,
) -> Result<()> {
    match clients
        .s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
    {
        Ok(_) => {
            return say(
                console.progress,
                format_args!("s3://{bucket}/{key}: already uploaded"),
            );
        }
        Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => {}
        // Without s3:ListBucket (the generated deploy role has none), S3
        // answers 403 for a key that does not exist.
        Err(err)
            if err
                .raw_response()
                .is_some_and(|r| r.status().as_u16() == 403) => {}
        Err(err) => return Err(aws_error(&format!("checking s3://{bucket}/{key}"), err)),
    }
    let size = bytes.len();
    clients
        .s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(bytes.into())
        .send()
        .await
        .map_err(|e| aws_error(&format!("uploading s3://{bucket}/{key}"), e))?;
    say(
        console.progress,
        format_args!("s3://{bucket}/{key}: uploaded ({size} bytes)"),
    )
}

/// CloudFormation's ways of saying a template changes nothing.
fn no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// The account of a CloudFormation ARN (`arn:aws:cloudformation:REGION:ACCOUNT:…`).
fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The nested templates the root's stack resources point at, by the S3 key
/// in their `TemplateURL` (`https://${ArtifactBucket}.s3.${AWS::Region}.
/// ${AWS::URLSuffix}/<key>`), read from the build's
/// `cloudformation/stacks/<file>`: exactly what CloudFormation will fetch.
pub fn children(
    root: &Value,
    outputs: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut found = Vec::new();
    for (id, resource) in root["Resources"].as_object().into_iter().flatten() {
        if resource["Type"] != "AWS::CloudFormation::Stack" {
            continue;
        }
        let url = resource["Properties"]["TemplateURL"]["Fn::Sub"]
            .as_str()
            .ok_or_else(|| Error::Internal(format!("nested stack {id} has no TemplateURL")))?;
        let key = url
            .split_once("${AWS::URLSuffix}/")
            .map(|(_, key)| key)
            .filter(|key| !key.is_empty())
            .ok_or_else(|| {
                Error::Internal(format!("nested stack {id}: unexpected TemplateURL {url}"))
            })?;
        let file = key.rsplit('/').next().unwrap_or(key);
        let text = outputs
            .get(&format!("cloudformation/stacks/{file}"))
            .ok_or_else(|| {
                Error::Internal(format!("nested stack {id}: the build wrote no {file}"))
            })?;
        found.push((key.to_string(), text.clone()));
    }
    Ok(found)
}

/// The function zips of a build matched to the S3 keys the template names:
/// a key is `<service>/<function>-<short hash>.zip`, and the short hash must
/// be a prefix of the zip's SHA-256, so only the content that was compiled
/// into the template is uploaded under its key.
pub fn packages(template: &Value, zips: &[(String, Vec<u8>)]) -> Result<Vec<(String, Vec<u8>)>> {
    let keys: Vec<&str> = template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::Function")
        .filter_map(|(_, r)| r["Properties"]["Code"]["S3Key"].as_str())
        .collect();
    let mut found = Vec::new();
    for key in keys {
        let short = key
            .strip_suffix(".zip")
            .and_then(|k| k.rsplit('-').next())
            .unwrap_or_default();
        let zip = zips
            .iter()
            .find(|(_, bytes)| !short.is_empty() && sha256_hex(bytes).starts_with(short));
        match zip {
            Some((_, bytes)) => found.push((key.to_string(), bytes.clone())),
            None => {
                return Err(Error::Internal(format!(
                    "no function package matches the template's S3 key {key}"
                )));
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}
