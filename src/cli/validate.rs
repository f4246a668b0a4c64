//! `palisade validate [SPEC...]`: parse and check specs, write nothing.

use super::{DEFAULT_SPEC, DiagnosticFormat, Io, load_spec, print_diagnostics};
use crate::diagnostic::Severity;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec files.
    #[arg(default_value = DEFAULT_SPEC)]
    pub specs: Vec<String>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiagnosticFormat,
}

/// Validates every spec, reporting all of them before failing.
pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let mut diagnostics = Vec::new();
    let mut sources = Vec::new();
    let mut valid = Vec::new();
    for spec in &args.specs {
        // The whole pipeline, as `build` runs it (without zipping), so that
        // a spec `validate` passes is one `build` accepts.
        let checked = load_spec(spec).and_then(|loaded| {
            crate::pipeline::run_strict(&loaded, &Default::default()).map(|_| loaded)
        });
        match checked {
            Ok(loaded) => {
                diagnostics.extend(loaded.warnings);
                sources.push(loaded.source);
                valid.push(spec);
            }
            Err(Error::Invalid {
                diagnostics: found,
                sources: texts,
            }) => {
                diagnostics.extend(found);
                sources.extend(texts);
            }
            Err(Error::Io { path, source }) => {
                diagnostics.push(super::unreadable(&path, &source));
            }
            Err(other) => return Err(other),
        }
    }
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        if args.format == DiagnosticFormat::Text {
            for spec in &valid {
                let _ = writeln!(io.stderr, "{spec}: valid");
            }
        }
        return Err(Error::Invalid {
            diagnostics,
            sources,
        });
    }
    let printed = print_diagnostics(&diagnostics, &sources, args.format, io).and_then(|()| {
        if args.format == DiagnosticFormat::Text {
            for spec in &valid {
                writeln!(io.stderr, "{spec}: valid")?;
            }
        }
        Ok(())
    });
    printed.map_err(|e| Error::io("<stdout>", e))
}
