//! CloudFormation for a REST API's clients: translation only.

use serde_json::{Map, Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn usage_plan(&self, plan: &UsagePlan) -> Value {
        let mut properties = Map::new();
        properties.insert("UsagePlanName".into(), json!(plan.name));
        properties.insert("Description".into(), json!(plan.description));
        properties.insert(
            "ApiStages".into(),
            json!([{ "ApiId": self.reference(&plan.api), "Stage": self.reference(&plan.stage) }]),
        );
        properties.insert(
            "Throttle".into(),
            json!({ "RateLimit": plan.throttle.rate, "BurstLimit": plan.throttle.burst }),
        );
        if let Some((limit, period)) = plan.quota {
            properties.insert("Quota".into(), json!({ "Limit": limit, "Period": period }));
        }
        properties.insert("Tags".into(), self.tags());
        Value::Object(properties)
    }

    /// No `Value` and no `Name`: API Gateway generates both.
    pub(super) fn api_key(&self, key: &ApiKey) -> Value {
        json!({
            "Description": key.description,
            "Enabled": true,
            "Tags": self.tags(),
        })
    }

    pub(super) fn usage_plan_key(&self, plan_key: &UsagePlanKey) -> Value {
        json!({
            "KeyId": self.reference(&plan_key.key),
            "KeyType": "API_KEY",
            "UsagePlanId": self.reference(&plan_key.plan),
        })
    }
}
