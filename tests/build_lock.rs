//! Two `palisade build` processes on one spec at once: the second waits for
//! the first's lock, so they never share the undo journal, and `dist/`
//! always ends exactly as one clean build leaves it.

mod support;

#[path = "../benches/support/mod.rs"]
#[allow(dead_code)]
mod synthetic;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::{palisade_process as palisade, scratch};

const FUNCTIONS: usize = 40;

/// A service of [`FUNCTIONS`] functions whose handler says `variant`.
fn service(dir: &Path, variant: usize) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("palisade.yaml"), synthetic::spec(FUNCTIONS)).unwrap();
    handler(dir, variant);
}

fn handler(dir: &Path, variant: usize) {
    std::fs::write(
        dir.join("src/app.py"),
        format!("def handler(event, context):\n    return {variant}\n"),
    )
    .unwrap();
}

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn concurrent_builds_of_one_spec_leave_the_output_of_a_clean_build() {
    // What one build leaves in a fresh directory, for each handler variant.
    let clean: Vec<_> = (0..2)
        .map(|variant| {
            let dir = scratch(&format!("lock-clean-{variant}"));
            service(&dir, variant);
            let output = palisade().arg("build").current_dir(&dir).output().unwrap();
            assert!(output.status.success(), "{}", describe(&output));
            tree(&dir.join("dist"))
        })
        .collect();

    let dir = scratch("lock-race");
    service(&dir, 0);
    let mut waited = 0;
    for round in 0..50 {
        // Every round has work to do: the code changes, and every third
        // round the output is gone, so both builds also create `dist/`.
        let variant = round % 2;
        handler(&dir, variant);
        if round % 3 == 0 {
            let _ = std::fs::remove_dir_all(dir.join("dist"));
        }
        let builds: Vec<_> = (0..2)
            .map(|_| {
                palisade()
                    .arg("build")
                    .current_dir(&dir)
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for build in builds {
            let output = build.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round}: {}",
                describe(&output)
            );
            if String::from_utf8_lossy(&output.stderr).contains("waiting, another build") {
                waited += 1;
            }
        }
        let dist = tree(&dir.join("dist"));
        assert!(
            dist == clean[variant],
            "round {round}: dist/ differs from a clean build in {:?}",
            dist.keys()
                .chain(clean[variant].keys())
                .filter(|p| dist.get(*p) != clean[variant].get(*p))
                .collect::<std::collections::BTreeSet<_>>()
        );
    }
    // Not every round overlaps, but with two builds started together most do.
    assert!(waited > 0, "no build ever waited for the lock");
}

#[test]
fn a_failed_first_build_creates_no_lock() {
    let dir = scratch("lock-failed");
    service(&dir, 0);
    std::fs::write(dir.join("palisade.yaml"), "service: [").unwrap();
    let output = palisade().arg("build").current_dir(&dir).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(!dir.join(".palisade").exists());
    assert!(!dir.join("dist").exists());
}
