//! Terraform for CloudWatch alarms: translation only.

use super::hcl::Value;
use super::{Emitter, Out, number};
use crate::plan::*;

impl Emitter<'_> {
    pub(super) fn alarm(&self, out: Out<'_>, alarm: &Alarm) {
        let Out { body, .. } = out;
        body.attr("alarm_name", Value::str(&alarm.name));
        body.attr("alarm_description", Value::str(&alarm.description));
        body.attr("namespace", Value::str(alarm.namespace));
        body.attr("metric_name", Value::str(alarm.metric));
        body.attr(
            "dimensions",
            Value::Object(
                alarm
                    .dimensions
                    .iter()
                    .map(|(k, v)| (k.to_string(), self.value(v)))
                    .collect(),
            ),
        );
        body.attr("statistic", Value::str(alarm.statistic));
        body.attr("period", Value::int(alarm.period));
        body.attr("evaluation_periods", Value::int(alarm.evaluation_periods));
        body.attr("threshold", Value::raw(number(alarm.threshold)));
        body.attr("comparison_operator", Value::str(alarm.comparison));
        body.attr("treat_missing_data", Value::str(alarm.treat_missing_data));
        if !alarm.actions.is_empty() {
            let actions = Value::List(alarm.actions.iter().map(|a| self.reference(a)).collect());
            body.attr("actions_enabled", Value::bool(true));
            body.attr("alarm_actions", actions.clone());
            body.attr("ok_actions", actions);
        }
    }
}
