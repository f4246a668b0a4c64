//! `palisade build [SPEC...]`: compile specs and write their stacks, function
//! packages and security reports, or (with `--check`) compare them with what
//! is on disk. Several specs are built in parallel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{DEFAULT_SPEC, DiagnosticFormat, Io, load_spec_in};
use crate::emit::{cloudformation, terraform, yaml};
use crate::error::{Error, Result};
use crate::output::manifest::{self, Conflict};
use crate::output::{Access, BuildLock, Fs, RealFs};
use crate::plan::{self, PackageRef};
use crate::spec::LoadedSpec;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files, or directories that contain a `palisade.yaml`. Several are
    /// built in parallel, each into the `dist` next to it.
    #[arg(default_value = DEFAULT_SPEC)]
    pub specs: Vec<String>,
    #[command(flatten)]
    pub settings: Settings,
    /// How to print diagnostics: text on stderr, or JSON on stdout (as for
    /// validate, check and diff). `--diagnostics` is an old name for it.
    #[arg(long = "format", alias = "diagnostics", value_enum, default_value_t)]
    pub diagnostic_format: DiagnosticFormat,
}

/// How each spec is built.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Which stack to write.
    #[arg(long, value_enum, default_value_t = Targets::All)]
    pub target: Targets,
    /// Output directory. Default: `dist` next to the spec. Only with one spec.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// CloudFormation template format.
    #[arg(long = "template-format", value_enum, default_value_t = TemplateFormat::Yaml)]
    pub format: TemplateFormat,
    /// Write nothing; exit 1 and name the files whose content differs from
    /// what the spec produces.
    #[arg(long)]
    pub check: bool,
    /// Overwrite generated files even if they were edited by hand since the
    /// last build (the edits are lost).
    #[arg(long, conflicts_with = "check")]
    pub force: bool,
    /// Build the spec as deployed to this environment (`environments:`),
    /// into `dist/<NAME>/` next to the spec unless `--out` says otherwise.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
}

pub use super::Targets;

impl Targets {
    fn cloudformation(self) -> bool {
        matches!(self, Targets::CloudFormation | Targets::All)
    }
    fn terraform(self) -> bool {
        matches!(self, Targets::Terraform | Targets::All)
    }

