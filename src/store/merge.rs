//! Two customers made one. A merge is a journalled batch of its own, as an import is, so taking
//! it back is the journal's revert: every record as it was, byte for byte, even after a restart,
//! and refused when something changed them since.

use super::keys::{Tr, id_key};
use super::{Group, Store, StoreError};
use crate::domain::{Customer, CustomerId, Deal, Followup, Note, Order, Ticket};

/// The journal's name for a merge batch.
pub const MERGE: &str = "merge";

/// How much history a merge moved, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub orders: usize,
    pub deals: usize,
    pub tickets: usize,
    pub notes: usize,
    pub followups: usize,
}

impl Moved {
    pub fn total(&self) -> usize {
        self.orders + self.deals + self.tickets + self.notes + self.followups
    }
}

/// A merge as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merge {
    pub batch: u64,
    pub kept: CustomerId,
    pub other: CustomerId,
    pub undone: bool,
}

fn source(kept: CustomerId, other: CustomerId) -> String {
    format!("customer:{} into customer:{}", other.0, kept.0)
}

fn parse_source(text: &str) -> Option<(CustomerId, CustomerId)> {
    let (other, kept) = text.split_once(" into ")?;
    let id = |s: &str| s.strip_prefix("customer:")?.parse().ok().map(CustomerId);
    Some((id(kept)?, id(other)?))
}

/// Rewrites each record with `to_kept` (its customer changed to the kept one).
fn move_all<E: super::Entity>(
    tx: &super::Tx,
    ids: &[u64],
    to_kept: impl Fn(&mut E),
) -> super::TxResult<()> {
    for &id in ids {
        let mut record: E = tx.get(id)?.ok_or(StoreError::NotFound {
            entity: E::NAME,
            id,
        })?;
        to_kept(&mut record);
        tx.update(&record)?;
    }
    Ok(())
}

impl Store {
    /// Moves `other`'s orders, deals, tickets, notes and follow-ups to `kept` (written over the
    /// stored customer with the fields chosen), and puts `other` in the trash: one transaction,
    /// journalled. Returns the merge's batch and what moved.
    /// Merges `other` into `kept`, provided each of `seen` is still as its merger read it. The
    /// check and the merge are one moment: a write between them (another merge of the pair, say)
    /// makes the merge check again, and so refuses it.
    pub fn merge_customers(
        &self,
        kept: &Customer,
        other: CustomerId,
        seen: &[Customer],
    ) -> Result<(u64, Moved), StoreError> {
        if kept.id == other {
            return Err(StoreError::Invalid {
                entity: "customer",
                cause: crate::domain::ValidationError::new(
                    crate::domain::FieldId::Id,
                    "a customer cannot be merged into itself",
                ),
            });
        }
        let batch = self.begin_import(&source(kept.id, other), MERGE)?;
        let journaled = self
            .journaled(batch)
            .logged_as(&format!("{MERGE} #{other} into #{}", kept.id));
        let result = loop {
            // Scans cannot run inside a transaction: scan, then check nothing wrote in between.
            let version = self.data_version()?;
            if let Err(e) = seen.iter().try_for_each(|c| self.unchanged(c)) {
                break Err(e);
            }
            let ids = |g: fn(CustomerId) -> Group| self.group_ids(g(other));
            let (orders, deals, tickets) = (
                ids(Group::OrdersOf)?,
                ids(Group::DealsOf)?,
                ids(Group::TicketsOf)?,
            );
            let (notes, followups) = (ids(Group::NotesOf)?, ids(Group::FollowupsOf)?);
            let done = journaled.write(|tx| {
                if tx.data_version()? != version {
                    return Ok(None);
                }
                let to = Some(kept.id);
                move_all::<Order>(tx, &orders, |o| o.customer = to)?;
                move_all::<Deal>(tx, &deals, |d| d.customer = kept.id)?;
                move_all::<Ticket>(tx, &tickets, |t| t.customer = kept.id)?;
                move_all::<Note>(tx, &notes, |n| n.customer = kept.id)?;
                move_all::<Followup>(tx, &followups, |f| f.customer = kept.id)?;
                // Out of the way first: the kept customer may take over its email or external id.
                tx.trash::<Customer>(other.0, None)?;
                tx.update(kept)?;
                Ok(Some(Moved {
                    orders: orders.len(),
                    deals: deals.len(),
                    tickets: tickets.len(),
                    notes: notes.len(),
                    followups: followups.len(),
                }))
            });
            match done {
                Ok(Some(moved)) => break Ok(moved),
                Ok(None) => continue,
                Err(e) => break Err(e),
            }
        };
        match result {
            Ok(moved) => {
                self.finish_import(batch, &format!("{} records moved", moved.total()))?;
                Ok((batch, moved))
            }
            Err(e) => {
                self.abandon_import(batch)?;
                Err(e)
            }
        }
    }
}

