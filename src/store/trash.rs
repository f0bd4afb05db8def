//! Soft deletes. A deleted record leaves its tree and its indexes (so it no longer shows anywhere
//! and its email or sku is free again) and waits in the trash, whole, until `undelete` puts it back
//! under its own id or `purge` drops it.

use super::keys::{Tr, id_from_key, record_key};
use super::tx::{decode_in, decode_record};
use super::{Entity, Store, StoreError, Tx, TxResult};
use crate::domain::{Customer, Deal, Note, Order, Product, Ticket, Timestamp};
pub use crate::domain::{Kind, RecordRef};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub(super) struct TrashEntry {
    pub deleted_ms: i64,
    /// The customer whose deletion took this record along (their notes); undeleting them brings it back.
    pub with: Option<u64>,
    /// The record as it was stored.
    pub record: Vec<u8>,
}

impl Kind {
    pub(super) fn tree(self) -> Tr {
        match self {
            Kind::Customer => Tr::Customers,
            Kind::Product => Tr::Products,
            Kind::Order => Tr::Orders,
            Kind::Deal => Tr::Deals,
            Kind::Ticket => Tr::Tickets,
            Kind::Note => Tr::Notes,
            Kind::Followup => Tr::Followups,
            Kind::Account => Tr::Accounts,
        }
    }

    pub(super) fn of(tree: Tr) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.tree() == tree)
    }
}

/// Runs `$body` with `$E` standing for the record type stored in tree `$tree`.
macro_rules! for_kind {
    ($tree:expr, $E:ident => $body:expr) => {
        match $tree {
            Tr::Customers => {
                type $E = Customer;
                $body
            }
            Tr::Products => {
                type $E = Product;
                $body
            }
            Tr::Orders => {
                type $E = Order;
                $body
            }
            Tr::Deals => {
                type $E = Deal;
                $body
            }
            Tr::Tickets => {
                type $E = Ticket;
                $body
            }
            Tr::Notes => {
                type $E = Note;
                $body
            }
            Tr::Followups => {
                type $E = crate::domain::Followup;
                $body
            }
            Tr::Accounts => {
                type $E = crate::domain::Account;
                $body
            }
            other => unreachable!("{} holds no records", other.name()),
        }
    };
}
pub(super) use for_kind;

/// One record in the trash, as `rapport trash` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deleted {
    pub record: RecordRef,
    pub deleted: Timestamp,
    pub label: String,
    /// The customer whose deletion took this record along.
    pub with: Option<u64>,
}

pub(super) fn decode_entry(key: &[u8], bytes: &[u8]) -> Result<(Tr, u64, TrashEntry), StoreError> {
    let id = id_from_key(key).unwrap_or(0);
    let tree = key
        .first()
        .and_then(|&b| Tr::from_kind_byte(b))
        .unwrap_or(Tr::Trash);
    Ok((tree, id, decode_in(Tr::Trash, id, bytes)?))
}

impl Store {
    /// Puts a deleted record back under its own id; a customer's notes deleted with them come back
    /// too. Returns every record restored.
    pub fn undelete(&self, record: RecordRef) -> Result<Vec<RecordRef>, StoreError> {
        self.alive()?;
        let key = record_key(record.kind.tree(), record.id);
        loop {
            let seen = self.data_version()?;
            let mut keys = vec![key.to_vec()];
            if record.kind == Kind::Customer {
                for item in self.tree(Tr::Trash).iter() {
                    let (k, bytes) = item?;
                    if decode_entry(&k, &bytes)?.2.with == Some(record.id) {
                        keys.push(k.to_vec());
                    }
                }
            }
            let restored = self.write(|tx| {
                if tx.data_version()? != seen {
                    return Ok(None);
                }
                let mut out = Vec::new();
                for k in &keys {
                    out.push(tx.undelete(k)?);
                }
                Ok(Some(out))
            })?;
            if let Some(restored) = restored {
                return Ok(restored);
            }
        }
    }

