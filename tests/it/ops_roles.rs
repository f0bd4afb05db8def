//! Roles are enforced where every write passes, whatever front end asks: a viewer reads only; a
//! rep edits what they own and adds notes and replies anywhere; a manager also reassigns and bulk
//! edits; only an admin purges and forgets.

use crate::common;

use rapport::domain::{Customer, Deal, NoteKind, Ticket};
use rapport::ops::{Actor, Ops, OpsError, Record, Role, Write};
use rapport::store::{RecordRef, Store};

fn ops(store: &Store, name: &str, role: Role) -> Ops {
    Ops::new(store.clone(), Actor::with_role(name, role))
}

fn owned_by(store: &Store, owner: &str) -> Customer {
    store
        .iter_sound::<Customer>()
        .map(Result::unwrap)
        .find(|c| c.owner.as_deref() == Some(owner))
        .unwrap_or_else(|| panic!("the demo gives {owner} customers"))
}

fn refused(result: Result<impl std::fmt::Debug, OpsError>, words: &str) {
    match result {
        Err(OpsError::Refused { reason }) => assert!(reason.contains(words), "{reason}"),
        other => panic!("expected a refusal ({words}), got {other:?}"),
    }
}

fn renamed(c: &Customer, company: &str) -> Write {
    let mut new = c.clone();
    new.company = Some(company.into());
    Write::Update {
        old: Record::Customer(c.clone()),
        new: Record::Customer(new),
    }
}

#[test]
fn a_viewer_reads_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let viewer = ops(&store, "vic", Role::Viewer);
    let c = owned_by(&store, "bea");
    refused(
        viewer.apply(renamed(&c, "Viewer Co")),
        "a viewer can only read",
    );
    refused(
        viewer.add_note(c.id, NoteKind::Note, "hi"),
        "only a rep can add a note",
    );
    let again: Customer = store.get(c.id.0).unwrap().unwrap();
    assert_eq!(again, c, "nothing changed");
}

#[test]
fn a_rep_edits_their_own_and_replies_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let bea = ops(&store, "bea", Role::Rep);
    let hers = owned_by(&store, "bea");
    let theirs = owned_by(&store, "eli");

    bea.apply(renamed(&hers, "Bea's Co")).unwrap();
    refused(
        bea.apply(renamed(&theirs, "Not Hers")),
        "this customer is eli's: you can add a note or a follow-up",
    );
    let mut given = hers.clone();
    given.company = Some("Bea's Co".into());
    let mut away = given.clone();
    away.owner = Some("eli".into());
    refused(
        bea.apply(Write::Update {
            old: Record::Customer(given),
            new: Record::Customer(away),
        }),
        "only a manager can reassign a customer",
    );

    // Notes and replies go anywhere; other changes to another rep's ticket do not.
    bea.add_note(theirs.id, NoteKind::Call, "left a message")
        .unwrap();
    let ticket: Ticket = store
        .iter_sound::<Ticket>()
        .map(Result::unwrap)
        .find(|t| {
            let owner = store.get::<Customer>(t.customer.0).unwrap().unwrap().owner;
            owner.as_deref() != Some("bea")
        })
        .expect("a ticket of someone else's customer");
    let mut replied = ticket.clone();
    replied.reply("bea", "On its way", chrono::Utc::now());
    bea.apply(Write::Update {
        old: Record::Ticket(ticket.clone()),
        new: Record::Ticket(replied.clone()),
    })
    .unwrap();
    let mut closed = replied.clone();
    closed.status = rapport::domain::TicketStatus::Closed;
    refused(
        bea.apply(Write::Update {
            old: Record::Ticket(replied.clone()),
            new: Record::Ticket(closed),
        }),
        "'s: you can reply to the ticket",
    );
    // A "reply" signed with someone else's name is not a reply.
    let mut forged = replied.clone();
    forged.reply("eli", "Closing this", chrono::Utc::now());
    refused(
        bea.apply(Write::Update {
            old: Record::Ticket(replied),
            new: Record::Ticket(forged),
        }),
        "'s: you can reply to the ticket",
    );

    // What a rep makes is theirs; bulk edits, deletes and erasure are not a rep's.
    let made = bea
        .apply(Write::Create(Record::Deal(Deal::new(
            "Spring order",
            theirs.id,
            rapport::domain::Money::from_units(500),
            chrono::Utc::now(),
        ))))
        .unwrap();
    let Write::Create(Record::Deal(deal)) = made else {
        panic!("a deal")
    };
    assert_eq!(deal.owner.as_deref(), Some("bea"));
    refused(
        bea.apply(Write::Batch(vec![(
            Record::Customer(theirs.clone()),
            Record::Customer(theirs.clone()),
        )])),
        "only a manager can change many records",
    );
    refused(
        bea.apply(Write::Delete {
            record: Record::Deal(deal.clone()),
            notes: Vec::new(),
        }),
        "only a manager can delete",
    );
    refused(
        bea.delete(format!("deal:{}", deal.id).parse::<RecordRef>().unwrap()),
        "only a manager can delete records",
    );
    refused(bea.forget(theirs.id), "only an admin can erase a person");
    refused(bea.purge(None), "only an admin can empty the trash");
}

#[test]
fn a_manager_reassigns_and_bulk_edits_and_an_admin_erases() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let manager = ops(&store, "max", Role::Manager);
    let c = owned_by(&store, "eli");
    let mut moved = c.clone();
    moved.owner = Some("bea".into());
    manager
        .apply(Write::Batch(vec![(
            Record::Customer(c.clone()),
            Record::Customer(moved),
        )]))
        .unwrap();
    let after: Customer = store.get(c.id.0).unwrap().unwrap();
    assert_eq!(after.owner.as_deref(), Some("bea"));
    refused(manager.forget(c.id), "only an admin can erase a person");
    let admin = ops(&store, "ada", Role::Admin);
    admin.purge(None).unwrap();
}

#[test]
fn accounts_follow_the_roles_of_customers() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let now = chrono::Utc::now();
    let create = |a: rapport::domain::Account| Write::Create(Record::Account(a));
    refused(
        ops(&store, "vic", Role::Viewer).apply(create(rapport::domain::Account::new("V", now))),
        "a viewer can only read",
    );
    // A rep's new account is theirs; another's they may not edit, nor give away their own.
    let bea = ops(&store, "bea", Role::Rep);
    let done = bea
        .apply(create(rapport::domain::Account::new("Bea's Bakery", now)))
        .unwrap();
    let Record::Account(mine) = done.record().clone() else {
        panic!("an account")
    };
    assert_eq!(mine.owner.as_deref(), Some("bea"));
    let mut renamed = mine.clone();
    renamed.name = "Bea's Bakery Ltd".into();
    let rename = Write::Update {
        old: Record::Account(mine.clone()),
        new: Record::Account(renamed.clone()),
    };
    refused(
        ops(&store, "chen", Role::Rep).apply(rename.clone()),
        "this account is bea's",
    );
    bea.apply(rename).unwrap();
    let mut given = renamed.clone();
    given.owner = Some("chen".into());
    refused(
        bea.apply(Write::Update {
            old: Record::Account(renamed.clone()),
            new: Record::Account(given.clone()),
        }),
        "only a manager can reassign an account",
    );
    ops(&store, "max", Role::Manager)
        .apply(Write::Update {
            old: Record::Account(renamed),
            new: Record::Account(given),
        })
        .unwrap();
    refused(
        bea.delete(RecordRef {
            kind: rapport::domain::Kind::Account,
            id: mine.id.0,
        }),
        "only a manager",
    );
}
