//! TLS-only resource policies.

use super::*;

impl Builder<'_> {
    /// PAL-TLS-001: deny every request that does not use TLS.
    pub(super) fn tls_only_policy(
        &mut self,
        target: &str,
        on: PolicyOn,
        action: &str,
        resources: Vec<Expr>,
    ) {
        let mut statements = vec![deny_insecure_transport(action, resources)];
        if target == ALERTS_TOPIC {
            statements.push(Statement {
                sid: "CloudWatchAlarmsPublish".into(),
                effect: Effect::Allow,
                principal: Some(Principal::Service(Expr::lit("cloudwatch.amazonaws.com"))),
                actions: vec!["sns:Publish".into()],
                resources: vec![Expr::attr(target, Attr::Arn)],
                conditions: vec![Condition {
                    test: "ArnLike",
                    key: "aws:SourceArn".into(),
                    values: vec![Expr::arn_in_account(
                        "cloudwatch",
                        vec![Part::Lit("alarm:*".into())],
                    )],
                }],
            });
        }
        if target == ACCESS_LOGS_BUCKET {
            statements.push(self.log_delivery_statement());
        }
        let policy = self.add(
            logical_id::part(target, "Policy"),
            None,
            Loc::default(),
            Kind::ResourcePolicy(ResourcePolicy {
                target: target.into(),
                on,
                statements,
            }),
        );
        policy.controls.push(applied(TLS_ONLY, None));
    }
}
