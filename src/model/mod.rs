//! The read model: what the sessions of one process show, read once and shared behind `Arc`s:
//! customer rows, deals, tickets, each customer's summary, the quick-lookup index and the insights.
//! A session keeps only its own view of it (pane, selection, filter, forms, undo). A write made
//! through `Ops` patches the model, and every session hears of the new snapshot.

pub mod deal_page;
pub mod order;
pub mod pipeline;
pub mod revenue;
pub mod summary;
pub mod today;

use crate::clean::lookalike::LookAlikes;
use crate::domain::change::{Record, Write};
use crate::domain::{Customer, CustomerId, Deal, Followup, Ticket};
use crate::insights::{Insights, Segment};
use crate::search::{Entry, Index, Kind, Part};
use crate::store::{Store, StoreError};
pub use deal_page::DealPage;
use revenue::InsightsData;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
pub use summary::{CustomerPage, Summaries, Summary, TimelineItem};

/// A customer as the table shows and filters them: name, company, email, country, phone and
/// owner in one allocation. A hundred thousand of these are a large part of a server's memory; the rest of a
/// customer is read when a rep opens, edits or deletes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerRow {
    id: CustomerId,
    text: Box<str>,
    /// Where each part but the last (the owner) ends in `text`.
    ends: [u32; 5],
}

impl CustomerRow {
    pub fn new(customer: &Customer) -> CustomerRow {
        let parts = [
            customer.name.as_str(),
            customer.company.as_deref().unwrap_or(""),
            customer.email.as_deref().unwrap_or(""),
            customer.country.as_deref().unwrap_or(""),
            customer.phone.as_deref().unwrap_or(""),
            customer.owner.as_deref().unwrap_or(""),
        ];
        let mut ends = [0u32; 5];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        for (i, part) in parts.iter().enumerate() {
            text.push_str(part);
            if let Some(end) = ends.get_mut(i) {
                // Fields are bounded far below 4 GiB (the import's field limit).
                *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
            }
        }
        CustomerRow {
            id: customer.id,
            text: text.into_boxed_str(),
            ends,
        }
    }

    fn part(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).map_or(self.text.len(), |&e| e as usize);
        &self.text[start..end]
    }

    pub fn id(&self) -> CustomerId {
        self.id
    }

    pub fn name(&self) -> &str {
        self.part(0)
    }

    pub fn company(&self) -> &str {
        self.part(1)
    }

    pub fn email(&self) -> &str {
        self.part(2)
    }

    pub fn country(&self) -> &str {
        self.part(3)
    }

    pub fn phone(&self) -> &str {
        self.part(4)
    }

    pub fn owner(&self) -> Option<&str> {
        Some(self.part(5)).filter(|o| !o.is_empty())
    }

    /// Whether every (lower-case) word is in the name, company or email, in any case. Nothing is
    /// kept for it: a lower-cased copy of every row would be a tenth of the app's memory.
    pub fn matches(&self, words: &[String]) -> bool {
        words.iter().all(|w| {
            contains_folded(self.name(), w)
                || contains_folded(self.company(), w)
                || contains_folded(self.email(), w)
        })
    }
}

/// Whether `text` holds `lower` (already lower case), ignoring case; allocates only for text that
/// is not ASCII.
fn contains_folded(text: &str, lower: &str) -> bool {
    if !text.is_ascii() || !lower.is_ascii() {
        return text.to_lowercase().contains(lower);
    }
    let (text, lower) = (text.as_bytes(), lower.as_bytes());
    lower.is_empty()
        || text.windows(lower.len()).any(|w| {
            w.iter()
                .zip(lower)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
        })
}

