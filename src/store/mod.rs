//! The sled database: one tree per entity, secondary indexes written in the same transaction as their
//! record, a schema version with migrations on open, and sled's lock keeping one process per database.

mod audit;
pub use audit::{AuditEntry, AuditQuery, FieldChange};
mod codec;
mod entity;
mod error;
mod files;
pub(crate) mod forget;
mod groups;
mod indexes;
mod journal;
mod keys;
mod merge;
mod schema;
mod trash;
mod tx;
mod views;

pub use codec::CodecError;
pub use entity::Entity;
pub use error::{Changed, Gone, StoreError};
use error::{describe_io, is_disk_full, open_error};
pub use files::CONTROL_SOCKET;
pub use forget::Forgotten;
pub use groups::Group;
pub use journal::{BatchState, ImportBatch, Reverted};
pub use merge::{MERGE, Merge, Moved};
pub use schema::SCHEMA_VERSION;
pub use trash::{Deleted, Kind, RecordRef};
pub use tx::{Tx, TxError, TxResult};

use crate::domain::{Customer, CustomerId, Deal, Followup, Note, Order, Product, Ticket};
use keys::{Tr, id_from_key, id_key};
use sled::Transactional;
use sled::transaction::TransactionError;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Natural keys that identify at most one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    CustomerEmail,
    CustomerExternalId,
    ProductSku,
    OrderNumber,
    MemberName,
    MemberKey,
}

impl Unique {
    fn tree(self) -> Tr {
        match self {
            Unique::CustomerEmail => Tr::CustomerByEmail,
            Unique::CustomerExternalId => Tr::CustomerByExternal,
            Unique::ProductSku => Tr::ProductBySku,
            Unique::OrderNumber => Tr::OrderByNumber,
            Unique::MemberName => Tr::MemberByName,
            Unique::MemberKey => Tr::MemberByKey,
        }
    }

    fn key(self, value: &str) -> Vec<u8> {
        match self {
            Unique::CustomerEmail => crate::domain::normalise_email(value).into_bytes(),
            Unique::MemberName => value.to_lowercase().into_bytes(),
            _ => value.as_bytes().to_vec(),
        }
    }
}

/// What `rapport stats` prints, so scripts can check an import.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub customers: usize,
    pub products: usize,
    pub non_merchandise_products: usize,
    pub orders: usize,
    pub cancellations: usize,
    pub guest_orders: usize,
    pub order_lines: usize,
    pub deals: usize,
    pub tickets: usize,
    pub notes: usize,
    pub followups: usize,
    pub accounts: usize,
    pub schema_version: u32,
    pub data_version: u64,
}

const READ_AHEAD_BATCH: usize = 256;
const READ_AHEAD_BATCHES: usize = 4;

/// Records read on another thread; see [`Store::iter_ahead`].
pub struct ReadAhead<E> {
    receiver: Option<std::sync::mpsc::Receiver<Vec<Result<E, StoreError>>>>,
    current: std::vec::IntoIter<Result<E, StoreError>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl<E> Iterator for ReadAhead<E> {
    type Item = Result<E, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(item);
            }
            self.current = self.receiver.as_ref()?.recv().ok()?.into_iter();
        }
    }
}

