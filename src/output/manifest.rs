//! `.palisade-manifest.json`: the SHA-256 of every file the last build wrote.
//! A generated file whose bytes no longer match was edited by hand, and the
//! next build refuses to overwrite it (unless forced), because the edit would
//! silently vanish: lasting changes belong in the spec's `overrides:`.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{Changes, is_safe_relative};
use crate::error::{Error, Result};

/// The manifest's name in the output root.
pub const FILE: &str = ".palisade-manifest.json";

/// The line every generated text file starts with (as a comment), or carries
/// in its description where the format has no comments (JSON templates).
pub const HEADER: &str = crate::text::GENERATED;

/// Generated file → `sha256:<hex>` of its bytes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub files: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct OnDisk {
    files: BTreeMap<String, String>,
}

impl Manifest {
    /// The manifest in `text`, read from `path`.
    fn parse(path: &Path, text: &[u8]) -> Result<Manifest> {
        let manifest: OnDisk = serde_json::from_slice(text)
            .ok()
            .filter(|m: &OnDisk| m.files.keys().all(|p| is_safe_relative(p)))
            .ok_or_else(|| {
                Error::CheckFailed(format!(
                    "{} is not a manifest Palisade wrote, so hand edits cannot be detected; run `palisade build --force` to rewrite the output",
                    path.display()
                ))
            })?;
        Ok(Manifest {
            files: manifest.files,
        })
    }

    /// Deterministic JSON: sorted paths, no time, no machine.
    pub fn to_bytes(&self) -> Vec<u8> {
        let json = serde_json::json!({ "comment": HEADER, "files": self.files });
        let mut text = serde_json::to_string_pretty(&json).expect("a manifest is plain data");
        text.push('\n');
        text.into_bytes()
    }
}

pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut text = String::with_capacity(7 + 64);
    text.push_str("sha256:");
    for byte in hash {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// Every output's [`digest`], on two cores: a large build's outputs are
/// tens of megabytes, hashed at the end of the build, on its path.
fn digests(outputs: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    let all: Vec<(&String, &Vec<u8>)> = outputs.iter().collect();
    let bytes: usize = all.iter().map(|(_, b)| b.len()).sum();
    let hash = |part: &[(&String, &Vec<u8>)]| -> Vec<(String, String)> {
        part.iter()
            .map(|(path, bytes)| ((*path).clone(), digest(bytes)))
            .collect()
    };
    // Below a megabyte a thread costs more than it saves.
    if bytes < 1 << 20 {
        return hash(&all).into_iter().collect();
    }
    // Halves by size, not by count: a few templates outweigh many zips.
    let mut seen = 0;
    let middle = all
        .iter()
        .position(|(_, b)| {
            seen += b.len();
            seen * 2 >= bytes
        })
        .unwrap_or(0);
    crate::process::in_two_halves(&all, middle, hash)
        .into_iter()
        .collect()
}

/// An output root as the last build left it: its manifest and the files the
/// manifest lists. `build` reads them on another core while the spec
/// compiles; a file not read ahead is read when it is compared.
pub struct LastBuild {
    root: PathBuf,
    read: BTreeMap<String, Option<Vec<u8>>>,
}

impl LastBuild {
    pub fn read_ahead(root: &Path) -> LastBuild {
        let mut last = LastBuild {
            root: root.to_path_buf(),
            read: BTreeMap::new(),
        };
        // An interrupted build's files change when it is recovered.
        if root.join(super::JOURNAL).exists() {
            return last;
        }
        let Ok(Some(text)) = read(&root.join(FILE)) else {
            return last;
        };
        let listed = serde_json::from_slice::<OnDisk>(&text)
            .map(|m| m.files.into_keys().filter(|p| is_safe_relative(p)))
            .into_iter()
            .flatten();
        for path in listed {
            if let Ok(bytes) = read(&root.join(&path)) {
                last.read.insert(path, bytes);
            }
        }
        last.read.insert(FILE.to_string(), Some(text));
        last
    }

    /// The bytes of the file at `path` under the root, if there is one.
    fn take(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.read.remove(path) {
            Some(bytes) => Ok(bytes),
            None => read(&self.root.join(path)),
        }
    }
}

/// Why a file on disk may not be overwritten or removed without `--force`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conflict {
    /// Palisade wrote it, and its bytes have changed since.
    Edited,
    /// A file at a generated path that Palisade did not write.
    NotGenerated,
}

