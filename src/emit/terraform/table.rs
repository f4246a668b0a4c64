//! Terraform for DynamoDB tables: translation only.

use super::hcl::{Block, Value};
use super::{Emitter, Out};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn table(&self, out: Out<'_>, table: &Table) {
        let Out { body, .. } = out;
        let attributes = table.attributes();
        body.attr("name", Value::str(&table.name));
        body.attr("billing_mode", Value::str("PAY_PER_REQUEST"));
        body.attr("hash_key", Value::str(&table.keys.partition.0));
        if let Some((sort, _)) = &table.keys.sort {
            body.attr("range_key", Value::str(sort));
        }
        body.attr(
            "deletion_protection_enabled",
            Value::bool(table.deletion_protection),
        );
        if let Some(view) = table.stream_view {
            body.attr("stream_enabled", Value::bool(true));
            body.attr("stream_view_type", Value::str(view));
        }
        for (name, kind) in attributes {
            body.block(
                Block::new("attribute", &[])
                    .attr("name", Value::str(name))
                    .attr("type", Value::str(kind)),
            );
        }
        for (index, schema) in &table.indexes {
            let mut block = Block::new("global_secondary_index", &[])
                .attr("name", Value::str(index))
                .attr("projection_type", Value::str("ALL"));
            let keys = std::iter::once((&schema.partition.0, "HASH"))
                .chain(schema.sort.as_ref().map(|(name, _)| (name, "RANGE")));
            for (attribute, key_type) in keys {
                block.body.block(
                    Block::new("key_schema", &[])
                        .attr("attribute_name", Value::str(attribute))
                        .attr("key_type", Value::str(key_type)),
                );
            }
            body.block(block);
        }
        body.block(
            Block::new("server_side_encryption", &[])
                .attr("enabled", Value::bool(true))
                .attr("kms_key_arn", self.arn(&table.key)),
        );
        body.block(
            Block::new("point_in_time_recovery", &[])
                .attr("enabled", Value::bool(table.point_in_time_recovery)),
        );
        if let Some(ttl) = &table.ttl_attribute {
            body.block(
                Block::new("ttl", &[])
                    .attr("attribute_name", Value::str(ttl))
                    .attr("enabled", Value::bool(true)),
            );
        }
    }
}