    /// Whether a build of this target is responsible for an output path
    /// (a CloudFormation-only build leaves `terraform/` alone).
    fn owns(self, path: &str) -> bool {
        if path.starts_with("cloudformation/") {
            self.cloudformation()
        } else if path.starts_with(&format!("{TERRAFORM_DIR}/")) {
            self.terraform()
        } else {
            true
        }
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

/// A build's output files, and its function archives by source digest (for
/// the package cache).
pub struct Compiled {
    pub outputs: Outputs,
    pub archives: BTreeMap<String, Vec<u8>>,
}

/// Compiles a spec file into its output files, in memory.
pub fn compile(spec_path: &str, target: Targets, format: TemplateFormat) -> Result<Outputs> {
    compile_with_cache(spec_path, target, format, None, None, None).map(|compiled| compiled.outputs)
}

/// [`compile`], reusing archives from `cache` whose sources are unchanged;
/// `out` (the output directory, if not `dist` beside the spec) is left out
/// of the packages.
pub fn compile_with_cache(
    spec_path: &str,
    target: Targets,
    format: TemplateFormat,
    cache: Option<&crate::package::Cache>,
    out: Option<&Path>,
    env: Option<&str>,
) -> Result<Compiled> {
    let loaded = load_spec_in(spec_path, env)?;
    let spec_dir = Path::new(spec_path).parent().unwrap_or(Path::new(""));
    let excluded = crate::package::Excluded::new(Path::new(spec_path), out);
    let mut zips = Outputs::new();
    let mut packages = plan::Packages::new();
    // Functions usually share one code directory: zip each directory once.
    let mut archives: BTreeMap<&str, (String, crate::package::Archive)> = BTreeMap::new();
    for (name, function) in &loaded.spec.functions {
        let (dir, lambda_handler) = crate::package::code_dir(&function.handler);
        if !archives.contains_key(dir) {
            let at = function.handler.loc;
            let refused = |d| Error::invalid_in(&loaded.source, vec![d]);
            let source = crate::package::read(spec_dir, dir, &excluded, at).map_err(refused)?;
            let archive = match cache.and_then(|cache| cache.get(&source)) {
                Some(archive) => archive,
                None => source.archive()?,
            };
            crate::package::check_zipped(dir, &archive, at).map_err(refused)?;
            archives.insert(dir, (source.digest, archive));
        }
        let (_, archive) = &archives[dir];
        packages.insert(
            name.value.clone(),
            PackageRef {
                lambda_handler: lambda_handler.to_string(),
                sha256_hex: archive.sha256_hex.clone(),
                sha256_base64: archive.sha256_base64.clone(),
            },
        );
        zips.insert(
            format!("functions/{}.zip", name.value),
            archive.bytes.clone(),
        );
    }
    // Palisade's JWT authorizer of a REST API ships like a function of the
    // spec (dist/functions/<name>.zip, content-addressed).
    if let Some(config) = plan::authorizer_config(&loaded.spec) {
        let archive = crate::package::authorizer(&config)?;
        packages.insert(
            crate::spec::AUTHORIZER_FUNCTION.to_string(),
            PackageRef {
                lambda_handler: "index.handler".to_string(),
                sha256_hex: archive.sha256_hex.clone(),
                sha256_base64: archive.sha256_base64.clone(),
            },
        );
        zips.insert(
            format!("functions/{}.zip", crate::spec::AUTHORIZER_FUNCTION),
            archive.bytes,
        );
    }
    let mut outputs = compile_loaded(&loaded, &packages, target, format)?;
    outputs.append(&mut zips);
    let archives = archives.into_values().map(|(d, a)| (d, a.bytes)).collect();
    crate::process::discard(loaded);
    Ok(Compiled { outputs, archives })
}

/// Compiles a loaded spec into every output file except the function
/// packages, touching no disk: `packages` describes the zips.
pub fn compile_loaded(
    loaded: &LoadedSpec,
    packages: &plan::Packages,
    target: Targets,
    format: TemplateFormat,
) -> Result<Outputs> {
    let mut outputs = Outputs::new();
    let text = |template: &serde_json::Value| cloudformation_text(template, format);
    // One template, or a root and nested stacks when it would be too large
    // for CloudFormation (src/emit/cloudformation/nested.rs).
    let stacks = |plan: &plan::Plan, template: serde_json::Value| {
        let root_file = cloudformation_file_name(format);
        crate::emit::cloudformation::nested::render(&loaded.spec, plan, template, &text, root_file)
    };
    let render = crate::pipeline::Render {
        template: None,
        stacks: target
            .cloudformation()
            .then_some(&stacks as &crate::emit::cloudformation::nested::RenderStacks),
        security: true,
    };
    let (compiled, rendered) = crate::pipeline::run_strict_and_render(loaded, packages, &render)?;
    if let Some(mut security) = rendered.security {
        if let Some(stage) = &loaded.stage {
            security.push_str(&crate::spec::environments::describe(
                stage,
                crate::text::markdown,
            ));
        }
        outputs.insert("SECURITY.md".to_string(), security.into_bytes());
    }
    if target.terraform() {
        for (name, text) in compiled.terraform {
            outputs.insert(format!("{TERRAFORM_DIR}/{name}"), text.into_bytes());
        }
    }
    if let Some(files) = rendered.stacks {
        let files =
            files.map_err(|diagnostic| Error::invalid_in(&loaded.source, vec![diagnostic]))?;
        for (path, text) in files {
            outputs.insert(path, text.into_bytes());
        }
    }
    crate::process::discard(compiled.plan);
    Ok(outputs)
}

/// The CloudFormation template's file name.
fn cloudformation_file_name(format: TemplateFormat) -> &'static str {
    match format {
        TemplateFormat::Yaml => "cloudformation/template.yaml",
        TemplateFormat::Json => "cloudformation/template.json",
    }
}

/// The CloudFormation template's text.
fn cloudformation_text(template: &serde_json::Value, format: TemplateFormat) -> String {
    match format {
        // JSON has no comments: the template's Description carries the header.
        TemplateFormat::Yaml => format!("# {}\n{}", manifest::HEADER, yaml::to_yaml(template)),
        TemplateFormat::Json => cloudformation::to_json(template),
    }
}

/// A scoped thread's result; its panic, a bug, re-raised as the one it was.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// What building one spec did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSummary {
    pub out: PathBuf,
    pub written: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// A build that crashed half-way was undone first.
    pub recovered: bool,
}

