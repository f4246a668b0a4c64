//! The command line: one file per subcommand. Commands write to the writers
//! they are given, so tests run them without a process.

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::spec::{LoadedSpec, Source};

pub mod build;
mod check;
mod controls;
mod deploy;
mod diff;
mod graph;
mod init;
mod schema;
mod validate;

/// Compile a short service spec into secure-by-default CloudFormation and Terraform.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a new service: spec, handlers, README and CI workflow.
    Init(init::Args),
    /// Parse and validate a spec; write nothing.
    Validate(validate::Args),
    /// Compile a spec into CloudFormation and Terraform, function packages
    /// and a security report (dist/ next to the spec).
    Build(build::Args),
    /// Evaluate a spec against every control: applied, waived, violated.
    Check(check::Args),
    /// Show what a spec change does to the stack; flag broadening and data loss.
    Diff(diff::Args),
    /// Deploy the CloudFormation stack through a reviewed change set.
    Deploy(deploy::Args),
    /// List every security control Palisade applies.
    Controls(controls::ListArgs),
    /// Print a control's documentation.
    Explain(controls::ExplainArgs),
    /// Draw the service and its permissions (Mermaid or Graphviz DOT).
    Graph(graph::Args),
    /// Print the spec's JSON Schema (for editors).
    Schema,
    /// Print a shell completion script (e.g. `palisade completions bash >
    /// ~/.local/share/bash-completion/completions/palisade`).
    Completions(CompletionsArgs),
    /// Print the manual page in roff (e.g. `palisade man > palisade.1`).
    Man,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Which stacks a command works on (`--target`): one of the two
/// [`crate::catalog::Target`]s, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Targets {
    #[value(name = "cloudformation")]
    CloudFormation,
    Terraform,
    /// Both stacks, from the same plan.
    All,
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DiagnosticFormat {
    /// Human-readable, with source snippets, on stderr.
    #[default]
    Text,
    /// One JSON object on stdout: `{"diagnostics": [...]}`.
    Json,
}

/// Where a command's output goes.
pub struct Io<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Colour the stderr diagnostics.
    pub color: bool,
    /// Colour stdout (a terminal, and NO_COLOR unset).
    pub color_stdout: bool,
}

/// A process's entry: `entry` ([`main`] or [`deploy_main`]) on the real
/// arguments, stdout and stderr (coloured on a terminal unless NO_COLOR),
/// flushed before the process exits with its code.
pub fn run_process(entry: fn(std::env::ArgsOs, &mut Io) -> i32) -> ! {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let color = std::io::stderr().is_terminal() && !no_color;
    let color_stdout = std::io::stdout().is_terminal() && !no_color;
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    crate::process::exits_after_command();
    let code = entry(
        std::env::args_os(),
        &mut Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color,
            color_stdout,
        },
    );
    // `exit` skips destructors, so flush what is buffered first.
    let _ = stdout.flush();
    std::process::exit(code);
}

/// Runs the command line and returns the process exit code.
pub fn main(args: impl IntoIterator<Item = impl Into<OsString> + Clone>, io: &mut Io) -> i32 {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let text = err.render().to_string();
            let sink = if err.use_stderr() {
                &mut *io.stderr
            } else {
                &mut *io.stdout
            };
            let _ = sink.write_all(text.as_bytes());
            return code;
        }
    };
    // `--format json` means the same for every command that reads a spec:
    // diagnostics as one JSON object on stdout.
    let format = match &cli.command {
        Command::Validate(args) => args.format,
        Command::Build(args) => args.diagnostic_format,
        Command::Graph(args) => args.diagnostic_format,
        Command::Check(args) => args.format.diagnostics(),
        Command::Diff(args) => args.format.diagnostics(),
        Command::Deploy(_) => DiagnosticFormat::Text,
        Command::Init(_)
        | Command::Controls(_)
        | Command::Explain(_)
        | Command::Schema
        | Command::Completions(_)
        | Command::Man => DiagnosticFormat::Text,
    };
    let result = match cli.command {
        Command::Init(args) => init::run(&args, io),
        Command::Validate(args) => validate::run(&args, io),
        Command::Build(args) => build::run(&args, io),
        Command::Check(args) => check::run(&args, io),
        Command::Diff(args) => diff::run(&args, io),
        // The SDK lives in `palisade-deploy`, so that every other command
        // starts without its relocations (BENCHMARKS.md).
        Command::Deploy(_) => return deploy::delegate(args.get(2..).unwrap_or_default(), io),
        Command::Controls(args) => controls::list(&args, io),
        Command::Explain(args) => controls::explain(&args, io),
        Command::Graph(args) => graph::run(&args, io),
        Command::Schema => schema::run(io),
        Command::Completions(args) => completions(args.shell, io),
        Command::Man => man(io),
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            report(&err, format, io);
            err.exit_code()
        }
    }
}

/// `palisade-deploy`'s command line: `palisade deploy`'s arguments.
#[derive(Debug, Parser)]
#[command(
    name = "palisade deploy",
    version,
    about = "Deploy the CloudFormation stack through a reviewed change set."
)]
struct DeployCli {
    #[command(flatten)]
    args: deploy::Args,
}

