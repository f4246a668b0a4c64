//! S3 buckets, their notifications, and the access-log bucket.

use super::*;

impl Builder<'_> {
    /// The bucket name, fixed so that permissions and notifications can name
    /// it without referring to the bucket (which would be a cycle).
    pub(super) fn bucket_name(&self, name: &str) -> Expr {
        Expr(vec![
            Part::Lit(format!("{}-", self.qualified(name))),
            Part::Account,
            Part::Lit("-".into()),
            Part::Region,
        ])
    }

    pub(super) fn bucket_arn(&self, name: &str) -> Expr {
        let mut parts = vec![
            Part::Lit("arn:".into()),
            Part::Partition,
            Part::Lit(":s3:::".into()),
        ];
        parts.extend(self.bucket_name(name).0);
        Expr(parts)
    }

    pub(super) fn buckets(&mut self) {
        if self.spec.buckets.is_empty() {
            return;
        }
        let logged: Vec<&spec::Name> = self
            .spec
            .buckets
            .iter()
            .filter(|(_, b)| waiver(&b.waive, MON_ACCESS_LOGS).is_none())
            .map(|(n, _)| n)
            .collect();
        if !logged.is_empty() {
            let log_bucket = self.add(
                ACCESS_LOGS_BUCKET.into(),
                None,
                Loc::default(),
                Kind::Bucket(Bucket {
                    name: None,
                    // S3 delivers server access logs only to SSE-S3 buckets.
                    key: None,
                    versioning: true,
                    block_public_access: true,
                    owner_enforced: true,
                    expire_after_days: Some(self.spec.log_retention_days()),
                    noncurrent_expire_days: 30,
                    abort_incomplete_upload_days: 7,
                    access_log_bucket: None,
                    access_log_prefix: String::new(),
                    notifications: Vec::new(),
                }),
            );
            log_bucket.retain = true;
            log_bucket.controls = vec![
                applied(DATA_RETAIN, None),
                applied(DATA_VERSIONING, None),
                applied(DATA_PRIVATE_BUCKETS, None),
            ];
            self.tls_only_policy(
                ACCESS_LOGS_BUCKET,
                PolicyOn::Bucket,
                "s3:*",
                vec![
                    Expr::arn(ACCESS_LOGS_BUCKET),
                    Expr::arn(ACCESS_LOGS_BUCKET).then("/*"),
                ],
            );
        }
        for (name, bucket) in &self.spec.buckets {
            let id = self.of(name, "Bucket");
            let versioning = waiver(&bucket.waive, DATA_VERSIONING);
            let logging = waiver(&bucket.waive, MON_ACCESS_LOGS);
            let retain = waiver(&bucket.waive, DATA_RETAIN);
            let notifications = self.bucket_notifications(name);
            let permissions: Vec<Id> = notifications
                .iter()
                .map(|n| {
                    logical_id::part(
                        &logical_id::bucket_event_id(&n.function, &self.of(name, "Bucket")),
                        "Permission",
                    )
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let bucket_name = self.bucket_name(name);
            let resource = self.add(
                id.clone(),
                Some(name),
                name.loc,
                Kind::Bucket(Bucket {
                    name: Some(bucket_name),
                    key: Some(SERVICE_KEY.into()),
                    versioning: versioning.is_none(),
                    block_public_access: true,
                    owner_enforced: true,
                    expire_after_days: bucket.expire_after_days.as_ref().map(|d| d.value),
                    noncurrent_expire_days: 30,
                    abort_incomplete_upload_days: 7,
                    access_log_bucket: logging.is_none().then(|| ACCESS_LOGS_BUCKET.to_string()),
                    access_log_prefix: format!("{}/", name.value),
                    notifications,
                }),
            );
            resource.retain = retain.is_none();
            resource.depends_on = permissions;
            resource.controls = vec![
                applied(KMS_ENCRYPTION, None),
                applied(DATA_RETAIN, retain),
                applied(DATA_VERSIONING, versioning),
                applied(DATA_PRIVATE_BUCKETS, None),
                applied(MON_ACCESS_LOGS, logging),
            ];
            // The bucket's own policy refers to the bucket resource (no cycle:
            // only function roles need the fixed name), so scanners such as
            // cdk-nag's AwsSolutions-S10 can tie the policy to its bucket.
            self.tls_only_policy(
                &id,
                PolicyOn::Bucket,
                "s3:*",
                vec![Expr::arn(&id), Expr::arn(&id).then("/*")],
            );
            self.output(
                self.of(name, "BucketName"),
                format!("Name of bucket {}", name.value),
                Expr::attr(&id, Attr::Name),
            );
        }
    }

    /// Lets S3 write access logs for this service's buckets, and nothing else.
    pub(super) fn log_delivery_statement(&self) -> Statement {
        let logged: Vec<&spec::Name> = self
            .spec
            .buckets
            .iter()
            .filter(|(_, b)| waiver(&b.waive, MON_ACCESS_LOGS).is_none())
            .map(|(n, _)| n)
            .collect();
        Statement {
            sid: "S3ServerAccessLogDelivery".into(),
            effect: Effect::Allow,
            principal: Some(Principal::Service(Expr::lit("logging.s3.amazonaws.com"))),
            actions: vec!["s3:PutObject".into()],
            resources: logged
                .iter()
                .map(|n| Expr::arn(ACCESS_LOGS_BUCKET).then(&format!("/{}/*", n.value)))
                .collect(),
            conditions: vec![
                source_account(),
                Condition {
                    test: "ArnLike",
                    key: "aws:SourceArn".into(),
                    values: logged.iter().map(|n| self.bucket_arn(n)).collect(),
                },
            ],
        }
    }

    pub(super) fn bucket_notifications(&self, bucket: &str) -> Vec<Notification> {
        let mut notifications = Vec::new();
        for (function, f) in &self.spec.functions {
            for event in &f.events {
                if let Some(EventSource::Bucket(b)) = event.source()
                    && b.value == bucket
                {
                    notifications.push(Notification {
                        function: self.of(function, "Function"),
                        prefix: event.prefix.as_ref().map(|p| p.value.clone()),
                        suffix: event.suffix.as_ref().map(|s| s.value.clone()),
                    });
                }
            }
        }
        notifications
    }
}
