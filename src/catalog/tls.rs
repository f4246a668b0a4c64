//! Encryption in transit controls: each one's catalog entry. Their checks on the
//! plan are in `src/controls/verify/tls.rs`; on the final artifacts, in
//! `src/controls/artifact.rs`.

use super::ids::*;
use super::{Area, ControlInfo, NOT_WAIVABLE, cfn};

pub const CONTROLS: &[ControlInfo] = &[ControlInfo {
    id: TLS_ONLY,
    title: "TLS-only resource policies on buckets, queues and topics",
    area: Area::Tls,
    waivable: false,
    enforces: "Buckets, queues and topics deny every request made without TLS (`aws:SecureTransport` is false).",
    why: "Without the deny, a client can talk plain HTTP to S3, SQS and SNS endpoints and expose data and signed requests on the wire.",
    emitted: "A `DenyInsecureTransport` statement in each bucket, queue and topic policy.",
    opting_out: NOT_WAIVABLE,
    fsbp: &["S3.5"],
    cis: &["2.1.2"],
    well_architected: &["SEC09-BP02"],
    checkov: &[],
    cdk_nag: &[],
    guard: &[],
    protects: &[
        cfn("AWS::S3::BucketPolicy", "PolicyDocument"),
        cfn("AWS::SQS::QueuePolicy", "PolicyDocument"),
        cfn("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ],
}];
