//! Reviewed data-loss changes, accepted explicitly: `.palisade/accept.yaml`
//! names each resource (logical ID or Terraform address) and why its loss is
//! fine. An accepted change keeps its risk and is shown as accepted; it no
//! longer fails `--fail-on data-loss`. An entry that matches no data-loss
//! change is reported, so a stale acceptance cannot wait for a later loss.
//!
//! ```yaml
//! accept:
//!   - resource: AuditTable
//!     reason: audit moved to the archive account; the table is retained
//!   - resource: aws_dynamodb_table.audit
//!     reason: same, on Terraform
//! ```

use serde::Deserialize;

use super::{Report, Risk};
use crate::error::{Error, Result};

/// Where `diff --base` looks for acceptances, beside the spec.
pub const DEFAULT_PATH: &str = ".palisade/accept.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    accept: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub resource: String,
    pub reason: String,
}

/// Reads an acceptance file; a bad one is a usage error naming the place.
pub fn read(path: &str) -> Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let file: File = serde_saphyr::from_str(&text)
        .map_err(|e| Error::Usage(format!("{path}: not an acceptance file: {e}")))?;
    for entry in &file.accept {
        if entry.reason.trim().is_empty() {
            return Err(Error::Usage(format!(
                "{path}: `{}` is accepted without a reason: say why losing it is fine",
                entry.resource
            )));
        }
    }
    Ok(file.accept)
}

/// Marks the data-loss changes the entries name; returns the entries that
/// matched nothing.
pub fn apply(report: &mut Report, entries: &[Entry]) -> Vec<Entry> {
    let mut unused = Vec::new();
    for entry in entries {
        let mut matched = false;
        for change in report
            .changes
            .iter_mut()
            .filter(|c| c.resource == entry.resource && c.risks.contains(&Risk::DataLoss))
        {
            change.accepted = Some(entry.reason.clone());
            matched = true;
        }
        if !matched {
            unused.push(entry.clone());
        }
    }
    unused
}
