//! Function packages: each function's code directory zipped deterministically
//! (sorted entries, fixed timestamps and modes), so the same source always
//! gives the same bytes, hash and artifact key.

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

/// Zips the code directory `dir` (from [`code_dir`]) under `spec_dir`.
pub fn archive(spec_dir: &Path, dir: &str) -> Result<Archive> {
    let root = spec_dir.join(dir);
    let mut files = Vec::new();
    collect(&root, &root, dir.is_empty(), &mut files)?;
    files.sort();
    let bytes = zip_files(&root, &files)?;
    let digest = Sha256::digest(&bytes);
    Ok(Archive {
        sha256_hex: digest.iter().map(|b| format!("{b:02x}")).collect(),
        sha256_base64: base64::engine::general_purpose::STANDARD.encode(digest),
        bytes,
    })
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

fn zip_files(root: &Path, files: &[String]) -> Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let internal = |e: zip::result::ZipError| Error::Internal(format!("zip: {e}"));
    for file in files {
        let path = root.join(file);
        let content = std::fs::read(&path).map_err(|e| Error::io(path.display().to_string(), e))?;
        writer
            .start_file(file.as_str(), options)
            .map_err(internal)?;
        writer
            .write_all(&content)
            .map_err(|e| Error::io(path.display().to_string(), e))?;
    }
    Ok(writer.finish().map_err(internal)?.into_inner())
}