/// The records at one moment. Cheap to clone: each part is shared, and a write replaces only the
/// parts it touches.
#[derive(Clone, Default)]
pub struct Snapshot {
    /// Grows with every snapshot the model makes, so a session can tell newer from older.
    pub generation: u64,
    /// The store's data version the records are at.
    pub version: u64,
    /// By id, as the store keeps them (a new customer's id is the highest).
    pub customers: Arc<Vec<CustomerRow>>,
    /// The orders every session starts from (see `order`), as positions in the records.
    pub by_name: Arc<Vec<usize>>,
    pub deals: Arc<Vec<Deal>>,
    pub pipeline: Arc<Vec<Vec<usize>>>,
    pub deals_by_close: Arc<Vec<usize>>,
    pub tickets: Arc<Vec<Ticket>>,
    pub queue: Arc<Vec<usize>>,
    /// Every follow-up, open and done, by id.
    pub followups: Arc<Vec<Followup>>,
    /// None until computed (it reads every order).
    pub summaries: Option<Arc<Summaries>>,
    /// Records that could not be read, each named.
    pub damaged: Arc<Vec<String>>,
    /// Only the first screen of customers, read before the rest.
    pub partial: bool,
    /// The team's names, by name: who can own a record (empty without a team).
    pub team: Arc<Vec<String>>,
    /// Pairs of customers marked as two people, smaller id first: a session's duplicates list
    /// drops a pair another session marked.
    pub distinct: Arc<HashSet<(CustomerId, CustomerId)>>,
    finder: Arc<OnceLock<Arc<Index>>>,
    contacts: Arc<OnceLock<Arc<Index>>>,
    deal_reports: Arc<OnceLock<Arc<Vec<pipeline::Pipeline>>>>,
}

impl Snapshot {
    /// The records at one moment, from these records: how a pane is given records to test on.
    pub fn new(customers: Vec<Customer>, deals: Vec<Deal>, tickets: Vec<Ticket>) -> Snapshot {
        let mut snapshot = Snapshot {
            customers: Arc::new(customers.iter().map(CustomerRow::new).collect()),
            deals: Arc::new(deals),
            tickets: Arc::new(tickets),
            ..Snapshot::default()
        };
        snapshot.reorder(&Parts::ALL);
        snapshot
    }

    /// The shared orders of the parts a change touched.
    fn reorder(&mut self, parts: &Parts) {
        if parts.customers {
            self.by_name = Arc::new(order::by_name(&self.customers));
        }
        if parts.deals {
            self.pipeline = Arc::new(order::pipeline(&self.deals));
            self.deals_by_close = Arc::new(order::by_close(&self.deals));
        }
        if parts.tickets {
            self.queue = Arc::new(order::queue(&self.tickets));
        }
    }

    /// Where a customer is (or would go) in `customers`, which is in id order.
    fn position(&self, id: CustomerId) -> Result<usize, usize> {
        self.customers.binary_search_by_key(&id, |r| r.id())
    }

    pub fn customer(&self, id: CustomerId) -> Option<&CustomerRow> {
        self.position(id).ok().map(|i| &self.customers[i])
    }

    pub fn customer_name(&self, id: CustomerId) -> Option<&str> {
        self.customer(id).map(CustomerRow::name)
    }

    /// A customer as a rep names them in a form: an id, `Name #id` (how the forms show one), an
    /// email, or a name only one customer has. Why not, when not: several share the name, or no one.
    pub fn find_customer(&self, text: &str) -> Result<CustomerId, String> {
        let text = text.trim();
        let by_id = |id: &str| {
            id.trim()
                .parse::<u64>()
                .ok()
                .and_then(|id| self.customer(CustomerId(id)))
                .map(CustomerRow::id)
        };
        if let Some(id) =
            by_id(text).or_else(|| text.rsplit_once('#').and_then(|(_, id)| by_id(id)))
        {
            return Ok(id);
        }
        let wanted = crate::domain::normalise_email(text);
        if wanted.contains('@')
            && let Some(r) = self
                .customers
                .iter()
                .find(|r| crate::domain::normalise_email(r.email()) == wanted)
        {
            return Ok(r.id());
        }
        let named: Vec<&CustomerRow> = self
            .customers
            .iter()
            .filter(|r| r.name().eq_ignore_ascii_case(text))
            .collect();
        match named.as_slice() {
            [one] => Ok(one.id()),
            [] => Err(format!("no customer with name, id or email '{text}'")),
            many => {
                let ids: Vec<String> = many
                    .iter()
                    .take(4)
                    .map(|r| format!("#{}", r.id()))
                    .collect();
                Err(format!(
                    "{} customers are called '{text}': add the id ({}{}) or use the email",
                    many.len(),
                    ids.join(", "),
                    if many.len() > 4 { ", …" } else { "" }
                ))
            }
        }
    }

