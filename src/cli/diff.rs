//! `palisade diff OLD NEW | --base GIT_REF [SPEC]`: what a change does to the
//! generated stack, with the changes that widen access or can lose data first.

use super::{DEFAULT_SPEC, Io};
use crate::diff::{self, Risk, load};
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Two specs, two CloudFormation templates (JSON or YAML) or two
    /// Terraform module directories; with `--base`, at most one spec
    /// (default ./palisade.yaml).
    #[arg(num_args = 0..=2)]
    pub inputs: Vec<String>,
    /// Compare the spec as it is at this git ref (read with `git show`, no
    /// checkout) against the working copy.
    #[arg(long, value_name = "GIT_REF")]
    pub base: Option<String>,
    /// Which stack to compare. Default: every one both inputs have (both
    /// for specs; for templates or directories, the one given).
    #[arg(long, value_enum)]
    pub target: Option<Targets>,
    /// Report format. An invalid input's diagnostics are JSON on stdout
    /// with `json`, text on stderr otherwise.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when a change of one of these classes exists.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub fail_on: Vec<FailOn>,
    /// Classify a Terraform plan instead (`terraform show -json plan.out >
    /// plan.json`), for any Terraform, Palisade's or not.
    #[arg(long, value_name = "PLAN_JSON", conflicts_with_all = ["base", "change_set"])]
    pub plan: Option<String>,
    /// A CloudFormation change set (`aws cloudformation describe-change-set
    /// --include-property-values --output json`): classified on its own, or,
    /// with two templates or specs, CloudFormation's replacement answers
    /// merged into their diff.
    #[arg(long, value_name = "CHANGE_SET_JSON")]
    pub change_set: Option<String>,
    /// Reviewed data-loss changes to accept: a YAML file of `accept:`
    /// entries, each a `resource` (logical ID or Terraform address) and a
    /// `reason`. An accepted change is shown as accepted and does not fail
    /// `--fail-on data-loss`. Default with `--base`: `.palisade/accept.yaml`
    /// beside the spec, when it exists.
    #[arg(long, value_name = "ACCEPT_YAML")]
    pub accept: Option<String>,
    /// Also write the whole report, unshortened, to this file (Markdown
    /// comments are kept under 60,000 characters; this is for the job
    /// summary or an artifact). Same format as `--format`.
    #[arg(long, value_name = "PATH")]
    pub full_output: Option<String>,
    /// Compare the spec as deployed to this environment (`environments:`);
    /// given twice (`--env staging --env prod`), how the two stages of one
    /// spec differ.
    #[arg(long, value_name = "NAME")]
    pub env: Vec<String>,
}

use super::Targets;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Counts, then each change, risky ones first.
    Text,
    /// A pull-request comment.
    Markdown,
    /// The versioned shape in docs/diff-json.md.
    Json,
}

impl Format {
    /// How an invalid input's diagnostics are printed.
    pub fn diagnostics(self) -> super::DiagnosticFormat {
        match self {
            Format::Json => super::DiagnosticFormat::Json,
            Format::Text | Format::Markdown => super::DiagnosticFormat::Text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Broadening,
    DataLoss,
    /// A change Palisade could not analyse (a person must review it).
    Unanalysed,
}

/// A JSON file given to `--plan` or `--change-set`.
fn read_json(path: &str) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Usage(format!("{path}: not JSON: {e}")))
}

pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let planned = match (&args.plan, &args.change_set) {
        (Some(plan), _) if args.inputs.is_empty() => {
            Some(diff::plan::terraform(plan, &read_json(plan)?)?)
        }
        (None, Some(set)) if args.inputs.is_empty() && args.base.is_none() => {
            Some(diff::plan::change_set(set, &read_json(set)?)?)
        }
        (Some(_), _) => {
            return Err(Error::Usage(
                "--plan takes the plan alone, without inputs".into(),
            ));
        }
        _ => None,
    };
    if let Some(mut report) = planned {
        accept(args, None, &mut report)?;
        return finish(args, io, &report, None);
    }
    let env = match args.env.as_slice() {
        [] => None,
        [one] => Some(one.as_str()),
        [_, _] => None,
        _ => {
            return Err(Error::Usage(
                "--env is given once, or twice to compare two environments".into(),
            ));
        }
    };
    let (old, new) = match (&args.base, args.inputs.as_slice(), args.env.as_slice()) {
        (None, [] | [_], [first, second]) => {
            let spec = args.inputs.first().map_or(DEFAULT_SPEC, String::as_str);
            load::both(
                || load::read_in(spec, Some(first)),
                || load::read_in(spec, Some(second)),
            )?
        }
        (_, _, [_, _]) => {
            return Err(Error::Usage(
                "--env twice compares two environments of one spec: give at most one spec and no --base".into(),
            ));
        }
        (Some(base), [] | [_], _) => {
            let spec = args.inputs.first().map_or(DEFAULT_SPEC, String::as_str);
            load::both(
                || load::at_git_ref_in(base, spec, env),
                || load::read_in(spec, env),
            )?
        }
        (Some(_), _, _) => {
            return Err(Error::Usage("with --base, give at most one spec".into()));
        }
        (None, [old, new], _) => {
            load::both(|| load::read_in(old, env), || load::read_in(new, env))?
        }
        (None, _, _) => {
            return Err(Error::Usage(
                "give two specs or templates to compare, or --base GIT_REF [SPEC]".into(),
            ));
        }
    };
    let targets = match args.target {
        None => load::targets(&old, &new, None)?,
        Some(Targets::All) => diff::Target::ALL
            .into_iter()
            .map(|t| load::targets(&old, &new, Some(t)).map(|_| t))
            .collect::<Result<_>>()?,
        Some(Targets::CloudFormation) => {
            load::targets(&old, &new, Some(diff::Target::CloudFormation))?
        }
        Some(Targets::Terraform) => load::targets(&old, &new, Some(diff::Target::Terraform))?,
    };
    let mut report = diff::compare_on(&old, &new, &targets);
    if let Some(set) = &args.change_set {
        let theirs = diff::plan::change_set(set, &read_json(set)?)?;
        diff::plan::merge_replacements(&mut report, &theirs);
    }
    let spec = args.inputs.first().map_or(DEFAULT_SPEC, String::as_str);
    if let (Some(base), Some(old_graph), Some(_)) = (&args.base, old.graph(), new.graph()) {
        let existing: std::collections::BTreeSet<String> = old_graph
            .nodes()
            .filter(|n| n.kind == crate::graph::NodeKind::Function)
            .map(|n| n.name.clone())
            .collect();
        report.code_changes = load::code_changes(base, spec, &existing)?;
    }
    accept(args, args.base.as_ref().map(|_| spec), &mut report)?;
    finish(args, io, &report, old.graph().zip(new.graph()))
}

/// Applies `--accept` (or, with `--base`, the default file beside the spec).
fn accept(args: &Args, spec: Option<&str>, report: &mut diff::Report) -> Result<()> {
    let path = match (&args.accept, spec) {
        (Some(path), _) => path.clone(),
        (None, Some(spec)) => {
            let dir = std::path::Path::new(spec)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let path = dir.join(diff::accept::DEFAULT_PATH);
            if !path.is_file() {
                return Ok(());
            }
            path.display().to_string()
        }
        (None, None) => return Ok(()),
    };
    let entries = diff::accept::read(&path)?;
    report.unused_acceptances = diff::accept::apply(report, &entries);
    Ok(())
}

/// Prints the report and applies `--fail-on`.
fn finish(
    args: &Args,
    io: &mut Io,
    report: &diff::Report,
    graphs: Option<(&crate::graph::Graph, &crate::graph::Graph)>,
) -> Result<()> {
    let text = match args.format {
        Format::Text => diff::render::text(report, io.color_stdout),
        Format::Markdown => diff::render::markdown(report, graphs),
        Format::Json => diff::render::json(report),
    };
    if let Some(path) = &args.full_output {
        let full = match args.format {
            Format::Text => diff::render::text(report, false),
            Format::Markdown => diff::render::markdown_full(report, graphs),
            Format::Json => diff::render::json(report),
        };
        std::fs::write(path, full).map_err(|e| Error::io(path, e))?;
    }
    io.stdout
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("<stdout>", e))?;
    let matched: Vec<&str> = args
        .fail_on
        .iter()
        .map(|f| match f {
            FailOn::Broadening => Risk::Broadening,
            FailOn::DataLoss => Risk::DataLoss,
            FailOn::Unanalysed => Risk::Unanalysed,
        })
        .filter(|risk| report.has_unaccepted(*risk))
        .map(Risk::as_str)
        .collect();
    if matched.is_empty() {
        Ok(())
    } else {
        Err(Error::CheckFailed(format!(
            "the change has {} changes (--fail-on)",
            matched.join(" and ")
        )))
    }
}
