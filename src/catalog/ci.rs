//! Continuous delivery controls: each one's catalog entry. Their checks on the
//! plan are in `src/controls/verify/ci.rs`; on the final artifacts, in
//! `src/controls/artifact.rs`.

use super::ids::*;
use super::{Area, ControlInfo, NOT_WAIVABLE, cfn};

pub const CONTROLS: &[ControlInfo] = &[ControlInfo {
    id: CI_DEPLOY_ROLE,
    title: "Deploy role trusts one repository's branches through OIDC only",
    area: Area::Ci,
    waivable: false,
    enforces: "`deploy_role:` creates `DeployRole`, assumable only through the account's GitHub OIDC provider (`arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com`, which the account creates once; a service stack never does) with `aud` = `sts.amazonaws.com` and `sub` equal to exactly `repo:<owner>/<repo>:ref:refs/heads/<branch>` for each listed branch, for sessions of at most `max_session_minutes` (IAM's cap is at least one hour). It may only create, describe and execute change sets on this service's stack (`stack/<service>/*`), read and write objects under `<service>/` in the artifact bucket, and pass `CloudFormationExecutionRole` to CloudFormation; a service with nested stacks (pinned by `nested_stacks:`, or over 225 resources) also reads its nested stacks' change sets and events (`stack/<service>-Functions*/*`, `stack/<service>-Data*/*`). That service role provisions the stack, nested stacks included: its permissions are limited to this service's names and leave out deleting tables, buckets, secrets, queues, log groups and the key, disabling key rotation, attaching managed policies and reading secret values.",
    why: "Long-lived access keys in CI leak; a loose `sub` condition lets any repository, fork or branch deploy. Without a service role CloudFormation would act with the CI credentials themselves, which would then need every provisioning permission directly.",
    emitted: "Two `AWS::IAM::Role` / `aws_iam_role`: `DeployRole` with a `sts:AssumeRoleWithWebIdentity` trust policy conditioned with `StringEquals` on `token.actions.githubusercontent.com:aud` and `:sub` and `MaxSessionDuration`, and `CloudFormationExecutionRole` trusted by `cloudformation.amazonaws.com`; their ARNs are stack outputs. Limits: resources CloudFormation names itself (roles, schedule rules, the access-log bucket) are matched as `<service>-*`, so another service whose name starts with `<service>-` falls inside the patterns; HTTP APIs have random IDs, so the service role can change any HTTP API in the region; a change merged to a trusted branch can change any of this service's roles, these two included.",
    opting_out: NOT_WAIVABLE,
    fsbp: &["IAM.3"],
    cis: &["1.14"],
    well_architected: &["SEC02-BP02"],
    checkov: &[],
    cdk_nag: &[],
    guard: &[],
    protects: &[
        cfn("AWS::IAM::Role", "AssumeRolePolicyDocument"),
        cfn("AWS::IAM::Role", "Policies"),
        cfn("AWS::IAM::Role", "MaxSessionDuration"),
    ],
}];
