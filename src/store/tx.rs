//! A write transaction over every tree. Records go in through `put`, which validates them, checks the
//! customer they point at, and rewrites their index entries in the same sled transaction.

use super::entity::{Entity, IndexEntry};
use super::keys::{self, Tr, id_from_key, id_key};
use super::{StoreError, Unique, codec};
use sled::transaction::{
    ConflictableTransactionError, TransactionalTree, UnabortableTransactionError,
};

/// Ends a write transaction: either a store error that aborts it, or a conflict that makes sled retry.
#[derive(Debug)]
pub struct TxError(pub(super) ConflictableTransactionError<StoreError>);

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError(ConflictableTransactionError::Abort(e))
    }
}

impl From<UnabortableTransactionError> for TxError {
    fn from(e: UnabortableTransactionError) -> Self {
        TxError(e.into())
    }
}

impl TxError {
    /// The store's refusal of one record (bad field, duplicate, unknown customer), which a caller
    /// may report and step over; conflicts and storage failures come back as `Err` to be passed on.
    pub fn into_refusal(self) -> Result<StoreError, TxError> {
        match self.0 {
            ConflictableTransactionError::Abort(e) => Ok(e),
            other => Err(TxError(other)),
        }
    }
}

pub type TxResult<T> = Result<T, TxError>;

pub struct Tx<'a> {
    trees: &'a [TransactionalTree],
    /// Set by the first write, so a transaction that changed nothing leaves the data version alone.
    wrote: std::cell::Cell<bool>,
    /// The import batch whose journal records every change, so the import can be reverted.
    journal: Option<u64>,
    audit: Option<&'a super::audit::AuditAs>,
}

impl<'a> Tx<'a> {
    pub(super) fn new(
        trees: &'a [TransactionalTree],
        journal: Option<u64>,
        audit: Option<&'a super::audit::AuditAs>,
    ) -> Self {
        Tx {
            trees,
            wrote: std::cell::Cell::new(false),
            journal,
            audit,
        }
    }

    pub(super) fn audit_as(&self) -> Option<&super::audit::AuditAs> {
        self.audit
    }

    /// What the log calls a write of this transaction.
    fn op(&self, plain: &'static str) -> String {
        if let Some(op) = self.audit.and_then(|a| a.op.as_deref()) {
            return op.to_string();
        }
        if self.audit.is_some_and(|a| a.redact) {
            return "forget".into();
        }
        match self.journal {
            Some(batch) => format!("import {batch}"),
            None => plain.to_string(),
        }
    }

    pub(super) fn tree(&self, t: Tr) -> &TransactionalTree {
        &self.trees[t.index()]
    }

    /// A tree about to be written to.
    pub(super) fn tree_mut(&self, t: Tr) -> &TransactionalTree {
        self.wrote.set(true);
        &self.trees[t.index()]
    }