/// Where the pairs a user said are two people are kept: under this prefix in the meta tree,
/// the smaller id first.
const DISTINCT: &[u8] = b"distinct/";

fn distinct_key(a: CustomerId, b: CustomerId) -> Vec<u8> {
    let (a, b) = (a.min(b), a.max(b));
    [DISTINCT, &id_key(a.0), &id_key(b.0)].concat()
}

impl Store {
    /// Remembers that `a` and `b` are two people (or forgets it, with `distinct` false), so
    /// duplicate detection leaves the pair out.
    pub fn mark_distinct(
        &self,
        a: CustomerId,
        b: CustomerId,
        distinct: bool,
    ) -> Result<(), StoreError> {
        // With its audit entry, in one transaction, listed under both customers.
        self.write_aside(|tx| {
            let meta = tx.tree_mut(Tr::Meta);
            let op = match distinct {
                true => {
                    meta.insert(distinct_key(a, b), &[])?;
                    "distinct"
                }
                false => {
                    meta.remove(distinct_key(a, b))?;
                    "not distinct"
                }
            };
            let records = [(Tr::Customers, a.0), (Tr::Customers, b.0)];
            tx.audit_event(op, "customer", &records, format!("customers {a} and {b}"))
        })
    }
}

impl super::Records {
    /// The history `other` holds, by kind, as it would move.
    pub fn history_of(&self, other: CustomerId) -> Result<Moved, StoreError> {
        Ok(Moved {
            orders: self.group_ids(Group::OrdersOf(other))?.len(),
            deals: self.group_ids(Group::DealsOf(other))?.len(),
            tickets: self.group_ids(Group::TicketsOf(other))?.len(),
            notes: self.group_ids(Group::NotesOf(other))?.len(),
            followups: self.group_ids(Group::FollowupsOf(other))?.len(),
        })
    }

    /// The customer that took in, by merges, the customer whose email `email` was: a merged-away
    /// customer's email still finds the one they became (`note old@example.com`).
    pub fn merged_email(&self, email: &str) -> Result<Option<Customer>, StoreError> {
        let wanted = crate::domain::normalise_email(email);
        let merges: Vec<Merge> = self.merges()?.into_iter().filter(|m| !m.undone).collect();
        let mut into = None;
        for m in merges.iter().rev() {
            let other = self.in_trash::<Customer>(m.other.0)?;
            if other.and_then(|c| c.email_key()).as_deref() == Some(wanted.as_str()) {
                into = Some(m.kept);
                break;
            }
        }
        let Some(mut at) = into else {
            return Ok(None);
        };
        // The kept customer may itself have been merged since; each merge is followed once.
        for _ in 0..merges.len() {
            match merges.iter().find(|m| m.other == at) {
                Some(m) => at = m.kept,
                None => break,
            }
        }
        self.get::<Customer>(at.0)
    }

    /// Every merge in the journal, oldest first.
    pub fn merges(&self) -> Result<Vec<Merge>, StoreError> {
        Ok(self
            .import_batches()?
            .into_iter()
            .filter(|b| b.format == MERGE)
            .filter_map(|b| {
                let (kept, other) = parse_source(&b.source)?;
                Some(Merge {
                    batch: b.id,
                    kept,
                    other,
                    undone: matches!(b.state, super::BatchState::Reverted { .. }),
                })
            })
            .collect())
    }

    /// Every pair marked as two people, smaller id first.
    pub fn distinct_pairs(
        &self,
    ) -> Result<std::collections::HashSet<(CustomerId, CustomerId)>, StoreError> {
        self.alive()?;
        let mut out = std::collections::HashSet::new();
        for item in self.tree(Tr::Meta).scan_prefix(DISTINCT) {
            let (key, _) = item?;
            let ids = &key[DISTINCT.len()..];
            if ids.len() == 16 {
                let id = |b: &[u8]| CustomerId(u64::from_be_bytes(b.try_into().expect("8 bytes")));
                out.insert((id(&ids[..8]), id(&ids[8..])));
            }
        }
        Ok(out)
    }
}