impl std::fmt::Display for BuildSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if self.recovered {
            write!(f, "{}: undid an interrupted build; ", self.out.display())?;
        }
        if self.written == 0 && self.removed == 0 {
            return write!(f, "{}: up to date", self.out.display());
        }
        write!(
            f,
            "wrote {} files to {} ({} unchanged",
            self.written,
            self.out.display(),
            self.unchanged
        )?;
        if self.removed > 0 {
            write!(f, ", {} stale removed", self.removed)?;
        }
        f.write_str(")")
    }
}

pub fn run(args: &Args, io: &mut Io) -> Result<()> {
    let specs: Vec<String> = args.specs.iter().map(|s| spec_file(s)).collect();
    if specs.len() > 1 && args.settings.out.is_some() {
        return Err(Error::Usage(
            "--out works with one spec; with several, each is built into the `dist` next to it"
                .into(),
        ));
    }
    let mut outs: BTreeMap<PathBuf, &String> = BTreeMap::new();
    for spec in &specs {
        if let Some(first) = outs.insert(out_dir(spec, &args.settings), spec) {
            return Err(Error::Usage(format!(
                "{first} and {spec} would both write to {}; give each spec its own directory",
                out_dir(spec, &args.settings).display()
            )));
        }
    }
    // The report's templates parse on another core while the specs load.
    let results = std::thread::scope(|scope| {
        scope.spawn(crate::emit::security::prepare);
        build_all(&specs, &args.settings, &RealFs)
    });
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(report) => {
                let _ = writeln!(io.stderr, "{report}");
            }
            Err(err) => failures.push(err),
        }
    }
    match combine(failures, args.diagnostic_format, io) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// `services/orders/` → `services/orders/palisade.yaml`; a file stays as given.
fn spec_file(arg: &str) -> String {
    if Path::new(arg).is_dir() {
        Path::new(arg).join(DEFAULT_SPEC).display().to_string()
    } else {
        arg.to_string()
    }
}

