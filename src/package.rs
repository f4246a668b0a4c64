//! Function packages: each function's code directory zipped deterministically
//! (sorted entries, fixed timestamps and modes), so the same source always
//! gives the same bytes, hash and artifact key.
//!
//! Zipping is the slowest step of a small build, so a build keeps its
//! archives beside the spec, in [`CACHE_DIR`], named by a digest of their
//! sources, and the next build reuses an archive while its sources are
//! unchanged. The cache is the developer's own and never committed: CI and
//! `build --check` on a fresh clone zip from source, so a committed zip is
//! always compared with one built from the code under review.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A code directory, zipped. Functions that share a directory share it.
#[derive(Debug, Clone)]
pub struct Archive {
    pub bytes: Vec<u8>,
    pub sha256_hex: String,
    pub sha256_base64: String,
}

/// The directory a handler's code is packaged from, and the handler relative
/// to it: `src/orders/get.handler` → (`src`, `orders/get.handler`). A handler
/// with no directory packages the spec's directory itself.
pub fn code_dir(handler: &str) -> (&str, &str) {
    match handler.split_once('/') {
        Some((dir, rest)) => (dir, rest),
        None => ("", handler),
    }
}

/// Where a build keeps its archives, relative to the spec's directory.
pub const CACHE_DIR: &str = ".palisade/packages";

/// A code directory's files, read, in archive order.
pub struct Source {
    files: Vec<(String, Vec<u8>)>,
    /// SHA-256 (hex) of everything that decides the archive's bytes: the
    /// packaging format and Palisade's version, then each file's path and
    /// contents.
    pub digest: String,
}

/// Reads the code directory `dir` (from [`code_dir`]) under `spec_dir`.
pub fn read(spec_dir: &Path, dir: &str) -> Result<Source> {
    let root = spec_dir.join(dir);
    let mut paths = Vec::new();
    collect(&root, &root, dir.is_empty(), &mut paths)?;
    paths.sort();
    let mut hasher = Sha256::new();
    hasher.update(concat!(
        "palisade-package-1\0",
        env!("CARGO_PKG_VERSION"),
        "\0"
    ));
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let full = root.join(&path);
        let content = std::fs::read(&full).map_err(|e| Error::io(full.display().to_string(), e))?;
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(&content);
        files.push((path, content));
    }
    Ok(Source {
        files,
        digest: hex(&hasher.finalize()),
    })
}

impl Source {
    /// The sources, zipped.
    pub fn archive(&self) -> Result<Archive> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        let internal = |e: zip::result::ZipError| Error::Internal(format!("zip: {e}"));
        for (path, content) in &self.files {
            writer
                .start_file(path.as_str(), options)
                .map_err(internal)?;
            writer
                .write_all(content)
                .map_err(|e| Error::Internal(format!("zip: {e}")))?;
        }
        Ok(Archive::of(writer.finish().map_err(internal)?.into_inner()))
    }
}

impl Archive {
    fn of(bytes: Vec<u8>) -> Archive {
        let digest = Sha256::digest(&bytes);
        Archive {
            sha256_hex: hex(&digest),
            sha256_base64: base64::engine::general_purpose::STANDARD.encode(digest),
            bytes,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The archives of earlier builds of one spec, by source digest.
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn beside(spec_dir: &Path) -> Cache {
        Cache {
            dir: spec_dir.join(CACHE_DIR),
        }
    }

    /// The archive an earlier build made of exactly these sources.
    pub fn get(&self, source: &Source) -> Option<Archive> {
        std::fs::read(self.entry(&source.digest))
            .ok()
            .map(Archive::of)
    }

    /// Leaves exactly `archives` (source digest → zip) in the cache, so it
    /// holds one build's worth. Best effort: a cache that cannot be written
    /// only makes the next build zip again.
    pub fn keep(&self, archives: &BTreeMap<String, Vec<u8>>) {
        for (digest, bytes) in archives {
            let entry = self.entry(digest);
            if !entry.exists() {
                let _ = crate::output::write_atomic(&entry, bytes);
            }
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = name
                .strip_suffix(".zip")
                .is_some_and(|digest| !archives.contains_key(digest));
            if stale {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn entry(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}.zip"))
    }
}

/// Files under `dir` as `/`-separated relative paths. Hidden files, build
/// output and (at the spec's own root) the spec itself are left out.
fn collect(root: &Path, dir: &Path, is_spec_root: bool, files: &mut Vec<String>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir.display().to_string(), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let skipped = name.starts_with('.')
            || name == "__pycache__"
            || is_spec_root && dir == root && matches!(name.as_str(), "dist" | "palisade.yaml");
        if skipped {
            continue;
        }
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| Error::io(path.display().to_string(), e))?;
        if kind.is_dir() {
            collect(root, &path, is_spec_root, files)?;
        } else if kind.is_file() {
            files.push(relative(root, &path));
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    let relative: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
