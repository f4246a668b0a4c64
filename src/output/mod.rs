//! Writing output. A single file is written to a temporary file in the same
//! directory and renamed, so a reader never sees half a file; a whole build's
//! files are replaced together by [`commit`], so a failed or interrupted build
//! never leaves half a stack. [`manifest`] records what Palisade wrote, so a
//! hand edit is noticed before it is overwritten.

mod lock;
pub mod manifest;
mod transaction;

use std::path::Path;

pub use lock::{Access, BuildLock, LOCK_FILE};
pub use transaction::{Changes, JOURNAL, commit, recover};

use crate::error::{Error, Result};

/// The file-system operations a commit performs. Builds use [`RealFs`];
/// tests implement it to fail (or "crash") at any chosen step.
pub trait Fs: Sync {
    fn create_dir(&self, path: &Path) -> std::io::Result<()>;
    /// Creates (or truncates) `path` with `bytes`.
    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()>;
    fn remove_file(&self, path: &Path) -> std::io::Result<()>;
    fn remove_dir(&self, path: &Path) -> std::io::Result<()>;
}

/// The real file system.
pub struct RealFs;

impl Fs for RealFs {
    fn create_dir(&self, path: &Path) -> std::io::Result<()> {
        std::fs::create_dir(path)
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::write(path, bytes)
    }

    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::rename(from, to)
    }

    fn remove_file(&self, path: &Path) -> std::io::Result<()> {
        std::fs::remove_file(path)
    }

    fn remove_dir(&self, path: &Path) -> std::io::Result<()> {
        std::fs::remove_dir(path)
    }
}

/// A `/`-separated path that stays inside the directory it is relative to.
/// Paths read back from disk (the manifest, the journal) are checked with it,
/// so an edited manifest cannot make a build delete a file elsewhere.
pub(crate) fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | "..") && !segment.contains(':'))
}

/// Writes one file atomically (temp file in the same directory, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = || path.display().to_string();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.palisade-tmp-{}", std::process::id()));
    std::fs::write(&temp, bytes).map_err(|e| Error::io(temp.display().to_string(), e))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Error::io(shown(), e)
    })
}
