//! The service key that encrypts every store, log and environment.

use super::*;

impl Builder<'_> {
    /// PAL-KMS-001: the service key, usable by the account's IAM policies and
    /// by exactly the services that encrypt this service's data.
    pub(super) fn service_key(&mut self) {
        if self.plan.resources.is_empty() {
            return;
        }
        let mut policy = vec![Statement {
            sid: "AccountRootAdministersKeyAndEnablesIamPolicies".into(),
            effect: Effect::Allow,
            principal: Some(Principal::AccountRoot),
            actions: vec!["kms:*".into()],
            resources: vec![Expr::lit("*")],
            conditions: Vec::new(),
        }];
        if !self.log_groups.is_empty() {
            policy.push(Statement {
                sid: "CloudWatchLogsEncryptsServiceLogGroups".into(),
                effect: Effect::Allow,
                principal: Some(Principal::Service(iam::regional_service("logs"))),
                actions: [
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:Encrypt",
                    "kms:GenerateDataKey*",
                    "kms:ReEncrypt*",
                ]
                .map(String::from)
                .to_vec(),
                resources: vec![Expr::lit("*")],
                conditions: vec![Condition {
                    test: "ArnEquals",
                    key: "kms:EncryptionContext:aws:logs:arn".into(),
                    values: self
                        .log_groups
                        .iter()
                        .map(|name| {
                            Expr::arn_in_account(
                                "logs",
                                vec![Part::Lit(format!("log-group:{name}"))],
                            )
                        })
                        .collect(),
                }],
            });
        }
        if self.plan.get(ALERTS_TOPIC).is_some() {
            policy.push(Statement {
                sid: "CloudWatchAlarmsPublishToEncryptedAlarmTopic".into(),
                effect: Effect::Allow,
                principal: Some(Principal::Service(Expr::lit("cloudwatch.amazonaws.com"))),
                actions: vec!["kms:Decrypt".into(), "kms:GenerateDataKey*".into()],
                resources: vec![Expr::lit("*")],
                conditions: Vec::new(),
            });
        }
        let key = Resource {
            id: SERVICE_KEY.into(),
            source: None,
            loc: Loc::default(),
            kind: Kind::Key(Key {
                description: format!(
                    "Palisade service key for {}: every store, log and environment",
                    self.spec.service.value
                ),
                rotation: true,
                spec: "SYMMETRIC_DEFAULT",
                usage: "ENCRYPT_DECRYPT",
                policy,
            }),
            depends_on: Vec::new(),
            retain: true,
            suppressions: Vec::new(),
            controls: vec![applied(KMS_SERVICE_KEY, None), applied(DATA_RETAIN, None)],
        };
        let alias = Resource {
            id: SERVICE_KEY_ALIAS.into(),
            source: None,
            loc: Loc::default(),
            kind: Kind::KeyAlias {
                name: format!("alias/palisade/{}", self.spec.service.value),
                key: SERVICE_KEY.into(),
            },
            depends_on: Vec::new(),
            retain: false,
            suppressions: Vec::new(),
            controls: Vec::new(),
        };
        self.plan.resources.insert(0, alias);
        self.plan.resources.insert(0, key);
    }
}