/// The `palisade-deploy` executable, which `palisade deploy` runs: the
/// same arguments, exit codes and error reporting.
pub fn deploy_main(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    io: &mut Io,
) -> i32 {
    let cli = match DeployCli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let sink = if err.use_stderr() {
                &mut *io.stderr
            } else {
                &mut *io.stdout
            };
            let _ = sink.write_all(err.render().to_string().as_bytes());
            return code;
        }
    };
    match deploy::run(&cli.args, io) {
        Ok(()) => 0,
        Err(err) => {
            report(&err, DiagnosticFormat::Text, io);
            err.exit_code()
        }
    }
}

fn completions(shell: clap_complete::Shell, io: &mut Io) -> Result<()> {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "palisade", io.stdout);
    Ok(())
}

fn man(io: &mut Io) -> Result<()> {
    use clap::CommandFactory;
    clap_mangen::Man::new(Cli::command())
        .render(io.stdout)
        .map_err(|e| Error::io("<stdout>", e))
}

fn report(err: &Error, format: DiagnosticFormat, io: &mut Io) {
    match err {
        Error::Invalid {
            diagnostics,
            sources,
        } => {
            let _ = print_diagnostics(diagnostics, sources, format, io);
        }
        Error::Io { path, source } if format == DiagnosticFormat::Json => {
            let _ = print_diagnostics(&[unreadable(path, source)], &[], format, io);
        }
        other => {
            let _ = writeln!(io.stderr, "error: {other}");
            if let Error::Io { source, .. } = other
                && source.kind() == std::io::ErrorKind::NotFound
            {
                let _ = writeln!(io.stderr, "help: {NO_SPEC_HINT}");
            }
        }
    }
}

/// What to do when there is no spec where a command looks for one.
pub const NO_SPEC_HINT: &str = "run inside a service directory, pass the spec's path, or start a service with `palisade init NAME`";

/// A file that could not be read, as a diagnostic with no position in it
/// (line and column 0).
fn unreadable(path: &str, source: &std::io::Error) -> Diagnostic {
    let d = Diagnostic {
        file: path.to_string(),
        ..Diagnostic::error(
            crate::diagnostic::Code::Unreadable,
            crate::spec::Loc::default(),
            format!("cannot read `{path}`: {source}"),
        )
    };
    if source.kind() == std::io::ErrorKind::NotFound {
        d.with_suggestion(NO_SPEC_HINT)
    } else {
        d
    }
}

/// Prints diagnostics in the chosen format (text to stderr, JSON to stdout).
fn print_diagnostics(
    diagnostics: &[Diagnostic],
    sources: &[Source],
    format: DiagnosticFormat,
    io: &mut Io,
) -> std::io::Result<()> {
    match format {
        DiagnosticFormat::Json => {
            let json = serde_json::json!({ "diagnostics": diagnostics });
            writeln!(io.stdout, "{}", serde_json::to_string_pretty(&json)?)
        }
        DiagnosticFormat::Text => {
            let mut errors: std::collections::BTreeMap<&str, usize> = Default::default();
            for d in diagnostics {
                let text = sources
                    .iter()
                    .find(|s| s.path == d.file)
                    .map_or("", |s| s.text.as_str());
                writeln!(io.stderr, "{}\n", d.render(text, io.color))?;
                if d.severity == crate::diagnostic::Severity::Error {
                    *errors.entry(d.file.as_str()).or_default() += 1;
                }
            }
            for (file, count) in errors {
                let noun = if count == 1 { "error" } else { "errors" };
                writeln!(io.stderr, "{count} {noun} in {file}")?;
            }
            Ok(())
        }
    }
}

/// The spec path a command reads when none is given.
pub const DEFAULT_SPEC: &str = "palisade.yaml";

/// Reads and validates a spec file; errors carry the diagnostics to print.
pub fn load_spec(path: &str) -> Result<LoadedSpec> {
    let bytes = read_input(path)?;
    let base_dir = std::path::Path::new(path)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    crate::spec::load(path, &bytes, Some(base_dir)).map_err(|diagnostics| Error::Invalid {
        sources: std::str::from_utf8(&bytes)
            .ok()
            .map(|text| Source {
                path: path.to_string(),
                text: text.to_string(),
            })
            .into_iter()
            .collect(),
        diagnostics,
    })
}

/// [`load_spec`], staged for environment `env` when one is given (`--env`):
/// an unknown name is a usage error listing the known ones.
pub fn load_spec_in(path: &str, env: Option<&str>) -> Result<LoadedSpec> {
    let loaded = load_spec(path)?;
    let Some(name) = env else {
        return Ok(loaded);
    };
    crate::spec::environments::stage(&loaded, name).map_err(|err| match err {
        crate::spec::environments::StageError::Unknown(message) => Error::Usage(message),
        crate::spec::environments::StageError::Invalid(diagnostics) => Error::Invalid {
            diagnostics,
            sources: vec![loaded.source.clone()],
        },
    })
}

/// Reads a spec file, refusing anything far larger than a spec could be
/// before reading it into memory, and anything but a regular file.
fn read_input(path: &str) -> Result<Vec<u8>> {
    let limit = crate::spec::MAX_SPEC_BYTES as u64;
    match crate::input::read_limited(std::path::Path::new(path), limit) {
        Ok(bytes) => Ok(bytes),
        Err(Ok(size)) => Err(Error::Invalid {
            diagnostics: vec![crate::diagnostic::Diagnostic {
                file: path.to_string(),
                ..crate::spec::load::too_large(size)
            }],
            sources: Vec::new(),
        }),
        Err(Err(err)) => Err(err),
    }
}
