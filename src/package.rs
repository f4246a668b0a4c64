//! Function packages: each function's code directory zipped deterministically
//! (sorted entries, fixed timestamps and modes), so the same source always
//! gives the same bytes, hash and artifact key.
//!
//! What is packaged: every regular file under the code directory except
//! hidden files (`.git`, `.palisade/`), `__pycache__`, the build output
//! (`dist/` beside the spec and any `--out` directory, wherever they are)
//! and the spec itself. Symbolic links are followed while they resolve
//! inside the service directory (the spec's), and the zip holds what they
//! point at under the link's name; a link that leads out of it, a link loop,
//! and a special file (a FIFO, socket or device, which could block the
//! build) are errors located at the function's handler. So are packages
//! over Lambda's limits: [`MAX_UNZIPPED`] of files, [`MAX_ZIPPED`] zipped.
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

use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::input::{Outside, resolve_inside};
use crate::spec::Loc;

/// Lambda's limit on a function's code, unzipped: 250 MB.
pub const MAX_UNZIPPED: u64 = 250 * 1024 * 1024;
/// Lambda's limit on a zip uploaded directly (Terraform's `filename`): 50 MB.
pub const MAX_ZIPPED: u64 = 50 * 1024 * 1024;

/// A code directory, zipped. Functions that share a directory share it.
#[derive(Debug, Clone)]
pub struct Archive {
    pub bytes: Vec<u8>,
    pub sha256_hex: String,
    pub sha256_base64: String,
}

pub use crate::spec::code_dir;

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

/// What a package never holds, besides hidden files.
pub struct Excluded {
    /// The spec file, at the service directory's root.
    spec: Option<PathBuf>,
    /// Output directories: `dist/` beside the spec, and `--out`.
    dirs: Vec<PathBuf>,
}

impl Excluded {
    /// For the spec at `spec_path`, built into `out` (if not the default).
    pub fn new(spec_path: &Path, out: Option<&Path>) -> Excluded {
        let service = service_dir(spec_path.parent().unwrap_or(Path::new("")));
        // Compared resolved, so `--out ./src/../src/out` is still found;
        // what does not exist yet holds no files to leave out.
        let dirs = [Some(service.join("dist")), out.map(Path::to_path_buf)]
            .into_iter()
            .flatten()
            .filter_map(|dir| std::fs::canonicalize(dir).ok())
            .collect();
        Excluded {
            spec: std::fs::canonicalize(spec_path).ok(),
            dirs,
        }
    }
}

/// The directory relative paths in a spec are read from: the spec's own
/// (`.` when the spec path has no directory part).
fn service_dir(spec_dir: &Path) -> &Path {
    if spec_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        spec_dir
    }
}

/// Reads the code directory `dir` (from [`code_dir`]) under `spec_dir`.
/// A refusal is located at `at`, the handler that names the directory.
pub fn read(
    spec_dir: &Path,
    dir: &str,
    excluded: &Excluded,
    at: Loc,
) -> std::result::Result<Source, Diagnostic> {
    let service = service_dir(spec_dir);
    let shown = if dir.is_empty() { "." } else { dir };
    let refuse = |code: Code, message: String| Diagnostic::error(code, at, message);
    let root = service.join(dir);
    let real_root = match resolve_inside(service, &root) {
        Ok(real) => real,
        Err(outside) => return Err(refuse(Code::HandlerPath, escape(shown, outside))),
    };
    let mut walk = Walk {
        service,
        excluded,
        files: Vec::new(),
        total: 0,
        open: vec![real_root.clone()],
    };
    walk.dir(&root, "")
        .map_err(|(code, message)| refuse(code, message))?;
    let mut found = walk.files;
    found.sort();
    let mut hasher = Sha256::new();
    hasher.update(concat!(
        "palisade-package-1\0",
        env!("CARGO_PKG_VERSION"),
        "\0"
    ));
    let mut files = Vec::with_capacity(found.len());
    for (path, real) in found {
        let content = crate::input::read_regular(&real)
            .map_err(|e| refuse(Code::Unreadable, format!("cannot package `{path}`: {e}")))?;
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

/// A package over [`MAX_ZIPPED`], located at `at`.
pub fn check_zipped(dir: &str, archive: &Archive, at: Loc) -> std::result::Result<(), Diagnostic> {
    let size = archive.bytes.len() as u64;
    if size <= MAX_ZIPPED {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::InputLimit,
        at,
        format!(
            "the package of `{}` is {size} bytes zipped; Lambda accepts at most {MAX_ZIPPED} (50 MB) uploaded directly",
            if dir.is_empty() { "." } else { dir }
        ),
    )
    .with_suggestion("leave large dependencies out of the code directory (a Lambda layer or a container image holds them)"))
}

fn escape(path: &str, outside: Outside) -> String {
    match outside {
        Outside::Leaves(target) => format!(
            "`{path}` is a symbolic link to {}, outside the service directory; packages hold only files inside it",
            target.display()
        ),
        Outside::Unresolvable(e) => format!("cannot resolve `{path}`: {e}"),
    }
}

/// A walk over a code directory: what it found, with the real path to read.
struct Walk<'a> {
    service: &'a Path,
    excluded: &'a Excluded,
    /// (path in the zip, real path on disk)
    files: Vec<(String, PathBuf)>,
    /// Bytes found so far, against [`MAX_UNZIPPED`].
    total: u64,
    /// The real directories being walked, to catch a link back into one.
    open: Vec<PathBuf>,
}

