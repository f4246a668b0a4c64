//! Emitters: pure functions from a plan to text for one target.

pub mod cloudformation;
pub mod security;
pub mod terraform;
pub mod yaml;
