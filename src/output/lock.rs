//! One build at a time per spec directory. Two builds of one spec would
//! share the output's undo journal and manifest, and one's undo would
//! restore the other's half-written files, so a build holds an exclusive
//! lock on `.palisade/build.lock` beside the spec (with the package cache)
//! while it reads the last build's output and writes the new one and the
//! cache. A second build waits for it, saying so on stderr. `build --check`
//! takes a shared lock, so it never reads a build half done.
//!
//! Nothing is created for a build that fails before it writes: while the
//! lock file does not exist yet, the build compiles first and creates it
//! only when it has output to write (and `--check`, which writes nothing,
//! never creates it).
//!
//! The lock is the operating system's (`flock` on Unix, `LockFileEx` on
//! Windows), released when the process ends however it ends, so a killed
//! build never leaves a stale lock. The file holds the holder's pid, which
//! the message of a waiting build names; a
//! finished build empties it, so it is the same after every build.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Read, Seek, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// The lock file, relative to the spec's directory.
pub const LOCK_FILE: &str = ".palisade/build.lock";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A build, which writes.
    Exclusive,
    /// `build --check`, which only reads.
    Shared,
}

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct BuildLock {
    file: File,
    access: Access,
}

impl Drop for BuildLock {
    /// Forgets the pid before releasing, so a finished build leaves the
    /// same (empty) file every time; the release is the file's closing.
    fn drop(&mut self) {
        if self.access == Access::Exclusive {
            let _ = self.file.set_len(0);
        }
    }
}

impl BuildLock {
    /// The lock of the spec directory `spec_dir`, if a build ever created
    /// it; waits while another build holds it, after telling `waiting` who.
    pub fn existing(
        spec_dir: &Path,
        access: Access,
        waiting: impl FnOnce(&str),
    ) -> Result<Option<BuildLock>> {
        let path = spec_dir.join(LOCK_FILE);
        let file = match OpenOptions::new()
            .read(true)
            .write(access == Access::Exclusive)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path.display().to_string(), e)),
        };
        lock(file, &path, access, waiting).map(Some)
    }

    /// The exclusive lock of `spec_dir`, creating the lock file if needed.
    pub fn create(spec_dir: &Path, waiting: impl FnOnce(&str)) -> Result<BuildLock> {
        let path = spec_dir.join(LOCK_FILE);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(path.display().to_string(), e))?;
        lock(file, &path, Access::Exclusive, waiting)
    }
}

fn lock(
    mut file: File,
    path: &Path,
    access: Access,
    waiting: impl FnOnce(&str),
) -> Result<BuildLock> {
    let io = |e| Error::io(path.display().to_string(), e);
    let tried = match access {
        Access::Exclusive => file.try_lock(),
        Access::Shared => file.try_lock_shared(),
    };
    match tried {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            waiting(&holder(&mut file, path));
            match access {
                Access::Exclusive => file.lock(),
                Access::Shared => file.lock_shared(),
            }
            .map_err(io)?;
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    if access == Access::Exclusive {
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "pid {}", std::process::id()))
            .map_err(io)?;
    }
    Ok(BuildLock { file, access })
}

/// "another build (pid 4242) holds dir/.palisade/build.lock".
fn holder(file: &mut File, path: &Path) -> String {
    let mut text = String::new();
    // Best effort: the holder may be rewriting it, and Windows locks refuse reads.
    let _ = file.take(64).read_to_string(&mut text);
    let who = text
        .trim()
        .strip_prefix("pid ")
        .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .map_or_else(
            || "another build".to_string(),
            |pid| format!("another build (pid {pid})"),
        );
    format!("{who} holds {}", path.display())
}
