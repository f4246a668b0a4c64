//! Spec → plan. Every security setting is decided here, each one tagged with
//! the control that requires it, and recorded on the resource it protects.

use std::collections::{BTreeMap, BTreeSet};

use super::deploy;
use super::iam::{self, PolicyBuilder};
use super::logical_id;
use super::model::*;
use super::suppressions;
use crate::catalog::ids::*;
use crate::spec::{self, AccessLevel, EventSource, Loc, Spec, Waivers};

/// Package facts the plan needs, by function name.
pub type Packages = BTreeMap<String, PackageRef>;

/// A function's built package: where the handler lives inside it and its hash.
#[derive(Debug, Clone)]
pub struct PackageRef {
    pub lambda_handler: String,
    pub sha256_hex: String,
    pub sha256_base64: String,
}

pub const SERVICE_KEY: &str = "ServiceKey";
pub const FUNCTIONS_DLQ: &str = "FunctionsDeadLetterQueue";
pub const ACCESS_LOGS_BUCKET: &str = "AccessLogsBucket";
pub const ALERTS_TOPIC: &str = "AlertsTopic";
pub const API: &str = "HttpApi";
pub const ARTIFACT_BUCKET: &str = "ArtifactBucket";

/// Days function and API logs are kept.
pub const LOG_RETENTION_DAYS: u32 = 365;
/// Days a dead-letter queue keeps messages (the SQS maximum).
const DLQ_RETENTION_DAYS: u32 = 14;

/// Builds the plan for a valid spec.
pub fn build(spec: &Spec, packages: &Packages) -> Plan {
    let mut b = Builder {
        spec,
        plan: Plan {
            service: spec.service.value.clone(),
            description: spec.description.as_ref().map(|d| d.value.clone()),
            region: spec.region.as_ref().map(|r| r.value.clone()),
            tags: tags(spec),
            parameters: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
        },
        log_groups: Vec::new(),
    };
    b.functions_dead_letter_queue();
    b.tables();
    b.queues();
    b.buckets();
    b.topics();
    b.secrets();
    b.functions(packages);
    b.api();
    b.alerts();
    b.deploy_roles();
    b.service_key();
    b.waiver_suppressions();
    for resource in &mut b.plan.resources {
        let extra = suppressions::for_resource(resource);
        resource.suppressions.extend(extra);
    }
    // Function code and the deploy role's uploads both live there.
    if !spec.functions.is_empty() || spec.deploy_role.is_some() {
        b.plan.parameters.push(Parameter {
            name: ARTIFACT_BUCKET,
            // The key is the one `Code.S3Key` names (see `functions`): a
            // deployer who uploads anywhere else leaves the stack without code.
            description: format!(
                "S3 bucket holding the function packages: upload dist/functions/<name>.zip as {}/<name>-<hash>.zip, <hash> being the first 16 hex digits of the zip's SHA-256 (the key each function's code names)",
                spec.service.value
            ),
        });
    }
    b.plan
}

fn tags(spec: &Spec) -> BTreeMap<String, String> {
    let mut tags: BTreeMap<String, String> = spec
        .tags
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    tags.insert("service".into(), spec.service.value.clone());
    tags
}

/// Upper snake case for environment variable names: `order-events` → `ORDER_EVENTS`.
pub fn env_name(name: &str) -> String {
    name.replace('-', "_").to_ascii_uppercase()
}

/// The environment variable through which a function finds a resource it
/// may access (`ORDERS_TABLE`, `ORDER_EVENTS_QUEUE_URL`, ...) and the
/// attribute it holds. Functions are not handed to each other.
pub fn access_env(name: &str, kind: spec::Kind) -> Option<(String, Attr)> {
    let (suffix, attr) = match kind {
        spec::Kind::Table => ("TABLE", Attr::Name),
        spec::Kind::Queue => ("QUEUE_URL", Attr::Url),
        spec::Kind::Bucket => ("BUCKET", Attr::Name),
        spec::Kind::Topic => ("TOPIC_ARN", Attr::Arn),
        spec::Kind::Secret => ("SECRET_ARN", Attr::Arn),
        spec::Kind::Function => return None,
    };
    Some((format!("{}_{suffix}", env_name(name)), attr))
}

struct Builder<'a> {
    spec: &'a Spec,
    plan: Plan,
    /// Log group names, for the key policy's encryption-context condition.
    log_groups: Vec<String>,
}

/// The reason a control is waived for a resource, if it is.
fn waiver(waivers: &Waivers, control: &str) -> Option<String> {
    waivers.get(control).map(|reason| reason.value.clone())
}

