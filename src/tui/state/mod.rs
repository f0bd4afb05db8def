//! The app's state and the one place it changes: keys become actions, actions and worker results
//! update the panes. Nothing here draws or touches a terminal, so all of it is testable as plain data.

pub mod customers;
pub mod deals;
pub mod detail;
pub mod finder;
pub mod input;
pub mod list;
pub mod tickets;

use super::action::Action;
use super::keymap::{Context, Keymap};
use super::worker::{Done, InsightsData, Job, Worker};
use crate::domain::{Customer, CustomerId, Deal, DealStage, Note, NoteKind, Ticket, Timestamp};
use crate::store::{Store, StoreError};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use customers::CustomersState;
use deals::{DealView, DealsState};
use detail::DetailState;
use finder::{Entry, FinderState, Kind};
use input::{Edit, TextInput};
use std::collections::HashMap;
use std::sync::Arc;
use tickets::TicketsState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Customers,
    Deals,
    Tickets,
    Insights,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Customers, Pane::Deals, Pane::Tickets, Pane::Insights];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Customers => "Customers",
            Pane::Deals => "Deals",
            Pane::Tickets => "Tickets",
            Pane::Insights => "Insights",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Note { customer: CustomerId, name: String },
    Reply { subject: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: TextInput,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Good,
    Bad,
}

#[derive(Debug, Default)]
pub struct InsightsState {
    pub data: Option<InsightsData>,
    pub loading: bool,
    /// The data version the shown figures were computed at.
    pub version: Option<u64>,
}

pub struct Options {
    pub readonly: bool,
    /// Whose name goes on notes and replies.
    pub user: String,
    pub now: Timestamp,
}

pub struct AppState {
    pub store: Store,
    pub keymap: Keymap,
    pub readonly: bool,
    pub user: String,
    pub now: Timestamp,
    pub pane: Pane,
    pub customers: CustomersState,
    pub deals: DealsState,
    pub tickets: TicketsState,
    pub insights: InsightsState,
    pub detail: Option<DetailState>,
    pub finder: Option<FinderState>,
    pub help: Option<usize>,
    pub prompt: Option<Prompt>,
    pub status: Option<(String, Tone)>,
    /// Jobs sent to the worker and not yet answered; the status bar spins while there are any.
    pub pending: usize,
    pub spinner: usize,
    pub quit: bool,
    /// Rows a list can show in the current terminal.
    pub rows: usize,
    finder_entries: Option<Arc<Vec<Entry>>>,
    worker: Worker,
}

/// Lines around a list: tab bar, status, hints, the list's border and header.
const CHROME_ROWS: u16 = 6;

impl AppState {
    pub fn new(
        store: Store,
        keymap: Keymap,
        worker: Worker,
        options: Options,
    ) -> Result<AppState, StoreError> {
        let customers: Vec<Customer> = store.all()?;
        let names: HashMap<CustomerId, String> =
            customers.iter().map(|c| (c.id, c.name.clone())).collect();
        let deals = DealsState::new(store.all::<Deal>()?, names.clone());
        let tickets = TicketsState::new(store.all::<Ticket>()?, names);
        let mut state = AppState {
            customers: CustomersState::new(&customers),
            deals,
            tickets,
            store,
            keymap,
            readonly: options.readonly,
            user: options.user,
            now: options.now,
            pane: Pane::Customers,
            insights: InsightsState::default(),
            detail: None,
            finder: None,
            help: None,
            prompt: None,
            status: None,
            pending: 0,
            spinner: 0,
            quit: false,
            rows: 20,
            finder_entries: None,
            worker,
        };
        state.send(Job::Summaries);
        Ok(state)
    }

    pub fn resize(&mut self, height: u16) {
        self.rows = height.saturating_sub(CHROME_ROWS).max(1) as usize;
    }

    fn send(&mut self, job: Job) {
        self.pending += 1;
        self.worker.send(job);
        while let Some(done) = self.worker.take_inline() {
            self.handle_done(done);
        }
    }