    /// How a form shows a customer: their name and id, which `find_customer` reads back.
    pub fn customer_label(&self, id: CustomerId) -> String {
        match self.customer_name(id) {
            Some(name) => format!("{name} #{id}"),
            None => id.to_string(),
        }
    }

    /// The quick-lookup index, built by the first caller (a worker, never the screen) and shared.
    pub fn finder(&self) -> Arc<Index> {
        Arc::clone(self.finder.get_or_init(|| Arc::new(self.finder_index())))
    }

    /// The index if it is built already.
    pub fn finder_ready(&self) -> Option<Arc<Index>> {
        self.finder.get().cloned()
    }

    /// The pipeline report for everyone, then by owner: worked out once a snapshot, when first
    /// drawn, not once a frame.
    pub fn deal_reports(&self, now: crate::domain::Timestamp) -> Arc<Vec<pipeline::Pipeline>> {
        Arc::clone(self.deal_reports.get_or_init(|| {
            let mut reports = vec![pipeline::report("everyone", self.deals.iter(), now)];
            reports.extend(pipeline::by_owner(&self.deals, now));
            Arc::new(reports)
        }))
    }

    pub fn contacts_ready(&self) -> Option<Arc<Index>> {
        self.contacts.get().cloned()
    }

    /// Customers, deals and tickets: one part each.
    fn finder_index(&self) -> Index {
        Index::of_parts(vec![
            self.customers
                .iter()
                .map(|r| self.customer_entry(r))
                .collect(),
            self.deals.iter().map(|d| self.deal_entry(d)).collect(),
            self.tickets.iter().map(|t| self.ticket_entry(t)).collect(),
        ])
    }

    fn customer_entry(&self, r: &CustomerRow) -> Entry {
        let text = match r.company() {
            "" => r.name().to_string(),
            company => format!("{} — {company}", r.name()),
        };
        Entry::new(Kind::Customer, r.id().0, text)
    }

    /// Quick lookup's second index: each customer by email and phone, for a caller on the line
    /// or an email in the inbox. Apart from the names, so that typing a name costs what it did
    /// (with them in one index, name queries took twice as long at 100,000 customers).
    pub fn contacts(&self) -> Arc<Index> {
        Arc::clone(self.contacts.get_or_init(|| {
            let entries: Vec<Entry> = self.customers.iter().filter_map(contact_entry).collect();
            Arc::new(entries.into())
        }))
    }

    /// This snapshot's contacts index from `before`'s, if that one was built: only the customers
    /// a write touched are made again (a rebuild is a hundred thousand entries, and every quick
    /// lookup after any write of a team asked for one).
    fn contacts_after(&self, before: &Snapshot, touched: &HashSet<(Kind, u64)>) -> Option<Index> {
        let old = before.contacts_ready()?;
        let mut kept = old.iter().peekable();
        let mut out = Vec::with_capacity(old.len() + 1);
        for r in self.customers.iter() {
            let id = r.id().0;
            // Entries are in customer-id order, as the customers are.
            while kept.next_if(|e| e.id < id).is_some() {}
            let had = kept.next_if(|e| e.id == id);
            match touched.contains(&(Kind::Customer, id)) {
                true => out.extend(contact_entry(r)),
                false => out.extend(had.cloned()),
            }
        }
        Some(out.into())
    }

    fn deal_entry(&self, d: &Deal) -> Entry {
        let name = self.customer_name(d.customer).unwrap_or("?");
        Entry::new(Kind::Deal, d.id.0, format!("{} · {name}", d.title))
    }

    fn ticket_entry(&self, t: &Ticket) -> Entry {
        let name = self.customer_name(t.customer).unwrap_or("?");
        let text = format!("#{} {} · {name}", t.id, t.subject);
        Entry::new(Kind::Ticket, t.id.0, text)
    }

