//! rapport: a terminal CRM. The binary's front ends (TUI, CLI, batch) sit on these modules.

pub mod backup;
pub mod bench;
pub mod clean;
pub mod cli;
pub mod commands;
pub mod config;
pub mod control;
pub mod demo;
pub mod diag;
pub mod domain;
pub mod export;
pub mod import;
pub mod insights;
pub mod logging;
pub mod memory;
pub mod model;
pub mod ops;
pub mod parallel;
pub mod search;
pub mod serve;
pub mod store;
pub mod team;
pub mod text;
pub mod tui;
pub mod user;