    pub fn context(&self) -> Context {
        if self.detail.is_some() {
            return Context::Detail;
        }
        match self.pane {
            Pane::Customers => Context::Customers,
            Pane::Deals => Context::Deals,
            Pane::Tickets => Context::Tickets,
            Pane::Insights => Context::Insights,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        if self.help.is_some() {
            self.help_key(key);
        } else if self.finder.is_some() {
            self.finder_key(key);
        } else if self.prompt.is_some() {
            self.prompt_key(key);
        } else if self.customers.filtering && self.pane == Pane::Customers && self.detail.is_none()
        {
            self.filter_key(key);
        } else if let Some(action) = self.keymap.action(self.context(), key) {
            self.apply(action);
        }
    }

    fn help_key(&mut self, key: KeyEvent) {
        let scroll = self.help.get_or_insert(0);
        match self.keymap.action(Context::Global, key) {
            Some(Action::Down) => *scroll += 1,
            Some(Action::Up) => *scroll = scroll.saturating_sub(1),
            Some(Action::PageDown) => *scroll += 10,
            Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
            Some(Action::Help | Action::Back | Action::Quit) => self.help = None,
            _ => {}
        }
    }

    fn finder_key(&mut self, key: KeyEvent) {
        let rows = self.rows;
        let Some(finder) = self.finder.as_mut() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => self.finder = None,
            KeyCode::Enter => {
                let target = finder.selected().cloned();
                self.finder = None;
                if let Some(entry) = target {
                    self.jump_to(entry.kind, entry.id);
                }
            }
            KeyCode::Down | KeyCode::Char('n') if key.code == KeyCode::Down || ctrl => {
                finder.nav.down(finder.hits.len(), rows)
            }
            KeyCode::Up | KeyCode::Char('p') if key.code == KeyCode::Up || ctrl => {
                finder.nav.up(finder.hits.len(), rows)
            }
            _ => {
                if finder.query.handle(key) == Edit::Changed {
                    finder.search();
                }
            }
        }
    }

