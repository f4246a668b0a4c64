//! The HTTP API: an authorizer (or a stated reason) on every route, scopes,
//! throttling, access logs, CORS without wildcard origins.

use super::{Context, Findings};
use crate::catalog::ids::*;
use crate::plan::Kind;

pub(super) fn check(cx: &Context, f: &mut Findings) {
    // HTTP routes and REST methods answer to the same two controls.
    let route = if let Kind::Route(r) = &f.resource.kind {
        Some((
            &r.key,
            r.authorizer.is_some(),
            r.scopes.is_empty(),
            &r.public_reason,
        ))
    } else if let Kind::RestMethod(m) = &f.resource.kind {
        Some((
            &m.key,
            m.authorizer.is_some(),
            m.scopes.is_empty(),
            &m.public_reason,
        ))
    } else {
        None
    };
    if let Some((key, authorized, no_scopes, public_reason)) = route {
        let public_reason = public_reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty());
        if !authorized && !public_reason {
            f.add(
                API_AUTHORIZER,
                format!("route `{key}` has no authorizer and no public reason"),
            );
        }
        if authorized && no_scopes && !f.waived(API_SCOPES) {
            f.add(API_SCOPES, format!("route `{key}` requires no scopes"));
        }
    }
    // A REST API's JWT authorizer is Palisade's function, invocable by API
    // Gateway from this authorizer only: another function, or a permission
    // any API (or route) may use, would let something else decide who is in.
    if let Kind::RestAuthorizer(authorizer) = &f.resource.kind {
        let own_function = cx.by_id.get(authorizer.function.as_str()).is_some_and(|r| {
            matches!(&r.kind, Kind::Function(function)
                if function.name.ends_with(&format!("-{}", crate::spec::AUTHORIZER_FUNCTION)))
        });
        if !own_function {
            f.add(
                API_AUTHORIZER,
                "the authorizer does not invoke Palisade's authorizer function",
            );
        }
        let scoped = cx.plan.resources.iter().any(|r| {
            matches!(&r.kind, Kind::Permission(p)
                if p.function == authorizer.function
                    && p.principal == "apigateway.amazonaws.com"
                    && p.source_arn.references().any(|id| *id == f.resource.id)
                    && p.source_arn.references().any(|id| *id == authorizer.api))
        });
        let others = cx.plan.resources.iter().any(|r| {
            matches!(&r.kind, Kind::Permission(p)
                if p.function == authorizer.function
                    && !p.source_arn.references().any(|id| *id == f.resource.id))
        });
        if !scoped || others {
            f.add(
                API_AUTHORIZER,
                "the authorizer function may be invoked other than by this authorizer",
            );
        }
    }
    if let Kind::RestStage(stage) = &f.resource.kind {
        if stage
            .method_settings()
            .iter()
            .any(|(_, _, t)| t.rate == 0 || t.burst == 0)
        {
            f.add(API_THROTTLING, "the stage is not throttled");
        }
        if !cx
            .by_id
            .get(stage.access_log_group.as_str())
            .is_some_and(|r| matches!(r.kind, Kind::LogGroup(_)))
        {
            f.add(API_ACCESS_LOGS, "the stage has no access log group");
        }
    }
    if let Kind::RestStage(stage) = &f.resource.kind
        && !f.waived(API_WAF)
    {
        let logged = |acl: &str| {
            cx.plan
                .resources
                .iter()
                .any(|r| matches!(&r.kind, Kind::WebAclLogging(l) if l.acl == acl))
        };
        let protected = cx.plan.resources.iter().any(|r| {
            let Kind::WebAclAssociation(a) = &r.kind else {
                return false;
            };
            a.resource.references().any(|id| *id == stage.api)
                && matches!(
                    cx.by_id.get(a.acl.as_str()).map(|r| &r.kind),
                    Some(Kind::WebAcl(_))
                )
                && logged(&a.acl)
        });
        if !protected {
            f.add(API_WAF, "the REST API stage has no logged AWS WAF web ACL");
        }
    }
    let has_clients = || {
        cx.plan
            .resources
            .iter()
            .any(|r| matches!(r.kind, Kind::UsagePlan(_)))
    };
    if let Kind::RestMethod(method) = &f.resource.kind
        && method.public_reason.is_none()
        && !method.api_key_required
        && has_clients()
    {
        f.add(
            API_CLIENT_LIMITS,
            format!("route `{}` does not require a client's API key", method.key),
        );
    }
    if let Kind::UsagePlan(plan) = &f.resource.kind
        && (plan.throttle.rate == 0 || plan.throttle.burst == 0)
    {
        f.add(API_CLIENT_LIMITS, "the usage plan is not throttled");
    }
    if let Kind::ApiKey(_) = &f.resource.kind {
        let planned = cx.plan.resources.iter().any(|r| {
            matches!(&r.kind, Kind::UsagePlanKey(k) if k.key == f.resource.id
                && matches!(cx.by_id.get(k.plan.as_str()).map(|p| &p.kind), Some(Kind::UsagePlan(_))))
        });
        if !planned {
            f.add(API_CLIENT_LIMITS, "the API key is in no usage plan");
        }
    }
    if let Kind::WebAcl(acl) = &f.resource.kind {
        if acl.rate_per_ip == 0 {
            f.add(API_WAF, "the web ACL has no per-IP rate limit");
        }
        if !acl
            .managed_rules
            .iter()
            .any(|r| r == crate::spec::ManagedRules::KnownBadInputs.aws_name())
        {
            f.add(
                API_WAF,
                "the web ACL lacks AWS's known-bad-inputs rule group",
            );
        }
    }
    if let Kind::Stage(stage) = &f.resource.kind {
        if stage.throttle.rate == 0 || stage.throttle.burst == 0 {
            f.add(API_THROTTLING, "the stage is not throttled");
        }
        if !cx
            .by_id
            .get(stage.access_log_group.as_str())
            .is_some_and(|r| matches!(r.kind, Kind::LogGroup(_)))
        {
            f.add(API_ACCESS_LOGS, "the stage has no access log group");
        }
    }
    let origins = match &f.resource.kind {
        Kind::Api(api) => api.cors.as_ref().map(|c| c.origins.as_slice()),
        Kind::RestPreflight(preflight) => Some(preflight.origins.as_slice()),
        Kind::RestGatewayResponse(response) => {
            let origin = response
                .headers
                .iter()
                .find(|(name, _)| name == crate::plan::ACCESS_CONTROL_ALLOW_ORIGIN);
            if origin.is_some_and(|(_, value)| value.contains('*')) {
                f.add(API_CORS, "API Gateway's answers allow a wildcard origin");
            }
            None
        }
        Kind::Key(_)
        | Kind::KeyAlias { .. }
        | Kind::LogGroup(_)
        | Kind::Role(_)
        | Kind::Function(_)
        | Kind::Table(_)
        | Kind::Queue(_)
        | Kind::Bucket(_)
        | Kind::Topic(_)
        | Kind::ResourcePolicy(_)
        | Kind::Subscription(_)
        | Kind::Secret(_)
        | Kind::RotationSchedule(_)
        | Kind::Authorizer(_)
        | Kind::Integration(_)
        | Kind::Route(_)
        | Kind::Stage(_)
        | Kind::Permission(_)
        | Kind::Schedule(_)
        | Kind::EventSourceMapping(_)
        | Kind::Alarm(_)
        | Kind::RestApi(_)
        | Kind::RestResource(_)
        | Kind::RestMethod(_)
        | Kind::RestAuthorizer(_)
        | Kind::RestDeployment(_)
        | Kind::RestStage(_)
        | Kind::WebAcl(_)
        | Kind::WebAclAssociation(_)
        | Kind::WebAclLogging(_)
        | Kind::UsagePlan(_)
        | Kind::ApiKey(_)
        | Kind::UsagePlanKey(_) => None,
    };
    if origins.is_some_and(|o| o.iter().any(|o| o.contains('*'))) {
        f.add(API_CORS, "CORS allows a wildcard origin");
    }
}
