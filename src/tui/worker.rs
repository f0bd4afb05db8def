//! Store work off the UI thread: loads, saves and computations run here and come back as events, so
//! the screen never waits on the disk. Tests run the same jobs inline, in order, with no sleeps.

use crate::domain::{
    Customer, CustomerId, Deal, Money, Order, OrderKind, Product, ProductId, Ticket, Timestamp,
};
use crate::insights::{Cache, Insights};
use crate::ops::Ops;
pub use crate::ops::{Record, Write};
use crate::store::{Store, StoreError};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

#[allow(clippy::large_enum_variant)] // one per user action: boxing would buy nothing
pub enum Job {
    /// Every customer, deal and ticket, for the panes (the first screen comes from the name index).
    Load,
    Summaries,
    Insights,
    Write(Write),
}

/// The panes' records, read in the background after the first frame.
pub struct Loaded {
    pub customers: Vec<Customer>,
    pub deals: Vec<Deal>,
    pub tickets: Vec<Ticket>,
    /// Records that could not be read, each named.
    pub damaged: Vec<String>,
}

impl Loaded {
    pub fn read(store: &Store) -> Result<Loaded, StoreError> {
        let mut damaged = Vec::new();
        Ok(Loaded {
            customers: store.all_sound(&mut damaged)?,
            deals: store.all_sound(&mut damaged)?,
            tickets: store.all_sound(&mut damaged)?,
            damaged,
        })
    }
}

/// What a customer's history adds up to, for the customers table.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub last_order: Option<Timestamp>,
    pub lifetime_value: Money,
    pub orders: u32,
    pub open_deals: u32,
    pub open_tickets: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InsightsData {
    /// Revenue per week, oldest first, ending with the week of the newest order.
    pub weekly_revenue: Vec<(chrono::NaiveDate, Money)>,
    pub top_products: Vec<(String, Money, u32)>,
    pub customers_with_orders: usize,
    pub revenue: Money,
}

#[allow(clippy::large_enum_variant)] // one per user action: boxing would buy nothing
pub enum Done {
    Loaded(Box<Loaded>),
    Summaries(HashMap<CustomerId, Summary>),
    Insights(InsightsData, Arc<Insights>),
    Written(Write),
    /// A write the store refused; `field` names the form field to blame, when there is one.
    WriteFailed {
        write: Write,
        message: String,
        field: Option<&'static str>,
    },
    Failed(String),
}

pub enum Worker {
    Thread(Sender<Job>),
    /// Runs each job as it is sent and keeps the results for the app to collect.
    Inline(Ops, Cache, VecDeque<Done>),
}

impl Worker {
    /// Starts the worker thread; results arrive on `done` wrapped by `wrap`.
    pub fn spawn<E: Send + 'static>(ops: Ops, done: Sender<E>, wrap: fn(Done) -> E) -> Worker {
        let (tx, rx): (Sender<Job>, Receiver<Job>) = channel();
        std::thread::Builder::new()
            .name("rapport-worker".into())
            .spawn(move || {
                let cache = Cache::default();
                for job in rx {
                    if done.send(wrap(run(&ops, &cache, job))).is_err() {
                        break;
                    }
                }
            })
            .expect("the worker thread starts");
        Worker::Thread(tx)
    }

    pub fn inline(ops: Ops) -> Worker {
        Worker::Inline(ops, Cache::default(), VecDeque::new())
    }

    pub fn send(&mut self, job: Job) {
        match self {
            Worker::Thread(tx) => {
                // The worker only stops when the app does.
                let _ = tx.send(job);
            }
            Worker::Inline(ops, cache, out) => out.push_back(run(ops, cache, job)),
        }
    }

    /// Results of inline jobs, for the app to handle as if they had arrived as events.
    pub fn take_inline(&mut self) -> Option<Done> {
        match self {
            Worker::Inline(_, _, out) => out.pop_front(),
            Worker::Thread(_) => None,
        }
    }
}

fn run(ops: &Ops, cache: &Cache, job: Job) -> Done {
    let started = std::time::Instant::now();
    let done = run_job(ops, cache, job);
    // The big jobs allocate hundreds of MB for a moment; hand it back rather than keep it resident.
    crate::memory::give_back();
    let took = started.elapsed();
    match &done {
        Done::Loaded(l) => tracing::info!(customers = l.customers.len(), ?took, "loaded"),
        Done::Summaries(s) => tracing::info!(customers = s.len(), ?took, "summaries"),
        Done::Insights(_, engine) => tracing::info!(?took, version = engine.version, "insights"),
        Done::Written(w) => {
            tracing::info!(?took, by = %ops.actor(), "wrote {}", w.record().reference())
        }
        // The message can quote what was typed (an email, a name): the log keeps no personal data.
        Done::WriteFailed { .. } => tracing::warn!(?took, "write refused"),
        Done::Failed(message) => tracing::error!(?took, "job failed: {message}"),
    }
    done
}