    fn prompt_key(&mut self, key: KeyEvent) {
        let Some(prompt) = self.prompt.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.prompt = None;
                self.say("not saved", Tone::Info);
            }
            KeyCode::Enter => {
                let prompt = self.prompt.take().expect("prompt is open");
                let text = prompt.input.value.trim().to_string();
                if text.is_empty() {
                    self.say("nothing to save: the text is empty", Tone::Bad);
                    return;
                }
                match prompt.kind {
                    PromptKind::Note { customer, .. } => {
                        let mut note = Note::new(customer, NoteKind::Note, text, self.now);
                        note.author = Some(self.user.clone());
                        self.say("saving note…", Tone::Info);
                        self.send(Job::SaveNote(note));
                    }
                    PromptKind::Reply { .. } => {
                        if let Some(t) = self.tickets.with_reply(&self.user, &text, self.now) {
                            self.say("sending reply…", Tone::Info);
                            self.send(Job::SaveTicket(t));
                        }
                    }
                }
            }
            _ => {
                prompt.input.handle(key);
            }
        }
    }

    fn filter_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc => {
                self.customers.filtering = false;
                self.customers.filter = TextInput::default();
                self.customers.refresh_view();
            }
            KeyCode::Enter | KeyCode::Down | KeyCode::Up => {
                self.customers.filtering = false;
                if key.code == KeyCode::Enter {
                    self.apply(Action::Open);
                }
            }
            _ => {
                if self.customers.filter.handle(key) == Edit::Changed {
                    self.customers.refresh_view();
                }
            }
        }
    }

    pub fn apply(&mut self, action: Action) {
        if self.readonly && action.writes() {
            self.say("read-only: changes are turned off (--readonly)", Tone::Bad);
            return;
        }
        let rows = self.rows;
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = Some(0),
            Action::Finder => self.open_finder(),
            Action::NextPane | Action::PrevPane => {
                let i = Pane::ALL.iter().position(|p| *p == self.pane).unwrap_or(0);
                let step = if action == Action::NextPane {
                    1
                } else {
                    Pane::ALL.len() - 1
                };
                self.show_pane(Pane::ALL[(i + step) % Pane::ALL.len()]);
            }
            Action::PaneCustomers => self.show_pane(Pane::Customers),
            Action::PaneDeals => self.show_pane(Pane::Deals),
            Action::PaneTickets => self.show_pane(Pane::Tickets),
            Action::PaneInsights => self.show_pane(Pane::Insights),
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => self.navigate(action, rows),
            Action::Left | Action::Right => {
                if self.pane == Pane::Deals
                    && self.deals.view == DealView::Board
                    && self.detail.is_none()
                {
                    let last = DealStage::ALL.len() - 1;
                    self.deals.column = if action == Action::Left {
                        self.deals.column.saturating_sub(1)
                    } else {
                        (self.deals.column + 1).min(last)
                    };
                }
            }
            Action::Open => self.open(),
            Action::Back => self.back(),
            Action::Filter => {
                if self.pane == Pane::Customers && self.detail.is_none() {
                    self.customers.filtering = true;
                }
            }
            Action::SortNext => self.customers.sort_next(),
            Action::SortReverse => self.customers.sort_reverse(),
            Action::ToggleView => {
                self.deals.view = match self.deals.view {
                    DealView::Board => DealView::List,
                    DealView::List => DealView::Board,
                }
            }
            Action::StageNext | Action::StagePrev | Action::MarkWon | Action::MarkLost => {
                self.move_deal(action)
            }
            Action::StatusNext | Action::StatusPrev => {
                match self
                    .tickets
                    .with_status(action == Action::StatusNext, self.now)
                {
                    Some(t) => {
                        self.say(format!("ticket #{} → {}…", t.id, t.status), Tone::Info);
                        self.send(Job::SaveTicket(t));
                    }
                    None => self.say("no status that way", Tone::Info),
                }
            }
            Action::Reply => {
                if let Some(t) = self.tickets.open_ticket().or(self.tickets.selected()) {
                    self.prompt = Some(Prompt {
                        kind: PromptKind::Reply {
                            subject: t.subject.clone(),
                        },
                        input: TextInput::default(),
                    });
                }
            }
            Action::AddNote => {
                let target = match &self.detail {
                    Some(d) => Some((d.customer.id, d.customer.name.clone())),
                    None => self.customers.selected().map(|r| (r.id, r.name.clone())),
                };
                if let Some((customer, name)) = target {
                    self.prompt = Some(Prompt {
                        kind: PromptKind::Note { customer, name },
                        input: TextInput::default(),
                    });
                }
            }
            Action::Refresh => self.refresh_insights(true),
        }
    }

    fn navigate(&mut self, action: Action, rows: usize) {
        if let Some(detail) = self.detail.as_mut() {
            let last = detail.timeline.len().saturating_sub(1);
            detail.scroll = match action {
                Action::Up => detail.scroll.saturating_sub(1),
                Action::Down => (detail.scroll + 1).min(last),
                Action::PageUp => detail.scroll.saturating_sub(rows),
                Action::PageDown => (detail.scroll + rows).min(last),
                Action::Top => 0,
                _ => last,
            };
            return;
        }
        let (nav, len) = match self.pane {
            Pane::Customers => (&mut self.customers.nav, self.customers.view.len()),
            Pane::Deals => {
                let len = self.deals.nav_len();
                (self.deals.nav_mut(), len)
            }
            Pane::Tickets if self.tickets.open.is_some() => {
                let scroll = &mut self.tickets.thread_scroll;
                *scroll = match action {
                    Action::Up | Action::PageUp | Action::Top => {
                        scroll.saturating_sub(if action == Action::Up { 1 } else { rows })
                    }
                    _ => *scroll + 1,
                };
                return;
            }
            Pane::Tickets => (&mut self.tickets.nav, self.tickets.queue.len()),
            Pane::Insights => return,
        };
        match action {
            Action::Up => nav.up(len, rows),
            Action::Down => nav.down(len, rows),
            Action::Top => nav.top(len, rows),
            Action::Bottom => nav.bottom(len, rows),
            Action::PageUp => nav.page_up(len, rows),
            _ => nav.page_down(len, rows),
        }
    }

    fn show_pane(&mut self, pane: Pane) {
        self.detail = None;
        self.pane = pane;
        if pane == Pane::Insights {
            self.refresh_insights(false);
        }
    }

    /// Recomputes insights when the data changed since they were computed (or when asked to).
    fn refresh_insights(&mut self, force: bool) {
        if self.insights.loading {
            return;
        }
        let version = self.store.data_version().ok();
        if force || self.insights.data.is_none() || self.insights.version != version {
            self.insights.loading = true;
            self.insights.version = version;
            self.send(Job::Insights);
        }
    }

    fn open(&mut self) {
        match self.pane {
            Pane::Customers if self.detail.is_none() => {
                if let Some(id) = self.customers.selected().map(|r| r.id) {
                    self.open_customer(id);
                }
            }
            Pane::Tickets => self.tickets.open = self.tickets.selected().map(|t| t.id),
            Pane::Deals => {
                if let Some(customer) = self.deals.selected().map(|d| d.customer) {
                    self.open_customer(customer);
                }
            }
            _ => {}
        }
    }

    fn back(&mut self) {
        if self.detail.take().is_some() {
            return;
        }
        if self.tickets.open.take().is_some() {
            self.tickets.thread_scroll = 0;
            return;
        }
        if self.pane == Pane::Customers && !self.customers.filter.value.is_empty() {
            self.customers.filter = TextInput::default();
            self.customers.refresh_view();
        }
    }

    pub fn open_customer(&mut self, id: CustomerId) {
        let loaded = self
            .store
            .get::<Customer>(id.0)
            .and_then(|c| c.map(|c| DetailState::load(&self.store, c)).transpose());
        match loaded {
            Ok(Some(detail)) => {
                self.pane = Pane::Customers;
                if let Some(pos) = self
                    .customers
                    .view
                    .iter()
                    .position(|&i| self.customers.rows[i].id == id)
                {
                    let len = self.customers.view.len();
                    self.customers.nav.select(pos, len, self.rows);
                }
                self.detail = Some(detail);
            }
            Ok(None) => self.say(format!("customer {id} is gone"), Tone::Bad),
            Err(e) => self.say(e.to_string(), Tone::Bad),
        }
    }

    fn jump_to(&mut self, kind: Kind, id: u64) {
        let rows = self.rows;
        match kind {
            Kind::Customer => self.open_customer(CustomerId(id)),
            Kind::Deal => {
                self.show_pane(Pane::Deals);
                self.deals.select_deal(crate::domain::DealId(id), rows);
            }
            Kind::Ticket => {
                self.show_pane(Pane::Tickets);
                self.tickets
                    .select_ticket(crate::domain::TicketId(id), rows);
                self.tickets.open = Some(crate::domain::TicketId(id));
            }
        }
    }

    fn open_finder(&mut self) {
        let entries = match &self.finder_entries {
            Some(e) => Arc::clone(e),
            None => {
                let e = Arc::new(self.finder_index());
                self.finder_entries = Some(Arc::clone(&e));
                e
            }
        };
        self.finder = Some(FinderState::new(entries));
    }

    fn finder_index(&self) -> Vec<Entry> {
        let mut out = Vec::with_capacity(
            self.customers.rows.len() + self.deals.deals.len() + self.tickets.tickets.len(),
        );
        for r in &self.customers.rows {
            let text = if r.company.is_empty() {
                r.name.clone()
            } else {
                format!("{} — {}", r.name, r.company)
            };
            out.push(Entry {
                kind: Kind::Customer,
                id: r.id.0,
                text,
            });
        }
        for d in &self.deals.deals {
            out.push(Entry {
                kind: Kind::Deal,
                id: d.id.0,
                text: format!("{} · {}", d.title, self.deals.customer_name(d.customer)),
            });
        }
        for t in &self.tickets.tickets {
            out.push(Entry {
                kind: Kind::Ticket,
                id: t.id.0,
                text: format!(
                    "#{} {} · {}",
                    t.id,
                    t.subject,
                    self.tickets.customer_name(t.customer)
                ),
            });
        }
        out
    }

    fn move_deal(&mut self, action: Action) {
        let Some(current) = self.deals.selected().map(|d| d.stage) else {
            self.say("no deal selected", Tone::Info);
            return;
        };
        let target = match action {
            Action::StageNext => current.next(),
            Action::StagePrev => current.previous(),
            Action::MarkWon => Some(DealStage::Won),
            _ => Some(DealStage::Lost),
        };
        match self.deals.moved(target, self.now) {
            Some(deal) => {
                self.say(format!("{} → {}…", deal.title, deal.stage), Tone::Info);
                self.send(Job::SaveDeal(deal));
            }
            None => self.say("the deal cannot move that way", Tone::Info),
        }
    }

    pub fn handle_done(&mut self, done: Done) {
        self.pending = self.pending.saturating_sub(1);
        let rows = self.rows;
        match done {
            Done::Summaries(summaries) => {
                self.customers.summaries = Some(summaries);
                self.customers.refresh_view();
            }
            Done::Insights(data) => {
                self.insights.data = Some(data);
                self.insights.loading = false;
            }
            Done::SavedNote(note) => {
                self.say(
                    format!("saved note on {}", self.deals.customer_name(note.customer)),
                    Tone::Good,
                );
                if self
                    .detail
                    .as_ref()
                    .is_some_and(|d| d.customer.id == note.customer)
                {
                    self.open_customer(note.customer);
                }
            }
            Done::SavedDeal(deal) => {
                self.say(
                    format!("saved: {} is {}", deal.title, deal.stage),
                    Tone::Good,
                );
                self.deals.saved(deal, rows);
                self.after_write();
            }
            Done::SavedTicket(ticket) => {
                self.say(
                    format!("saved: ticket #{} is {}", ticket.id, ticket.status),
                    Tone::Good,
                );
                self.tickets.saved(ticket, rows);
                self.after_write();
            }
            Done::Failed(message) => {
                self.insights.loading = false;
                self.say(format!("not saved: {message}"), Tone::Bad);
            }
        }
    }

    /// Derived figures are stale after a write; recompute them in the background.
    fn after_write(&mut self) {
        self.finder_entries = None;
        self.send(Job::Summaries);
    }

    pub fn say(&mut self, message: impl Into<String>, tone: Tone) {
        self.status = Some((message.into(), tone));
    }

    pub fn tick(&mut self) {
        self.spinner = self.spinner.wrapping_add(1);
    }
}
