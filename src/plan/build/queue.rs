//! SQS queues and their dead-letter queues.

use super::*;

impl Builder<'_> {
    /// A queue with its TLS-only policy; a FIFO queue's name gets the
    /// `.fifo` suffix SQS requires.
    pub(super) fn queue_resource(
        &mut self,
        id: String,
        source: Option<&str>,
        loc: Loc,
        mut queue: Queue,
    ) {
        if queue.fifo {
            queue.name.push_str(".fifo");
        }
        let has_redrive = queue.redrive.is_some();
        let queue = self.add(id.clone(), source, loc, Kind::Queue(queue));
        queue.retain = true;
        queue.controls.push(applied(KMS_ENCRYPTION, None));
        queue.controls.push(applied(DATA_RETAIN, None));
        if has_redrive {
            queue.controls.push(applied(DATA_QUEUE_DLQ, None));
        }
        self.tls_only_policy(&id, PolicyOn::Queue, "sqs:*", vec![Expr::arn(&id)]);
    }

    pub(super) fn queues(&mut self) {
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
                dead_letter_queue(format!("{qualified}-dlq"), fifo),
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
                Queue {
                    name: qualified,
                    fifo,
                    retention_seconds: retention,
                    data_key_reuse_seconds: DATA_KEY_REUSE_SECONDS,
                    visibility_timeout: visibility,
                    redrive: Some((dlq.clone(), max_receives)),
                    dead_letter: false,
                    key: SERVICE_KEY.into(),
                },
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
                self.of(name, "QueueUrl"),
                format!("URL of queue {}", name.value),
                Expr::attr(&id, Attr::Url),
            );
        }
    }
}

/// A dead-letter queue: messages kept as long as SQS allows, for a person to
/// look at; nothing consumes it.
pub(super) fn dead_letter_queue(name: String, fifo: bool) -> Queue {
    Queue {
        name,
        fifo,
        retention_seconds: DLQ_RETENTION_DAYS * 86_400,
        data_key_reuse_seconds: DATA_KEY_REUSE_SECONDS,
        visibility_timeout: 30,
        redrive: None,
        dead_letter: true,
        key: SERVICE_KEY.into(),
    }
}
