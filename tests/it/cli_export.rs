//! Exports as scripts use them: every entity in every format parsed back against the store, the
//! filters, ids only, a file, and a reader that stops early.

use crate::common;

use rapport::domain::*;
use rapport::store::Store;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::ENTITY_EXPORTS as WHAT;

/// Rows of an export as JSON objects, whatever the format.
fn parse(format: &str, text: &str) -> Vec<serde_json::Value> {
    match format {
        "json" => serde_json::from_str::<Vec<serde_json::Value>>(text).unwrap(),
        "ndjson" => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        _ => {
            let delimiter = if format == "tsv" { b'\t' } else { b',' };
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let headers = reader.headers().unwrap().clone();
            reader
                .records()
                .map(|r| {
                    let r = r.unwrap();
                    let map: serde_json::Map<String, serde_json::Value> = headers
                        .iter()
                        .zip(r.iter())
                        .map(|(h, v)| (h.to_string(), serde_json::Value::String(v.to_string())))
                        .collect();
                    serde_json::Value::Object(map)
                })
                .collect()
        }
    }
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn every_entity_in_every_format_matches_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 150, 8);
    let store = Store::open(&db).unwrap();
    let customers: Vec<Customer> = store.all().unwrap();
    let accounts: Vec<rapport::domain::Account> = store.all().unwrap();
    assert!(!accounts.is_empty(), "the demo has accounts");
    let products: Vec<Product> = store.all().unwrap();
    let orders: Vec<Order> = store.all().unwrap();
    let deals: Vec<Deal> = store.all().unwrap();
    let tickets: Vec<Ticket> = store.all().unwrap();
    let notes: Vec<Note> = store.all().unwrap();
    let followups: Vec<rapport::domain::Followup> = store.all().unwrap();
    assert!(!followups.is_empty(), "the demo has follow-ups");
    drop(store);
    for format in ["csv", "tsv", "json", "ndjson"] {
        for what in WHAT {
            let rows = parse(
                format,
                &common::stdout_of(&db, &["export", what, "--format", format]),
            );
            let check = |expected: Vec<(String, String)>, key: &str, field: &str| {
                assert_eq!(rows.len(), expected.len(), "{what} as {format}");
                for (row, (id, value)) in rows.iter().zip(&expected) {
                    assert_eq!(&text(&row[key]), id, "{what} as {format}");
                    assert_eq!(&text(&row[field]), value, "{what} {id} as {format}");
                }
            };
            match what {
                "accounts" => check(
                    accounts
                        .iter()
                        .map(|a| {
                            let people = customers.iter().filter(|c| c.account == Some(a.id));
                            (a.id.to_string(), people.count().to_string())
                        })
                        .collect(),
                    "id",
                    "contacts",
                ),
                "customers" => check(
                    customers
                        .iter()
                        .map(|c| (c.id.to_string(), c.email.clone().unwrap_or_default()))
                        .collect(),
                    "id",
                    "email",
                ),
                "products" => check(
                    products
                        .iter()
                        .map(|p| (p.id.to_string(), p.unit_price.exact()))
                        .collect(),
                    "id",
                    "unit_price",
                ),
                "orders" => check(
                    orders
                        .iter()
                        .map(|o| (o.id.to_string(), o.total().exact()))
                        .collect(),
                    "id",
                    "total",
                ),
                "order-lines" => check(
                    orders
                        .iter()
                        .flat_map(|o| {
                            o.lines
                                .iter()
                                .map(move |l| (o.id.to_string(), l.quantity.to_string()))
                        })
                        .collect(),
                    "order_id",
                    "quantity",
                ),
                "deals" => check(
                    deals
                        .iter()
                        .map(|d| (d.id.to_string(), d.stage.name().to_string()))
                        .collect(),
                    "id",
                    "stage",
                ),
                "tickets" => check(
                    tickets
                        .iter()
                        .map(|t| (t.id.to_string(), t.subject.clone()))
                        .collect(),
                    "id",
                    "subject",
                ),
                "followups" => check(
                    followups
                        .iter()
                        .map(|f| (f.id.to_string(), f.outcome.clone().unwrap_or_default()))
                        .collect(),
                    "id",
                    "outcome",
                ),
                _ => check(
                    notes
                        .iter()
                        .map(|n| (n.id.to_string(), n.text.clone()))
                        .collect(),
                    "id",
                    "text",
                ),
            }
        }
    }
    // Timestamps are ISO 8601 in UTC.
    let first = &parse(
        "json",
        &common::stdout_of(&db, &["export", "orders", "--format", "json"]),
    )[0];
    let placed = text(&first["placed"]);
    assert!(
        chrono::DateTime::parse_from_rfc3339(&placed).is_ok() && placed.ends_with('Z'),
        "{placed}"
    );
}

