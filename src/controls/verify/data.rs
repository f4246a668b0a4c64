//! Data stores: retained, recoverable, private, with dead-letter queues,
//! visibility timeouts that outlast their consumers, rotated secrets.

use super::{Context, Findings};
use crate::catalog::ids::*;
use crate::plan::{Kind, Resource};

pub(super) fn check(cx: &Context, f: &mut Findings) {
    let resource = f.resource;
    // The registry says which kinds hold data and stay when removed.
    if resource.kind.describe().retained && !resource.retain && !f.waived(DATA_RETAIN) {
        f.add(DATA_RETAIN, "the resource is not retained");
    }
    if let Kind::Table(table) = &resource.kind {
        if !table.point_in_time_recovery && f.enforced(DATA_PITR) {
            f.add(DATA_PITR, "point-in-time recovery is off");
        }
        if !table.deletion_protection && f.enforced(DATA_DELETION_PROTECTION) {
            f.add(DATA_DELETION_PROTECTION, "deletion protection is off");
        }
    }
    if let Kind::Bucket(bucket) = &resource.kind {
        if !bucket.versioning && f.enforced(DATA_VERSIONING) {
            f.add(DATA_VERSIONING, "versioning is off");
        }
        if !(bucket.block_public_access && bucket.owner_enforced) {
            f.add(DATA_PRIVATE_BUCKETS, "public access is not fully blocked");
        }
    }
    if let Kind::Queue(queue) = &resource.kind
        && !queue.dead_letter
        && queue.redrive.is_none()
    {
        f.add(DATA_QUEUE_DLQ, "the queue has no dead-letter queue");
    }
    if let Kind::EventSourceMapping(mapping) = &resource.kind {
        let queue = mapping
            .source
            .references()
            .next()
            .and_then(|id| cx.by_id.get(id.as_str()));
        let function = cx.by_id.get(mapping.function.as_str());
        if let (
            Some(Resource {
                kind: Kind::Queue(queue),
                ..
            }),
            Some(Resource {
                kind: Kind::Function(function),
                ..
            }),
        ) = (queue.copied(), function.copied())
            && queue.visibility_timeout < function.timeout * 6
        {
            f.add(
                DATA_VISIBILITY_TIMEOUT,
                format!(
                    "queue visibility {}s is under 6 × the consumer's {}s timeout",
                    queue.visibility_timeout, function.timeout
                ),
            );
        }
    }
    if let Kind::Secret(_) = &resource.kind {
        let rotated = cx
            .plan
            .resources
            .iter()
            .any(|r| matches!(&r.kind, Kind::RotationSchedule(s) if s.secret == resource.id));
        if f.enforced(DATA_SECRET_ROTATION) && !rotated {
            f.add(DATA_SECRET_ROTATION, "the secret has no rotation schedule");
        }
    }
}
