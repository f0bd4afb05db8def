//! What comes back from the worker: snapshots of the shared records, a customer's page, the
//! insights and the quick-lookup index, and the outcome of each write.

use super::detail::DetailState;
use super::finder::FinderState;
use super::{AppState, Done, Job, Pane, Popup, Record, Tone, Write};
use crate::domain::CustomerId;
use crate::domain::Kind as RecordKind;
use crate::model::{CustomerPage, Snapshot};
use crate::search::Kind;
use std::sync::Arc;

impl AppState {
    pub fn handle_done(&mut self, done: Done) {
        if !matches!(done, Done::Changed) {
            self.pending = self.pending.saturating_sub(1);
        }
        match done {
            Done::Loaded(snapshot) => self.take_snapshot(snapshot),
            Done::Changed => {
                if let Some(snapshot) = self.worker.take_latest() {
                    self.take_snapshot(snapshot);
                }
            }
            Done::Insights(view) => {
                self.insights.loading = false;
                self.customers.segments = Some(Arc::clone(&view.segments));
                self.customers.insights = Some(Arc::clone(&view.engine));
                self.insights.view = Some(view);
                self.insights.sort_rules();
                self.insights.take_calls();
                self.fill_detail_insight();
                self.customers.refresh_view();
                self.rebuild_today();
            }
            Done::Finder {
                generation,
                entries,
                contacts,
            } => {
                if generation == self.records.generation
                    && let Some(finder) = self.finder_mut()
                {
                    finder.take_index(entries, contacts);
                }
            }
            Done::Detail { id, page } => self.take_page(id, page),
            // Answers to what a pane asked go back to it.
            Done::DealPage { id, page } => {
                let effect = self.deals.answer(id, page);
                self.run(effect);
            }
            Done::AccountPage { asked, page } => self.take_account(asked, page),
            Done::Customers { customers, then } => self.take_customers(customers, then),
            Done::Views { views, change } => self.take_views(views, change),
            Done::Duplicates(pairs) => {
                let effect = self.insights.duplicates.answer(pairs, self.rows);
                self.run(effect);
            }
            Done::Cleaned(done) => self.take_cleaned(done),
            Done::LookAlikes { version, index } => match index {
                Ok(index) => {
                    self.look_alikes.made = Some((version, index));
                    self.check_look_alike();
                }
                Err(e) => self.say(e.to_string(), Tone::Bad),
            },
            Done::Order { asked, found } => {
                if let Some(finder) = self.finder_mut() {
                    finder.take_order(&asked, found);
                }
            }
            Done::Written(write) => {
                self.written(write);
                // A write is in: the one queued behind it goes now.
                if let Some(next) = self.history.next() {
                    self.send(Job::Write(next));
                }
            }
            Done::WriteFailed { error, .. } => {
                let (field, message) = (error.field(), error.to_string());
                self.history.failed();
                match self.form_mut().filter(|f| f.saving) {
                    Some(form) => {
                        form.saving = false;
                        if let Some(i) = form.fields.iter().position(|f| Some(f.key) == field) {
                            form.focus = i;
                        }
                        form.error = Some((field, message));
                    }
                    None => self.say(format!("not saved: {message}"), Tone::Bad),
                }
            }
            Done::Gone { text, form } => match self.form_mut().filter(|_| form) {
                Some(form) => {
                    let text = format!("{text}: saving is refused; what you typed is kept");
                    form.error = Some((None, crate::text::safe(&text).into_owned()));
                }
                None => self.say(crate::text::safe(&text).into_owned(), Tone::Bad),
            },
            Done::Failed(message) => {
                self.insights.loading = false;
                self.say(format!("not done: {message}"), Tone::Bad);
            }
        }
    }

