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
    if report.changes.is_empty() {
        out.push_str("no changes\n");
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
        for detail in &change.details {
            out.push_str(&format!("     {}\n", terminal(detail)));
        }
    }
    out
}

/// A pull-request comment: one summary line, a table of the risky changes,
/// then a collapsible unified diff per resource.
/// With two specs, `graphs` draws what the change does to the service:
/// added nodes and edges highlighted, removed ones struck through.
pub fn markdown(report: &Report, graphs: Option<(&Graph, &Graph)>) -> String {
    let s = report.summary();
    let flag = if s.data_loss > 0 {
        "🛑 "
    } else if s.broadening > 0 || s.unanalysed > 0 {
        "⚠️ "
    } else {
        "✅ "
    };
    let counts: Vec<String> = headline(report)
        .into_iter()
        .map(|(target, counts)| match target {
            Some(target) => format!("{target}: {counts}"),
            None => counts,
        })
        .collect();
    let mut out = format!("### {flag}Palisade diff: {}\n\n", counts.join(" · "));
    let risky: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| !c.risks.is_empty())
        .collect();
    if !risky.is_empty() {
        out.push_str("| Risk | Resource | Type | Change | What |\n|---|---|---|---|---|\n");
        for change in &risky {
            let what: Vec<String> = change.details[..change.risky_details]
                .iter()
                .map(|d| markdown_text(d).into_owned())
                .collect();
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
    if let Some((old, new)) = graphs
        && old != new
    {
        out.push_str(&format!(
            "#### The service, before and after\n\nNew nodes and permissions are highlighted; removed ones are struck through.\n\n```mermaid\n{}```\n\n",
            Graph::diff_render(old, new, GraphFormat::Mermaid)
        ));
    }
    for change in &report.changes {
        out.push_str(&format!(
            "<details><summary><code>{}</code> ({}) {}{}</summary>\n\n",
            html(&change.resource),
            html(&change.resource_type),
            change.change_word(),
            if change.risks.is_empty() {
                String::new()
            } else {
                format!(": <b>{}</b>", risks(change))
            }
        ));
        for detail in &change.details {
            out.push_str(&format!("- {}\n", markdown_text(detail)));
        }
        out.push_str(&format!(
            "\n```diff\n{}```\n\n</details>\n\n",
            code_block(&unified(change))
        ));
    }
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
    fn change_word(&self) -> &'static str {
        match self.change {
            super::ChangeKind::Added => "added",
            super::ChangeKind::Removed => "removed",
            super::ChangeKind::Modified => "modified",
            super::ChangeKind::Replaced => "replaced",
        }
    }
}
