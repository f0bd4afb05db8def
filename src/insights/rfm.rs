//! Recency, frequency and monetary value per customer, scored 1-5 by quintiles, and the named segments
//! those scores fall into.

use super::snapshot::Snapshot;
use crate::domain::{CustomerId, Money, Timestamp};
use std::collections::HashMap;
use std::ops::RangeInclusive;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Segment {
    Champions,
    Loyal,
    New,
    Promising,
    PotentialLoyalists,
    NeedAttention,
    CantLoseThem,
    AtRisk,
    Lost,
    Hibernating,
}

impl Segment {
    pub fn name(self) -> &'static str {
        match self {
            Segment::Champions => "Champions",
            Segment::Loyal => "Loyal",
            Segment::New => "New",
            Segment::Promising => "Promising",
            Segment::PotentialLoyalists => "Potential loyalists",
            Segment::NeedAttention => "Need attention",
            Segment::CantLoseThem => "Can't lose them",
            Segment::AtRisk => "At risk",
            Segment::Lost => "Lost",
            Segment::Hibernating => "Hibernating",
        }
    }

    /// What the name means, in a rep's words.
    pub fn plain(self) -> &'static str {
        match self {
            Segment::Champions => "bought recently, often, spends a lot",
            Segment::Loyal => "buys often and spends well",
            Segment::New => "first bought lately",
            Segment::Promising => "bought lately, not often yet",
            Segment::PotentialLoyalists => "recent buyer who could buy more often",
            Segment::NeedAttention => "was good, buying less lately",
            Segment::CantLoseThem => "spent a lot, but not for a long while",
            Segment::AtRisk => "used to buy often, slipping away",
            Segment::Lost => "bought little, long ago",
            Segment::Hibernating => "quiet for a while, small spender",
        }
    }

    pub const ALL: [Segment; 10] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::New,
        Segment::Promising,
        Segment::PotentialLoyalists,
        Segment::NeedAttention,
        Segment::CantLoseThem,
        Segment::AtRisk,
        Segment::Lost,
        Segment::Hibernating,
    ];

    pub fn parse(text: &str) -> Option<Segment> {
        let wanted = crate::text::loose_key(text);
        Segment::ALL
            .into_iter()
            .find(|s| crate::text::loose_key(s.name()) == wanted)
    }
}

/// The segment rules, first match wins: recency score, then the frequency-and-money score
/// (F and M averaged, halves rounded up). Every one of the 25 cells is covered (a test checks).
pub const SEGMENT_RULES: &[(Segment, RangeInclusive<u8>, RangeInclusive<u8>)] = &[
    (Segment::Champions, 4..=5, 4..=5),
    (Segment::Loyal, 3..=5, 3..=5),
    (Segment::New, 5..=5, 1..=1),
    (Segment::Promising, 4..=4, 1..=1),
    (Segment::PotentialLoyalists, 3..=5, 1..=2),
    (Segment::NeedAttention, 2..=2, 2..=3),
    (Segment::CantLoseThem, 1..=1, 4..=5),
    (Segment::AtRisk, 1..=2, 3..=5),
    (Segment::Lost, 1..=1, 1..=1),
    (Segment::Hibernating, 1..=2, 1..=2),
];

