//! Every entity goes in and comes back whole, and the indexes agree with the records through
//! creates, updates and deletes.

use chrono::{NaiveDate, TimeZone, Utc};
use rapport::domain::*;
use rapport::store::{Store, StoreError, Unique};

fn at(day: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 30, 0).unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    (dir, store)
}

fn customer(store: &Store, name: &str, email: &str) -> Customer {
    let mut c = Customer::new(name, at(1));
    c.email = Some(email.into());
    c.company = Some("Acme Ltd".into());
    c.phone = Some("+44 20 7946 0958".into());
    c.country = Some("United Kingdom".into());
    c.tags = vec!["wholesale".into(), "vip".into()];
    c.owner = Some("sam".into());
    c.stage = Lifecycle::Prospect;
    store.create(c).unwrap()
}

#[test]
fn every_entity_round_trips() {
    let (_dir, store) = open();
    let ada = customer(&store, "Ada Lovelace", "ada@example.com");
    assert_eq!(store.get::<Customer>(ada.id.0).unwrap().unwrap(), ada);

    let mut lantern = Product::new(
        "71053",
        "WHITE METAL LANTERN",
        Money::parse("3.39").unwrap(),
    );
    lantern.category = Some("Lighting".into());
    let lantern = store.create(lantern).unwrap();
    assert_eq!(
        store.get::<Product>(lantern.id.0).unwrap().unwrap(),
        lantern
    );

    let order = store
        .create(Order {
            id: OrderId(0),
            number: "536365".into(),
            customer: Some(ada.id),
            placed: at(2),
            kind: OrderKind::Purchase,
            lines: vec![
                OrderLine {
                    line_no: 1,
                    product: lantern.id,
                    quantity: 6,
                    unit_price: lantern.unit_price,
                },
                OrderLine {
                    line_no: 2,
                    product: lantern.id,
                    quantity: -1,
                    unit_price: lantern.unit_price,
                },
            ],
        })
        .unwrap();
    assert_eq!(store.get::<Order>(order.id.0).unwrap().unwrap(), order);

    let mut deal = Deal::new(
        "Spring restock",
        ada.id,
        Money::parse("1250.50").unwrap(),
        at(3),
    );
    deal.stage = DealStage::Proposal;
    deal.probability = 60;
    deal.expected_close = NaiveDate::from_ymd_opt(2026, 4, 30);
    deal.owner = Some("sam".into());
    let deal = store.create(deal).unwrap();
    assert_eq!(store.get::<Deal>(deal.id.0).unwrap().unwrap(), deal);

    let mut ticket = Ticket::new("Lantern arrived broken", ada.id, at(4));
    ticket.priority = Priority::High;
    ticket.due = Some(at(6));
    ticket.messages.push(Message {
        at: at(4),
        author: "Ada".into(),
        body: "Glass cracked".into(),
    });
    let ticket = store.create(ticket).unwrap();
    assert_eq!(store.get::<Ticket>(ticket.id.0).unwrap().unwrap(), ticket);

    let mut note = Note::new(ada.id, NoteKind::Call, "Wants a quote for 200 units", at(5));
    note.author = Some("sam".into());
    let note = store.create(note).unwrap();
    assert_eq!(store.get::<Note>(note.id.0).unwrap().unwrap(), note);

    let mut followup = rapport::domain::Followup::new(ada.id, "Call about the quote", at(7), at(5));
    followup.deal = Some(deal.id);
    followup.ticket = Some(ticket.id);
    followup.owner = Some("sam".into());
    followup.complete(Some("Sent the quote".into()), at(6));
    let followup = store.create(followup).unwrap();
    assert_eq!(
        store
            .get::<rapport::domain::Followup>(followup.id.0)
            .unwrap()
            .unwrap(),
        followup
    );
    assert_eq!(store.followups_of(ada.id).unwrap(), vec![followup]);

    assert_eq!(store.orders_of(ada.id).unwrap(), vec![order]);
    assert_eq!(store.deals_of(ada.id).unwrap(), vec![deal.clone()]);
    assert_eq!(store.tickets_of(ada.id).unwrap(), vec![ticket]);
    assert_eq!(store.notes_of(ada.id).unwrap(), vec![note]);
    assert_eq!(store.deals_in(DealStage::Proposal).unwrap(), vec![deal]);
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn records_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let ada = {
        let store = Store::open(&path).unwrap();
        customer(&store, "Ada", "ada@example.com")
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get::<Customer>(ada.id.0).unwrap(), Some(ada));
    let next = customer(&store, "Grace", "grace@example.com");
    assert_eq!(next.id.0, 2, "ids continue after a reopen");
}

