//! Everything the app shows from the insights, computed together from one snapshot and cached by the
//! store's data version: an unchanged database answers from the cache.

use super::cluster::ClusterCount;
use super::rfm::Segment;
use super::rules::{Rule, RuleOptions, rules_fitting};
use super::segments::{SegmentReport, segments};
use super::snapshot::Snapshot;
use super::suggest::{Model, Suggestion};
use crate::domain::CustomerId;
use crate::store::{Store, StoreError};
use std::collections::HashMap;

/// Itemsets mined for the app's rules before falling back to pairs: found in a fraction of a second.
pub const INTERACTIVE_ITEMSETS: usize = 200_000;

pub struct Insights {
    pub version: u64,
    /// Product names by item number; the purchases themselves are dropped once everything is
    /// computed (at 100,000 customers they are 55 MB the app would carry all day).
    item_names: Vec<String>,
    pub segments: SegmentReport,
    /// Rules over orders at the default thresholds, strongest lift first.
    pub rules: Vec<Rule>,
    pub model: Model,
    /// Each customer's row in `segments.rows`.
    row_of: HashMap<CustomerId, usize>,
}

/// What a customer's page shows from the insights.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerInsight {
    pub segment: Segment,
    pub scores: (u8, u8, u8),
    pub cluster: Option<String>,
    pub suggestions: Vec<(String, String)>,
}

impl Insights {
    pub fn compute(store: &Store) -> Result<Insights, StoreError> {
        let snapshot = Snapshot::load(store)?;
        let segments =
            segments(&snapshot, None, ClusterCount::Auto, 7).unwrap_or_else(|_| SegmentReport {
                rows: Vec::new(),
                clustering: None,
                as_of: None,
            });
        let baskets = snapshot.order_baskets();
        let min_support = (10.0 / baskets.len().max(1) as f64).max(0.005);
        // Triples where the data allows, pairs where big baskets would make triples explode.
        let options = RuleOptions {
            min_support,
            min_confidence: 0.3,
            min_lift: 1.0,
            max_len: 3,
            // A screen, not a report: give up on triples early and show pairs.
            max_itemsets: INTERACTIVE_ITEMSETS,
        };
        let rules = rules_fitting(&baskets, &options)
            .map(|fitted| fitted.rules)
            .unwrap_or_default();
        let model = Model::build(&snapshot);
        let row_of = segments
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.customer, i))
            .collect();
        Ok(Insights {
            version: snapshot.version,
            item_names: snapshot.products.iter().map(|p| p.name.clone()).collect(),
            segments,
            rules,
            model,
            row_of,
        })
    }

    pub fn item_name(&self, item: u32) -> &str {
        self.item_names
            .get(item as usize)
            .map_or("?", String::as_str)
    }

    pub fn for_customer(&self, customer: CustomerId, top: usize) -> Option<CustomerInsight> {
        let row = *self.row_of.get(&customer)?;
        let r = &self.segments.rows[row];
        let cluster = self.segments.clustering.as_ref().map(|c| {
            format!(
                "{} ({})",
                c.assignment[row] + 1,
                c.clusters[c.assignment[row]].description
            )
        });
        let suggestions = self
            .model
            .suggest(customer, top)
            .into_iter()
            .map(|s: Suggestion| (self.item_name(s.item).to_string(), s.reason))
            .collect();
        Some(CustomerInsight {
            segment: r.segment,
            scores: (r.r, r.f, r.m),
            cluster,
            suggestions,
        })
    }

    /// The customers worth a call first: the highest spenders among Champions, Loyal and
    /// Can't-lose-them, each with their best suggestion.
    /// `keep` narrows them (a rep's own customers).
    pub fn calls_to_make(
        &self,
        n: usize,
        keep: impl Fn(CustomerId) -> bool,
    ) -> Vec<(CustomerId, Segment, Suggestion)> {
        let mut rows: Vec<_> = self
            .segments
            .rows
            .iter()
            .filter(|r| {
                matches!(
                    r.segment,
                    Segment::Champions | Segment::Loyal | Segment::CantLoseThem
                ) && keep(r.customer)
            })
            .collect();
        rows.sort_by(|a, b| {
            b.monetary
                .cmp(&a.monetary)
                .then(a.customer.cmp(&b.customer))
        });
        rows.into_iter()
            .filter_map(|r| {
                self.model
                    .suggest(r.customer, 1)
                    .into_iter()
                    .next()
                    .map(|s| (r.customer, r.segment, s))
            })
            .take(n)
            .collect()
    }
}