impl<E> Drop for ReadAhead<E> {
    fn drop(&mut self) {
        // Hanging up first makes a reader blocked on a full channel give up.
        self.receiver = None;
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// The database, to read: what `Ops` hands out above it, so a reader cannot write. Cheap to clone:
/// every clone shares the one open database (sled's handles are reference-counted).
#[derive(Clone)]
pub struct Records {
    db: sled::Db,
    /// Indexed by `Tr::index()`.
    trees: Vec<sled::Tree>,
    path: PathBuf,
    /// Writes share it; a backup takes it alone, so that what it reads is one moment of the data.
    gate: std::sync::Arc<std::sync::RwLock<()>>,
    /// Set when the disk was full at open: the database was opened on the reserve, to be read,
    /// and the reserve is put back when the last handle closes.
    on_reserve: Option<std::sync::Arc<files::Reserve>>,
    /// Set when sled failed to write (a full disk, an I/O error). sled then keeps that error and
    /// some of its reads retry forever, so from here on this process asks it nothing more.
    stopped: std::sync::Arc<std::sync::OnceLock<String>>,
}

/// The database, to read and write. Cheap to clone, as `Records`.
#[derive(Clone)]
pub struct Store {
    records: Records,
    /// Set on a handle whose writes belong to an import batch (see `journaled`).
    journal: Option<u64>,
    /// Whose writes these are, for the audit log; `None` writes no log (a demo being made).
    audit: Option<audit::AuditAs>,
}

impl std::ops::Deref for Store {
    type Target = Records;

    fn deref(&self) -> &Records {
        &self.records
    }
}

/// sled keeps this much of the database in memory (and about twice it in decoded nodes); its own
/// default (1 GiB) is too much for a shared server running one rapport per rep. The scale import
/// ran as fast with 32 MB as with 128, and peaked at 462 MiB instead of 693.
const CACHE_BYTES: u64 = 32 << 20;

/// How long `open` waits for a database another process is just closing.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

impl Store {
    /// Opens or creates the database at `path`, migrating an older schema and refusing a newer one.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_cache(path, CACHE_BYTES)
    }

    /// As `open`, with sled's page cache sized for the job: a one-pass export gains nothing from a
    /// big cache, and a small one keeps its memory flat.
    pub fn open_with_cache(path: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        // sled creates files all its life (snapshots, blobs): each must be private as it appears.
        crate::user::private_umask();
        files::prepare(path)?;
        let db = match open_sled(path, cache_bytes) {
            Err(e) if is_disk_full(&e) && files::release_reserve(path) => {
                let reserve = std::sync::Arc::new(files::Reserve::released(path));
                let db = open_sled(path, cache_bytes)?;
                return Store::ready(db, path, Some(reserve));
            }
            other => other?,
        };
        let store = Store::ready(db, path, None)?;
        files::keep_reserve(path);
        Ok(store)
    }

    fn ready(
        db: sled::Db,
        path: &Path,
        on_reserve: Option<std::sync::Arc<files::Reserve>>,
    ) -> Result<Store, StoreError> {
        let meta = db.open_tree(Tr::Meta.name())?;
        let found = schema::stored_version(&meta, path)?;
        if let Some(found) = found
            && found > SCHEMA_VERSION
        {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let trees = Tr::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()?;
        let store = Store {
            records: Records {
                db,
                trees,
                path: path.to_path_buf(),
                gate: Default::default(),
                on_reserve,
                stopped: Default::default(),
            },
            journal: None,
            audit: Some(audit::AuditAs {
                actor: crate::user::login_name().into(),
                redact: false,
                op: None,
            }),
        };
        schema::migrate(&store, found)?;
        Ok(store)
    }

    /// Runs `f` as one transaction over every tree (sled retries it on conflict, so it may run more
    /// than once), then flushes: when this returns Ok, the write is on disk.
    pub fn write<A>(&self, f: impl Fn(&Tx) -> TxResult<A>) -> Result<A, StoreError> {
        self.write_with(true, f)
    }

    /// As `write`, for what no session shows as a record (a saved view, a "two people" mark):
    /// the data version stays, so no session reads every record again for it.
    pub(crate) fn write_aside<A>(&self, f: impl Fn(&Tx) -> TxResult<A>) -> Result<A, StoreError> {
        self.write_with(false, f)
    }

    fn write_with<A>(&self, bump: bool, f: impl Fn(&Tx) -> TxResult<A>) -> Result<A, StoreError> {
        self.writable()?;
        let _shared = crate::parallel::read(&self.gate);
        let result = self.trees.as_slice().transaction(|trees| {
            let tx = Tx::new(trees, self.journal, self.audit.as_ref());
            let out = f(&tx).map_err(|e| e.0)?;
            if bump {
                tx.bump_data_version().map_err(|e| e.0)?;
            }
            Ok(out)
        });
        let out = self.noted(result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        }))?;
        self.flush()?;
        Ok(out)
    }

