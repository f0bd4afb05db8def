//! How well a score ranks the customers who went on to do something (churn, here): the area under
//! the ROC curve and the precision of the top of the list, as scikit-learn reckons them.

/// The chance that a random positive outscores a random negative, ties counting half: the
/// Mann-Whitney statistic, which is what `roc_auc_score` gives. None without both classes.
pub fn auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    assert_eq!(scores.len(), positive.len(), "a label per score");
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut positives) = (0.0, 0usize);
    let mut start = 0;
    while start < order.len() {
        // A run of equal scores shares the mean of its ranks (1-based).
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            if positive[i] {
                rank_sum += rank;
                positives += 1;
            }
        }
        start = end;
    }
    let negatives = scores.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// The share of positives among the `fraction` of customers scored highest (rounded up, at least
/// one); among equal scores, the earlier customer first. None for no customers.
pub fn precision_at(scores: &[f64], positive: &[bool], fraction: f64) -> Option<f64> {
    assert_eq!(scores.len(), positive.len(), "a label per score");
    if scores.is_empty() {
        return None;
    }
    let top = ((scores.len() as f64 * fraction).ceil() as usize).clamp(1, scores.len());
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let hits = order[..top].iter().filter(|&&i| positive[i]).count();
    Some(hits as f64 / top as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn auc_matches_scikit_learns_example() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        let auc = auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap();
        assert!((auc - 0.75).abs() < 1e-12, "{auc}");
        assert_eq!(super::auc(&[0.3, 0.2], &[true, true]), None);
    }

    #[test]
    fn precision_counts_the_top_share() {
        let scores = [0.9, 0.1, 0.8, 0.7, 0.2];
        let positive = [true, false, false, true, false];
        assert_eq!(precision_at(&scores, &positive, 0.2), Some(1.0));
        assert_eq!(precision_at(&scores, &positive, 0.4), Some(0.5));
        assert_eq!(precision_at(&scores, &positive, 0.6), Some(2.0 / 3.0));
        assert_eq!(precision_at(&[], &[], 0.1), None);
    }

    proptest! {
        /// Against every positive-negative pair counted one by one, ties as a half.
        #[test]
        fn auc_equals_counting_every_pair(
            rows in proptest::collection::vec((0u8..6, any::<bool>()), 0..60),
        ) {
            let scores: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
            let positive: Vec<bool> = rows.iter().map(|r| r.1).collect();
            let (mut wins, mut pairs) = (0.0, 0.0);
            for (i, &pi) in positive.iter().enumerate() {
                for (j, &pj) in positive.iter().enumerate() {
                    if pi && !pj {
                        pairs += 1.0;
                        wins += match scores[i].total_cmp(&scores[j]) {
                            std::cmp::Ordering::Greater => 1.0,
                            std::cmp::Ordering::Equal => 0.5,
                            std::cmp::Ordering::Less => 0.0,
                        };
                    }
                }
            }
            let expected = (pairs > 0.0).then(|| wins / pairs);
            match (auc(&scores, &positive), expected) {
                (Some(got), Some(want)) => prop_assert!((got - want).abs() < 1e-12, "{got} vs {want}"),
                (got, want) => prop_assert_eq!(got, want),
            }
        }
    }
}
