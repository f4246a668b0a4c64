//! Replacing a set of files under one directory as a unit: after [`commit`]
//! either every file is new or every file is as it was, also when the
//! process dies half-way.
//!
//! Only renames within one directory are atomic, so the new files are staged
//! beside their targets and an undo journal makes the set of renames
//! reversible:
//! 1. The journal (`.palisade-journal.json` in the output root) names every
//!    file about to be written or removed, and whether it existed.
//! 2. Missing directories are created; each new file is written as
//!    `.NAME.palisade-new` beside its target.
//! 3. Each old file is moved aside to `.NAME.palisade-old`, the new one
//!    takes its place; each removed file is moved aside.
//! 4. Deleting the journal commits: from then on the new files are the output.
//! 5. The old copies are deleted.
//!
//! An error in steps 1–4 undoes what was done; a crash leaves the journal,
//! and the next build (or [`recover`]) undoes it the same way, reading from
//! the disk how far the crashed build got. The temporary names start with a
//! dot and never end in `.tf` or `.yaml`, so no tool mistakes them for output.
//!
//! Nothing is fsynced: that would cost milliseconds per file on every build
//! to protect output that is regenerated from the spec anyway. After a power
//! failure the manifest's hashes let `build --check` find a damaged file.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Fs, is_safe_relative};
use crate::error::{Error, Result};

/// The undo journal of a commit in progress, in the output root.
pub const JOURNAL: &str = ".palisade-journal.json";
/// The journal while it is being written; renamed to [`JOURNAL`] when complete.
const JOURNAL_TEMP: &str = ".palisade-journal.json.tmp";

/// What a build changes under its output root. Paths are relative to the
/// root, `/`-separated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// New content, by path.
    pub writes: BTreeMap<String, Vec<u8>>,
    /// Files to delete.
    pub removals: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.removals.is_empty()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// Directories the commit creates, parents first.
    created_dirs: Vec<String>,
    writes: Vec<Write>,
    removals: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Write {
    path: String,
    /// Whether a file was there before (then its old copy is moved aside).
    existed: bool,
}

/// Replaces the files under `root` as one unit (see the module docs).
pub fn commit(fs: &dyn Fs, root: &Path, changes: &Changes) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    if let Some(path) = changes
        .writes
        .keys()
        .chain(&changes.removals)
        .find(|p| !is_safe_relative(p))
    {
        return Err(Error::Internal(format!(
            "output path `{path}` leaves the output directory"
        )));
    }
    let created = create_root(fs, root)?;
    let result = recover(fs, root).and_then(|_| commit_in(fs, root, changes));
    if result.is_err() {
        // Only directories this call created and left empty; a failure here
        // leaves an empty directory, which is not output.
        for dir in created.iter().rev() {
            let _ = fs.remove_dir(dir);
        }
    }
    result
}

/// Undoes a commit that a crashed build left half done. Returns whether
/// there was one.
pub fn recover(fs: &dyn Fs, root: &Path) -> Result<bool> {
    let path = root.join(JOURNAL);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            remove_if_present(fs, &root.join(JOURNAL_TEMP))?;
            return Ok(false);
        }
        Err(e) => return Err(io_error(&path, e)),
    };
    let journal: Journal = serde_json::from_slice(&text)
        .ok()
        .filter(|j: &Journal| {
            j.created_dirs
                .iter()
                .chain(j.writes.iter().map(|w| &w.path))
                .chain(&j.removals)
                .all(|p| is_safe_relative(p))
        })
        .ok_or_else(|| {
            io_error(
                &path,
                std::io::Error::other(
                    "the journal of an interrupted build is unreadable; restore the output from version control and delete it",
                ),
            )
        })?;
    rollback(fs, root, &journal)?;
    Ok(true)
}

/// Creates `root` and its missing ancestors; returns those it created.
fn create_root(fs: &dyn Fs, root: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut dir = Some(root).filter(|d| !d.as_os_str().is_empty());
    while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty() && !exists(d)) {
        missing.push(d.to_path_buf());
        dir = d.parent();
    }
    missing.reverse();
    for (i, dir) in missing.iter().enumerate() {
        if let Err(e) = fs.create_dir(dir) {
            for created in missing[..i].iter().rev() {
                let _ = fs.remove_dir(created);
            }
            return Err(io_error(dir, e));
        }
    }
    Ok(missing)
}

fn commit_in(fs: &dyn Fs, root: &Path, changes: &Changes) -> Result<()> {
    let journal = Journal::new(root, changes);
    // Leftovers of an earlier commit whose clean-up failed: removed before
    // the journal exists, so an undo can never mistake them for this
    // commit's copies.
    for path in journal.paths() {
        remove_if_present(fs, &staged(root, path))?;
        remove_if_present(fs, &aside(root, path))?;
    }
    write_journal(fs, root, &journal)?;
    if let Err(err) = apply(fs, root, &journal, changes) {
        return Err(match rollback(fs, root, &journal) {
            Ok(()) => err,
            Err(undo) => io_error(
                root,
                std::io::Error::other(format!(
                    "{err}; restoring the previous output also failed ({undo}); run `palisade build` again to restore it"
                )),
            ),
        });
    }
    // Committed. The old copies are garbage under names no tool reads, and
    // the next commit clears any that are left, so a failure is harmless.
    for path in journal.replaced() {
        let _ = fs.remove_file(&aside(root, path));
    }
    Ok(())
}

