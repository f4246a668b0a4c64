//! Diff renderers: text for terminals, Markdown for pull-request comments,
//! JSON for tools (the shape DESIGN §4 fixes).

use serde_json::json;

use super::{Change, Report, Risk, Summary, Target};
use crate::graph::{Format as GraphFormat, Graph};
use crate::text::{code_block, html, markdown as markdown_text, markdown_code, terminal};

/// The version of the `--format json` shape (docs/diff-json.md): raised when
/// a field changes meaning or goes away, not when one is added.
pub const JSON_VERSION: u32 = 1;

pub fn json(report: &Report) -> String {
    let value = json!({
        "version": JSON_VERSION,
        "summary": report.summary(),
        "changes": report.changes,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).expect("plain JSON")
    )
}

/// The counts, per target when more than one was compared (the same spec
/// change shows once in each): `(target, counts)`.
fn headline(report: &Report) -> Vec<(Option<Target>, String)> {
    let counts = |s: Summary| {
        let mut text = format!(
            "{} added, {} removed, {} modified, {} replaced; {} broadening, {} data-loss",
            s.added, s.removed, s.modified, s.replaced, s.broadening, s.data_loss
        );
        if s.unanalysed > 0 {
            text.push_str(&format!(", {} unanalysed", s.unanalysed));
        }
        text
    };
    match report.targets.as_slice() {
        [_, _, ..] => report
            .targets
            .iter()
            .map(|t| (Some(*t), counts(report.target_summary(*t))))
            .collect(),
        _ => vec![(None, counts(report.summary()))],
    }
}

fn risks(change: &Change) -> String {
    change
        .risks
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Risky changes first; colour only when asked (a terminal without NO_COLOR).
pub fn text(report: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for (target, counts) in headline(report) {
        match target {
            Some(target) => out.push_str(&format!("palisade diff, {target}: {counts}\n")),
            None => out.push_str(&format!("palisade diff: {counts}\n")),
        }
    }
    for function in &report.code_changes {
        out.push_str(&format!("code changed: {} (benign)\n", terminal(function)));
    }
    if report.changes.is_empty() && report.code_changes.is_empty() {
        out.push_str("no changes\n");
    }
    for entry in &report.unused_acceptances {
        out.push_str(&format!(
            "warning: {} is accepted but this change does not lose its data: remove the entry\n",
            terminal(&entry.resource)
        ));
    }
    for change in &report.changes {
        let (marker, code) = if change.risks.contains(&Risk::DataLoss) {
            ("!!", "1;31")
        } else if change.risks.contains(&Risk::Broadening)
            || change.risks.contains(&Risk::Unanalysed)
        {
            ("! ", "1;33")
        } else {
            ("  ", "0")
        };
        let tag = if change.risks.is_empty() {
            String::new()
        } else {
            format!(" [{}]", risks(change))
        };
        out.push_str(&paint(
            code,
            &format!(
                "\n{marker} {} {} ({}, {}){tag}\n",
                change.change_word(),
                terminal(&change.resource),
                terminal(&change.resource_type),
                change.target
            ),
        ));
        if let Some(reason) = &change.accepted {
            out.push_str(&format!("     accepted: {}\n", terminal(reason)));
        }
        for detail in &change.details {
            out.push_str(&format!("     {}\n", terminal(detail)));
        }
    }
    out
}

/// GitHub refuses comments over 65,536 characters; this leaves room for
/// what the workflow adds around it.
pub const COMMENT_LIMIT: usize = 60_000;

/// How much resource-level detail a comment carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Every change with its unified diff, and the drawing.
    Full,
    /// Unified diffs for the risky changes only.
    RiskyDiffs,
    /// Every change's lines, no unified diffs.
    Lines,
    /// Risky changes' lines; the rest counted by type. No drawing.
    Counted,
}

/// A pull-request comment under [`COMMENT_LIMIT`]: what the change does at the
/// spec level and the verdict first, the risky changes in a table, then the
/// resource-level detail, collapsed. Low-risk detail is summarised first to
/// fit; a risky line is never dropped.
/// With two specs, `graphs` says what the change means and draws it:
/// added nodes and edges highlighted, removed ones struck through.
pub fn markdown(report: &Report, graphs: Option<(&Graph, &Graph)>) -> String {
    let mut out = String::new();
    for detail in [
        Detail::Full,
        Detail::RiskyDiffs,
        Detail::Lines,
        Detail::Counted,
    ] {
        out = compose(report, graphs, detail);
        if out.chars().count() <= COMMENT_LIMIT {
            break;
        }
    }
    out
}

/// The whole comment, however long (for `--full-output`: a job summary or
/// an artifact).
pub fn markdown_full(report: &Report, graphs: Option<(&Graph, &Graph)>) -> String {
    compose(report, graphs, Detail::Full)
}

fn verdict(report: &Report) -> &'static str {
    let s = report.summary();
    let accepted = report.changes.iter().any(|c| c.accepted.is_some());
    if report.has_unaccepted(Risk::DataLoss) {
        "🛑 Palisade diff: can lose data"
    } else if s.broadening > 0 {
        "⚠️ Palisade diff: widens access"
    } else if s.unanalysed > 0 {
        "⚠️ Palisade diff: a change needs a person to read it"
    } else if accepted {
        "✅ Palisade diff: data loss reviewed and accepted"
    } else if report.changes.is_empty() && report.code_changes.is_empty() {
        "✅ Palisade diff: no changes"
    } else {
        "✅ Palisade diff: nothing widens access or can lose data"
    }
}

