//! `palisade validate [SPEC]`: parse and check a spec, write nothing.

use super::{DEFAULT_SPEC, DiagnosticFormat, Io, load_spec, print_diagnostics};
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    #[arg(default_value = DEFAULT_SPEC)]
    pub spec: String,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiagnosticFormat,
}

pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let loaded = load_spec(&args.spec)?;
    let printed = match args.format {
        DiagnosticFormat::Json => {
            print_diagnostics(&loaded.warnings, Some(&loaded.source), args.format, io)
        }
        DiagnosticFormat::Text => {
            print_diagnostics(&loaded.warnings, Some(&loaded.source), args.format, io)
                .and_then(|()| writeln!(io.stderr, "{}: valid", args.spec))
        }
    };
    printed.map_err(|e| crate::Error::io("<stdout>", e))
}
