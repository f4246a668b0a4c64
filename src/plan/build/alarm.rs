//! Alarms, and the topic that carries them to people.

use super::*;

impl Builder<'_> {
    /// An alarm on any breach of `watched`, applied for `control`.
    pub(super) fn alarm(
        &mut self,
        id: String,
        description: String,
        watched: Watched,
        control: &'static str,
    ) {
        let Watched {
            namespace,
            metric,
            dimensions,
            statistic,
        } = watched;
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

    pub(super) fn dlq_alarm(&mut self, dlq: &str, what: &str, waived: Option<String>) {
        if let Some(reason) = waived {
            if let Some(queue) = self.plan.resources.iter_mut().find(|r| r.id == dlq) {
                queue.controls.push(applied(MON_DLQ_ALARM, Some(reason)));
            }
            return;
        }
        self.alarm(
            logical_id::part(dlq, "DepthAlarm"),
            format!(
                "{}: {what} are waiting in the dead-letter queue",
                self.spec.service.value
            ),
            Watched {
                namespace: "AWS/SQS",
                metric: "ApproximateNumberOfMessagesVisible",
                dimensions: vec![("QueueName", Expr::attr(dlq, Attr::Name))],
                statistic: "Maximum",
            },
            MON_DLQ_ALARM,
        );
    }

    pub(super) fn function_alarms(
        &mut self,
        name: &spec::Name,
        function: &str,
        waived: Option<String>,
    ) {
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
                logical_id::metric_alarm(&self.pascal(name), metric),
                format!("{}: {what}", self.qualified(name)),
                Watched {
                    namespace: "AWS/Lambda",
                    metric,
                    dimensions: vec![("FunctionName", Expr::attr(function, Attr::Name))],
                    statistic: "Sum",
                },
                MON_FUNCTION_ALARMS,
            );
        }
    }

    /// The alert topic every alarm notifies: created whenever there is an
    /// alarm, subscribed to `alerts.email` when it is set (without it,
    /// `check` and SECURITY.md say the alarms reach nobody).
    pub(super) fn alerts(&mut self) {
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
            ALERTS_EMAIL_SUBSCRIPTION.into(),
            None,
            alerts.email.loc,
            Kind::Subscription(Subscription {
                topic: ALERTS_TOPIC.into(),
                protocol: "email",
                endpoint: Expr::lit(&alerts.email.value),
            }),
        );
    }
}

/// The metric an alarm watches.
pub(super) struct Watched {
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(&'static str, Expr)>,
    pub statistic: &'static str,
}
