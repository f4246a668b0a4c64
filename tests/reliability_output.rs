//! A build never loses a user's work: it replaces its output as one unit (a
//! failure or crash at any step leaves the previous output as it was), it
//! refuses to overwrite hand edits, and several services build in parallel
//! to the same bytes as one at a time.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use palisade::cli::build::{Settings, Targets, TemplateFormat, build_one};
use palisade::output::{Fs, RealFs};
use support::{example_copy, palisade};

fn stderr_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

/// Every file and directory under `dir` (hidden ones too), with file bytes.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, Option<Vec<u8>>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                found.insert(name, None);
                walk(root, &path, found);
            } else {
                found.insert(name, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

fn settings(target: Targets) -> Settings {
    Settings {
        target,
        out: None,
        format: TemplateFormat::Yaml,
        check: false,
        force: false,
        env: None,
    }
}

/// The real file system, except that operation number `fail_at` (counting
/// from 0) fails, and with `crash` every operation after it fails too, as if
/// the process had died there: nothing it would still do happens.
struct Failing {
    fail_at: usize,
    crash: bool,
    calls: AtomicUsize,
}

impl Failing {
    fn new(fail_at: usize, crash: bool) -> Failing {
        Failing {
            fail_at,
            crash,
            calls: AtomicUsize::new(0),
        }
    }

    /// Counts an operation; `Err(true)` if it is the one that fails,
    /// `Err(false)` if it comes after a crash.
    fn step(&self) -> Result<(), bool> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n == self.fail_at {
            return Err(true);
        }
        if self.crash && n > self.fail_at {
            return Err(false);
        }
        Ok(())
    }

    fn op(&self) -> std::io::Result<()> {
        self.step().map_err(|_| injected())
    }

    fn failed(&self) -> bool {
        self.calls.load(Ordering::SeqCst) > self.fail_at
    }
}

fn injected() -> std::io::Error {
    std::io::Error::other("injected failure")
}

impl Fs for Failing {
    fn create_dir(&self, path: &Path) -> std::io::Result<()> {
        self.op()?;
        RealFs.create_dir(path)
    }
    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        match self.step() {
            Ok(()) => RealFs.write(path, bytes),
            // The failing write stops half-way, leaving half a file.
            Err(true) => {
                std::fs::write(path, &bytes[..bytes.len() / 2])?;
                Err(injected())
            }
            Err(false) => Err(injected()),
        }
    }
    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        self.op()?;
        RealFs.rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> std::io::Result<()> {
        self.op()?;
        RealFs.remove_file(path)
    }
    fn remove_dir(&self, path: &Path) -> std::io::Result<()> {
        self.op()?;
        RealFs.remove_dir(path)
    }
}

/// A service built once as CloudFormation only, then changed so that the
/// next build (both targets) rewrites, adds (a new `terraform/` directory),
/// and removes (a deleted function's package) files.
fn built_then_changed(scratch: &str) -> (PathBuf, BTreeMap<String, Option<Vec<u8>>>) {
    let dir = example_copy("orders", scratch);
    let spec = dir.join("palisade.yaml");
    build_one(
        spec.to_str().unwrap(),
        &settings(Targets::CloudFormation),
        &RealFs,
    )
    .unwrap();
    let before = tree(&dir.join("dist"));
    assert!(before.contains_key("functions/health.zip"));
    let text = std::fs::read_to_string(&spec).unwrap();
    let text = text
        .replace("description: Order intake API", "description: Order intake API, v2")
        .replace(
            "    GET /health:\n      function: health\n      public: \"load balancer health probe\"     # the only way to skip auth: a reason\n",
            "",
        )
        .replace("  health:\n    handler: src/health.handler\n", "");
    assert!(!text.contains("health.handler"), "the edit applies");
    std::fs::write(&spec, text).unwrap();
    (dir, before)
}

type Tree = BTreeMap<String, Option<Vec<u8>>>;

/// What a successful build makes of `before` (and puts `before` back).
fn clean_result(dir: &Path, before: &Tree) -> Tree {
    let spec = dir.join("palisade.yaml");
    build_one(spec.to_str().unwrap(), &settings(Targets::All), &RealFs).unwrap();
    let after = tree(&dir.join("dist"));
    restore(&dir.join("dist"), before);
    after
}

/// A tree without the old copies a commit deletes after committing (which
/// stay behind if that deletion fails, under names no tool reads).
fn without_old_copies(tree: Tree) -> Tree {
    tree.into_iter()
        .filter(|(path, _)| !path.ends_with(".palisade-old"))
        .collect()
}

