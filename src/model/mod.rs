//! The read model: what the sessions of one process show, read once and shared behind `Arc`s:
//! customer rows, deals, tickets, each customer's summary, the quick-lookup index and the insights.
//! A session keeps only its own view of it (pane, selection, filter, forms, undo). A write made
//! through `Ops` patches the model, and every session hears of the new snapshot.

pub mod account_page;
pub mod deal_page;
pub mod order;
pub mod pipeline;
pub mod revenue;
mod row;
mod snapshot;
pub mod summary;
#[cfg(test)]
mod tests;
pub mod today;

use crate::clean::lookalike::LookAlikes;
use crate::domain::change::{Record, Write};
use crate::domain::{Account, AccountId, Customer, CustomerId, Deal, Followup, Ticket};
use crate::insights::{Insights, Segment};
use crate::search::{Entry, Index, Kind, Part};
use crate::store::{Store, StoreError};
pub use account_page::{AccountPage, Contact};
pub use deal_page::DealPage;
use revenue::InsightsData;
pub use row::CustomerRow;
use snapshot::Parts;
pub use snapshot::Snapshot;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
pub use summary::{CustomerPage, Summaries, Summary, TimelineItem};

/// The Insights pane's figures and the engine behind segments and suggestions, at one data version.
/// How long insights computed before later writes still serve. At 100,000 customers they take
/// seconds of a core to compute; recomputed at each of a team's writes, they kept both cores busy.
/// `r` on the Insights pane asks for them fresh.
pub const INSIGHTS_KEPT: std::time::Duration = std::time::Duration::from_secs(300);

pub struct InsightsView {
    /// When they were computed: a team writes all day, and they are kept for a while (see
    /// `ReadModel::insights`).
    pub computed: crate::domain::Timestamp,
    pub data: InsightsData,
    pub engine: Arc<Insights>,
    /// Each buyer's RFM segment, for the customers table.
    pub segments: Arc<HashMap<CustomerId, Segment>>,
}

impl InsightsView {
    pub fn version(&self) -> u64 {
        self.engine.version
    }
}

type Listener = Box<dyn Fn(&Arc<Snapshot>) -> bool + Send>;

/// The process's one read model over its store.
pub struct ReadModel {
    store: Store,
    current: Mutex<Option<Arc<Snapshot>>>,
    /// Held while the records or the summaries are read, and by every write: the snapshot's version
    /// is then the store's, and twenty sessions starting at once read the store once.
    writing: Mutex<()>,
    insights: Mutex<Option<Arc<InsightsView>>>,
    /// The new-customer form's look-alike index and the data version it is of: a second
    /// at 100,000 customers, made once for every session that opens a form.
    look_alikes: Mutex<Option<(u64, Arc<LookAlikes>)>>,
    generation: AtomicU64,
    listeners: Mutex<Vec<Listener>>,
}

use crate::parallel::lock;

