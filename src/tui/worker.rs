//! Store work off the UI thread: loads, saves and computations run here and come back as events, so
//! the screen never waits on the disk. Tests run the same jobs inline, in order, with no sleeps.

use crate::domain::{Customer, CustomerId, DealId};
use crate::model::{CustomerPage, DealPage, InsightsView, ReadModel, Snapshot};
use crate::ops::{Actor, Ops, OpsError};
pub use crate::ops::{Record, Write};
use crate::search::{Entry, Index};
pub use crate::tui::state::duplicates::DuplicatePair;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

#[allow(clippy::large_enum_variant)] // one per user action: boxing would buy nothing
pub enum Job {
    /// Every customer, deal and ticket, for the panes (the first screen comes from the name index).
    Load,
    Summaries,
    /// The insights; `fresh` recomputes them even when young (see `ReadModel::insights`).
    Insights {
        fresh: bool,
    },
    /// The quick-lookup index of a snapshot.
    Finder(Arc<Snapshot>),
    /// One customer's page.
    Detail(CustomerId),
    /// One deal's page, with its history.
    DealPage(DealId),
    /// An account's page: by its id, or a person's.
    AccountPage(crate::tui::state::account::AccountOf),
    /// Whole customers for a change a rep is starting (the table keeps only what it shows).
    Customers {
        ids: Vec<CustomerId>,
        then: Then,
    },
    Write(Write),
    /// An order by its number, as typed into quick lookup.
    Order(String),
    /// The rep's saved views, after the change given, if any.
    Views(ViewChange),
    /// Customers that look like one person, best first.
    Duplicates,
    /// `kept` (the kept customer as the merge makes it) takes in `other`; refused when either
    /// changed since the rep saw them (`seen`).
    Merge {
        kept: Customer,
        other: CustomerId,
        seen: Vec<Customer>,
    },
    /// Two customers are two people: they are not listed as duplicates again.
    Distinct {
        a: CustomerId,
        b: CustomerId,
    },
    /// Takes the latest merge back.
    Unmerge,
    /// Every customer prepared for the new-customer form's look-alike warning, for the records
    /// at `version`.
    LookAlikes {
        version: u64,
    },
    /// Who took away a record this session was showing (`what`, as the rep read it), for a
    /// form open on it (`form`) or a page.
    Gone {
        record: crate::domain::RecordRef,
        what: String,
        form: bool,
    },
}

/// The outcome of a merge, an unmerge or a "two people", with what the status bar says.
#[derive(Clone, Debug, PartialEq)]
pub enum Cleaned {
    Merged {
        other: CustomerId,
        text: String,
    },
    Distinct {
        a: CustomerId,
        b: CustomerId,
        text: String,
    },
    Unmerged {
        text: String,
    },
}

/// Pairs the Duplicates section lists at most: more than a rep works through in a sitting.
const DUPLICATES_SHOWN: usize = 500;

#[allow(clippy::large_enum_variant)] // one per user action: boxing would buy nothing
pub enum Done {
    /// Records read for this session, or a newer snapshot after any session's write. Not an answer
    /// to a job when it comes from another session.
    Loaded(Arc<Snapshot>),
    /// Another write made a newer snapshot: it waits in the worker's slot (`take_latest`), so a
    /// session that is behind holds one snapshot however many writes it missed.
    Changed,
    Insights(Arc<InsightsView>),
    Finder {
        generation: u64,
        entries: Arc<Index>,
        contacts: Arc<Index>,
    },
    Detail {
        id: CustomerId,
        page: Result<Option<CustomerPage>, OpsError>,
    },
    DealPage {
        id: DealId,
        page: Result<Option<DealPage>, OpsError>,
    },
    AccountPage {
        asked: crate::tui::state::account::AccountOf,
        page: Result<Option<crate::model::AccountPage>, OpsError>,
    },
    Customers {
        customers: Result<Vec<Customer>, OpsError>,
        then: Then,
    },
    /// The order a number typed into quick lookup names, as an entry that opens its customer.
    Order {
        asked: String,
        found: Option<Entry>,
    },
    /// The rep's saved views, and the change just made to them, if any.
    Views {
        views: Result<Vec<crate::domain::View>, OpsError>,
        change: ViewChange,
    },
    Duplicates(Result<Vec<DuplicatePair>, OpsError>),
    Cleaned(Result<Cleaned, OpsError>),
    LookAlikes {
        version: u64,
        index: Result<Arc<crate::clean::lookalike::LookAlikes>, OpsError>,
    },
    Written(Write),
    /// What became of a record the rep was showing: "deal Spring order was deleted by bea at …".
    Gone {
        text: String,
        form: bool,
    },
    /// A write that was not made, and why (`OpsError::field` names the form field to blame).
    WriteFailed {
        write: Write,
        error: OpsError,
    },
    Failed(OpsError),
}