#[test]
fn a_failure_at_any_step_leaves_the_previous_output_untouched() {
    let (dir, before) = built_then_changed("rel-atomic-fail");
    let dist = dir.join("dist");
    let expected = clean_result(&dir, &before);
    assert!(expected.contains_key("terraform/providers.tf"));
    assert!(!expected.contains_key("functions/health.zip"));
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    let mut after_commit = 0;
    for steps in 0.. {
        let fs = Failing::new(steps, false);
        match build_one(spec, &settings(Targets::All), &fs) {
            Err(err) => {
                assert!(err.to_string().contains("injected failure"), "{err}");
                assert!(tree(&dist) == before, "failing step {steps} changed dist/");
            }
            // The failure hit the clean-up after the commit.
            Ok(_) if fs.failed() => {
                after_commit += 1;
                assert!(without_old_copies(tree(&dist)) == expected, "step {steps}");
                restore(&dist, &before);
            }
            Ok(_) => {
                assert!(
                    steps > 25,
                    "only {steps} steps: the build did not write much"
                );
                break;
            }
        }
    }
    assert!(tree(&dist) == expected, "no temporary files are left");
    assert!(after_commit > 0);
}

#[test]
fn a_crash_at_any_step_is_undone_by_the_next_build() {
    let (dir, before) = built_then_changed("rel-atomic-crash");
    let dist = dir.join("dist");
    let expected = clean_result(&dir, &before);
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    let mut undone = 0;
    for steps in 0.. {
        let fs = Failing::new(steps, true);
        let result = build_one(spec, &settings(Targets::All), &fs);
        if !fs.failed() {
            result.unwrap();
            assert!(undone > 20, "{undone} of {steps} crashes left a journal");
            break;
        }
        if result.is_err() {
            // The crashed build may have left its journal and staged files;
            // undoing it gives back exactly the previous output, unless the
            // crash came after the commit point.
            undone += usize::from(palisade::output::recover(&RealFs, &dist).unwrap());
            let now = tree(&dist);
            assert!(
                now == before || without_old_copies(now) == expected,
                "crash at step {steps} left a mix"
            );
        }
        build_one(spec, &settings(Targets::All), &RealFs).unwrap();
        assert!(without_old_copies(tree(&dist)) == expected, "step {steps}");
        restore(&dist, &before);
    }
}

#[test]
fn after_a_crash_check_reports_it_and_build_repairs_it() {
    let (dir, before) = built_then_changed("rel-atomic-journal");
    let spec = dir.join("palisade.yaml");
    let spec_str = spec.to_str().unwrap();
    // Crash after the journal and a few renames.
    let fs = Failing::new(25, true);
    build_one(spec_str, &settings(Targets::All), &fs).unwrap_err();
    assert!(dir.join("dist").join(palisade::output::JOURNAL).exists());
    let stderr = stderr_of(
        palisade()
            .args(["build", spec_str, "--check"])
            .assert()
            .code(1),
    );
    assert!(stderr.contains("interrupted"), "{stderr}");
    let stderr = stderr_of(palisade().args(["build", spec_str]).assert().success());
    assert!(stderr.contains("undid an interrupted build"), "{stderr}");
    palisade()
        .args(["build", spec_str, "--check"])
        .assert()
        .success();
    assert!(tree(&dir.join("dist")) != before);
}

/// Puts `dir` back to `state` (a test's reset between crash points).
fn restore(dir: &Path, state: &BTreeMap<String, Option<Vec<u8>>>) {
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::create_dir(dir).unwrap();
    for (path, content) in state {
        match content {
            None => std::fs::create_dir_all(dir.join(path)).unwrap(),
            Some(bytes) => std::fs::write(dir.join(path), bytes).unwrap(),
        }
    }
}

#[test]
fn a_failed_first_build_leaves_no_output_directory() {
    let dir = example_copy("webhooks", "rel-atomic-first");
    let spec = dir.join("palisade.yaml");
    for steps in 0..8 {
        let fs = Failing::new(steps, false);
        build_one(spec.to_str().unwrap(), &settings(Targets::All), &fs).unwrap_err();
        assert!(!dir.join("dist").exists(), "step {steps}");
    }
}

