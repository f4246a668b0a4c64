//! Scanner checks that do not fit a serverless stack, each with the written
//! reason that is emitted beside it and listed in the security report. Keep
//! this list short: fix rather than suppress.

use std::borrow::Cow::Borrowed;

use crate::plan::{Kind, Resource, Suppression};

/// On every function.
pub const FUNCTION: &[Suppression] = &[Suppression {
    check: "CKV_AWS_117",
    reason: Borrowed(
        "The function calls only AWS service APIs over TLS with IAM authentication and has no inbound network path; a VPC would add NAT or endpoint cost and cold-start latency without reducing exposure.",
    ),
    terraform_only: false,
}];

/// On the bucket that receives the other buckets' access logs.
pub const ACCESS_LOG_BUCKET: &[Suppression] = &[Suppression {
    check: "CKV_AWS_18",
    reason: Borrowed(
        "This bucket is the destination of the service's S3 server access logs; logging it to itself would recurse. Access to it is recorded by CloudTrail.",
    ),
    terraform_only: false,
}];

/// Scanner checks that exist only in checkov's Terraform framework and do not
/// fit this resource, with the reason written beside the suppression. Checks
/// that CloudFormation scans too are the constants above.
pub fn terraform_only(resource: &Resource) -> Vec<Suppression> {
    let reason = |check: &'static str, text: &'static str| Suppression {
        check,
        reason: Borrowed(text),
        terraform_only: true,
    };
    match &resource.kind {
        Kind::Function(_) => vec![reason(
            "CKV_AWS_272",
            "Code signing needs an AWS Signer profile, which the spec does not model yet (planned); the package is built reproducibly by palisade and pinned by its SHA-256 in source_code_hash.",
        )],
        Kind::Bucket(bucket) => {
            let mut found = vec![reason(
                "CKV_AWS_144",
                "Cross-region replication needs a second bucket and key in another region that this single-region stack does not own; versioning and prevent_destroy protect the data in place.",
            )];
            if bucket.notifications.is_empty() {
                found.push(reason(
                    "CKV2_AWS_62",
                    "Nothing in the service consumes this bucket's object events; notifications with no consumer add no monitoring. Access is logged by S3 server access logs and CloudTrail.",
                ));
            }
            if bucket.key.is_none() {
                found.push(reason(
                    "CKV_AWS_145",
                    "S3 delivers server access logs only to buckets encrypted with SSE-S3, so this log bucket cannot use the service key.",
                ));
            }
            found
        }
        Kind::Secret(_) => vec![reason(
            "CKV2_AWS_57",
            "The value is issued by an outside system and set out of band; automatic rotation needs a rotation function for that system, which Palisade cannot generate.",
        )],
        _ => Vec::new(),
    }
}
