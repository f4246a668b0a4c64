//! `palisade build [SPEC]`: compile the spec and write the stack, the function
//! packages and (with `--check`) compare them with what is on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{DEFAULT_SPEC, DiagnosticFormat, Io, load_spec};
use crate::emit::{cloudformation, terraform, yaml};
use crate::error::{Error, Result};
use crate::plan::{self, CompileError, PackageRef};
use crate::spec::Source;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    #[arg(default_value = DEFAULT_SPEC)]
    pub spec: String,
    /// Which stack to write.
    #[arg(long, value_enum, default_value_t = Target::All)]
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
    Terraform,
    /// Both stacks, from the same plan.
    All,
}

impl Target {
    fn cloudformation(self) -> bool {
        matches!(self, Target::Cloudformation | Target::All)
    }
    fn terraform(self) -> bool {
        matches!(self, Target::Terraform | Target::All)
    }
}

/// The directory of the Terraform root module, relative to the output directory.
pub const TERRAFORM_DIR: &str = "terraform";

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
    let mut diagnostics = terraform::overrides::check(&plan, &loaded.spec.overrides);
    let terraform_files = match terraform::module(&plan, &terraform_overrides(&loaded.spec)) {
        Ok(files) => files,
        Err(clash) => {
            let loc = plan.get(&clash.second).map(|r| r.loc).unwrap_or_default();
            diagnostics.push(crate::diagnostic::Diagnostic::error(
                crate::diagnostic::Code::NameDuplicate,
                loc,
                format!(
                    "`{}` and `{}` would both be the Terraform resource `{}`; rename one",
                    clash.first, clash.second, clash.address
                ),
            ));
            Default::default()
        }
    };
    if !diagnostics.is_empty() {
        return Err(invalid(&loaded.source, diagnostics));
    }
    if target.terraform() {
        for (name, text) in terraform_files {
            outputs.insert(format!("{TERRAFORM_DIR}/{name}"), text.into_bytes());
        }
    }
    if target.cloudformation() {
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
    Ok(outputs)
}

fn terraform_overrides(spec: &crate::spec::Spec) -> BTreeMap<String, serde_json::Value> {
    spec.overrides
        .terraform
        .iter()
        .map(|(address, patch)| (address.value.clone(), patch.value.clone()))
        .collect()
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
    let leftovers = if args.target.terraform() {
        leftover_terraform_files(&out, &outputs)
    } else {
        Vec::new()
    };
    if args.check {
        let stale: Vec<String> = outputs
            .iter()
            .filter(|(path, bytes)| std::fs::read(out.join(path)).ok().as_ref() != Some(*bytes))
            .map(|(path, _)| out.join(path))
            .chain(leftovers)
            .map(|path| path.display().to_string())
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
    for path in &leftovers {
        std::fs::remove_file(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    }
    let _ = writeln!(
        io.stderr,
        "wrote {} files to {}",
        outputs.len(),
        out.display()
    );
    Ok(())
}

/// Generated `.tf` files in the output's Terraform directory that this build
/// no longer writes (an area with no resources left, say). Terraform reads
/// every `.tf` file in a module, so a stale one would still deploy. Files
/// without Palisade's header are the user's (a backend, say) and are kept.
fn leftover_terraform_files(out: &Path, outputs: &Outputs) -> Vec<PathBuf> {
    let dir = out.join(TERRAFORM_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let header = format!("# {}\n", terraform::HEADER);
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "tf"))
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            !outputs.contains_key(&format!("{TERRAFORM_DIR}/{name}"))
        })
        .filter(|path| std::fs::read_to_string(path).is_ok_and(|text| text.starts_with(&header)))
        .collect();
    found.sort();
    found
}