#[test]
fn unchanged_files_are_not_rewritten() {
    let dir = example_copy("webhooks", "rel-unchanged");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    let first = build_one(spec, &settings(Targets::All), &RealFs).unwrap();
    assert!(first.written > 5 && first.unchanged == 0, "{first:?}");
    let calls = Failing::new(usize::MAX, false);
    let second = build_one(spec, &settings(Targets::All), &calls).unwrap();
    assert_eq!((second.written, second.removed), (0, 0), "{second:?}");
    assert_eq!(second.unchanged, first.written - 1, "all but the manifest");
    assert_eq!(calls.calls.load(Ordering::SeqCst), 0, "nothing touched");
    assert_eq!(
        second.to_string(),
        format!("{}: up to date", dir.join("dist").display())
    );
}

#[test]
fn every_text_file_says_it_is_generated_and_the_manifest_lists_every_file() {
    let dir = example_copy("orders", "rel-header");
    let spec = dir.join("palisade.yaml");
    for format in ["yaml", "json"] {
        palisade()
            .args(["build", spec.to_str().unwrap(), "--template-format", format])
            .assert()
            .success();
        let dist = dir.join("dist");
        let files = tree(&dist);
        let manifest: serde_json::Value =
            serde_json::from_slice(files[".palisade-manifest.json"].as_ref().unwrap()).unwrap();
        let listed = manifest["files"].as_object().unwrap();
        for (path, content) in &files {
            let Some(bytes) = content else { continue };
            if path == ".palisade-manifest.json" {
                continue;
            }
            assert_eq!(
                listed[path].as_str().unwrap(),
                palisade::output::manifest::digest(bytes),
                "{path}"
            );
            if !path.ends_with(".zip") {
                assert!(
                    palisade::output::manifest::has_header(bytes),
                    "{path} does not say it is generated"
                );
            }
        }
        assert_eq!(listed.len(), files.values().flatten().count() - 1);
        let template = dist.join(format!("cloudformation/template.{format}"));
        let text = std::fs::read_to_string(&template).unwrap();
        if format == "yaml" {
            assert!(
                text.starts_with("# Generated by palisade from palisade.yaml; do not edit.\n"),
                "{text:.80}"
            );
        } else {
            assert!(
                !dist.join("cloudformation/template.yaml").exists(),
                "the other format's template is removed"
            );
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(
                json["Description"]
                    .as_str()
                    .unwrap()
                    .contains("do not edit")
            );
        }
    }
}

