//! Write-path throughput: importing real orders and generating demo data, each into a new database,
//! and beside them the ceiling sled itself sets on this machine: keys written per second, shaped as
//! an import writes an order (record, two index entries and a journal entry, 250 orders to a
//! transaction). `cargo bench --bench store`; the Online Retail case needs ../shared/data.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rapport::demo::{DemoSpec, generate};
use rapport::import::import_online_retail;
use rapport::store::Store;
use std::path::PathBuf;

fn online_retail(c: &mut Criterion) {
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/online_retail_dec2010.csv");
    if !file.exists() {
        eprintln!("skipped: {} is not there", file.display());
        return;
    }
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(39_529));
    group.bench_function("online_retail_rows", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let store = Store::open(&dir.path().join("db")).unwrap();
                import_online_retail(&store, &file, chrono::Utc::now(), &mut |_| {}).unwrap();
            },
        )
    });
    group.finish();
}

fn demo(c: &mut Criterion) {
    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    group.throughput(Throughput::Elements(5_000));
    group.bench_function("customers_5000", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let store = Store::open(&dir.path().join("db")).unwrap();
                let spec = DemoSpec {
                    customers: 5_000,
                    seed: 1,
                    as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                };
                generate(&store, &spec).unwrap();
            },
        )
    });
    group.finish();
}

const ORDERS: u64 = 20_000;

/// Four keys per order into four trees: the record under its sequential id, its number, its
/// customer's group entry and its journal entry.
fn order_keys(order: u64) -> [(usize, Vec<u8>, usize); 4] {
    let customer = order.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 100_000;
    let mut by_customer = customer.to_be_bytes().to_vec();
    by_customer.extend(order.to_be_bytes());
    [
        (0, order.to_be_bytes().to_vec(), 120),
        (1, format!("{}", 500_000 + order).into_bytes(), 8),
        (2, by_customer, 0),
        (3, [1u64.to_be_bytes(), order.to_be_bytes()].concat(), 40),
    ]
}

fn sled_ceiling(c: &mut Criterion) {
    let mut group = c.benchmark_group("sled");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ORDERS * 4));
    let open = |dir: &tempfile::TempDir| {
        let db = sled::Config::new()
            .path(dir.path().join("db"))
            .cache_capacity(128 << 20)
            .open()
            .unwrap();
        let trees: Vec<sled::Tree> = (0..4)
            .map(|i| db.open_tree(format!("t{i}")).unwrap())
            .collect();
        (db, trees)
    };
    group.bench_function("transactional_keys", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| {
                use sled::Transactional;
                let (db, trees) = open(&dir);
                let orders: Vec<u64> = (1..=ORDERS).collect();
                for batch in orders.chunks(250) {
                    trees
                        .as_slice()
                        .transaction(|t| {
                            for &order in batch {
                                for (tree, key, len) in order_keys(order) {
                                    t[tree].insert(key, vec![7u8; len])?;
                                }
                            }
                            Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
                        })
                        .unwrap();
                    db.flush().unwrap();
                }
            },
        )
    });
    group.bench_function("plain_keys", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let (db, trees) = open(&dir);
                for order in 1..=ORDERS {
                    for (tree, key, len) in order_keys(order) {
                        trees[tree].insert(key, vec![7u8; len]).unwrap();
                    }
                }
                db.flush().unwrap();
            },
        )
    });
    group.finish();
}

criterion_group!(benches, online_retail, demo, sled_ceiling);
criterion_main!(benches);
