//! Terraform for functions and what invokes them: translation only.

use super::hcl::{Block, Piece, Value};
use super::{Emitter, Out, add_depends_on};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn function(&self, out: Out<'_>, f: &Function) {
        let Out { body, .. } = out;
        body.attr("function_name", Value::str(&f.name));
        if let Some(description) = &f.description {
            body.attr("description", Value::str(description));
        }
        body.attr("runtime", Value::str(&f.runtime));
        body.attr("handler", Value::str(&f.handler));
        body.attr("architectures", Value::strs([f.architecture]));
        body.attr("memory_size", Value::int(f.memory));
        body.attr("timeout", Value::int(f.timeout));
        body.attr(
            "reserved_concurrent_executions",
            Value::int(f.reserved_concurrency),
        );
        body.attr("role", self.arn(&f.role));
        // Terraform uploads the package itself, so `terraform apply` works
        // from dist/terraform without staging zips in an artifact bucket.
        body.attr(
            "filename",
            Value::Template(vec![
                Piece::Interp("path.module".into()),
                Piece::Lit(format!("/../{}", f.package.zip_path)),
            ]),
        );
        body.attr("source_code_hash", Value::str(&f.package.sha256_base64));
        if let Some(key) = &f.environment_key {
            body.attr("kms_key_arn", self.arn(key));
        }
        if f.tracing {
            body.block(Block::new("tracing_config", &[]).attr("mode", Value::str("Active")));
        }
        if let Some(dlq) = &f.dead_letter_queue {
            body.block(Block::new("dead_letter_config", &[]).attr("target_arn", self.arn(dlq)));
        }
        if !f.environment.is_empty() {
            body.block(
                Block::new("environment", &[]).attr(
                    "variables",
                    Value::Object(
                        f.environment
                            .iter()
                            .map(|(k, v)| (k.clone(), self.value(v)))
                            .collect(),
                    ),
                ),
            );
        }
        body.block(
            Block::new("logging_config", &[])
                .attr("log_group", self.reference(&f.log_group))
                .attr("log_format", Value::str("JSON")),
        );
        // CloudFormation creates a role with its inline policy in one step;
        // here the policy is its own resource, and Lambda checks the role's
        // permissions (dead-letter queue, event sources) when it creates the
        // function.
        add_depends_on(
            body,
            vec![format!(
                "aws_iam_role_policy.{}",
                self.names[f.role.as_str()]
            )],
        );
    }

    pub(super) fn permission(&self, out: Out<'_>, permission: &Permission) {
        let Out { body, .. } = out;
        body.attr("action", Value::str("lambda:InvokeFunction"));
        body.attr("function_name", self.arn(&permission.function));
        body.attr("principal", Value::str(&permission.principal));
        body.attr("source_arn", self.value(&permission.source_arn));
        if permission.source_account {
            body.attr("source_account", self.value(&Expr(vec![Part::Account])));
        }
    }

    pub(super) fn schedule(&self, out: Out<'_>, schedule: &Schedule) {
        let Out {
            resource,
            name,
            body,
            extra,
        } = out;
        body.attr("description", Value::str(&schedule.description));
        body.attr("schedule_expression", Value::str(&schedule.expression));
        body.attr("state", Value::str("ENABLED"));
        // CloudFormation's inline `Targets` entry.
        extra.push(
            self.resource("aws_cloudwatch_event_target", name)
                .attr(
                    "rule",
                    Value::raw(format!("{}.name", self.address(&resource.id))),
                )
                .attr("target_id", Value::str("function"))
                .attr("arn", self.arn(&schedule.function))
                .block(
                    Block::new("retry_policy", &[])
                        .attr(
                            "maximum_retry_attempts",
                            Value::int(schedule.retry.attempts),
                        )
                        .attr(
                            "maximum_event_age_in_seconds",
                            Value::int(schedule.retry.max_age_seconds),
                        ),
                ),
        );
    }

    pub(super) fn event_source_mapping(&self, out: Out<'_>, mapping: &EventSourceMapping) {
        let Out { body, .. } = out;
        body.attr("function_name", self.reference(&mapping.function));
        body.attr("event_source_arn", self.value(&mapping.source));
        body.attr("batch_size", Value::int(mapping.batch_size));
        if let Some(position) = mapping.starting_position {
            body.attr("starting_position", Value::str(position));
        }
        if let Some(stream) = &mapping.stream_retry {
            body.attr(
                "bisect_batch_on_function_error",
                Value::bool(stream.bisect_on_error),
            );
            body.attr("maximum_retry_attempts", Value::int(stream.retry.attempts));
            body.attr(
                "maximum_record_age_in_seconds",
                Value::int(stream.retry.max_age_seconds),
            );
        }
        if mapping.report_batch_item_failures {
            body.attr(
                "function_response_types",
                Value::strs(["ReportBatchItemFailures"]),
            );
        }
        body.attr("enabled", Value::bool(true));
        if let Some(destination) = &mapping.on_failure {
            body.block(Block::new("destination_config", &[]).block(
                Block::new("on_failure", &[]).attr("destination_arn", self.arn(destination)),
            ));
        }
    }
}
