//! IAM statements from `access:` and events (DESIGN's access table), built
//! once and rendered by each emitter.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Condition, Effect, Expr, Part, Statement};
use crate::spec::{AccessLevel, Section};

/// What one access level grants on one kind of resource.
pub struct Grant {
    pub actions: &'static [&'static str],
    /// Which ARNs, from the target's ARN.
    pub scope: Scope,
    /// KMS actions needed on the service key for this level.
    pub kms: &'static [&'static str],
    /// The service that uses the key on the function's behalf (`kms:ViaService`).
    pub via_service: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The resource ARN and its indexes (tables).
    TableAndIndexes,
    /// The table's stream ARN.
    Stream,
    /// The ARN itself.
    Exact,
    /// Objects in the bucket (`arn/*`).
    Objects,
}

/// DESIGN's access table: the only source of function permissions.
pub fn grant(kind: Section, level: AccessLevel) -> Option<Grant> {
    use AccessLevel::*;
    let g = |actions, scope, kms, via_service| {
        Some(Grant {
            actions,
            scope,
            kms,
            via_service,
        })
    };
    const DECRYPT: &[&str] = &["kms:Decrypt"];
    const ENCRYPT: &[&str] = &["kms:Decrypt", "kms:GenerateDataKey"];
    match (kind, level) {
        (Section::Table, Read) => g(
            &[
                "dynamodb:BatchGetItem",
                "dynamodb:ConditionCheckItem",
                "dynamodb:DescribeTable",
                "dynamodb:GetItem",
                "dynamodb:Query",
            ],
            Scope::TableAndIndexes,
            DECRYPT,
            "dynamodb",
        ),
        (Section::Table, Write) => g(
            &[
                "dynamodb:BatchWriteItem",
                "dynamodb:ConditionCheckItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
            ],
            Scope::TableAndIndexes,
            ENCRYPT,
            "dynamodb",
        ),
        (Section::Table, Scan) => g(
            &["dynamodb:Scan"],
            Scope::TableAndIndexes,
            DECRYPT,
            "dynamodb",
        ),
        (Section::Table, Stream) => g(
            &[
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            Scope::Stream,
            DECRYPT,
            "dynamodb",
        ),
        (Section::Queue, Send) => g(
            &["sqs:GetQueueAttributes", "sqs:SendMessage"],
            Scope::Exact,
            ENCRYPT,
            "sqs",
        ),
        (Section::Queue, Consume) => g(
            &[
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            Scope::Exact,
            DECRYPT,
            "sqs",
        ),
        (Section::Bucket, Read) => g(&["s3:GetObject"], Scope::Objects, DECRYPT, "s3"),
        (Section::Bucket, Write) => g(&["s3:PutObject"], Scope::Objects, ENCRYPT, "s3"),
        (Section::Bucket, Delete) => g(&["s3:DeleteObject"], Scope::Objects, &[], "s3"),
        (Section::Bucket, List) => g(&["s3:ListBucket"], Scope::Exact, &[], "s3"),
        (Section::Topic, Publish) => g(&["sns:Publish"], Scope::Exact, ENCRYPT, "sns"),
        (Section::Secret, Read) => g(
            &[
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
            ],
            Scope::Exact,
            DECRYPT,
            "secretsmanager",
        ),
        (Section::Secret, Rotate) => g(
            &[
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage",
            ],
            Scope::Exact,
            ENCRYPT,
            "secretsmanager",
        ),
        _ => None,
    }
}

/// Collects a function's grants and turns them into statements: one per
/// target, plus one for the service key scoped by `kms:ViaService`.
#[derive(Default)]
pub struct PolicyBuilder {
    /// statement ID → (kind, the target's ARN, levels)
    targets: BTreeMap<String, (Section, Expr, BTreeSet<AccessLevel>)>,
    kms_actions: BTreeSet<&'static str>,
    via_services: BTreeSet<&'static str>,
}

impl PolicyBuilder {
    /// Grants `level` on the resource whose ARN is `arn`; `sid` names the
    /// statement (one per target).
    pub fn grant(&mut self, sid: &str, arn: Expr, kind: Section, level: AccessLevel) {
        let entry = self
            .targets
            .entry(sid.to_string())
            .or_insert_with(|| (kind, arn, BTreeSet::new()));
        entry.2.insert(level);
    }

    /// A service that decrypts with the key for the function itself (Lambda
    /// decrypting its environment, SQS for the dead-letter queue).
    pub fn key_use(&mut self, actions: &[&'static str], via_service: &'static str) {
        self.kms_actions.extend(actions.iter().copied());
        self.via_services.insert(via_service);
    }

    /// The access statements, in a stable order, and the key statement.
    pub fn statements(mut self, key_id: &str) -> Vec<Statement> {
        let mut statements = Vec::new();
        for (sid, (kind, arn, levels)) in &self.targets {
            let mut actions = BTreeSet::new();
            let mut resources = BTreeSet::new();
            for level in levels {
                let Some(grant) = grant(*kind, *level) else {
                    continue;
                };
                actions.extend(grant.actions.iter().map(|a| a.to_string()));
                resources.extend(scoped(arn, grant.scope));
                if !grant.kms.is_empty() {
                    self.kms_actions.extend(grant.kms.iter().copied());
                    self.via_services.insert(grant.via_service);
                }
            }
            statements.push(Statement {
                sid: sid.clone(),
                effect: Effect::Allow,
                principal: None,
                actions: actions.into_iter().collect(),
                resources: resources.into_iter().collect(),
                conditions: Vec::new(),
            });
        }
        if !self.kms_actions.is_empty() {
            statements.push(Statement {
                sid: "ServiceKey".into(),
                effect: Effect::Allow,
                principal: None,
                actions: self.kms_actions.iter().map(|a| a.to_string()).collect(),
                resources: vec![Expr::arn(key_id)],
                conditions: vec![Condition {
                    test: "StringEquals",
                    key: "kms:ViaService".into(),
                    values: self
                        .via_services
                        .iter()
                        .map(|service| regional_service(service))
                        .collect(),
                }],
            });
        }
        statements
    }
}

/// `<service>.<region>.<url suffix>`: `kms:ViaService` values and regional
/// service principals.
pub fn regional_service(service: &str) -> Expr {
    Expr(vec![
        Part::Lit(format!("{service}.")),
        Part::Region,
        Part::Lit(".".into()),
        Part::UrlSuffix,
    ])
}

fn scoped(arn: &Expr, scope: Scope) -> Vec<Expr> {
    match scope {
        Scope::Exact => vec![arn.clone()],
        Scope::TableAndIndexes => vec![arn.clone(), arn.clone().then("/index/*")],
        Scope::Stream => vec![arn.clone().then("/stream/*")],
        Scope::Objects => vec![arn.clone().then("/*")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_of_every_kind_grants_something() {
        for kind in [
            Section::Table,
            Section::Queue,
            Section::Bucket,
            Section::Topic,
            Section::Secret,
        ] {
            for level in kind.access_levels() {
                let grant = grant(kind, *level).expect("every allowed level has a grant");
                assert!(!grant.actions.is_empty());
                assert!(grant.actions.iter().all(|a| !a.contains('*')));
            }
        }
    }

    #[test]
    fn scan_is_never_part_of_read() {
        let read = grant(Section::Table, AccessLevel::Read).unwrap();
        assert!(!read.actions.contains(&"dynamodb:Scan"));
    }

    #[test]
    fn statements_merge_levels_per_target_and_scope_the_key() {
        let mut builder = PolicyBuilder::default();
        builder.grant(
            "OrdersTable",
            Expr::arn("OrdersTable"),
            Section::Table,
            AccessLevel::Read,
        );
        builder.grant(
            "OrdersTable",
            Expr::arn("OrdersTable"),
            Section::Table,
            AccessLevel::Write,
        );
        let statements = builder.statements("ServiceKey");
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0].resources.len(), 2);
        assert!(
            statements[0]
                .actions
                .contains(&"dynamodb:PutItem".to_string())
        );
        assert_eq!(statements[1].conditions[0].key, "kms:ViaService");
    }
}
