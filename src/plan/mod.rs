//! The plan: the resolved, provider-neutral stack. The one place where
//! security decisions are made; emitters only translate it.

pub mod build;
pub mod deploy;
pub mod iam;
pub mod kinds;
pub mod logical_id;
mod model;
pub mod suppressions;

pub use build::{PackageRef, Packages, authorizer_config};
pub use model::*;

use crate::diagnostic::{Code, Diagnostic};
use crate::error::Error;
use crate::spec::Spec;

/// Spec → plan: builds it and checks logical IDs are unique. Spec problems
/// come back as diagnostics. The controls are verified on the result by the
/// pipeline (`crate::pipeline`), the layer above both.
pub fn compile(spec: &Spec, packages: &Packages) -> Result<Plan, CompileError> {
    let plan = build::build(spec, packages);
    let mut diagnostics = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    for resource in &plan.resources {
        if let Some(first) = seen.insert(resource.id.as_str(), resource) {
            diagnostics.push(Diagnostic::error(
                Code::NameDuplicate,
                resource.loc,
                format!(
                    "two resources would both be called `{}` (from `{}` and `{}`); rename one",
                    resource.id,
                    first.source.as_deref().unwrap_or("the service"),
                    resource.source.as_deref().unwrap_or("the service"),
                ),
            ));
        }
    }
    if !diagnostics.is_empty() {
        return Err(CompileError::Invalid(diagnostics));
    }
    Ok(plan)
}

/// Why a spec did not compile.
#[derive(Debug)]
pub enum CompileError {
    /// The spec is at fault (diagnostics without a file name yet).
    Invalid(Vec<Diagnostic>),
    /// Palisade is at fault.
    Bug(Error),
}
