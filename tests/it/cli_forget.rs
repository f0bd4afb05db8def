//! `rapport forget` erases a person's data everywhere the store keeps it (their record, notes, ticket
//! messages, the trash, the import journal) while their orders stay for the insights, and the
//! erasure holds through a backup and a restore, down to the bytes of the restored database.

use crate::common;

use common::{failure_of, stdout_of};
use rapport::domain::{Customer, CustomerId};
use rapport::store::Store;
use std::path::Path;

/// A customer of the demo with orders, tickets and notes.
fn someone_with_history(db: &Path) -> (Customer, usize) {
    let store = Store::open(db).unwrap();
    let customer = store
        .iter::<Customer>()
        .map(Result::unwrap)
        .find(|c| {
            !store.orders_of(c.id).unwrap().is_empty()
                && !store.tickets_of(c.id).unwrap().is_empty()
                && !store.notes_of(c.id).unwrap().is_empty()
                && c.email.is_some()
        })
        .expect("the demo has such a customer");
    let orders = store.orders_of(customer.id).unwrap().len();
    (customer, orders)
}

/// Every file under `dir`, read as bytes, searched for `needle`.
fn found_in_files(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            hits.extend(found_in_files(&path, needle));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(path.display().to_string());
            }
        }
    }
    hits
}

#[test]
fn forgetting_erases_the_person_everywhere_and_keeps_their_orders() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 150, 3);
    let (person, orders) = someone_with_history(&db);
    let email = person.email.clone().unwrap();
    let id = person.id.0.to_string();

    // Personal data in every place the store keeps copies: the record (via a journaled import, so
    // the journal holds the earlier name), a note, a deleted note in the trash.
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        format!("email,name,phone\n{email},Zebediah Quartermaine,+44 1632 960123\n"),
    )
    .unwrap();
    stdout_of(&db, &["import", "customers", people.to_str().unwrap()]);
    stdout_of(
        &db,
        &["note", &email, "prefers calls after 5, mobile xyzzy-31"],
    );
    let said = stdout_of(&db, &["note", &email, "lives at 12 Plugh Lane"]);
    let note_id = said.split_whitespace().nth(1).unwrap();
    stdout_of(&db, &["delete", &format!("note:{note_id}")]);
    // Free text that names them outside their own record.
    {
        use rapport::domain::{Deal, Money, Ticket};
        let store = Store::open(&db).unwrap();
        let now = chrono::Utc::now();
        store
            .create(Ticket::new(
                "refund for Zebulon Quixotefrost",
                person.id,
                now,
            ))
            .unwrap();
        store
            .create(Deal::new(
                "Quixotefrost family renewal",
                person.id,
                Money::from_units(900),
                now,
            ))
            .unwrap();
    }
    let secrets = [
        "Zebulon Quixotefrost",
        "Quixotefrost family renewal",
        email.as_str(),
        "Zebediah Quartermaine",
        person.name.as_str(),
        "1632 960123",
        "xyzzy-31",
        "Plugh Lane",
    ];

    let (code, err) = failure_of(&db, &["forget", &id]);
    assert_eq!(code, 2, "without --yes nothing happens: {err}");
    assert!(err.contains("--yes"), "{err}");
    assert!(stdout_of(&db, &["export", "customers"]).contains(&email));

    let said = stdout_of(&db, &["forget", &id, "--yes"]);
    assert!(said.contains("forgotten"), "{said}");

    let store = Store::open(&db).unwrap();
    let after: Customer = store.get(person.id.0).unwrap().unwrap();
    assert_eq!(after.name, format!("Forgotten customer {}", person.id));
    assert_eq!(
        (after.email, after.phone, after.external_id),
        (None, None, None)
    );
    assert_eq!(
        after.country, person.country,
        "the country stays for the insights"
    );
    assert_eq!(
        store.orders_of(CustomerId(person.id.0)).unwrap().len(),
        orders
    );
    for note in store.notes_of(person.id).unwrap() {
        assert_eq!(note.text, "(erased)");
    }
    for ticket in store.tickets_of(person.id).unwrap() {
        assert!(ticket.messages.iter().all(|m| m.body == "(erased)"));
        assert_eq!(ticket.subject, "(erased)");
    }
    let deals = store.deals_of(person.id).unwrap();
    assert!(!deals.is_empty());
    assert!(deals.iter().all(|d| d.title == "(erased)"));
    drop(store);
    // The anonymous buyer is still in the segments.
    let segments = stdout_of(&db, &["export", "segments", "--format", "ndjson"]);
    assert!(
        segments.contains(&format!("\"customer_id\":\"{id}\"")),
        "customer {id} is still segmented"
    );

    let backup = dir.path().join("backup.ndjson");
    stdout_of(&db, &["backup", backup.to_str().unwrap()]);
    let text = std::fs::read_to_string(&backup).unwrap();
    let copy = dir.path().join("copy");
    stdout_of(&copy, &["restore", backup.to_str().unwrap()]);
    for secret in secrets {
        assert!(!text.contains(secret), "the backup still holds '{secret}'");
        let hits = found_in_files(&copy, secret);
        assert!(
            hits.is_empty(),
            "the restored database holds '{secret}': {hits:?}"
        );
    }
    let dump = stdout_of(&db, &["export", "customers", "--format", "ndjson"]);
    assert!(!dump.contains(&email));
}