impl Builder<'_> {
    /// `service-name`, the AWS name of what the spec calls `name` (the name
    /// it was `renamed_from`, if it was renamed).
    fn qualified(&self, name: &str) -> String {
        format!(
            "{}-{}",
            self.spec.service.value,
            self.spec.stable_name(name)
        )
    }

    /// The logical ID of what the spec calls `name` (see `qualified`).
    fn of(&self, name: &str, suffix: &str) -> String {
        logical_id::of(self.spec.stable_name(name), suffix)
    }

    /// `name` in PascalCase, for IDs built from it (see `qualified`).
    fn pascal(&self, name: &str) -> String {
        logical_id::pascal(self.spec.stable_name(name))
    }

    fn add(&mut self, id: String, source: Option<&str>, loc: Loc, kind: Kind) -> &mut Resource {
        self.plan.resources.push(Resource {
            id,
            source: source.map(str::to_string),
            loc,
            kind,
            depends_on: Vec::new(),
            retain: false,
            suppressions: Vec::new(),
            controls: Vec::new(),
        });
        self.plan.resources.last_mut().expect("just pushed")
    }

    fn output(&mut self, name: String, description: String, value: Expr) {
        self.plan.outputs.push(Output {
            name,
            description,
            value,
        });
    }

    fn functions_dead_letter_queue(&mut self) {
        let any_enforced = self
            .spec
            .functions
            .values()
            .any(|f| waiver(&f.waive, FN_ASYNC_DLQ).is_none());
        if !any_enforced {
            return;
        }
        let name = self.qualified("functions-dlq");
        self.queue_resource(
            FUNCTIONS_DLQ.into(),
            None,
            Loc::default(),
            name,
            false,
            DLQ_RETENTION_DAYS * 86_400,
            30,
            None,
        );
        self.dlq_alarm(
            FUNCTIONS_DLQ,
            "failed asynchronous function invocations",
            None,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn queue_resource(
        &mut self,
        id: String,
        source: Option<&str>,
        loc: Loc,
        name: String,
        fifo: bool,
        retention_seconds: u32,
        visibility_timeout: u32,
        redrive: Option<(Id, u32)>,
    ) {
        let has_redrive = redrive.is_some();
        let queue = self.add(
            id.clone(),
            source,
            loc,
            Kind::Queue(Queue {
                name: if fifo { format!("{name}.fifo") } else { name },
                fifo,
                retention_seconds,
                data_key_reuse_seconds: DATA_KEY_REUSE_SECONDS,
                visibility_timeout,
                redrive,
                key: SERVICE_KEY.into(),
            }),
        );
        queue.retain = true;
        queue.controls.push(applied(KMS_ENCRYPTION, None));
        queue.controls.push(applied(DATA_RETAIN, None));
        if has_redrive {
            queue.controls.push(applied(DATA_QUEUE_DLQ, None));
        }
        self.tls_only_policy(&id, PolicyOn::Queue, "sqs:*", vec![Expr::arn(&id)]);
    }

    /// PAL-TLS-001: deny every request that does not use TLS.
    fn tls_only_policy(&mut self, target: &str, on: PolicyOn, action: &str, resources: Vec<Expr>) {
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
            format!("{target}Policy"),
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

    fn tables(&mut self) {
        for (name, table) in &self.spec.tables {
            let id = self.of(name, "Table");
            let key_schema = |partition: &spec::Key, sort: Option<&spec::Key>| KeySchema {
                partition: (partition.name.value.clone(), attribute_type(partition.kind)),
                sort: sort.map(|k| (k.name.value.clone(), attribute_type(k.kind))),
            };
            let pitr = waiver(&table.waive, DATA_PITR);
            let protection = waiver(&table.waive, DATA_DELETION_PROTECTION);
            let retain = waiver(&table.waive, DATA_RETAIN);
            let resource = self.add(
                id.clone(),
                Some(name),
                name.loc,
                Kind::Table(Table {
                    name: self.qualified(name),
                    keys: key_schema(&table.partition_key, table.sort_key.as_ref()),
                    indexes: table
                        .indexes
                        .iter()
                        .map(|(n, i)| {
                            (
                                n.value.clone(),
                                key_schema(&i.partition_key, i.sort_key.as_ref()),
                            )
                        })
                        .collect(),
                    ttl_attribute: table.ttl_attribute.as_ref().map(|t| t.value.clone()),
                    stream_view: table.stream.as_ref().map(|s| stream_view(s.value)),
                    key: SERVICE_KEY.into(),
                    point_in_time_recovery: pitr.is_none(),
                    deletion_protection: protection.is_none(),
                }),
            );
            resource.retain = retain.is_none();
            resource.controls = vec![
                applied(KMS_ENCRYPTION, None),
                applied(DATA_RETAIN, retain),
                applied(DATA_PITR, pitr),
                applied(DATA_DELETION_PROTECTION, protection),
            ];
            self.output(
                format!("{}TableName", self.pascal(name)),
                format!("Name of table {}", name.value),
                Expr::attr(&id, Attr::Name),
            );
        }
    }

    fn queues(&mut self) {
        for (name, queue) in &self.spec.queues {
            let id = self.of(name, "Queue");
            let dlq = self.of(name, "DeadLetterQueue");
            let fifo = queue.fifo.as_ref().is_some_and(|f| f.value);
            let consumer_timeout = self
                .spec
                .functions
                .values()
                .filter(|f| f.events.iter().any(|e| matches!(e.source(), Some(EventSource::Queue(q)) if q.value == name.value)))
                .map(|f| f.timeout.as_ref().map_or(spec::DEFAULT_TIMEOUT, |t| t.value))
                .max();
            // PAL-DATA-007: a message must not reappear while its consumer
            // still works on it, including the consumer's retries.
            let visibility = consumer_timeout.map_or(30, |t| (t * 6).max(30));
            let qualified = self.qualified(name);
            self.queue_resource(
                dlq.clone(),
                Some(name),
                name.loc,
                format!("{qualified}-dlq"),
                fifo,
                DLQ_RETENTION_DAYS * 86_400,
                30,
                None,
            );
            let max_receives = queue
                .max_receives
                .as_ref()
                .map_or(spec::DEFAULT_MAX_RECEIVES, |m| m.value);
            let retention = queue
                .retention_days
                .as_ref()
                .map_or(spec::DEFAULT_QUEUE_RETENTION_DAYS, |d| d.value)
                * 86_400;
            self.queue_resource(
                id.clone(),
                Some(name),
                name.loc,
                qualified,
                fifo,
                retention,
                visibility,
                Some((dlq.clone(), max_receives)),
            );
            // The queue is the resource just added (after its policy: last but one).
            if consumer_timeout.is_some()
                && let Some(resource) = self.plan.resources.iter_mut().rev().find(|r| r.id == id)
            {
                resource
                    .controls
                    .push(applied(DATA_VISIBILITY_TIMEOUT, None));
            }
            self.dlq_alarm(
                &dlq,
                &format!("messages that failed processing from queue {}", name.value),
                waiver(&queue.waive, MON_DLQ_ALARM),
            );
            self.output(
                format!("{}QueueUrl", self.pascal(name)),
                format!("URL of queue {}", name.value),
                Expr::attr(&id, Attr::Url),
            );
        }
    }

    fn dlq_alarm(&mut self, dlq: &str, what: &str, waived: Option<String>) {
        if let Some(reason) = waived {
            if let Some(queue) = self.plan.resources.iter_mut().find(|r| r.id == dlq) {
                queue.controls.push(applied(MON_DLQ_ALARM, Some(reason)));
            }
            return;
        }
        self.alarm(
            format!("{dlq}DepthAlarm"),
            format!(
                "{}: {what} are waiting in the dead-letter queue",
                self.spec.service.value
            ),
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            vec![("QueueName", Expr::attr(dlq, Attr::Name))],
            "Maximum",
            MON_DLQ_ALARM,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn alarm(
        &mut self,
        id: String,
        description: String,
        namespace: &'static str,
        metric: &'static str,
        dimensions: Vec<(&'static str, Expr)>,
        statistic: &'static str,
        control: &'static str,
    ) {
        // Every alarm notifies the alert topic, which exists whenever an
        // alarm does (with a subscriber when `alerts:` is set).
        let actions = vec![ALERTS_TOPIC.to_string()];
        let name = format!("{}-{id}", self.spec.service.value);
        let alarm = self.add(
            id,
            None,
            Loc::default(),
            Kind::Alarm(Alarm {
                name,
                description,
                namespace,
                metric,
                dimensions,
                statistic,
                period: 300,
                // One breaching period is enough: any error is worth a look.
                evaluation_periods: 1,
                threshold: 0.0,
                comparison: "GreaterThanThreshold",
                treat_missing_data: "notBreaching",
                actions,
            }),
        );
        alarm.controls.push(applied(control, None));
    }

    /// The bucket name, fixed so that permissions and notifications can name
    /// it without referring to the bucket (which would be a cycle).
    fn bucket_name(&self, name: &str) -> Expr {
        Expr(vec![
            Part::Lit(format!("{}-", self.qualified(name))),
            Part::Account,
            Part::Lit("-".into()),
            Part::Region,
        ])
    }

    /// A named resource's ARN. Buckets' are built from their fixed name, so
    /// that function policies never refer to the bucket resource (a
    /// dependency cycle once the bucket notifies a function).
    fn arn_of(&self, name: &str, kind: spec::Kind) -> Expr {
        match kind {
            spec::Kind::Bucket => self.bucket_arn(name),
            _ => Expr::arn(&self.of(name, kind_suffix(kind))),
        }
    }

    fn bucket_arn(&self, name: &str) -> Expr {
        let mut parts = vec![
            Part::Lit("arn:".into()),
            Part::Partition,
            Part::Lit(":s3:::".into()),
        ];
        parts.extend(self.bucket_name(name).0);
        Expr(parts)
    }

    fn buckets(&mut self) {
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
                    expire_after_days: Some(LOG_RETENTION_DAYS),
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
                    format!(
                        "{}Permission",
                        bucket_event_id(&n.function, &self.of(name, "Bucket"))
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
                format!("{}BucketName", self.pascal(name)),
                format!("Name of bucket {}", name.value),
                Expr::attr(&id, Attr::Name),
            );
        }
    }

    /// Lets S3 write access logs for this service's buckets, and nothing else.
    fn log_delivery_statement(&self) -> Statement {
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

    fn bucket_notifications(&self, bucket: &str) -> Vec<Notification> {
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

    fn topics(&mut self) {
        for name in self.spec.topics.keys() {
            let id = self.of(name, "Topic");
            let topic = self.add(
                id.clone(),
                Some(name),
                name.loc,
                Kind::Topic(Topic {
                    name: self.qualified(name),
                    key: SERVICE_KEY.into(),
                }),
            );
            topic.controls.push(applied(KMS_ENCRYPTION, None));
            self.tls_only_policy(&id, PolicyOn::Topic, "sns:Publish", vec![Expr::arn(&id)]);
            self.output(
                format!("{}TopicArn", self.pascal(name)),
                format!("ARN of topic {}", name.value),
                Expr::attr(&id, Attr::Arn),
            );
        }
    }

    fn secrets(&mut self) {
        for (name, secret) in &self.spec.secrets {
            let id = self.of(name, "Secret");
            let retain = waiver(&secret.waive, DATA_RETAIN);
            let resource = self.add(
                id.clone(),
                Some(name),
                name.loc,
                Kind::Secret(Secret {
                    name: format!(
                        "{}/{}",
                        self.spec.service.value,
                        self.spec.stable_name(name)
                    ),
                    description: secret.description.as_ref().map(|d| d.value.clone()),
                    key: SERVICE_KEY.into(),
                }),
            );
            resource.retain = retain.is_none();
            resource.controls = vec![
                applied(KMS_ENCRYPTION, None),
                applied(DATA_RETAIN, retain),
                applied(
                    DATA_SECRET_ROTATION,
                    waiver(&secret.waive, DATA_SECRET_ROTATION),
                ),
            ];
            // PAL-DATA-010: Secrets Manager invokes the spec's function, for
            // this secret only, on the schedule.
            if let Some(rotation) = &secret.rotation {
                let function = self.of(&rotation.function, "Function");
                let permission = format!("{id}RotationPermission");
                self.permission(
                    permission.clone(),
                    name,
                    rotation.function.loc,
                    &function,
                    "secretsmanager.amazonaws.com",
                    Expr::arn(&id),
                );
                let schedule = self.add(
                    format!("{id}RotationSchedule"),
                    Some(name),
                    rotation.schedule.loc,
                    Kind::RotationSchedule(RotationSchedule {
                        secret: id.clone(),
                        function,
                        schedule: rotation.schedule.value.clone(),
                    }),
                );
                schedule.depends_on = vec![permission];
                schedule.controls = vec![applied(DATA_SECRET_ROTATION, None)];
            }
            self.output(
                format!("{}SecretArn", self.pascal(name)),
                format!("ARN of secret {}", name.value),
                Expr::attr(&id, Attr::Arn),
            );
        }
    }

    fn functions(&mut self, packages: &Packages) {
        for (name, function) in &self.spec.functions {
            self.function(name, function, packages.get(name.as_str()));
        }
    }

    fn function(
        &mut self,
        name: &spec::Name,
        function: &spec::Function,
        package: Option<&PackageRef>,
    ) {
        let spec = self.spec;
        let id = self.of(name, "Function");
        let role_id = self.of(name, "Role");
        let log_group_id = self.of(name, "LogGroup");
        let function_name = self.qualified(name);
        let log_group_name = format!("/aws/lambda/{function_name}");
        let waive = &function.waive;

        // PAL-FN-001: an explicit, encrypted log group with retention.
        let log_group = self.add(
            log_group_id.clone(),
            Some(name),
            name.loc,
            Kind::LogGroup(LogGroup {
                name: Expr::lit(&log_group_name),
                retention_days: LOG_RETENTION_DAYS,
                key: SERVICE_KEY.into(),
            }),
        );
        log_group.retain = true;
        log_group.controls = vec![applied(FN_LOGS, None), applied(KMS_ENCRYPTION, None)];
        self.log_groups.push(log_group_name);

        // PAL-IAM-002: permissions only from declared access and events.
        let mut policy = PolicyBuilder::default();
        let mut environment = BTreeMap::new();
        for (target, levels) in &function.access {
            let Some(kind) = spec.kind_of(target) else {
                continue;
            };
            let target_id = self.of(target, kind_suffix(kind));
            let arn = self.arn_of(target, kind);
            for level in levels.value.iter() {
                policy.grant(&target_id, arn.clone(), kind, level.value);
            }
            let Some((variable, attr)) = access_env(target, kind) else {
                continue;
            };
            let value = if kind == spec::Kind::Bucket {
                self.bucket_name(target)
            } else {
                Expr::attr(&target_id, attr)
            };
            environment.insert(variable, value);
        }
        for event in &function.events {
            match event.source() {
                Some(EventSource::Queue(queue)) => policy.grant(
                    &self.of(queue, "Queue"),
                    Expr::arn(&self.of(queue, "Queue")),
                    spec::Kind::Queue,
                    AccessLevel::Consume,
                ),
                Some(EventSource::Stream(table)) => policy.grant(
                    &self.of(table, "Table"),
                    Expr::arn(&self.of(table, "Table")),
                    spec::Kind::Table,
                    AccessLevel::Stream,
                ),
                _ => {}
            }
        }
        // The secrets this function rotates (their `rotation:` names it).
        for (secret, rotated) in &spec.secrets {
            if rotated
                .rotation
                .as_ref()
                .is_some_and(|r| r.function.value == name.value)
            {
                let secret_id = self.of(secret, "Secret");
                policy.grant(
                    &secret_id,
                    Expr::arn(&secret_id),
                    spec::Kind::Secret,
                    AccessLevel::Rotate,
                );
            }
        }
        for (key, value) in &function.environment {
            environment.insert(key.value.clone(), Expr::lit(&value.value));
        }
        let dlq_waiver = waiver(waive, FN_ASYNC_DLQ);
        let tracing_waiver = waiver(waive, FN_TRACING);
        let mut statements = vec![Statement {
            sid: "WriteOwnLogGroup".into(),
            effect: Effect::Allow,
            principal: None,
            actions: vec!["logs:CreateLogStream".into(), "logs:PutLogEvents".into()],
            resources: vec![Expr::arn(&log_group_id)],
            conditions: Vec::new(),
        }];
        if tracing_waiver.is_none() {
            // X-Ray has no resource-level permissions: `*` is the only scope.
            statements.push(Statement {
                sid: "XRayTracing".into(),
                effect: Effect::Allow,
                principal: None,
                actions: vec![
                    "xray:PutTelemetryRecords".into(),
                    "xray:PutTraceSegments".into(),
                ],
                resources: vec![Expr::lit("*")],
                conditions: Vec::new(),
            });
        }
        let has_stream_event = function
            .events
            .iter()
            .any(|e| matches!(e.source(), Some(EventSource::Stream(_))));
        if dlq_waiver.is_none() || has_stream_event {
            statements.push(Statement {
                sid: "SendFailuresToDeadLetterQueue".into(),
                effect: Effect::Allow,
                principal: None,
                actions: vec!["sqs:SendMessage".into()],
                resources: vec![Expr::arn(FUNCTIONS_DLQ)],
                conditions: Vec::new(),
            });
            policy.key_use(&["kms:Decrypt", "kms:GenerateDataKey"], "sqs");
        }
        // Lambda decrypts the environment with the service key.
        policy.key_use(&["kms:Decrypt"], "lambda");
        statements.extend(policy.statements(SERVICE_KEY));

        let role = self.add(
            role_id.clone(),
            Some(name),
            name.loc,
            Kind::Role(Role {
                description: format!("Execution role for {function_name} (generated by palisade from declared access)"),
                trust: vec![Statement {
                    sid: "LambdaAssumesRole".into(),
                    effect: Effect::Allow,
                    principal: Some(Principal::Service(Expr::lit("lambda.amazonaws.com"))),
                    actions: vec!["sts:AssumeRole".into()],
                    resources: Vec::new(),
                    conditions: Vec::new(),
                }],
                policy: statements,
                max_session_seconds: None,
                wildcards: "Wildcards only where AWS needs them: X-Ray has no resource-level permissions, object actions need <bucket-arn>/*, index queries need <table-arn>/index/*. Every other resource is an exact ARN.",
                assumed_by: AssumedBy::Function,
            }),
        );
        role.controls = vec![
            applied(IAM_ROLE_PER_FUNCTION, None),
            applied(IAM_DECLARED_ACCESS, None),
            applied(IAM_NO_MANAGED_POLICIES, None),
        ];

        let runtime = function
            .runtime
            .as_ref()
            .or(spec.runtime.as_ref())
            .map(|r| r.value.clone())
            .unwrap_or_default();
        let architecture = function
            .architecture
            .as_ref()
            .or(spec.architecture.as_ref())
            .map_or(spec::Architecture::Arm64, |a| a.value);
        let package = package.cloned().unwrap_or_else(|| PackageRef {
            lambda_handler: crate::spec::code_dir(&function.handler).1.to_string(),
            sha256_hex: String::new(),
            sha256_base64: String::new(),
        });
        let short_hash: String = package.sha256_hex.chars().take(16).collect();
        let resource = self.add(
            id.clone(),
            Some(name),
            name.loc,
            Kind::Function(Function {
                name: function_name.clone(),
                description: function.description.as_ref().map(|d| d.value.clone()),
                handler: package.lambda_handler.clone(),
                runtime,
                architecture: match architecture {
                    spec::Architecture::Arm64 => "arm64",
                    spec::Architecture::X86_64 => "x86_64",
                },
                memory: function
                    .memory
                    .as_ref()
                    .map_or(spec::DEFAULT_MEMORY, |m| m.value),
                timeout: function
                    .timeout
                    .as_ref()
                    .map_or(spec::DEFAULT_TIMEOUT, |t| t.value),
                reserved_concurrency: function
                    .concurrency
                    .as_ref()
                    .map_or(spec::DEFAULT_CONCURRENCY, |c| c.value),
                role: role_id,
                log_group: log_group_id,
                environment_key: (!environment.is_empty()).then(|| SERVICE_KEY.to_string()),
                environment,
                tracing: tracing_waiver.is_none(),
                dead_letter_queue: dlq_waiver.is_none().then(|| FUNCTIONS_DLQ.to_string()),
                package: Package {
                    zip_path: format!("functions/{}.zip", name.value),
                    s3_key: format!("{}/{}-{short_hash}.zip", spec.service.value, name.value),
                    sha256_base64: package.sha256_base64,
                },
            }),
        );
        resource.controls = vec![
            applied(IAM_ROLE_PER_FUNCTION, None),
            applied(FN_LOGS, None),
            applied(FN_TRACING, tracing_waiver),
            applied(FN_CONCURRENCY, None),
            applied(FN_ASYNC_DLQ, dlq_waiver),
            applied(FN_RUNTIME, None),
            applied(FN_NO_SECRETS, None),
            applied(KMS_ENCRYPTION, None),
        ];
        self.function_alarms(name, &id, waiver(waive, MON_FUNCTION_ALARMS));
        self.function_events(name, function);
        self.output(
            format!("{}FunctionName", self.pascal(name)),
            format!("Name of function {}", name.value),
            Expr::attr(&id, Attr::Name),
        );
    }

    fn function_alarms(&mut self, name: &spec::Name, function: &str, waived: Option<String>) {
        if let Some(reason) = waived {
            if let Some(f) = self.plan.resources.iter_mut().find(|r| r.id == function) {
                f.controls.push(applied(MON_FUNCTION_ALARMS, Some(reason)));
            }
            return;
        }
        for (metric, what) in [
            ("Errors", "invocations failed"),
            ("Throttles", "invocations were throttled"),
        ] {
            self.alarm(
                format!("{}{metric}Alarm", self.pascal(name)),
                format!("{}: {what}", self.qualified(name)),
                "AWS/Lambda",
                metric,
                vec![("FunctionName", Expr::attr(function, Attr::Name))],
                "Sum",
                MON_FUNCTION_ALARMS,
            );
        }
    }

    fn function_events(&mut self, name: &spec::Name, function: &spec::Function) {
        let function_id = self.of(name, "Function");
        for event in &function.events {
            match event.source() {
                Some(EventSource::Queue(queue)) => {
                    let fifo = self
                        .spec
                        .queues
                        .get(queue.as_str())
                        .and_then(|q| q.fifo.as_ref())
                        .is_some_and(|f| f.value);
                    self.add(
                        format!("{}From{}", self.pascal(name), self.of(queue, "Queue")),
                        Some(name),
                        event.loc,
                        Kind::EventSourceMapping(EventSourceMapping {
                            function: function_id.clone(),
                            source: Expr::arn(&self.of(queue, "Queue")),
                            batch_size: event
                                .batch_size
                                .as_ref()
                                .map_or(spec::DEFAULT_QUEUE_BATCH, |b| b.value)
                                .min(spec::max_queue_batch(fifo)),
                            starting_position: None,
                            on_failure: None,
                            stream_retry: None,
                            report_batch_item_failures: true,
                        }),
                    );
                }
                Some(EventSource::Stream(table)) => {
                    let starting = match event.starting_position.as_ref().map(|s| s.value) {
                        Some(spec::StartingPosition::TrimHorizon) => "TRIM_HORIZON",
                        _ => "LATEST",
                    };
                    self.add(
                        format!("{}From{}Stream", self.pascal(name), self.of(table, "Table")),
                        Some(name),
                        event.loc,
                        Kind::EventSourceMapping(EventSourceMapping {
                            function: function_id.clone(),
                            source: Expr::attr(&self.of(table, "Table"), Attr::StreamArn),
                            batch_size: event
                                .batch_size
                                .as_ref()
                                .map_or(spec::DEFAULT_STREAM_BATCH, |b| b.value),
                            starting_position: Some(starting),
                            on_failure: Some(FUNCTIONS_DLQ.into()),
                            stream_retry: Some(STREAM_RETRY),
                            report_batch_item_failures: true,
                        }),
                    );
                }
                Some(EventSource::Bucket(bucket)) => {
                    // One permission per bucket, however many filters.
                    let id = format!(
                        "{}Permission",
                        bucket_event_id(&function_id, &self.of(bucket, "Bucket"))
                    );
                    if self.plan.get(&id).is_none() {
                        let arn = self.bucket_arn(bucket);
                        self.permission(id, name, event.loc, &function_id, "s3.amazonaws.com", arn);
                    }
                }
                Some(EventSource::Topic(topic)) => {
                    let topic_id = self.of(topic, "Topic");
                    let stem = format!("{}From{topic_id}", self.pascal(name));
                    self.add(
                        format!("{stem}Subscription"),
                        Some(name),
                        event.loc,
                        Kind::Subscription(Subscription {
                            topic: topic_id.clone(),
                            protocol: "lambda",
                            endpoint: Expr::arn(&function_id),
                        }),
                    );
                    self.permission(
                        format!("{stem}Permission"),
                        name,
                        event.loc,
                        &function_id,
                        "sns.amazonaws.com",
                        Expr::arn(&topic_id),
                    );
                }
                Some(EventSource::Schedule(expression)) => {
                    let stem = format!("{}{}", self.pascal(name), schedule_stem(expression));
                    self.add(
                        stem.clone(),
                        Some(name),
                        event.loc,
                        Kind::Schedule(Schedule {
                            expression: expression.value.clone(),
                            function: function_id.clone(),
                            description: format!(
                                "{} on {}",
                                self.qualified(name),
                                expression.value
                            ),
                            retry: SCHEDULE_RETRY,
                        }),
                    );
                    self.permission(
                        format!("{stem}Permission"),
                        name,
                        event.loc,
                        &function_id,
                        "events.amazonaws.com",
                        Expr::arn(&stem),
                    );
                }
                None => {}
            }
        }
    }

    /// PAL-IAM-004: an invoke permission for exactly one source.
    fn permission(
        &mut self,
        id: String,
        name: &spec::Name,
        loc: Loc,
        function: &str,
        principal: &str,
        source_arn: Expr,
    ) {
        let permission = self.add(
            id,
            Some(name),
            loc,
            Kind::Permission(Permission {
                function: function.into(),
                principal: principal.into(),
                source_arn,
                // Bucket ARNs do not name the account; Secrets Manager's
                // confused-deputy guidance asks for the account too.
                source_account: matches!(
                    principal,
                    "s3.amazonaws.com" | "secretsmanager.amazonaws.com"
                ),
            }),
        );
        permission.controls.push(applied(IAM_SCOPED_INVOKE, None));
    }

    fn api(&mut self) {
        let Some(api) = &self.spec.api else { return };
        if api.routes.is_empty() {
            return;
        }
        let service = self.spec.service.value.clone();
        let loc = api.routes.keys().next().map(|k| k.loc).unwrap_or_default();
        let api_resource = self.add(
            API.into(),
            None,
            loc,
            Kind::Api(Api {
                name: service.clone(),
                description: self.spec.description.as_ref().map(|d| d.value.clone()),
                cors: api.cors.as_ref().map(|cors| Cors {
                    origins: cors.origins.iter().map(|o| o.value.clone()).collect(),
                    methods: if cors.methods.is_empty() {
                        let mut methods: BTreeSet<String> = api
                            .routes
                            .keys()
                            .filter_map(|k| k.split_once(' '))
                            .map(|(m, _)| m.to_string())
                            .filter(|m| m != "ANY")
                            .collect();
                        methods.insert("OPTIONS".into());
                        methods.into_iter().collect()
                    } else {
                        cors.methods.iter().map(|m| m.value.clone()).collect()
                    },
                    headers: if cors.headers.is_empty() {
                        vec!["authorization".into(), "content-type".into()]
                    } else {
                        cors.headers.iter().map(|h| h.value.clone()).collect()
                    },
                    max_age: cors.max_age.as_ref().map_or(600, |m| m.value),
                }),
            }),
        );
        api_resource.controls = vec![
            applied(API_CORS, None),
            applied(API_THROTTLING, None),
            applied(API_ACCESS_LOGS, None),
        ];
        let authorizer = api.auth.as_ref().map(|auth| {
            let resource = self.add(
                "HttpApiAuthorizer".into(),
                None,
                auth.jwt.loc,
                Kind::Authorizer(Authorizer {
                    api: API.into(),
                    issuer: auth.jwt.issuer.value.clone(),
                    audience: auth.jwt.audience.iter().map(|a| a.value.clone()).collect(),
                    identity_source: "$request.header.Authorization".into(),
                }),
            );
            resource.controls.push(applied(API_AUTHORIZER, None));
            "HttpApiAuthorizer".to_string()
        });
        let scopes_waiver = waiver(&api.waive, API_SCOPES);
        let mut route_ids = Vec::new();
        let mut route_throttles = Vec::new();
        let mut integrations = BTreeSet::new();
        for (key, route) in &api.routes {
            let Some((method, path)) = key.split_once(' ') else {
                continue;
            };
            let stem = logical_id::route_stem(method, path);
            let function_id = self.of(&route.function, "Function");
            let integration = self.of(&route.function, "Integration");
            if integrations.insert(integration.clone()) {
                let timeout = self
                    .spec
                    .functions
                    .get(route.function.as_str())
                    .and_then(|f| f.timeout.as_ref())
                    .map_or(spec::DEFAULT_TIMEOUT, |t| t.value);
                self.add(
                    integration.clone(),
                    Some(&route.function),
                    route.function.loc,
                    Kind::Integration(Integration {
                        api: API.into(),
                        function: function_id.clone(),
                        timeout_ms: (timeout * 1000).min(30_000),
                    }),
                );
            }
            let public_reason = route.public.as_ref().map(|p| p.value.clone());
            let route_id = format!("{stem}Route");
            let resource = self.add(
                route_id.clone(),
                None,
                key.loc,
                Kind::Route(Route {
                    api: API.into(),
                    key: key.value.clone(),
                    integration,
                    authorizer: if public_reason.is_some() {
                        None
                    } else {
                        authorizer.clone()
                    },
                    scopes: route.scopes.iter().map(|s| s.value.clone()).collect(),
                    public_reason: public_reason.clone(),
                }),
            );
            resource.controls.push(applied(
                API_AUTHORIZER,
                public_reason.map(|r| format!("public: {r}")),
            ));
            if route.public.is_none() {
                resource.controls.push(applied(
                    API_SCOPES,
                    if route.scopes.is_empty() {
                        scopes_waiver.clone()
                    } else {
                        None
                    },
                ));
            }
            if let Some(throttle) = route.throttle {
                route_throttles.push((
                    key.value.clone(),
                    Throttle {
                        rate: throttle.rate,
                        burst: throttle.burst,
                    },
                ));
            }
            route_ids.push(route_id);
            // The source ARN names the route exactly, path parameters included.
            let arn_method = if method == "ANY" { "*" } else { method };
            let source_arn = Expr(vec![
                Part::Lit("arn:".into()),
                Part::Partition,
                Part::Lit(":execute-api:".into()),
                Part::Region,
                Part::Lit(":".into()),
                Part::Account,
                Part::Lit(":".into()),
                Part::Ref(API.into(), Attr::Id),
                Part::Lit(format!("/*/{arn_method}{path}")),
            ]);
            self.permission(
                format!("{stem}Permission"),
                &route.function,
                key.loc,
                &function_id,
                "apigateway.amazonaws.com",
                source_arn,
            );
        }
        let access_logs = "HttpApiAccessLogs".to_string();
        let log_group_name = format!("/aws/apigateway/{service}/access");
        let log_group = self.add(
            access_logs.clone(),
            None,
            loc,
            Kind::LogGroup(LogGroup {
                name: Expr::lit(&log_group_name),
                retention_days: LOG_RETENTION_DAYS,
                key: SERVICE_KEY.into(),
            }),
        );
        log_group.retain = true;
        log_group.controls = vec![
            applied(API_ACCESS_LOGS, None),
            applied(KMS_ENCRYPTION, None),
        ];
        self.log_groups.push(log_group_name);
        let throttle = api.throttle.unwrap_or(spec::DEFAULT_THROTTLE);
        let stage = self.add(
            "HttpApiStage".into(),
            None,
            loc,
            Kind::Stage(Stage {
                api: API.into(),
                name: "$default".into(),
                throttle: Throttle {
                    rate: throttle.rate,
                    burst: throttle.burst,
                },
                route_throttles,
                access_log_group: access_logs,
                access_log_format: ACCESS_LOG_FORMAT.into(),
            }),
        );
        // Route settings name routes by key: the routes must exist first.
        stage.depends_on = route_ids;
        stage.controls = vec![
            applied(API_THROTTLING, None),
            applied(API_ACCESS_LOGS, None),
        ];
        if let Some(reason) = waiver(&api.waive, MON_API_ALARM) {
            if let Some(api_resource) = self.plan.resources.iter_mut().find(|r| r.id == API) {
                api_resource
                    .controls
                    .push(applied(MON_API_ALARM, Some(reason)));
            }
        } else {
            self.alarm(
                "HttpApi5xxAlarm".into(),
                format!("{service}: the API answered with server errors"),
                "AWS/ApiGateway",
                "5xx",
                vec![
                    ("ApiId", Expr::attr(API, Attr::Id)),
                    ("Stage", Expr::lit("$default")),
                ],
                "Sum",
                MON_API_ALARM,
            );
        }
        let mut url = Expr::attr(API, Attr::Endpoint);
        url.0.push(Part::Lit("/".into()));
        self.output("ApiUrl".into(), "Base URL of the HTTP API".into(), url);
    }

    /// The alert topic every alarm notifies: created whenever there is an
    /// alarm, subscribed to `alerts.email` when it is set (without it,
    /// `check` and SECURITY.md say the alarms reach nobody).
    fn alerts(&mut self) {
        let has_alarms = self
            .plan
            .resources
            .iter()
            .any(|r| matches!(r.kind, Kind::Alarm(_)));
        if !has_alarms {
            return;
        }
        let loc = self
            .spec
            .alerts
            .as_ref()
            .map_or(self.spec.service.loc, |a| a.email.loc);
        let topic = self.add(
            ALERTS_TOPIC.into(),
            None,
            loc,
            Kind::Topic(Topic {
                name: self.qualified("alerts"),
                key: SERVICE_KEY.into(),
            }),
        );
        topic.controls.push(applied(KMS_ENCRYPTION, None));
        self.tls_only_policy(
            ALERTS_TOPIC,
            PolicyOn::Topic,
            "sns:Publish",
            vec![Expr::arn(ALERTS_TOPIC)],
        );
        let Some(alerts) = &self.spec.alerts else {
            return;
        };
        self.add(
            "AlertsEmailSubscription".into(),
            None,
            alerts.email.loc,
            Kind::Subscription(Subscription {
                topic: ALERTS_TOPIC.into(),
                protocol: "email",
                endpoint: Expr::lit(&alerts.email.value),
            }),
        );
    }

    /// PAL-CI-001: the GitHub deploy role and the CloudFormation service role
    /// it hands the stack to (see `deploy.rs`).
    fn deploy_roles(&mut self) {
        let Some(deploy_role) = &self.spec.deploy_role else {
            return;
        };
        let service = &self.spec.service.value;
        let loc = deploy_role.github.repository.loc;
        for (id, role, output) in [
            (
                deploy::DEPLOY_ROLE,
                deploy::deploy_role(service, deploy_role),
                "role-to-assume for aws-actions/configure-aws-credentials",
            ),
            (
                deploy::EXECUTION_ROLE,
                deploy::execution_role(service),
                "--role-arn for aws cloudformation deploy",
            ),
        ] {
            let resource = self.add(id.into(), None, loc, Kind::Role(role));
            resource.controls = vec![
                applied(CI_DEPLOY_ROLE, None),
                applied(IAM_NO_MANAGED_POLICIES, None),
            ];
            self.output(
                format!("{id}Arn"),
                format!("ARN of {id}: {output}"),
                Expr::arn(id),
            );
        }
    }

    /// A waived control's scanner checks are suppressed on that resource with
    /// the waiver's own reason, so scanners and reviewers see one decision.
    fn waiver_suppressions(&mut self) {
        for resource in &mut self.plan.resources {
            for applied in &resource.controls {
                let (Some(reason), Some(control)) =
                    (&applied.waived, crate::catalog::find(applied.control))
                else {
                    continue;
                };
                let checks: Vec<Check> = (control.checkov.iter().map(|id| Check::Checkov(id)))
                    .chain(control.cdk_nag.iter().map(|id| Check::CdkNag(id)))
                    .chain(control.guard.iter().map(|id| Check::Guard(id)))
                    .collect();
                if !checks.is_empty() {
                    resource.suppressions.push(Suppression {
                        checks,
                        reason: format!("Waived {} in palisade.yaml: {reason}", control.id).into(),
                    });
                }
            }
        }
    }

    /// PAL-KMS-001: the service key, usable by the account's IAM policies and
    /// by exactly the services that encrypt this service's data.
    fn service_key(&mut self) {
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
                policy,
            }),
            depends_on: Vec::new(),
            retain: true,
            suppressions: Vec::new(),
            controls: vec![applied(KMS_SERVICE_KEY, None), applied(DATA_RETAIN, None)],
        };
        let alias = Resource {
            id: "ServiceKeyAlias".into(),
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

/// HTTP API access-log fields: who called what, the outcome and the latency.
pub const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","requestTime":"$context.requestTime","sourceIp":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","principal":"$context.authorizer.claims.sub","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency","integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}"#;

/// SQS's default; fewer KMS calls without holding a key for long.
const DATA_KEY_REUSE_SECONDS: u32 = 300;

/// A failed scheduled invocation is retried twice within the hour; later
/// runs of the schedule supersede older ones.
const SCHEDULE_RETRY: Retry = Retry {
    attempts: 2,
    max_age_seconds: 3600,
};

/// A poison record in a stream blocks its shard: bisect to find it, retry
/// three times, give up after a day (the stream keeps 24 hours), then send
/// it to the functions' dead-letter queue.
const STREAM_RETRY: StreamRetry = StreamRetry {
    bisect_on_error: true,
    retry: Retry {
        attempts: 3,
        max_age_seconds: 86_400,
    },
};

fn applied(control: &'static str, waived: Option<String>) -> AppliedControl {
    AppliedControl { control, waived }
}

fn source_account() -> Condition {
    Condition {
        test: "StringEquals",
        key: "aws:SourceAccount".into(),
        values: vec![Expr(vec![Part::Account])],
    }
}

fn deny_insecure_transport(action: &str, resources: Vec<Expr>) -> Statement {
    Statement {
        sid: "DenyInsecureTransport".into(),
        effect: Effect::Deny,
        principal: Some(Principal::Any),
        actions: vec![action.into()],
        resources,
        conditions: vec![Condition {
            test: "Bool",
            key: "aws:SecureTransport".into(),
            values: vec![Expr::lit("false")],
        }],
    }
}

fn attribute_type(kind: spec::KeyType) -> AttributeType {
    match kind {
        spec::KeyType::String => AttributeType::String,
        spec::KeyType::Number => AttributeType::Number,
        spec::KeyType::Binary => AttributeType::Binary,
    }
}

fn stream_view(view: spec::StreamView) -> &'static str {
    match view {
        spec::StreamView::KeysOnly => "KEYS_ONLY",
        spec::StreamView::NewImage => "NEW_IMAGE",
        spec::StreamView::OldImage => "OLD_IMAGE",
        spec::StreamView::NewAndOld => "NEW_AND_OLD_IMAGES",
    }
}

/// The logical-ID suffix of a named spec resource's main resource.
pub fn kind_suffix(kind: spec::Kind) -> &'static str {
    match kind {
        spec::Kind::Function => "Function",
        spec::Kind::Table => "Table",
        spec::Kind::Queue => "Queue",
        spec::Kind::Bucket => "Bucket",
        spec::Kind::Topic => "Topic",
        spec::Kind::Secret => "Secret",
    }
}

fn bucket_event_id(function_id: &str, bucket_id: &str) -> String {
    format!(
        "{}From{bucket_id}",
        function_id.trim_end_matches("Function"),
    )
}

/// `rate(1 day)` → `ScheduleRate1Day`; `cron(0 3 * * ? *)` → `ScheduleCron0At3`-like
/// stems built from every field, so different expressions get different IDs.
fn schedule_stem(expression: &str) -> String {
    let mut stem = String::from("Schedule_");
    for c in expression.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => stem.push(c),
            '*' => stem.push_str("Any"),
            '?' => stem.push_str("No"),
            '/' => stem.push_str("Every"),
            ',' => stem.push_str("And"),
            '-' => stem.push_str("To"),
            '#' => stem.push_str("Nth"),
            _ => stem.push('_'),
        }
    }
    stem.split('_')
        .filter(|s| !s.is_empty())
        .map(logical_id::pascal)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_stems_differ_per_expression() {
        assert_eq!(schedule_stem("rate(1 day)"), "ScheduleRate1Day");
        assert_ne!(
            schedule_stem("cron(0 3 * * ? *)"),
            schedule_stem("cron(0 3 ? * MON *)")
        );
        assert_ne!(
            schedule_stem("cron(0 1-5 * * ? *)"),
            schedule_stem("cron(0 15 * * ? *)")
        );
    }

    #[test]
    fn env_names_are_upper_snake() {
        assert_eq!(env_name("order-events"), "ORDER_EVENTS");
    }
}
