//! Continuous delivery: deploy roles trusted by GitHub's OIDC provider for
//! exact branches (or by CloudFormation), with no more than a deploy needs.

use super::{Context, Findings};
use crate::catalog::ids::*;
use crate::plan::deploy::{
    GITHUB_OIDC_HOST, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, STS_AUDIENCE, UNSCOPED_ACTIONS,
};
use crate::plan::{Effect, Expr, Kind, Principal, Role, Statement};

pub(super) fn check(_: &Context, f: &mut Findings) {
    // Only roles this control is applied to: the deploy roles.
    let Kind::Role(role) = &f.resource.kind else {
        return;
    };
    if !f.enforced(CI_DEPLOY_ROLE) {
        return;
    }
    for message in deploy_role_problems(role) {
        f.add(CI_DEPLOY_ROLE, message);
    }
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
