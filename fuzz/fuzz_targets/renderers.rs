//! Any text as the user text every renderer prints (a resource name and
//! type from a template, a change detail, a waiver reason, an advisory):
//! text, Markdown and SARIF output never carry a raw control, line-separator
//! or bidi character beyond the renderer's own newlines; the Markdown
//! escapes leave no `<` and no way out of a code span; SARIF stays valid
//! JSON. tests/renderers_escape.rs checks
//! the same properties (and SECURITY.md) with proptest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade::check::{Advisory, Evaluation, Report as CheckReport, Status};
use palisade::diff::{Change, ChangeKind, Report as DiffReport, Risk, Target};
use palisade::text::is_forging;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let diff = DiffReport {
        targets: vec![Target::CloudFormation],
        changes: vec![Change {
            target: Target::CloudFormation,
            resource: text.to_string(),
            resource_type: text.to_string(),
            change: ChangeKind::Modified,
            risks: [Risk::Broadening].into_iter().collect(),
            details: vec![text.to_string()],
            risky_details: 1,
            old: Some(serde_json::json!({ "P": text })),
            new: Some(serde_json::json!({ "P": "x" })),
        }],
    };
    let check = CheckReport {
        evaluations: vec![Evaluation {
            control: "PAL-FN-002",
            resource: text.to_string(),
            status: Status::Waived,
            message: Some(text.to_string()),
            line: 1,
            column: 1,
        }],
        advisories: vec![Advisory {
            rule: palisade::check::RUNTIME_UPDATE,
            message: text.to_string(),
            line: 1,
            column: 1,
        }],
    };
    let forged = |output: &str| output.chars().any(|c| c != '\n' && is_forging(c));
    let text_out = palisade::diff::render::text(&diff, false);
    assert!(!forged(&text_out), "diff text: {text:?}");
    let check_out = palisade::report::check::text(&check, "palisade.yaml");
    assert!(!forged(&check_out), "check text: {text:?}");
    let markdown = palisade::diff::render::markdown(&diff, None);
    assert!(!forged(&markdown), "diff markdown: {text:?}");
    // The escapes the Markdown renderers use leave no tag to open, and a
    // code span that nothing inside can close.
    use palisade::text::{html, markdown as md, markdown_code};
    assert!(!md(text).contains('<') && !html(text).contains('<'), "{text:?}");
    let span = markdown_code(text);
    let fence = span.chars().take_while(|&c| c == '`').count();
    let inner = &span[fence..span.len() - fence];
    let runs = inner.split(|c| c != '`').filter(|r| !r.is_empty());
    assert!(runs.into_iter().all(|r| r.len() != fence), "{text:?}: {span}");
    assert!(!forged(&span) && !inner.contains('\n'));
    let sarif = palisade::report::check::sarif(&check, "palisade.yaml");
    assert!(!forged(&sarif), "SARIF: {text:?}");
    serde_json::from_str::<serde_json::Value>(&sarif).expect("SARIF is JSON");
});
