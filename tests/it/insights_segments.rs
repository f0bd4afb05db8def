//! RFM segments and clusters on real data: figures recounted from the store directly, the as-of rule,
//! and the command's outputs.

use crate::common;

use rapport::domain::{CustomerId, Money, Order, OrderKind, Product, ProductId};
use rapport::insights::cluster::ClusterCount;
use rapport::insights::{Segment, Snapshot, segments};
use rapport::store::Store;
use std::collections::{HashMap, HashSet};

fn online_retail() -> Option<(tempfile::TempDir, Store)> {
    let file = common::dataset("online_retail_dec2010.csv")?;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    rapport::import::import_online_retail(&store, &file, chrono::Utc::now(), &mut |_| {}).unwrap();
    Some((dir, store))
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn rfm_figures_match_a_recount_from_the_store() {
    let Some((_dir, store)) = online_retail() else {
        return;
    };
    let merch: HashSet<ProductId> = store
        .all::<Product>()
        .unwrap()
        .into_iter()
        .filter(|p| p.merchandise)
        .map(|p| p.id)
        .collect();
    // The oracle: purchases with at least one merchandise line, counted straight from the orders.
    let mut by_customer: HashMap<CustomerId, (u32, Money, chrono::DateTime<chrono::Utc>)> =
        HashMap::new();
    let mut newest = None;
    for o in store.all::<Order>().unwrap() {
        if o.kind != OrderKind::Purchase {
            continue;
        }
        let lines: Vec<_> = o
            .lines
            .iter()
            .filter(|l| l.quantity > 0 && merch.contains(&l.product))
            .collect();
        if lines.is_empty() {
            continue;
        }
        newest = newest.max(Some(o.placed));
        let Some(c) = o.customer else { continue };
        let e = by_customer.entry(c).or_insert((0, Money::ZERO, o.placed));
        e.0 += 1;
        e.1 = e.1 + lines.iter().map(|l| l.amount()).sum();
        e.2 = e.2.max(o.placed);
    }
    let snapshot = Snapshot::load(&store).unwrap();
    let report = segments(&snapshot, None, ClusterCount::Fixed(4), 7).unwrap();
    assert_eq!(report.rows.len(), by_customer.len());
    for r in &report.rows {
        let (orders, spent, last) = by_customer[&r.customer];
        assert_eq!(r.frequency, orders, "customer {}", r.customer);
        assert_eq!(r.monetary, spent, "customer {}", r.customer);
        assert_eq!(
            r.recency_days,
            (newest.unwrap() - last).num_days(),
            "customer {}",
            r.customer
        );
    }

    // Recency is measured from the newest order, so a 2010 history is not all "Lost".
    let summary = report.summary();
    let lost = summary.iter().find(|s| s.segment == Segment::Lost).unwrap();
    assert!(
        lost.customer_share < 0.10,
        "{:.2} lost",
        lost.customer_share
    );
    let shares: f64 = summary.iter().map(|s| s.customer_share).sum();
    assert!((shares - 1.0).abs() < 1e-9);
    let revenue: f64 = summary.iter().map(|s| s.revenue_share).sum();
    assert!((revenue - 1.0).abs() < 1e-9);
    let champions = summary
        .iter()
        .find(|s| s.segment == Segment::Champions)
        .unwrap();
    assert!(
        champions.revenue_share > champions.customer_share * 2.0,
        "champions spend more than their number"
    );

    // Measured a year later, everyone has lapsed.
    let later = chrono::NaiveDate::from_ymd_opt(2011, 12, 31)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let late = segments(&snapshot, Some(later), ClusterCount::Fixed(4), 7).unwrap();
    assert!(late.rows.iter().all(|r| r.recency_days > 365));

    let clusters = report.clustering.unwrap();
    assert_eq!(
        clusters.clusters.iter().map(|c| c.size).sum::<usize>(),
        report.rows.len()
    );
    assert!(clusters.clusters.iter().all(|c| !c.description.is_empty()));
}

#[test]
fn the_segments_command_writes_a_summary_and_one_row_per_customer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 300, 2);
    let run = |args: &[&str]| common::stdout_of(&db, &[&["segments"], args].concat());
    let table = run(&["--k", "3"]);
    assert!(
        table.contains("Champions") && table.contains("3 clusters (k-means"),
        "{table}"
    );
    let csv_text = run(&["--format", "csv", "--k", "3"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let store = Store::open(&db).unwrap();
    let buyers: HashSet<CustomerId> = store
        .all::<Order>()
        .unwrap()
        .iter()
        .filter_map(|o| o.customer)
        .collect();
    assert_eq!(rows.len(), buyers.len());
    assert!(rows.iter().all(|r| Segment::parse(&r[8]).is_some()));
    // Demo champions really are the big, recent, frequent buyers.
    let mean = |segment: &str, col: usize| {
        let v: Vec<f64> = rows
            .iter()
            .filter(|r| &r[8] == segment)
            .map(|r| r[col].parse::<f64>().unwrap())
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    assert!(mean("Champions", 4) > 3.0 * mean("Lost", 4));
    assert!(mean("Champions", 2) < mean("Lost", 2));
    drop(store);
    common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["segments", "--k", "1"])
        .assert()
        .code(2);
}
