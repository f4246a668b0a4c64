//! `palisade init NAME`: scaffold a service that builds and passes the
//! scanners from its first commit. Nothing is written unless every file can
//! be: an invalid name, or a file that already exists (without `--force`),
//! stops it first.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::Io;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::scaffold::{self, Feature, Options};
use crate::spec::Loc;
use crate::spec::runtime::{self, Family};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Service name, kebab-case (it prefixes every resource name).
    pub name: String,
    /// Lambda runtime of the functions. Default: the newest Python.
    #[arg(long)]
    pub runtime: Option<String>,
    /// Directory to create the service in. Default: ./NAME.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// What to build in, comma-separated.
    #[arg(long = "with", value_enum, value_delimiter = ',')]
    pub features: Vec<Feature>,
    /// Which API `--with api` builds: `http` (API Gateway HTTP API, any OIDC
    /// issuer) or `rest` (REST API with AWS WAF, usage plans and API keys;
    /// any OIDC issuer, through Palisade's authorizer function). Implies
    /// `--with api`.
    #[arg(long, value_enum, value_name = "TYPE")]
    pub api: Option<ApiKind>,
    /// `owner/repo` that may deploy: adds `deploy_role:` and a deploy job
    /// that uses GitHub's OIDC provider (no stored keys).
    #[arg(long, value_name = "OWNER/REPO")]
    pub github: Option<String>,
    /// Email address the alarms notify (`alerts.email`). Default: a
    /// placeholder at example.com that `palisade check` reports until you
    /// replace it.
    #[arg(long, value_name = "EMAIL")]
    pub alerts: Option<String>,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
    /// The Palisade repository the generated workflow installs from
    /// (`cargo install --git`): one your team controls.
    #[arg(long, value_name = "URL", requires = "palisade_rev")]
    pub palisade_git: Option<String>,
    /// The full commit SHA of that repository you reviewed (40 hex digits).
    #[arg(long, value_name = "SHA", requires = "palisade_git")]
    pub palisade_rev: Option<String>,
}

pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let palisade_source = match (&args.palisade_git, &args.palisade_rev) {
        (Some(url), Some(rev)) => {
            // Written into the workflow's YAML: only URL characters.
            let url_ok = url.starts_with("https://")
                && url
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~:/@%+".contains(c));
            let rev_ok = rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit());
            if !url_ok {
                return Err(Error::Usage(format!(
                    "--palisade-git {url}: give an https:// repository URL"
                )));
            }
            if !rev_ok || rev.bytes().all(|b| b == b'0') {
                return Err(Error::Usage(format!(
                    "--palisade-rev {rev}: give the full 40-digit commit SHA you reviewed"
                )));
            }
            Some((url.clone(), rev.to_ascii_lowercase()))
        }
        _ => None,
    };
    let options = Options {
        palisade_source,
        name: args.name.clone(),
        runtime: args
            .runtime
            .clone()
            .unwrap_or_else(|| runtime::newest(Family::Python).id.to_string()),
        features: args
            .features
            .iter()
            .copied()
            .chain(args.api.map(|_| Feature::Api))
            .collect::<BTreeSet<_>>(),
        api: match args.api {
            Some(ApiKind::Rest) => crate::spec::ApiType::Rest,
            Some(ApiKind::Http) | None => crate::spec::ApiType::Http,
        },
        github: args.github.clone(),
        alerts: args.alerts.clone(),
    };
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    // The spec was never written: name the argument each problem came from,
    // not a line of a file the user has not seen.
    let files = scaffold::files(&options).map_err(|invalid| Error::Invalid {
        diagnostics: invalid
            .diagnostics
            .into_iter()
            .map(|d| {
                let value = invalid
                    .text
                    .get(d.span.offset..d.span.offset + d.span.length)
                    .unwrap_or("");
                let argument = [
                    (Some(args.name.as_str()), "NAME"),
                    (args.runtime.as_deref(), "--runtime"),
                    (args.github.as_deref(), "--github"),
                    (args.alerts.as_deref(), "--alerts"),
                ]
                .into_iter()
                .find(|(given, _)| *given == Some(value))
                .map_or("palisade init", |(_, argument)| argument);
                Diagnostic {
                    file: format!("`palisade init` {argument}"),
                    ..Diagnostic::error(d.code(), Loc::default(), d.message)
                }
                .with_optional_suggestion(d.suggestion)
            })
            .collect(),
        sources: Vec::new(),
    })?;
    let existing: Vec<String> = files
        .iter()
        .map(|f| dir.join(&f.path))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(Error::Usage(format!(
            "refusing to overwrite existing files (nothing was written; --force overwrites them):\n  {}",
            existing.join("\n  ")
        )));
    }
    for file in &files {
        crate::output::write_atomic(&dir.join(&file.path), file.text.as_bytes())?;
    }
    let _ = writeln!(
        io.stderr,
        "created {} files in {}\nnext: cd {} && palisade build",
        files.len(),
        dir.display(),
        shell_path(&dir),
    );
    if args.alerts.is_none() {
        let _ = writeln!(
            io.stderr,
            "alarms email {}, a placeholder: set `alerts.email` in {} (or pass --alerts EMAIL)",
            scaffold::PLACEHOLDER_ALERTS_EMAIL,
            scaffold::SPEC_FILE
        );
    }
    Ok(())
}

/// The directory as the user would type it after `cd`.
fn shell_path(dir: &Path) -> String {
    let text = dir.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// `--api`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ApiKind {
    /// An HTTP API (API Gateway v2) with a JWT authorizer for any OIDC issuer.
    Http,
    /// A REST API with AWS WAF, usage plans and API keys (any OIDC issuer).
    Rest,
}

// The command line's names for `init`'s features; the library knows no clap.
impl clap::ValueEnum for Feature {
    fn value_variants<'a>() -> &'a [Self] {
        &Feature::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (name, help) = match self {
            Feature::Api => ("api", "An HTTP API with a JWT authorizer and two routes"),
            Feature::Table => ("table", "A DynamoDB table the functions read and write"),
            Feature::Queue => (
                "queue",
                "A queue with a consumer function (and its dead-letter queue)",
            ),
            Feature::Bucket => ("bucket", "A bucket whose uploads start a function"),
            Feature::Schedule => ("schedule", "A function that runs every day"),
            Feature::Secret => (
                "secret",
                "A secret one function reads (shows the secret-fetch pattern)",
            ),
        };
        Some(clap::builder::PossibleValue::new(name).help(help))
    }
}
