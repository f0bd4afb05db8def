//! Format safety: an older database is migrated on open, a newer one is refused, and a damaged value
//! is reported with its record instead of crashing.

use crate::common;

use chrono::{TimeZone, Utc};
use rapport::domain::*;
use rapport::store::{SCHEMA_VERSION, Store, StoreError};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const FIXTURE: &str = "tests/fixtures/schema-v1.tsv";
/// Trees schema 2 added; a schema-1 database does not have them.
const ADDED_IN_V2: [&str; 3] = [
    "idx/deal/customer",
    "idx/ticket/customer",
    "idx/note/customer",
];

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn set_schema(path: &Path, version: u32) {
    let db = raw_open(path);
    db.open_tree("meta")
        .unwrap()
        .insert("schema_version", &version.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
}

/// Re-creates the fixture as schema 1 wrote it: today's records, without the indexes schema 2 added.
/// Run by hand (`cargo test --test store_schema -- --ignored`) only if the fixture must be rebuilt.
#[test]
#[ignore = "writes tests/fixtures/schema-v1.tsv"]
fn write_schema_v1_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        let at = |d| Utc.with_ymd_and_hms(2025, 6, d, 12, 0, 0).unwrap();
        let mut ada = Customer::new("Ada Lovelace", at(1));
        ada.email = Some("ada@example.com".into());
        ada.external_id = Some("17850".into());
        let ada = store.create(ada).unwrap();
        let lantern = store
            .create(Product::new(
                "71053",
                "WHITE METAL LANTERN",
                Money::parse("3.39").unwrap(),
            ))
            .unwrap();
        store
            .create(Order {
                id: OrderId(0),
                number: "536365".into(),
                customer: Some(ada.id),
                placed: at(2),
                kind: OrderKind::Purchase,
                lines: vec![OrderLine {
                    line_no: 1,
                    product: lantern.id,
                    quantity: 6,
                    unit_price: lantern.unit_price,
                }],
            })
            .unwrap();
        store
            .create(Deal::new(
                "Lantern restock",
                ada.id,
                Money::from_units(900),
                at(3),
            ))
            .unwrap();
        store
            .create(Ticket::new("Lantern glass cracked", ada.id, at(4)))
            .unwrap();
        store
            .create(Note::new(
                ada.id,
                NoteKind::Call,
                "Wants 200 more by July",
                at(5),
            ))
            .unwrap();
    }
    set_schema(&path, 1);
    let db = raw_open(&path);
    let mut out = String::from(
        "# A schema-1 rapport database, one key/value a line: tree, key (hex), value (hex).\n",
    );
    let mut names: Vec<String> = db
        .tree_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .filter(|n| n != "__sled__default" && !ADDED_IN_V2.contains(&n.as_str()))
        .collect();
    names.sort();
    for name in names {
        for item in db.open_tree(&name).unwrap().iter() {
            let (k, v) = item.unwrap();
            writeln!(out, "{name}\t{}\t{}", hex(&k), hex(&v)).unwrap();
        }
    }
    std::fs::write(fixture_path(), out).unwrap();
}

fn load_fixture(path: &Path) {
    let db = sled::open(path).unwrap();
    let text = std::fs::read_to_string(fixture_path()).unwrap();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut parts = line.split('\t');
        let (tree, key, value) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        db.open_tree(tree)
            .unwrap()
            .insert(unhex(key), unhex(value))
            .unwrap();
    }
    db.flush().unwrap();
}

#[test]
fn a_schema_1_database_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    load_fixture(&path);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
    let ada = store
        .get::<Customer>(1)
        .unwrap()
        .expect("the customer survives");
    assert_eq!(ada.name, "Ada Lovelace");
    assert_eq!(ada.external_id.as_deref(), Some("17850"));
    assert_eq!(store.orders_of(ada.id).unwrap().len(), 1);
    // The per-customer indexes schema 2 added are built from the records.
    assert_eq!(store.deals_of(ada.id).unwrap()[0].title, "Lantern restock");
    assert_eq!(
        store.tickets_of(ada.id).unwrap()[0].subject,
        "Lantern glass cracked"
    );
    assert_eq!(
        store.notes_of(ada.id).unwrap()[0].text,
        "Wants 200 more by July"
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
    // And the migrated database goes on as usual.
    let bob = store.create(Customer::new("Bob", Utc::now())).unwrap();
    assert_eq!(bob.id, CustomerId(2));
    drop(store);
    assert_eq!(
        Store::open(&path).unwrap().schema_version().unwrap(),
        Some(SCHEMA_VERSION)
    );
}

#[test]
fn a_newer_database_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(Store::open(&path).unwrap());
    set_schema(&path, SCHEMA_VERSION + 7);
    let err = Store::open(&path)
        .err()
        .expect("a newer schema must be refused");
    assert!(
        matches!(err, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 7),
        "{err:?}"
    );
    let out = common::rapport()
        .arg("--db")
        .arg(&path)
        .arg("stats")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("was written by a newer rapport"),
        "{stderr}"
    );
    assert!(stderr.contains("upgrade rapport"), "{stderr}");
}

#[test]
fn a_damaged_value_is_reported_with_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        store.create(Customer::new("Ada", Utc::now())).unwrap();
        store.create(Customer::new("Bob", Utc::now())).unwrap();
        store
            .create(Product::new("X1", "Lantern", Money::ZERO))
            .unwrap();
    }
    {
        let db = raw_open(&path);
        db.open_tree("customers")
            .unwrap()
            .insert(2u64.to_be_bytes(), &[1, 0xff, 0xfe][..])
            .unwrap();
        db.open_tree("products")
            .unwrap()
            .insert(1u64.to_be_bytes(), &[1, 0xff][..])
            .unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.get::<Customer>(1).unwrap().unwrap().name,
        "Ada",
        "the sound record still reads"
    );
    let err = store.get::<Customer>(2).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Corrupt {
                id: 2,
                tree: "customers",
                ..
            }
        ),
        "{err:?}"
    );
    drop(store);
    // stats decodes every product: the damaged one stops it with a message, not a panic.
    let out = common::rapport()
        .arg("--db")
        .arg(&path)
        .arg("stats")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("damaged record 1 in products"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_app_opens_past_a_damaged_record_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(common::small_demo(&path));
    {
        let db = raw_open(&path);
        for tree in ["customers", "orders"] {
            db.open_tree(tree)
                .unwrap()
                .insert(2u64.to_be_bytes(), &[1, 0xff, 0xfe][..])
                .unwrap();
        }
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let mut app = common::app(&store, true);
    let screen = common::screen(&app, 120, 40);
    assert!(
        screen.contains("damaged record 2 in customers"),
        "the damage is named:\n{screen}"
    );
    assert!(
        screen.contains("299 of 299"),
        "the other customers are there:\n{screen}"
    );
    // The insights are computed from every order that reads.
    common::press(&mut app, &["4"]);
    let insights = common::screen(&app, 120, 40);
    assert!(insights.contains("Revenue a week"), "{insights}");
    assert!(insights.contains("Best sellers"), "{insights}");
}

/// sled itself, once the store that had the database has let go of it (that takes a moment).
fn raw_open(path: &Path) -> sled::Db {
    for _ in 0..100 {
        if let Ok(db) = sled::open(path) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{} stays locked", path.display())
}