/// The app's log names records by id: a person it wrote about leaves no trace there to forget.
/// The log file is its owner's alone, even one an older rapport left readable by all.
#[test]
fn the_log_is_private_and_holds_no_personal_data() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("state");
    std::fs::create_dir(&logs).unwrap();
    let log = logs.join("rapport.log");
    std::fs::write(&log, "").unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    rapport::logging::start(&logs);
    assert_eq!(
        std::fs::metadata(&log).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let store = common::small_demo(&dir.path().join("db"));
    let mut state = common::app(&store, false);
    common::press(&mut state, &["n"]);
    common::type_text(&mut state, "Zebulon Quixotefrost");
    common::press(&mut state, &["tab", "tab"]);
    common::type_text(&mut state, "zq@example.com");
    common::press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "the customer was saved");
    // The same address again: refused, and the refusal quotes it on screen, not in the log.
    common::press(&mut state, &["n"]);
    common::type_text(&mut state, "Zebulon Again");
    common::press(&mut state, &["tab", "tab"]);
    common::type_text(&mut state, "zq@example.com");
    common::press(&mut state, &["enter"]);
    assert!(state.form().is_some(), "a taken email keeps the form open");

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("wrote customer "),
        "the write is logged: {text}"
    );
    for secret in ["Zebulon", "Quixotefrost", "zq@example.com"] {
        assert!(!text.contains(secret), "the log holds '{secret}': {text}");
    }
}

/// A note in the trash keeps nothing in the log once its person is forgotten; a customer who was
/// deleted, or merged into another, can be forgotten by id, and nothing brings them back whole.
#[test]
fn forget_reaches_the_trash_and_people_merged_away() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 60, 5);
    let (person, _) = someone_with_history(&db);
    let id = person.id.0.to_string();
    let secret = "Quillon Vantablack secret";
    let note = stdout_of(&db, &["note", &id, secret]);
    let note_id = note
        .split_whitespace()
        .find_map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_digit())
                .parse::<u64>()
                .ok()
        })
        .expect("the note's id");
    stdout_of(&db, &["delete", &format!("note:{note_id}")]);
    stdout_of(&db, &["forget", &id, "--yes"]);
    let log = stdout_of(
        &db,
        &[
            "audit",
            "--record",
            &format!("note:{note_id}"),
            "--format",
            "json",
        ],
    );
    assert!(
        !log.contains(secret),
        "the deleted note's text is in the log: {log}"
    );

    // Deleted, then forgotten: undelete has nothing to bring back.
    let store = Store::open(&db).unwrap();
    let other = store
        .iter::<Customer>()
        .map(Result::unwrap)
        .find(|c| {
            c.id != person.id && c.email.is_some() && store.orders_of(c.id).unwrap().is_empty()
        })
        .unwrap();
    drop(store);
    let other_id = other.id.0.to_string();
    stdout_of(&db, &["delete", &format!("customer:{other_id}")]);
    let done = stdout_of(&db, &["forget", &other_id, "--yes"]);
    assert!(done.contains("forgotten"), "{done}");
    let (code, _) = failure_of(&db, &["undelete", &format!("customer:{other_id}")]);
    assert_ne!(code, 0, "a forgotten customer came back from the trash");
    let trash = stdout_of(&db, &["trash"]);
    assert!(!trash.contains(&other.name), "{trash}");

    // Merged away, then forgotten: unmerge cannot bring back their name or email.
    let store = Store::open(&db).unwrap();
    let mut two = store
        .iter::<Customer>()
        .map(Result::unwrap)
        .filter(|c| c.id != person.id && c.id != other.id && c.email.is_some());
    let (keep, away) = (two.next().unwrap(), two.next().unwrap());
    drop(two);
    drop(store);
    stdout_of(
        &db,
        &["merge", &keep.id.0.to_string(), &away.id.0.to_string()],
    );
    let done = stdout_of(&db, &["forget", &away.id.0.to_string(), "--yes"]);
    assert!(done.contains("forgotten"), "{done}");
    // Whether unmerge runs or refuses, what it can bring back is erased.
    let _ = common::output_of(&db, &["unmerge", &keep.id.0.to_string()]);
    let everything = stdout_of(&db, &["backup", "-"]);
    let away_email = away.email.clone().unwrap();
    assert!(
        !everything.contains(&away.name),
        "the merged-away name survives"
    );
    assert!(
        !everything.contains(&away_email),
        "the merged-away email survives"
    );
}
