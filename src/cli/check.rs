//! `palisade check [SPEC]`: every control on every resource, waivers with
//! their reasons, violations (through overrides) and advisories.

use super::{DEFAULT_SPEC, Io, load_spec_in};
use crate::check::render;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    #[arg(default_value = DEFAULT_SPEC)]
    pub spec: String,
    /// Report format. An invalid spec's diagnostics are JSON on stdout with
    /// `json`, text on stderr otherwise.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Check the spec as deployed to this environment (`environments:`).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per control and resource, then advisories and counts.
    Text,
    /// One JSON object: evaluations, advisories and counts.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

impl Format {
    /// How an invalid spec's diagnostics are printed (SARIF has no place for
    /// a spec that does not load, so they go to stderr as text).
    pub fn diagnostics(self) -> super::DiagnosticFormat {
        match self {
            Format::Json => super::DiagnosticFormat::Json,
            Format::Text | Format::Sarif => super::DiagnosticFormat::Text,
        }
    }
}

pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let loaded = load_spec_in(&args.spec, args.env.as_deref())?;
    let checked = crate::check::check(&loaded)?;
    let mut text = match args.format {
        Format::Text => render::text(&checked, &args.spec),
        Format::Json => render::json(&checked, &args.spec),
        Format::Sarif => render::sarif(&checked, &args.spec),
    };
    // SARIF carries the stage's waivers as suppressed results (check::check);
    // text and JSON also describe the stage itself.
    if let Some(stage) = &loaded.stage
        && args.format != Format::Sarif
    {
        text = crate::spec::environments::add_to_check(text, stage, args.format == Format::Json);
    }
    io.stdout
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("<stdout>", e))?;
    let violated = checked.violations().count();
    if violated > 0 {
        return Err(Error::CheckFailed(format!("{violated} control violations")));
    }
    Ok(())
}