    /// Runs `f` in a transaction and then rolls it back: what a write would do, with nothing written.
    pub fn simulate<A>(&self, f: impl Fn(&Tx) -> TxResult<A>) -> Result<A, StoreError> {
        self.alive()?;
        let outcome = std::cell::RefCell::new(None);
        let result = self.trees.as_slice().transaction(|trees| {
            let tx = Tx::new(trees, self.journal, self.audit.as_ref());
            *outcome.borrow_mut() = Some(f(&tx).map_err(|e| e.0)?);
            Err(sled::transaction::ConflictableTransactionError::Abort(
                StoreError::RolledBack,
            ))
        });
        match result {
            Err(TransactionError::Abort(StoreError::RolledBack)) => Ok(outcome
                .into_inner()
                .expect("the closure ran before the rollback")),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
            Ok(()) => unreachable!("a simulation always rolls back"),
        }
    }

    pub fn create<E: Entity>(&self, record: E) -> Result<E, StoreError> {
        self.write(|tx| tx.create(record.clone()))
    }

    pub fn update<E: Entity>(&self, record: &E) -> Result<(), StoreError> {
        self.write(|tx| tx.update(record))
    }

    /// Moves a record to the trash. A customer with orders, deals or tickets is refused (their
    /// history would point at nobody); their notes and follow-ups go with them.
    pub fn delete<E: Entity>(&self, id: u64) -> Result<E, StoreError> {
        if E::TREE == Tr::Accounts {
            return self.delete_account::<E>(id);
        }
        if E::TREE != Tr::Customers {
            return self.write(|tx| tx.delete::<E>(id));
        }
        // Prefix scans cannot run inside a sled transaction (it holds the lock they take), so scan
        // first and retry if anything was written between the scan and the transaction.
        loop {
            let seen = self.data_version()?;
            let customer = CustomerId(id);
            for (group, what) in [
                (Group::OrdersOf(customer), "orders"),
                (Group::DealsOf(customer), "deals"),
                (Group::TicketsOf(customer), "tickets"),
            ] {
                if !self.group_ids(group)?.is_empty() {
                    return Err(StoreError::InUse {
                        entity: E::NAME,
                        id,
                        what,
                    });
                }
            }
            let notes = self.group_ids(Group::NotesOf(customer))?;
            let followups = self.group_ids(Group::FollowupsOf(customer))?;
            let deleted = self.write(|tx| {
                if tx.data_version()? != seen {
                    return Ok(None);
                }
                for &note in &notes {
                    tx.trash::<Note>(note, Some(id))?;
                }
                for &followup in &followups {
                    tx.trash::<Followup>(followup, Some(id))?;
                }
                tx.trash::<E>(id, None).map(Some)
            })?;
            if let Some(record) = deleted {
                return Ok(record);
            }
        }
    }

    pub fn restore<E: Entity>(&self, record: &E) -> Result<(), StoreError> {
        self.write(|tx| tx.restore(record))
    }

    /// Fails with `Changed` unless the stored record is `seen` (as the store keeps it: timestamps
    /// to the millisecond). How a write made from what a rep saw some time ago stays safe.
    pub fn unchanged<E: Entity + PartialEq>(&self, seen: &E) -> Result<(), StoreError> {
        let stored: Option<E> = self.get(seen.id())?;
        let as_kept =
            codec::decode::<E>(&codec::encode(seen)).map_err(|cause| StoreError::Corrupt {
                tree: E::TREE.name(),
                id: seen.id(),
                cause,
            })?;
        match stored {
            Some(stored) if stored == as_kept => Ok(()),
            Some(stored) => Err(StoreError::Changed(error::Changed {
                entity: E::NAME,
                label: stored.label(),
                by: match self.last_change(E::TREE, seen.id())? {
                    Some(entry) => format!(
                        "{} at {} UTC",
                        entry.actor,
                        entry.at().format("%H:%M on %Y-%m-%d")
                    ),
                    None => "someone else".into(),
                },
            })),
            None => match self.gone_from(E::TREE, seen.id())? {
                Some(how) => Err(StoreError::Gone(error::Gone {
                    entity: E::NAME,
                    label: seen.label(),
                    how,
                })),
                None => Err(StoreError::NotFound {
                    entity: E::NAME,
                    id: seen.id(),
                }),
            },
        }
    }

