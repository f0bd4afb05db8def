//! Any bytes, as a file, through every importer: no panic, and every rejection names a line in the
//! file and a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::import;
use rapport::store::Store;
use std::sync::OnceLock;

struct Bench {
    _dir: tempfile::TempDir,
    store: Store,
    file: std::path::PathBuf,
}

fn bench() -> &'static Bench {
    static BENCH: OnceLock<Bench> = OnceLock::new();
    BENCH.get_or_init(|| {
        import::silence_progress();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let file = dir.path().join("input.csv");
        Bench { _dir: dir, store, file }
    })
}

fuzz_target!(|data: &[u8]| {
    let b = bench();
    std::fs::write(&b.file, data).unwrap();
    let lines = data.iter().filter(|&&c| c == b'\n').count() as u64 + 1;
    let now = chrono::Utc::now();
    let mut check = |r: &import::Rejection| {
        assert!(r.line >= 1 && r.line <= lines, "line {} of {lines}", r.line);
        assert!(!r.reason.trim().is_empty());
    };
    let _ = import::import_online_retail(&b.store, &b.file, now, &mut check);
    let _ = import::import_cdnow(&b.store, &b.file, now, &mut check);
    let _ = import::import_baskets(&b.store, &b.file, now, &mut check);
    let _ = import::import_customers(&b.store, &b.file, now, &mut check);
});