type Refusal = (Code, String);

impl Walk<'_> {
    /// `dir` on disk is `prefix` in the zip (`""` at the root).
    fn dir(&mut self, dir: &Path, prefix: &str) -> std::result::Result<(), Refusal> {
        let unreadable = |e: std::io::Error| {
            (
                Code::Unreadable,
                format!("cannot read `{}`: {e}", dir.display()),
            )
        };
        let entries = std::fs::read_dir(dir).map_err(unreadable)?;
        for entry in entries {
            let entry = entry.map_err(unreadable)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "__pycache__" {
                continue;
            }
            let path = entry.path();
            let inner = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry.file_type().map_err(unreadable)?;
            let real = if kind.is_symlink() {
                resolve_inside(self.service, &path)
                    .map_err(|outside| (Code::HandlerPath, escape(&inner, outside)))?
            } else {
                path.clone()
            };
            // Following the link: what it points at decides.
            let metadata = std::fs::metadata(&real).map_err(unreadable)?;
            if metadata.is_dir() {
                let resolved = std::fs::canonicalize(&real).map_err(unreadable)?;
                if self.excluded.dirs.contains(&resolved) {
                    continue;
                }
                if self.open.contains(&resolved) {
                    return Err((
                        Code::HandlerPath,
                        format!(
                            "`{inner}` is a symbolic link back into a directory that holds it (a loop)"
                        ),
                    ));
                }
                self.open.push(resolved);
                self.dir(&path, &inner)?;
                self.open.pop();
            } else if metadata.is_file() {
                // The spec sits at the service directory's root, so only a
                // top-level file can be it.
                if prefix.is_empty()
                    && let Some(spec) = &self.excluded.spec
                    && std::fs::canonicalize(&real).is_ok_and(|r| &r == spec)
                {
                    continue;
                }
                self.total += metadata.len();
                if self.total > MAX_UNZIPPED {
                    return Err((
                        Code::InputLimit,
                        format!(
                            "the code directory holds more than {MAX_UNZIPPED} bytes (250 MB), Lambda's limit for a function's code unzipped (at `{inner}`)"
                        ),
                    ));
                }
                self.files.push((inner, real));
            } else {
                return Err((
                    Code::Unreadable,
                    format!(
                        "`{inner}` is not a regular file (a FIFO, socket or device); packages hold only files and directories"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The JWT authorizer's code, built into Palisade (`templates/authorizer/`).
pub const AUTHORIZER_CODE: &str = include_str!("../templates/authorizer/index.mjs");

/// The package of Palisade's JWT authorizer: its code and `config`
/// (`config.json`, from [`crate::plan::authorizer_config`]), zipped like any
/// function's, so the same spec always gives the same bytes and key.
pub fn authorizer(config: &str) -> Result<Archive> {
    let files = vec![
        ("config.json".to_string(), config.as_bytes().to_vec()),
        ("index.mjs".to_string(), AUTHORIZER_CODE.as_bytes().to_vec()),
    ];
    let mut hasher = Sha256::new();
    for (path, content) in &files {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(content);
    }
    Source {
        files,
        digest: hex(&hasher.finalize()),
    }
    .archive()
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
