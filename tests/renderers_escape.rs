//! Any string, wherever a renderer prints user text (a resource name or
//! type from a template, a change detail, a waiver or public-route reason,
//! an advisory), cannot forge output:
//! - text (`diff`, `check`): no control, line-separator or bidi character
//!   other than the renderer's own newlines, and as many lines as with
//!   plain text;
//! - Markdown (`diff --format markdown`, SECURITY.md): the same, and no
//!   `<` nor unescaped `|` beyond those plain text gives (no HTML, no new
//!   table cells);
//! - SARIF and JSON: valid JSON; SARIF with no raw control or bidi character.

use std::sync::OnceLock;

use palisade::check::{Advisory, Assessment as CheckReport, Evaluation, Status};
use palisade::diff::{Change, ChangeKind, Report as DiffReport, Risk, Target};
use palisade::text::is_forging;
use proptest::prelude::*;
use serde_json::json;

fn diff_report(text: &str) -> DiffReport {
    DiffReport {
        targets: vec![Target::CloudFormation],
        changes: vec![Change {
            target: Target::CloudFormation,
            resource: text.to_string(),
            resource_type: text.to_string(),
            change: ChangeKind::Modified,
            risks: [Risk::Broadening].into_iter().collect(),
            details: vec![text.to_string(), format!("Property: {text} → x")],
            risky_details: 1,
            old: Some(json!({ "Properties": { "P": text, "K": [text] } })),
            new: Some(json!({ "Properties": { "P": "plain" } })),
            accepted: Some(text.to_string()),
        }],
        code_changes: vec![text.to_string()],
        unused_acceptances: Vec::new(),
    }
}

fn check_report(text: &str) -> CheckReport {
    CheckReport {
        evaluations: vec![
            Evaluation {
                control: "PAL-FN-002",
                resource: text.to_string(),
                status: Status::Waived,
                message: Some(text.to_string()),
                line: 3,
                column: 7,
            },
            Evaluation {
                control: "PAL-IAM-001",
                resource: "Fn".to_string(),
                status: Status::Violated,
                message: Some(text.to_string()),
                line: 4,
                column: 1,
            },
        ],
        advisories: vec![Advisory {
            rule: palisade::check::RUNTIME_UPDATE,
            message: text.to_string(),
            line: 1,
            column: 1,
        }],
        overrides: vec![palisade::check::AcceptedOverride {
            target: "cloudformation",
            resource: text.to_string(),
            settings: vec![text.to_string()],
            line: 2,
            column: 3,
        }],
    }
}

/// A compiled example whose waiver, suppression and public-route reasons
/// are all `text`.
fn security_md(text: &str) -> String {
    static PLAN: OnceLock<palisade::plan::Plan> = OnceLock::new();
    let plan = PLAN.get_or_init(|| {
        let path = "examples/webhooks/palisade.yaml";
        let bytes = std::fs::read(path).unwrap();
        let loaded = palisade::spec::load(path, &bytes, None).unwrap();
        palisade::plan::compile(&loaded.spec, &Default::default()).unwrap()
    });
    let mut plan = plan.clone();
    let mut reasons = 0;
    for resource in &mut plan.resources {
        for control in &mut resource.controls {
            if control.waived.is_some() {
                control.waived = Some(text.to_string());
                reasons += 1;
            }
        }
        for suppression in &mut resource.suppressions {
            suppression.reason = text.to_string().into();
            reasons += 1;
        }
        if let palisade::plan::Kind::Route(route) = &mut resource.kind
            && route.public_reason.is_some()
        {
            route.public_reason = Some(text.to_string());
            reasons += 1;
        }
    }
    assert!(reasons > 0, "the example has reasons to replace");
    let mut overrides = palisade::spec::Overrides::default();
    overrides.cloudformation.insert(
        palisade::spec::Name::synthetic(text.to_string()),
        palisade::spec::Spanned::synthetic(json!({ "Properties": { text: 1 } })),
    );
    palisade::emit::security::render(&plan, &overrides)
}

/// Every renderer's output for `text`: (name, output, is Markdown).
fn outputs(text: &str) -> Vec<(&'static str, String, bool)> {
    let diff = diff_report(text);
    let check = check_report(text);
    vec![
        (
            "diff text",
            palisade::diff::render::text(&diff, false),
            false,
        ),
        (
            "diff text colour",
            palisade::diff::render::text(&diff, true),
            false,
        ),
        (
            "diff markdown",
            palisade::diff::render::markdown(&diff, None),
            true,
        ),
        (
            "check text",
            palisade::check::render::text(&check, "palisade.yaml"),
            false,
        ),
        ("SECURITY.md", security_md(text), true),
    ]
}

/// The lines outside fenced code blocks (user text cannot start a line, so
/// every fence is the renderer's own).
/// Code spans are dropped too unless `spans`: nothing in them is markup
/// (but a `|` in one still splits a table cell).
fn outside_fences(text: &str, spans: bool) -> String {
    let mut inside = false;
    let mut kept = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            inside = !inside;
        } else if !inside {
            if spans {
                kept.push_str(line);
            } else {
                kept.push_str(&without_code_spans(line));
            }
            kept.push('\n');
        }
    }
    kept
}

