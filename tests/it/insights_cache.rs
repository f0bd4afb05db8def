//! The insights' disk cache: used while the data is unchanged, recomputed after a write, and
//! never trusted when damaged.

use crate::common;

use rapport::insights::{Insights, cache};

fn from_cache(i: &Insights) -> bool {
    i.timings.first().is_some_and(|t| t.0 == "disk cache")
}

/// What the app shows, compared whole: segments, rules, outlook and forecast.
fn same(a: &Insights, b: &Insights) {
    assert_eq!(a.version, b.version);
    assert_eq!(a.segments, b.segments);
    assert_eq!(a.rules, b.rules);
    let (oa, ob) = (a.outlook.as_ref().unwrap(), b.outlook.as_ref().unwrap());
    assert_eq!(oa.customers, ob.customers);
    assert_eq!(oa.bgnbd, ob.bgnbd);
    let (fa, fb) = (a.forecast.as_ref().unwrap(), b.forecast.as_ref().unwrap());
    assert_eq!(
        (&fa.weekly, &fa.revenue, fa.method),
        (&fb.weekly, &fb.revenue, fb.method)
    );
    let some = a.segments.rows[0].customer;
    assert_eq!(a.for_customer(some, 3), b.for_customer(some, 3));
}

#[test]
fn unchanged_data_is_read_from_the_cache_and_a_write_recomputes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = common::small_demo(&db);
    let first = Insights::cached(&store).unwrap();
    assert!(!from_cache(&first));
    assert!(cache::path(&db).exists());
    let again = Insights::cached(&store).unwrap();
    assert!(from_cache(&again), "{:?}", again.timings);
    same(&first, &again);

    store
        .create(rapport::domain::Customer::new(
            "New Customer",
            chrono::Utc::now(),
        ))
        .unwrap();
    let after = Insights::cached(&store).unwrap();
    assert!(!from_cache(&after), "a write makes the cache stale");
    assert_eq!(after.version, store.data_version().unwrap());
    assert!(from_cache(&Insights::cached(&store).unwrap()));
}

#[test]
fn a_damaged_or_cut_cache_is_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = common::small_demo(&db);
    let good = Insights::cached(&store).unwrap();
    let file = cache::path(&db);
    let bytes = std::fs::read(&file).unwrap();

    let mut flipped = bytes.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 0x40;
    std::fs::write(&file, &flipped).unwrap();
    let fresh = Insights::cached(&store).unwrap();
    assert!(!from_cache(&fresh), "a flipped bit is caught");
    same(&good, &fresh);

    for cut in [0, 5, 40, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&file, &bytes[..cut]).unwrap();
        assert!(
            !from_cache(&Insights::cached(&store).unwrap()),
            "cut at {cut}"
        );
    }
    std::fs::write(&file, b"not a cache at all").unwrap();
    assert!(!from_cache(&Insights::cached(&store).unwrap()));
    // Each recomputation wrote a sound cache back.
    assert!(from_cache(&Insights::cached(&store).unwrap()));
}
