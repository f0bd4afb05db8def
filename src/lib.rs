//! rapport: a terminal CRM. The binary's front ends (TUI, CLI, batch) sit on these modules.

pub mod domain;
pub mod store;
