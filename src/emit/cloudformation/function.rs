//! CloudFormation for functions and what invokes them: translation only.

use serde_json::{Map, Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn function(&self, f: &Function) -> Value {
        let mut properties = Map::new();
        properties.insert("FunctionName".into(), json!(f.name));
        if let Some(description) = &f.description {
            properties.insert("Description".into(), json!(description));
        }
        properties.insert("Runtime".into(), json!(f.runtime));
        properties.insert("Handler".into(), json!(f.handler));
        properties.insert("Architectures".into(), json!([f.architecture]));
        properties.insert("MemorySize".into(), json!(f.memory));
        properties.insert("Timeout".into(), json!(f.timeout));
        properties.insert(
            "ReservedConcurrentExecutions".into(),
            json!(f.reserved_concurrency),
        );
        properties.insert("Role".into(), self.arn(&f.role));
        properties.insert(
            "Code".into(),
            json!({ "S3Bucket": { "Ref": crate::plan::logical_id::ARTIFACT_BUCKET }, "S3Key": f.package.s3_key }),
        );
        if f.tracing {
            properties.insert("TracingConfig".into(), json!({ "Mode": "Active" }));
        }
        if let Some(dlq) = &f.dead_letter_queue {
            properties.insert(
                "DeadLetterConfig".into(),
                json!({ "TargetArn": self.arn(dlq) }),
            );
        }
        if let Some(key) = &f.environment_key {
            properties.insert("KmsKeyArn".into(), self.arn(key));
        }
        if !f.environment.is_empty() {
            let variables: Map<String, Value> = f
                .environment
                .iter()
                .map(|(k, v)| (k.clone(), self.expr(v)))
                .collect();
            properties.insert("Environment".into(), json!({ "Variables": variables }));
        }
        properties.insert(
            "LoggingConfig".into(),
            json!({ "LogGroup": self.reference(&f.log_group), "LogFormat": "JSON" }),
        );
        properties.insert("Tags".into(), self.tags());
        Value::Object(properties)
    }

    pub(super) fn permission(&self, permission: &Permission) -> Value {
        let mut properties = Map::new();
        properties.insert("Action".into(), json!("lambda:InvokeFunction"));
        properties.insert("FunctionName".into(), self.arn(&permission.function));
        properties.insert("Principal".into(), json!(permission.principal));
        properties.insert("SourceArn".into(), self.expr(&permission.source_arn));
        if permission.source_account {
            properties.insert("SourceAccount".into(), json!({ "Ref": "AWS::AccountId" }));
        }
        Value::Object(properties)
    }

    pub(super) fn schedule(&self, schedule: &Schedule) -> Value {
        json!({
            "Description": schedule.description,
            "ScheduleExpression": schedule.expression,
            "State": "ENABLED",
            "Targets": [{
                "Id": "function",
                "Arn": self.arn(&schedule.function),
                "RetryPolicy": { "MaximumRetryAttempts": schedule.retry.attempts, "MaximumEventAgeInSeconds": schedule.retry.max_age_seconds },
            }],
        })
    }

    pub(super) fn event_source_mapping(&self, mapping: &EventSourceMapping) -> Value {
        let mut properties = Map::new();
        properties.insert("FunctionName".into(), self.reference(&mapping.function));
        properties.insert("EventSourceArn".into(), self.expr(&mapping.source));
        properties.insert("BatchSize".into(), json!(mapping.batch_size));
        if let Some(position) = mapping.starting_position {
            properties.insert("StartingPosition".into(), json!(position));
        }
        if let Some(stream) = &mapping.stream_retry {
            properties.insert(
                "BisectBatchOnFunctionError".into(),
                json!(stream.bisect_on_error),
            );
            properties.insert("MaximumRetryAttempts".into(), json!(stream.retry.attempts));
            properties.insert(
                "MaximumRecordAgeInSeconds".into(),
                json!(stream.retry.max_age_seconds),
            );
        }
        if let Some(destination) = &mapping.on_failure {
            properties.insert(
                "DestinationConfig".into(),
                json!({ "OnFailure": { "Destination": self.arn(destination) } }),
            );
        }
        if mapping.report_batch_item_failures {
            properties.insert(
                "FunctionResponseTypes".into(),
                json!(["ReportBatchItemFailures"]),
            );
        }
        properties.insert("Enabled".into(), json!(true));
        Value::Object(properties)
    }
}