    /// Puts back what went to the trash with a customer and is there still.
    pub fn undelete_with(&self, customer: crate::domain::CustomerId) -> Result<(), StoreError> {
        let mut keys = Vec::new();
        for item in self.tree(Tr::Trash).iter() {
            let (k, bytes) = item?;
            if decode_entry(&k, &bytes)?.2.with == Some(customer.0) {
                keys.push(k.to_vec());
            }
        }
        self.write(|tx| {
            for k in &keys {
                // Gone since the scan (another undo, a purge): nothing to bring back.
                if tx.tree(Tr::Trash).get(k)?.is_some() {
                    tx.undelete(k)?;
                }
            }
            Ok(())
        })
    }

    /// Drops for good what was deleted before `before` (everything, with None). Returns how many.
    pub fn purge(&self, before: Option<Timestamp>) -> Result<usize, StoreError> {
        self.alive()?;
        let mut keys = Vec::new();
        for item in self.tree(Tr::Trash).iter() {
            let (key, bytes) = item?;
            let (_, _, entry) = decode_entry(&key, &bytes)?;
            if before.is_none_or(|b| entry.deleted_ms < b.timestamp_millis()) {
                keys.push(key);
            }
        }
        self.write(|tx| {
            for key in &keys {
                tx.tree_mut(Tr::Trash).remove(key)?;
            }
            Ok(())
        })?;
        Ok(keys.len())
    }
}

impl Tx<'_> {
    fn undelete(&self, key: &[u8]) -> TxResult<RecordRef> {
        let bytes = self.tree(Tr::Trash).get(key)?;
        let id = id_from_key(key).unwrap_or(0);
        let tree = key.first().and_then(|&b| Tr::from_kind_byte(b));
        let (Some(tree), Some(bytes)) = (tree, bytes) else {
            return Err(StoreError::NotInTrash {
                record: tree.and_then(Kind::of).map_or_else(
                    || format!("?:{id}"),
                    |kind| RecordRef { kind, id }.to_string(),
                ),
            }
            .into());
        };
        let (_, _, entry) = decode_entry(key, &bytes)?;
        if tree == Tr::Customers {
            // Their account may have gone since: they come back on their own.
            let mut c: Customer = decode_record(&entry.record, id)?;
            if let Some(account) = c.account
                && self.get::<crate::domain::Account>(account.0)?.is_none()
            {
                c.account = None;
            }
            self.restore(&c)?;
        } else {
            for_kind!(tree, E => {
                let record: E = decode_record(&entry.record, id)?;
                self.restore(&record)?;
            });
        }
        Ok(RecordRef {
            kind: Kind::of(tree).expect("a record tree"),
            id,
        })
    }
}

impl super::Records {
    /// A record of kind `E` as it was put in the trash, if it is there.
    pub(super) fn in_trash<E: super::Entity>(&self, id: u64) -> Result<Option<E>, StoreError> {
        match self.tree(Tr::Trash).get(record_key(E::TREE, id))? {
            Some(bytes) => {
                let entry: TrashEntry = decode_in(Tr::Trash, id, &bytes)?;
                decode_record::<E>(&entry.record, id).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Everything in the trash, oldest deletion first.
    pub fn trash(&self) -> Result<Vec<Deleted>, StoreError> {
        self.alive()?;
        let mut out = Vec::new();
        for item in self.tree(Tr::Trash).iter() {
            let (key, bytes) = item?;
            let (tree, id, entry) = decode_entry(&key, &bytes)?;
            let label = for_kind!(tree, E => decode_record::<E>(&entry.record, id)?.label());
            out.push(Deleted {
                record: RecordRef {
                    kind: Kind::of(tree).expect("a record tree"),
                    id,
                },
                deleted: chrono::DateTime::from_timestamp_millis(entry.deleted_ms)
                    .unwrap_or_default(),
                label,
                with: entry.with,
            });
        }
        out.sort_by_key(|d| (d.deleted, d.record.id));
        Ok(out)
    }
}
