//! DynamoDB tables.

use super::*;

impl Builder<'_> {
    pub(super) fn tables(&mut self) {
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
                self.of(name, "TableName"),
                format!("Name of table {}", name.value),
                Expr::attr(&id, Attr::Name),
            );
        }
    }
}
