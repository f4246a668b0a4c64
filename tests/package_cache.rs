//! The package cache: a build reuses the archive of unchanged sources, zips
//! again when a source changes, keeps one build's worth, and `--check` and
//! failed builds neither use nor write it.

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use palisade::package::CACHE_DIR;
use support::example_copy;

fn build(spec: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("palisade")
        .unwrap()
        .arg("build")
        .arg(spec)
        .args(extra)
        .assert()
}

/// The cache's entries, by file name.
fn entries(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(read) = std::fs::read_dir(dir.join(CACHE_DIR)) else {
        return Vec::new();
    };
    let mut found: Vec<(String, Vec<u8>)> = read
        .map(|e| e.unwrap().path())
        .map(|p: PathBuf| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    found.sort();
    found
}

fn package(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("dist/functions/get-order.zip")).unwrap()
}

#[test]
fn an_unchanged_source_reuses_its_archive_and_a_changed_one_is_zipped_again() {
    let dir = example_copy("orders", "cache-reuse");
    let spec = dir.join("palisade.yaml");
    build(&spec, &[]).success();
    let first = entries(&dir);
    assert_eq!(first.len(), 1, "one code directory, one archive");
    assert_eq!(first[0].1, package(&dir));

    // A build takes the archive from the cache rather than zipping: what the
    // cache holds under the sources' digest is what gets packaged.
    let planted = b"PK\x05\x06planted".to_vec();
    std::fs::write(dir.join(CACHE_DIR).join(&first[0].0), &planted).unwrap();
    build(&spec, &[]).success();
    assert_eq!(package(&dir), planted);

    // A changed source has a new digest: zipped again, and the old entry goes.
    let handler = dir.join("src/get_order.py");
    let mut code = std::fs::read_to_string(&handler).unwrap();
    code.push_str("\n# changed\n");
    std::fs::write(&handler, code).unwrap();
    build(&spec, &[]).success();
    let second = entries(&dir);
    assert_eq!(second.len(), 1, "{second:?}");
    assert_ne!(second[0].0, first[0].0);
    assert_eq!(second[0].1, package(&dir));
    assert_ne!(package(&dir), planted);
    assert_ne!(package(&dir), first[0].1);
}

#[test]
fn a_cached_archive_is_the_same_bytes_as_a_fresh_one() {
    let dir = example_copy("webhooks", "cache-same-bytes");
    let spec = dir.join("palisade.yaml");
    build(&spec, &[]).success();
    let fresh = std::fs::read_dir(dir.join("dist/functions"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    std::fs::remove_dir_all(dir.join("dist")).unwrap();
    build(&spec, &[]).success();
    let cached = std::fs::read_dir(dir.join("dist/functions"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    assert_eq!(fresh, cached);
}

#[test]
fn check_zips_from_source_and_leaves_the_cache_alone() {
    let dir = example_copy("orders", "cache-check");
    let spec = dir.join("palisade.yaml");
    build(&spec, &[]).success();
    let (name, _) = entries(&dir).remove(0);
    std::fs::write(dir.join(CACHE_DIR).join(&name), b"poisoned").unwrap();
    // The committed zip matches one built from source, whatever the cache says.
    build(&spec, &["--check"]).success();
    assert_eq!(entries(&dir), vec![(name, b"poisoned".to_vec())]);

    std::fs::remove_dir_all(dir.join(".palisade")).unwrap();
    build(&spec, &["--check"]).success();
    assert!(!dir.join(".palisade").exists(), "--check writes nothing");
}

#[test]
fn a_failed_build_writes_no_cache() {
    let dir = example_copy("orders", "cache-failed");
    let spec = dir.join("palisade.yaml");
    // The override is rejected by the plan, after the code has been zipped.
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str("overrides:\n  cloudformation:\n    GetOrderFunction:\n      Properties:\n        TracingConfig: { Mode: PassThrough }\n");
    std::fs::write(&spec, text).unwrap();
    build(&spec, &[]).code(2);
    assert!(!dir.join(".palisade").exists());
    assert!(!dir.join("dist").exists());
}

#[test]
fn the_source_digest_covers_every_path_and_byte() {
    let dir = support::scratch("cache-digest");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/a.py"), "x = 1\n").unwrap();
    let excluded = palisade::package::Excluded::new(&dir.join("palisade.yaml"), None);
    let digest = || {
        palisade::package::read(&dir, "src", &excluded, Default::default())
            .unwrap()
            .digest
    };
    let original = digest();
    assert_eq!(digest(), original, "same sources, same digest");
    std::fs::write(dir.join("src/a.py"), "x = 2\n").unwrap();
    let edited = digest();
    assert_ne!(edited, original);
    std::fs::rename(dir.join("src/a.py"), dir.join("src/b.py")).unwrap();
    let renamed = digest();
    assert_ne!(renamed, edited);
    // Moving a byte between a path and the contents must not collide.
    std::fs::write(dir.join("src/b.py"), "").unwrap();
    std::fs::write(dir.join("src/b.pyx"), "").unwrap();
    let two = digest();
    std::fs::remove_file(dir.join("src/b.pyx")).unwrap();
    std::fs::write(dir.join("src/b.py"), "x").unwrap();
    assert_ne!(digest(), two);
    // Hidden files and caches are not packaged, so they do not count.
    let before = digest();
    std::fs::write(dir.join("src/.env"), "SECRET=1").unwrap();
    std::fs::create_dir_all(dir.join("src/__pycache__")).unwrap();
    std::fs::write(dir.join("src/__pycache__/b.pyc"), "bytecode").unwrap();
    assert_eq!(digest(), before);
}
