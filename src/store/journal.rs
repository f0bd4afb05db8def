//! The import journal. Every import is a numbered batch; each of its transactions also records, for
//! every record it touches, the state before the batch first touched it and a digest of the state it
//! left. Reverting the batch puts every such record back, a few thousand to a transaction, and
//! refuses when something changed those records since (unless forced) or now points at a customer
//! it created.

use super::keys::{Tr, id_from_key, id_key, record_key};
use super::trash::{Kind, RecordRef, for_kind};
use super::tx::{decode_in, decode_record};
use super::{Group, Store, StoreError, codec};
use crate::domain::{Customer, CustomerId, Deal, Note, Order, Product, Ticket, Timestamp};
use serde::{Deserialize, Serialize};
use sled::Transactional;
use std::collections::{BTreeMap, HashSet};

#[derive(Serialize, Deserialize)]
pub(super) struct Change {
    /// The stored value before the batch; None when the batch created the record.
    pub before: Option<Vec<u8>>,
    /// Digest of the value the batch left; None when it removed the record.
    pub after: Option<u64>,
}

pub(super) fn change_key(batch: u64, tree: Tr, id: u64) -> [u8; 17] {
    let mut key = [0u8; 17];
    key[..8].copy_from_slice(&id_key(batch));
    key[8..].copy_from_slice(&record_key(tree, id));
    key
}

/// FNV-1a: stable across builds and platforms, which a hash kept on disk must be.
pub(super) fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchState {
    /// Still running, or stopped before it finished (the process was killed, say).
    Running,
    Finished,
    Reverted {
        at_ms: i64,
    },
}

/// One import run, as `rapport import list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub id: u64,
    pub started_ms: i64,
    pub source: String,
    pub format: String,
    pub state: BatchState,
    /// The import's one-line summary, once it finished.
    pub summary: String,
}

impl ImportBatch {
    pub fn started(&self) -> Timestamp {
        chrono::DateTime::from_timestamp_millis(self.started_ms).unwrap_or_default()
    }
}

/// What a revert did, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reverted {
    pub removed: BTreeMap<&'static str, usize>,
    pub restored: BTreeMap<&'static str, usize>,
}

impl Reverted {
    fn add(&mut self, other: Reverted) {
        for (mine, theirs) in [
            (&mut self.removed, other.removed),
            (&mut self.restored, other.restored),
        ] {
            for (kind, n) in theirs {
                *mine.entry(kind).or_default() += n;
            }
        }
    }
}

const NEXT_BATCH: &[u8] = b"next_id/imports";

impl Store {
    /// The same database, with every write journaled under import `batch`.
    pub fn journaled(&self, batch: u64) -> Store {
        Store {
            journal: Some(batch),
            ..self.clone()
        }
    }

    /// Opens a new import batch and returns its number.
    pub fn begin_import(&self, source: &str, format: &str) -> Result<u64, StoreError> {
        self.writable()?;
        let meta = self.tree(Tr::Meta);
        let imports = self.tree(Tr::Imports);
        let id = (meta, imports)
            .transaction(|(meta, imports)| {
                let id = super::tx::read_u64(meta.get(NEXT_BATCH)?.as_deref()).unwrap_or(1);
                meta.insert(NEXT_BATCH, &(id + 1).to_be_bytes())?;
                let batch = ImportBatch {
                    id,
                    started_ms: chrono::Utc::now().timestamp_millis(),
                    source: source.to_string(),
                    format: format.to_string(),
                    state: BatchState::Running,
                    summary: String::new(),
                };
                imports.insert(&id_key(id), codec::encode(&batch))?;
                Ok(id)
            })
            .map_err(|e: sled::transaction::TransactionError<()>| match e {
                sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
                sled::transaction::TransactionError::Abort(()) => unreachable!("never aborted"),
            })?;
        self.flush()?;
        Ok(id)
    }

    pub fn finish_import(&self, batch: u64, summary: &str) -> Result<(), StoreError> {
        let mut header = self.import_batch(batch)?;
        header.state = BatchState::Finished;
        header.summary = summary.to_string();
        self.tree(Tr::Imports)
            .insert(id_key(batch), codec::encode(&header))?;
        self.flush()
    }

    /// Forgets an import that stopped before it wrote anything (a file refused at its header, say),
    /// so `import list` shows only imports that happened. One that wrote something stays, to be
    /// reverted or run again.
    pub fn abandon_import(&self, batch: u64) -> Result<bool, StoreError> {
        if self.import_changes(batch) > 0 {
            return Ok(false);
        }
        self.tree(Tr::Imports).remove(id_key(batch))?;
        self.flush()?;
        Ok(true)
    }

