//! The demo dataset is deterministic and has the shape the other parts of rapport need to show:
//! every deal stage and ticket status, customers across the RFM range, and products bought together.

use crate::common;

use chrono::NaiveDate;
use predicates::prelude::*;
use rapport::demo::{DemoSpec, generate};
use rapport::domain::*;
use rapport::store::Store;
use std::collections::{HashMap, HashSet};

fn spec(seed: u64) -> DemoSpec {
    DemoSpec {
        customers: 400,
        seed,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    }
}

fn build(seed: u64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    generate(&store, &spec(seed)).unwrap();
    (dir, store)
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let (_a, one) = build(11);
    let (_b, two) = build(11);
    assert_eq!(
        one.all::<Customer>().unwrap(),
        two.all::<Customer>().unwrap()
    );
    assert_eq!(one.all::<Product>().unwrap(), two.all::<Product>().unwrap());
    assert_eq!(one.all::<Order>().unwrap(), two.all::<Order>().unwrap());
    assert_eq!(one.all::<Deal>().unwrap(), two.all::<Deal>().unwrap());
    assert_eq!(one.all::<Ticket>().unwrap(), two.all::<Ticket>().unwrap());
    assert_eq!(one.all::<Note>().unwrap(), two.all::<Note>().unwrap());
    let (_c, other) = build(12);
    assert_ne!(one.all::<Order>().unwrap(), other.all::<Order>().unwrap());
    assert_eq!(one.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn it_covers_every_stage_status_and_buying_habit() {
    let (_dir, store) = build(5);
    for stage in DealStage::ALL {
        assert!(
            !store.deals_in(*stage).unwrap().is_empty(),
            "no deal in {stage}"
        );
    }
    for status in TicketStatus::ALL {
        assert!(
            !store.tickets_in(*status).unwrap().is_empty(),
            "no ticket {status}"
        );
    }
    let end = NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .and_hms_opt(23, 59, 0)
        .unwrap()
        .and_utc();
    let mut by_customer: HashMap<CustomerId, Vec<Order>> = HashMap::new();
    for order in store.all::<Order>().unwrap() {
        assert!(
            order.placed <= end,
            "order {} is after the as-of date",
            order.number
        );
        by_customer
            .entry(order.customer.unwrap())
            .or_default()
            .push(order);
    }
    let days_since_last =
        |orders: &Vec<Order>| (end - orders.iter().map(|o| o.placed).max().unwrap()).num_days();
    let recent = by_customer
        .values()
        .filter(|o| days_since_last(o) <= 30)
        .count();
    let lapsed = by_customer
        .values()
        .filter(|o| days_since_last(o) >= 180)
        .count();
    let frequent = by_customer.values().filter(|o| o.len() >= 8).count();
    let one_off = by_customer.values().filter(|o| o.len() == 1).count();
    let without_orders = store.count::<Customer>() - by_customer.len();
    for (what, n) in [
        ("recent", recent),
        ("lapsed", lapsed),
        ("frequent", frequent),
        ("one-off", one_off),
        ("no orders", without_orders),
    ] {
        assert!(n >= 20, "only {n} {what} customers out of 400");
    }
    let spend: Vec<Money> = by_customer
        .values()
        .map(|o| o.iter().map(Order::total).sum())
        .collect();
    let (min, max) = (spend.iter().min().unwrap(), spend.iter().max().unwrap());
    assert!(max.0 > 50 * min.0.max(1), "monetary spread {min}..{max}");
}

#[test]
fn products_are_bought_together_more_than_chance() {
    let (_dir, store) = build(9);
    let orders: Vec<Order> = store.all().unwrap();
    let baskets: Vec<HashSet<ProductId>> = orders
        .iter()
        .filter(|o| o.kind == OrderKind::Purchase)
        .map(|o| o.lines.iter().map(|l| l.product).collect())
        .collect();
    let mut item_count: HashMap<ProductId, usize> = HashMap::new();
    let mut pair_count: HashMap<(ProductId, ProductId), usize> = HashMap::new();
    for basket in &baskets {
        let mut items: Vec<_> = basket.iter().copied().collect();
        items.sort();
        for (i, a) in items.iter().enumerate() {
            *item_count.entry(*a).or_default() += 1;
            for b in &items[i + 1..] {
                *pair_count.entry((*a, *b)).or_default() += 1;
            }
        }
    }
    // The strongest pair's lift: how much more often it appears than if items were independent.
    let n = baskets.len() as f64;
    let best_lift = pair_count
        .iter()
        .filter(|(_, c)| **c >= 10)
        .map(|((a, b), c)| *c as f64 * n / (item_count[a] as f64 * item_count[b] as f64))
        .fold(0.0, f64::max);
    assert!(best_lift > 3.0, "strongest pair lift only {best_lift:.2}");
}

#[test]
fn the_demo_command_fills_a_new_database_and_refuses_a_used_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let run = || {
        common::rapport()
            .arg("--db")
            .arg(&db)
            .args([
                "demo",
                "--customers",
                "120",
                "--seed",
                "3",
                "--as-of",
                "2026-11-01",
            ])
            .assert()
    };
    run().success().stdout(predicate::str::starts_with(
        "demo data: 120 customers, 150 products",
    ));
    assert_eq!(common::stats_json(&db)["customers"], 120);
    run()
        .code(1)
        .stderr(predicate::str::contains("already holds data"));
}

#[test]
fn a_killed_demo_is_started_over_and_ends_as_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.db");
    common::demo_cli(&whole, 2000, 5);
    let expected = common::exports(&whole);
    for (round, part_way) in [200_000u64, 1_500_000, 4_000_000].into_iter().enumerate() {
        let db = dir.path().join(format!("killed-{round}.db"));
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rapport"))
            .arg("--db")
            .arg(&db)
            .args([
                "demo",
                "--customers",
                "2000",
                "--seed",
                "5",
                "--as-of",
                "2026-11-01",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Killed once its log has grown part of the way, or at once if it is already done.
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none()
            && std::fs::metadata(db.join("db")).map_or(0, |m| m.len()) < part_way
            && started.elapsed() < std::time::Duration::from_secs(30)
        {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let _ = child.kill();
        child.wait().unwrap();
        common::demo_cli(&db, 2000, 5);
        common::assert_same_exports(&expected, &common::exports(&db), "after a killed demo");
    }
}
