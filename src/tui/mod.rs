//! The terminal app: four panes over the store, driven by keys and drawn by ratatui. It takes events
//! in and draws into any backend, so tests drive it with `TestBackend` and no terminal.

pub mod action;
pub mod app;
pub mod keymap;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod worker;

pub use app::{RunOptions, run};

/// sled's page cache for the app. Its big reads (summaries, insights) are one pass over the orders,
/// which a cache cannot speed up; the reads it repeats (a customer's page) are small. sled holds
/// about twice this in decoded nodes: 16 MB rather than 32 took 20 MiB off the app's resident memory
/// on the 100,000-customer database, with frames as fast.
pub const CACHE_BYTES: u64 = 16 << 20;