#[test]
fn a_hand_edit_is_refused_until_forced() {
    let dir = example_copy("reports", "rel-hand-edit");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    palisade().args(["build", spec]).assert().success();
    let dist = dir.join("dist");
    let edited = dist.join("terraform/providers.tf");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("# my change\n");
    std::fs::write(&edited, &text).unwrap();
    let before = tree(&dist);

    // Even with the spec unchanged, the edit would be lost: refuse.
    let stderr = stderr_of(palisade().args(["build", spec]).assert().code(1));
    assert!(
        stderr.contains("terraform/providers.tf (edited since the last build)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("overrides:") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(tree(&dist) == before, "a refused build writes nothing");

    // --check names it as stale.
    let stderr = stderr_of(palisade().args(["build", spec, "--check"]).assert().code(1));
    assert!(stderr.contains("providers.tf"), "{stderr}");

    palisade()
        .args(["build", spec, "--force"])
        .assert()
        .success();
    assert!(
        !std::fs::read_to_string(&edited)
            .unwrap()
            .contains("my change")
    );
    palisade()
        .args(["build", spec, "--check"])
        .assert()
        .success();
}

#[test]
fn a_users_file_at_a_generated_path_is_not_overwritten() {
    let dir = example_copy("webhooks", "rel-foreign");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    let mine = dir.join("dist/terraform/outputs.tf");
    std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
    std::fs::write(&mine, "output \"mine\" { value = 1 }\n").unwrap();
    let stderr = stderr_of(palisade().args(["build", spec]).assert().code(1));
    assert!(
        stderr.contains("outputs.tf (not written by palisade)"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&mine).unwrap(),
        "output \"mine\" { value = 1 }\n"
    );
    assert!(!dir.join("dist/cloudformation").exists(), "nothing written");
}

#[test]
fn an_edited_file_the_build_would_remove_is_kept_until_forced() {
    let dir = example_copy("webhooks", "rel-edited-leftover");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    palisade().args(["build", spec]).assert().success();
    let template = dir.join("dist/cloudformation/template.yaml");
    std::fs::write(&template, "# mine now\n").unwrap();
    let stderr = stderr_of(
        palisade()
            .args(["build", spec, "--template-format", "json"])
            .assert()
            .code(1),
    );
    assert!(
        stderr.contains("template.yaml (edited since the last build)"),
        "{stderr}"
    );
    assert!(template.exists());
    palisade()
        .args(["build", spec, "--template-format", "json", "--force"])
        .assert()
        .success();
    assert!(!template.exists());
}

#[test]
fn files_of_the_other_target_are_kept() {
    let dir = example_copy("webhooks", "rel-other-target");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    palisade().args(["build", spec]).assert().success();
    let before = tree(&dir.join("dist"));
    let stderr = stderr_of(
        palisade()
            .args(["build", spec, "--target", "cloudformation"])
            .assert()
            .success(),
    );
    assert!(stderr.contains("up to date"), "{stderr}");
    assert!(tree(&dir.join("dist")) == before);
    palisade()
        .args(["build", spec, "--target", "terraform", "--check"])
        .assert()
        .success();
}

#[test]
fn a_manifest_naming_files_outside_the_output_is_rejected() {
    let dir = example_copy("webhooks", "rel-manifest-escape");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    palisade().args(["build", spec]).assert().success();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let manifest = dir.join("dist/.palisade-manifest.json");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("\"SECURITY.md\"", "\"../victim.txt\"");
    std::fs::write(&manifest, text).unwrap();
    let stderr = stderr_of(palisade().args(["build", spec]).assert().code(1));
    assert!(stderr.contains(".palisade-manifest.json"), "{stderr}");
    assert!(victim.exists());
    palisade()
        .args(["build", spec, "--force"])
        .assert()
        .success();
    assert!(victim.exists());
}

/// `--check` covers every kind of output: the report, packages, both stacks.
#[test]
fn check_names_each_kind_of_stale_file_and_passes_when_current() {
    let dir = example_copy("orders", "rel-check");
    let spec = dir.join("palisade.yaml");
    let spec = spec.to_str().unwrap();
    palisade().args(["build", spec]).assert().success();
    palisade()
        .args(["build", spec, "--check"])
        .assert()
        .success();
    let dist = dir.join("dist");
    for file in [
        "SECURITY.md",
        "functions/get-order.zip",
        "terraform/functions.tf",
        "cloudformation/template.yaml",
        ".palisade-manifest.json",
    ] {
        let path = dist.join(file);
        let original = std::fs::read(&path).unwrap();
        std::fs::write(&path, b"stale").unwrap();
        let stderr = stderr_of(palisade().args(["build", spec, "--check"]).assert().code(1));
        assert!(stderr.contains(file), "{file}: {stderr}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"stale",
            "--check writes nothing"
        );
        std::fs::remove_file(&path).unwrap();
        let stderr = stderr_of(palisade().args(["build", spec, "--check"]).assert().code(1));
        assert!(stderr.contains(file), "missing {file}: {stderr}");
        std::fs::write(&path, original).unwrap();
        palisade()
            .args(["build", spec, "--check"])
            .assert()
            .success();
    }
    // A changed handler changes its package.
    let handler = dir.join("src/get_order.py");
    let mut code = std::fs::read_to_string(&handler).unwrap();
    code.push_str("# changed\n");
    std::fs::write(&handler, code).unwrap();
    let stderr = stderr_of(palisade().args(["build", spec, "--check"]).assert().code(1));
    assert!(stderr.contains("functions/get-order.zip"), "{stderr}");
}

#[test]
fn a_removed_function_loses_its_package() {
    let dir = example_copy("orders", "rel-removed-function");
    let spec = dir.join("palisade.yaml");
    palisade()
        .args(["build", spec.to_str().unwrap()])
        .assert()
        .success();
    assert!(dir.join("dist/functions/health.zip").exists());
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace(
            "    GET /health:\n      function: health\n      public: \"load balancer health probe\"     # the only way to skip auth: a reason\n",
            "",
        )
        .replace("  health:\n    handler: src/health.handler\n", "");
    std::fs::write(&spec, text).unwrap();
    let stderr = stderr_of(
        palisade()
            .args(["build", spec.to_str().unwrap()])
            .assert()
            .success(),
    );
    assert!(stderr.contains("stale removed"), "{stderr}");
    assert!(!dir.join("dist/functions/health.zip").exists());
}

/// `services/*/` builds every service in parallel, each into its own `dist`,
/// to the same bytes as building them one at a time.
#[test]
fn several_services_build_in_parallel_to_the_same_bytes() {
    let together = support::scratch("rel-parallel-together");
    let alone = support::scratch("rel-parallel-alone");
    // Twice each, so there are more services than cores.
    for example in ["orders", "webhooks", "media", "reports"] {
        for copy in 0..2 {
            for root in ["rel-parallel-together", "rel-parallel-alone"] {
                example_copy(example, &format!("{root}/{example}-{copy}"));
            }
        }
    }
    let mut dirs: Vec<String> = std::fs::read_dir(&together)
        .unwrap()
        .map(|e| format!("{}/", e.unwrap().path().display()))
        .collect();
    dirs.sort();
    let stderr = stderr_of(palisade().arg("build").args(&dirs).assert().success());
    assert_eq!(stderr.lines().count(), dirs.len(), "{stderr}");
    for dir in std::fs::read_dir(&alone).unwrap() {
        let spec = dir.unwrap().path().join("palisade.yaml");
        palisade()
            .args(["build", spec.to_str().unwrap()])
            .assert()
            .success();
    }
    let together_tree = tree(&together);
    assert!(
        together_tree
            .keys()
            .filter(|p| p.ends_with("dist/SECURITY.md"))
            .count()
            == dirs.len()
    );
    assert!(together_tree == tree(&alone));
    // And the check passes for all of them at once.
    palisade()
        .arg("build")
        .args(&dirs)
        .arg("--check")
        .assert()
        .success();
}

#[test]
fn errors_from_several_specs_are_all_reported() {
    let root = support::scratch("rel-parallel-errors");
    for (name, example) in [
        ("a", "webhooks"),
        ("b", "webhooks"),
        ("c", "reports"),
        ("d", "reports"),
    ] {
        example_copy(example, &format!("rel-parallel-errors/{name}"));
    }
    let break_spec = |name: &str| {
        let spec = root.join(name).join("palisade.yaml");
        let text = std::fs::read_to_string(&spec)
            .unwrap()
            .replace("handler:", "handlr:");
        std::fs::write(spec, text).unwrap();
    };
    break_spec("a");
    break_spec("c");
    let args: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| root.join(n).display().to_string())
        .collect();
    let stderr = stderr_of(palisade().arg("build").args(&args).assert().code(2));
    for broken in ["a", "c"] {
        let path = root
            .join(broken)
            .join("palisade.yaml")
            .display()
            .to_string();
        assert!(stderr.contains(&format!("in {path}")), "{broken}: {stderr}");
    }
    assert!(
        root.join("b/dist/SECURITY.md").exists(),
        "the valid ones are built"
    );
    assert!(!root.join("a/dist").exists());

    // JSON diagnostics: one object with both specs' errors.
    let out = palisade()
        .arg("build")
        .args(&args)
        .args(["--diagnostics", "json"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let files: std::collections::BTreeSet<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{json}");

    // A stale check and an invalid spec: both reported, exit 2 wins.
    std::fs::write(root.join("b/dist/SECURITY.md"), "stale").unwrap();
    let stderr = stderr_of(
        palisade()
            .arg("build")
            .args(&args)
            .arg("--check")
            .assert()
            .code(2),
    );
    assert!(stderr.contains("b/dist/SECURITY.md"), "{stderr}");
    assert!(stderr.contains("a/palisade.yaml"), "{stderr}");
}

#[test]
fn out_is_rejected_with_several_specs() {
    let root = support::scratch("rel-parallel-out");
    for name in ["a", "b"] {
        example_copy("webhooks", &format!("rel-parallel-out/{name}"));
    }
    let stderr = stderr_of(
        palisade()
            .arg("build")
            .arg(root.join("a"))
            .arg(root.join("b"))
            .arg("--out")
            .arg(root.join("out"))
            .assert()
            .code(2),
    );
    assert!(stderr.contains("--out"), "{stderr}");
    assert!(!root.join("out").exists());
}

#[test]
fn two_specs_sharing_an_output_directory_are_rejected() {
    let dir = example_copy("webhooks", "rel-parallel-shared");
    std::fs::copy(dir.join("palisade.yaml"), dir.join("other.yaml")).unwrap();
    let stderr = stderr_of(
        palisade()
            .arg("build")
            .arg(dir.join("palisade.yaml"))
            .arg(dir.join("other.yaml"))
            .assert()
            .code(2),
    );
    assert!(stderr.contains("would both write to"), "{stderr}");
    assert!(!dir.join("dist").exists());
}
