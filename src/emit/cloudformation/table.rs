//! CloudFormation for DynamoDB tables: translation only.

use serde_json::{Map, Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn table(&self, table: &Table) -> Value {
        let attributes = table.attributes();
        let key_schema = |schema: &KeySchema| {
            let mut keys = vec![json!({ "AttributeName": schema.partition.0, "KeyType": "HASH" })];
            if let Some((name, _)) = &schema.sort {
                keys.push(json!({ "AttributeName": name, "KeyType": "RANGE" }));
            }
            Value::Array(keys)
        };
        let mut properties = Map::new();
        properties.insert("TableName".into(), json!(table.name));
        properties.insert("BillingMode".into(), json!("PAY_PER_REQUEST"));
        properties.insert(
            "AttributeDefinitions".into(),
            Value::Array(
                attributes
                    .iter()
                    .map(|(name, kind)| json!({ "AttributeName": name, "AttributeType": kind }))
                    .collect(),
            ),
        );
        properties.insert("KeySchema".into(), key_schema(&table.keys));
        if !table.indexes.is_empty() {
            properties.insert(
                "GlobalSecondaryIndexes".into(),
                Value::Array(
                    table
                        .indexes
                        .iter()
                        .map(|(name, schema)| json!({ "IndexName": name, "KeySchema": key_schema(schema), "Projection": { "ProjectionType": "ALL" } }))
                        .collect(),
                ),
            );
        }
        properties.insert(
            "SSESpecification".into(),
            json!({ "SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": self.arn(&table.key) }),
        );
        properties.insert(
            "PointInTimeRecoverySpecification".into(),
            json!({ "PointInTimeRecoveryEnabled": table.point_in_time_recovery }),
        );
        properties.insert(
            "DeletionProtectionEnabled".into(),
            json!(table.deletion_protection),
        );
        if let Some(view) = table.stream_view {
            properties.insert(
                "StreamSpecification".into(),
                json!({ "StreamViewType": view }),
            );
        }
        if let Some(ttl) = &table.ttl_attribute {
            properties.insert(
                "TimeToLiveSpecification".into(),
                json!({ "AttributeName": ttl, "Enabled": true }),
            );
        }
        properties.insert("Tags".into(), self.tags());
        Value::Object(properties)
    }
}