pub fn segment_for(r: u8, f: u8, m: u8) -> Segment {
    let fm = (f + m).div_ceil(2);
    SEGMENT_RULES
        .iter()
        .find(|(_, rr, fr)| rr.contains(&r) && fr.contains(&fm))
        .map(|(s, _, _)| *s)
        .expect("the rules cover every score")
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rfm {
    pub customer: CustomerId,
    pub recency_days: i64,
    pub frequency: u32,
    pub monetary: Money,
    /// Days from first purchase to the as-of date.
    pub tenure_days: i64,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
}

/// RFM for every customer with a purchase, as of `as_of` (by default the newest purchase in the data,
/// so an old imported history does not make everyone "Lost").
pub fn rfm(snapshot: &Snapshot, as_of: Option<Timestamp>) -> Vec<Rfm> {
    let Some(newest) = snapshot.purchases.iter().map(|p| p.placed).max() else {
        return Vec::new();
    };
    let as_of = as_of.unwrap_or(newest);
    struct Acc {
        first: Timestamp,
        last: Timestamp,
        orders: u32,
        spent: Money,
    }
    let mut by_customer: HashMap<CustomerId, Acc> = HashMap::new();
    for p in snapshot.purchases.iter().filter(|p| p.placed <= as_of) {
        let Some(c) = p.customer else { continue };
        let acc = by_customer.entry(c).or_insert(Acc {
            first: p.placed,
            last: p.placed,
            orders: 0,
            spent: Money::ZERO,
        });
        acc.first = acc.first.min(p.placed);
        acc.last = acc.last.max(p.placed);
        acc.orders += 1;
        acc.spent = acc.spent + p.amount;
    }
    let mut rows: Vec<Rfm> = by_customer
        .into_iter()
        .map(|(customer, a)| Rfm {
            customer,
            recency_days: (as_of - a.last).num_days(),
            frequency: a.orders,
            monetary: a.spent,
            tenure_days: (as_of - a.first).num_days(),
            r: 0,
            f: 0,
            m: 0,
            segment: Segment::Lost,
        })
        .collect();
    rows.sort_by_key(|r| r.customer);
    // Fewer days since the last purchase is better, so recency is scored on its negative.
    let r = quintiles(&rows.iter().map(|x| -x.recency_days).collect::<Vec<_>>());
    let f = quintiles(&rows.iter().map(|x| x.frequency as i64).collect::<Vec<_>>());
    let m = quintiles(&rows.iter().map(|x| x.monetary.0).collect::<Vec<_>>());
    for (i, row) in rows.iter_mut().enumerate() {
        row.r = r[i];
        row.f = f[i];
        row.m = m[i];
        row.segment = segment_for(r[i], f[i], m[i]);
    }
    rows
}

/// Scores 1-5 by where each value stands: 1 + 5 × (share of values strictly below it), capped at 5.
/// Equal values always get equal scores.
pub fn quintiles(values: &[i64]) -> Vec<u8> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = values.len().max(1);
    values
        .iter()
        .map(|v| {
            let below = sorted.partition_point(|x| x < v);
            (1 + 5 * below / n).min(5) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_score_has_exactly_one_first_match() {
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    segment_for(r, f, m);
                }
            }
        }
        assert_eq!(segment_for(5, 5, 5), Segment::Champions);
        assert_eq!(segment_for(5, 1, 1), Segment::New);
        assert_eq!(segment_for(1, 1, 1), Segment::Lost);
        assert_eq!(segment_for(1, 5, 5), Segment::CantLoseThem);
        assert_eq!(
            segment_for(1, 3, 4),
            Segment::CantLoseThem,
            "FM rounds 3.5 up"
        );
        assert_eq!(segment_for(1, 3, 3), Segment::AtRisk);
        assert_eq!(segment_for(2, 1, 1), Segment::Hibernating);
        // Every segment is reachable.
        let mut seen = std::collections::HashSet::new();
        for r in 1..=5 {
            for fm in 1..=5 {
                seen.insert(segment_for(r, fm, fm));
            }
        }
        assert_eq!(seen.len(), Segment::ALL.len());
    }

    #[test]
    fn quintiles_spread_distinct_values_and_tie_equal_ones() {
        assert_eq!(
            quintiles(&[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]),
            vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        assert_eq!(quintiles(&[1, 1, 1, 1, 9]), vec![1, 1, 1, 1, 5]);
        assert!(quintiles(&[]).is_empty());
    }

    #[test]
    fn segment_names_parse_loosely() {
        assert_eq!(
            Segment::parse("cant-lose-them"),
            Some(Segment::CantLoseThem)
        );
        assert_eq!(
            Segment::parse("Potential Loyalists"),
            Some(Segment::PotentialLoyalists)
        );
        assert_eq!(Segment::parse("vip"), None);
    }
}
