//! FP-growth and the rules on the classic groceries data, against the published reference figures
//! (Borgelt's FP-growth via pyfim, matching R's arules): see ../shared/data/README.md.

mod common;

use rapport::insights::rules::{min_count, rules_from};
use rapport::insights::{RuleOptions, Snapshot, frequent_itemsets};
use rapport::store::Store;

fn groceries() -> Option<(tempfile::TempDir, Snapshot)> {
    let file = common::dataset("groceries.csv")?;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    rapport::import::import_baskets(&store, &file, chrono::Utc::now(), &mut |_| {}).unwrap();
    let snapshot = Snapshot::load(&store).unwrap();
    Some((dir, snapshot))
}

fn names(snapshot: &Snapshot, items: &[u32]) -> Vec<String> {
    let mut names: Vec<String> = items
        .iter()
        .map(|&i| snapshot.item_name(i).to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn groceries_reference_figures() {
    let Some((_dir, snapshot)) = groceries() else {
        return;
    };
    let baskets = snapshot.order_baskets();
    assert_eq!(baskets.len(), 9835);
    assert_eq!(snapshot.products.len(), 169);

    // Support 0.001: an itemset in at least 10 baskets.
    assert_eq!(min_count(0.001, baskets.len()), 10);
    let sets = frequent_itemsets(&baskets, 10, 0);
    assert_eq!(sets.len(), 13_492);
    let confident = RuleOptions {
        min_support: 0.001,
        min_confidence: 0.5,
        min_lift: 0.0,
        max_len: 0,
    };
    assert_eq!(rules_from(&sets, baskets.len(), &confident).len(), 5_668);

    let pair = sets
        .iter()
        .filter(|s| s.items.len() == 2)
        .max_by_key(|s| s.count)
        .unwrap();
    assert_eq!(
        names(&snapshot, &pair.items),
        ["other vegetables", "whole milk"]
    );
    assert_eq!(pair.count, 736);

    // Support 0.01.
    let sets = frequent_itemsets(&baskets, min_count(0.01, baskets.len()), 0);
    assert_eq!(sets.len(), 333);
    let options = RuleOptions {
        min_support: 0.01,
        min_confidence: 0.5,
        min_lift: 0.0,
        max_len: 0,
    };
    let rules = rules_from(&sets, baskets.len(), &options);
    assert_eq!(rules.len(), 15);
    let top = &rules[0];
    assert_eq!(
        names(&snapshot, &top.antecedent),
        ["citrus fruit", "root vegetables"]
    );
    assert_eq!(snapshot.item_name(top.consequent), "other vegetables");
    assert!((top.support - 0.01037).abs() < 5e-6, "{}", top.support);
    assert!((top.confidence - 0.5862).abs() < 5e-5, "{}", top.confidence);
    assert!((top.lift - 3.0296).abs() < 5e-5, "{}", top.lift);
}
