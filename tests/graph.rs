//! `palisade graph`: snapshots of both formats for every example, Mermaid's
//! own parser and Graphviz over every drawing (plain, hostile text, diff),
//! permissions read back from the plan, and the diff rendering.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use palisade::graph::{Edge, Format, Graph, Relation, Trigger};
use palisade::plan::{self, Kind, Plan};
use palisade::spec::AccessLevel;
use support::*;

/// Runs the binary; returns (exit code, stdout, stderr).
fn palisade(args: &[&str]) -> (i32, String, String) {
    let output = assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn graph_of(spec: &Path, format: &str) -> String {
    let (code, stdout, stderr) = palisade(&["graph", spec.to_str().unwrap(), "--format", format]);
    assert_eq!(code, 0, "{}: {stderr}", spec.display());
    stdout
}

/// The plan of a spec text whose handlers live in `base`.
fn plan_of(text: &str, base: &Path) -> Plan {
    let loaded = palisade::spec::load("palisade.yaml", text.as_bytes(), Some(base))
        .unwrap_or_else(|d| panic!("{d:#?}"));
    plan::compile(&loaded.spec, &plan::Packages::new()).unwrap_or_else(|e| panic!("{e:?}"))
}

fn orders() -> (String, PathBuf) {
    let base = PathBuf::from("examples/orders");
    (
        std::fs::read_to_string(base.join("palisade.yaml")).unwrap(),
        base,
    )
}

/// Text that has broken diagram languages: quotes, markup, Mermaid entities,
/// directives and comments, arrows, DOT escapes, control and bidi characters.
const HOSTILE: &str = "say \"hi\" <b>x</b> & #quot; %%{init: {'theme':'dark'}}%% `code` $$x$$ |pipe| [a] (b) {c} -->|x| B; \\N \\\" end style:#f00; ﬂ°1¶ß\u{202e}txet\ttab naïve ☂ 日本";

fn hostile_plan() -> Plan {
    let (text, base) = orders();
    let text = text
        .replace(
            "public: \"load balancer health probe\"",
            // Validation refuses its tab and U+202E (E067): the plan gets
            // the whole text below.
            "public: \"to be replaced\"",
        )
        .replace("prefix: uploads/", "prefix: \"up\\\"loads <b>/\"")
        .replace("suffix: .png", "suffix: \"%%{x}%%.png\"");
    let mut plan = plan_of(&text, &base);
    // Route keys and names are validated in the spec; the renderers must not
    // rely on it, so the plan itself gets hostile text too.
    for resource in &mut plan.resources {
        match &mut resource.kind {
            Kind::Route(route) if route.public_reason.is_some() => {
                route.public_reason = Some(HOSTILE.into());
            }
            Kind::Route(route) => {
                route.key = format!("GET /{HOSTILE}");
                route.scopes = vec![HOSTILE.into()];
            }
            Kind::Schedule(schedule) => schedule.expression = HOSTILE.into(),
            Kind::Function(_) => resource.source = Some(format!("fn {HOSTILE}")),
            _ => {}
        }
    }
    plan
}

/// The old and new plan for the diff tests: a permission widened, a route
/// made public, a route, a function and a queue removed, a secret added.
fn diff_plans() -> (Plan, Plan) {
    let (text, base) = orders();
    let old = plan_of(&text, &base);
    let new_text = text
        .replace(
            "      orders: read\n  create-order:",
            "      orders: [read, write]\n  create-order:",
        )
        .replace(
            "    GET /orders/{id}: { function: get-order, scopes: [orders:read] }",
            "    GET /orders/{id}: { function: get-order, public: \"cached by the CDN\" }",
        )
        .replace(
            "    POST /orders:\n      function: create-order\n      scopes: [orders:write]\n      throttle: { rate: 10, burst: 20 }\n",
            "",
        )
        .replace(
            "  create-order:\n    handler: src/create_order.handler\n    access:\n      orders: write\n      order-events: send\n      stripe-key: read                   # secret: the function gets its ARN in env, never the value\n",
            "",
        )
        .replace(
            "  process-order:\n    handler: src/process_order.handler\n    events:\n      - queue: order-events              # consuming grants exactly the receive/delete actions\n        batch_size: 10\n",
            "  process-order:\n    handler: src/process_order.handler\n",
        )
        .replace(
            "queues:\n  order-events:\n    fifo: false\n    max_receives: 5              # then to the queue's dead-letter queue (always created)\n    retention_days: 4\n",
            "",
        )
        .replace(
            "  stripe-key:\n",
            "  stripe-key:\n    description: Stripe API key\n    waive: { PAL-DATA-010: \"set by hand from Stripe\" }\n  webhook-secret:\n",
        )
        .replace(
            "      receipts: write\n  nightly-report:",
            "      receipts: write\n      webhook-secret: read\n  nightly-report:",
        );
    assert_ne!(new_text, text);
    (old, plan_of(&new_text, &base))
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Mermaid => "mermaid",
        Format::Dot => "dot",
    }
}

