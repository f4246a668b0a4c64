//! Functions: code, role, logs, and what invokes them.

use super::*;

impl Builder<'_> {
    pub(super) fn functions_dead_letter_queue(&mut self) {
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
            true,
        );
        self.dlq_alarm(
            FUNCTIONS_DLQ,
            "failed asynchronous function invocations",
            None,
        );
    }

    pub(super) fn functions(&mut self, packages: &Packages) {
        for (name, function) in &self.spec.functions {
            self.function(name, function, packages.get(name.as_str()));
        }
    }

    pub(super) fn function(
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
            let target_id = self.of(target, logical_id::kind_suffix(kind));
            let arn = self.arn_of(target, kind);
            for level in levels.value.iter() {
                policy.grant(&target_id, arn.clone(), kind, level.value);
            }
            let Some((variable, attr)) = access_env(target, kind) else {
                continue;
            };
            let value = if kind == spec::Section::Bucket {
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
                    spec::Section::Queue,
                    AccessLevel::Consume,
                ),
                Some(EventSource::Stream(table)) => policy.grant(
                    &self.of(table, "Table"),
                    Expr::arn(&self.of(table, "Table")),
                    spec::Section::Table,
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
                    spec::Section::Secret,
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
            self.of(name, "FunctionName"),
            format!("Name of function {}", name.value),
            Expr::attr(&id, Attr::Name),
        );
    }

    pub(super) fn function_events(&mut self, name: &spec::Name, function: &spec::Function) {
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
                        logical_id::from(&self.pascal(name), &self.of(queue, "Queue")),
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
                        logical_id::part(
                            &logical_id::from(&self.pascal(name), &self.of(table, "Table")),
                            "Stream",
                        ),
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
                    let id = logical_id::part(
                        &logical_id::bucket_event_id(&function_id, &self.of(bucket, "Bucket")),
                        "Permission",
                    );
                    if self.plan.get(&id).is_none() {
                        let arn = self.bucket_arn(bucket);
                        self.permission(id, name, event.loc, &function_id, "s3.amazonaws.com", arn);
                    }
                }
                Some(EventSource::Topic(topic)) => {
                    let topic_id = self.of(topic, "Topic");
                    let stem = logical_id::from(&self.pascal(name), &topic_id);
                    self.add(
                        logical_id::part(&stem, "Subscription"),
                        Some(name),
                        event.loc,
                        Kind::Subscription(Subscription {
                            topic: topic_id.clone(),
                            protocol: "lambda",
                            endpoint: Expr::arn(&function_id),
                        }),
                    );
                    self.permission(
                        logical_id::part(&stem, "Permission"),
                        name,
                        event.loc,
                        &function_id,
                        "sns.amazonaws.com",
                        Expr::arn(&topic_id),
                    );
                }
                Some(EventSource::Schedule(expression)) => {
                    let stem = logical_id::part(
                        &self.pascal(name),
                        &logical_id::schedule_stem(expression),
                    );
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
                        logical_id::part(&stem, "Permission"),
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
    pub(super) fn permission(
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
}
