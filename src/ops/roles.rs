//! What each role may do, checked where every write passes (`Ops`), not only hidden in the app:
//! a viewer reads; a rep edits what they own and adds notes and ticket replies anywhere; a manager
//! does everything in the app, reassignment and bulk edits included; an admin also imports, purges
//! and forgets.

use super::OpsError;
use super::{Actor, Record, Write};
use crate::domain::{Customer, CustomerId, Ticket};
use crate::store::{Store, StoreError};

pub use crate::domain::Role;

/// Work outside the app's edits, each with the least role that may do it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    AddNote,
    Delete,
    Undelete,
    Purge,
    Forget,
    Import,
    /// A backup read into an empty database.
    Restore,
    /// Invented records written into an empty database.
    Demo,
    BulkEdit,
    Merge,
    /// Telling two look-alike customers apart: it hides the pair from the whole team.
    MarkDistinct,
    /// Who may sign in, with which key and role.
    Team,
}

impl Task {
    fn least(self) -> Role {
        match self {
            Task::AddNote => Role::Rep,
            Task::Delete | Task::Undelete | Task::BulkEdit | Task::Merge | Task::MarkDistinct => {
                Role::Manager
            }
            Task::Purge | Task::Forget | Task::Import | Task::Restore | Task::Demo | Task::Team => {
                Role::Admin
            }
        }
    }

    fn words(self) -> &'static str {
        match self {
            Task::AddNote => "add a note",
            Task::Delete => "delete records",
            Task::Undelete => "bring records back from the trash",
            Task::Purge => "empty the trash",
            Task::Forget => "erase a person",
            Task::Import => "import",
            Task::Restore => "restore a backup",
            Task::Demo => "write demo data",
            Task::BulkEdit => "change many records at once",
            Task::Merge => "merge customers",
            Task::MarkDistinct => {
                "mark two customers as two people (it hides them from everyone's duplicates)"
            }
            Task::Team => "change who may sign in",
        }
    }
}

fn refused(why: String) -> Result<(), OpsError> {
    Err(OpsError::Refused { reason: why })
}

/// May `actor` do `task`?
pub fn check_task(actor: &Actor, task: Task) -> Result<(), OpsError> {
    let least = task.least();
    match actor.role >= least {
        true => Ok(()),
        false => refused(format!("only {} can {}", article(least), task.words())),
    }
}

fn article(role: Role) -> String {
    match role {
        Role::Admin => "an admin".into(),
        other => format!("a {other}"),
    }
}

/// May `actor` make `write`? Reads the store only to learn who owns a ticket's customer.
pub fn check_write(store: &Store, actor: &Actor, write: &Write) -> Result<(), OpsError> {
    match actor.role {
        Role::Admin | Role::Manager => Ok(()),
        Role::Viewer => refused(VIEWER.into()),
        Role::Rep => match write {
            Write::Batch(_) => refused("only a manager can change many records at once".into()),
            Write::Delete { .. } | Write::Restore { .. } => {
                refused("only a manager can delete records or bring them back".into())
            }
            Write::Create(record) => rep_creates(actor, record),
            Write::Update { old, new } => rep_updates(store, actor, old, new),
        },
    }
}

fn rep_creates(actor: &Actor, record: &Record) -> Result<(), OpsError> {
    let owner = match record {
        Record::Customer(c) => c.owner.as_deref(),
        Record::Deal(d) => d.owner.as_deref(),
        Record::Followup(f) => f.owner.as_deref(),
        Record::Account(a) => a.owner.as_deref(),
        Record::Ticket(_) | Record::Note(_) => None,
    };
    match owner {
        Some(other) if other != actor.name => refused(format!(
            "only a manager can give a new record to someone else ({other})"
        )),
        _ => Ok(()),
    }
}

