//! Reading files a user names or a spec points at, safely: only regular
//! files are opened (opening a FIFO blocks until someone writes to it, and
//! a device never ends), and a symbolic link is followed only while it
//! stays inside the directory it belongs to.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Opens `path` (following symbolic links) for reading if it is a regular
/// file; anything else is an error, without opening it.
pub fn open_regular(path: &Path) -> Result<File> {
    let shown = || path.display().to_string();
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(shown(), e))?;
    if !metadata.is_file() {
        return Err(not_regular(path, &metadata));
    }
    let file = File::open(path).map_err(|e| Error::io(shown(), e))?;
    // Checked again on the open file, in case the path was swapped meanwhile.
    let metadata = file.metadata().map_err(|e| Error::io(shown(), e))?;
    if !metadata.is_file() {
        return Err(not_regular(path, &metadata));
    }
    Ok(file)
}

/// The whole of a regular file.
pub fn read_regular(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_regular(path)?
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path.display().to_string(), e))?;
    Ok(bytes)
}

/// A regular file of at most `limit` bytes; a larger one is `Err(Ok(size))`
/// with its real size, unread.
pub fn read_limited(path: &Path, limit: u64) -> std::result::Result<Vec<u8>, Result<u64>> {
    let file = open_regular(path).map_err(Err)?;
    let size = file
        .metadata()
        .map_err(|e| Err(Error::io(path.display().to_string(), e)))?
        .len();
    if size > limit {
        return Err(Ok(size));
    }
    let mut bytes = Vec::new();
    // The file may grow after the size was read: never more than the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Err(Error::io(path.display().to_string(), e)))?;
    if bytes.len() as u64 > limit {
        return Err(Ok(bytes.len() as u64));
    }
    Ok(bytes)
}

fn not_regular(path: &Path, metadata: &std::fs::Metadata) -> Error {
    let kind = if metadata.is_dir() {
        "a directory"
    } else {
        "not a regular file (a FIFO, socket or device)"
    };
    Error::io(
        path.display().to_string(),
        std::io::Error::other(format!("{kind}; palisade reads only regular files")),
    )
}

/// Where `path`, under `root`, really is, if that is inside `root` once
/// every symbolic link on the way is resolved; `Err` holds where it leads
/// (or the error resolving it).
pub fn resolve_inside(root: &Path, path: &Path) -> std::result::Result<PathBuf, Outside> {
    let root = std::fs::canonicalize(root).map_err(Outside::Unresolvable)?;
    let real = std::fs::canonicalize(path).map_err(Outside::Unresolvable)?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(Outside::Leaves(real))
    }
}

#[derive(Debug)]
pub enum Outside {
    /// The resolved path, outside the root.
    Leaves(PathBuf),
    /// A dangling link, a loop, or no permission.
    Unresolvable(std::io::Error),
}