/// A change to the rep's own saved views.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewChange {
    None,
    Save(crate::domain::View),
    Delete(String),
    Rename { from: String, to: String },
}

/// What a session does with customers it asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Then {
    Edit,
    Delete,
    /// A bulk change to every marked customer: which fields, to what.
    Bulk(Vec<(crate::domain::FieldId, String)>),
}

pub struct Worker {
    ops: Ops,
    way: Way,
    latest: Arc<Latest>,
}

/// The newest snapshot other writes made that this session has not taken in yet.
#[derive(Default)]
pub struct Latest(std::sync::Mutex<Option<Arc<Snapshot>>>);

impl Latest {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<Snapshot>>> {
        crate::parallel::lock(&self.0)
    }
}

enum Way {
    /// Two threads: reads of everything (seconds at 100,000 customers) on one, so that a save or
    /// a customer's page never waits behind them on the other.
    Threads {
        quick: Sender<Job>,
        long: Sender<Job>,
    },
    /// Runs each job as it is sent; results (and other sessions' snapshots) wait here for the app.
    Inline(Sender<Done>, Receiver<Done>),
}

impl Worker {
    /// Starts the session's worker thread; results and new snapshots arrive on `done` wrapped by
    /// `wrap`.
    pub fn spawn<E: Send + 'static>(
        model: Arc<ReadModel>,
        actor: Actor,
        done: Sender<E>,
        wrap: fn(Done) -> E,
    ) -> Worker {
        let ops = Ops::shared(model, actor);
        let latest = listen(&ops, done.clone(), wrap);
        let start = |name: &str| {
            let (tx, rx): (Sender<Job>, Receiver<Job>) = channel();
            let (theirs, done) = (ops.clone(), done.clone());
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    for job in rx {
                        if done.send(wrap(run(&theirs, job))).is_err() {
                            break;
                        }
                    }
                })
                .expect("the worker thread starts");
            tx
        };
        let way = Way::Threads {
            quick: start("rapport-worker"),
            long: start("rapport-reader"),
        };
        Worker { ops, way, latest }
    }

    pub fn inline(model: Arc<ReadModel>, actor: Actor) -> Worker {
        let ops = Ops::shared(model, actor);
        let (tx, rx) = channel();
        let latest = listen(&ops, tx.clone(), |d| d);
        Worker {
            ops,
            way: Way::Inline(tx, rx),
            latest,
        }
    }

    pub fn model(&self) -> &Arc<ReadModel> {
        self.ops.model().expect("a shared Ops")
    }

    pub fn actor(&self) -> Actor {
        self.ops.actor()
    }

    /// The team changed this rep's role: the session's writes are checked against the new one.
    pub fn set_role(&self, role: crate::domain::Role) {
        self.ops.set_role(role);
    }

    /// May this session's rep do `task`?
    pub fn check(&self, task: crate::ops::Task) -> Result<(), OpsError> {
        self.ops.check(task)
    }

    /// May this session's rep change `record`? (`customer_owner`: a ticket's customer's owner.)
    pub fn check_edit(
        &self,
        record: &Record,
        customer_owner: Option<&str>,
    ) -> Result<(), OpsError> {
        crate::ops::roles::check_edit(&self.ops.actor(), record, customer_owner)
    }

    pub fn send(&mut self, job: Job) {
        match &self.way {
            Way::Threads { quick, long } => {
                let to = match job {
                    Job::Load
                    | Job::Summaries
                    | Job::Insights { .. }
                    | Job::Duplicates
                    | Job::LookAlikes { .. } => long,
                    _ => quick,
                };
                // The workers only stop when the app does.
                let _ = to.send(job);
            }
            Way::Inline(tx, _) => {
                let _ = tx.send(run(&self.ops, job));
            }
        }
    }

    /// The newest snapshot another write made, if one came since the last call.
    pub fn take_latest(&self) -> Option<Arc<Snapshot>> {
        self.latest.slot().take()
    }

    /// What arrived for an inline worker, for the app to handle as if it had come as events.
    pub fn take_inline(&mut self) -> Option<Done> {
        match &self.way {
            Way::Inline(_, rx) => rx.try_recv().ok(),
            Way::Threads { .. } => None,
        }
    }
}

