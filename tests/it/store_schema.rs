//! Format safety: an older database is migrated on open, a newer one is refused, and a damaged value
//! is reported with its record instead of crashing.

use crate::common;

use chrono::{TimeZone, Utc};
use rapport::domain::*;
use rapport::store::{SCHEMA_VERSION, Store, StoreError};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const FIXTURE: &str = "tests/fixtures/schema-v1.tsv";
/// A schema-7 database made with rapport 8609ab5's commands (see the file's first lines): people
/// with companies written several ways, free-mail addresses, an import to revert, the trash.
const FIXTURE_V7: &str = "tests/fixtures/schema-v7.tsv";
/// Trees schema 2 added; a schema-1 database does not have them.
const ADDED_IN_V2: [&str; 3] = [
    "idx/deal/customer",
    "idx/ticket/customer",
    "idx/note/customer",
];

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
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
    let dump = dump(
        &path,
        "# A schema-1 rapport database, one key/value a line: tree, key (hex), value (hex).\n",
        &ADDED_IN_V2,
    );
    std::fs::write(fixture_path(FIXTURE), dump).unwrap();
}

/// Every tree of the database at `path` but `leave_out`, one key/value a line, after `header`.
fn dump(path: &Path, header: &str, leave_out: &[&str]) -> String {
    let db = raw_open(path);
    let mut out = String::from(header);
    let mut names: Vec<String> = db
        .tree_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .filter(|n| n != "__sled__default" && !leave_out.contains(&n.as_str()))
        .collect();
    names.sort();
    for name in names {
        for item in db.open_tree(&name).unwrap().iter() {
            let (k, v) = item.unwrap();
            writeln!(out, "{name}\t{}\t{}", hex(&k), hex(&v)).unwrap();
        }
    }
    out
}

/// Writes a fixture from a database a rapport of that schema made: `RAPPORT_DUMP_DB` the
/// database, `RAPPORT_DUMP_TO` the file, `RAPPORT_DUMP_HEADER` its first lines.
#[test]
#[ignore = "writes a fixture from RAPPORT_DUMP_DB"]
fn write_fixture_from_a_database() {
    let var = |name| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let header: String = var("RAPPORT_DUMP_HEADER")
        .lines()
        .map(|l| format!("# {l}\n"))
        .collect();
    let dump = dump(Path::new(&var("RAPPORT_DUMP_DB")), &header, &[]);
    std::fs::write(fixture_path(&var("RAPPORT_DUMP_TO")), dump).unwrap();
}

fn load_fixture(path: &Path, name: &str) {
    let db = sled::open(path).unwrap();
    let text = std::fs::read_to_string(fixture_path(name)).unwrap();
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
    load_fixture(&path, FIXTURE);

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

#[test]
fn a_schema_7_database_gets_an_account_for_each_business_its_people_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    load_fixture(&path, FIXTURE_V7);
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
        let accounts = store.all::<Account>().unwrap();
        let people = store.all::<Customer>().unwrap();
        // The rule, as the issue gives it: one account per folded company, every person with a
        // company in the account of that name, no one else in any.
        let mut keys: Vec<String> = (people.iter())
            .filter_map(|c| c.company.as_deref())
            .map(rapport::text::company)
            .filter(|k| !k.is_empty())
            .collect();
        keys.sort();
        keys.dedup();
        let mut made: Vec<String> = accounts.iter().map(Account::name_key).collect();
        made.sort();
        assert_eq!(made, keys, "one account per business");
        for c in &people {
            let want = c.company.as_deref().map(rapport::text::company);
            let got = c.account.map(|id| {
                let a = accounts.iter().find(|a| a.id == id).unwrap();
                a.name_key()
            });
            assert_eq!(got, want.filter(|k| !k.is_empty()), "{}", c.name);
        }
        let seaview = accounts
            .iter()
            .find(|a| a.name_key() == "seaview and co")
            .unwrap();
        // Three spellings, one business; the first written names it. Two of its three people
        // write from its domain; the third from gmail, which says nothing.
        assert_eq!(seaview.name, "Seaview & Co. Ltd");
        assert_eq!(seaview.domain.as_deref(), Some("seaview.co.uk"));
        assert_eq!(
            store.contacts_of(seaview.id).unwrap().len(),
            3,
            "its people, by the index"
        );
        let guild = accounts
            .iter()
            .find(|a| a.name == "Hotmail Writers Guild")
            .unwrap();
        assert_eq!(guild.domain, None, "a free-mail domain is no business's");
        // Ada and Charles share a domain but name no company: the migration links by company.
        for name in ["Ada Byron", "Charles Babbage", "Tommy Flowers"] {
            let c = people.iter().find(|c| c.name == name).unwrap();
            assert_eq!(c.account, None, "{name}");
        }
    }
    // Every export reads as before on the columns it had.
    // Schema 7 had no accounts to export.
    for what in common::ENTITY_EXPORTS.iter().filter(|w| **w != "accounts") {
        let before = std::fs::read_to_string(fixture_path(&format!(
            "tests/fixtures/schema-v7/{what}.csv"
        )))
        .unwrap();
        let after = common::stdout_of(&path, &["export", what]);
        let (before, after) = (common::csv_rows(&before), common::csv_rows(&after));
        assert_eq!(before.len(), after.len(), "{what}");
        for (b, a) in before.iter().zip(&after) {
            for (column, value) in b {
                assert_eq!(a.get(column), Some(value), "{what}: {column}");
            }
        }
    }
    // The import the fixture holds still reverts: linking its people changed what it left, and
    // the journal was told.
    let out = common::stdout_of(&path, &["import", "revert", "1"]);
    assert!(out.contains("7"), "{out}");
    let left = common::csv_rows(&common::stdout_of(&path, &["export", "customers"]));
    assert_eq!(left.len(), 11, "the demo's eleven live customers");
    // The trashed customer comes back, with no account: it had none when it went.
    common::stdout_of(&path, &["undelete", "customer:1"]);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get::<Customer>(1).unwrap().unwrap().account, None);
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}
