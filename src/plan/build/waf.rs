//! AWS WAF in front of a REST API's stage: a per-IP rate-based rule and AWS
//! managed rule groups, logged (credentials redacted) to an encrypted log
//! group with retention. On unless the spec waives PAL-API-007.

use super::*;
use crate::plan::logical_id::{
    REST_API, REST_API_STAGE, WEB_ACL, WEB_ACL_ASSOCIATION, WEB_ACL_LOGGING, WEB_ACL_LOGS,
};

/// Headers that carry credentials, whose values WAF logs must not keep.
const REDACTED_HEADERS: [&str; 2] = ["authorization", "x-api-key"];

impl Builder<'_> {
    pub(super) fn waf(&mut self) {
        let Some(api) = &self.spec.api else { return };
        if api.routes.is_empty() || api.api_type() != spec::ApiType::Rest {
            return;
        }
        if let Some(reason) = waiver(&api.waive, API_WAF) {
            if let Some(stage) = self
                .plan
                .resources
                .iter_mut()
                .find(|r| r.id == REST_API_STAGE)
            {
                stage.controls.push(applied(API_WAF, Some(reason)));
            }
            return;
        }
        let service = self.spec.service.value.clone();
        let waf = api.waf.as_ref().map(|w| &w.value);
        let loc = api
            .waf
            .as_ref()
            .map(|w| w.loc)
            .or_else(|| api.routes.keys().next().map(|k| k.loc))
            .unwrap_or_default();
        let managed_rules: Vec<String> = match waf.and_then(|w| w.managed_rules.as_ref()) {
            Some(chosen) => chosen
                .iter()
                .map(|r| r.value.aws_name().to_string())
                .collect(),
            None => spec::ManagedRules::DEFAULT
                .iter()
                .map(|r| r.aws_name().to_string())
                .collect(),
        };
        let managed_rules_have_anonymous_ip = managed_rules
            .iter()
            .any(|r| r == spec::ManagedRules::AnonymousIp.aws_name());
        let acl = self.add(
            WEB_ACL.into(),
            None,
            loc,
            Kind::WebAcl(WebAcl {
                name: format!("{service}-api"),
                metric: format!("{}Api", logical_id::pascal(&service)),
                rate_per_ip: waf
                    .and_then(|w| w.rate_per_ip.as_ref())
                    .map_or(spec::DEFAULT_WAF_RATE_PER_IP, |r| r.value),
                window: waf
                    .and_then(|w| w.window.as_ref())
                    .map_or(spec::DEFAULT_WAF_WINDOW, |w| w.value),
                managed_rules,
            }),
        );
        acl.controls.push(applied(API_WAF, None));
        if let Some(stage) = self
            .plan
            .resources
            .iter_mut()
            .find(|r| r.id == REST_API_STAGE)
        {
            stage.controls.push(applied(API_WAF, None));
        }
        if !managed_rules_have_anonymous_ip
            && let Some(stage) = self
                .plan
                .resources
                .iter_mut()
                .find(|r| r.id == REST_API_STAGE)
        {
            stage
                .suppressions
                .push(suppressions::stage_without_anonymous_ip());
        }
        let association = self.add(
            WEB_ACL_ASSOCIATION.into(),
            None,
            loc,
            Kind::WebAclAssociation(WebAclAssociation {
                acl: WEB_ACL.into(),
                resource: Expr(vec![
                    Part::Lit("arn:".into()),
                    Part::Partition,
                    Part::Lit(":apigateway:".into()),
                    Part::Region,
                    Part::Lit("::/restapis/".into()),
                    Part::Ref(REST_API.into(), Attr::Id),
                    Part::Lit(format!("/stages/{}", spec::REST_STAGE)),
                ]),
            }),
        );
        // The stage ARN is built from its name: the stage must exist first.
        association.depends_on = vec![REST_API_STAGE.into()];
        association.controls.push(applied(API_WAF, None));
        // WAF logs only to log groups whose name starts `aws-waf-logs-`.
        let log_group_name = format!("aws-waf-logs-{service}");
        let log_group = self.add(
            WEB_ACL_LOGS.into(),
            None,
            loc,
            Kind::LogGroup(LogGroup {
                name: Expr::lit(&log_group_name),
                retention_days: self.spec.log_retention_days(),
                key: SERVICE_KEY.into(),
            }),
        );
        log_group.retain = true;
        log_group.controls = vec![applied(API_WAF, None), applied(KMS_ENCRYPTION, None)];
        self.log_groups.push(log_group_name.clone());
        let logging = self.add(
            WEB_ACL_LOGGING.into(),
            None,
            loc,
            Kind::WebAclLogging(WebAclLogging {
                acl: WEB_ACL.into(),
                destination: Expr::arn_in_account(
                    "logs",
                    vec![Part::Lit(format!("log-group:{log_group_name}"))],
                ),
                redacted_headers: REDACTED_HEADERS.map(String::from).to_vec(),
            }),
        );
        // The destination is named, not referenced: it must exist first.
        logging.depends_on = vec![WEB_ACL_LOGS.into()];
        logging.controls.push(applied(API_WAF, None));
    }
}