fn write_journal(fs: &dyn Fs, root: &Path, journal: &Journal) -> Result<()> {
    let temp = root.join(JOURNAL_TEMP);
    let text = serde_json::to_vec(journal).expect("a journal is plain data");
    let written = fs
        .write(&temp, &text)
        .map_err(|e| io_error(&temp, e))
        .and_then(|()| {
            fs.rename(&temp, &root.join(JOURNAL))
                .map_err(|e| io_error(&root.join(JOURNAL), e))
        });
    if written.is_err() {
        // Not yet a journal, so nothing to undo; the next commit also clears it.
        let _ = fs.remove_file(&temp);
    }
    written
}

fn apply(fs: &dyn Fs, root: &Path, journal: &Journal, changes: &Changes) -> Result<()> {
    for dir in &journal.created_dirs {
        let dir = root.join(dir);
        fs.create_dir(&dir).map_err(|e| io_error(&dir, e))?;
    }
    for write in &journal.writes {
        let new = staged(root, &write.path);
        fs.write(&new, &changes.writes[&write.path])
            .map_err(|e| io_error(&new, e))?;
    }
    for write in &journal.writes {
        let target = root.join(&write.path);
        if write.existed {
            move_file(fs, &target, &aside(root, &write.path))?;
        }
        move_file(fs, &staged(root, &write.path), &target)?;
    }
    for path in &journal.removals {
        move_file(fs, &root.join(path), &aside(root, path))?;
    }
    let journal_path = root.join(JOURNAL);
    fs.remove_file(&journal_path)
        .map_err(|e| io_error(&journal_path, e))
}

/// Puts every file back as the journal found it, from wherever on disk the
/// commit stopped. Each step checks before acting, so running it twice (a
/// crash during an undo) is safe.
fn rollback(fs: &dyn Fs, root: &Path, journal: &Journal) -> Result<()> {
    for path in journal.removals.iter().rev() {
        let old = aside(root, path);
        if exists(&old) {
            move_file(fs, &old, &root.join(path))?;
        }
    }
    for write in journal.writes.iter().rev() {
        let target = root.join(&write.path);
        remove_if_present(fs, &staged(root, &write.path))?;
        let old = aside(root, &write.path);
        if write.existed {
            if exists(&old) {
                move_file(fs, &old, &target)?;
            }
        } else {
            remove_if_present(fs, &target)?;
        }
    }
    for dir in journal.created_dirs.iter().rev() {
        let dir = root.join(dir);
        if exists(&dir) {
            fs.remove_dir(&dir).map_err(|e| io_error(&dir, e))?;
        }
    }
    remove_if_present(fs, &root.join(JOURNAL))?;
    remove_if_present(fs, &root.join(JOURNAL_TEMP))
}

impl Journal {
    fn new(root: &Path, changes: &Changes) -> Journal {
        let mut created_dirs: Vec<String> = Vec::new();
        for path in changes.writes.keys() {
            let mut prefix = String::new();
            let mut segments = path.split('/').peekable();
            while let Some(segment) = segments.next() {
                if segments.peek().is_none() {
                    break;
                }
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(segment);
                if !created_dirs.contains(&prefix) && !root.join(&prefix).is_dir() {
                    created_dirs.push(prefix.clone());
                }
            }
        }
        Journal {
            created_dirs,
            writes: changes
                .writes
                .keys()
                .map(|path| Write {
                    path: path.clone(),
                    existed: exists(&root.join(path)),
                })
                .collect(),
            removals: changes.removals.clone(),
        }
    }

    fn paths(&self) -> impl Iterator<Item = &String> {
        self.writes.iter().map(|w| &w.path).chain(&self.removals)
    }

    /// Paths whose old file was moved aside.
    fn replaced(&self) -> impl Iterator<Item = &String> {
        self.writes
            .iter()
            .filter(|w| w.existed)
            .map(|w| &w.path)
            .chain(&self.removals)
    }
}

/// `dir/.NAME.palisade-new`: a new file waiting to take `path`'s place.
fn staged(root: &Path, path: &str) -> PathBuf {
    beside(root, path, "new")
}

/// `dir/.NAME.palisade-old`: the old file, kept until the commit is done.
fn aside(root: &Path, path: &str) -> PathBuf {
    beside(root, path, "old")
}

fn beside(root: &Path, path: &str, what: &str) -> PathBuf {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    root.join(dir).join(format!(".{name}.palisade-{what}"))
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn move_file(fs: &dyn Fs, from: &Path, to: &Path) -> Result<()> {
    fs.rename(from, to).map_err(|e| io_error(to, e))
}

fn remove_if_present(fs: &dyn Fs, path: &Path) -> Result<()> {
    if exists(path) {
        fs.remove_file(path).map_err(|e| io_error(path, e))?;
    }
    Ok(())
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::io(path.display().to_string(), e)
}
