//! Encryption at rest: the service key rotates, and every store, log group
//! and function environment is encrypted with it.

use super::{Context, Findings};
use crate::catalog::ids::*;
use crate::plan::Kind;

pub(super) fn check(_: &Context, f: &mut Findings) {
    let encrypted = match &f.resource.kind {
        Kind::Key(key) => {
            if !key.rotation {
                f.add(KMS_SERVICE_KEY, "key rotation is off");
            }
            true
        }
        Kind::Table(t) => !t.key.is_empty(),
        Kind::Queue(q) => !q.key.is_empty(),
        Kind::Topic(t) => !t.key.is_empty(),
        Kind::LogGroup(g) => !g.key.is_empty(),
        Kind::Secret(s) => !s.key.is_empty(),
        Kind::Function(function) => {
            function.environment.is_empty() || function.environment_key.is_some()
        }
        // The access-log bucket takes SSE-S3 (S3 log delivery cannot use a
        // KMS key), so the control is applied to the spec's buckets only.
        Kind::Bucket(bucket) => bucket.key.is_some() || !f.enforced(KMS_ENCRYPTION),
        // Kinds that store nothing.
        Kind::KeyAlias { .. }
        | Kind::Role(_)
        | Kind::ResourcePolicy(_)
        | Kind::Subscription(_)
        | Kind::RotationSchedule(_)
        | Kind::Api(_)
        | Kind::Authorizer(_)
        | Kind::Integration(_)
        | Kind::Route(_)
        | Kind::Stage(_)
        | Kind::Permission(_)
        | Kind::Schedule(_)
        | Kind::EventSourceMapping(_)
        | Kind::Alarm(_)
        | Kind::RestApi(_)
        | Kind::RestResource(_)
        | Kind::RestPreflight(_)
        | Kind::RestGatewayResponse(_)
        | Kind::RestMethod(_)
        | Kind::RestAuthorizer(_)
        | Kind::RestDeployment(_)
        | Kind::RestStage(_)
        | Kind::WebAcl(_)
        | Kind::WebAclAssociation(_)
        | Kind::WebAclLogging(_)
        | Kind::UsagePlan(_)
        | Kind::ApiKey(_)
        | Kind::UsagePlanKey(_) => true,
    };
    if !encrypted {
        f.add(KMS_ENCRYPTION, "not encrypted with the service key");
    }
}