/// Every snapshot another write makes goes into this session's slot, replacing one it has not
/// taken yet, and `Done::Changed` tells it so once; until the session is gone.
fn listen<E: Send + 'static>(ops: &Ops, to: Sender<E>, wrap: fn(Done) -> E) -> Arc<Latest> {
    let latest = Arc::new(Latest::default());
    let slot = Arc::downgrade(&latest);
    ops.model()
        .expect("a shared Ops")
        .subscribe(Box::new(move |s| {
            let Some(slot) = slot.upgrade() else {
                return false;
            };
            let told = {
                let mut waiting = slot.slot();
                let told = waiting.is_some();
                if waiting.as_ref().is_none_or(|w| w.generation < s.generation) {
                    *waiting = Some(Arc::clone(s));
                }
                told
            };
            told || to.send(wrap(Done::Changed)).is_ok()
        }));
    latest
}

fn run(ops: &Ops, job: Job) -> Done {
    let started = std::time::Instant::now();
    // The big jobs allocate hundreds of MB for a moment; that is handed back rather than kept
    // resident. After a small one, trimming would cost more than it frees (a fifth of a busy
    // server's time went to it).
    let big = matches!(
        job,
        Job::Load
            | Job::Summaries
            | Job::Insights { .. }
            | Job::Finder(_)
            | Job::Duplicates
            | Job::LookAlikes { .. }
    );
    let done = run_job(ops, job);
    if big {
        crate::memory::give_back();
    }
    let took = started.elapsed();
    match &done {
        Done::Loaded(s) => tracing::info!(customers = s.customers.len(), ?took, "loaded"),
        Done::Changed => {}
        Done::Insights(view) => tracing::info!(?took, version = view.version(), "insights"),
        Done::Finder { entries, .. } => tracing::debug!(entries = entries.len(), ?took, "finder"),
        Done::Detail { id, .. } => tracing::debug!(?took, "page of customer {id}"),
        Done::DealPage { id, .. } => tracing::debug!(?took, "page of deal {id}"),
        Done::AccountPage { asked, .. } => tracing::debug!(?took, "page of account {asked:?}"),
        Done::Customers { .. } => tracing::debug!(?took, "customers for a change"),
        Done::Order { .. } => tracing::debug!(?took, "order lookup"),
        Done::Views { .. } => tracing::debug!(?took, "saved views"),
        Done::Duplicates(pairs) => {
            tracing::info!(
                ?took,
                pairs = pairs.as_ref().map_or(0, Vec::len),
                "duplicates"
            )
        }
        Done::Cleaned(_) => tracing::info!(?took, by = %ops.actor(), "merge or unmerge"),
        Done::LookAlikes { .. } => tracing::debug!(?took, "look-alike index"),
        Done::Written(w) => {
            tracing::info!(?took, by = %ops.actor(), "wrote {}", w.record().reference())
        }
        // The message can quote what was typed (an email, a name): the log keeps no personal data.
        Done::WriteFailed { .. } => tracing::warn!(?took, "write refused"),
        Done::Failed(e) => tracing::error!(?took, "job failed: {e}"),
        Done::Gone { .. } => tracing::debug!(?took, "who took a record away"),
    }
    done
}