    fn written(&mut self, write: Write) {
        let what = self.describe_write(&write);
        let verb = match &write {
            Write::Batch(_) => "changed",
            Write::Create(_) => "created",
            Write::Update { .. } => "saved",
            Write::Delete { .. } => "deleted",
            Write::Restore { .. } => "restored",
        };
        if self.form().is_some_and(|f| f.saving) {
            self.close_form();
        }
        match self.history.written(&write) {
            true => self.say(format!("done: {}", self.undo_text(&write)), Tone::Good),
            false => self.say(format!("{verb} {what}"), Tone::Good),
        }
        // Marks stay after a bulk change: the next field for the same records is one `e` away.
        if matches!(write, Write::Batch(_)) {
            self.say(
                format!(
                    "{} · still marked: e changes another field, esc clears",
                    self.status.as_ref().map_or("", |s| s.0.as_str())
                ),
                Tone::Good,
            );
        }
        // The snapshot with the write came first; the rep's own change is selected where it is now.
        let rows = self.rows;
        if let Write::Create(record) | Write::Update { new: record, .. } = &write {
            match record {
                super::Record::Deal(d) => self.deals.select_deal(d.id, rows),
                super::Record::Ticket(t) => self.tickets.select_ticket(t.id, rows),
                super::Record::Customer(c) if self.detail.is_none() => {
                    self.customers.select_customer(c.id, rows)
                }
                // A new account opens on its page, for its people to be added.
                super::Record::Account(a) if matches!(write, Write::Create(_)) => {
                    let view =
                        super::account::AccountView::new(super::account::AccountOf::Id(a.id));
                    let job = view.job();
                    self.show_pane(Pane::Customers);
                    self.customers.account = Some(view);
                    self.send(job);
                }
                _ => {}
            }
        }
    }

    /// Puts a newer snapshot of the records in place, keeping the rep's place in every pane.
    fn take_snapshot(&mut self, snapshot: Arc<Snapshot>) {
        if snapshot.generation <= self.records.generation && !self.records.partial {
            return;
        }
        let first_whole = self.records.partial && !snapshot.partial;
        // Taken before the panes close a page whose deal is gone, to say who deleted it.
        let open_deal = self.deals.open.map(|id| {
            let title = self.deals.page.as_ref().map(|p| p.deal.title.clone());
            (id, title.unwrap_or_else(|| format!("#{id}")))
        });
        self.records = Arc::clone(&snapshot);
        self.load_panes();
        self.rebuild_today();
        if self.finder().is_some() {
            self.send(Job::Finder(Arc::clone(&snapshot)));
        }
        if let Some(job) = self.customers.account.as_ref().map(|a| a.job()) {
            self.send(job);
        }
        if let Some(id) = self.detail.as_ref().map(|d| d.customer.id) {
            match snapshot.customer(id) {
                Some(_) => self.send(Job::Detail(id)),
                None => {
                    let name = self
                        .detail
                        .take()
                        .map(|d| d.customer.name)
                        .unwrap_or_default();
                    self.ask_who_took(
                        RecordKind::Customer,
                        id.0,
                        format!("customer {name}"),
                        false,
                    );
                }
            }
        }
        if let Some((id, title)) = open_deal {
            match snapshot.deals.iter().any(|d| d.id == id) {
                true => self.send(Job::DealPage(id)),
                false => {
                    self.deals.close_page();
                    self.ask_who_took(RecordKind::Deal, id.0, format!("deal {title}"), false);
                }
            }
        }
        // A form open on a record another rep deleted: said now, not at the save.
        let edited = self
            .form()
            .filter(|f| !f.gone)
            .and_then(|f| f.editing.clone());
        let gone = match &edited {
            Some(Record::Customer(c)) if snapshot.customer(c.id).is_none() => {
                Some((RecordKind::Customer, c.id.0))
            }
            Some(Record::Deal(d)) if !snapshot.deals.iter().any(|x| x.id == d.id) => {
                Some((RecordKind::Deal, d.id.0))
            }
            Some(Record::Ticket(t)) if !snapshot.tickets.iter().any(|x| x.id == t.id) => {
                Some((RecordKind::Ticket, t.id.0))
            }
            _ => None,
        };
        if let (Some((kind, id)), Some(record)) = (gone, &edited) {
            self.ask_who_took(kind, id, record.describe(), true);
            if let Some(form) = self.form_mut() {
                form.gone = true;
            }
        }
        if first_whole && let Some(first) = snapshot.damaged.first() {
            self.say(
                format!(
                    "{} damaged record(s) left out ({first}); rapport backup saves the rest",
                    snapshot.damaged.len()
                ),
                Tone::Bad,
            );
        }
    }

    /// Asks the worker who deleted a record this session showed; the answer is said when it comes.
    fn ask_who_took(&mut self, kind: RecordKind, id: u64, what: String, form: bool) {
        let record = crate::domain::RecordRef { kind, id };
        self.send(Job::Gone { record, what, form });
    }

    /// Asks for a customer's page; it opens when the worker has read it.
    /// An account's page, if it is still the one open (the rep may have gone back since).
    fn take_account(
        &mut self,
        asked: super::account::AccountOf,
        page: Result<Option<crate::model::AccountPage>, crate::ops::OpsError>,
    ) {
        let rows = self.rows;
        let Some(view) = self.customers.account.as_mut() else {
            return;
        };
        if view.job_asks(asked) {
            match page {
                Ok(page) => {
                    if let Some(effect) = view.answer(page, rows) {
                        self.customers.account = None;
                        self.run(effect);
                    }
                }
                Err(e) => self.say(e.to_string(), Tone::Bad),
            }
        }
    }

