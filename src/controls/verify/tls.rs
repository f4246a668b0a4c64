//! Encryption in transit: every queue, topic and bucket refuses requests
//! without TLS.

use super::{Context, Findings};
use crate::catalog::ids::*;

pub(super) fn check(cx: &Context, f: &mut Findings) {
    if f.resource.kind.describe().tls_only && !cx.tls_only.contains(f.resource.id.as_str()) {
        f.add(TLS_ONLY, "no TLS-only resource policy");
    }
}