#[test]
fn filters_ids_only_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 200, 9);
    let store = Store::open(&db).unwrap();
    let open_tickets = store.tickets_in(TicketStatus::Open).unwrap().len();
    let won: Vec<u64> = store
        .deals_in(DealStage::Won)
        .unwrap()
        .iter()
        .map(|d| d.id.0)
        .collect();
    drop(store);

    let rows = parse(
        "csv",
        &common::stdout_of(&db, &["export", "tickets", "--status", "open"]),
    );
    assert_eq!(rows.len(), open_tickets);
    assert!(rows.iter().all(|r| text(&r["status"]) == "open"));

    let ids = common::stdout_of(&db, &["export", "deals", "--stage", "won", "--ids-only"]);
    let got: Vec<u64> = ids.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(got, won);

    let notes = parse(
        "ndjson",
        &common::stdout_of(
            &db,
            &[
                "export",
                "notes",
                "--format",
                "ndjson",
                "--since",
                "2026-10-01",
                "--until",
                "2026-10-31",
            ],
        ),
    );
    assert!(!notes.is_empty());
    assert!(
        notes.iter().all(|n| text(&n["at"]).starts_with("2026-10-")),
        "{notes:?}"
    );

    let champions = common::stdout_of(
        &db,
        &[
            "export",
            "customers",
            "--segment",
            "champions",
            "--ids-only",
        ],
    );
    let everyone = common::stdout_of(&db, &["export", "customers", "--ids-only"]);
    assert!(!champions.is_empty() && champions.lines().count() < everyone.lines().count());

    let file = dir.path().join("out").join("deals.csv");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let out = common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["export", "deals", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "data goes to the file, not stdout");
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("rows written to")
    );
    assert_eq!(
        parse("csv", &std::fs::read_to_string(&file).unwrap()).len(),
        common::stats_json(&db)["deals"].as_u64().unwrap() as usize
    );

    let bad = common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["export", "products", "--status", "open"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8(bad.stderr)
            .unwrap()
            .contains("--status does not apply to products")
    );
}

#[test]
fn an_out_file_is_checked_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    common::demo_cli(&db, 30, 2);
    let before = common::exports(&db);
    for (target, says) in [
        (db.join("db"), "inside the database directory"),
        (db.join("new.csv"), "inside the database directory"),
        (
            dir.path().join("d.db/./blobs/../x.csv"),
            "inside the database directory",
        ),
        (dir.path().to_path_buf(), "is a directory"),
    ] {
        for command in [vec!["export", "customers", "--out"], vec!["backup"]] {
            let out = common::rapport()
                .arg("--db")
                .arg(&db)
                .args(&command)
                .arg(&target)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{command:?} {}", target.display());
            assert!(
                err.contains(says),
                "{command:?} {}: {err}",
                target.display()
            );
            assert!(!err.contains("rows written"), "{err}");
            assert!(out.stdout.is_empty());
        }
    }
    assert!(!db.join("new.csv").exists());
    common::assert_same_exports(&before, &common::exports(&db), "after refused writes");

    // A device is written as it is, never renamed over.
    let ids = common::stdout_of(
        &db,
        &["export", "customers", "--ids-only", "--out", "/dev/stdout"],
    );
    assert_eq!(ids.lines().count(), 30);
    assert!(std::fs::metadata("/dev/stdout").is_ok());
}

#[test]
fn a_reader_that_stops_early_ends_the_export_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 2000, 10);
    for format in ["csv", "ndjson"] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("rapport"))
            .arg("--db")
            .arg(&db)
            .args(["export", "order-lines", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        // The reader is dropped here, as `| head -1` does.
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn insights_export_like_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 300, 11);
    let segments = parse("csv", &common::stdout_of(&db, &["export", "segments"]));
    let buyers = segments.len();
    assert!(buyers > 200);
    let champions: Vec<String> = segments
        .iter()
        .filter(|r| text(&r["segment"]) == "Champions")
        .map(|r| text(&r["customer_id"]))
        .collect();
    let only = parse(
        "ndjson",
        &common::stdout_of(
            &db,
            &[
                "export",
                "segments",
                "--segment",
                "champions",
                "--format",
                "ndjson",
            ],
        ),
    );
    assert_eq!(
        only.iter()
            .map(|r| text(&r["customer_id"]))
            .collect::<Vec<_>>(),
        champions
    );

    let rules = parse("csv", &common::stdout_of(&db, &["export", "rules"]));
    let table = common::stdout_of(&db, &["rules"]);
    assert!(
        table.starts_with(&format!("{} rules", rules.len())),
        "export and rules command agree: {table}"
    );

    let all = parse("csv", &common::stdout_of(&db, &["export", "suggestions"]));
    assert_eq!(all.len(), buyers * 10, "ten for every buyer");
    let for_champions = parse(
        "csv",
        &common::stdout_of(&db, &["export", "suggestions", "--segment", "champions"]),
    );
    assert_eq!(for_champions.len(), champions.len() * 10);
    assert!(for_champions.iter().all(|r| champions.contains(&text(&r["customer_id"])) && !text(&r["reason"]).is_empty()));
}

/// A CSV with no rows still names its columns, as the same export with rows does: a script
/// reading it finds the header, not an empty file.
#[test]
fn an_export_of_no_rows_still_has_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    common::demo_cli(&demo, 200, 4);
    let empty = dir.path().join("empty");
    let file = dir.path().join("one.csv");
    std::fs::write(&file, "name\nAda Chen\n").unwrap();
    common::stdout_of(&empty, &["import", "customers", file.to_str().unwrap()]);
    let kinds = common::ENTITY_EXPORTS
        .iter()
        .copied()
        .filter(|w| *w != "customers")
        .chain(["segments", "rules", "suggestions"]);
    for what in kinds {
        for format in ["csv", "tsv"] {
            let full = common::stdout_of(&demo, &["export", what, "--format", format]);
            let header = full.lines().next().unwrap_or_default().to_string();
            assert!(full.lines().count() > 1, "{what}: the demo has rows");
            let none = common::stdout_of(&empty, &["export", what, "--format", format]);
            assert_eq!(none, format!("{header}\n"), "{what} as {format}");
        }
    }
    // Nothing for the ids, nor in JSON but the empty list.
    let ids = common::stdout_of(&empty, &["export", "deals", "--ids-only"]);
    assert_eq!(ids, "");
    let json = common::stdout_of(&empty, &["export", "deals", "--format", "json"]);
    assert_eq!(json.trim(), "[]");
}
