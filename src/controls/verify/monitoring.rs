//! Monitoring: error and throttle alarms on functions, depth alarms on
//! dead-letter queues, a 5xx alarm on the API, access logs on buckets.

use super::{Context, Findings};
use crate::catalog::ids::*;
use crate::plan::Kind;

pub(super) fn check(cx: &Context, f: &mut Findings) {
    let id = f.resource.id.as_str();
    if let Kind::Function(_) = &f.resource.kind {
        let alarmed = |metric| cx.alarm_metrics.contains(&(id, metric));
        let complete = alarmed("Errors") && alarmed("Throttles");
        if !complete && !f.waived(MON_FUNCTION_ALARMS) {
            f.add(MON_FUNCTION_ALARMS, "missing error or throttle alarm");
        }
    }
    if let Kind::Queue(queue) = &f.resource.kind
        && queue.dead_letter
        && !f.waived(MON_DLQ_ALARM)
        && !cx.alarmed(id)
    {
        f.add(MON_DLQ_ALARM, "the dead-letter queue has no depth alarm");
    }
    if let Kind::Api(_) = &f.resource.kind
        && !f.waived(MON_API_ALARM)
        && !cx.alarmed(id)
    {
        f.add(MON_API_ALARM, "the API has no 5xx alarm");
    }
    if let Kind::Bucket(bucket) = &f.resource.kind
        && bucket.access_log_bucket.is_none()
        && f.enforced(MON_ACCESS_LOGS)
    {
        f.add(MON_ACCESS_LOGS, "access logging is off");
    }
}
