//! Erasing a person: their customer record keeps only what the analytics need; every free text of
//! theirs (notes, follow-ups, ticket subjects and messages, deal titles) is erased, and the copies the store keeps for undo (the trash, the import
//! journal, the audit log's values) are erased too, so that nothing of them survives a backup.

use super::journal::Change;
use super::keys::Tr;
use super::trash::{Kind, RecordRef, decode_entry, for_kind};
use super::{Entity, Group, Store, StoreError, codec, tx::decode_record};
use crate::domain::{Customer, CustomerId, Deal, Followup, Note, Order, Product, Ticket};

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

impl Store {
    // Long: one transaction over every tree that can hold the person; split, a reader could not
    // see at a glance that nothing is left out.
    pub fn forget(&self, customer: CustomerId) -> Result<Forgotten, StoreError> {
        self.writable()?;
        loop {
            let seen = self.data_version()?;
            let notes = self.group_ids(Group::NotesOf(customer))?;
            let followups = self.group_ids(Group::FollowupsOf(customer))?;
            let tickets = self.group_ids(Group::TicketsOf(customer))?;
            let deals = self.group_ids(Group::DealsOf(customer))?;
            let mut trash = Vec::new();
            // What the log says of their records in the trash goes too (a deleted note's text).
            let mut trashed = Vec::new();
            // The person themselves in the trash: deleted, or merged into someone else.
            let mut in_trash = false;
            let mut trashed_name = None;
            for item in self.tree(Tr::Trash).iter() {
                let (key, bytes) = item?;
                let (tree, id, entry) = decode_entry(&key, &bytes)?;
                let theirs = for_kind!(tree, E => {
                    let record: E = decode_record(&entry.record, id)?;
                    belongs_to(&record, tree, customer)
                });
                if theirs || entry.with == Some(customer.0) {
                    trash.push(key);
                    trashed.push((tree, id));
                    if tree == Tr::Customers && id == customer.0 {
                        in_trash = true;
                        trashed_name = Some(decode_record::<Customer>(&entry.record, id)?.name);
                    }
                }
            }
            let mut logged = self.audit_seqs_of(Tr::Customers, customer.0)?;
            for &(tree, id) in &trashed {
                if tree != Tr::Customers || id != customer.0 {
                    logged.extend(self.audit_seqs_of(tree, id)?);
                }
            }
            for (tree, ids) in [
                (Tr::Notes, &notes),
                (Tr::Followups, &followups),
                (Tr::Tickets, &tickets),
                (Tr::Deals, &deals),
            ] {
                for &id in ids {
                    logged.extend(self.audit_seqs_of(tree, id)?);
                }
            }
            let journal = self.journal_entries_of(RecordRef {
                kind: Kind::Customer,
                id: customer.0,
            })?;
            // Every name the store knows them by: their messages are signed with whichever was theirs.
            let mut names: std::collections::HashSet<String> = trashed_name.into_iter().collect();
            for (_, change) in &journal {
                if let Some(bytes) = &change.before {
                    names.insert(decode_record::<Customer>(bytes, customer.0)?.name);
                }
            }
            // Its own entries in the log name the fields it erased, not what they held.
            let done = self.redacting().write(|tx| {
                if tx.data_version()? != seen {
                    return Ok(None);
                }
                let mut names = names.clone();
                // A person in the trash is dropped from it below; one alive keeps their record,
                // erased.
                let mut person = Customer::new(ERASED, chrono::Utc::now());
                match tx.get::<Customer>(customer.0)? {
                    Some(mut alive) => {
                        names.insert(std::mem::take(&mut alive.name));
                        alive.forget();
                        tx.update(&alive)?;
                        person = alive;
                    }
                    None if in_trash => {}
                    None => {
                        return Err(StoreError::NotFound {
                            entity: Customer::NAME,
                            id: customer.0,
                        }
                        .into());
                    }
                }
                for &id in &notes {
                    if let Some(mut note) = tx.get::<Note>(id)? {
                        note.text = ERASED.into();
                        tx.update(&note)?;
                    }
                }
                for &id in &followups {
                    if let Some(mut followup) = tx.get::<Followup>(id)? {
                        followup.text = ERASED.into();
                        followup.outcome = followup.outcome.map(|_| ERASED.into());
                        tx.update(&followup)?;
                    }
                }
                for &id in &tickets {
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
                for &id in &deals {
                    if let Some(mut deal) = tx.get::<Deal>(id)? {
                        deal.title = ERASED.into();
                        tx.update(&deal)?;
                    }
                }
                for key in &trash {
                    tx.tree_mut(Tr::Trash).remove(key)?;
                }
                let audit = tx.erase_audit(&logged)?;
                for (key, change) in &journal {
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
                Ok(Some(Forgotten {
                    notes: notes.len(),
                    followups: followups.len(),
                    tickets: tickets.len(),
                    deals: deals.len(),
                    trash: trash.len(),
                    journal: journal.len(),
                    audit,
                }))
            })?;
            if let Some(done) = done {
                // sled keeps old values in its log until it rewrites those segments.
                self.flush()?;
                return Ok(done);
            }
        }
    }
}

fn belongs_to<E: Entity>(record: &E, tree: Tr, customer: CustomerId) -> bool {
    (tree == Tr::Customers && record.id() == customer.0) || record.customer_refs() == Some(customer)
}
