//! Insight engine speed: FP-growth, k-means, the suggestion model and one customer's suggestions, on
//! groceries, Online Retail (../shared/data, skipped if absent) and a 100,000-customer demo database.
//!
//! `cargo bench --bench insights`; the 100k case builds its database once (about half a minute) in
//! RAPPORT_BENCH_DB if set, or a temporary directory.

use criterion::{Criterion, criterion_group, criterion_main};
use rapport::insights::cluster::{ClusterCount, cluster, features};
use rapport::insights::rules::min_count;
use rapport::insights::suggest::Model;
use rapport::insights::{Snapshot, frequent_itemsets, rfm};
use rapport::store::Store;
use std::hint::black_box;
use std::path::PathBuf;

fn dataset(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(name);
    path.exists().then_some(path).or_else(|| {
        eprintln!("skipped: {name} is not in ../shared/data");
        None
    })
}

/// Reads a dataset file into a store.
type Importer = fn(&Store, &std::path::Path);

struct Loaded {
    name: &'static str,
    snapshot: Snapshot,
    _dir: Option<tempfile::TempDir>,
}

fn load_all() -> Vec<Loaded> {
    let mut out = Vec::new();
    let imports: [(&str, &str, Importer); 2] = [
        ("groceries", "groceries.csv", |s, p| {
            rapport::import::import_baskets(s, p, chrono::Utc::now(), &mut |_| {}).unwrap();
        }),
        ("online_retail", "online_retail_dec2010.csv", |s, p| {
            rapport::import::import_online_retail(s, p, chrono::Utc::now(), &mut |_| {}).unwrap();
        }),
    ];
    for (name, file, import) in imports {
        let Some(path) = dataset(file) else { continue };
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        import(&store, &path);
        out.push(Loaded {
            name,
            snapshot: Snapshot::load(&store).unwrap(),
            _dir: Some(dir),
        });
    }
    let (db, dir) = match std::env::var_os("RAPPORT_BENCH_DB") {
        Some(path) => (PathBuf::from(path), None),
        None => {
            let dir = tempfile::tempdir().unwrap();
            (dir.path().join("db"), Some(dir))
        }
    };
    let store = Store::open(&db).unwrap();
    if store.count::<rapport::domain::Customer>() == 0 {
        let spec = rapport::demo::DemoSpec {
            customers: 100_000,
            seed: 1,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        };
        rapport::demo::generate(&store, &spec).unwrap();
    }
    out.push(Loaded {
        name: "demo_100k",
        snapshot: Snapshot::load(&store).unwrap(),
        _dir: dir,
    });
    out
}

fn benches(c: &mut Criterion) {
    let data = load_all();
    let mut group = c.benchmark_group("insights");
    group.sample_size(10);
    for d in &data {
        let baskets = d.snapshot.order_baskets();
        // Online Retail's big repeated invoices make millions of itemsets below 2% support (3.9 million
        // triples at 0.5%), so there it runs at 2%, and at 0.5% for pairs only.
        let runs: &[(f64, usize)] = match d.name {
            "groceries" => &[(0.001, 0)],
            "online_retail" => &[(0.02, 0), (0.005, 2)],
            _ => &[(0.005, 0)],
        };
        for &(support, max_len) in runs {
            let count = min_count(support, baskets.len());
            let label = format!("fpgrowth/{}/support_{support}/max_len_{max_len}", d.name);
            group.bench_function(label, |b| {
                b.iter(|| black_box(frequent_itemsets(&baskets, count, max_len)))
            });
        }
        group.bench_function(format!("suggest_model/{}", d.name), |b| {
            b.iter(|| black_box(Model::build(&d.snapshot)))
        });
        if d.name != "groceries" {
            let rows = rfm(&d.snapshot, None);
            let units = vec![1.0; rows.len()];
            let x = features(&rows, &units);
            group.bench_function(format!("kmeans8/{}", d.name), |b| {
                b.iter(|| black_box(cluster(&x, ClusterCount::Fixed(8), 1).unwrap()))
            });
            let model = Model::build(&d.snapshot);
            let customers: Vec<_> = rows.iter().map(|r| r.customer).take(1000).collect();
            let mut next = 0;
            group.bench_function(format!("suggest_one/{}", d.name), |b| {
                b.iter(|| {
                    next = (next + 1) % customers.len();
                    black_box(model.suggest(customers[next], 10))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(insights, benches);
criterion_main!(insights);
