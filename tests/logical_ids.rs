//! Logical IDs are a public contract: a change in one part of the spec must
//! not rename resources elsewhere (CloudFormation would replace them).

use std::collections::BTreeSet;

fn ids(spec_text: &str) -> BTreeSet<String> {
    let loaded = palisade::spec::load("palisade.yaml", spec_text.as_bytes(), None)
        .unwrap_or_else(|d| panic!("{d:#?}"));
    let plan = palisade::plan::compile(&loaded.spec, &Default::default())
        .unwrap_or_else(|e| panic!("{e:?}"));
    plan.resources.into_iter().map(|r| r.id).collect()
}

fn orders() -> String {
    std::fs::read_to_string("examples/orders/palisade.yaml").unwrap()
}

#[test]
fn editing_one_function_renames_nothing() {
    let before = ids(&orders());
    let edited = orders()
        .replace(
            "    memory: 256                          # MB, default 256",
            "    memory: 1024",
        )
        .replace(
            "      orders: read\n  create-order:",
            "      orders: [read, write]\n      order-events: send\n  create-order:",
        );
    assert_ne!(edited, orders(), "the edit must apply");
    assert_eq!(before, ids(&edited));
}

#[test]
fn adding_a_function_only_adds() {
    let before = ids(&orders());
    let added = orders().replace(
        "functions:\n",
        "functions:\n  audit-log:\n    handler: src/health.handler\n    access: { orders: read }\n    events: [{ schedule: rate(1 hour) }]\n",
    );
    let after = ids(&added);
    assert!(
        before.is_subset(&after),
        "removed: {:?}",
        before.difference(&after).collect::<Vec<_>>()
    );
    assert!(after.iter().any(|id| id.starts_with("AuditLog")));
}

#[test]
fn removing_a_route_removes_only_that_route() {
    let before = ids(&orders());
    let removed = orders().replace(
        "    GET /health:\n      function: health\n      public: \"load balancer health probe\"     # the only way to skip auth: a reason\n",
        "",
    );
    assert_ne!(removed, orders(), "the edit must apply");
    let after = ids(&removed);
    let gone: BTreeSet<_> = before.difference(&after).cloned().collect();
    assert_eq!(
        gone,
        ["GetHealthPermission", "GetHealthRoute", "HealthIntegration"]
            .map(String::from)
            .into()
    );
    assert!(after.is_subset(&before));
}
