//! The audit log: every write, with who made it, when, what, and each field before → after; written
//! in the write's own transaction; erased of a person's data by `forget`.

use crate::common;

use rand::{Rng, SeedableRng};
use rapport::domain::{Customer, Deal, DealStage};
use rapport::ops::{Actor, Ops, Record, Write};
use rapport::store::{AuditQuery, RecordRef, Store};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    (dir, store)
}

fn all(store: &Store) -> Vec<rapport::store::AuditEntry> {
    store.audit(&AuditQuery::default()).unwrap()
}

#[test]
fn a_demo_writes_no_log_and_each_write_after_it_one_entry_by_its_author() {
    let (_dir, store) = store();
    assert!(
        all(&store).is_empty(),
        "the demo's invented history is not logged"
    );
    // Random edits by random people, against the log as an oracle of who did what, in order.
    let people = ["ana", "bea", "cal"];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let deals: Vec<Deal> = store.all().unwrap();
    let mut expected = Vec::new();
    for _ in 0..40 {
        let who = people[rng.random_range(0..people.len())];
        let ops = Ops::new(store.clone(), Actor::named(who));
        let old: Deal = store
            .get(deals[rng.random_range(0..10)].id.0)
            .unwrap()
            .unwrap();
        let mut new = old.clone();
        new.title = format!("{} by {who}", old.title.split(" by ").next().unwrap());
        if new == old {
            continue;
        }
        ops.apply(Write::Update {
            old: Record::Deal(old.clone()),
            new: Record::Deal(new.clone()),
        })
        .unwrap();
        expected.push((who.to_string(), old.id.0, old.title, new.title));
    }
    let log = all(&store);
    assert_eq!(log.len(), expected.len());
    for (entry, (who, id, before, after)) in log.iter().zip(&expected) {
        assert_eq!(
            (&entry.actor, entry.op.as_str(), entry.kind.as_str()),
            (who, "update", "deal")
        );
        assert_eq!(entry.id, *id);
        let title = entry.changes.iter().find(|c| c.field == "title").unwrap();
        assert_eq!(
            (title.before.as_ref(), title.after.as_ref()),
            (Some(before), Some(after))
        );
        assert_eq!(
            entry.changes.len(),
            1,
            "only the title changed: {:?}",
            entry.changes
        );
    }
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    let bea = store
        .audit(&AuditQuery {
            who: Some("bea".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(bea.len(), expected.iter().filter(|e| e.0 == "bea").count());
}

#[test]
fn a_refused_write_leaves_no_entry_and_a_deal_has_its_history() {
    let (_dir, store) = store();
    let ops = Ops::new(store.clone(), Actor::named("dan"));
    let deal: Deal = store
        .all::<Deal>()
        .unwrap()
        .into_iter()
        .find(|d| d.stage == DealStage::Lead)
        .unwrap();
    let mut won = deal.clone();
    won.stage = DealStage::Won;
    ops.apply(Write::Update {
        old: Record::Deal(deal.clone()),
        new: Record::Deal(won.clone()),
    })
    .unwrap();
    let mut bad = won.clone();
    bad.title = String::new();
    let refused = ops.apply(Write::Update {
        old: Record::Deal(won.clone()),
        new: Record::Deal(bad),
    });
    assert!(refused.is_err());
    let history = store
        .audit(&AuditQuery {
            record: Some(RecordRef {
                kind: rapport::store::Kind::Deal,
                id: deal.id.0,
            }),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    let stage = history[0]
        .changes
        .iter()
        .find(|c| c.field == "stage")
        .unwrap();
    assert_eq!(stage.after.as_deref(), Some("won"), "{stage:?}");
    assert_eq!(all(&store).len(), 1);
}

#[test]
fn forget_erases_what_the_log_held_of_the_person_and_keeps_who_and_when() {
    let (_dir, store) = store();
    let customer: Customer = store.get(5).unwrap().unwrap();
    let ops = Ops::new(store.clone(), Actor::named("eve"));
    let mut renamed = customer.clone();
    renamed.name = "Zelda Unforgettable".into();
    renamed.email = Some("zelda@unforgettable.example".into());
    ops.apply(Write::Update {
        old: Record::Customer(customer.clone()),
        new: Record::Customer(renamed),
    })
    .unwrap();
    ops.add_note(
        customer.id,
        rapport::domain::NoteKind::Call,
        "Zelda says call back",
    )
    .unwrap();
    ops.forget(customer.id).unwrap();
    let log = serde_json::to_string(&all(&store)).unwrap();
    for secret in ["Zelda", "unforgettable", &customer.name] {
        assert!(!log.contains(secret), "{secret} survived in the log: {log}");
    }
    let entries = all(&store);
    assert!(entries.iter().all(|e| e.actor == "eve"));
    assert!(entries.iter().any(|e| e.op == "forget"));
}

#[test]
fn the_audit_command_lists_and_filters_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 30, 2);
    common::stdout_of(&db, &["note", "3", "first call", "--author", "fay"]);
    common::stdout_of(&db, &["note", "4", "second call", "--author", "gus"]);
    let table = common::stdout_of(&db, &["audit"]);
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(table.contains("create note:"), "{table}");
    let gus = common::stdout_of(&db, &["audit", "--who", "gus", "--format", "ndjson"]);
    assert_eq!(gus.lines().count(), 1);
    let entry: serde_json::Value = serde_json::from_str(gus.trim()).unwrap();
    assert_eq!(entry["actor"], "gus");
    let csv = common::stdout_of(&db, &["audit", "--format", "csv", "--since", "2000-01-01"]);
    assert_eq!(csv.lines().count(), 3, "a header and two rows: {csv}");
    let none = common::stdout_of(&db, &["audit", "--since", "2999-01-01"]);
    assert!(none.contains("no changes logged that match"), "{none}");
    let (code, err) = common::failure_of(&db, &["audit", "--since", "yesterday"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_customers_timeline_says_who_changed_their_records() {
    let (_dir, store) = store();
    let deal: Deal = store
        .all::<Deal>()
        .unwrap()
        .into_iter()
        .find(|d| d.stage == DealStage::Negotiation)
        .unwrap();
    let mut won = deal.clone();
    won.stage = DealStage::Won;
    Ops::new(store.clone(), Actor::named("bea"))
        .apply(Write::Update {
            old: Record::Deal(deal.clone()),
            new: Record::Deal(won),
        })
        .unwrap();
    let page = rapport::model::CustomerPage::read(&store, deal.customer)
        .unwrap()
        .unwrap();
    let said = format!("bea moved deal #{} to won", deal.id.0);
    let newest = &page.timeline[0];
    assert_eq!(
        (newest.kind, newest.text.as_str()),
        ("change", said.as_str())
    );
}

/// Every kind of write a person can make, each by its own author, and each in the log under
/// them: the records' creates, edits and deletes, a "two people" mark and its undoing, a saved
/// view. Marking two people is a manager's; a rep is refused and nothing is logged.
#[test]
fn every_kind_of_write_is_in_the_log_under_its_author() {
    use rapport::domain::{CustomerId, Followup, Note, NoteKind, Role, Ticket, View};
    let (_dir, store) = store();
    let now = chrono::Utc::now();
    let ops = |who: &str| Ops::new(store.clone(), Actor::named(who));
    let customer = |id: u64| store.get::<Customer>(id).unwrap().unwrap();
    let records = [
        Record::Customer(Customer::new("Logged Person", now)),
        Record::Deal(Deal::new(
            "Logged deal",
            CustomerId(1),
            rapport::domain::Money::from_units(5),
            now,
        )),
        Record::Ticket(Ticket::new("Logged ticket", CustomerId(1), now)),
        Record::Note(Note::new(CustomerId(1), NoteKind::Note, "logged note", now)),
        Record::Followup(Followup::new(CustomerId(1), "logged follow-up", now, now)),
    ];
    let mut expected: Vec<(String, String, String)> = Vec::new();
    for (i, record) in records.into_iter().enumerate() {
        let who = format!("writer{i}");
        let created = ops(&who).apply(Write::Create(record)).unwrap();
        let made = created.record().clone();
        let kind = made.reference().split(' ').next().unwrap().to_string();
        expected.push((who.clone(), "create".into(), kind.clone()));
        let deleter = format!("deleter{i}");
        let reference = &made
            .reference()
            .replace(' ', ":")
            .replace("follow-up", "followup")
            .parse::<RecordRef>()
            .unwrap();
        ops(&deleter).delete(*reference).unwrap();
        expected.push((deleter, "delete".into(), kind));
    }
    let mut edited = customer(2);
    edited.company = Some("Edited Ltd".into());
    ops("editor")
        .apply(Write::Update {
            old: Record::Customer(customer(2)),
            new: Record::Customer(edited),
        })
        .unwrap();
    expected.push(("editor".into(), "update".into(), "customer".into()));
    let rep = Ops::new(store.clone(), Actor::with_role("rita", Role::Rep));
    assert!(
        rep.mark_distinct(CustomerId(3), CustomerId(4), true)
            .is_err(),
        "a rep hid a pair"
    );
    ops("mona")
        .mark_distinct(CustomerId(3), CustomerId(4), true)
        .unwrap();
    expected.push(("mona".into(), "distinct".into(), "customer".into()));
    ops("mona")
        .mark_distinct(CustomerId(3), CustomerId(4), false)
        .unwrap();
    expected.push(("mona".into(), "not distinct".into(), "customer".into()));
    let view = View {
        name: "Leeds".into(),
        pane: Some("customers".into()),
        filter: Some("leeds".into()),
        mine: true,
    };
    ops("vic").save_view(&view).unwrap();
    expected.push(("vic".into(), "save view".into(), "view".into()));
    // The team's changes, as `rapport team … --as tara` makes them: signed by her; a rep may make none.
    let key = |seed: u8| {
        use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
        let pair = KeypairData::Ed25519(Ed25519Keypair::from_seed(&[seed; 32]));
        let private = russh::keys::PrivateKey::new(pair, "test").unwrap();
        rapport::team::Key::of(private.public_key()).unwrap()
    };
    assert!(
        rep.add_member("bea", &key(1), Role::Rep).is_err(),
        "a rep changed the team"
    );
    let tara = ops("tara");
    tara.add_member("bea", &key(1), Role::Rep).unwrap();
    tara.set_member_role("bea", Role::Manager).unwrap();
    tara.add_member_key("bea", &key(2)).unwrap();
    tara.remove_member_key("bea", &key(2).fingerprint).unwrap();
    tara.remove_member("bea").unwrap();
    for op in ["create", "update", "update", "update", "delete"] {
        expected.push(("tara".into(), op.into(), "member".into()));
    }
    let logged: Vec<(String, String, String)> = all(&store)
        .into_iter()
        .map(|e| (e.actor, e.op, e.kind))
        .collect();
    assert_eq!(logged, expected);
    let marks = store
        .audit(&AuditQuery {
            record: Some("customer:4".parse::<RecordRef>().unwrap()),
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(marks.len(), 2, "the mark is under both customers");
    assert_eq!(
        marks[0].sentence(),
        "mona marked customers 3 and 4 as two people"
    );
}

/// An import is a write like any other: the log names whoever ran it (`--as`), not the login the
/// database was opened under.
#[test]
fn an_import_is_logged_under_who_ran_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 30, 2);
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "name,email\nImported One,one@example.org\nImported Two,two@example.org\n",
    )
    .unwrap();
    let said = common::stdout_of(
        &db,
        &["--as", "ivo", "import", "customers", file.to_str().unwrap()],
    );
    assert!(said.contains("import 1"), "{said}");
    let ivo = common::stdout_of(&db, &["audit", "--who", "ivo", "--format", "ndjson"]);
    let entries: Vec<serde_json::Value> = ivo
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        entries.len(),
        2,
        "two customers created, each logged under ivo: {ivo}"
    );
    assert!(entries.iter().all(|e| e["actor"] == "ivo"), "{ivo}");
    let everyone = common::stdout_of(&db, &["audit", "--format", "ndjson"]);
    assert_eq!(everyone.lines().count(), 2, "no one else wrote: {everyone}");
}
