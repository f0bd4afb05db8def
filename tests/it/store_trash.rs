//! Deletes are soft: a deleted record waits in the trash, whole, until it is undeleted (under its own
//! id, with the notes deleted along with it) or purged.

use chrono::{TimeZone, Utc};
use rapport::domain::*;
use rapport::store::{Kind, RecordRef, Store, StoreError, Unique};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    (dir, store)
}

fn at(day: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 30, 0).unwrap()
}

fn person(store: &Store, name: &str, email: &str) -> Customer {
    let mut c = Customer::new(name, at(1));
    c.email = Some(email.into());
    store.create(c).unwrap()
}

fn r(kind: Kind, id: u64) -> RecordRef {
    RecordRef { kind, id }
}

#[test]
fn a_deleted_deal_waits_in_the_trash_and_comes_back_whole() {
    let (_dir, store) = open();
    let ada = person(&store, "Ada", "ada@example.com");
    let deal = store
        .create(Deal::new("Renewal", ada.id, Money::from_units(5), at(2)))
        .unwrap();
    store.delete::<Deal>(deal.id.0).unwrap();

    assert_eq!(store.get::<Deal>(deal.id.0).unwrap(), None);
    assert!(store.deals_of(ada.id).unwrap().is_empty());
    let trash = store.trash().unwrap();
    assert_eq!(trash.len(), 1);
    assert_eq!(trash[0].record, r(Kind::Deal, deal.id.0));
    assert_eq!(trash[0].label, "Renewal");

    assert_eq!(
        store.undelete(r(Kind::Deal, deal.id.0)).unwrap(),
        vec![r(Kind::Deal, deal.id.0)]
    );
    assert_eq!(store.get::<Deal>(deal.id.0).unwrap(), Some(deal.clone()));
    assert_eq!(store.deals_of(ada.id).unwrap(), vec![deal]);
    assert!(store.trash().unwrap().is_empty());
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn a_customer_comes_back_with_the_notes_deleted_with_them() {
    let (_dir, store) = open();
    let ada = person(&store, "Ada", "ada@example.com");
    let bob = person(&store, "Bob", "bob@example.com");
    let mut notes = Vec::new();
    for text in ["called", "sent the quote"] {
        notes.push(
            store
                .create(Note::new(ada.id, NoteKind::Call, text, at(3)))
                .unwrap(),
        );
    }
    let bobs = store
        .create(Note::new(bob.id, NoteKind::Note, "unrelated", at(3)))
        .unwrap();
    store.delete::<Note>(bobs.id.0).unwrap();
    store.delete::<Customer>(ada.id.0).unwrap();

    assert_eq!(
        store
            .find_id(Unique::CustomerEmail, "ada@example.com")
            .unwrap(),
        None
    );
    assert!(store.notes_of(ada.id).unwrap().is_empty());
    assert_eq!(store.trash().unwrap().len(), 4);

    let back = store.undelete(r(Kind::Customer, ada.id.0)).unwrap();
    assert_eq!(back.len(), 3, "the customer and their two notes: {back:?}");
    assert_eq!(store.get::<Customer>(ada.id.0).unwrap(), Some(ada.clone()));
    assert_eq!(store.notes_of(ada.id).unwrap(), notes);
    assert_eq!(
        store
            .find_id(Unique::CustomerEmail, "ada@example.com")
            .unwrap(),
        Some(ada.id.0)
    );
    // Bob's own deleted note stays where it is.
    assert_eq!(store.trash().unwrap()[0].record, r(Kind::Note, bobs.id.0));
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn a_note_cannot_come_back_while_its_customer_is_gone() {
    let (_dir, store) = open();
    let ada = person(&store, "Ada", "ada@example.com");
    let note = store
        .create(Note::new(ada.id, NoteKind::Note, "hello", at(3)))
        .unwrap();
    store.delete::<Customer>(ada.id.0).unwrap();
    let err = store.undelete(r(Kind::Note, note.id.0)).unwrap_err();
    assert!(matches!(err, StoreError::UnknownCustomer { .. }), "{err}");
    // Nothing was half done: the note is still in the trash.
    assert_eq!(store.trash().unwrap().len(), 2);
}

#[test]
fn undoing_a_delete_in_the_app_takes_the_record_out_of_the_trash() {
    let (_dir, store) = open();
    let ada = person(&store, "Ada", "ada@example.com");
    let gone = store.delete::<Customer>(ada.id.0).unwrap();
    store.restore(&gone).unwrap();
    assert!(store.trash().unwrap().is_empty());
    assert!(matches!(
        store.undelete(r(Kind::Customer, ada.id.0)),
        Err(StoreError::NotInTrash { .. })
    ));
}

#[test]
fn a_taken_email_keeps_an_undelete_from_making_a_duplicate() {
    let (_dir, store) = open();
    let ada = person(&store, "Ada", "ada@example.com");
    store.delete::<Customer>(ada.id.0).unwrap();
    person(&store, "Ada again", "ada@example.com");
    let err = store.undelete(r(Kind::Customer, ada.id.0)).unwrap_err();
    assert!(err.to_string().contains("already belongs"), "{err}");
    assert_eq!(store.trash().unwrap().len(), 1);
}

#[test]
fn purge_drops_only_what_is_old_enough_and_for_good() {
    let (_dir, store) = open();
    let ada = person(&store, "Ada", "ada@example.com");
    let deal = store
        .create(Deal::new("Renewal", ada.id, Money::from_units(5), at(2)))
        .unwrap();
    store.delete::<Deal>(deal.id.0).unwrap();
    let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
    assert_eq!(store.purge(Some(an_hour_ago)).unwrap(), 0);
    assert_eq!(store.trash().unwrap().len(), 1);
    assert_eq!(store.purge(None).unwrap(), 1);
    assert!(store.trash().unwrap().is_empty());
    assert!(matches!(
        store.undelete(r(Kind::Deal, deal.id.0)),
        Err(StoreError::NotInTrash { .. })
    ));
}

#[test]
fn the_trash_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let deal_id = {
        let store = Store::open(&path).unwrap();
        let ada = person(&store, "Ada", "ada@example.com");
        let deal = store
            .create(Deal::new("Renewal", ada.id, Money::from_units(5), at(2)))
            .unwrap();
        store.delete::<Deal>(deal.id.0).unwrap();
        deal.id.0
    };
    let store = Store::open(&path).unwrap();
    store.undelete(r(Kind::Deal, deal_id)).unwrap();
    assert!(store.get::<Deal>(deal_id).unwrap().is_some());
}

#[test]
fn a_customer_whose_account_went_meanwhile_comes_back_on_their_own() {
    let (_dir, store) = open();
    let account = store.create(Account::new("Seaview & Co", at(1))).unwrap();
    let mut ada = person(&store, "Ada", "ada@seaview.co.uk");
    ada.account = Some(account.id);
    store.update(&ada).unwrap();
    // While Ada is in it, the account stays.
    let err = store.delete::<Account>(account.id.0).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InUse {
                what: "contacts",
                ..
            }
        ),
        "{err:?}"
    );
    // Ada goes to the trash, then the account, now without people.
    store.delete::<Customer>(ada.id.0).unwrap();
    store.delete::<Account>(account.id.0).unwrap();
    let back = store.undelete(r(Kind::Customer, ada.id.0)).unwrap();
    assert_eq!(back, vec![r(Kind::Customer, ada.id.0)]);
    let ada: Customer = store.get(ada.id.0).unwrap().unwrap();
    assert_eq!(ada.account, None, "back on her own, not refused");
    // The account comes back too, and she can join it again.
    store.undelete(r(Kind::Account, account.id.0)).unwrap();
    let mut again = ada.clone();
    again.account = Some(account.id);
    store.update(&again).unwrap();
    assert_eq!(store.contacts_of(account.id).unwrap().len(), 1);
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}
