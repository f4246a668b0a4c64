//! Deterministic synthetic specs for benchmarks: N functions, each with a
//! route, a table it reads and writes, and every fourth one a queue worker,
//! so the plan grows the way real services do.

use std::fmt::Write;

pub fn spec(functions: usize) -> String {
    let mut yaml = String::from(
        "service: synthetic\nruntime: python3.13\nregion: eu-west-1\ntags: { team: bench }\nalerts: { email: oncall@example.com }\napi:\n  auth: { jwt: { issuer: \"https://auth.example.com/\", audience: [bench] } }\n  routes:\n",
    );
    for i in 0..functions {
        let _ = writeln!(
            yaml,
            "    GET /items{i}/{{id}}: {{ function: f{i}, scopes: [items:read] }}"
        );
    }
    yaml.push_str("functions:\n");
    for i in 0..functions {
        let _ = write!(
            yaml,
            "  f{i}:\n    handler: src/app.handler\n    environment: {{ LOG_LEVEL: info }}\n    access: {{ t{i}: [read, write]"
        );
        if i % 4 == 0 {
            let _ = write!(yaml, ", s{i}: read }}\n    events: [{{ queue: q{i} }}]\n");
        } else {
            yaml.push_str(" }\n");
        }
    }
    yaml.push_str("tables:\n");
    for i in 0..functions {
        let _ = writeln!(
            yaml,
            "  t{i}: {{ partition_key: {{ name: id, type: string }} }}"
        );
    }
    yaml.push_str("queues:\n");
    for i in (0..functions).step_by(4) {
        let _ = writeln!(yaml, "  q{i}: {{}}");
    }
    yaml.push_str("secrets:\n");
    for i in (0..functions).step_by(4) {
        let _ = writeln!(
            yaml,
            "  s{i}: {{ description: synthetic, waive: {{ PAL-DATA-010: \"issued by a partner, set by hand\" }} }}"
        );
    }
    yaml
}
