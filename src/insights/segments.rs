//! RFM segments and k-means clusters together, for the segments command, exports and the TUI.

use super::cluster::{ClusterCount, ClusterError, Clustering, cluster, features};
use super::rfm::{Rfm, Segment, rfm};
use super::snapshot::Snapshot;
use crate::domain::{CustomerId, Money, Timestamp};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentReport {
    pub rows: Vec<Rfm>,
    /// None when there are too few customers to cluster.
    pub clustering: Option<Clustering>,
    pub as_of: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SegmentSummary {
    pub segment: Segment,
    pub customers: usize,
    pub revenue: Money,
    pub customer_share: f64,
    pub revenue_share: f64,
}

pub fn segments(
    snapshot: &Snapshot,
    as_of: Option<Timestamp>,
    k: ClusterCount,
    seed: u64,
) -> Result<SegmentReport, ClusterError> {
    let (rows, x) = customer_features(snapshot, as_of);
    let clustering = match cluster(&x, k, seed) {
        Ok(c) => Some(c),
        Err(ClusterError::TooFew { .. }) => None,
        Err(e) => return Err(e),
    };
    Ok(SegmentReport {
        rows,
        clustering,
        as_of,
    })
}

impl SegmentReport {
    /// Each segment's size and share of customers and revenue, in the rule table's order.
    pub fn summary(&self) -> Vec<SegmentSummary> {
        let total_revenue: f64 = self.rows.iter().map(|r| r.monetary.to_f64()).sum();
        let n = self.rows.len().max(1) as f64;
        Segment::ALL
            .iter()
            .map(|&segment| {
                let members = self.rows.iter().filter(|r| r.segment == segment);
                let (customers, revenue) =
                    members.fold((0, Money::ZERO), |(c, m), r| (c + 1, m + r.monetary));
                SegmentSummary {
                    segment,
                    customers,
                    revenue,
                    customer_share: customers as f64 / n,
                    revenue_share: if total_revenue > 0.0 {
                        revenue.to_f64() / total_revenue
                    } else {
                        0.0
                    },
                }
            })
            .collect()
    }

    pub fn cluster_of(&self, row: usize) -> Option<usize> {
        self.clustering.as_ref().map(|c| c.assignment[row])
    }
}

/// Each buyer's RFM figures and the standardised feature matrix k-means runs on, row for row.
pub fn customer_features(
    snapshot: &Snapshot,
    as_of: Option<Timestamp>,
) -> (Vec<crate::insights::rfm::Rfm>, ndarray::Array2<f64>) {
    let rows = rfm(snapshot, as_of);
    let mut units: HashMap<CustomerId, f64> = HashMap::new();
    for p in &snapshot.purchases {
        if let Some(c) = p.customer
            && as_of.is_none_or(|t| p.placed <= t)
        {
            *units.entry(c).or_default() += p.units as f64;
        }
    }
    let unit_column: Vec<f64> = rows
        .iter()
        .map(|r| units.get(&r.customer).copied().unwrap_or(0.0))
        .collect();
    let x = features(&rows, &unit_column);
    (rows, x)
}
