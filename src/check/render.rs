//! Renderers for `palisade check`: text for people, JSON for tools, SARIF
//! 2.1.0 for code-scanning dashboards (GitHub reads it).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{ALERTS_UNSUBSCRIBED, Assessment, CLIENT_OVER_WAF_LIMIT, RUNTIME_UPDATE, Status};
use crate::controls::CATALOG;
use crate::text::terminal;

/// User text (waiver reasons, paths) is escaped: a reason must not print
/// fake lines or drive the terminal.
pub fn text(report: &Assessment, spec_path: &str) -> String {
    let spec_path = &*terminal(spec_path);
    let mut by_resource: BTreeMap<&str, Vec<&super::Evaluation>> = BTreeMap::new();
    for evaluation in &report.evaluations {
        by_resource
            .entry(evaluation.resource.as_str())
            .or_default()
            .push(evaluation);
    }
    let mut out = String::new();
    for (resource, evaluations) in &by_resource {
        let applied: Vec<&str> = evaluations
            .iter()
            .filter(|e| e.status == Status::Applied)
            .map(|e| e.control)
            .collect();
        out.push_str(&format!("{}\n", terminal(resource)));
        if !applied.is_empty() {
            out.push_str(&format!("  applied   {}\n", applied.join(" ")));
        }
        for e in evaluations.iter().filter(|e| e.status != Status::Applied) {
            let word = if e.status == Status::Waived {
                "waived "
            } else {
                "VIOLATED"
            };
            out.push_str(&format!(
                "  {word}  {} at {spec_path}:{}:{}: {}\n",
                e.control,
                e.line,
                e.column,
                terminal(e.message.as_deref().unwrap_or(""))
            ));
        }
    }
    for o in &report.overrides {
        out.push_str(&format!(
            "override {spec_path}:{}:{}: {} {} ({})\n",
            o.line,
            o.column,
            o.target,
            terminal(&o.resource),
            terminal(&o.settings.join(", "))
        ));
    }
    for advisory in &report.advisories {
        out.push_str(&format!(
            "advisory {spec_path}:{}:{}: {}\n",
            advisory.line,
            advisory.column,
            terminal(&advisory.message)
        ));
    }
    let count = |status| {
        report
            .evaluations
            .iter()
            .filter(|e| e.status == status)
            .count()
    };
    out.push_str(&format!(
        "\n{} applied, {} waived, {} violated; {} {}\n",
        count(Status::Applied),
        count(Status::Waived),
        count(Status::Violated),
        report.advisories.len(),
        if report.advisories.len() == 1 {
            "advisory"
        } else {
            "advisories"
        }
    ));
    out
}

pub fn json(report: &Assessment, spec_path: &str) -> String {
    let mut value = json!({
        "file": spec_path,
        "summary": {
            "applied": report.evaluations.iter().filter(|e| e.status == Status::Applied).count(),
            "waived": report.evaluations.iter().filter(|e| e.status == Status::Waived).count(),
            "violated": report.violations().count(),
            "advisories": report.advisories.len(),
        },
        "evaluations": report.evaluations,
        "advisories": report.advisories,
    });
    if !report.overrides.is_empty() {
        value["overrides"] = json!(report.overrides);
    }
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).expect("plain JSON")
    )
}

/// SARIF 2.1.0: every control is a rule (its documentation is the help);
/// violations are errors, waivers are results carrying an in-source
/// suppression with the waiver's reason, advisories are warnings.
pub fn sarif(report: &Assessment, spec_path: &str) -> String {
    let mut rules: Vec<Value> = CATALOG
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.title,
                "shortDescription": { "text": c.title },
                "fullDescription": { "text": c.enforces },
                "help": { "text": c.documentation(), "markdown": c.documentation() },
                "defaultConfiguration": { "level": "error" },
                "properties": {
                    "tags": ["security", c.area.as_str()],
                    "waivable": c.waivable,
                    "aws-foundational-security-best-practices": c.fsbp,
                    "checkov": c.checkov,
                    "cdk-nag": c.cdk_nag,
                    "aws-guard-rules-registry": c.guard,
                },
            })
        })
        .collect();
    // Secret rotation became control PAL-DATA-010.
    for (id, text) in [
        (RUNTIME_UPDATE, "A newer runtime of the same family exists"),
        (ALERTS_UNSUBSCRIBED, "Alarms should notify someone"),
        (
            CLIENT_OVER_WAF_LIMIT,
            "A client's plan allows more per IP address than AWS WAF does",
        ),
    ] {
        rules.push(json!({
            "id": id,
            "shortDescription": { "text": text },
            "help": { "text": text },
            "defaultConfiguration": { "level": "warning" },
        }));
    }
    let rule_index = |id: &str| rules.iter().position(|r| r["id"] == id).unwrap_or(0);
    let location = |line: u32, column: u32| {
        json!([{ "physicalLocation": {
            "artifactLocation": { "uri": spec_path },
            "region": { "startLine": line.max(1), "startColumn": column.max(1) },
        } }])
    };
    let mut results = Vec::new();
    for e in report
        .evaluations
        .iter()
        .filter(|e| e.status != Status::Applied)
    {
        let mut result = json!({
            "ruleId": e.control,
            "ruleIndex": rule_index(e.control),
            "level": "error",
            // Escaped like text output: JSON would carry DEL, C1 and bidi
            // characters raw, and a dashboard shows the message as text.
            "message": { "text": terminal(&format!("{} on {}: {}", e.control, e.resource, e.message.as_deref().unwrap_or(""))) },
            "locations": location(e.line, e.column),
        });
        if e.status == Status::Waived {
            result["suppressions"] = json!([{ "kind": "inSource", "justification": terminal(e.message.as_deref().unwrap_or("")) }]);
        }
        results.push(result);
    }
    for a in &report.advisories {
        results.push(json!({
            "ruleId": a.rule,
            "ruleIndex": rule_index(a.rule),
            "level": "warning",
            "message": { "text": terminal(&a.message) },
            "locations": location(a.line, a.column),
        }));
    }
    for o in &report.overrides {
        results.push(json!({
            "ruleId": crate::controls::ids::OVERRIDES_TUNABLE,
            "ruleIndex": rule_index(crate::controls::ids::OVERRIDES_TUNABLE),
            "level": "note",
            "message": { "text": terminal(&format!("override accepted on {} {}: {}", o.target, o.resource, o.settings.join(", "))) },
            "locations": location(o.line, o.column),
        }));
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "palisade",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "artifacts": [{ "location": { "uri": spec_path } }],
            "results": results,
        }],
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&log).expect("plain JSON")
    )
}
