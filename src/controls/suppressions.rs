//! Scanner checks that do not fit a serverless stack, each with the written
//! reason that is emitted beside it and listed in the security report. Keep
//! this list short: fix rather than suppress.

use std::borrow::Cow::Borrowed;

use crate::plan::Suppression;

/// On every function.
pub const FUNCTION: &[Suppression] = &[Suppression {
    check: "CKV_AWS_117",
    reason: Borrowed(
        "The function calls only AWS service APIs over TLS with IAM authentication and has no inbound network path; a VPC would add NAT or endpoint cost and cold-start latency without reducing exposure.",
    ),
}];

/// On the bucket that receives the other buckets' access logs.
pub const ACCESS_LOG_BUCKET: &[Suppression] = &[Suppression {
    check: "CKV_AWS_18",
    reason: Borrowed(
        "This bucket is the destination of the service's S3 server access logs; logging it to itself would recurse. Access to it is recorded by CloudTrail.",
    ),
}];
