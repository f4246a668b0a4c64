//! Encryption in transit: every queue, topic and bucket refuses requests
//! without TLS.

use super::{Context, Findings};
use crate::catalog::ids::*;
use crate::plan::kinds::Tag;

pub(super) fn check(cx: &Context, f: &mut Findings) {
    let needs_policy = match f.resource.kind.tag() {
        Tag::Queue | Tag::Topic | Tag::Bucket => true,
        Tag::Key
        | Tag::KeyAlias
        | Tag::LogGroup
        | Tag::Role
        | Tag::Function
        | Tag::Table
        | Tag::QueuePolicy
        | Tag::BucketPolicy
        | Tag::TopicPolicy
        | Tag::Subscription
        | Tag::Secret
        | Tag::RotationSchedule
        | Tag::Api
        | Tag::Authorizer
        | Tag::Integration
        | Tag::Route
        | Tag::Stage
        | Tag::Permission
        | Tag::Schedule
        | Tag::EventSourceMapping
        | Tag::Alarm => false,
    };
    if needs_policy && !cx.tls_only.contains(f.resource.id.as_str()) {
        f.add(TLS_ONLY, "no TLS-only resource policy");
    }
}