#[test]
fn every_example_graph_matches_its_snapshots() {
    for spec in examples() {
        for format in ["mermaid", "dot"] {
            insta::assert_snapshot!(
                format!("{format}-{}", example_name(&spec)),
                graph_of(&spec, format)
            );
        }
    }
}

#[test]
fn the_diff_rendering_matches_its_snapshots() {
    let (old, new) = diff_plans();
    let (old, new) = (Graph::from_plan(&old), Graph::from_plan(&new));
    for format in [Format::Mermaid, Format::Dot] {
        insta::assert_snapshot!(
            format!("diff-{}", format_name(format)),
            Graph::diff_render(&old, &new, format)
        );
    }
}

#[test]
fn mermaid_is_the_default_and_out_writes_a_file() {
    let spec = "examples/orders/palisade.yaml";
    let (code, default, _) = palisade(&["graph", spec]);
    assert_eq!(code, 0);
    assert!(default.starts_with("flowchart LR\n"));
    let out = scratch("graph-out").join("nested/orders.dot");
    let (code, stdout, stderr) = palisade(&[
        "graph",
        spec,
        "--format",
        "dot",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "", "the diagram goes to the file only");
    assert!(stderr.contains("wrote"));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        graph_of(Path::new(spec), "dot")
    );
}

#[test]
fn an_invalid_spec_exits_2_and_writes_nothing() {
    let dir = scratch("graph-invalid");
    let spec = dir.join("palisade.yaml");
    std::fs::write(&spec, "service: Not_Kebab\n").unwrap();
    let out = dir.join("graph.mmd");
    let (code, stdout, stderr) = palisade(&[
        "graph",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("palisade.yaml"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn graphs_are_deterministic() {
    for spec in examples() {
        for format in ["mermaid", "dot"] {
            assert_eq!(graph_of(&spec, format), graph_of(&spec, format));
        }
    }
}

fn edge(from: &str, to: &str, relation: Relation) -> Edge {
    Edge {
        from: from.into(),
        to: to.into(),
        relation,
    }
}

/// The edges say what the role holds: the spec's `thumbnail` lists no
/// `stream` access, but its stream event grants it, so the edge is there.
#[test]
fn permission_edges_are_read_back_from_the_roles() {
    let (text, base) = orders();
    let graph = Graph::from_plan(&plan_of(&text, &base));
    for expected in [
        edge(
            "ThumbnailFunction",
            "OrdersTable",
            Relation::Access(AccessLevel::Stream),
        ),
        edge(
            "ProcessOrderFunction",
            "OrderEventsQueue",
            Relation::Access(AccessLevel::Consume),
        ),
        edge(
            "NightlyReportFunction",
            "ReceiptsBucket",
            Relation::Access(AccessLevel::Read),
        ),
        edge(
            "NightlyReportFunction",
            "ReceiptsBucket",
            Relation::Access(AccessLevel::Write),
        ),
        edge(
            "CreateOrderFunction",
            "StripeKeySecret",
            Relation::Access(AccessLevel::Read),
        ),
        edge(
            "OrderEventsQueue",
            "ProcessOrderFunction",
            Relation::Invokes(Trigger::Messages { batch_size: 10 }),
        ),
        edge(
            "OrderEventsQueue",
            "OrderEventsDeadLetterQueue",
            Relation::DeadLetter { max_receives: 5 },
        ),
    ] {
        assert!(graph.edges().any(|e| *e == expected), "{expected:?}");
    }
    // Write grants ConditionCheckItem too, which read also has: that is not
    // read access.
    assert!(!graph.edges().any(|e| *e
        == edge(
            "CreateOrderFunction",
            "OrdersTable",
            Relation::Access(AccessLevel::Read)
        )));
    // Palisade's plumbing (the functions' shared DLQ, the alarm topic) is not drawn.
    assert!(graph.node("FunctionsDeadLetterQueue").is_none());
    assert!(graph.node("AlertsTopic").is_none());
}

#[test]
fn actions_no_access_level_explains_are_drawn_as_they_are() {
    let (text, base) = orders();
    let mut plan = plan_of(&text, &base);
    let Some(Kind::Role(role)) = plan
        .resources
        .iter_mut()
        .find(|r| r.id == "GetOrderRole")
        .map(|r| &mut r.kind)
    else {
        panic!("GetOrderRole");
    };
    let statement = role
        .policy
        .iter_mut()
        .find(|s| s.sid == "OrdersTable")
        .unwrap();
    statement.actions.push("dynamodb:DeleteTable".into());
    let graph = Graph::from_plan(&plan);
    let expected = edge(
        "GetOrderFunction",
        "OrdersTable",
        Relation::Actions(vec!["dynamodb:DeleteTable".into()]),
    );
    assert!(graph.edges().any(|e| *e == expected));
    let mermaid = graph.render(Format::Mermaid);
    assert!(
        mermaid.contains("GetOrderFunction ==>|\"read, dynamodb#58;DeleteTable\"| OrdersTable"),
        "{mermaid}"
    );
}

#[test]
fn hostile_text_is_escaped_not_interpreted() {
    let graph = Graph::from_plan(&hostile_plan());
    let mermaid = graph.render(Format::Mermaid);
    for line in mermaid.lines() {
        // Every quote opens or closes a label: none comes from the text.
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        for forbidden in ["%%", "<b>x", "`", "$$", "\u{202e}", "\t"] {
            assert!(!line.contains(forbidden), "{forbidden:?} in {line}");
        }
    }
    assert!(mermaid.contains("PUBLIC#58; say #34;hi#34;"), "{mermaid}");
    let dot = graph.render(Format::Dot);
    assert!(
        dot.contains("say &quot;hi&quot; &lt;b&gt;x&lt;/b&gt; &amp;"),
        "{dot}"
    );
    assert!(!dot.contains("\u{202e}"));
}

#[test]
fn the_diff_marks_what_changed() {
    let (old, new) = diff_plans();
    let (old, new) = (Graph::from_plan(&old), Graph::from_plan(&new));
    assert_ne!(old, new);
    let mermaid = Graph::diff_render(&old, &new, Format::Mermaid);
    // The new write permission: its own red arrow beside the unchanged read.
    assert!(
        mermaid.contains("GetOrderFunction ==>|\"<b>+ write</b>\"| OrdersTable"),
        "{mermaid}"
    );
    assert!(mermaid.contains("GetOrderFunction -->|\"read\"| OrdersTable"));
    // The route made public: old auth struck, the reason new.
    assert!(
        mermaid.contains(
            "<b>+ PUBLIC#58; cached by the CDN</b><br><del>JWT, scopes#58; orders#58;read</del>"
        ),
        "{mermaid}"
    );
    // Removed nodes and edges are struck through and dashed.
    assert!(
        mermaid.contains("PostOrdersRoute([\"<del>POST /orders</del>"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("CreateOrderFunction -.->|\"<del>write</del>\"| OrdersTable"),
        "{mermaid}"
    );
    assert!(mermaid.contains("class WebhookSecretSecret secret_added"));
    // Comparing a graph with itself marks nothing.
    let same = Graph::diff_render(&new, &new, Format::Mermaid);
    assert!(!same.contains("<del>") && !same.contains("<b>+"), "{same}");
}

/// Every drawing the tests make: each example in both formats, hostile text
/// and the diff.
fn all_drawings(format: Format) -> Vec<(String, String)> {
    let mut drawings: Vec<(String, String)> = examples()
        .iter()
        .map(|spec| (example_name(spec), graph_of(spec, format_name(format))))
        .collect();
    drawings.push((
        "hostile".into(),
        Graph::from_plan(&hostile_plan()).render(format),
    ));
    let (old, new) = diff_plans();
    drawings.push((
        "diff".into(),
        Graph::diff_render(&Graph::from_plan(&old), &Graph::from_plan(&new), format),
    ));
    drawings
}

/// Mermaid's own parser (installed by scripts/graph-validators.sh, which the
/// test command runs) accepts every drawing and SECURITY.md's.
#[test]
fn mermaid_parses_every_drawing() {
    let validators = std::env::var_os("PALISADE_NODE_VALIDATORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".node-validators"));
    assert!(
        validators.join("node_modules/mermaid").is_dir(),
        "{} has no mermaid: run scripts/graph-validators.sh (scripts/test.sh does)",
        validators.display()
    );
    let dir = scratch("graph-mermaid");
    let mut files = Vec::new();
    for (name, text) in all_drawings(Format::Mermaid) {
        let file = dir.join(format!("{name}.mmd"));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    // SECURITY.md embeds the graph: its ```mermaid blocks must parse too.
    for spec in examples() {
        let outputs = cloudformation(&spec, palisade::cli::build::TemplateFormat::Yaml);
        let file = dir.join(format!("SECURITY-{}.md", example_name(&spec)));
        std::fs::write(&file, &outputs["SECURITY.md"]).unwrap();
        files.push(file);
    }
    let output = Command::new("node")
        .arg("scripts/mermaid/check.mjs")
        .args(&files)
        .env("PALISADE_NODE_VALIDATORS", &validators)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(report.matches("ok ").count(), files.len(), "{report}");
}

/// Graphviz renders every drawing to SVG. The test command installs
/// Graphviz; where it could not, this says so and skips.
#[test]
fn graphviz_renders_every_drawing() {
    if Command::new("dot").arg("-V").output().is_err() {
        eprintln!(
            "SKIPPED graphviz_renders_every_drawing: `dot` is not installed (scripts/graph-validators.sh installs it)"
        );
        return;
    }
    for (name, text) in all_drawings(Format::Dot) {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let svg = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{name}: {stderr}");
        // A warning about the input (a bad attribute, an ambiguous token)
        // fails; font set-up notices are the machine's, not the drawing's.
        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.to_ascii_lowercase().contains("font"))
            .collect();
        assert!(warnings.is_empty(), "{name}: Graphviz warns: {warnings:?}");
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{name}");
        assert!(svg.contains("class=\"node\""), "{name}: no nodes drawn");
    }
}
