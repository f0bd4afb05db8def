//! Association rules X → y from frequent itemsets: support, confidence, lift, leverage, conviction.

use super::fpgrowth::{Itemset, TooMany, frequent_itemsets_capped};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    /// Ascending item numbers.
    pub antecedent: Vec<u32>,
    pub consequent: u32,
    /// Transactions holding antecedent and consequent, as a share of all.
    pub support: f64,
    /// Of the transactions holding the antecedent, the share that also hold the consequent.
    pub confidence: f64,
    /// Confidence over the consequent's own support: above 1, they go together more than by chance.
    pub lift: f64,
    pub leverage: f64,
    /// Infinite when the rule never fails.
    pub conviction: f64,
    /// Transactions holding antecedent and consequent.
    pub count: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuleOptions {
    pub min_support: f64,
    pub min_confidence: f64,
    pub min_lift: f64,
    /// Items in a rule, antecedent and consequent together (0 for no limit).
    pub max_len: usize,
    /// Itemsets mined at most before giving up (see [`TooMany`]).
    pub max_itemsets: usize,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            min_support: 0.01,
            min_confidence: 0.5,
            min_lift: 1.0,
            max_len: 0,
            max_itemsets: MAX_ITEMSETS,
        }
    }
}

/// The smallest whole count that reaches a support share: 0.001 of 9,835 baskets is 10 baskets.
pub fn min_count(min_support: f64, transactions: usize) -> u64 {
    ((min_support * transactions as f64) - 1e-9).ceil().max(1.0) as u64
}

/// Itemsets mined at most: enough for any support a rep would ask for, far below what exhausts memory.
pub const MAX_ITEMSETS: usize = 2_000_000;

/// Rules with a one-item consequent, strongest lift first.
pub fn rules(
    transactions: &[Vec<u32>],
    options: &RuleOptions,
) -> Result<(Vec<Itemset>, Vec<Rule>), TooMany> {
    let n = transactions.len();
    let count = min_count(options.min_support, n);
    let itemsets =
        frequent_itemsets_capped(transactions, count, options.max_len, options.max_itemsets)?;
    let rules = rules_from(&itemsets, n, options);
    Ok((itemsets, rules))
}

/// What [`rules_fitting`] found, and the length it capped itemsets at to stay in budget.
pub struct Fitted {
    pub itemsets: Vec<Itemset>,
    pub rules: Vec<Rule>,
    /// The longest itemset kept, where the asked length would have passed `max_itemsets`.
    pub capped_at: Option<usize>,
}

/// As [`rules`], but when more than `max_itemsets` itemsets would be mined it tries shorter
/// itemsets (4 items, 3, then pairs) instead of failing: big baskets at a low support make long
/// itemsets explode, while pairs and triples stay few and are the rules people read.
pub fn rules_fitting(transactions: &[Vec<u32>], options: &RuleOptions) -> Result<Fitted, TooMany> {
    let mut options = *options;
    let mut capped_at = None;
    loop {
        match rules(transactions, &options) {
            Ok((itemsets, rules)) => {
                return Ok(Fitted {
                    itemsets,
                    rules,
                    capped_at,
                });
            }
            Err(too_many) => {
                let shorter = match options.max_len {
                    0 | 5.. => 4,
                    3 | 4 => options.max_len - 1,
                    _ => return Err(too_many),
                };
                options.max_len = shorter;
                capped_at = Some(shorter);
            }
        }
    }
}