    /// Marks the database as being filled by `rapport demo` (or done with it), on disk at once.
    pub fn mark_demo_unfinished(&self, unfinished: bool) -> Result<(), StoreError> {
        self.writable()?;
        let meta = self.tree(Tr::Meta);
        match unfinished {
            true => meta.insert(keys::DEMO_UNFINISHED, &[1u8])?,
            false => meta.remove(keys::DEMO_UNFINISHED)?,
        };
        self.flush()
    }

    /// Empties every record, index, the trash, the import journal and the id counters, keeping the
    /// schema: what a demo killed part-way leaves is taken away before it starts over.
    pub fn clear_unfinished_demo(&self) -> Result<(), StoreError> {
        self.writable()?;
        for &t in Tr::ALL.iter().filter(|&&t| t != Tr::Meta) {
            self.tree(t).clear()?;
        }
        let meta = self.tree(Tr::Meta);
        for key in meta.scan_prefix(b"next_id/").keys() {
            meta.remove(key?)?;
        }
        self.write(|_| Ok(()))?;
        self.flush()
    }
}

/// Opens sled, clearing a snapshot a killed process left unfinished, and waiting briefly for a
/// process that is just closing the database: it lets go of its lock a moment after it exits
/// (sled's IO threads finish first; on a busy machine, a while after). A holder that answers on
/// its control socket is not closing, and is reported at once.
fn open_sled(path: &Path, cache_bytes: u64) -> Result<sled::Db, StoreError> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        files::clear_unfinished_snapshots(path).map_err(|cause| StoreError::Open {
            path: path.to_path_buf(),
            cause,
        })?;
        match sled::Config::new()
            .path(path)
            .cache_capacity(cache_bytes)
            .open()
            .map_err(|e| open_error(e, path))
        {
            Err(StoreError::Locked { .. })
                if std::time::Instant::now() < deadline && !files::holder_answers(path) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl Records {
    /// Refuses any use of a database sled failed to write to in this process.
    fn alive(&self) -> Result<(), StoreError> {
        match self.stopped.get() {
            Some(why) => Err(StoreError::Stopped {
                path: self.path.clone(),
                why: why.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Notes a failed write: from here on the store answers `Stopped` (see `stopped`).
    fn noted<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(StoreError::Sled(e @ (sled::Error::Io(_) | sled::Error::Corruption { .. }))) =
            &result
        {
            let why = match e {
                sled::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => {
                    "the disk is full".to_string()
                }
                sled::Error::Io(io) => describe_io(io),
                _ => "sled found damaged data".to_string(),
            };
            let _ = self.stopped.set(why);
        }
        result
    }

    /// Refuses a write on a database opened on its reserve because the disk was full.
    fn writable(&self) -> Result<(), StoreError> {
        self.alive()?;
        match self.on_reserve {
            Some(_) => Err(StoreError::DiskFull {
                path: self.path.clone(),
            }),
            None => Ok(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn tree(&self, t: Tr) -> &sled::Tree {
        &self.trees[t.index()]
    }

    /// What took a record away, by whom and when, as the audit log tells it ("deleted by bea at
    /// 14:02 on 2026-12-07 UTC"); None when the log says nothing of it.
    pub fn gone(&self, record: RecordRef) -> Result<Option<String>, StoreError> {
        self.gone_from(record.kind.tree(), record.id)
    }

    fn gone_from(&self, tree: Tr, id: u64) -> Result<Option<String>, StoreError> {
        let Some(entry) = self.last_change(tree, id)? else {
            return Ok(None);
        };
        let how = match entry.op.as_str() {
            "delete" => "deleted".to_string(),
            "forget" => "erased".to_string(),
            _ => match entry.merged() {
                Some(merged) => match merged.split_once(" into ") {
                    Some((_, kept)) => format!("merged into customer {kept}"),
                    None => "merged into another customer".to_string(),
                },
                None => return Ok(None),
            },
        };
        let at = entry.at().format("%H:%M on %Y-%m-%d");
        Ok(Some(format!("{how} by {} at {at} UTC", entry.actor)))
    }

    pub fn get<E: Entity>(&self, id: u64) -> Result<Option<E>, StoreError> {
        self.alive()?;
        match self.tree(E::TREE).get(id_key(id))? {
            None => Ok(None),
            Some(bytes) => tx::decode_record(&bytes, id).map(Some),
        }
    }

    /// Every record of a kind, in id order, read lazily.
    pub fn iter<E: Entity>(&self) -> impl Iterator<Item = Result<E, StoreError>> + '_ {
        self.iter_ids::<E>(..)
    }

    /// The records of a kind whose ids fall in `ids`, in id order, read lazily.
    pub fn iter_ids<E: Entity>(
        &self,
        ids: impl std::ops::RangeBounds<u64>,
    ) -> impl Iterator<Item = Result<E, StoreError>> + '_ {
        use std::ops::Bound;
        let key = |b: Bound<&u64>| match b {
            Bound::Included(id) => Bound::Included(id_key(*id)),
            Bound::Excluded(id) => Bound::Excluded(id_key(*id)),
            Bound::Unbounded => Bound::Unbounded,
        };
        let range = (key(ids.start_bound()), key(ids.end_bound()));
        let stopped = self.alive().err();
        let records = stopped.is_none().then(|| self.tree(E::TREE).range(range));
        stopped
            .map(Err)
            .into_iter()
            .chain(records.into_iter().flatten().map(|item| {
                let (key, value) = item?;
                tx::decode_record(&value, id_from_key(&key).unwrap_or(0))
            }))
    }

    /// As `iter`, with the reading and decoding done on another thread a few batches ahead: a scan
    /// that also formats every record (an export) then keeps both cores busy. Memory stays flat
    /// (a few batches), and dropping the iterator stops the reader.
    pub fn iter_ahead<E: Entity + Send + 'static>(&self) -> ReadAhead<E> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(READ_AHEAD_BATCHES);
        let store = self.clone();
        let reader = std::thread::spawn(move || {
            let mut batch = Vec::with_capacity(READ_AHEAD_BATCH);
            for item in store.iter::<E>() {
                let failed = item.is_err();
                batch.push(item);
                if batch.len() == READ_AHEAD_BATCH || failed {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_AHEAD_BATCH));
                    if sender.send(full).is_err() || failed {
                        return;
                    }
                }
            }
            let _ = sender.send(batch);
        });
        ReadAhead {
            receiver: Some(receiver),
            current: Vec::new().into_iter(),
            reader: Some(reader),
        }
    }

    pub fn all<E: Entity>(&self) -> Result<Vec<E>, StoreError> {
        self.iter().collect()
    }

    /// Every record of a kind that can be read, in id order; a damaged one is left out and logged,
    /// so one bad value cannot keep the app or the insights from the rest. Other errors stop it.
    pub fn iter_sound<E: Entity>(&self) -> impl Iterator<Item = Result<E, StoreError>> + '_ {
        self.iter_sound_ids(..)
    }

    /// As `iter_sound`, over the ids in `ids`.
    pub fn iter_sound_ids<E: Entity>(
        &self,
        ids: impl std::ops::RangeBounds<u64>,
    ) -> impl Iterator<Item = Result<E, StoreError>> + '_ {
        self.iter_ids(ids).filter(|r| match r {
            Err(e @ StoreError::Corrupt { .. }) => {
                tracing::warn!("left out: {e}");
                false
            }
            _ => true,
        })
    }

    /// The ids of a kind cut into `parts` ranges of about equal width, in order, for reading on
    /// as many threads; empty where there are no records.
    pub fn id_ranges<E: Entity>(
        &self,
        parts: u64,
    ) -> Result<Vec<std::ops::RangeInclusive<u64>>, StoreError> {
        self.alive()?;
        let tree = self.tree(E::TREE);
        let bounds = (tree.first()?, tree.last()?);
        let (Some((first, _)), Some((last, _))) = bounds else {
            return Ok(Vec::new());
        };
        let (lo, hi) = (
            id_from_key(&first).unwrap_or(0),
            id_from_key(&last).unwrap_or(u64::MAX),
        );
        let parts = parts.clamp(1, (hi - lo).saturating_add(1));
        let width = (hi - lo) / parts + 1;
        Ok((0..parts)
            .map(|k| {
                let start = lo.saturating_add(k.saturating_mul(width));
                let end = match k + 1 == parts {
                    true => u64::MAX,
                    false => start.saturating_add(width - 1),
                };
                (if k == 0 { 0 } else { start })..=end
            })
            .collect())
    }

    /// As `all`, leaving out damaged records and naming each in `damaged`.
    pub fn all_sound<E: Entity>(&self, damaged: &mut Vec<String>) -> Result<Vec<E>, StoreError> {
        let mut out = Vec::new();
        for record in self.iter::<E>() {
            match record {
                Ok(record) => out.push(record),
                Err(e @ StoreError::Corrupt { .. }) => damaged.push(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// How many records of a kind; walks the tree, so call it once, not per frame. None are
    /// counted on a store that stopped (see `stopped`): every other call says why.
    pub fn count<E: Entity>(&self) -> usize {
        match self.alive() {
            Ok(()) => self.tree(E::TREE).len(),
            Err(_) => 0,
        }
    }

    /// The first `limit` customers in name order (ties by id), read through the name index.
    pub fn customers_by_name(&self, limit: usize) -> Result<Vec<Customer>, StoreError> {
        self.alive()?;
        let mut out = Vec::with_capacity(limit);
        for key in self.tree(Tr::CustomerByName).iter().keys().take(limit) {
            let id = id_from_key(&key?).unwrap_or(0);
            match self.get(id) {
                Ok(Some(c)) => out.push(c),
                Ok(None) | Err(StoreError::Corrupt { .. }) => {} // named once the rest is read
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    pub fn find_id(&self, by: Unique, value: &str) -> Result<Option<u64>, StoreError> {
        self.alive()?;
        Ok(self
            .tree(by.tree())
            .get(by.key(value))?
            .as_deref()
            .and_then(id_from_key))
    }

    pub fn find<E: Entity>(&self, by: Unique, value: &str) -> Result<Option<E>, StoreError> {
        match self.find_id(by, value)? {
            Some(id) => self.get(id),
            None => Ok(None),
        }
    }

    /// Bumped by every write; caches of derived data compare it to know they are still good.
    pub fn data_version(&self) -> Result<u64, StoreError> {
        self.alive()?;
        Ok(tx::read_u64(self.tree(Tr::Meta).get(keys::DATA_VERSION)?.as_deref()).unwrap_or(0))
    }

    pub fn demo_unfinished(&self) -> Result<bool, StoreError> {
        self.alive()?;
        Ok(self.tree(Tr::Meta).contains_key(keys::DEMO_UNFINISHED)?)
    }

    pub fn schema_version(&self) -> Result<Option<u32>, StoreError> {
        self.alive()?;
        schema::stored_version(self.tree(Tr::Meta), &self.path)
    }

    pub fn stats(&self) -> Result<Stats, StoreError> {
        self.alive()?;
        let mut stats = Stats {
            customers: self.count::<Customer>(),
            deals: self.count::<Deal>(),
            tickets: self.count::<Ticket>(),
            notes: self.count::<Note>(),
            followups: self.count::<Followup>(),
            accounts: self.count::<crate::domain::Account>(),
            schema_version: self.schema_version()?.unwrap_or(SCHEMA_VERSION),
            data_version: self.data_version()?,
            ..Stats::default()
        };
        for product in self.iter::<Product>() {
            stats.products += 1;
            stats.non_merchandise_products += usize::from(!product?.merchandise);
        }
        for order in self.iter::<Order>() {
            let order = order?;
            stats.orders += 1;
            stats.cancellations +=
                usize::from(order.kind == crate::domain::OrderKind::Cancellation);
            stats.guest_orders += usize::from(order.customer.is_none());
            stats.order_lines += order.lines.len();
        }
        Ok(stats)
    }

    /// Runs `f` while no write can start or be under way: what it reads is one moment of the data.
    pub fn frozen<A>(&self, f: impl FnOnce() -> A) -> A {
        let _alone = crate::parallel::write(&self.gate);
        f()
    }

    pub fn flush(&self) -> Result<(), StoreError> {
        self.alive()?;
        self.noted(self.db.flush().map(drop).map_err(StoreError::from))
    }
}
