//! The app draws its first screen from the name index before the worker has read every record; the
//! rows it shows are the very rows of the full table, and the rep's place survives the swap.

use crate::common;

use rapport::tui::keymap::{Keymap, parse_key};
use rapport::tui::state::{AppState, Options};
use rapport::tui::worker::Worker;
use std::time::Duration;

#[test]
fn the_first_screen_is_the_full_tables_first_screen() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut app = AppState::new(
        Keymap::default_keys(),
        Worker::spawn(
            rapport::model::ReadModel::new(store.clone()),
            rapport::ops::Actor::named("sam"),
            tx,
            |d| d,
        ),
        Options {
            readonly: true,
            user: "sam".into(),
            now: chrono::Utc::now(),
        },
    )
    .unwrap();
    app.resize(24);
    assert!(
        app.customers.loading,
        "only the first screen is read before drawing"
    );
    let first = common::screen(&app, 80, 24);
    assert!(first.contains("reading the rest"), "{first}");
    let shown: Vec<String> = app.customers.view[..15]
        .iter()
        .map(|&i| app.customers.rows[i].name().to_string())
        .collect();
    for key in ["j", "j", "j"] {
        app.handle_key(parse_key(key).unwrap());
    }
    let picked = app.customers.selected().unwrap().id();

    while app.pending > 0 {
        let done = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the worker answers");
        app.handle_done(done);
    }
    assert!(!app.customers.loading);
    assert_eq!(app.customers.rows.len(), 300);
    let full: Vec<String> = app.customers.view[..15]
        .iter()
        .map(|&i| app.customers.rows[i].name().to_string())
        .collect();
    assert_eq!(shown, full, "the index's order is the table's order");
    assert_eq!(
        app.customers.selected().unwrap().id(),
        picked,
        "the selection stays"
    );
    assert_eq!(app.customers.nav.selected, 3);
    let after = common::screen(&app, 80, 24);
    assert!(after.contains("300 of 300"), "{after}");
    assert!(!app.deals.deals.is_empty() && !app.tickets.tickets.is_empty());
}