pub fn rules_from(itemsets: &[Itemset], transactions: usize, options: &RuleOptions) -> Vec<Rule> {
    let n = transactions as f64;
    let count_of: HashMap<&[u32], u64> = itemsets
        .iter()
        .map(|s| (s.items.as_slice(), s.count))
        .collect();
    let mut out = Vec::new();
    for set in itemsets.iter().filter(|s| s.items.len() >= 2) {
        for (i, &consequent) in set.items.iter().enumerate() {
            let antecedent: Vec<u32> = set
                .items
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &x)| x)
                .collect();
            // Every subset of a frequent set is frequent, so both counts are there.
            let (Some(&x_count), Some(&y_count)) = (
                count_of.get(antecedent.as_slice()),
                count_of.get([consequent].as_slice()),
            ) else {
                continue;
            };
            let support = set.count as f64 / n;
            let confidence = set.count as f64 / x_count as f64;
            let y_support = y_count as f64 / n;
            let lift = confidence / y_support;
            if confidence + 1e-12 < options.min_confidence || lift + 1e-12 < options.min_lift {
                continue;
            }
            out.push(Rule {
                antecedent,
                consequent,
                support,
                confidence,
                lift,
                leverage: support - (x_count as f64 / n) * y_support,
                conviction: if confidence >= 1.0 {
                    f64::INFINITY
                } else {
                    (1.0 - y_support) / (1.0 - confidence)
                },
                count: set.count,
            });
        }
    }
    out.sort_by(|a, b| {
        b.lift
            .total_cmp(&a.lift)
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.antecedent.cmp(&b.antecedent))
            .then(a.consequent.cmp(&b.consequent))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::fpgrowth::brute_force;
    use proptest::prelude::*;

    #[test]
    fn fitting_caps_the_length_only_as_far_as_the_budget_needs() {
        // Ten baskets of the same eight items: 255 itemsets in all, 92 of at most three items.
        let baskets: Vec<Vec<u32>> = (0..10).map(|_| (0..8).collect()).collect();
        let options = RuleOptions {
            min_support: 0.5,
            min_confidence: 0.0,
            min_lift: 0.0,
            max_len: 0,
            max_itemsets: 100,
        };
        let fitted = rules_fitting(&baskets, &options).unwrap();
        assert_eq!(fitted.capped_at, Some(3));
        assert_eq!(fitted.itemsets.len(), 8 + 28 + 56);
        let (itemsets, rules_at_3) = rules(
            &baskets,
            &RuleOptions {
                max_len: 3,
                ..options
            },
        )
        .unwrap();
        assert_eq!(fitted.itemsets, itemsets);
        assert_eq!(fitted.rules, rules_at_3);
        let roomy = rules_fitting(
            &baskets,
            &RuleOptions {
                max_itemsets: 1000,
                ..options
            },
        )
        .unwrap();
        assert_eq!((roomy.capped_at, roomy.itemsets.len()), (None, 255));
        let tight = RuleOptions {
            max_itemsets: 20,
            ..options
        };
        assert!(
            rules_fitting(&baskets, &tight).is_err(),
            "not even pairs fit"
        );
    }

    #[test]
    fn support_shares_become_whole_counts() {
        assert_eq!(min_count(0.001, 9835), 10);
        assert_eq!(min_count(0.01, 9835), 99);
        assert_eq!(min_count(0.5, 10), 5);
        assert_eq!(min_count(0.0, 10), 1);
    }

    #[test]
    fn measures_by_hand() {
        // 4 baskets: {1,2} {1,2} {1} {2,3}
        let t = vec![vec![1, 2], vec![1, 2], vec![1], vec![2, 3]];
        let options = RuleOptions {
            min_support: 0.25,
            min_confidence: 0.0,
            min_lift: 0.0,
            max_len: 0,
            ..RuleOptions::default()
        };
        let (_, rules) = rules(&t, &options).unwrap();
        let r = rules
            .iter()
            .find(|r| r.antecedent == vec![1] && r.consequent == 2)
            .unwrap();
        assert_eq!(r.count, 2);
        assert!((r.support - 0.5).abs() < 1e-12);
        assert!((r.confidence - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.lift - (2.0 / 3.0) / 0.75).abs() < 1e-12);
        assert!((r.leverage - (0.5 - 0.75 * 0.75)).abs() < 1e-12);
        assert!((r.conviction - (0.25 / (1.0 / 3.0))).abs() < 1e-12);
        let sure = rules
            .iter()
            .find(|r| r.antecedent == vec![3] && r.consequent == 2)
            .unwrap();
        assert!(sure.conviction.is_infinite());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Each rule's figures agree with counting the baskets directly, and no qualifying rule is missed.
        #[test]
        fn rules_agree_with_direct_counting(
            t in proptest::collection::vec(proptest::collection::vec(0u32..8, 0..6), 1..30),
            min_count in 1u64..4,
            min_confidence in 0.0f64..1.0,
        ) {
            let n = t.len();
            let options = RuleOptions { min_support: min_count as f64 / n as f64, min_confidence, min_lift: 0.0, max_len: 0, max_itemsets: MAX_ITEMSETS };
            let (_, got) = rules(&t, &options).unwrap();
            let holds = |set: &[u32]| t.iter().filter(|b| set.iter().all(|i| b.contains(i))).count() as f64;
            let mut expected = 0;
            for set in brute_force(&t, min_count, 0).iter().filter(|s| s.items.len() >= 2) {
                for &y in &set.items {
                    let x: Vec<u32> = set.items.iter().copied().filter(|&i| i != y).collect();
                    let confidence = set.count as f64 / holds(&x);
                    if confidence + 1e-12 >= min_confidence {
                        expected += 1;
                        let r = got.iter().find(|r| r.antecedent == x && r.consequent == y);
                        prop_assert!(r.is_some(), "missing {:?} -> {}", x, y);
                        let r = r.unwrap();
                        prop_assert!((r.confidence - confidence).abs() < 1e-9);
                        prop_assert!((r.lift - confidence / (holds(&[y]) / n as f64)).abs() < 1e-9);
                    }
                }
            }
            prop_assert_eq!(got.len(), expected);
        }
    }
}
