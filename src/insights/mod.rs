//! Insights computed on demand from a read-only snapshot of the orders: frequent itemsets and
//! association rules, customer segments and suggestions. Pure: a snapshot in, results out.

pub mod bundle;
pub mod cache;
pub mod churn;
pub mod cluster;
pub mod eval;
pub mod forecast;
pub mod fpgrowth;
pub mod lifetime;
pub mod metrics;
pub mod outlook;
pub mod rfm;
pub mod rules;
pub mod segments;
pub mod snapshot;
pub mod suggest;

pub use bundle::{CustomerInsight, Insights};
pub use fpgrowth::{Itemset, frequent_itemsets};
pub use rfm::{Rfm, Segment, rfm};
pub use rules::{Fitted, Rule, RuleOptions, rules, rules_fitting};
pub use segments::{SegmentReport, segments};
pub use snapshot::Snapshot;