#[test]
fn indexes_follow_updates_and_deletes() {
    let (_dir, store) = open();
    let mut ada = customer(&store, "Ada", "ada@example.com");
    let bob = customer(&store, "Bob", "bob@example.com");

    ada.email = Some("Ada.L@Example.org".into());
    ada.external_id = Some("C-17".into());
    store.update(&ada).unwrap();
    assert_eq!(
        store
            .find_id(Unique::CustomerEmail, "ada@example.com")
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .find_id(Unique::CustomerEmail, "ada.l@example.org")
            .unwrap(),
        Some(ada.id.0)
    );
    assert_eq!(
        store
            .find_id(Unique::CustomerEmail, "ADA.L@EXAMPLE.ORG")
            .unwrap(),
        Some(ada.id.0)
    );
    assert_eq!(
        store.find_id(Unique::CustomerExternalId, "C-17").unwrap(),
        Some(ada.id.0)
    );

    let mut deal = store
        .create(Deal::new("Renewal", ada.id, Money::from_units(500), at(2)))
        .unwrap();
    for stage in [DealStage::Qualified, DealStage::Proposal, DealStage::Won] {
        deal.stage = stage;
        store.update(&deal).unwrap();
        assert_eq!(store.deals_in(stage).unwrap(), vec![deal.clone()]);
    }
    assert!(store.deals_in(DealStage::Lead).unwrap().is_empty());
    deal.customer = bob.id;
    store.update(&deal).unwrap();
    assert!(store.deals_of(ada.id).unwrap().is_empty());
    assert_eq!(store.deals_of(bob.id).unwrap().len(), 1);

    let mut ticket = store
        .create(Ticket::new("Invoice wrong", bob.id, at(3)))
        .unwrap();
    ticket.status = TicketStatus::Closed;
    store.update(&ticket).unwrap();
    assert!(store.tickets_in(TicketStatus::Open).unwrap().is_empty());
    assert_eq!(
        store.tickets_in(TicketStatus::Closed).unwrap(),
        vec![ticket.clone()]
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());

    store.delete::<Ticket>(ticket.id.0).unwrap();
    store.delete::<Deal>(deal.id.0).unwrap();
    store
        .create(Note::new(bob.id, NoteKind::Note, "Moved to Leeds", at(4)))
        .unwrap();
    store
        .create(rapport::domain::Followup::new(
            bob.id,
            "Ask about Leeds",
            at(5),
            at(4),
        ))
        .unwrap();
    store.delete::<Customer>(bob.id.0).unwrap();
    assert_eq!(store.count::<Note>(), 0, "a customer's notes go with them");
    assert_eq!(
        store.count::<rapport::domain::Followup>(),
        0,
        "and their follow-ups"
    );
    assert_eq!(
        store
            .find_id(Unique::CustomerEmail, "bob@example.com")
            .unwrap(),
        None
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn duplicates_unknown_customers_and_bad_fields_are_refused_whole() {
    let (_dir, store) = open();
    let ada = customer(&store, "Ada", "ada@example.com");
    let version = store.data_version().unwrap();

    let mut twin = Customer::new("Ada Again", at(2));
    twin.email = Some("ADA@example.com".into());
    match store.create(twin) {
        Err(StoreError::Duplicate {
            field: rapport::domain::FieldId::Email,
            existing,
            ..
        }) => assert_eq!(existing, ada.id.0),
        other => panic!("expected a duplicate email, got {other:?}"),
    }

    let orphan = Deal::new("Ghost deal", CustomerId(999), Money::from_units(1), at(2));
    let err = store.create(orphan).unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownCustomer { id: 999, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("customer"), "{err}");

    let mut bad = Customer::new("", at(2));
    bad.email = Some("nobody@example.com".into());
    let err = store.create(bad).unwrap_err();
    assert!(err.to_string().contains("name: must not be empty"), "{err}");

    assert_eq!(store.count::<Customer>(), 1);
    assert_eq!(store.count::<Deal>(), 0);
    assert_eq!(
        store.data_version().unwrap(),
        version,
        "refused writes change nothing"
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn a_customer_with_history_cannot_be_deleted() {
    let (_dir, store) = open();
    let ada = customer(&store, "Ada", "ada@example.com");
    store
        .create(Deal::new("Renewal", ada.id, Money::from_units(5), at(2)))
        .unwrap();
    let err = store.delete::<Customer>(ada.id.0).unwrap_err();
    assert!(
        matches!(err, StoreError::InUse { what: "deals", .. }),
        "{err}"
    );
    assert!(store.get::<Customer>(ada.id.0).unwrap().is_some());
}

#[test]
fn every_write_bumps_the_data_version() {
    let (_dir, store) = open();
    let v0 = store.data_version().unwrap();
    let mut ada = customer(&store, "Ada", "ada@example.com");
    ada.name = "Ada L.".into();
    store.update(&ada).unwrap();
    assert_eq!(store.data_version().unwrap(), v0 + 2);
}

#[test]
fn a_second_open_gets_the_in_use_error() {
    let (dir, _store) = open();
    let err = Store::open(&dir.path().join("db"))
        .err()
        .expect("second open must fail");
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("in use by another rapport process"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn the_database_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _store) = open();
    let mode = std::fs::metadata(dir.path().join("db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "mode {mode:o}");
}

#[test]
fn a_customer_put_back_brings_back_the_follow_ups_deleted_with_them() {
    use rapport::domain::Followup;
    let (_dir, store) = open();
    let ada = customer(&store, "Ada", "ada@example.com");
    let call = store
        .create(Followup::new(ada.id, "Call back", at(5), at(4)))
        .unwrap();
    let gone = store.delete::<Customer>(ada.id.0).unwrap();
    assert_eq!(store.count::<Followup>(), 0);
    store.restore(&gone).unwrap();
    store.undelete_with(ada.id).unwrap();
    assert_eq!(store.followups_of(ada.id).unwrap(), vec![call]);
    assert!(store.trash().unwrap().is_empty());
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn a_deleted_record_can_be_restored_under_its_own_id() {
    let (_dir, store) = open();
    let ada = customer(&store, "Ada", "ada@example.com");
    let deal = store
        .create(Deal::new("Renewal", ada.id, Money::from_units(5), at(2)))
        .unwrap();
    let gone = store.delete::<Deal>(deal.id.0).unwrap();
    store.restore(&gone).unwrap();
    assert_eq!(store.get::<Deal>(deal.id.0).unwrap(), Some(deal.clone()));
    assert_eq!(store.deals_of(ada.id).unwrap(), vec![deal.clone()]);
    assert!(
        store.restore(&gone).is_err(),
        "a record that is there cannot be restored over"
    );
    let mut never = gone.clone();
    never.id = DealId(99);
    assert!(
        matches!(store.restore(&never), Err(StoreError::NotFound { .. })),
        "ids never handed out are refused"
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn reading_ahead_gives_what_reading_in_place_gives_and_stops_when_dropped() {
    let (_dir, store) = open();
    // More than a few read-ahead batches, so the reader fills its channel and must be stopped.
    store
        .write(|tx| {
            for i in 0..3_000 {
                tx.create(Product::new(
                    format!("SKU{i}"),
                    format!("Thing {i}"),
                    Money::ZERO,
                ))?;
            }
            Ok(())
        })
        .unwrap();
    let skus = |it: &mut dyn Iterator<Item = Result<Product, StoreError>>| -> Vec<String> {
        it.map(|p| p.unwrap().sku).collect()
    };
    let in_place = skus(&mut store.iter::<Product>());
    assert_eq!(in_place.len(), 3_000);
    assert_eq!(skus(&mut store.iter_ahead::<Product>()), in_place);

    let mut ahead = store.iter_ahead::<Product>();
    let first: Vec<String> = skus(&mut ahead.by_ref().take(3));
    assert_eq!(first, in_place[..3]);
    // Dropping joins the reader, which is blocked on its full channel: this returns only if
    // hanging up wakes it.
    drop(ahead);
}

#[test]
fn id_ranges_cover_every_record_once_in_order() {
    let (_dir, store) = open();
    assert!(store.id_ranges::<Customer>(2).unwrap().is_empty());
    let mut made: Vec<u64> = (0..37)
        .map(|i| {
            customer(&store, &format!("C{i}"), &format!("c{i}@example.com"))
                .id
                .0
        })
        .collect();
    // A gap where records were deleted.
    for id in made.drain(10..20) {
        store.delete::<Customer>(id).unwrap();
    }
    for parts in [1, 2, 3, 7, 100] {
        let ranges = store.id_ranges::<Customer>(parts).unwrap();
        assert!(ranges.len() as u64 <= parts && !ranges.is_empty());
        let read: Vec<u64> = ranges
            .iter()
            .flat_map(|r| {
                store
                    .iter_ids::<Customer>(r.clone())
                    .map(|c| c.unwrap().id.0)
            })
            .collect();
        assert_eq!(read, made, "{parts} parts: {ranges:?}");
    }
}