    pub fn get<E: Entity>(&self, id: u64) -> TxResult<Option<E>> {
        match self.tree(E::TREE).get(id_key(id))? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode_record::<E>(&bytes, id)?)),
        }
    }

    pub fn find_id(&self, by: Unique, value: &str) -> TxResult<Option<u64>> {
        let key = by.key(value);
        Ok(self
            .tree(by.tree())
            .get(key)?
            .as_deref()
            .and_then(id_from_key))
    }

    pub fn find<E: Entity>(&self, by: Unique, value: &str) -> TxResult<Option<E>> {
        match self.find_id(by, value)? {
            Some(id) => self.get(id),
            None => Ok(None),
        }
    }

    /// Gives the record a fresh id and stores it.
    pub fn create<E: Entity>(&self, mut record: E) -> TxResult<E> {
        let id = self.peek_next_id(E::TREE)?;
        record.set_id(id);
        self.put(&record, Write::Fresh)?;
        // Taken only once the record is accepted, so refusals leave no gaps in the ids.
        self.tree_mut(Tr::Meta)
            .insert(keys::next_id_key(E::TREE), &(id + 1).to_be_bytes())?;
        Ok(record)
    }

    /// Loads a record from a backup under its own id, into a database being rebuilt: the id counter
    /// moves past it so that later records get fresh ids.
    pub fn load<E: Entity>(&self, record: &E) -> TxResult<()> {
        self.refuse_taken_id::<E>(record.id())?;
        // A restore brings back records as they were, not new changes: the log is not written.
        self.store_record(record, Write::Over(None))?;
        if self.peek_next_id(E::TREE)? <= record.id() {
            self.tree_mut(Tr::Meta)
                .insert(keys::next_id_key(E::TREE), &(record.id() + 1).to_be_bytes())?;
        }
        Ok(())
    }

    /// Puts back a deleted record under its own id (ids are never reused, so the slot is free), and
    /// takes it out of the trash.
    pub fn restore<E: Entity>(&self, record: &E) -> TxResult<()> {
        if record.id() == 0 || record.id() >= self.peek_next_id(E::TREE)? {
            return Err(StoreError::NotFound {
                entity: E::NAME,
                id: record.id(),
            }
            .into());
        }
        self.refuse_taken_id::<E>(record.id())?;
        self.put(record, Write::Over(None))?;
        self.leave_trash::<E>(record.id())
    }

    /// A record back in its tree is no longer in the trash.
    fn leave_trash<E: Entity>(&self, id: u64) -> TxResult<()> {
        let key = keys::record_key(E::TREE, id);
        if self.tree(Tr::Trash).get(key)?.is_some() {
            self.tree_mut(Tr::Trash).remove(&key)?;
        }
        Ok(())
    }

    /// A record that comes back under its own id may not land on one already in use.
    fn refuse_taken_id<E: Entity>(&self, id: u64) -> TxResult<()> {
        if self.get::<E>(id)?.is_some() {
            return Err(StoreError::Duplicate {
                entity: E::NAME,
                field: crate::domain::FieldId::Id,
                value: id.to_string(),
                existing: id,
            }
            .into());
        }
        Ok(())
    }

    /// Replaces the stored record with the same id; it must exist.
    pub fn update<E: Entity>(&self, record: &E) -> TxResult<()> {
        let old: E = self.get(record.id())?.ok_or_else(|| StoreError::NotFound {
            entity: E::NAME,
            id: record.id(),
        })?;
        self.put(record, Write::Over(Some(&old)))
    }

    /// Moves a record to the trash, from where `undelete` brings it back until `purge`. Customers go
    /// through [`Store::delete`], which first makes sure no history would be left pointing at them.
    pub fn delete<E: Entity>(&self, id: u64) -> TxResult<E> {
        if E::TREE == Tr::Customers || E::TREE == Tr::Accounts {
            return Err(StoreError::InUse {
                entity: E::NAME,
                id,
                what: "history to check first",
            }
            .into());
        }
        self.trash::<E>(id, None)
    }

    /// Moves a record to the trash; `with` names the customer whose deletion took it along.
    pub(super) fn trash<E: Entity>(&self, id: u64, with: Option<u64>) -> TxResult<E> {
        let old = self.remove::<E>(id)?;
        let entry = super::trash::TrashEntry {
            deleted_ms: chrono::Utc::now().timestamp_millis(),
            with,
            record: codec::encode(&old),
        };
        self.tree_mut(Tr::Trash)
            .insert(&keys::record_key(E::TREE, id), codec::encode(&entry))?;
        Ok(old)
    }

    /// Removes a record and its index entries for good.
    pub fn remove<E: Entity>(&self, id: u64) -> TxResult<E> {
        let old: E = self.get(id)?.ok_or(StoreError::NotFound {
            entity: E::NAME,
            id,
        })?;
        for entry in old.index_entries() {
            self.tree_mut(entry.tree).remove(entry.key)?;
        }
        self.tree_mut(E::TREE).remove(&id_key(id))?;
        self.audit(&self.op("delete"), Some(&old), None, true)?;
        self.journal_change(
            E::TREE,
            id,
            Write::<E>::Over(None),
            Some(codec::encode(&old)),
            None,
        )?;
        Ok(old)
    }

    /// Records, in the current import's journal, the state a record had before the import first
    /// touched it, and a digest of the state the import left it in.
    fn journal_change<E>(
        &self,
        tree: Tr,
        id: u64,
        write: Write<E>,
        before: Option<Vec<u8>>,
        after: Option<&[u8]>,
    ) -> TxResult<()> {
        let Some(batch) = self.journal else {
            return Ok(());
        };
        let key = super::journal::change_key(batch, tree, id);
        // A fresh id cannot have been journaled before, which spares an import a read per record.
        let earlier = match write {
            Write::Fresh => None,
            Write::Over(_) => self.tree(Tr::ImportChanges).get(key)?,
        };
        let before = match earlier {
            Some(bytes) => {
                let first: super::journal::Change = decode_in(Tr::ImportChanges, batch, &bytes)?;
                first.before
            }
            None => before,
        };
        let change = super::journal::Change {
            before,
            after: after.map(super::journal::digest),
        };
        self.tree_mut(Tr::ImportChanges)
            .insert(&key, codec::encode(&change))?;
        Ok(())
    }

    /// The data version once this transaction commits.
    pub(super) fn data_version_after(&self) -> TxResult<u64> {
        Ok(self.data_version()? + u64::from(self.wrote.get()))
    }

    pub(super) fn data_version(&self) -> TxResult<u64> {
        Ok(read_u64(self.tree(Tr::Meta).get(keys::DATA_VERSION)?.as_deref()).unwrap_or(0))
    }

    fn put<E: Entity>(&self, record: &E, write: Write<E>) -> TxResult<()> {
        self.store_record(record, write)?;
        match write {
            // An import's new records are its file's rows: the log names them, not every field.
            Write::Fresh => self.audit(
                &self.op("create"),
                None,
                Some(record),
                self.journal.is_none(),
            ),
            Write::Over(Some(old)) => self.audit(&self.op("update"), Some(old), Some(record), true),
            Write::Over(None) => self.audit(&self.op("restore"), None, Some(record), true),
        }
    }

    fn store_record<E: Entity>(&self, record: &E, write: Write<E>) -> TxResult<()> {
        let old = match write {
            Write::Fresh => None,
            Write::Over(old) => old,
        };
        record.validate().map_err(|cause| StoreError::Invalid {
            entity: E::NAME,
            cause,
        })?;
        if let Some(customer) = record.customer_refs()
            && self.tree(Tr::Customers).get(id_key(customer.0))?.is_none()
        {
            return Err(StoreError::UnknownCustomer {
                entity: E::NAME,
                id: customer.0,
            }
            .into());
        }
        if let Some(account) = record.account_refs()
            && self.tree(Tr::Accounts).get(id_key(account.0))?.is_none()
        {
            return Err(StoreError::UnknownAccount {
                entity: E::NAME,
                id: account.0,
            }
            .into());
        }
        let before = old.map(Entity::index_entries).unwrap_or_default();
        let after = record.index_entries();
        let added: Vec<&IndexEntry> = after.iter().filter(|e| !before.contains(e)).collect();
        // Every check comes before the first write, so a refused record leaves the transaction as it
        // was and an import can reject that one row and go on with the rest of its batch.
        for entry in &added {
            self.check_unique::<E>(entry, record.id())?;
        }
        for gone in before.iter().filter(|e| !after.contains(e)) {
            self.tree_mut(gone.tree).remove(gone.key.as_slice())?;
        }
        for entry in added {
            let value: &[u8] = if entry.unique.is_some() {
                &id_key(record.id())
            } else {
                &[]
            };
            self.tree_mut(entry.tree)
                .insert(entry.key.as_slice(), value)?;
        }
        let encoded = codec::encode(record);
        if self.journal.is_some() {
            self.journal_change(
                E::TREE,
                record.id(),
                write,
                old.map(codec::encode),
                Some(&encoded),
            )?;
        }
        self.tree_mut(E::TREE)
            .insert(&id_key(record.id()), encoded)?;
        Ok(())
    }

    /// Writes a record's earlier state over its current one (or into its empty slot), as a revert does.
    pub(super) fn put_back<E: Entity>(&self, record: &E, current: Option<&E>) -> TxResult<()> {
        self.put(record, Write::Over(current))?;
        self.leave_trash::<E>(record.id())
    }

    fn check_unique<E: Entity>(&self, entry: &IndexEntry, id: u64) -> TxResult<()> {
        let Some((field, value)) = &entry.unique else {
            return Ok(());
        };
        if let Some(existing) = self
            .tree(entry.tree)
            .get(&entry.key)?
            .as_deref()
            .and_then(id_from_key)
            && existing != id
        {
            return Err(StoreError::Duplicate {
                entity: E::NAME,
                field: *field,
                value: value.clone(),
                existing,
            }
            .into());
        }
        Ok(())
    }

    fn peek_next_id(&self, tree: Tr) -> TxResult<u64> {
        let key = keys::next_id_key(tree);
        Ok(read_u64(self.tree(Tr::Meta).get(key)?.as_deref()).unwrap_or(1))
    }

    pub(super) fn bump_data_version(&self) -> TxResult<()> {
        if !self.wrote.get() {
            return Ok(());
        }
        let v = self.data_version()?;
        self.tree_mut(Tr::Meta)
            .insert(keys::DATA_VERSION, &(v + 1).to_be_bytes())?;
        Ok(())
    }
}

/// What a record is written over: nothing, under an id just taken, or the stored state (if any).
enum Write<'r, E> {
    Fresh,
    Over(Option<&'r E>),
}

impl<E> Clone for Write<'_, E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for Write<'_, E> {}

pub(super) fn read_u64(bytes: Option<&[u8]>) -> Option<u64> {
    Some(u64::from_be_bytes(bytes?.try_into().ok()?))
}

pub(super) fn decode_record<E: Entity>(bytes: &[u8], id: u64) -> Result<E, StoreError> {
    decode_in(E::TREE, id, bytes)
}

/// Any stored value; a damaged one is reported with the tree and the id it was found under.
pub(super) fn decode_in<T: serde::de::DeserializeOwned>(
    tree: Tr,
    id: u64,
    bytes: &[u8],
) -> Result<T, StoreError> {
    codec::decode(bytes).map_err(|cause| StoreError::Corrupt {
        tree: tree.name(),
        id,
        cause,
    })
}