/// Builds every spec, in parallel on all cores; results in the specs' order.
/// Each build reads and writes only its own spec directory and output, so
/// the builds share nothing and give the same bytes as one at a time.
pub fn build_all(specs: &[String], settings: &Settings, fs: &dyn Fs) -> Vec<Result<BuildSummary>> {
    if specs.len() > 1 {
        crate::process::frees_as_it_goes();
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(specs.len());
    if workers <= 1 {
        return specs.iter().map(|s| build_one(s, settings, fs)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Result<BuildSummary>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(spec) = specs.get(i) else {
                            return done;
                        };
                        done.push((i, build_one(spec, settings, fs)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(joined).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `--out`, or `dist` next to the spec (`dist/<env>` with `--env`: inside
/// `dist`, so no package ever zips it).
fn out_dir(spec: &str, settings: &Settings) -> PathBuf {
    settings.out.clone().unwrap_or_else(|| {
        let dist = Path::new(spec)
            .parent()
            .unwrap_or(Path::new(""))
            .join("dist");
        match &settings.env {
            Some(env) => dist.join(env),
            None => dist,
        }
    })
}

/// Builds (or with `check`, verifies) one spec's output directory.
pub fn build_one(spec: &str, settings: &Settings, fs: &dyn Fs) -> Result<BuildSummary> {
    let spec_dir = Path::new(spec).parent().unwrap_or(Path::new(""));
    // Held until the output and the cache are written, so a second build of
    // this spec waits rather than sharing the journal (see `output::lock`).
    // The message goes straight to stderr: it must appear while the build
    // waits, from whichever worker thread builds this spec.
    let waiting = |holder: &str| eprintln!("{spec}: waiting, {holder}");
    let access = if settings.check {
        Access::Shared
    } else {
        Access::Exclusive
    };
    let early_lock = BuildLock::existing(spec_dir, access, waiting)?;
    // `--check` proves the committed output; it zips from source.
    let cache = crate::package::Cache::beside(spec_dir);
    let cache = (!settings.check).then_some(&cache);
    let out = out_dir(spec, settings);
    let locked = early_lock.is_some() || settings.check;
    // What the last build left is read on another core while this one
    // compiles, if this build already holds the lock.
    let (compiled, last) = std::thread::scope(|scope| {
        let last = locked.then(|| scope.spawn(|| manifest::LastBuild::read_ahead(&out)));
        let compiled = compile_with_cache(
            spec,
            settings.target,
            settings.format,
            cache,
            settings.out.as_deref(),
            settings.env.as_deref(),
        );
        (compiled, last.map(joined))
    });
    let Compiled { outputs, archives } = compiled?;
    // The first build of a spec creates the lock only now, having output to
    // write, so a spec that does not compile leaves nothing behind.
    let _lock = match early_lock {
        Some(lock) => Some(lock),
        None if settings.check => None,
        None => Some(BuildLock::create(spec_dir, waiting)?),
    };
    let last = last.unwrap_or_else(|| manifest::LastBuild::read_ahead(&out));
    let interrupted = out.join(crate::output::JOURNAL).exists();
    let recovered = !settings.check && crate::output::recover(fs, &out)?;
    let leftovers = if settings.target.terraform() {
        leftover_terraform_files(&out, &outputs)
    } else {
        Vec::new()
    };
    let owned = |path: &str| settings.target.owns(path);
    let update = manifest::update(last, &outputs, &owned, &leftovers, settings.force)?;
    let changes = &update.changes;
    if settings.check {
        let mut stale: Vec<String> = changes
            .writes
            .keys()
            .chain(&changes.removals)
            .map(|path| out.join(path).display().to_string())
            .collect();
        if interrupted {
            stale.push(format!(
                "{} (a build was interrupted; run `palisade build`)",
                out.join(crate::output::JOURNAL).display()
            ));
        }
        if stale.is_empty() {
            return Ok(BuildSummary {
                out,
                written: 0,
                removed: 0,
                unchanged: update.unchanged,
                recovered: false,
            });
        }
        return Err(Error::CheckFailed(format!(
            "generated files are out of date (run `palisade build`):\n  {}",
            stale.join("\n  ")
        )));
    }
    if !update.conflicts.is_empty() && !settings.force {
        let listed: Vec<String> = update
            .conflicts
            .iter()
            .map(|(path, conflict)| {
                let why = match conflict {
                    Conflict::Edited => "edited since the last build",
                    Conflict::NotGenerated => "not written by palisade",
                };
                format!("{} ({why})", out.join(path).display())
            })
            .collect();
        return Err(Error::CheckFailed(format!(
            "refusing to overwrite files that palisade did not generate as they are:\n  {}\nmove lasting changes into `overrides:` in {spec}, or run `palisade build --force` to discard them",
            listed.join("\n  ")
        )));
    }
    crate::output::commit(fs, &out, changes)?;
    if let Some(cache) = cache {
        cache.keep(&archives);
    }
    let summary = BuildSummary {
        written: changes.writes.len(),
        removed: changes.removals.len(),
        unchanged: update.unchanged,
        recovered,
        out,
    };
    crate::process::discard((outputs, archives, update));
    Ok(summary)
}

/// Several builds' failures as one error for `main` to print and map to an
/// exit code: spec diagnostics merge into one list (so `--format json`
/// prints one object); other errors are printed here, except the one whose
/// exit code wins.
fn combine(failures: Vec<Error>, format: DiagnosticFormat, io: &mut Io) -> Option<Error> {
    let mut merged: Option<Error> = None;
    let mut others = Vec::new();
    for failure in failures {
        match (failure, &mut merged) {
            (
                Error::Invalid {
                    diagnostics,
                    sources,
                },
                Some(Error::Invalid {
                    diagnostics: all,
                    sources: texts,
                }),
            ) => {
                all.extend(diagnostics);
                texts.extend(sources);
            }
            (invalid @ Error::Invalid { .. }, None) => merged = Some(invalid),
            (other, _) => others.push(other),
        }
    }
    others.extend(merged);
    let worst = (0..others.len()).max_by_key(|&i| (others[i].exit_code(), i))?;
    let returned = others.remove(worst);
    for other in &others {
        super::report(other, format, io);
    }
    Some(returned)
}

/// Generated `.tf` files in the output's Terraform directory that this build
/// no longer writes (an area with no resources left, say). Terraform reads
/// every `.tf` file in a module, so a stale one would still deploy. Files
/// without Palisade's header are the user's (a backend, say) and are kept.
/// The manifest names what the last build wrote; this also finds files from
/// builds older than the manifest.
fn leftover_terraform_files(out: &Path, outputs: &Outputs) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(out.join(TERRAFORM_DIR)) else {
        return Vec::new();
    };
    let header = format!("# {}\n", terraform::HEADER);
    let mut found: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "tf") && path.is_file())
        .filter(|path| std::fs::read_to_string(path).is_ok_and(|text| text.starts_with(&header)))
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            Some(format!("{TERRAFORM_DIR}/{name}"))
        })
        .filter(|path| !outputs.contains_key(path))
        .collect();
    found.sort();
    found
}
