//! Erasing a person: their customer record keeps only what the analytics need; every free text of
//! theirs (notes, follow-ups, ticket subjects and messages, deal titles) is erased, and the copies the store keeps for undo (the trash, the import
//! journal, the audit log's values) are erased too, so that nothing of them survives a backup.

use super::journal::Change;
use super::keys::Tr;
use super::trash::{Kind, RecordRef, decode_entry, for_kind};
use super::{Entity, Group, Store, StoreError, Tx, TxResult, codec, tx::decode_record};
use crate::domain::{Customer, CustomerId, Deal, Followup, Note, Order, Product, Ticket};
use std::collections::HashSet;

/// What the text of an erased note or message becomes.
pub const ERASED: &str = "(erased)";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub notes: usize,
    pub followups: usize,
    pub tickets: usize,
    pub deals: usize,
    /// Deleted records of theirs dropped from the trash.
    pub trash: usize,
    /// Earlier states of their record in the import journal, erased.
    pub journal: usize,
    /// Entries of the audit log about them whose values were erased.
    pub audit: usize,
}

/// Everything the store holds of a person, found before the one transaction that erases it (prefix
/// scans cannot run inside a sled transaction). Each field is one place they can be.
struct Traces {
    notes: Vec<u64>,
    followups: Vec<u64>,
    tickets: Vec<u64>,
    deals: Vec<u64>,
    /// Keys of their records in the trash, and of records deleted with them.
    trash: Vec<sled::IVec>,
    /// The person themselves in the trash: deleted, or merged into someone else.
    in_trash: bool,
    /// The audit log's entries about any of these.
    logged: Vec<u64>,
    /// Earlier states of their record in the import journal.
    journal: Vec<(sled::IVec, Change)>,
    /// Every name the store knows them by: their messages are signed with whichever was theirs.
    names: HashSet<String>,
}

impl Store {
    pub fn forget(&self, customer: CustomerId) -> Result<Forgotten, StoreError> {
        self.writable()?;
        loop {
            let seen = self.data_version()?;
            let traces = self.traces_of(customer)?;
            // Its own entries in the log name the fields it erased, not what they held.
            let done = self.redacting().write(|tx| {
                if tx.data_version()? != seen {
                    return Ok(None);
                }
                erase(tx, customer, &traces).map(Some)
            })?;
            if let Some(done) = done {
                // sled keeps old values in its log until it rewrites those segments.
                self.flush()?;
                return Ok(done);
            }
        }
    }

    fn traces_of(&self, customer: CustomerId) -> Result<Traces, StoreError> {
        let mut traces = Traces {
            notes: self.group_ids(Group::NotesOf(customer))?,
            followups: self.group_ids(Group::FollowupsOf(customer))?,
            tickets: self.group_ids(Group::TicketsOf(customer))?,
            deals: self.group_ids(Group::DealsOf(customer))?,
            trash: Vec::new(),
            in_trash: false,
            logged: self.audit_seqs_of(Tr::Customers, customer.0)?,
            journal: self.journal_entries_of(RecordRef {
                kind: Kind::Customer,
                id: customer.0,
            })?,
            names: HashSet::new(),
        };
        for item in self.tree(Tr::Trash).iter() {
            let (key, bytes) = item?;
            let (tree, id, entry) = decode_entry(&key, &bytes)?;
            let theirs = for_kind!(tree, E => {
                let record: E = decode_record(&entry.record, id)?;
                belongs_to(&record, tree, customer)
            });
            if !theirs && entry.with != Some(customer.0) {
                continue;
            }
            traces.trash.push(key);
            if tree == Tr::Customers && id == customer.0 {
                traces.in_trash = true;
                let name = decode_record::<Customer>(&entry.record, id)?.name;
                traces.names.insert(name);
            } else {
                // What the log says of their records in the trash goes too (a deleted note's text).
                traces.logged.extend(self.audit_seqs_of(tree, id)?);
            }
        }
        for (tree, ids) in [
            (Tr::Notes, &traces.notes),
            (Tr::Followups, &traces.followups),
            (Tr::Tickets, &traces.tickets),
            (Tr::Deals, &traces.deals),
        ] {
            for &id in ids {
                traces.logged.extend(self.audit_seqs_of(tree, id)?);
            }
        }
        for (_, change) in &traces.journal {
            if let Some(bytes) = &change.before {
                let name = decode_record::<Customer>(bytes, customer.0)?.name;
                traces.names.insert(name);
            }
        }
        Ok(traces)
    }
}

fn erase(tx: &Tx, customer: CustomerId, traces: &Traces) -> TxResult<Forgotten> {
    let mut names = traces.names.clone();
    // A person in the trash is dropped from it below; one alive keeps their record, erased.
    let mut person = Customer::new(ERASED, chrono::Utc::now());
    match tx.get::<Customer>(customer.0)? {
        Some(mut alive) => {
            names.insert(std::mem::take(&mut alive.name));
            alive.forget();
            tx.update(&alive)?;
            person = alive;
        }
        None if traces.in_trash => {}
        None => {
            return Err(StoreError::NotFound {
                entity: Customer::NAME,
                id: customer.0,
            }
            .into());
        }
    }
    for &id in &traces.notes {
        if let Some(mut note) = tx.get::<Note>(id)? {
            note.text = ERASED.into();
            tx.update(&note)?;
        }
    }
    for &id in &traces.followups {
        if let Some(mut followup) = tx.get::<Followup>(id)? {
            followup.text = ERASED.into();
            followup.outcome = followup.outcome.map(|_| ERASED.into());
            tx.update(&followup)?;
        }
    }
    for &id in &traces.tickets {
        if let Some(mut ticket) = tx.get::<Ticket>(id)? {
            // A subject often names the person ("refund for …").
            ticket.subject = ERASED.into();
            for message in &mut ticket.messages {
                message.body = ERASED.into();
                // Their own messages are signed with their name.
                if names.contains(&message.author) {
                    message.author = person.name.clone();
                }
            }
            tx.update(&ticket)?;
        }
    }
    for &id in &traces.deals {
        if let Some(mut deal) = tx.get::<Deal>(id)? {
            deal.title = ERASED.into();
            tx.update(&deal)?;
        }
    }
    for key in &traces.trash {
        tx.tree_mut(Tr::Trash).remove(key)?;
    }
    let audit = tx.erase_audit(&traces.logged)?;
    for (key, change) in &traces.journal {
        let before = match &change.before {
            Some(bytes) => {
                let mut old: Customer = decode_record(bytes, customer.0)?;
                old.forget();
                Some(codec::encode(&old))
            }
            None => None,
        };
        let erased = Change {
            before,
            after: change.after,
        };
        tx.tree_mut(Tr::ImportChanges)
            .insert(key, codec::encode(&erased))?;
    }
    Ok(Forgotten {
        notes: traces.notes.len(),
        followups: traces.followups.len(),
        tickets: traces.tickets.len(),
        deals: traces.deals.len(),
        trash: traces.trash.len(),
        journal: traces.journal.len(),
        audit,
    })
}

fn belongs_to<E: Entity>(record: &E, tree: Tr, customer: CustomerId) -> bool {
    (tree == Tr::Customers && record.id() == customer.0) || record.customer_refs() == Some(customer)
}