fn run_job(ops: &Ops, job: Job) -> Done {
    let model = ops.model().expect("a shared Ops");
    let result: Result<Done, OpsError> = match job {
        Job::Load => model.load().map(Done::Loaded).map_err(OpsError::from),
        Job::Summaries => model
            .with_summaries()
            .map(Done::Loaded)
            .map_err(OpsError::from),
        Job::Insights { fresh } => model
            .insights(fresh)
            .map(Done::Insights)
            .map_err(OpsError::from),
        Job::Finder(snapshot) => Ok(Done::Finder {
            generation: snapshot.generation,
            entries: snapshot.finder(),
            contacts: snapshot.contacts(),
        }),
        Job::Detail(id) => Ok(Done::Detail {
            id,
            page: ops.customer_page(id),
        }),
        Job::Order(asked) => order(ops, model, asked),
        Job::Views(change) => Ok(views(ops, change)),
        Job::DealPage(id) => Ok(Done::DealPage {
            id,
            page: ops.deal_page(id),
        }),
        Job::AccountPage(asked) => Ok(Done::AccountPage {
            asked,
            page: account_page(ops, asked),
        }),
        Job::Customers { ids, then } => Ok(Done::Customers {
            customers: ops.customers(&ids),
            then,
        }),
        Job::Duplicates => Ok(Done::Duplicates(ops.duplicate_pairs(DUPLICATES_SHOWN))),
        Job::Merge { kept, other, seen } => Ok(Done::Cleaned(merge(ops, &kept, other, &seen))),
        Job::Distinct { a, b } => Ok(Done::Cleaned(ops.mark_distinct(a, b, true).map(|()| {
            Cleaned::Distinct {
                a,
                b,
                text: format!("#{a} and #{b} are two people: not listed again"),
            }
        }))),
        Job::Unmerge => Ok(Done::Cleaned(unmerge(ops))),
        Job::LookAlikes { version } => Ok(match model.look_alikes() {
            Ok((version, index)) => Done::LookAlikes {
                version,
                index: Ok(index),
            },
            Err(e) => Done::LookAlikes {
                version,
                index: Err(e.into()),
            },
        }),
        Job::Gone { record, what, form } => ops.gone(record).map(|how| {
            let text = match how {
                Some(how) => format!("{what} was {how}"),
                None => format!("{what} is no longer there"),
            };
            Done::Gone { text, form }
        }),
        Job::Write(write) => Ok(match ops.apply(write.clone()) {
            Ok(done) => Done::Written(done),
            Err(error) => Done::WriteFailed { write, error },
        }),
    };
    result.unwrap_or_else(Done::Failed)
}

/// The order a number typed into quick lookup names, as an entry that opens its customer.
fn order(ops: &Ops, model: &ReadModel, asked: String) -> Result<Done, OpsError> {
    let found = ops.order_numbered(&asked)?.and_then(|o| {
        let customer = o.customer?;
        let name = model
            .peek()
            .and_then(|s| s.customer_name(customer).map(str::to_string))
            .unwrap_or_else(|| format!("customer {customer}"));
        let text = format!("{} · {} · {name}", o.number, o.placed.format("%Y-%m-%d"));
        Some(Entry::new(crate::search::Kind::Order, customer.0, text))
    });
    Ok(Done::Order { asked, found })
}

/// A change to the rep's own views, and the views as it leaves them.
fn views(ops: &Ops, change: ViewChange) -> Done {
    let done = match &change {
        ViewChange::None => Ok(()),
        ViewChange::Save(view) => ops.save_view(view),
        ViewChange::Delete(name) => ops.delete_view(name).and_then(|gone| match gone {
            true => Ok(()),
            false => Err(OpsError::refused(format!(
                "you have no saved view called '{}' (views from config.toml are the file's)",
                crate::text::safe(name)
            ))),
        }),
        ViewChange::Rename { from, to } => ops.rename_view(from, to),
    };
    let views = done.and_then(|()| ops.views());
    Done::Views { views, change }
}

fn merge(
    ops: &Ops,
    kept: &Customer,
    other: CustomerId,
    seen: &[Customer],
) -> Result<Cleaned, OpsError> {
    let (_, moved) = ops.merge(kept, other, seen)?;
    Ok(Cleaned::Merged {
        other,
        text: format!(
            "merged #{other} into {} #{} ({} records moved) · u takes it back",
            crate::text::safe(&kept.name),
            kept.id,
            moved.total()
        ),
    })
}

/// The latest merge not yet taken back, taken back; refused when its records changed since.
fn unmerge(ops: &Ops) -> Result<Cleaned, OpsError> {
    let merges = ops.merges()?;
    let Some(last) = merges.iter().rev().find(|m| !m.undone) else {
        return Ok(Cleaned::Unmerged {
            text: "no merge to take back".into(),
        });
    };
    ops.unmerge(last.batch, false)?;
    Ok(Cleaned::Unmerged {
        text: format!("#{} is back, apart from #{}", last.other, last.kept),
    })
}

/// The account asked for: by id, or the one a person is in (None when they are in none).
fn account_page(
    ops: &Ops,
    asked: crate::tui::state::account::AccountOf,
) -> Result<Option<crate::model::AccountPage>, OpsError> {
    use crate::tui::state::account::AccountOf;
    let id = match asked {
        AccountOf::Id(id) => id,
        AccountOf::Person(person) => {
            let account = ops.customers(&[person])?.pop().and_then(|c| c.account);
            match account {
                Some(id) => id,
                None => return Ok(None),
            }
        }
    };
    ops.account_page(id)
}
