//! The escape hatch controls: each one's catalog entry. They hold on the
//! final artifacts only: checked in `src/controls/artifact.rs`, with the
//! override shapes in `src/controls/overrides.rs`.

use super::ids::*;
use super::{Area, ControlInfo};

pub const CONTROLS: &[ControlInfo] = &[ControlInfo {
    id: OVERRIDES_TUNABLE,
    title: "Overrides change only tunable settings",
    area: Area::Overrides,
    waivable: true,
    enforces: "`overrides:` may change only the settings Palisade lists as tunable for each resource type (memory, timeouts, storage class, descriptions, tags, alarm thresholds, …; `palisade explain PAL-OVR-001` and docs/overrides.md list them). Any other change to the final CloudFormation or Terraform is refused. Structural changes (`Type`, `Condition`, `DependsOn`, Terraform meta-arguments, unknown property names, scanner suppressions in `Metadata`) are refused always.",
    why: "An escape hatch that can set any property can undo any control through a property no control names yet; listing what is tunable makes the accepted surface reviewable.",
    emitted: "Nothing: the final artifacts are compared with what the plan emits.",
    opting_out: "Waive on the function, table, queue, bucket, topic or secret (or `api:`) whose resource the override changes, with a reason; every other control is still checked on the result.",
    fsbp: &[],
    cis: &[],
    well_architected: &["SEC01-BP06"],
    checkov: &[],
    cdk_nag: &[],
    guard: &[],
    protects: &[],
}];
