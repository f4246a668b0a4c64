//! Functions: logs with retention, tracing, reserved concurrency, a
//! dead-letter queue, a supported runtime, no secrets in the environment.

use super::{Context, Findings};
use crate::catalog::ids::*;
use crate::plan::Kind;

pub(super) fn check(cx: &Context, f: &mut Findings) {
    // Only functions: this family's controls apply to nothing else.
    let Kind::Function(function) = &f.resource.kind else {
        return;
    };
    if !cx
        .by_id
        .get(function.log_group.as_str())
        .is_some_and(|r| matches!(&r.kind, Kind::LogGroup(g) if g.retention_days > 0))
    {
        f.add(FN_LOGS, "the function has no log group with retention");
    }
    if !function.tracing && !f.waived(FN_TRACING) {
        f.add(FN_TRACING, "tracing is off");
    }
    if function.reserved_concurrency == 0 {
        f.add(FN_CONCURRENCY, "reserved concurrency is 0");
    }
    if function.dead_letter_queue.is_none() && !f.waived(FN_ASYNC_DLQ) {
        f.add(
            FN_ASYNC_DLQ,
            "no dead-letter queue for asynchronous invocations",
        );
    }
    let today = crate::spec::runtime::today();
    if crate::spec::runtime::find(&function.runtime).is_none_or(|r| r.is_deprecated(today)) {
        f.add(
            FN_RUNTIME,
            format!("runtime `{}` is not supported", function.runtime),
        );
    }
    for (name, value) in &function.environment {
        if let Some(text) = value.as_literal()
            && crate::spec::secrets::looks_like_secret(name, &text).is_some()
        {
            f.add(
                FN_NO_SECRETS,
                format!("environment variable {name} holds a secret"),
            );
        }
    }
}
