//! Write-path throughput: importing real orders and generating demo data, each into a new database.
//! `cargo bench --bench store`; the Online Retail case needs ../shared/data beside the repo.

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

criterion_group!(benches, online_retail, demo);
criterion_main!(benches);
