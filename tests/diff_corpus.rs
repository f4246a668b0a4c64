//! Spec mutations of the orders example with the risk each must be given,
//! on both targets: every risky change flagged with the right class, no
//! benign one flagged, in the CloudFormation and in the Terraform output.

use std::collections::BTreeSet;

use palisade::diff::{self, ChangeKind, Risk, Target, load};

const B: &[Risk] = &[Risk::Broadening];
const D: &[Risk] = &[Risk::DataLoss];
const BD: &[Risk] = &[Risk::Broadening, Risk::DataLoss];
const NONE: &[Risk] = &[];

fn orders() -> String {
    std::fs::read_to_string("examples/orders/palisade.yaml").unwrap()
}

/// Replaces `from` with `to` in the orders spec, insisting the edit applies.
fn edit(from: &str, to: &str) -> String {
    let text = orders();
    assert!(text.contains(from), "mutation does not apply: {from:?}");
    text.replacen(from, to, 1)
}

/// Both targets' changes, as `palisade diff OLD NEW` compares two specs.
fn report(new: &str) -> diff::Report {
    report_between(&orders(), new)
}

/// Both targets' changes between two specs.
fn report_between(old: &str, new: &str) -> diff::Report {
    let old = load::parse("old.yaml", old.as_bytes()).unwrap();
    let new = load::parse("new.yaml", new.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
    let targets = load::targets(&old, &new, None).unwrap();
    assert_eq!(targets, Target::ALL, "two specs compare on both targets");
    diff::compare_on(&old, &new, &targets)
}

/// (name, mutated spec, the set of risk classes the diff must report)
fn corpus() -> Vec<(&'static str, String, &'static [Risk])> {
    vec![
        // Benign: never flagged.
        ("raise memory", edit("    memory: 256                          # MB, default 256", "    memory: 1024"), NONE),
        ("raise timeout", edit("    timeout: 10                          # seconds, default 10", "    timeout: 20"), NONE),
        ("lower concurrency", edit("    concurrency: 20", "    concurrency: 5"), NONE),
        ("narrow access", edit("      receipts: [read, write]\n  health:", "      receipts: read\n  health:"), NONE),
        ("lower stage throttle", edit("  throttle: { rate: 50, burst: 100 }", "  throttle: { rate: 20, burst: 40 }"), NONE),
        ("lower route throttle", edit("      throttle: { rate: 10, burst: 20 }", "      throttle: { rate: 5, burst: 10 }"), NONE),
        ("change description", edit("description: Order intake API", "description: Order intake and tracking API"), NONE),
        ("add environment value", edit("    environment: { LOG_LEVEL: info }", "    environment: { LOG_LEVEL: debug, REGION_HINT: eu }"), NONE),
        ("add a tag", edit("tags: { team: payments, cost-center: \"4711\" }", "tags: { team: payments, cost-center: \"4711\", tier: gold }"), NONE),
        ("smaller batch", edit("        batch_size: 10", "        batch_size: 5"), NONE),
        ("remove a scope-less read path", edit("      stripe-key: read                   # secret: the function gets its ARN in env, never the value\n", ""), NONE),
        ("add a stream consumer option", edit("      - stream: orders                   # table stream (table needs `stream:`)", "      - stream: orders\n        batch_size: 50"), NONE),
        // Broadening.
        ("grant write", edit("    access:\n      orders: read\n  create-order:", "    access:\n      orders: [read, write]\n  create-order:"), B),
        ("grant scan", edit("      orders: read\n      receipts: [read, write]", "      orders: [read, scan]\n      receipts: [read, write]"), B),
        ("grant a new target", edit("    access:\n      orders: read\n  create-order:", "    access:\n      orders: read\n      receipts: read\n  create-order:"), B),
        ("route made public", edit("      scopes: [orders:write]", "      public: \"load test\""), B),
        (
            "scopes dropped under a waiver",
            edit("    GET /orders/{id}: { function: get-order, scopes: [orders:read] }", "    GET /orders/{id}: { function: get-order }")
                .replacen("  routes:\n", "  waive: { PAL-API-002: \"IdP cannot issue scopes\" }\n  routes:\n", 1),
            B,
        ),
        ("CORS origin added", edit("  cors: { origins: [https://app.example.com] }", "  cors: { origins: [https://app.example.com, https://admin.example.com] }"), B),
        ("stage throttle raised", edit("  throttle: { rate: 50, burst: 100 }", "  throttle: { rate: 500, burst: 1000 }"), B),
        ("concurrency raised", edit("    concurrency: 20", "    concurrency: 200"), B),
        ("tracing waived", edit("  health:\n    handler: src/health.handler\n", "  health:\n    handler: src/health.handler\n    waive: { PAL-FN-002: \"probe only\" }\n"), B),
        ("PITR waived", edit("    stream: new-and-old", "    stream: new-and-old\n    waive: { PAL-DATA-002: \"rebuilt nightly\" }"), B),
        ("retain waived on bucket", edit("    expire_after_days: 365       # optional lifecycle rule", "    expire_after_days: 365\n    waive: { PAL-DATA-001: \"scratch receipts\" }"), B),
        ("new route", edit("    GET /health:", "    DELETE /orders/{id}: { function: create-order, scopes: [orders:write] }\n    GET /health:"), B),
        ("new function with access", edit("  health:\n    handler: src/health.handler\n", "  health:\n    handler: src/health.handler\n  audit:\n    handler: src/health.handler\n    access: { orders: read }\n"), B),
        ("another filter on an existing trigger", edit("      - topic: order-placed              # SNS subscription", "      - bucket: receipts\n        prefix: scans/\n      - topic: order-placed"), NONE),
        ("new bucket trigger", edit("      - queue: order-events              # consuming grants exactly the receive/delete actions", "      - bucket: receipts\n      - queue: order-events"), B),
        // Data loss.
        // The roles lose their grants on it and their cdk-nag suppressions
        // narrow with them: neither widens anything.
        ("table removed", remove_table(), D),
        ("partition key changed", edit("    partition_key: { name: id, type: string }", "    partition_key: { name: order_id, type: string }"), D),
        ("queue made FIFO", edit("    fifo: false", "    fifo: true"), D),
        ("secret removed", edit("secrets:\n  stripe-key:\n    description: Stripe API key  # the value is never in the spec; set it out of band\n    waive:                       # Stripe issues the key: nothing here can rotate it\n      PAL-DATA-010: \"Stripe issues this key; it is rolled in the Stripe dashboard (yearly, and at once when someone with access leaves) and set here by hand\"\n", "").replace("      stripe-key: read                   # secret: the function gets its ARN in env, never the value\n", ""), D),
        ("topic renamed", orders().replace("order-placed", "order-created"), BD),
        ("function renamed (its log group goes)", orders().replace("nightly-report", "daily-report"), BD),
    ]
}

/// The orders table and everything that names it.
fn remove_table() -> String {
    let text = orders();
    let start = text.find("tables:\n").unwrap();
    let end = text.find("queues:\n").unwrap();
    let mut text = format!("{}{}", &text[..start], &text[end..]);
    for line in [
        "    access:\n      orders: read\n  create-order:",
        "      orders: read\n",
        "      orders: write\n",
        "      - stream: orders                   # table stream (table needs `stream:`)\n",
    ] {
        let replacement = if line.ends_with("create-order:") {
            "  create-order:"
        } else {
            ""
        };
        text = text.replace(line, replacement);
    }
    text
}

#[test]
fn corpus_is_large_enough() {
    let corpus = corpus();
    assert!(corpus.len() >= 25);
    assert!(
        corpus.iter().filter(|(_, _, r)| r.is_empty()).count() >= 10,
        "benign cases"
    );
}

fn partners() -> String {
    std::fs::read_to_string("examples/partners/palisade.yaml").unwrap()
}

/// Replaces `from` with `to` in the partners spec (a REST API with WAF and
/// clients), insisting the edit applies.
fn edit_partners(from: &str, to: &str) -> String {
    let text = partners();
    assert!(text.contains(from), "mutation does not apply: {from:?}");
    text.replacen(from, to, 1)
}

/// Mutations of the REST API example: its per-client limits and its WAF.
fn rest_corpus() -> Vec<(&'static str, String, &'static [Risk])> {
    let client = "partner-a: { rate: 5, burst: 10, quota: { limit: 100000, period: month } }";
    vec![
        // Benign: tighter limits, a new client with its own limits.
        (
            "lower a client's rate",
            edit_partners(client, &client.replace("rate: 5", "rate: 2")),
            NONE,
        ),
        (
            "lower a client's quota",
            edit_partners(client, &client.replace("limit: 100000", "limit: 500")),
            NONE,
        ),
        (
            "lower the per-IP limit",
            edit_partners("rate_per_ip: 2000", "rate_per_ip: 500"),
            NONE,
        ),
        (
            "add a client",
            edit_partners(
                "    partner-b:",
                "    partner-c: { rate: 1, burst: 1 }\n    partner-b:",
            ),
            NONE,
        ),
        (
            "add a managed rule group",
            edit_partners(
                "managed_rules: [common, known-bad-inputs, ip-reputation]",
                "managed_rules: [common, known-bad-inputs, ip-reputation, anonymous-ip]",
            ),
            // The stage's CKV2_AWS_77 suppression goes: narrowing.
            NONE,
        ),
        // Broadening.
        (
            "raise a client's rate",
            edit_partners(client, &client.replace("rate: 5", "rate: 6")),
            B,
        ),
        (
            "raise a client's burst",
            edit_partners(client, &client.replace("burst: 10", "burst: 15")),
            B,
        ),
        (
            "raise a client's quota",
            edit_partners(client, &client.replace("limit: 100000", "limit: 200000")),
            B,
        ),
        (
            "drop a client's quota",
            edit_partners(client, "partner-a: { rate: 5, burst: 10 }"),
            B,
        ),
        (
            "raise the per-IP limit",
            edit_partners("rate_per_ip: 2000", "rate_per_ip: 5000"),
            B,
        ),
        // A route's scopes live in the authorizer function's package (API
        // Gateway takes no scopes on a Lambda-authorized method).
        (
            "change a route's scopes",
            edit_partners(
                "GET /items/{id}: { function: get-item, scopes: [items:read] }",
                "GET /items/{id}: { function: get-item, scopes: [items:any] }",
            ),
            B,
        ),
        // Who the authorizer function trusts.
        (
            "change the JWT issuer",
            edit_partners(
                "issuer: https://auth.partners.example.com/",
                "issuer: https://auth.other.example.com/",
            ),
            B,
        ),
        (
            "add a JWT audience",
            edit_partners(
                "audience: [partners-api]",
                "audience: [partners-api, other]",
            ),
            B,
        ),
        (
            "remove a managed rule group",
            edit_partners(
                "managed_rules: [common, known-bad-inputs, ip-reputation]",
                "managed_rules: [common, known-bad-inputs]",
            ),
            B,
        ),
        // The web ACL's log group leaves the stack with its logs.
        (
            "remove the web ACL",
            edit_partners(
                "  routes:\n",
                "  waive: { PAL-API-007: \"a CloudFront web ACL filters first\" }\n  routes:\n",
            ),
            BD,
        ),
    ]
}

#[test]
fn rest_api_mutations_get_exactly_their_risk_classes_on_both_targets() {
    let failures = failures_of(&partners(), rest_corpus());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_mutation_gets_exactly_its_risk_classes_on_both_targets() {
    let failures = failures_of(&orders(), corpus());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn failures_of(base: &str, corpus: Vec<(&'static str, String, &'static [Risk])>) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, spec, expected) in corpus {
        let report = report_between(base, &spec);
        for target in Target::ALL {
            let changes: Vec<&diff::Change> = report
                .changes
                .iter()
                .filter(|c| c.target == target)
                .collect();
            if changes.is_empty() {
                failures.push(format!("{name} ({target}): no change detected"));
                continue;
            }
            let found: BTreeSet<Risk> = changes
                .iter()
                .flat_map(|c| c.risks.iter().copied())
                .collect();
            let expected: BTreeSet<Risk> = expected.iter().copied().collect();
            if found == expected {
                continue;
            }
            let risky: Vec<String> = changes
                .iter()
                .filter(|c| !c.risks.is_empty())
                .map(|c| {
                    format!(
                        "{} {:?}: {:?}",
                        c.resource,
                        c.risks,
                        &c.details[..c.risky_details]
                    )
                })
                .collect();
            failures.push(format!(
                "{name} ({target}): expected {expected:?}, found {found:?}\n  {}",
                risky.join("\n  ")
            ));
        }
    }
    failures
}

#[test]
fn a_new_permission_is_named_precisely() {
    let report = report(&edit(
        "    access:\n      orders: read\n  create-order:",
        "    access:\n      orders: [read, write]\n  create-order:",
    ));
    let role = report
        .changes
        .iter()
        .find(|c| c.resource == "GetOrderRole")
        .unwrap();
    assert_eq!(role.change, ChangeKind::Modified);
    assert!(
        role.details.iter().any(|d| d.contains("+ Allow")
            && d.contains("dynamodb:PutItem")
            && d.contains("on ${OrdersTable.Arn}/index/*, OrdersTable.Arn")),
        "{:?}",
        role.details
    );
    assert!(
        !role.details.iter().any(|d| d.contains("dynamodb:GetItem")),
        "unchanged actions are not repeated"
    );
}

#[test]
fn retained_resources_removed_are_reported_as_orphaned() {
    let report = report(&remove_table());
    let table = report
        .changes
        .iter()
        .find(|c| c.resource == "OrdersTable")
        .unwrap();
    assert_eq!(table.change, ChangeKind::Removed);
    assert!(table.details[0].starts_with("orphaned: data stays but leaves the stack"));
}

#[test]
fn identical_specs_have_no_changes() {
    assert!(report(&orders()).changes.is_empty());
}
