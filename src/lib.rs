//! Palisade: a compiler from a short service spec to secure-by-default
//! CloudFormation and Terraform. Data flows one way: spec → plan → emit.

pub mod catalog;
pub mod check;
pub mod cli;
pub mod controls;
pub mod deploy;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod error;
pub mod graph;
pub mod iam;
pub mod input;
pub mod output;
pub mod package;
pub mod pipeline;
pub mod plan;
pub mod process;
pub mod scaffold;
pub mod schema;
pub mod spec;
pub mod suggest;
pub mod templates;
pub mod text;

pub use error::{Error, Result};
