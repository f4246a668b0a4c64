//! The controls' checks: on the finished plan (`verify`), on override shapes
//! (`overrides`) and on the final artifacts (`artifact`). What each control
//! is lives in the leaf `crate::catalog`; this layer sits above the plan.

pub mod artifact;
pub mod overrides;
pub mod translate;
pub mod tunable;
pub mod verify;

pub use crate::catalog::{
    Area, CATALOG, ControlInfo, EVERY_SETTING, Protected, Target, catalog_markdown, find, ids,
};
