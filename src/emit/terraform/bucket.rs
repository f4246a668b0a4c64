//! Terraform for S3 buckets: translation only.

use super::hcl::{Block, Value};
use super::{Emitter, Out, add_depends_on};
use crate::plan::*;

impl Emitter<'_> {
    /// The bucket and, as their own resources, the settings CloudFormation
    /// keeps inside `AWS::S3::Bucket`.
    pub(super) fn bucket(&self, out: Out<'_>, bucket: &Bucket) {
        let Out {
            resource,
            name,
            body,
            extra,
        } = out;
        if let Some(bucket_name) = &bucket.name {
            body.attr("bucket", self.value(bucket_name));
        }
        let this = Value::raw(format!("{}.id", self.address(&resource.id)));
        let companion = |resource_type: &str| {
            self.resource(resource_type, name)
                .attr("bucket", this.clone())
        };
        let default = match &bucket.key {
            Some(key) => Block::new("apply_server_side_encryption_by_default", &[])
                .attr("sse_algorithm", Value::str("aws:kms"))
                .attr("kms_master_key_id", self.arn(key)),
            None => Block::new("apply_server_side_encryption_by_default", &[])
                .attr("sse_algorithm", Value::str("AES256")),
        };
        extra.push(
            companion("aws_s3_bucket_server_side_encryption_configuration").block(
                Block::new("rule", &[])
                    .attr("bucket_key_enabled", Value::bool(bucket.key.is_some()))
                    .block(default),
            ),
        );
        if bucket.versioning {
            extra.push(companion("aws_s3_bucket_versioning").block(
                Block::new("versioning_configuration", &[]).attr("status", Value::str("Enabled")),
            ));
        }
        if bucket.block_public_access {
            extra.push(
                companion("aws_s3_bucket_public_access_block")
                    .attr("block_public_acls", Value::bool(true))
                    .attr("block_public_policy", Value::bool(true))
                    .attr("ignore_public_acls", Value::bool(true))
                    .attr("restrict_public_buckets", Value::bool(true)),
            );
        }
        if bucket.owner_enforced {
            extra.push(companion("aws_s3_bucket_ownership_controls").block(
                Block::new("rule", &[]).attr("object_ownership", Value::str("BucketOwnerEnforced")),
            ));
        }
        if let Some(target) = &bucket.access_log_bucket {
            extra.push(
                companion("aws_s3_bucket_logging")
                    .attr("target_bucket", self.reference(target))
                    .attr("target_prefix", Value::str(&bucket.access_log_prefix)),
            );
        }
        let mut rule = Block::new("rule", &[])
            .attr("id", Value::str("palisade-retention"))
            .attr("status", Value::str("Enabled"))
            // An empty filter applies the rule to every object.
            .block(Block::new("filter", &[]));
        if let Some(days) = bucket.expire_after_days {
            rule = rule.block(Block::new("expiration", &[]).attr("days", Value::int(days)));
        }
        if bucket.versioning {
            rule = rule.block(
                Block::new("noncurrent_version_expiration", &[])
                    .attr("noncurrent_days", Value::int(bucket.noncurrent_expire_days)),
            );
        }
        rule = rule.block(Block::new("abort_incomplete_multipart_upload", &[]).attr(
            "days_after_initiation",
            Value::int(bucket.abort_incomplete_upload_days),
        ));
        let mut lifecycle = companion("aws_s3_bucket_lifecycle_configuration").block(rule);
        if bucket.versioning {
            // Non-current version rules need versioning in place first.
            add_depends_on(
                &mut lifecycle.body,
                vec![format!("aws_s3_bucket_versioning.{name}")],
            );
        }
        extra.push(lifecycle);
        if !bucket.notifications.is_empty() {
            let mut notification = companion("aws_s3_bucket_notification");
            for n in &bucket.notifications {
                let mut block = Block::new("lambda_function", &[])
                    .attr("lambda_function_arn", self.arn(&n.function))
                    .attr("events", Value::strs(["s3:ObjectCreated:*"]));
                if let Some(prefix) = &n.prefix {
                    block = block.attr("filter_prefix", Value::str(prefix));
                }
                if let Some(suffix) = &n.suffix {
                    block = block.attr("filter_suffix", Value::str(suffix));
                }
                notification.body.block(block);
            }
            extra.push(notification);
        }
    }
}
