//! `overrides:` are merged after planning, so the controls they could undo are
//! checked here: an override may not touch a property a control sets on that
//! resource unless the spec waives the control there.

use crate::diagnostic::{Code, Diagnostic};
use crate::plan::Plan;
use crate::spec::Overrides;
use crate::suggest::did_you_mean;

/// Diagnostics for CloudFormation overrides that name no generated resource
/// or undo a control.
pub fn check(plan: &Plan, overrides: &Overrides) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (id, patch) in &overrides.cloudformation {
        let Some(resource) = plan.get(id) else {
            let suggestion = did_you_mean(id, plan.resources.iter().map(|r| r.id.as_str()))
                .map(|s| format!("did you mean `{s}`?"));
            let mut d = Diagnostic::error(
                Code::OverrideTarget,
                id.loc,
                format!("`{}` is not a resource Palisade generates", id.value),
            );
            d.suggestion = suggestion
                .or_else(|| Some("`palisade build` and look at the template's logical IDs".into()));
            found.push(d);
            continue;
        };
        let Some(patch) = patch.value.as_object() else {
            found.push(Diagnostic::error(
                Code::WrongType,
                patch.loc,
                "an override is a mapping (for example `{ Properties: { ... } }`)",
            ));
            continue;
        };
        let cfn_type = crate::emit::cloudformation::resource_type(plan, resource);
        let mut touched: Vec<&str> = patch
            .get("Properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        touched.extend(
            ["DeletionPolicy", "UpdateReplacePolicy"]
                .into_iter()
                .filter(|k| patch.contains_key(*k)),
        );
        let touched: Vec<&str> = touched
            .into_iter()
            .map(|k| {
                if k == "UpdateReplacePolicy" {
                    "DeletionPolicy"
                } else {
                    k
                }
            })
            .collect();
        for applied in resource.controls.iter().filter(|c| c.waived.is_none()) {
            let Some(control) = super::find(applied.control) else {
                continue;
            };
            for protected in control.protects.iter().filter(|p| p.cfn_type == cfn_type) {
                if touched.contains(&protected.cfn_property) {
                    found.push(undoes(id, protected.cfn_property, control));
                }
            }
        }
    }
    found
}

/// The diagnostic for an override (at `target`, in either target's section)
/// that changes `key`, which `control` sets and the spec does not waive.
pub fn undoes(target: &crate::spec::Name, key: &str, control: &super::ControlInfo) -> Diagnostic {
    Diagnostic::error(
        Code::OverrideUndoesControl,
        target.loc,
        format!(
            "this override changes `{key}` on {}, which {} ({}) sets",
            target.value, control.id, control.title
        ),
    )
    .with_suggestion(if control.waivable {
        format!(
            "waive {} on the resource with a reason, or drop the override",
            control.id
        )
    } else {
        format!("{} cannot be waived; drop the override", control.id)
    })
}
