//! FP-growth and the rules on the classic groceries data, against the published reference figures
//! (Borgelt's FP-growth via pyfim, matching R's arules): see ../shared/data/README.md.

use crate::common;

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

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
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
        ..RuleOptions::default()
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
        ..RuleOptions::default()
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

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn the_rules_command_writes_table_csv_and_json() {
    let Some(file) = common::dataset("groceries.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = file.to_str().unwrap();
    common::stdout_of(&db, &["import", "orders", file, "--format", "baskets"]);
    let run = |format: &str| {
        let args = [
            "rules",
            "--min-support",
            "0.01",
            "--min-confidence",
            "0.5",
            "--min-lift",
            "0",
            "--format",
            format,
        ];
        common::stdout_of(&db, &args)
    };
    let table = run("table");
    assert!(
        table.starts_with("15 rules from 9,835 baskets (333 frequent itemsets"),
        "{table}"
    );

    let csv_text = run("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 15);
    assert_eq!(&rows[0][0], "citrus fruit; root vegetables");
    assert_eq!(&rows[0][1], "other vegetables");
    assert_eq!(&rows[0][9], "102");

    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 15);
    assert!((json[0]["lift"].as_f64().unwrap() - 3.0296).abs() < 5e-5);

    common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["rules", "--min-support", "2"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "'2' is not a share above 0 and at most 1",
        ));
}

/// `rapport rules` with no options on every shared dataset: it never fails, and where long
/// itemsets would explode (Online Retail's wholesale baskets) it says it capped their length.
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn the_rules_command_works_at_its_defaults_on_every_dataset() {
    for (file, format) in [
        ("online_retail_dec2010.csv", "online-retail"),
        ("groceries.csv", "baskets"),
        ("CDNOW_master.txt", "cdnow"),
    ] {
        let Some(path) = common::dataset(file) else {
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.db");
        common::stdout_of(
            &db,
            &[
                "import",
                "orders",
                path.to_str().unwrap(),
                "--format",
                format,
            ],
        );
        let out = common::rapport()
            .arg("--db")
            .arg(&db)
            .args(["rules", "--format", "csv"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{file}: {err}");
        let rules = String::from_utf8_lossy(&out.stdout).lines().count() - 1;
        if file.starts_with("online_retail") {
            assert!(err.contains("rules of at most 3 items"), "{file}: {err}");
            assert!(rules > 1000, "{file}: {rules} rules");
        } else {
            assert!(err.is_empty(), "{file}: {err}");
        }
    }
}
