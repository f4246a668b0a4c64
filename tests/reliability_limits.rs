//! Every input limit answers with a clear error that points into the spec,
//! quickly: never a hang, a stack overflow or an out-of-memory.

use std::time::{Duration, Instant};

use assert_cmd::Command;
use palisade::diagnostic::{Code, Diagnostic};
use palisade::spec::validate::{MAX_EVENTS_PER_FUNCTION, MAX_GENERATED_RESOURCES, MAX_PER_KIND};

/// Loads `text`, expecting one input-limit error; returns it with the time taken.
fn limit_error(text: &str) -> (Diagnostic, Duration) {
    let start = Instant::now();
    let diagnostics =
        palisade::spec::load("palisade.yaml", text.as_bytes(), None).expect_err("over a limit");
    let elapsed = start.elapsed();
    let limits: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.code() == Code::InputLimit)
        .collect();
    assert_eq!(limits.len(), 1, "{diagnostics:#?}");
    (limits[0].clone(), elapsed)
}

/// Generous for a debug build on a busy machine; a hang or a blow-up is
/// orders of magnitude slower.
const QUICK: Duration = Duration::from_secs(20);

const HEAD: &str = "service: big\nruntime: python3.12\n";

/// `count` entries of a kind, one per line, each made by `entry(i)`.
fn spec_with(section: &str, count: usize, entry: impl Fn(usize) -> String) -> String {
    let mut text = format!("{HEAD}{section}:\n");
    for i in 0..count {
        text.push_str(&entry(i));
        text.push('\n');
    }
    text
}

#[test]
fn each_kind_is_capped_with_the_error_at_the_first_one_over() {
    type Entry = fn(usize) -> String;
    let kinds: [(&str, Entry); 6] = [
        ("functions", |i| {
            format!("  f{i}: {{ handler: src/a.handler }}")
        }),
        ("tables", |i| {
            format!("  t{i}: {{ partition_key: {{ name: id, type: string }} }}")
        }),
        ("queues", |i| format!("  q{i}: {{}}")),
        ("buckets", |i| format!("  b{i}: {{}}")),
        ("topics", |i| format!("  t{i}: {{}}")),
        ("secrets", |i| format!("  s{i}: {{}}")),
    ];
    for (kind, entry) in kinds {
        let at_limit = spec_with(kind, MAX_PER_KIND, entry);
        if let Err(diagnostics) = palisade::spec::load("palisade.yaml", at_limit.as_bytes(), None) {
            assert!(
                diagnostics.iter().all(|d| d.code() != Code::InputLimit),
                "{kind}: {MAX_PER_KIND} is allowed"
            );
        }
        let over = spec_with(kind, MAX_PER_KIND + 1, entry);
        let (error, elapsed) = limit_error(&over);
        assert!(elapsed < QUICK, "{kind}: {elapsed:?}");
        assert_eq!(
            error.message,
            format!("{} {kind}; the limit is {MAX_PER_KIND}", MAX_PER_KIND + 1)
        );
        // The first entry past the limit in file order (names sort
        // differently: `f10` before `f2`); entries start on line 4.
        assert_eq!(error.line as usize, 4 + MAX_PER_KIND, "{kind}");
        assert!(
            error.suggestion.as_deref().unwrap().contains("split"),
            "{kind}"
        );
    }
}

#[test]
fn routes_and_events_are_capped() {
    let mut routes = String::from(
        "service: big\nruntime: python3.12\nfunctions: { f: { handler: src/a.handler } }\napi:\n  routes:\n",
    );
    for i in 0..=MAX_PER_KIND {
        routes.push_str(&format!(
            "    GET /r{i}: {{ function: f, public: probe }}\n"
        ));
    }
    let (error, elapsed) = limit_error(&routes);
    assert!(elapsed < QUICK);
    assert!(
        error
            .message
            .ends_with(&format!("routes; the limit is {MAX_PER_KIND}")),
        "{}",
        error.message
    );

    let mut events = String::from(
        "service: big\nruntime: python3.12\nfunctions:\n  f:\n    handler: src/a.handler\n    events:\n",
    );
    for _ in 0..=MAX_EVENTS_PER_FUNCTION {
        events.push_str("      - schedule: rate(1 day)\n");
    }
    let (error, _) = limit_error(&events);
    assert_eq!(
        error.message,
        format!(
            "{} events on `f`; the limit is {MAX_EVENTS_PER_FUNCTION}",
            MAX_EVENTS_PER_FUNCTION + 1
        )
    );
    assert_eq!(error.line as usize, 7 + MAX_EVENTS_PER_FUNCTION);
}