/// What bringing `root` up to date with a build's output takes.
#[derive(Debug, Default)]
pub struct Update {
    /// Files to write (changed or new, and the manifest) and to remove.
    pub changes: Changes,
    /// Files among `changes` that a build may only replace when forced.
    pub conflicts: Vec<(String, Conflict)>,
    /// Output files already on disk with the right bytes.
    pub unchanged: usize,
}

/// Compares a build's `outputs` with what the last build left.
/// - `owned`: whether this build is responsible for a path (a CloudFormation
///   build does not touch `terraform/`, so it keeps those manifest entries);
/// - `generated_leftovers`: files known to be Palisade's from their header
///   that the build no longer writes (from before the manifest existed).
///
/// - `force`: an unreadable manifest is ignored rather than an error.
///
/// Files the last build wrote and this one does not are removed.
pub fn update(
    mut last: LastBuild,
    outputs: &BTreeMap<String, Vec<u8>>,
    owned: &dyn Fn(&str) -> bool,
    generated_leftovers: &[String],
    force: bool,
) -> Result<Update> {
    let old_bytes = last.take(FILE)?;
    let manifest_path = last.root.join(FILE);
    let old = match old_bytes
        .as_deref()
        .map(|text| Manifest::parse(&manifest_path, text))
    {
        Some(Err(Error::CheckFailed(_))) if force => None,
        parsed => parsed.transpose()?,
    };
    let recorded = |path: &str| old.as_ref().and_then(|m| m.files.get(path));
    let mut update = Update::default();
    let mut manifest = Manifest {
        files: digests(outputs),
    };
    for (path, bytes) in outputs {
        match last.take(path)? {
            None => {}
            Some(disk) if disk == *bytes => {
                update.unchanged += 1;
                continue;
            }
            Some(disk) => {
                if let Some(conflict) = conflict(recorded(path), path, &disk) {
                    update.conflicts.push((path.clone(), conflict));
                }
            }
        }
        update.changes.writes.insert(path.clone(), bytes.clone());
    }
    let previous = old.iter().flat_map(|m| m.files.keys());
    for path in previous.chain(generated_leftovers) {
        if outputs.contains_key(path) || update.changes.removals.contains(path) {
            continue;
        }
        if !owned(path) {
            if let Some(hash) = recorded(path) {
                manifest.files.insert(path.clone(), hash.clone());
            }
            continue;
        }
        if let Some(disk) = last.take(path)? {
            if let Some(conflict) = conflict(recorded(path), path, &disk) {
                update.conflicts.push((path.clone(), conflict));
            }
            update.changes.removals.push(path.clone());
        }
    }
    let bytes = manifest.to_bytes();
    if old_bytes.as_ref() != Some(&bytes) {
        update.changes.writes.insert(FILE.to_string(), bytes);
    }
    update.conflicts.sort();
    Ok(update)
}

/// Whether replacing `disk` at `path` would lose someone's work.
fn conflict(recorded: Option<&String>, path: &str, disk: &[u8]) -> Option<Conflict> {
    match recorded {
        Some(hash) if *hash == digest(disk) => None,
        Some(_) => Some(Conflict::Edited),
        // No record: a build from before the manifest. Its text files carry
        // the header near the top; its zips are rebuilt from source anyway.
        None if path.ends_with(".zip") || has_header(disk) => None,
        None => Some(Conflict::NotGenerated),
    }
}

/// Whether one of the first lines says Palisade generated the text (as a
/// comment, in a JSON template's `Description`, or in SECURITY.md's intro).
pub fn has_header(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n').take(5).any(|line| {
        String::from_utf8_lossy(line)
            .to_ascii_lowercase()
            .contains("generated by palisade from")
    })
}

fn read(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        // A FIFO in place of an output file must not block the build.
        _ => crate::input::read_regular(path).map(Some),
    }
}
