//! The round trip: export, back up, restore into an empty database, export again: the same bytes.

use crate::common;

use common::{ENTITY_EXPORTS as WHAT, exports};

fn round_trip(original: &std::path::Path, dir: &std::path::Path) {
    let file = dir.join("backup.ndjson");
    let said = common::stdout_of(original, &["backup", file.to_str().unwrap()]);
    assert!(said.starts_with("backed up "), "{said}");
    let copy = dir.join("copy");
    let said = common::stdout_of(&copy, &["restore", file.to_str().unwrap()]);
    assert!(said.starts_with("restored "), "{said}");
    let before = exports(original);
    let after = exports(&copy);
    for ((what, a), b) in WHAT.iter().zip(&before).zip(&after) {
        // Imported sales data has no deals, tickets or notes; orders and customers it must have.
        if ["customers", "products", "orders", "order-lines"].contains(what) {
            assert!(!a.is_empty(), "{what} is exported");
        }
        assert!(a == b, "{what} differs after backup and restore");
    }
    assert_eq!(
        common::stats_json(original)["customers"],
        common::stats_json(&copy)["customers"]
    );
    let store = rapport::store::Store::open(&copy).unwrap();
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
    // New records continue after the restored ids.
    let next = store
        .create(rapport::domain::Customer::new(
            "After Restore",
            chrono::Utc::now(),
        ))
        .unwrap();
    assert!(next.id.0 > store.count::<rapport::domain::Customer>() as u64 - 1);
    drop(store);
    // Restoring over data is refused.
    common::rapport()
        .arg("--db")
        .arg(&copy)
        .args(["restore", file.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("the database is not empty"));
}

#[test]
fn the_demo_survives_backup_and_restore_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 300, 12);
    let views = [
        ("bea", "Leeds", Some("leeds"), true),
        ("bea", "All open", None, false),
        ("sam", "Big ones", Some("vip"), true),
    ];
    let store = rapport::store::Store::open(&db).unwrap();
    for (user, name, filter, mine) in views {
        let view = rapport::domain::View {
            name: name.into(),
            pane: Some("customers".into()),
            filter: filter.map(Into::into),
            mine,
        };
        store.save_view(user, &view).unwrap();
    }
    // Pairs a rep said are two people.
    use rapport::domain::CustomerId;
    store
        .mark_distinct(CustomerId(7), CustomerId(3), true)
        .unwrap();
    store
        .mark_distinct(CustomerId(12), CustomerId(40), true)
        .unwrap();
    drop(store);
    round_trip(&db, dir.path());
    let original = rapport::store::Store::open(&db).unwrap();
    let copy = rapport::store::Store::open(&dir.path().join("copy")).unwrap();
    assert_eq!(original.all_views().unwrap().len(), 3);
    for user in ["bea", "sam"] {
        assert_eq!(
            original.views_of(user).unwrap(),
            copy.views_of(user).unwrap()
        );
    }
    let distinct = original.distinct_pairs().unwrap();
    assert_eq!(distinct.len(), 2);
    assert_eq!(distinct, copy.distinct_pairs().unwrap());
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn online_retail_survives_backup_and_restore_byte_for_byte() {
    let Some(file) = common::dataset("online_retail_dec2010.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::stdout_of(
        &db,
        &[
            "import",
            "orders",
            file.to_str().unwrap(),
            "--format",
            "online-retail",
        ],
    );
    round_trip(&db, dir.path());
}