/// Within every per-kind cap, but each function with a route and a queue
/// makes 14 resources: the plan's size is capped too, before any output.
#[test]
fn generated_resources_are_capped() {
    let count = MAX_PER_KIND;
    let mut text = String::from(
        "service: big\nruntime: python3.12\napi:\n  auth: { jwt: { issuer: \"https://auth.example.com/\", audience: [a] } }\n  routes:\n",
    );
    for i in 0..count {
        text.push_str(&format!(
            "    GET /r{i}: {{ function: f{i}, scopes: [s] }}\n"
        ));
    }
    text.push_str("functions:\n");
    for i in 0..count {
        text.push_str(&format!(
            "  f{i}: {{ handler: src/a.handler, events: [{{ queue: q{i} }}] }}\n"
        ));
    }
    text.push_str("queues:\n");
    for i in 0..count {
        text.push_str(&format!("  q{i}: {{}}\n"));
    }
    let start = Instant::now();
    let loaded = palisade::spec::load("palisade.yaml", text.as_bytes(), None).unwrap();
    let err = palisade::cli::build::compile_loaded(
        &loaded,
        &Default::default(),
        palisade::cli::build::Targets::All,
        palisade::cli::build::TemplateFormat::Yaml,
    )
    .unwrap_err();
    assert!(start.elapsed() < QUICK, "{:?}", start.elapsed());
    let palisade::Error::Invalid { diagnostics, .. } = err else {
        panic!("{err:?}");
    };
    assert_eq!(diagnostics.len(), 1);
    let error = &diagnostics[0];
    assert_eq!(error.code(), Code::InputLimit);
    assert!(
        error.message.ends_with(&format!(
            "resources; the limit is {MAX_GENERATED_RESOURCES}"
        )),
        "{}",
        error.message
    );
    assert_eq!((error.line, error.column), (1, 10), "at `service:`");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [40, 10_000, 400_000] {
        for (open, close) in [("[", "]"), ("{a: ", "}")] {
            let text = format!(
                "service: deep\noverrides:\n  cloudformation:\n    X: {}{}\n",
                open.repeat(depth),
                close.repeat(depth)
            );
            if text.len() > palisade::spec::MAX_SPEC_BYTES {
                continue;
            }
            let (error, elapsed) = limit_error(&text);
            assert!(elapsed < QUICK, "{depth}: {elapsed:?}");
            assert!(error.message.contains("nested"), "{}", error.message);
        }
    }
    // Block style nests through indentation.
    let mut text = String::from("service: deep\noverrides:\n  cloudformation:\n    X:\n");
    for level in 0..100 {
        text.push_str(&" ".repeat(6 + 2 * level));
        text.push_str("a:\n");
    }
    let (error, _) = limit_error(&text);
    assert!(
        error.message.contains("nested more than 32"),
        "{}",
        error.message
    );
}

#[test]
fn too_many_values_and_alias_bombs_are_errors() {
    // Half a million values in under a megabyte.
    let text = format!(
        "service: wide\noverrides: {{ cloudformation: {{ X: [{}1] }} }}\n",
        "1,".repeat(400_000)
    );
    let (error, elapsed) = limit_error(&text);
    assert!(elapsed < QUICK);
    assert!(error.message.contains("values"), "{}", error.message);

    // A billion laughs.
    let mut bomb = String::from(
        "service: bomb\noverrides:\n  cloudformation:\n    X0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("    X{i}: &a{i} [{refs}]\n"));
    }
    let (error, elapsed) = limit_error(&bomb);
    assert!(elapsed < QUICK);
    assert_eq!(error.code(), Code::InputLimit, "{}", error.message);
}

#[test]
fn an_oversized_spec_file_is_refused_without_reading_it_all() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("rel-limits-size");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("palisade.yaml");
    let mut text = String::from("service: huge\ndescription: \"");
    text.push_str(&"x".repeat(64 * 1024 * 1024));
    text.push_str("\"\n");
    std::fs::write(&spec, text).unwrap();
    let out = Command::cargo_bin("palisade")
        .unwrap()
        .args(["build", spec.to_str().unwrap()])
        .timeout(QUICK)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("E006") && stderr.contains("the limit is 1048576"),
        "{stderr}"
    );
    assert!(!dir.join("dist").exists());
    std::fs::remove_file(&spec).unwrap();
}