fn compose(report: &Report, graphs: Option<(&Graph, &Graph)>, detail: Detail) -> String {
    let counts: Vec<String> = headline(report)
        .into_iter()
        .map(|(target, counts)| match target {
            Some(target) => format!("{target}: {counts}"),
            None => counts,
        })
        .collect();
    let mut out = format!("### {}\n\n", verdict(report));
    let mut intent = graphs
        .map(|(old, new)| super::intent::lines(old, new, report))
        .unwrap_or_default();
    for function in &report.code_changes {
        intent.push(format!(
            "{}: code changed, its package is rebuilt (benign)",
            markdown_code(function)
        ));
    }
    if !intent.is_empty() {
        out.push_str("**What this change does**\n\n");
        for line in &intent {
            // Built as Markdown, with user text escaped where it is written.
            out.push_str(&format!("- {line}\n"));
        }
        out.push('\n');
    }
    let risky: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| !c.risks.is_empty())
        .collect();
    if !risky.is_empty() {
        out.push_str("| Risk | Resource | Type | Change | What |\n|---|---|---|---|---|\n");
        for change in &risky {
            let mut what: Vec<String> = change.details[..change.risky_details]
                .iter()
                .map(|d| markdown_text(d).into_owned())
                .collect();
            if let Some(reason) = &change.accepted {
                what.insert(0, format!("**accepted**: {}", markdown_text(reason)));
            }
            out.push_str(&format!(
                "| **{}** | {} | {} | {} | {} |\n",
                risks(change),
                markdown_code(&change.resource),
                markdown_text(&change.resource_type),
                change.change_word(),
                what.join("<br>")
            ));
        }
        out.push('\n');
    } else if !report.changes.is_empty() {
        out.push_str("No change widens access or can lose data.\n\n");
    }
    for entry in &report.unused_acceptances {
        out.push_str(&format!(
            "> [!WARNING]\n> {} is accepted in {} but this change does not lose its data: remove the entry, so it cannot accept a later loss unseen.\n\n",
            markdown_code(&entry.resource),
            super::accept::DEFAULT_PATH
        ));
    }
    out.push_str(&format!("{}\n\n", counts.join(" · ")));
    if report.changes.is_empty() {
        return out;
    }
    if detail != Detail::Full {
        out.push_str("_Resource detail shortened to fit a pull-request comment (risky lines kept); the full diff is in the job summary (`palisade diff --full-output`)._\n\n");
    }
    out.push_str(&format!(
        "<details><summary>Resource detail: {} changes</summary>\n\n",
        report.changes.len()
    ));
    if detail != Detail::Counted
        && let Some((old, new)) = graphs
        && old != new
    {
        out.push_str(&format!(
            "#### The service, before and after\n\nNew nodes and permissions are highlighted; removed ones are struck through.\n\n```mermaid\n{}```\n\n",
            Graph::diff_render(old, new, GraphFormat::Mermaid)
        ));
    }
    let mut counted: std::collections::BTreeMap<(String, &'static str), usize> =
        std::collections::BTreeMap::new();
    for change in &report.changes {
        let is_risky = !change.risks.is_empty();
        if detail == Detail::Counted && !is_risky {
            *counted
                .entry((change.resource_type.clone(), change.change_word()))
                .or_default() += 1;
            continue;
        }
        let lines: &[String] = if detail == Detail::Counted {
            &change.details[..change.risky_details]
        } else {
            &change.details
        };
        out.push_str(&format!(
            "<details><summary><code>{}</code> ({}) {}{}</summary>\n\n",
            html(&change.resource),
            html(&change.resource_type),
            change.change_word(),
            if is_risky {
                format!(": <b>{}</b>", risks(change))
            } else {
                String::new()
            }
        ));
        for line in lines {
            out.push_str(&format!("- {}\n", markdown_text(line)));
        }
        let diff = match detail {
            Detail::Full => true,
            Detail::RiskyDiffs => is_risky,
            Detail::Lines | Detail::Counted => false,
        };
        if diff {
            out.push_str(&format!("\n```diff\n{}```\n", code_block(&unified(change))));
        }
        out.push_str("\n</details>\n\n");
    }
    if !counted.is_empty() {
        out.push_str("Without risk, not listed one by one:\n\n");
        for ((resource_type, word), n) in counted {
            out.push_str(&format!("- {n} × {resource_type} {word}\n"));
        }
        out.push('\n');
    }
    out.push_str("</details>\n");
    out
}

/// The resource's JSON before and after, as a unified diff.
fn unified(change: &Change) -> String {
    let pretty = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map(|v| format!("{}\n", serde_json::to_string_pretty(v).expect("plain JSON")))
            .unwrap_or_default()
    };
    let (old, new) = (pretty(&change.old), pretty(&change.new));
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header("before", "after")
        .to_string()
}

impl Change {
    pub fn change_word(&self) -> &'static str {
        match self.change {
            super::ChangeKind::Added => "added",
            super::ChangeKind::Removed => "removed",
            super::ChangeKind::Modified => "modified",
            super::ChangeKind::Replaced => "replaced",
        }
    }
}