    /// This snapshot's quick-lookup index made from `before`'s, if that one was built: entries of
    /// the records a write left alone are shared, and only the touched ones are made again. (At
    /// 100,000 customers a rebuild after every write of a team was a tenth of a server's time.)
    fn finder_after(&self, before: &Snapshot, touched: &HashSet<(Kind, u64)>) -> Option<Index> {
        let old = before.finder_ready()?;
        let mut touched = touched.clone();
        // A renamed customer's deals and tickets read with the new name.
        let renamed: HashSet<CustomerId> = touched
            .iter()
            .filter(|(kind, _)| *kind == Kind::Customer)
            .map(|&(_, id)| CustomerId(id))
            .filter(|&id| before.customer_name(id) != self.customer_name(id))
            .collect();
        if !renamed.is_empty() {
            let deals = self.deals.iter().filter(|d| renamed.contains(&d.customer));
            touched.extend(deals.map(|d| (Kind::Deal, d.id.0)));
            let tickets = self
                .tickets
                .iter()
                .filter(|t| renamed.contains(&t.customer));
            touched.extend(tickets.map(|t| (Kind::Ticket, t.id.0)));
        }
        // Records keep their order within a kind across a patch, so the untouched entries are
        // where they were; any surprise, and the index is built afresh instead.
        let [customers, deals, tickets] = old.parts() else {
            return None;
        };
        let touched = &touched;
        let is = |kind: Kind| move |id: u64| touched.contains(&(kind, id));
        let ids: Vec<u64> = self.customers.iter().map(|r| r.id().0).collect();
        let customers = Part::after(customers, &ids, is(Kind::Customer), |i| {
            self.customer_entry(&self.customers[i])
        })?;
        let ids: Vec<u64> = self.deals.iter().map(|d| d.id.0).collect();
        let deals = Part::after(deals, &ids, is(Kind::Deal), |i| {
            self.deal_entry(&self.deals[i])
        })?;
        let ids: Vec<u64> = self.tickets.iter().map(|t| t.id.0).collect();
        let tickets = Part::after(tickets, &ids, is(Kind::Ticket), |i| {
            self.ticket_entry(&self.tickets[i])
        })?;
        Some(Index::of_parts(vec![customers, deals, tickets]))
    }

    /// This snapshot with one record put in (or taken out, with `gone`); `reorder` follows.
    fn patch(&mut self, record: &Record, gone: bool, parts: &mut Parts) {
        match record {
            Record::Customer(_) => parts.customers = true,
            Record::Deal(_) => parts.deals = true,
            Record::Ticket(_) => parts.tickets = true,
            Record::Note(_) | Record::Followup(_) => {}
        }
        match record {
            Record::Customer(c) => {
                let at = self.position(c.id);
                let customers = Arc::make_mut(&mut self.customers);
                match (at, gone) {
                    (Ok(i), false) => customers[i] = CustomerRow::new(c),
                    (Err(i), false) => customers.insert(i, CustomerRow::new(c)),
                    (Ok(i), true) => drop(customers.remove(i)),
                    (Err(_), true) => {}
                }
            }
            Record::Deal(d) => {
                let deals = Arc::make_mut(&mut self.deals);
                deals.retain(|x| x.id != d.id || !gone);
                match deals.iter_mut().find(|x| x.id == d.id) {
                    Some(x) => *x = d.clone(),
                    None if !gone => deals.push(d.clone()),
                    None => {}
                }
            }
            Record::Ticket(t) => {
                let tickets = Arc::make_mut(&mut self.tickets);
                tickets.retain(|x| x.id != t.id || !gone);
                match tickets.iter_mut().find(|x| x.id == t.id) {
                    Some(x) => *x = t.clone(),
                    None if !gone => tickets.push(t.clone()),
                    None => {}
                }
            }
            Record::Followup(f) => {
                let all = Arc::make_mut(&mut self.followups);
                match (all.binary_search_by_key(&f.id, |x| x.id), gone) {
                    (Ok(i), false) => all[i] = f.clone(),
                    (Err(i), false) => all.insert(i, f.clone()),
                    (Ok(i), true) => drop(all.remove(i)),
                    (Err(_), true) => {}
                }
            }
            Record::Note(_) => {}
        }
    }
}

/// Which kinds of record a change touched.
#[derive(Default)]
struct Parts {
    customers: bool,
    deals: bool,
    tickets: bool,
}

