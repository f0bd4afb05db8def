//! A backup taken while another thread keeps writing is one moment of the data: every transaction is
//! in it whole or not at all, and it restores cleanly.

use crate::common;

use rapport::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[test]
fn a_backup_during_writes_holds_whole_transactions_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    // Enough data that a backup takes a while to read.
    rapport::demo::generate(
        &store,
        &rapport::demo::DemoSpec {
            customers: 300,
            seed: 2,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        },
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                // A customer and their note, in one transaction.
                common::write_customer_and_note(&store, n);
                n += 1;
            }
            n
        })
    };
    for round in 0..4 {
        let mut bytes = Vec::new();
        rapport::backup::backup(&store, &mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let customers = text.matches("\"name\":\"Live ").count();
        let notes = text.matches("\"text\":\"live ").count();
        assert_eq!(customers, notes, "round {round}: a transaction was split");
        let copy = tempfile::tempdir().unwrap();
        let restored = Store::open(&copy.path().join("db")).unwrap();
        rapport::backup::restore(&restored, &mut text.as_bytes()).unwrap();
        assert_eq!(restored.check_indexes().unwrap(), Vec::<String>::new());
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0, "the writer ran during the backups");
}
