//! CloudFormation for CloudWatch alarms: translation only.

use serde_json::{Value, json};

use super::Emitter;
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn alarm(&self, alarm: &Alarm) -> Value {
        let actions: Vec<Value> = alarm.actions.iter().map(|a| self.reference(a)).collect();
        let mut properties = json!({
            "AlarmName": alarm.name,
            "AlarmDescription": alarm.description,
            "Namespace": alarm.namespace,
            "MetricName": alarm.metric,
            "Dimensions": alarm.dimensions.iter().map(|(name, value)| json!({ "Name": name, "Value": self.expr(value) })).collect::<Vec<_>>(),
            "Statistic": alarm.statistic,
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "Threshold": alarm.threshold,
            "ComparisonOperator": alarm.comparison,
            "TreatMissingData": alarm.treat_missing_data,
        });
        if !actions.is_empty() {
            properties["ActionsEnabled"] = json!(true);
            properties["AlarmActions"] = json!(actions);
            properties["OKActions"] = json!(actions);
        }
        properties["Tags"] = self.tags();
        properties
    }
}