fn rep_updates(store: &Store, actor: &Actor, old: &Record, new: &Record) -> Result<(), OpsError> {
    match (old, new) {
        (Record::Customer(o), Record::Customer(n)) => {
            rep_edits(actor, old, None)?;
            reassigned(&o.owner, &n.owner, "customer")
        }
        (Record::Deal(o), Record::Deal(n)) => {
            rep_edits(actor, old, None)?;
            reassigned(&o.owner, &n.owner, "deal")
        }
        (Record::Ticket(o), Record::Ticket(n)) => {
            if is_reply(actor, o, n) {
                return Ok(());
            }
            rep_edits(actor, old, owner_of(store, o.customer)?.as_deref())
        }
        (Record::Note(_), Record::Note(_)) => rep_edits(actor, old, None),
        (Record::Followup(o), Record::Followup(n)) => {
            rep_edits(actor, old, None)?;
            reassigned(&o.owner, &n.owner, "follow-up")
        }
        (Record::Account(o), Record::Account(n)) => {
            rep_edits(actor, old, None)?;
            reassigned(&o.owner, &n.owner, "account")
        }
        _ => refused("a record cannot change its kind".into()),
    }
}

/// May `actor` change `record` at all? Asked when an edit form would open, so a rep is told
/// before typing, and again when it is saved. `customer_owner` is the owner of a ticket's
/// customer (a ticket is its customer's owner's).
pub fn check_edit(
    actor: &Actor,
    record: &Record,
    customer_owner: Option<&str>,
) -> Result<(), OpsError> {
    match actor.role {
        Role::Admin | Role::Manager => Ok(()),
        Role::Viewer => refused(VIEWER.into()),
        Role::Rep => rep_edits(actor, record, customer_owner),
    }
}

const VIEWER: &str = "a viewer can only read; ask a manager for the rep role";

fn rep_edits(actor: &Actor, record: &Record, customer_owner: Option<&str>) -> Result<(), OpsError> {
    let (what, owner, instead) = match record {
        Record::Customer(c) => (
            "customer",
            c.owner.as_deref(),
            "you can add a note or a follow-up",
        ),
        Record::Deal(d) => (
            "deal",
            d.owner.as_deref(),
            "you can add a note or a follow-up about it",
        ),
        Record::Ticket(_) => (
            "ticket's customer",
            customer_owner,
            "you can reply to the ticket",
        ),
        Record::Note(n) => ("note", n.author.as_deref(), "you can add one of your own"),
        Record::Followup(f) => (
            "follow-up",
            f.owner.as_deref(),
            "you can add one of your own",
        ),
        Record::Account(a) => (
            "account",
            a.owner.as_deref(),
            "you can add a note or a follow-up for one of its people",
        ),
    };
    match owner {
        Some(owner) if owner == actor.name => Ok(()),
        Some(owner) => refused(format!("this {what} is {owner}'s: {instead}")),
        None => refused(format!(
            "this {what} has no owner: a manager can give it to you; {instead}"
        )),
    }
}

fn reassigned(old: &Option<String>, new: &Option<String>, what: &str) -> Result<(), OpsError> {
    match old == new {
        true => Ok(()),
        false => {
            let a = match what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                true => "an",
                false => "a",
            };
            refused(format!("only a manager can reassign {a} {what}"))
        }
    }
}

/// A reply (or a logged message): the ticket as `Ticket::reply` or `Ticket::log_message` leaves it
/// for one message signed by the actor, and nothing else changed.
fn is_reply(actor: &Actor, old: &Ticket, new: &Ticket) -> bool {
    let Some(last) = new.messages.last() else {
        return false;
    };
    let (mut replied, mut logged) = (old.clone(), old.clone());
    replied.reply(&actor.name, &last.body, last.at);
    logged.log_message(&actor.name, &last.body, last.at);
    *new == replied || *new == logged
}

fn owner_of(store: &Store, customer: CustomerId) -> Result<Option<String>, StoreError> {
    Ok(store.get::<Customer>(customer.0)?.and_then(|c| c.owner))
}

/// New records a rep makes are theirs.
pub fn owned_by_maker(actor: &Actor, record: &mut Record) {
    if actor.role != Role::Rep {
        return;
    }
    match record {
        Record::Customer(c) if c.owner.is_none() => c.owner = Some(actor.name.clone()),
        Record::Deal(d) if d.owner.is_none() => d.owner = Some(actor.name.clone()),
        Record::Followup(f) if f.owner.is_none() => f.owner = Some(actor.name.clone()),
        Record::Account(a) if a.owner.is_none() => a.owner = Some(actor.name.clone()),
        _ => {}
    }
}
