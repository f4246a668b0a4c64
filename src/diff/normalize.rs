//! Canonical form of a resource before comparison, so that differences in
//! order or shape that mean nothing do not show up as changes: tag lists
//! become maps, lists of scalars become sorted sets, lists of keyed objects
//! (statements by `Sid`, policies by `PolicyName`, ...) become maps, and IAM
//! `Action`/`Resource` values are always lists.

use serde_json::{Map, Value};

/// Fields that identify an element of a list of objects (CloudFormation's,
/// then Terraform's nested blocks: `attribute`, `route_settings`, ...).
const KEY_FIELDS: &[&str] = &[
    "Sid",
    "PolicyName",
    "IndexName",
    "AttributeName",
    "Id",
    "Name",
    "name",
    "route_key",
    "attribute_name",
];

pub fn normalize(value: &Value) -> Value {
    normalize_at(value, "")
}

fn normalize_at(value: &Value, field: &str) -> Value {
    match value {
        Value::Object(_) if matches!(field, "Resource" | "NotResource") && is_scalar(value) => {
            Value::Array(vec![value.clone()])
        }
        Value::Object(object) => {
            let mut out = Map::new();
            for (key, value) in object {
                out.insert(key.clone(), normalize_at(value, key));
            }
            Value::Object(out)
        }
        // An intrinsic's arguments are positional (`Fn::GetAtt: [Resource,
        // Attribute]`, `Fn::Join: [separator, parts]`): their order is meaning.
        Value::Array(items) if field.starts_with("Fn::") => Value::Array(
            items
                .iter()
                .map(|v| match v {
                    Value::Array(inner) => {
                        Value::Array(inner.iter().map(|v| normalize_at(v, "")).collect())
                    }
                    other => normalize_at(other, ""),
                })
                .collect(),
        ),
        Value::Array(items) if field == "Tags" && items.iter().all(is_tag) => {
            let mut tags = Map::new();
            for tag in items {
                let key = tag["Key"].as_str().unwrap_or_default().to_string();
                tags.insert(key, tag["Value"].clone());
            }
            Value::Object(tags)
        }
        Value::Array(items) if items.iter().all(is_scalar) => {
            let mut set: Vec<Value> = items.to_vec();
            set.sort_by_key(sort_key);
            set.dedup();
            Value::Array(set)
        }
        Value::Array(items) => match keyed(items).or_else(|| {
            (field == "Statement")
                .then(|| statements_by_grant(items))
                .flatten()
        }) {
            Some(map) => Value::Object(map),
            None => Value::Array(items.iter().map(|v| normalize_at(v, "")).collect()),
        },
        Value::String(_)
            if matches!(field, "Action" | "NotAction" | "Resource" | "NotResource") =>
        {
            Value::Array(vec![value.clone()])
        }
        other => other.clone(),
    }
}

fn is_tag(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.contains_key("Key") && o.contains_key("Value"))
}

/// Strings, numbers and booleans, and intrinsic functions (which stand for one value).
fn is_scalar(value: &Value) -> bool {
    match value {
        Value::Object(object) => {
            object.len() == 1 && object.keys().all(|k| k == "Ref" || k.starts_with("Fn::"))
        }
        Value::Array(_) => false,
        _ => true,
    }
}

fn sort_key(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Whether an object carries a field that identifies it in a list.
pub fn identifies(item: &Value) -> bool {
    KEY_FIELDS
        .iter()
        .any(|field| item.get(*field).is_some_and(Value::is_string))
}

/// A list of objects that all carry the same identifying field, as a map
/// from that field's value to the normalised object.
fn keyed(items: &[Value]) -> Option<Map<String, Value>> {
    let field = KEY_FIELDS.iter().find(|field| {
        items
            .iter()
            .all(|item| item.get(**field).is_some_and(Value::is_string))
    })?;
    let mut map = Map::new();
    for item in items {
        let key = item[*field].as_str().unwrap_or_default().to_string();
        if map
            .insert(format!("{field}={key}"), normalize_at(item, ""))
            .is_some()
        {
            return None;
        }
    }
    Some(map)
}

/// Statements without `Sid`s, keyed by whom they concern and on what (effect,
/// principal, resources), so an added action or condition reads as a change
/// of that statement rather than a different statement.
fn statements_by_grant(items: &[Value]) -> Option<Map<String, Value>> {
    let mut map = Map::new();
    for item in items {
        let normalized = normalize_at(item, "");
        let key = serde_json::json!([
            normalized.get("Effect"),
            normalized.get("Principal"),
            normalized.get("Resource")
        ])
        .to_string();
        if map.insert(key, normalized).is_some() {
            return None;
        }
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tags_become_a_map_and_scalar_lists_a_set() {
        let value = json!({ "Tags": [{ "Key": "b", "Value": "2" }, { "Key": "a", "Value": "1" }], "AllowOrigins": ["https://b", "https://a"] });
        assert_eq!(
            normalize(&value),
            json!({ "Tags": { "b": "2", "a": "1" }, "AllowOrigins": ["https://a", "https://b"] })
        );
    }

    #[test]
    fn statements_are_keyed_by_sid_and_actions_are_lists() {
        let value = json!({ "Statement": [{ "Sid": "X", "Action": "s3:GetObject", "Resource": { "Ref": "B" } }] });
        assert_eq!(
            normalize(&value),
            json!({ "Statement": { "Sid=X": { "Sid": "X", "Action": ["s3:GetObject"], "Resource": [{ "Ref": "B" }] } } })
        );
    }
}