fn run_job(ops: &Ops, cache: &Cache, job: Job) -> Done {
    let store = ops.store();
    let result = match job {
        Job::Load => Loaded::read(store).map(|l| Done::Loaded(Box::new(l))),
        Job::Summaries => summaries(store).map(Done::Summaries),
        Job::Insights => cache
            .get(store)
            .and_then(|engine| Ok(Done::Insights(insights(store)?, engine))),
        Job::Write(write) => {
            return match ops.apply(write.clone()) {
                Ok(done) => Done::Written(done),
                Err(e) => Done::WriteFailed {
                    field: blame(&e),
                    message: e.to_string(),
                    write,
                },
            };
        }
    };
    result.unwrap_or_else(|e| Done::Failed(e.to_string()))
}

/// The form field a refusal is about.
fn blame(error: &StoreError) -> Option<&'static str> {
    match error {
        StoreError::Invalid { cause, .. } => Some(cause.field),
        StoreError::Duplicate { field, .. } => Some(field),
        StoreError::UnknownCustomer { .. } => Some("customer"),
        _ => None,
    }
}

pub fn summaries(store: &Store) -> Result<HashMap<CustomerId, Summary>, StoreError> {
    let mut out: HashMap<CustomerId, Summary> = HashMap::new();
    for order in store.iter_sound::<Order>() {
        let order = order?;
        let Some(customer) = order.customer else {
            continue;
        };
        let s = out.entry(customer).or_default();
        s.lifetime_value = s.lifetime_value + order.total();
        if order.kind == OrderKind::Purchase {
            s.orders += 1;
            s.last_order = s.last_order.max(Some(order.placed));
        }
    }
    for deal in store.iter_sound::<Deal>() {
        let deal = deal?;
        if deal.stage.is_open() {
            out.entry(deal.customer).or_default().open_deals += 1;
        }
    }
    for ticket in store.iter_sound::<Ticket>() {
        let ticket = ticket?;
        if ticket.status.is_active() {
            out.entry(ticket.customer).or_default().open_tickets += 1;
        }
    }
    Ok(out)
}

/// Revenue by week and the best-selling products, from merchandise purchases only.
pub fn insights(store: &Store) -> Result<InsightsData, StoreError> {
    let products: HashMap<ProductId, Product> = store
        .iter_sound::<Product>()
        .map(|p| p.map(|p| (p.id, p)))
        .collect::<Result<_, _>>()?;
    let mut weeks: HashMap<chrono::NaiveDate, Money> = HashMap::new();
    let mut by_product: HashMap<ProductId, (Money, u32)> = HashMap::new();
    let mut buyers = std::collections::HashSet::new();
    let mut revenue = Money::ZERO;
    for order in store.iter_sound::<Order>() {
        let order = order?;
        let week = week_start(order.placed.date_naive());
        for line in order.purchase_lines() {
            if !products.get(&line.product).is_some_and(|p| p.merchandise) {
                continue;
            }
            let amount = line.amount();
            *weeks.entry(week).or_default() =
                weeks.get(&week).copied().unwrap_or_default() + amount;
            let entry = by_product.entry(line.product).or_default();
            entry.0 = entry.0 + amount;
            entry.1 += line.quantity.max(0) as u32;
            revenue = revenue + amount;
        }
        if let Some(c) = order.customer {
            buyers.insert(c);
        }
    }
    let mut weekly_revenue: Vec<_> = weeks.into_iter().collect();
    weekly_revenue.sort();
    if let (Some(first), Some(last)) = (
        weekly_revenue.first().map(|w| w.0),
        weekly_revenue.last().map(|w| w.0),
    ) {
        // Weeks with no sales are zero, not missing, so the sparkline keeps its time axis.
        let mut filled = Vec::new();
        let mut week = first;
        let mut it = weekly_revenue.iter().peekable();
        while week <= last {
            let value = match it.peek() {
                Some((w, v)) if *w == week => {
                    it.next();
                    *v
                }
                _ => Money::ZERO,
            };
            filled.push((week, value));
            week += chrono::Duration::days(7);
        }
        weekly_revenue = filled;
    }
    let mut top: Vec<_> = by_product
        .into_iter()
        .map(|(id, (money, units))| (products[&id].name.clone(), money, units))
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(10);
    Ok(InsightsData {
        weekly_revenue,
        top_products: top,
        customers_with_orders: buyers.len(),
        revenue,
    })
}

fn week_start(day: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    day - chrono::Duration::days(day.weekday().num_days_from_monday() as i64)
}
