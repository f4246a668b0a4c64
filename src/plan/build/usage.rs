//! A REST API's clients: one usage plan (rate, burst, quota) and one API
//! key per client. API Gateway generates each key's value; the plan has no
//! place for one, so templates, outputs, reports and diffs never carry it.

use super::*;
use crate::plan::logical_id::{REST_API, REST_API_STAGE};

impl Builder<'_> {
    pub(super) fn usage_plans(&mut self) {
        let Some(api) = &self.spec.api else { return };
        if api.routes.is_empty() || api.api_type() != spec::ApiType::Rest {
            return;
        }
        let service = self.spec.service.value.clone();
        for (client, limits) in &api.clients {
            let plan_id = logical_id::of(client, "UsagePlan");
            let key_id = logical_id::of(client, "ApiKey");
            let plan = self.add(
                plan_id.clone(),
                None,
                client.loc,
                Kind::UsagePlan(UsagePlan {
                    client: client.value.clone(),
                    name: format!("{service}-{}", client.value),
                    description: format!("Limits of the client {}", client.value),
                    api: REST_API.into(),
                    stage: REST_API_STAGE.into(),
                    throttle: Throttle {
                        rate: limits.rate.value,
                        burst: limits.burst.value,
                    },
                    quota: limits
                        .quota
                        .as_ref()
                        .map(|q| (q.limit, q.period.aws_name())),
                }),
            );
            plan.controls.push(applied(API_CLIENT_LIMITS, None));
            let key = self.add(
                key_id.clone(),
                None,
                client.loc,
                Kind::ApiKey(ApiKey {
                    name: format!("{service}-{}", client.value),
                    description: format!("API key of the client {}", client.value),
                }),
            );
            key.controls.push(applied(API_CLIENT_LIMITS, None));
            let plan_key = self.add(
                logical_id::of(client, "UsagePlanKey"),
                None,
                client.loc,
                Kind::UsagePlanKey(UsagePlanKey {
                    plan: plan_id,
                    key: key_id.clone(),
                }),
            );
            plan_key.controls.push(applied(API_CLIENT_LIMITS, None));
            self.output(
                logical_id::of(client, "ApiKeyId"),
                format!(
                    "ID of the API key of the client {} (its value: aws apigateway get-api-key --include-value --api-key <id>)",
                    client.value
                ),
                Expr::attr(&key_id, Attr::Id),
            );
        }
    }
}