impl Parts {
    const ALL: Parts = Parts {
        customers: true,
        deals: true,
        tickets: true,
    };
}

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
        let mut touched: HashSet<CustomerId> = put.iter().map(|r| owner(r)).collect();
        match &done {
            Write::Update { old, .. } => drop(touched.insert(owner(old))),
            Write::Batch(pairs) => touched.extend(pairs.iter().map(|(old, _)| owner(old))),
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

/// A customer's entry in the contacts index: name, email and phone; none without either. A
/// phone stored as a national number also carries its international form, so a caller's
/// "+44 7700 900123" finds "07700 900123".
fn contact_entry(r: &CustomerRow) -> Option<Entry> {
    let international = international(r.phone(), r.country());
    let parts: Vec<&str> = [r.email(), r.phone()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| {
        let mut text = format!("{} · {}", r.name(), parts.join(" · "));
        if let Some(e164) = international {
            text.push_str(&format!(" ({e164})"));
        }
        Entry::new(Kind::Customer, r.id().0, text)
    })
}

/// The E.164 form of a phone written without its country code, read in the customer's country
/// (else the configured `phone_region`); None when it is written internationally already or
/// cannot be read.
fn international(phone: &str, country: &str) -> Option<String> {
    let written = phone.trim_start();
    if written.is_empty() || written.starts_with('+') || written.starts_with("00") {
        return None;
    }
    let region = crate::clean::normal::phone_region(Some(country).filter(|c| !c.is_empty()))?;
    // Read, not checked against the plan: "07700 900123" is a number set aside for drama, and
    // still the one the caller reads out.
    crate::clean::normal::phone_key(phone, Some(region)).filter(|k| k.starts_with('+'))
}

/// A record's key in the quick-lookup index (notes and follow-ups have none).
fn finder_key(record: &Record) -> Option<(Kind, u64)> {
    match record {
        Record::Customer(c) => Some((Kind::Customer, c.id.0)),
        Record::Deal(d) => Some((Kind::Deal, d.id.0)),
        Record::Ticket(t) => Some((Kind::Ticket, t.id.0)),
        Record::Note(_) | Record::Followup(_) => None,
    }
}

/// The customer a record belongs to (a customer, their own).
fn owner(record: &Record) -> CustomerId {
    match record {
        Record::Customer(c) => c.id,
        Record::Deal(d) => d.customer,
        Record::Ticket(t) => t.customer,
        Record::Note(n) => n.customer,
        Record::Followup(f) => f.customer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DealStage, TicketStatus};
    use crate::ops::{Actor, Ops};
    use rand::{Rng, SeedableRng};

    /// What a snapshot shows, by id and in each shared order, to compare two of them.
    fn shown(s: &Snapshot) -> Vec<String> {
        let mut out = vec![format!("{} customers", s.customers.len())];
        out.extend(s.by_name.iter().map(|&i| format!("{:?}", s.customers[i])));
        for column in s.pipeline.iter() {
            out.push(format!(
                "{:?}",
                column.iter().map(|&i| &s.deals[i]).collect::<Vec<_>>()
            ));
        }
        out.extend(
            s.deals_by_close
                .iter()
                .map(|&i| format!("{:?}", s.deals[i])),
        );
        out.extend(s.queue.iter().map(|&i| format!("{:?}", s.tickets[i])));
        out.extend(s.followups.iter().map(|f| format!("{f:?}")));
        let mut summaries: Vec<_> = s.summaries.as_deref().unwrap().iter().collect();
        summaries.sort_by_key(|(id, _)| **id);
        out.extend(summaries.iter().map(|(id, v)| format!("{id} {v:?}")));
        out
    }

    #[test]
    fn an_unchanged_database_answers_insights_from_memory() {
        let (_dir, store) = crate::demo::test_store(150, 3);
        let model = ReadModel::new(store.clone());
        let first = model.insights(false).unwrap();
        let second = model.insights(true).unwrap();
        assert!(Arc::ptr_eq(&first, &second), "no write, no recompute");
        store
            .create(Customer::new("New Person", chrono::Utc::now()))
            .unwrap();
        let kept = model.insights(false).unwrap();
        assert!(
            Arc::ptr_eq(&first, &kept),
            "young insights serve after a write"
        );
        let third = model.insights(true).unwrap();
        assert!(
            !Arc::ptr_eq(&first, &third),
            "asked fresh, a write makes them stale"
        );
        assert_eq!(third.version(), store.data_version().unwrap());
    }

    /// Two writers through the control socket at once, each asking for a reload: every snapshot
    /// a session hears of holds every record (an empty one took every selection off its deals).
    #[test]
    fn concurrent_reloads_never_publish_a_snapshot_without_the_records() {
        let (_dir, store) = crate::demo::test_store(60, 5);
        let model = ReadModel::new(store.clone());
        model.with_summaries().unwrap();
        let deals = model.peek().unwrap().deals.len();
        assert!(deals > 0);
        let bad = Arc::new(AtomicU64::new(0));
        let told = Arc::new(AtomicU64::new(0));
        let (b, t) = (Arc::clone(&bad), Arc::clone(&told));
        model.subscribe(Box::new(move |s| {
            t.fetch_add(1, Ordering::Relaxed);
            if s.deals.len() != deals
                || s.pipeline.len() != crate::domain::DealStage::ALL.len()
                || s.summaries.is_none()
            {
                b.fetch_add(1, Ordering::Relaxed);
            }
            true
        }));
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let (model, store) = (Arc::clone(&model), store.clone());
                std::thread::spawn(move || {
                    for i in 0..25 {
                        let text = format!("note {w}/{i}");
                        let note = crate::domain::Note::new(
                            CustomerId(1 + i % 10),
                            crate::domain::NoteKind::Note,
                            &text,
                            chrono::Utc::now(),
                        );
                        store.create(note).unwrap();
                        model.changed().unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(told.load(Ordering::Relaxed), 75, "one new snapshot a write");
        assert_eq!(bad.load(Ordering::Relaxed), 0, "snapshots missing records");
        let last = model.peek().unwrap();
        assert_eq!(last.version, store.data_version().unwrap());
        assert!(last.summaries.is_some());
    }

    #[test]
    fn sessions_share_one_look_alike_index_a_version() {
        let (_dir, store) = crate::demo::test_store(150, 3);
        let model = ReadModel::new(store.clone());
        let (v1, first) = model.look_alikes().unwrap();
        let (_, second) = model.look_alikes().unwrap();
        assert!(Arc::ptr_eq(&first, &second), "made once for the version");
        assert_eq!(first.len(), 150);
        let mut c = Customer::new("Ada Newcomer", chrono::Utc::now());
        c.phone = Some("+44 20 7946 0111".into());
        store.create(c.clone()).unwrap();
        let (v2, third) = model.look_alikes().unwrap();
        assert!(v2 > v1 && !Arc::ptr_eq(&first, &third));
        c.id = CustomerId(0);
        let found = third.of(&c).expect("the new customer is in the new index");
        assert_eq!(found.name, "Ada Newcomer");
    }

    #[test]
    fn the_filter_ignores_case_in_any_script() {
        let mut c = Customer::new("Zoë O'Brien", chrono::Utc::now());
        c.company = Some("Oakridge CAFÉ".into());
        c.email = Some("Zoe.OBrien@Example.com".into());
        let row = CustomerRow::new(&c);
        assert_eq!(
            [row.name(), row.company(), row.email(), row.country()],
            ["Zoë O'Brien", "Oakridge CAFÉ", "Zoe.OBrien@Example.com", ""]
        );
        let yes =
            |words: &[&str]| row.matches(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>());
        assert!(yes(&["zoë", "café"]));
        assert!(yes(&["obrien@ex"]));
        assert!(yes(&["o'b", "oak"]));
        assert!(yes(&[]));
        assert!(!yes(&["zoe", "tea"]));
        assert!(!yes(&["café "]));
    }

    /// A snapshot patched by many random writes is the snapshot a fresh read gives.
    #[test]
    fn a_patched_snapshot_is_what_a_fresh_read_gives() {
        let (_dir, store) = crate::demo::test_store(80, 9);
        let model = ReadModel::new(store.clone());
        let ops = Ops::shared(Arc::clone(&model), Actor::named("t"));
        model.with_summaries().unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        // The store keeps milliseconds.
        let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 3);
        model.peek().unwrap().finder();
        model.peek().unwrap().contacts();
        for round in 0..60 {
            let s = model.peek().unwrap();
            assert!(
                s.finder_ready().is_some() && s.contacts_ready().is_some(),
                "each write patches the lookup indexes it found built"
            );
            let write = match rng.random_range(0..8) {
                0 => Write::Create(Record::Customer(Customer::new(format!("New {round}"), now))),
                1 => {
                    let id = s.customers[rng.random_range(0..s.customers.len())].id();
                    let old: Customer = store.get(id.0).unwrap().unwrap();
                    let mut new = old.clone();
                    new.name = format!("Aaron {round}");
                    Write::Update {
                        old: Record::Customer(old),
                        new: Record::Customer(new),
                    }
                }
                2 => {
                    let old = s.deals[rng.random_range(0..s.deals.len())].clone();
                    let mut new = old.clone();
                    new.move_to(
                        DealStage::ALL[rng.random_range(0..DealStage::ALL.len())],
                        None,
                        now,
                    );
                    Write::Update {
                        old: Record::Deal(old),
                        new: Record::Deal(new),
                    }
                }
                3 => {
                    let t = s.tickets[rng.random_range(0..s.tickets.len())].clone();
                    Write::Delete {
                        record: Record::Ticket(t),
                        notes: Vec::new(),
                    }
                }
                4 => {
                    let customer = s.customers[rng.random_range(0..s.customers.len())].id();
                    let mut t = Ticket::new(format!("Help {round}"), customer, now);
                    t.status = TicketStatus::Open;
                    Write::Create(Record::Ticket(t))
                }
                5 | 6 if s.followups.is_empty() || rng.random_bool(0.5) => {
                    let customer = s.customers[rng.random_range(0..s.customers.len())].id();
                    let due = now + chrono::Duration::hours(rng.random_range(-48..96));
                    Write::Create(Record::Followup(Followup::new(
                        customer,
                        format!("Call {round}"),
                        due,
                        now,
                    )))
                }
                5 | 6 => {
                    let old = s.followups[rng.random_range(0..s.followups.len())].clone();
                    let mut new = old.clone();
                    match old.is_open() {
                        true => new.complete(Some(format!("spoke {round}")), now),
                        false => new.snooze(now),
                    }
                    Write::Update {
                        old: Record::Followup(old),
                        new: Record::Followup(new),
                    }
                }
                _ => Write::Batch(
                    s.tickets
                        .iter()
                        .take(3)
                        .map(|t| {
                            let mut new = t.clone();
                            new.status = TicketStatus::Closed;
                            (Record::Ticket(t.clone()), Record::Ticket(new))
                        })
                        .collect(),
                ),
            };
            let customers = matches!(
                &write,
                Write::Create(Record::Customer(_))
                    | Write::Update {
                        new: Record::Customer(_),
                        ..
                    }
            );
            let contacts = s.contacts_ready().unwrap();
            ops.apply(write).unwrap();
            let after = model.peek().unwrap().contacts_ready().unwrap();
            assert_eq!(
                Arc::ptr_eq(&contacts, &after),
                !customers,
                "a write that leaves the customers alone shares their contacts index"
            );
        }
        let patched = model.peek().unwrap();
        let fresh = ReadModel::new(store).with_summaries().unwrap();
        assert_eq!(patched.version, fresh.version);
        assert!(
            *patched.finder_ready().unwrap() == fresh.finder_index(),
            "the patched lookup index is the one a fresh read builds"
        );
        assert!(
            *patched.contacts_ready().unwrap() == *fresh.contacts(),
            "the patched contacts index is the one a fresh read builds"
        );
        let (patched, fresh) = (shown(&patched), shown(&fresh));
        if let Some(i) =
            (0..patched.len().max(fresh.len())).find(|&i| patched.get(i) != fresh.get(i))
        {
            panic!(
                "line {i}: patched {:?}\nfresh {:?}",
                patched.get(i),
                fresh.get(i)
            );
        }
    }
}