/// A line without its code spans, as CommonMark reads them: a run of N
/// backticks (not backslash-escaped) opens one, the next run of exactly N
/// closes it.
fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|&&c| c == '`').count();
    let mut kept = String::new();
    let mut i = 0;
    let mut backslashes = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' && backslashes % 2 == 0 {
            let n = run_at(i);
            let mut j = i + n;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let m = run_at(j);
                    if m == n {
                        close = Some(j + m);
                        break;
                    }
                    j += m;
                } else {
                    j += 1;
                }
            }
            if let Some(end) = close {
                i = end;
                backslashes = 0;
                continue;
            }
            kept.extend(&chars[i..i + n]);
            i += n;
            backslashes = 0;
            continue;
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
        kept.push(c);
        i += 1;
    }
    kept
}

/// `|` not escaped by a backslash (an odd run of them).
fn unescaped_pipes(text: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for c in text.chars() {
        match c {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => {
                count += 1;
                backslashes = 0;
            }
            _ => backslashes = 0,
        }
    }
    count
}

fn forging(output: &str) -> Option<char> {
    output
        .chars()
        // The renderers' own: newlines, and the colour codes' ESC.
        .find(|&c| c != '\n' && c != '\u{1b}' && is_forging(c))
}

fn assert_inert(text: &str) -> Result<(), TestCaseError> {
    let plain = outputs("plain");
    for ((name, output, markdown), (_, baseline, _)) in outputs(text).into_iter().zip(plain) {
        prop_assert_eq!(forging(&output), None, "{}: {:?}", name, text);
        if name != "diff text colour" {
            prop_assert!(!output.contains('\x1b'), "{}: ESC for {:?}", name, text);
        }
        prop_assert_eq!(
            output.lines().count(),
            baseline.lines().count(),
            "{}: lines for {:?}",
            name,
            text
        );
        if markdown {
            // Fenced blocks (a unified diff, a Mermaid graph) render no HTML.
            prop_assert_eq!(
                outside_fences(&output, false).matches('<').count(),
                outside_fences(&baseline, false).matches('<').count(),
                "{}: HTML from {:?}",
                name,
                text
            );
            prop_assert_eq!(
                unescaped_pipes(&outside_fences(&output, true)),
                unescaped_pipes(&outside_fences(&baseline, true)),
                "{}: cells from {:?}",
                name,
                text
            );
        }
    }
    let check = check_report(text);
    let sarif = palisade::check::render::sarif(&check, "palisade.yaml");
    prop_assert!(serde_json::from_str::<serde_json::Value>(&sarif).is_ok());
    prop_assert_eq!(forging(&sarif), None, "SARIF for {:?}", text);
    prop_assert!(!sarif.contains('\x1b'), "ESC in SARIF");
    let json = palisade::check::render::json(&check, "palisade.yaml");
    prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    let json = palisade::diff::render::json(&diff_report(text));
    prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    Ok(())
}

/// Text heavy in what forges output: line breaks, ESC sequences, bidi
/// controls, HTML, Markdown table and code syntax, backslashes.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(vec![
            "\n", "\r", "\r\n", "\n\n## ✅ No security-relevant changes\n", "\u{1b}[1A\u{1b}[2K",
            "\u{1b}]8;;http://x\u{7}", "\u{0}", "\u{7f}", "\u{85}", "\u{9b}", "\u{2028}", "\u{2029}",
            "\u{202a}", "\u{202b}", "\u{202c}", "\u{202d}", "\u{202e}", "\u{2066}", "\u{2067}",
            "\u{2068}", "\u{2069}", "\u{200e}", "\u{200f}", "\u{61c}", "\u{200b}", "\u{feff}",
            "</details>", "<details>", "<img src=x onerror=alert(1)>", "<!--", "-->", "</code>",
            "</summary>", "|", "\\|", "\\", "`", "```", "``", "[x](http://evil)", "![i](x)",
            "**bold**", "~~s~~", "&lt;", "&#124;", "<br>", "\t", "# ", "- ", "> ", " ",
        ])
        .prop_map(String::from),
        2 => "[a-zA-Z0-9 .:/-]{1,6}",
        2 => any::<String>(),
    ];
    proptest::collection::vec(piece, 1..8).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_string_forges_any_renderers_output(text in hostile()) {
        assert_inert(&text)?;
    }
}

#[test]
fn the_issues_payloads_are_inert() {
    for text in [
        "ok\n\n## ✅ No security-relevant changes",
        "\u{1b}[1A\u{1b}[2K",
        "</details><img src=x onerror=alert(1)><!--",
        "a | b `c` \u{202e}evil",
    ] {
        assert_inert(text).unwrap();
    }
}