    /// Takes an import back completely: what it created is removed, what it changed is put back.
    /// Refused when a record it touched has changed since, unless `force`; always refused when a
    /// customer it created now has history from elsewhere. `progress` is told how many of how
    /// many records are done, after each transaction.
    pub fn revert_import(
        &self,
        batch: u64,
        force: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Reverted, StoreError> {
        self.revert_import_in(batch, force, REVERT_CHUNK, usize::MAX, progress)
    }

    /// As `revert_import`, `chunk` records to a transaction, stopping after `transactions` of them:
    /// tests leave a revert half done with it, as a crash would.
    ///
    /// Every transaction leaves the data whole (see `revert_rank`), and a record already back in
    /// its state before the import counts as unchanged: a revert that stopped part-way is finished
    /// by running it again. Another writer between two transactions makes it check again.
    #[doc(hidden)]
    pub fn revert_import_in(
        &self,
        batch: u64,
        force: bool,
        chunk: usize,
        mut transactions: usize,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Reverted, StoreError> {
        let mut report = Reverted::default();
        'check: loop {
            let mut seen = self.data_version()?;
            let header = self.import_batch(batch)?;
            if let BatchState::Reverted { .. } = header.state {
                return Err(StoreError::AlreadyReverted { batch });
            }
            let changes = self.changes_of(batch)?;
            if !force {
                let mut changed = Vec::new();
                for (tree, id, change) in &changes {
                    let now = self.tree(*tree).get(id_key(*id))?.map(|b| digest(&b));
                    // Back as it was before the import: an earlier revert got that far. Unless
                    // someone deleted it since: the trash would give it back after the revert.
                    let as_before = now == change.before.as_deref().map(digest)
                        && !(now.is_none()
                            && self.tree(Tr::Trash).contains_key(record_key(*tree, *id))?);
                    if now != change.after && !as_before {
                        changed.push(ref_of(*tree, *id).to_string());
                    }
                }
                if !changed.is_empty() {
                    return Err(StoreError::ChangedSinceImport { batch, changed });
                }
            }
            self.refuse_orphans(batch, &changes)?;
            let mut ordered: Vec<&(Tr, u64, Change)> = changes.iter().collect();
            ordered.sort_by_key(|(tree, _, change)| revert_rank(*tree, change));
            let pieces: Vec<&[&(Tr, u64, Change)]> = if ordered.is_empty() {
                vec![&[]]
            } else {
                ordered.chunks(chunk.max(1)).collect()
            };
            let mut taken_back = 0;
            for (i, piece) in pieces.iter().enumerate() {
                if transactions == 0 {
                    return Ok(report);
                }
                transactions -= 1;
                let last = i + 1 == pieces.len();
                let done = self.write(|tx| {
                    if tx.data_version()? != seen {
                        return Ok(None);
                    }
                    let mut part = Reverted::default();
                    for (tree, id, change) in piece.iter() {
                        revert_one(tx, *tree, *id, change, &mut part)?;
                    }
                    if last {
                        let mut header = header.clone();
                        header.state = BatchState::Reverted {
                            at_ms: chrono::Utc::now().timestamp_millis(),
                        };
                        tx.tree_mut(Tr::Imports)
                            .insert(&id_key(batch), codec::encode(&header))?;
                    }
                    Ok(Some((part, tx.data_version_after()?)))
                })?;
                let Some((part, version)) = done else {
                    continue 'check;
                };
                seen = version;
                report.add(part);
                taken_back += piece.len();
                progress(taken_back, ordered.len());
            }
            return Ok(report);
        }
    }

    /// A customer the batch created can only go if nothing outside the batch points at them.
    fn refuse_orphans(&self, batch: u64, changes: &[(Tr, u64, Change)]) -> Result<(), StoreError> {
        let leaving: HashSet<(Tr, u64)> = changes
            .iter()
            .filter(|(_, _, c)| c.before.is_none())
            .map(|(t, id, _)| (*t, *id))
            .collect();
        // Everyone the batch touched is put back as it found them: only others keep an account.
        let touched: HashSet<(Tr, u64)> = changes.iter().map(|(t, id, _)| (*t, *id)).collect();
        for &(tree, id) in &leaving {
            if tree == Tr::Accounts
                && (self.group_ids(Group::ContactsOf(crate::domain::AccountId(id)))?)
                    .into_iter()
                    .any(|person| !touched.contains(&(Tr::Customers, person)))
            {
                return Err(StoreError::RevertWouldOrphan {
                    batch,
                    record: format!("account {id}"),
                    what: "people",
                });
            }
            if tree != Tr::Customers {
                continue;
            }
            let customer = CustomerId(id);
            for (group, records, what) in [
                (Group::OrdersOf(customer), Tr::Orders, "orders"),
                (Group::DealsOf(customer), Tr::Deals, "deals"),
                (Group::TicketsOf(customer), Tr::Tickets, "tickets"),
                (Group::NotesOf(customer), Tr::Notes, "notes"),
            ] {
                if self
                    .group_ids(group)?
                    .into_iter()
                    .any(|other| !leaving.contains(&(records, other)))
                {
                    return Err(StoreError::RevertWouldOrphan {
                        batch,
                        record: format!("customer {id}"),
                        what,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Records per revert transaction: one transaction for a whole import held all its writes in
/// memory, 6.2 GB to take back a million-line import.
const REVERT_CHUNK: usize = 2_000;

/// The order a revert goes in, so that the data is whole after each of its transactions: customers
/// and products put back first (an order put back finds what it names), then everything else, and
/// last the customers and products the import created, once nothing of the import points at them.
/// Of those put back, the changed come before the removed: a merge's kept customer gives back
/// the email it took before the merged one returns with it.
fn revert_rank(tree: Tr, change: &Change) -> u8 {
    match (tree, change.before.is_some(), change.after.is_some()) {
        // Accounts before the customers who name them, and those it made after them.
        (Tr::Accounts, true, _) => 0,
        (Tr::Customers | Tr::Products, true, true) => 0,
        (Tr::Customers | Tr::Products, true, false) => 1,
        (Tr::Customers | Tr::Products, false, _) => 3,
        (Tr::Accounts, false, _) => 4,
        _ => 2,
    }
}

/// Takes one record back to its state before the import, unless it is there already.
fn revert_one(
    tx: &super::Tx,
    tree: Tr,
    id: u64,
    change: &Change,
    report: &mut Reverted,
) -> super::TxResult<()> {
    for_kind!(tree, E => {
        let current: Option<E> = tx.get(id)?;
        let kind = Kind::of(tree).expect("a record tree").name();
        match (&change.before, current) {
            (None, Some(_)) => {
                tx.remove::<E>(id)?;
                *report.removed.entry(kind).or_default() += 1;
            }
            (None, None) => {}
            (Some(bytes), Some(current)) if codec::encode(&current) == *bytes => {}
            (Some(bytes), current) => {
                let before: E = decode_record(bytes, id)?;
                tx.put_back(&before, current.as_ref())?;
                *report.restored.entry(kind).or_default() += 1;
            }
        }
    });
    Ok(())
}

fn ref_of(tree: Tr, id: u64) -> RecordRef {
    RecordRef {
        kind: Kind::of(tree).expect("a record tree"),
        id,
    }
}

impl super::Records {
    pub fn import_batch(&self, batch: u64) -> Result<ImportBatch, StoreError> {
        self.alive()?;
        let bytes = self
            .tree(Tr::Imports)
            .get(id_key(batch))?
            .ok_or(StoreError::NotFound {
                entity: "import",
                id: batch,
            })?;
        decode_in(Tr::Imports, batch, &bytes)
    }

    pub fn import_batches(&self) -> Result<Vec<ImportBatch>, StoreError> {
        self.alive()?;
        self.tree(Tr::Imports)
            .iter()
            .map(|item| {
                let (key, bytes) = item?;
                decode_in(Tr::Imports, id_from_key(&key).unwrap_or(0), &bytes)
            })
            .collect()
    }

    /// How many records a batch touched.
    pub fn import_changes(&self, batch: u64) -> usize {
        if self.alive().is_err() {
            return 0;
        }
        self.tree(Tr::ImportChanges)
            .scan_prefix(id_key(batch))
            .count()
    }

    fn changes_of(&self, batch: u64) -> Result<Vec<(Tr, u64, Change)>, StoreError> {
        self.alive()?;
        let mut out = Vec::new();
        for item in self.tree(Tr::ImportChanges).scan_prefix(id_key(batch)) {
            let (key, bytes) = item?;
            let tree = Tr::from_kind_byte(key[8]).unwrap_or(Tr::Meta);
            let id = id_from_key(&key).unwrap_or(0);
            out.push((tree, id, decode_in(Tr::ImportChanges, batch, &bytes)?));
        }
        Ok(out)
    }

    /// Every journal entry of one record, with its key, across all imports (forgetting a person must
    /// reach their old values too).
    pub(super) fn journal_entries_of(
        &self,
        record: RecordRef,
    ) -> Result<Vec<(sled::IVec, Change)>, StoreError> {
        let wanted = record_key(record.kind.tree(), record.id);
        let mut out = Vec::new();
        for item in self.tree(Tr::ImportChanges).iter() {
            let (key, bytes) = item?;
            if key[8..] == wanted {
                let change = decode_in(
                    Tr::ImportChanges,
                    id_from_key(&key[..8]).unwrap_or(0),
                    &bytes,
                )?;
                out.push((key, change));
            }
        }
        Ok(out)
    }
}