    pub fn open_customer(&mut self, id: CustomerId) {
        self.opening = Some(id);
        self.send(Job::Detail(id));
    }

    fn take_page(
        &mut self,
        id: CustomerId,
        page: Result<Option<CustomerPage>, crate::ops::OpsError>,
    ) {
        let opening = self.opening == Some(id);
        let showing = self.detail.as_ref().is_some_and(|d| d.customer.id == id);
        if !opening && !showing {
            return;
        }
        self.opening = None;
        match page {
            Ok(Some(page)) => {
                let mut detail = DetailState::new(page);
                if let Some(old) = self.detail.take().filter(|_| showing && !opening) {
                    detail.keep_place(&old, self.rows);
                }
                if opening {
                    if self.pane != Pane::Customers {
                        self.came_from = Some(self.pane);
                    }
                    self.pane = Pane::Customers;
                    let rows = self.rows;
                    self.customers.select_customer(id, rows);
                }
                self.detail = Some(detail);
                self.fill_detail_insight();
                if self.insights.view.is_none() {
                    self.refresh_insights(false);
                }
            }
            Ok(None) => {
                self.detail = None;
                self.ask_who_took(RecordKind::Customer, id.0, format!("customer #{id}"), false);
            }
            Err(e) => self.say(e.to_string(), Tone::Bad),
        }
    }

    /// The open customer's segment, cluster and suggestions, once the insights are in.
    fn fill_detail_insight(&mut self) {
        if let (Some(detail), Some(engine)) = (self.detail.as_mut(), self.insights.engine()) {
            detail.insight = engine.for_customer(detail.customer.id, 3);
            detail.insight_ready = true;
        }
    }

    /// Recomputes insights when the data changed since they were computed (or when asked to).
    pub(super) fn refresh_insights(&mut self, force: bool) {
        if self.insights.loading {
            return;
        }
        let shown = self.insights.view.as_ref().map(|v| v.version());
        if force || shown != Some(self.records.version) {
            self.insights.loading = true;
            self.send(Job::Insights { fresh: force });
        }
    }

    pub(super) fn jump_to(&mut self, kind: Kind, id: u64) {
        let rows = self.rows;
        match kind {
            Kind::Customer | Kind::Order => self.open_customer(CustomerId(id)),
            Kind::Account => {
                self.show_account(super::account::AccountOf::Id(crate::domain::AccountId(id)))
            }
            Kind::Deal => {
                let id = crate::domain::DealId(id);
                self.show_pane(Pane::Deals);
                self.deals.close_page();
                self.deals.select_deal(id, rows);
                self.deals.open = Some(id);
                self.send(Job::DealPage(id));
            }
            Kind::Ticket => {
                self.show_pane(Pane::Tickets);
                self.tickets
                    .select_ticket(crate::domain::TicketId(id), rows);
                self.tickets.open = Some(crate::domain::TicketId(id));
            }
        }
    }

    /// Quick lookup over a form, to choose its customer: it starts from what the field says.
    pub(super) fn pick_customer(&mut self, typed: &str) {
        self.open_finder();
        if let Some(finder) = self.finder_mut() {
            finder.pick = true;
            // "Ada Chen #412" looks for Ada Chen.
            let query = typed
                .rsplit_once(" #")
                .map_or(typed, |(name, _)| name)
                .trim();
            finder.query = super::input::TextInput {
                cursor: query.chars().count(),
                value: query.to_string(),
            };
            finder.stale = true;
        }
    }

    /// Opens quick lookup at once; its index comes from the worker if it is not built yet.
    pub(super) fn open_finder(&mut self) {
        let ready = self
            .records
            .finder_ready()
            .zip(self.records.contacts_ready());
        let indexing = ready.is_none();
        let finder = ready.map_or_else(FinderState::indexing, |(names, contacts)| {
            FinderState::new(names, contacts)
        });
        self.open_popup(Popup::Finder(finder));
        if indexing {
            self.send(Job::Finder(Arc::clone(&self.records)));
        }
    }

    /// Quick lookup's index, built and waited for here (benchmarks draw realistic queries from it).
    pub fn finder_entries(&self) -> Arc<crate::search::Index> {
        self.records.finder()
    }
}
