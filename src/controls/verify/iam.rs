//! Identity and access: one role per function, declared access only, invoke
//! permissions scoped to their source.

use super::{Context, Findings};
use crate::catalog::ids::*;
use crate::plan::{Kind, Part};

pub(super) fn check(cx: &Context, f: &mut Findings) {
    let resource = f.resource;
    // Function roles (deploy roles are PAL-CI-001's) and invoke permissions:
    // no other kind carries a grant.
    if let Kind::Role(role) = &resource.kind
        && !f.enforced(CI_DEPLOY_ROLE)
    {
        for statement in &role.policy {
            if statement.actions.iter().any(|a| a.contains('*')) {
                f.add(
                    IAM_DECLARED_ACCESS,
                    format!("statement {} grants wildcard actions", statement.sid),
                );
            }
            let star = statement
                .resources
                .iter()
                .any(|r| r.as_literal().as_deref() == Some("*"));
            if star && !statement.actions.iter().all(|a| a.starts_with("xray:")) {
                f.add(
                    IAM_DECLARED_ACCESS,
                    format!("statement {} grants `*` resources", statement.sid),
                );
            }
        }
        if cx
            .role_users
            .get(resource.id.as_str())
            .copied()
            .unwrap_or(0)
            > 1
        {
            f.add(
                IAM_ROLE_PER_FUNCTION,
                "the role is shared by several functions",
            );
        }
    }
    if let Kind::Permission(permission) = &resource.kind
        && !permission
            .source_arn
            .0
            .iter()
            .any(|p| matches!(p, Part::Ref(..) | Part::Region | Part::Account))
    {
        f.add(IAM_SCOPED_INVOKE, "the permission has no exact source ARN");
    }
}
