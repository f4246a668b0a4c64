//! `palisade build [SPEC]`: compile the spec and write the stack, the function
//! packages and (with `--check`) compare them with what is on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{DEFAULT_SPEC, DiagnosticFormat, Io, load_spec};
use crate::emit::{cloudformation, yaml};
use crate::error::{Error, Result};
use crate::plan::{self, CompileError, PackageRef};
use crate::spec::Source;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    #[arg(default_value = DEFAULT_SPEC)]
    pub spec: String,
    /// Which stack to write.
    #[arg(long, value_enum, default_value_t = Target::Cloudformation)]
    pub target: Target,
    /// Output directory. Default: `dist` next to the spec.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// CloudFormation template format.
    #[arg(long, value_enum, default_value_t = TemplateFormat::Yaml)]
    pub format: TemplateFormat,
    /// Write nothing; exit 1 and name the files whose content differs from
    /// what the spec produces.
    #[arg(long)]
    pub check: bool,
    /// How to print diagnostics.
    #[arg(long = "diagnostics", value_enum, default_value_t)]
    pub diagnostic_format: DiagnosticFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    Cloudformation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateFormat {
    Yaml,
    Json,
}

/// Every file a build produces, by path relative to the output directory.
pub type Outputs = BTreeMap<String, Vec<u8>>;

/// Compiles a spec file into its output files, in memory.
pub fn compile(spec_path: &str, target: Target, format: TemplateFormat) -> Result<Outputs> {
    let loaded = load_spec(spec_path)?;
    let spec_dir = Path::new(spec_path).parent().unwrap_or(Path::new(""));
    let mut outputs = Outputs::new();
    let mut packages = plan::Packages::new();
    for (name, function) in &loaded.spec.functions {
        let package = crate::package::build(spec_dir, &function.handler)?;
        packages.insert(
            name.value.clone(),
            PackageRef {
                lambda_handler: package.lambda_handler.clone(),
                sha256_hex: package.sha256_hex.clone(),
                sha256_base64: package.sha256_base64.clone(),
            },
        );
        outputs.insert(format!("functions/{}.zip", name.value), package.bytes);
    }
    let plan = plan::compile(&loaded.spec, &packages).map_err(|err| match err {
        CompileError::Invalid(diagnostics) => invalid(&loaded.source, diagnostics),
        CompileError::Bug(bug) => bug,
    })?;
    let types = cloudformation::resource_types(&plan);
    outputs.insert(
        "SECURITY.md".to_string(),
        crate::report::security::render(&plan, |r| types.get(r.id.as_str()).copied().unwrap_or(""))
            .into_bytes(),
    );
    match target {
        Target::Cloudformation => {
            let overrides: BTreeMap<String, serde_json::Value> = loaded
                .spec
                .overrides
                .cloudformation
                .iter()
                .map(|(id, patch)| (id.value.clone(), patch.value.clone()))
                .collect();
            let template = cloudformation::template(&plan, &overrides);
            let (name, text) = match format {
                TemplateFormat::Yaml => ("cloudformation/template.yaml", yaml::to_yaml(&template)),
                TemplateFormat::Json => (
                    "cloudformation/template.json",
                    cloudformation::to_json(&template),
                ),
            };
            outputs.insert(name.to_string(), text.into_bytes());
        }
    }
    Ok(outputs)
}

fn invalid(source: &Source, mut diagnostics: Vec<crate::diagnostic::Diagnostic>) -> Error {
    for d in &mut diagnostics {
        d.file = source.path.clone();
    }
    crate::diagnostic::sort(&mut diagnostics);
    Error::Invalid {
        diagnostics,
        sources: vec![source.clone()],
    }
}

pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let outputs = compile(&args.spec, args.target, args.format)?;
    let out = args.out.clone().unwrap_or_else(|| {
        Path::new(&args.spec)
            .parent()
            .unwrap_or(Path::new(""))
            .join("dist")
    });
    if args.check {
        let stale: Vec<String> = outputs
            .iter()
            .filter(|(path, bytes)| std::fs::read(out.join(path)).ok().as_ref() != Some(*bytes))
            .map(|(path, _)| out.join(path).display().to_string())
            .collect();
        if stale.is_empty() {
            let _ = writeln!(io.stderr, "{}: up to date", out.display());
            return Ok(());
        }
        return Err(Error::CheckFailed(format!(
            "generated files are out of date (run `palisade build`):\n  {}",
            stale.join("\n  ")
        )));
    }
    for (path, bytes) in &outputs {
        crate::output::write_atomic(&out.join(path), bytes)?;
    }
    let _ = writeln!(
        io.stderr,
        "wrote {} files to {}",
        outputs.len(),
        out.display()
    );
    Ok(())
}
