//! The verification pass: the finished plan is checked against every control
//! again, so a planner bug can never ship a stack that silently lacks one.

use std::collections::{BTreeMap, BTreeSet};

use super::ids::*;
use crate::plan::deploy::{
    GITHUB_OIDC_HOST, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, STS_AUDIENCE, UNSCOPED_ACTIONS,
};
use crate::plan::{Effect, Expr, Kind, Part, Plan, Principal, Resource, Role, Statement};

/// A control the plan does not satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub control: &'static str,
    pub resource: String,
    pub message: String,
}

/// Whether the control applies to the resource and was not waived.
fn enforced(resource: &Resource, control: &str) -> bool {
    resource
        .controls
        .iter()
        .any(|c| c.control == control && c.waived.is_none())
}

fn waived(resource: &Resource, control: &str) -> bool {
    resource
        .controls
        .iter()
        .any(|c| c.control == control && c.waived.is_some())
}

/// Every finding for the plan; empty for a correct plan.
pub fn verify(plan: &Plan) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut find = |control: &'static str, resource: &Resource, message: String| {
        findings.push(Finding {
            control,
            resource: resource.id.clone(),
            message,
        });
    };
    let by_id: BTreeMap<&str, &Resource> =
        plan.resources.iter().map(|r| (r.id.as_str(), r)).collect();
    let alarmed: BTreeSet<String> = plan
        .resources
        .iter()
        .filter_map(|r| {
            let Kind::Alarm(alarm) = &r.kind else {
                return None;
            };
            Some(
                alarm
                    .dimensions
                    .iter()
                    .flat_map(|(_, v)| v.references().cloned())
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    let alarm_metrics: BTreeSet<(String, &str)> = plan
        .resources
        .iter()
        .filter_map(|r| {
            let Kind::Alarm(alarm) = &r.kind else {
                return None;
            };
            Some(
                alarm
                    .dimensions
                    .iter()
                    .flat_map(|(_, v)| v.references().map(|id| (id.clone(), alarm.metric)))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    let policy_targets: BTreeSet<&str> = plan
        .resources
        .iter()
        .filter_map(|r| match &r.kind {
            Kind::ResourcePolicy(policy)
                if policy.statements.iter().any(|s| {
                    s.effect == Effect::Deny
                        && s.conditions.iter().any(|c| c.key == "aws:SecureTransport")
                }) =>
            {
                Some(policy.target.as_str())
            }
            // Not a policy, or one without the TLS-only statement.
            Kind::ResourcePolicy(_)
            | Kind::Key(_)
            | Kind::KeyAlias { .. }
            | Kind::LogGroup(_)
            | Kind::Role(_)
            | Kind::Function(_)
            | Kind::Table(_)
            | Kind::Queue(_)
            | Kind::Bucket(_)
            | Kind::Topic(_)
            | Kind::Subscription(_)
            | Kind::Secret(_)
            | Kind::RotationSchedule(_)
            | Kind::Api(_)
            | Kind::Authorizer(_)
            | Kind::Integration(_)
            | Kind::Route(_)
            | Kind::Stage(_)
            | Kind::Permission(_)
            | Kind::Schedule(_)
            | Kind::EventSourceMapping(_)
            | Kind::Alarm(_) => None,
        })
        .collect();
    let mut role_users: BTreeMap<&str, usize> = BTreeMap::new();
    for resource in &plan.resources {
        if let Kind::Function(f) = &resource.kind {
            *role_users.entry(f.role.as_str()).or_default() += 1;
        }
    }
    let redrive_targets: BTreeSet<&str> = plan
        .resources
        .iter()
        .filter_map(|r| {
            let Kind::Queue(q) = &r.kind else {
                return None;
            };
            q.redrive.as_ref().map(|(dlq, _)| dlq.as_str())
        })
        .collect();

    for resource in &plan.resources {
        match &resource.kind {
            Kind::Key(key) if !key.rotation => {
                find(KMS_SERVICE_KEY, resource, "key rotation is off".into())
            }
            Kind::Role(role) if enforced(resource, CI_DEPLOY_ROLE) => {
                for message in deploy_role_problems(role) {
                    find(CI_DEPLOY_ROLE, resource, message);
                }
            }
            Kind::Role(role) => {
                for statement in &role.policy {
                    if statement.actions.iter().any(|a| a.contains('*')) {
                        find(
                            IAM_DECLARED_ACCESS,
                            resource,
                            format!("statement {} grants wildcard actions", statement.sid),
                        );
                    }
                    let star = statement
                        .resources
                        .iter()
                        .any(|r| r.as_literal().as_deref() == Some("*"));
                    if star && !statement.actions.iter().all(|a| a.starts_with("xray:")) {
                        find(
                            IAM_DECLARED_ACCESS,
                            resource,
                            format!("statement {} grants `*` resources", statement.sid),
                        );
                    }
                }
                if role_users.get(resource.id.as_str()).copied().unwrap_or(0) > 1 {
                    find(
                        IAM_ROLE_PER_FUNCTION,
                        resource,
                        "the role is shared by several functions".into(),
                    );
                }
            }
            Kind::Permission(permission)
                if !permission
                    .source_arn
                    .0
                    .iter()
                    .any(|p| matches!(p, Part::Ref(..) | Part::Region | Part::Account)) =>
            {
                find(
                    IAM_SCOPED_INVOKE,
                    resource,
                    "the permission has no exact source ARN".into(),
                );
            }
            Kind::EventSourceMapping(mapping) => {
                let queue = mapping
                    .source
                    .references()
                    .next()
                    .and_then(|id| by_id.get(id.as_str()));
                let function = by_id.get(mapping.function.as_str());
                if let (
                    Some(Resource {
                        kind: Kind::Queue(queue),
                        ..
                    }),
                    Some(Resource {
                        kind: Kind::Function(f),
                        ..
                    }),
                ) = (queue.copied(), function.copied())
                    && queue.visibility_timeout < f.timeout * 6
                {
                    find(
                        DATA_VISIBILITY_TIMEOUT,
                        resource,
                        format!(
                            "queue visibility {}s is under 6 × the consumer's {}s timeout",
                            queue.visibility_timeout, f.timeout
                        ),
                    );
                }
            }
            Kind::Function(f) => {
                if !by_id
                    .get(f.log_group.as_str())
                    .is_some_and(|r| matches!(&r.kind, Kind::LogGroup(g) if g.retention_days > 0))
                {
                    find(
                        FN_LOGS,
                        resource,
                        "the function has no log group with retention".into(),
                    );
                }
                if !f.tracing && !waived(resource, FN_TRACING) {
                    find(FN_TRACING, resource, "tracing is off".into());
                }
                if f.reserved_concurrency == 0 {
                    find(FN_CONCURRENCY, resource, "reserved concurrency is 0".into());
                }
                if f.dead_letter_queue.is_none() && !waived(resource, FN_ASYNC_DLQ) {
                    find(
                        FN_ASYNC_DLQ,
                        resource,
                        "no dead-letter queue for asynchronous invocations".into(),
                    );
                }
                let today = crate::spec::runtime::today();
                if crate::spec::runtime::find(&f.runtime).is_none_or(|r| r.is_deprecated(today)) {
                    find(
                        FN_RUNTIME,
                        resource,
                        format!("runtime `{}` is not supported", f.runtime),
                    );
                }
                for (name, value) in &f.environment {
                    if let Some(text) = value.as_literal()
                        && crate::spec::secrets::looks_like_secret(name, &text).is_some()
                    {
                        find(
                            FN_NO_SECRETS,
                            resource,
                            format!("environment variable {name} holds a secret"),
                        );
                    }
                }
                let alarmed_metric =
                    |metric| alarm_metrics.contains(&(resource.id.clone(), metric));
                let alarms_complete = alarmed_metric("Errors") && alarmed_metric("Throttles");
                if !alarms_complete && !waived(resource, MON_FUNCTION_ALARMS) {
                    find(
                        MON_FUNCTION_ALARMS,
                        resource,
                        "missing error or throttle alarm".into(),
                    );
                }
            }
            Kind::Table(table) => {
                if !table.point_in_time_recovery && enforced(resource, DATA_PITR) {
                    find(DATA_PITR, resource, "point-in-time recovery is off".into());
                }
                if !table.deletion_protection && enforced(resource, DATA_DELETION_PROTECTION) {
                    find(
                        DATA_DELETION_PROTECTION,
                        resource,
                        "deletion protection is off".into(),
                    );
                }
            }
            Kind::Bucket(bucket) => {
                if !bucket.versioning && enforced(resource, DATA_VERSIONING) {
                    find(DATA_VERSIONING, resource, "versioning is off".into());
                }
                if !(bucket.block_public_access && bucket.owner_enforced) {
                    find(
                        DATA_PRIVATE_BUCKETS,
                        resource,
                        "public access is not fully blocked".into(),
                    );
                }
                if bucket.access_log_bucket.is_none() && enforced(resource, MON_ACCESS_LOGS) {
                    find(MON_ACCESS_LOGS, resource, "access logging is off".into());
                }
                if bucket.key.is_none() && enforced(resource, KMS_ENCRYPTION) {
                    find(
                        KMS_ENCRYPTION,
                        resource,
                        "the bucket is not encrypted with the service key".into(),
                    );
                }
            }
            Kind::Queue(queue) => {
                let is_dlq = redrive_targets.contains(resource.id.as_str())
                    || resource.id == crate::plan::build::FUNCTIONS_DLQ;
                if !is_dlq && queue.redrive.is_none() {
                    find(
                        DATA_QUEUE_DLQ,
                        resource,
                        "the queue has no dead-letter queue".into(),
                    );
                }
                if is_dlq && !waived(resource, MON_DLQ_ALARM) && !alarmed.contains(&resource.id) {
                    find(
                        MON_DLQ_ALARM,
                        resource,
                        "the dead-letter queue has no depth alarm".into(),
                    );
                }
            }
            Kind::Route(route)
                if route.authorizer.is_none()
                    && route
                        .public_reason
                        .as_deref()
                        .is_none_or(|r| r.trim().is_empty()) =>
            {
                find(
                    API_AUTHORIZER,
                    resource,
                    format!(
                        "route `{}` has no authorizer and no public reason",
                        route.key
                    ),
                );
            }
            Kind::Route(route)
                if route.authorizer.is_some()
                    && route.scopes.is_empty()
                    && !waived(resource, API_SCOPES) =>
            {
                find(
                    API_SCOPES,
                    resource,
                    format!("route `{}` requires no scopes", route.key),
                );
            }
            Kind::Stage(stage) => {
                if stage.throttle.rate == 0 || stage.throttle.burst == 0 {
                    find(
                        API_THROTTLING,
                        resource,
                        "the stage is not throttled".into(),
                    );
                }
                if !by_id
                    .get(stage.access_log_group.as_str())
                    .is_some_and(|r| matches!(r.kind, Kind::LogGroup(_)))
                {
                    find(
                        API_ACCESS_LOGS,
                        resource,
                        "the stage has no access log group".into(),
                    );
                }
            }
            Kind::Secret(_)
                if enforced(resource, DATA_SECRET_ROTATION)
                    && !plan.resources.iter().any(
                        |r| matches!(&r.kind, Kind::RotationSchedule(s) if s.secret == resource.id),
                    ) =>
            {
                find(
                    DATA_SECRET_ROTATION,
                    resource,
                    "the secret has no rotation schedule".into(),
                );
            }
            Kind::Api(api) => {
                if api
                    .cors
                    .as_ref()
                    .is_some_and(|c| c.origins.iter().any(|o| o.contains('*')))
                {
                    find(API_CORS, resource, "CORS allows a wildcard origin".into());
                }
                if !waived(resource, MON_API_ALARM) && !alarmed.contains(&resource.id) {
                    find(MON_API_ALARM, resource, "the API has no 5xx alarm".into());
                }
            }
            // What the guards above did not select holds by construction.
            Kind::Key(_)
            | Kind::KeyAlias { .. }
            | Kind::LogGroup(_)
            | Kind::Topic(_)
            | Kind::ResourcePolicy(_)
            | Kind::Subscription(_)
            | Kind::Secret(_)
            | Kind::RotationSchedule(_)
            | Kind::Authorizer(_)
            | Kind::Integration(_)
            | Kind::Route(_)
            | Kind::Permission(_)
            | Kind::Schedule(_)
            | Kind::Alarm(_) => {}
        }
        if matches!(
            resource.kind,
            Kind::Queue(_) | Kind::Topic(_) | Kind::Bucket(_)
        ) && !policy_targets.contains(resource.id.as_str())
        {
            find(TLS_ONLY, resource, "no TLS-only resource policy".into());
        }
        // The registry says which kinds hold data and stay when removed.
        let stateful = resource.kind.describe().retained;
        if stateful && !resource.retain && !waived(resource, DATA_RETAIN) {
            find(DATA_RETAIN, resource, "the resource is not retained".into());
        }
        let encrypted = match &resource.kind {
            Kind::Table(t) => !t.key.is_empty(),
            Kind::Queue(q) => !q.key.is_empty(),
            Kind::Topic(t) => !t.key.is_empty(),
            Kind::LogGroup(g) => !g.key.is_empty(),
            Kind::Secret(s) => !s.key.is_empty(),
            Kind::Function(f) => f.environment.is_empty() || f.environment_key.is_some(),
            // The access-log bucket takes SSE-S3 (S3 log delivery cannot use
            // a KMS key), so the control is applied to the spec's buckets only.
            Kind::Bucket(b) => b.key.is_some() || !enforced(resource, KMS_ENCRYPTION),
            // The key itself, and kinds that store nothing.
            Kind::Key(_)
            | Kind::KeyAlias { .. }
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
            | Kind::Alarm(_) => true,
        };
        if !encrypted {
            find(
                KMS_ENCRYPTION,
                resource,
                "not encrypted with the service key".into(),
            );
        }
    }
    findings
}

/// PAL-CI-001 on one deploy role: GitHub's OIDC provider only, for
/// `sts.amazonaws.com`, exact `repo:<owner>/<repo>:ref:refs/heads/<branch>`
/// subjects; or CloudFormation only. A session within IAM's limits, no
/// wildcard actions, `*` only where AWS has no resource scoping, and every
/// `iam:PassRole` tied to the one service the role is passed to.
fn deploy_role_problems(role: &Role) -> Vec<String> {
    let mut problems = Vec::new();
    let federated = role
        .trust
        .iter()
        .any(|s| matches!(s.principal, Some(Principal::Federated(_))));
    for statement in &role.trust {
        if federated {
            problems.extend(github_trust_problems(statement));
        } else if statement.principal
            != Some(Principal::Service(Expr::lit(
                "cloudformation.amazonaws.com",
            )))
            || statement.actions != ["sts:AssumeRole"]
        {
            problems.push(format!(
                "trust statement {} admits more than CloudFormation",
                statement.sid
            ));
        }
    }
    if federated
        && !role
            .max_session_seconds
            .is_some_and(|s| (MIN_SESSION_SECONDS..=MAX_SESSION_SECONDS).contains(&s))
    {
        problems.push(format!(
            "the session length {:?} is outside IAM's 1 to 12 hours",
            role.max_session_seconds
        ));
    }
    for statement in &role.policy {
        if statement.actions.iter().any(|a| a.contains('*')) {
            problems.push(format!(
                "statement {} grants wildcard actions",
                statement.sid
            ));
        }
        let star = statement
            .resources
            .iter()
            .any(|r| r.as_literal().as_deref() == Some("*"));
        if star
            && let Some(action) = statement
                .actions
                .iter()
                .find(|a| !UNSCOPED_ACTIONS.contains(&a.as_str()))
        {
            problems.push(format!(
                "statement {} grants {action} on `*`, which AWS can scope",
                statement.sid
            ));
        }
        let pass_role = statement.actions.iter().any(|a| a == "iam:PassRole");
        if pass_role
            && !statement
                .conditions
                .iter()
                .any(|c| c.key == "iam:PassedToService")
        {
            problems.push(format!(
                "statement {} passes roles to any service",
                statement.sid
            ));
        }
    }
    problems
}

fn github_trust_problems(statement: &Statement) -> Vec<String> {
    let mut problems = Vec::new();
    let sid = &statement.sid;
    let provider = match &statement.principal {
        Some(Principal::Federated(provider)) => provider.describe(),
        _ => String::new(),
    };
    if !provider.ends_with(&format!(":oidc-provider/{GITHUB_OIDC_HOST}")) {
        problems.push(format!(
            "trust statement {sid} is not limited to GitHub's OIDC provider"
        ));
    }
    if statement.effect != Effect::Allow || statement.actions != ["sts:AssumeRoleWithWebIdentity"] {
        problems.push(format!(
            "trust statement {sid} allows more than sts:AssumeRoleWithWebIdentity"
        ));
    }
    let values = |claim: &str| -> Option<Vec<String>> {
        let key = format!("{GITHUB_OIDC_HOST}:{claim}");
        let conditions: Vec<_> = statement
            .conditions
            .iter()
            .filter(|c| c.key == key)
            .collect();
        match conditions.as_slice() {
            [only] if only.test == "StringEquals" => {
                only.values.iter().map(Expr::as_literal).collect()
            }
            _ => None,
        }
    };
    if values("aud").as_deref() != Some(&[STS_AUDIENCE.to_string()]) {
        problems.push(format!(
            "trust statement {sid} does not require aud = {STS_AUDIENCE}"
        ));
    }
    let exact_subject = |sub: &String| {
        sub.strip_prefix("repo:")
            .and_then(|rest| rest.split_once(":ref:refs/heads/"))
            .is_some_and(|(repository, branch)| {
                repository.split('/').count() == 2
                    && !branch.is_empty()
                    && !sub.contains(['*', '?'])
            })
    };
    match values("sub") {
        Some(subjects) if !subjects.is_empty() && subjects.iter().all(exact_subject) => {}
        _ => problems.push(format!(
            "trust statement {sid} does not limit sub to exact repo:<owner>/<repo>:ref:refs/heads/<branch> values"
        )),
    }
    problems
}
