//! Clean customer data: contacts normalised for matching (never for display), duplicate
//! detection, merges and the data-quality report.

pub mod link;
pub mod normal;
