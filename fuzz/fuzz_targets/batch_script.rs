//! Any bytes as a batch script: read to the end without a panic, every failure naming its line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::store::Store;
use std::sync::OnceLock;

fn store() -> &'static Store {
    static STORE: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("db")).unwrap();
            (dir, store)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&c| c == b'\n').count() + 1;
    let failures = rapport::batch::run_script(
        &mut &data[..],
        store(),
        true,
        &mut std::io::sink(),
        &mut |_, _, _| Ok(()),
        &|_| 1,
    )
    .unwrap();
    for f in failures {
        assert!(f.line >= 1 && f.line <= lines);
    }
});