impl ReadModel {
    pub fn new(store: Store) -> Arc<ReadModel> {
        Arc::new(ReadModel {
            store,
            current: Mutex::new(None),
            writing: Mutex::new(()),
            insights: Mutex::new(None),
            look_alikes: Mutex::new(None),
            generation: AtomicU64::new(0),
            listeners: Mutex::new(Vec::new()),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The whole snapshot, if one has been read.
    pub fn peek(&self) -> Option<Arc<Snapshot>> {
        lock(&self.current).clone()
    }

    fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// What a new session draws first: the whole snapshot when the model has it, else the first
    /// `limit` customers by name, a few small reads, so the first frame never waits for the rest.
    pub fn first_screen(&self, limit: usize) -> Result<Arc<Snapshot>, StoreError> {
        if let Some(whole) = self.peek() {
            return Ok(whole);
        }
        let mut snapshot =
            Snapshot::new(self.store.customers_by_name(limit)?, Vec::new(), Vec::new());
        snapshot.partial = true;
        snapshot.version = self.store.data_version()?;
        Ok(Arc::new(snapshot))
    }

    /// Every record, read again if the store has changed since (a write from outside this model).
    pub fn load(&self) -> Result<Arc<Snapshot>, StoreError> {
        let _one_at_a_time = lock(&self.writing);
        let version = self.store.data_version()?;
        if let Some(current) = self.peek().filter(|c| c.version == version) {
            return Ok(current);
        }
        let snapshot = Arc::new(self.read_records(false)?);
        *lock(&self.current) = Some(Arc::clone(&snapshot));
        Ok(snapshot)
    }

    /// Every record from the store, and the summaries if asked; the caller holds `writing`, so
    /// the version read is the records'.
    fn read_records(&self, summaries: bool) -> Result<Snapshot, StoreError> {
        let version = self.store.data_version()?;
        let mut damaged = Vec::new();
        let mut snapshot = Snapshot::new(
            self.store.all_sound(&mut damaged)?,
            self.store.all_sound(&mut damaged)?,
            self.store.all_sound(&mut damaged)?,
        );
        snapshot.followups = Arc::new(self.store.all_sound(&mut damaged)?);
        snapshot.accounts = Arc::new(self.store.all_sound(&mut damaged)?);
        snapshot.damaged = Arc::new(damaged);
        let mut team: Vec<String> = self
            .store
            .all::<crate::domain::Member>()?
            .into_iter()
            .map(|m| m.name)
            .collect();
        team.sort_by_key(|n| n.to_lowercase());
        snapshot.team = Arc::new(team);
        snapshot.distinct = Arc::new(self.store.distinct_pairs()?);
        if summaries {
            snapshot.summaries = Some(Arc::new(summary::summaries(&self.store)?));
        }
        snapshot.version = version;
        snapshot.generation = self.next_generation();
        Ok(snapshot)
    }

    /// The snapshot with every customer's summary, computed once for all sessions.
    pub fn with_summaries(&self) -> Result<Arc<Snapshot>, StoreError> {
        let current = self.load()?;
        if current.summaries.is_some() {
            return Ok(current);
        }
        let _one_at_a_time = lock(&self.writing);
        let next = match self.peek() {
            Some(current) if current.summaries.is_some() => return Ok(current),
            // The records as they are, never an empty snapshot with summaries: a session takes
            // what it is given, and a snapshot without its deals moved every selection off them.
            Some(current) if current.version == self.store.data_version()? => {
                let mut next = Snapshot::clone(&current);
                next.summaries = Some(Arc::new(summary::summaries(&self.store)?));
                next.generation = self.next_generation();
                next
            }
            _ => self.read_records(true)?,
        };
        let next = Arc::new(next);
        *lock(&self.current) = Some(Arc::clone(&next));
        Ok(next)
    }

    /// The insights at the store's current data version, computed once for all sessions.
    pub fn insights(&self, fresh: bool) -> Result<Arc<InsightsView>, StoreError> {
        let mut cached = lock(&self.insights);
        let version = self.store.data_version()?;
        let young = |v: &InsightsView| {
            let age = chrono::Utc::now() - v.computed;
            age.to_std().is_ok_and(|age| age < INSIGHTS_KEPT)
        };
        if let Some(view) = cached
            .as_ref()
            .filter(|v| v.version() == version || (!fresh && young(v)))
        {
            return Ok(Arc::clone(view));
        }
        // Dropped first: at 100,000 customers the old engine is a large part of the process.
        *cached = None;
        let engine = Arc::new(Insights::cached(&self.store)?);
        let segments = Arc::new(
            engine
                .segments
                .rows
                .iter()
                .map(|r| (r.customer, r.segment))
                .collect(),
        );
        let view = Arc::new(InsightsView {
            computed: chrono::Utc::now(),
            data: revenue::read(&self.store)?,
            engine,
            segments,
        });
        *cached = Some(Arc::clone(&view));
        Ok(view)
    }

    /// The look-alike index at the store's current data version, and that version; made once
    /// for all sessions (those asking while it is made wait for it).
    pub fn look_alikes(&self) -> Result<(u64, Arc<LookAlikes>), StoreError> {
        let mut cached = lock(&self.look_alikes);
        let version = self.store.data_version()?;
        if let Some((v, index)) = cached.as_ref().filter(|(v, _)| *v == version) {
            return Ok((*v, Arc::clone(index)));
        }
        // The model is learned again only when the customers changed by a tenth: a few new ones
        // hardly move it, and learning it takes seconds at 100,000.
        let customers = self.store.all_sound(&mut Vec::new())?;
        let model = cached.take().and_then(|(_, old)| {
            let (was, now) = (old.len() as f64, customers.len() as f64);
            ((now - was).abs() <= was / 10.0).then(|| Arc::clone(old.model()))
        });
        let index = Arc::new(LookAlikes::with_model(&customers, model));
        *cached = Some((version, Arc::clone(&index)));
        Ok((version, index))
    }

    /// Waits for a write under way to finish (the process is about to stop).
    pub fn quiesce(&self) {
        drop(lock(&self.writing));
    }

    /// Calls `listener` with every new snapshot a write makes, until it returns false.
    pub fn subscribe(&self, listener: Listener) {
        lock(&self.listeners).push(listener);
    }

    /// Runs a write to the store as the one writer, then puts what it wrote into the snapshot and
    /// tells every session.
    pub fn write<E: From<StoreError>>(
        &self,
        run: impl FnOnce(&Store) -> Result<Write, E>,
    ) -> Result<Write, E> {
        let _one_writer = lock(&self.writing);
        let done = run(&self.store)?;
        let Some(before) = self.peek() else {
            return Ok(done);
        };
        let mut next = Snapshot::clone(&before);
        // Each record the write leaves (or takes away), and every customer whose summary it moves.
        let (put, gone): (Vec<&Record>, bool) = match &done {
            Write::Delete { record, .. } => (vec![record], true),
            other => (other.results(), false),
        };
        let mut touched: HashSet<CustomerId> = put.iter().filter_map(|r| owner(r)).collect();
        match &done {
            Write::Update { old, .. } => touched.extend(owner(old)),
            Write::Batch(pairs) => touched.extend(pairs.iter().filter_map(|(old, _)| owner(old))),
            _ => {}
        }
        let keys: HashSet<(Kind, u64)> = put.iter().filter_map(|r| finder_key(r)).collect();
        let mut parts = Parts::default();
        for record in put {
            next.patch(record, gone, &mut parts);
        }
        next.reorder(&parts);
        if let Some(mut summaries) = next.summaries.take() {
            // Only the shards of the touched customers are copied.
            let map = Arc::make_mut(&mut summaries);
            for id in touched {
                // As the full pass leaves them: no entry for a customer with no history.
                let summary = match next.position(id).is_ok() {
                    true => Summary::read(&self.store, id)?,
                    false => Summary::default(),
                };
                match summary == Summary::default() {
                    true => map.remove(&id),
                    false => map.insert(id, summary),
                }
            }
            next.summaries = Some(summaries);
        }
        next.finder = Arc::default();
        next.deal_reports = Arc::default();
        if let Some(entries) = next.finder_after(&before, &keys) {
            let _ = next.finder.set(Arc::new(entries));
        }
        // Customers untouched, the contacts are the same: one index for both snapshots.
        if keys.iter().any(|(kind, _)| *kind == Kind::Customer) {
            next.contacts = Arc::default();
            if let Some(entries) = next.contacts_after(&before, &keys) {
                let _ = next.contacts.set(Arc::new(entries));
            }
        }
        next.version = self.store.data_version()?;
        self.publish(next);
        Ok(done)
    }

    /// After customers were marked as two people (or no longer): the records are the same, the
    /// marks are read again, and every session hears of them.
    pub fn marks_changed(&self) -> Result<(), StoreError> {
        let _one_writer = lock(&self.writing);
        let Some(before) = self.peek() else {
            return Ok(());
        };
        let mut next = Snapshot::clone(&before);
        next.distinct = Arc::new(self.store.distinct_pairs()?);
        self.publish(next);
        Ok(())
    }

    /// Reads the records again if the store holds writes the model has not taken in (a command
    /// that failed part-way); otherwise nothing: a write through `Ops` is in already.
    pub fn catch_up(&self) -> Result<(), StoreError> {
        match self.peek() {
            Some(current) if current.version != self.store.data_version()? => self.changed(),
            _ => Ok(()),
        }
    }

    /// After a change the model cannot patch (a delete by reference, a purge, a note): the records
    /// are read again and every session hears of them. The current snapshot stays until the new one
    /// replaces it: concurrent writers never leave a moment with none.
    pub fn changed(&self) -> Result<(), StoreError> {
        let Some(before) = self.peek() else {
            return Ok(());
        };
        let next = {
            let _one_writer = lock(&self.writing);
            let next = Arc::new(self.read_records(before.summaries.is_some())?);
            *lock(&self.current) = Some(Arc::clone(&next));
            next
        };
        self.tell(&next);
        Ok(())
    }

    fn publish(&self, mut next: Snapshot) {
        next.generation = self.next_generation();
        let next = Arc::new(next);
        *lock(&self.current) = Some(Arc::clone(&next));
        self.tell(&next);
    }

    fn tell(&self, snapshot: &Arc<Snapshot>) {
        lock(&self.listeners).retain(|listener| listener(snapshot));
    }
}

/// A record's key in the quick-lookup index (notes and follow-ups have none).
fn finder_key(record: &Record) -> Option<(Kind, u64)> {
    match record {
        Record::Customer(c) => Some((Kind::Customer, c.id.0)),
        Record::Deal(d) => Some((Kind::Deal, d.id.0)),
        Record::Ticket(t) => Some((Kind::Ticket, t.id.0)),
        Record::Account(a) => Some((Kind::Account, a.id.0)),
        Record::Note(_) | Record::Followup(_) => None,
    }
}

/// The customer a record belongs to (a customer, their own); an account has none.
fn owner(record: &Record) -> Option<CustomerId> {
    match record {
        Record::Customer(c) => Some(c.id),
        Record::Deal(d) => Some(d.customer),
        Record::Ticket(t) => Some(t.customer),
        Record::Note(n) => Some(n.customer),
        Record::Followup(f) => Some(f.customer),
        Record::Account(_) => None,
    }
}
