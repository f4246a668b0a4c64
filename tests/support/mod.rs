//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use palisade::cli::build::{Outputs, Targets, TemplateFormat, compile};

/// The `palisade` binary of this build, for assertions on its output.
pub fn palisade() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("palisade").unwrap()
}

/// The same binary as a plain process, for tests that spawn several at once.
pub fn palisade_process() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
}

/// Every example's spec path, sorted.
pub fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path().join("palisade.yaml"))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
}

pub fn example_name(spec: &Path) -> String {
    spec.parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Compiles a spec to CloudFormation in memory.
pub fn cloudformation(spec: &Path, format: TemplateFormat) -> Outputs {
    compile(spec.to_str().unwrap(), Targets::CloudFormation, format)
        .unwrap_or_else(|e| panic!("{}: {e:?}", spec.display()))
}

pub fn template_text(outputs: &Outputs) -> String {
    let (_, bytes) = outputs
        .iter()
        .find(|(path, _)| path.starts_with("cloudformation/"))
        .expect("a template");
    String::from_utf8(bytes.clone()).unwrap()
}

/// The validators' Python (PyYAML, cfn-lint, checkov), installed by
/// `scripts/validators.sh`, which the test command runs first.
pub fn validators_python() -> PathBuf {
    let venv = std::env::var_os("PALISADE_VALIDATORS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".venv-validators"));
    let python = venv.join("bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/validators.sh (scripts/test.sh does)",
        python.display()
    );
    python
}

/// A scratch directory under target/, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of an example (spec and handlers, not what builds left beside
/// them) in a scratch directory, so a test can edit or build it without
/// touching the repository.
pub fn example_copy(example: &str, scratch_name: &str) -> PathBuf {
    let dir = scratch(scratch_name);
    copy_dir(&Path::new("examples").join(example), &dir);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == ".palisade" || name == "dist" {
            continue;
        }
        let target = to.join(name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A git repository in a scratch directory whose one commit holds `spec` as
/// `palisade.yaml`.
pub fn committed_spec(name: &str, spec: &str) -> PathBuf {
    let dir = scratch(name);
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::copy(spec, dir.join("palisade.yaml")).unwrap();
    git(&["add", "palisade.yaml"]);
    git(&["commit", "-qm", "base"]);
    dir
}
