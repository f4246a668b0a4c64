//! `palisade graph [SPEC]`: the service and its permissions as a Mermaid or
//! Graphviz diagram, drawn from the compiled plan.

use std::path::PathBuf;

use super::{DEFAULT_SPEC, DiagnosticFormat, Io, load_spec_in};
use crate::error::{Error, Result};
use crate::graph::{Format, Graph};
use crate::plan;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    #[arg(default_value = DEFAULT_SPEC)]
    pub spec: String,
    /// Diagram language.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write the diagram to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How to print diagnostics.
    #[arg(long = "diagnostics", value_enum, default_value_t)]
    pub diagnostic_format: DiagnosticFormat,
    /// Draw the service as deployed to this environment (`environments:`).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
}

pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let loaded = load_spec_in(&args.spec, args.env.as_deref())?;
    // Packages only fix code hashes, which the graph does not show.
    let compiled = crate::pipeline::run_strict(&loaded, &plan::Packages::new())?;
    let text = Graph::from_plan(&compiled.plan).render(args.format);
    match &args.out {
        Some(path) => {
            crate::output::write_atomic(path, text.as_bytes())?;
            let _ = writeln!(io.stderr, "wrote {}", path.display());
            Ok(())
        }
        None => io
            .stdout
            .write_all(text.as_bytes())
            .map_err(|e| Error::io("<stdout>", e)),
    }
}

// The command line's names for the graph formats; the library knows no clap.
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Mermaid, Format::Dot]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (name, help) = match self {
            Format::Mermaid => (
                "mermaid",
                "Mermaid flowchart: GitHub renders it in Markdown",
            ),
            Format::Dot => ("dot", "Graphviz DOT: `dot -Tsvg graph.dot > graph.svg`"),
        };
        Some(clap::builder::PossibleValue::new(name).help(help))
    }
}
