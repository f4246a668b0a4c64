//! CloudFormation for AWS WAF: translation only.

use serde_json::{Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn web_acl(&self, acl: &WebAcl) -> Value {
        let visibility = |metric: &str| {
            json!({
                "SampledRequestsEnabled": true,
                "CloudWatchMetricsEnabled": true,
                "MetricName": metric,
            })
        };
        let mut rules = vec![json!({
            "Name": WebAcl::RATE_RULE,
            "Priority": 0,
            "Action": { "Block": {} },
            "Statement": {
                "RateBasedStatement": {
                    "Limit": acl.rate_per_ip,
                    "EvaluationWindowSec": acl.window,
                    "AggregateKeyType": "IP",
                },
            },
            "VisibilityConfig": visibility(WebAcl::RATE_RULE),
        })];
        for (priority, name) in (1..).zip(&acl.managed_rules) {
            rules.push(json!({
                "Name": name,
                "Priority": priority,
                "OverrideAction": { "None": {} },
                "Statement": {
                    "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": name },
                },
                "VisibilityConfig": visibility(name),
            }));
        }
        json!({
            "Name": acl.name,
            "Scope": "REGIONAL",
            "DefaultAction": { "Allow": {} },
            "Rules": rules,
            "VisibilityConfig": visibility(&acl.metric),
            "Tags": self.tags(),
        })
    }

    pub(super) fn web_acl_association(&self, association: &WebAclAssociation) -> Value {
        json!({
            "ResourceArn": self.expr(&association.resource),
            "WebACLArn": self.arn(&association.acl),
        })
    }

    pub(super) fn web_acl_logging(&self, logging: &WebAclLogging) -> Value {
        json!({
            "ResourceArn": self.arn(&logging.acl),
            "LogDestinationConfigs": [self.expr(&logging.destination)],
            "RedactedFields": logging
                .redacted_headers
                .iter()
                .map(|name| json!({ "SingleHeader": { "Name": name } }))
                .collect::<Vec<_>>(),
        })
    }
}
