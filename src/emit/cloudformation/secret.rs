//! CloudFormation for secrets and their rotation: translation only.

use serde_json::{Map, Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn secret(&self, secret: &Secret) -> Value {
        let mut properties = Map::new();
        properties.insert("Name".into(), json!(secret.name));
        if let Some(description) = &secret.description {
            properties.insert("Description".into(), json!(description));
        }
        properties.insert("KmsKeyId".into(), self.arn(&secret.key));
        properties.insert("Tags".into(), self.tags());
        Value::Object(properties)
    }

    pub(super) fn rotation_schedule(&self, rotation: &RotationSchedule) -> Value {
        json!({
            "SecretId": self.reference(&rotation.secret),
            "RotationLambdaARN": self.arn(&rotation.function),
            "RotationRules": { "ScheduleExpression": rotation.schedule },
        })
    }
}
