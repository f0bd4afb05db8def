//! The app's state and the one place it changes: keys become actions, actions and worker results
//! update the panes. Nothing here draws or touches a terminal, so all of it is testable as plain data.

pub mod customers;
pub mod deals;
pub mod detail;
pub mod finder;
pub mod form;
pub mod input;
pub mod list;
pub mod tickets;

use super::action::Action;
use super::keymap::{Context, Keymap};
use super::worker::{Done, InsightsData, Job, Loaded, Record, Worker, Write};
use crate::domain::{Customer, CustomerId, DealStage, Ticket, Timestamp};
use crate::search::{Entry, Kind};
use crate::store::{Store, StoreError};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use customers::CustomersState;
use deals::{DealView, DealsState};
use detail::DetailState;
use finder::FinderState;
use form::{BulkTarget, FormState};
use input::{Edit, TextInput};
use list::ListNav;
use std::collections::BTreeSet;
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
    Reply { subject: String },
}

/// A question that needs a yes before its write goes ahead.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub write: Write,
    /// What will change, one line per record, for a bulk change's preview.
    pub details: Vec<String>,
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    #[default]
    Overview,
    Segments,
    Rules,
    Calls,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Overview,
        Section::Segments,
        Section::Rules,
        Section::Calls,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Overview => "Overview",
            Section::Segments => "Segments",
            Section::Rules => "Rules",
            Section::Calls => "Calls to make",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuleSort {
    #[default]
    Lift,
    Confidence,
    Support,
}

#[derive(Default)]
pub struct InsightsState {
    pub data: Option<InsightsData>,
    pub engine: Option<Arc<crate::insights::Insights>>,
    pub loading: bool,
    /// The data version the shown figures were computed at.
    pub version: Option<u64>,
    pub section: Section,
    pub rule_sort: RuleSort,
    /// Rules in the current sort, as indexes into the engine's rules.
    pub rule_order: Vec<usize>,
    pub nav: ListNav,
}

impl InsightsState {
    fn sort_rules(&mut self) {
        let Some(engine) = &self.engine else { return };
        let rules = &engine.rules;
        let mut order: Vec<usize> = (0..rules.len()).collect();
        match self.rule_sort {
            RuleSort::Lift => {}
            RuleSort::Confidence => {
                order.sort_by(|&a, &b| rules[b].confidence.total_cmp(&rules[a].confidence))
            }
            RuleSort::Support => {
                order.sort_by(|&a, &b| rules[b].support.total_cmp(&rules[a].support))
            }
        }
        self.rule_order = order;
        self.nav = ListNav::default();
    }
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
    pub form: Option<FormState>,
    pub confirm: Option<Confirm>,
    /// Ids marked in the current pane for a bulk change.
    pub marked: BTreeSet<u64>,
    /// Writes that take back the changes made so far, newest last.
    pub undo: Vec<Write>,
    /// True while an undo is with the worker, so it is not itself pushed on the undo stack.
    undoing: bool,
    pub status: Option<(String, Tone)>,
    /// Jobs sent to the worker and not yet answered; the status bar spins while there are any.
    pub pending: usize,
    pub spinner: usize,
    pub quit: bool,
    /// Rows a list can show in the current terminal.
    pub rows: usize,
    finder_entries: Option<Arc<Vec<Entry>>>,
    worker: Worker,
    /// Every customer's name, for the deals and tickets that show it: one map for both.
    customer_names: HashMap<CustomerId, String>,
}

/// Lines around a list: tab bar, status, hints, the list's border and header.
const CHROME_ROWS: u16 = 6;

/// Customers read before the first frame: more than a tall terminal shows.
const FIRST_SCREEN: usize = 200;

impl AppState {
    pub fn new(
        store: Store,
        keymap: Keymap,
        worker: Worker,
        options: Options,
    ) -> Result<AppState, StoreError> {
        // The first screen only: everything else is read by the worker while the rep looks at it.
        let first = store.customers_by_name(FIRST_SCREEN)?;
        let mut customers = CustomersState::new(&first);
        customers.loading = true;
        let deals = DealsState::new(Vec::new());
        let tickets = TicketsState::new(Vec::new());
        let mut state = AppState {
            customers,
            deals,
            tickets,
            customer_names: HashMap::new(),
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
            form: None,
            confirm: None,
            marked: BTreeSet::new(),
            undo: Vec::new(),
            undoing: false,
            status: None,
            pending: 0,
            spinner: 0,
            quit: false,
            rows: 20,
            finder_entries: None,
            worker,
        };
        state.send(Job::Load);
        state.send(Job::Summaries);
        // Segments for the customers table come from the insights; start them in the background.
        state.refresh_insights(false);
        Ok(state)
    }

    /// The name of a customer, for a deal or ticket that points at them ("?" until loaded).
    pub fn customer_name(&self, id: CustomerId) -> &str {
        self.customer_names.get(&id).map_or("?", String::as_str)
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
        } else if self.confirm.is_some() {
            self.confirm_key(key);
        } else if self.form.is_some() {
            self.form_key(key);
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
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let moving = matches!(key.code, KeyCode::Enter | KeyCode::Up | KeyCode::Down)
            || (ctrl && matches!(key.code, KeyCode::Char('n') | KeyCode::Char('p')));
        if moving {
            self.settle();
        }
        let Some(finder) = self.finder.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.finder = None,
            KeyCode::Enter => {
                let target = finder.selected().cloned();
                self.finder = None;
                if let Some(entry) = target {
                    self.jump_to(entry.kind, entry.id);
                }
            }
            KeyCode::Down => finder.nav.down(finder.found.hits.len(), rows),
            KeyCode::Up => finder.nav.up(finder.found.hits.len(), rows),
            KeyCode::Char('n') if ctrl => finder.nav.down(finder.found.hits.len(), rows),
            KeyCode::Char('p') if ctrl => finder.nav.up(finder.found.hits.len(), rows),
            _ => {
                if finder.query.handle(key) == Edit::Changed {
                    finder.stale = true;
                }
            }
        }
    }

    /// Work left over from a batch of events, done once before the next frame: a burst of typing in
    /// the finder costs one search, not one per key.
    pub fn settle(&mut self) {
        if let Some(finder) = self.finder.as_mut()
            && finder.stale
        {
            finder.search();
        }
    }

    fn confirm_key(&mut self, key: KeyEvent) {
        let Some(confirm) = self.confirm.take() else {
            return;
        };
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                let verb = if matches!(confirm.write, Write::Batch(_)) {
                    "changing"
                } else {
                    "deleting"
                };
                self.say(
                    format!("{verb} {}…", self.describe_write(&confirm.write)),
                    Tone::Info,
                );
                self.send(Job::Write(confirm.write));
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => self.say("kept", Tone::Info),
            _ => self.confirm = Some(confirm),
        }
    }

    fn form_key(&mut self, key: KeyEvent) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        if form.saving {
            return;
        }
        match key.code {
            KeyCode::Esc => {
                self.form = None;
                self.say("not saved", Tone::Info);
            }
            KeyCode::Tab | KeyCode::Down => form.next(),
            KeyCode::BackTab | KeyCode::Up => form.previous(),
            KeyCode::Left | KeyCode::Right if form.cycle(key.code == KeyCode::Right) => {}
            KeyCode::Enter if form.bulk.is_some() => {
                let (field, value) = form.bulk_change();
                match self.bulk_preview(&field, &value) {
                    Ok(confirm) => {
                        self.form = None;
                        self.confirm = Some(confirm);
                    }
                    Err(message) => {
                        if let Some(form) = self.form.as_mut() {
                            form.error = Some((Some("value"), message));
                        }
                    }
                }
            }
            KeyCode::Enter => match form.to_write(&self.store, self.now, &self.user) {
                Ok(write) => {
                    form.saving = true;
                    form.error = None;
                    self.send(Job::Write(write));
                }
                Err((field, message)) => {
                    if let Some(i) = form.fields.iter().position(|f| Some(f.key) == field) {
                        form.focus = i;
                    }
                    form.error = Some((field, message));
                }
            },
            _ => {
                form.focused().input.handle(key);
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
                    PromptKind::Reply { .. } => {
                        if let Some(t) = self.tickets.with_reply(&self.user, &text, self.now) {
                            self.say("sending reply…", Tone::Info);
                            self.update_ticket(t);
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
            Action::Left | Action::Right
                if self.pane == Pane::Insights && self.detail.is_none() =>
            {
                let i = Section::ALL
                    .iter()
                    .position(|s| *s == self.insights.section)
                    .unwrap_or(0);
                let n = Section::ALL.len();
                self.insights.section = Section::ALL[if action == Action::Right {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                self.insights.nav = ListNav::default();
            }
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
            Action::SortNext if self.pane == Pane::Insights => {
                self.insights.rule_sort = match self.insights.rule_sort {
                    RuleSort::Lift => RuleSort::Confidence,
                    RuleSort::Confidence => RuleSort::Support,
                    RuleSort::Support => RuleSort::Lift,
                };
                self.insights.sort_rules();
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
                        self.update_ticket(t);
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
                if let Some((customer, name)) = self.current_customer() {
                    self.form = Some(FormState::note(customer, &name));
                }
            }
            Action::NewRecord => self.new_record(),
            Action::NewTicket => {
                let customer = self.current_customer().map(|c| c.0);
                self.form = Some(FormState::ticket(None, customer));
            }
            Action::Edit if !self.marked.is_empty() && self.detail.is_none() => {
                let target = match self.pane {
                    Pane::Customers => Some(BulkTarget::Customers),
                    Pane::Deals => Some(BulkTarget::Deals),
                    Pane::Tickets => Some(BulkTarget::Tickets),
                    Pane::Insights => None,
                };
                if let Some(target) = target {
                    self.form = Some(FormState::bulk(target, self.marked.len()));
                }
            }
            Action::Edit => self.edit(),
            Action::Mark => self.toggle_mark(),
            Action::Delete => self.ask_delete(),
            Action::Undo => match self.undo.pop() {
                Some(write) => {
                    self.say(
                        format!("undoing: {}…", self.describe(write.record())),
                        Tone::Info,
                    );
                    self.undoing = true;
                    self.send(Job::Write(write));
                }
                None => self.say("nothing to undo", Tone::Info),
            },
            Action::Refresh => self.refresh_insights(true),
        }
    }

    /// The customer whose page is open, or who is selected in the list.
    fn current_customer(&self) -> Option<(CustomerId, String)> {
        match &self.detail {
            Some(d) => Some((d.customer.id, d.customer.name.clone())),
            None if self.pane == Pane::Customers => {
                self.customers.selected().map(|r| (r.id, r.name.clone()))
            }
            None => None,
        }
    }

    fn new_record(&mut self) {
        let customer = match self.pane {
            Pane::Customers => self.current_customer().map(|c| c.0),
            _ if self.detail.is_some() => self.current_customer().map(|c| c.0),
            _ => None,
        };
        self.form = Some(match (self.detail.is_some(), self.pane) {
            (true, _) | (false, Pane::Deals) => {
                let customer = customer.or_else(|| self.deals.selected().map(|d| d.customer));
                FormState::deal(None, customer, &self.user)
            }
            (false, Pane::Tickets) => {
                FormState::ticket(None, self.tickets.selected().map(|t| t.customer))
            }
            _ => FormState::customer(None),
        });
    }

    fn edit(&mut self) {
        let form = match (&self.detail, self.pane) {
            (Some(d), _) => Some(FormState::customer(Some(&d.customer))),
            (None, Pane::Customers) => {
                let id = self.customers.selected().map(|r| r.id);
                match id.map(|id| self.store.get::<Customer>(id.0)) {
                    Some(Ok(Some(c))) => Some(FormState::customer(Some(&c))),
                    Some(Err(e)) => {
                        self.say(e.to_string(), Tone::Bad);
                        None
                    }
                    _ => None,
                }
            }
            (None, Pane::Deals) => self
                .deals
                .selected()
                .map(|d| FormState::deal(Some(d), None, &self.user)),
            (None, Pane::Tickets) => self
                .tickets
                .open_ticket()
                .or(self.tickets.selected())
                .map(|t| FormState::ticket(Some(t), None)),
            (None, Pane::Insights) => None,
        };
        self.form = form;
    }

    fn ask_delete(&mut self) {
        let record = match (&self.detail, self.pane) {
            (Some(d), _) => Some(Record::Customer(d.customer.clone())),
            (None, Pane::Customers) => self
                .customers
                .selected()
                .and_then(|r| self.store.get::<Customer>(r.id.0).ok().flatten())
                .map(Record::Customer),
            (None, Pane::Deals) => self.deals.selected().cloned().map(Record::Deal),
            (None, Pane::Tickets) => self
                .tickets
                .open_ticket()
                .or(self.tickets.selected())
                .cloned()
                .map(Record::Ticket),
            (None, Pane::Insights) => None,
        };
        if let Some(record) = record {
            self.confirm = Some(Confirm {
                question: format!("Delete {}? (u undoes it) y/n", record.describe()),
                write: Write::Delete {
                    record,
                    notes: Vec::new(),
                },
                details: Vec::new(),
            });
        }
    }

    fn toggle_mark(&mut self) {
        if self.detail.is_some() {
            return;
        }
        let id = match self.pane {
            Pane::Customers => self.customers.selected().map(|r| r.id.0),
            Pane::Deals => self.deals.selected().map(|d| d.id.0),
            Pane::Tickets => self.tickets.selected().map(|t| t.id.0),
            Pane::Insights => None,
        };
        if let Some(id) = id {
            if !self.marked.remove(&id) {
                self.marked.insert(id);
            }
            self.navigate(Action::Down, self.rows);
            self.say(
                format!(
                    "{} marked · e changes them all · esc clears",
                    self.marked.len()
                ),
                Tone::Info,
            );
        }
    }

    /// The change a bulk form asks for, as a preview to confirm: every marked record, before → after.
    fn bulk_preview(&self, field: &str, value: &str) -> Result<Confirm, String> {
        let value = value.trim();
        let text = |v: &str| Some(v.to_string()).filter(|v| !v.is_empty());
        let mut pairs = Vec::new();
        let mut details = Vec::new();
        match self.pane {
            Pane::Customers => {
                for &id in &self.marked {
                    let Some(old) = self.store.get::<Customer>(id).map_err(|e| e.to_string())?
                    else {
                        continue;
                    };
                    let mut new = old.clone();
                    let (before, after) = match field {
                        "owner" => {
                            new.owner = text(value);
                            (opt_text(&old.owner), value.to_string())
                        }
                        "stage" => {
                            new.stage = value.parse()?;
                            (old.stage.to_string(), new.stage.to_string())
                        }
                        _ => {
                            if !new.tags.iter().any(|t| t == value) {
                                new.tags.push(value.to_string());
                            }
                            (old.tags.join(", "), new.tags.join(", "))
                        }
                    };
                    new.validate().map_err(|e| e.to_string())?;
                    new.updated = self.now;
                    details.push(format!("{}: {before} → {after}", old.name));
                    pairs.push((Record::Customer(old), Record::Customer(new)));
                }
            }
            Pane::Deals => {
                for deal in self
                    .deals
                    .deals
                    .iter()
                    .filter(|d| self.marked.contains(&d.id.0))
                {
                    let mut new = deal.clone();
                    let (before, after) = match field {
                        "owner" => {
                            new.owner = text(value);
                            (opt_text(&deal.owner), value.to_string())
                        }
                        _ => {
                            new.move_to(value.parse()?, None, self.now);
                            (deal.stage.to_string(), new.stage.to_string())
                        }
                    };
                    new.updated = self.now;
                    details.push(format!("{}: {before} → {after}", deal.title));
                    pairs.push((Record::Deal(deal.clone()), Record::Deal(new)));
                }
            }
            Pane::Tickets => {
                for ticket in self
                    .tickets
                    .tickets
                    .iter()
                    .filter(|t| self.marked.contains(&t.id.0))
                {
                    let mut new = ticket.clone();
                    let (before, after) = match field {
                        "status" => {
                            new.status = value.parse()?;
                            (ticket.status.to_string(), new.status.to_string())
                        }
                        _ => {
                            new.priority = value.parse()?;
                            (ticket.priority.to_string(), new.priority.to_string())
                        }
                    };
                    new.updated = self.now;
                    details.push(format!(
                        "#{} {}: {before} → {after}",
                        ticket.id, ticket.subject
                    ));
                    pairs.push((Record::Ticket(ticket.clone()), Record::Ticket(new)));
                }
            }
            Pane::Insights => {}
        }
        if pairs.is_empty() {
            return Err("nothing marked to change".into());
        }
        Ok(Confirm {
            question: format!(
                "Set {field} to '{value}' on these {}? y/n (u undoes it)",
                pairs.len()
            ),
            write: Write::Batch(pairs),
            details,
        })
    }

    fn update_ticket(&mut self, new: Ticket) {
        if let Some(old) = self
            .tickets
            .tickets
            .iter()
            .find(|t| t.id == new.id)
            .cloned()
        {
            self.send(Job::Write(Write::Update {
                old: Record::Ticket(old),
                new: Record::Ticket(new),
            }));
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
            Pane::Insights => {
                let len = match self.insights.section {
                    Section::Rules => self.insights.rule_order.len(),
                    _ => 0,
                };
                (&mut self.insights.nav, len)
            }
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
        if pane != self.pane {
            self.marked.clear();
        }
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
        if !self.marked.is_empty() {
            self.marked.clear();
            self.say("marks cleared", Tone::Info);
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

    /// The open customer's segment, cluster and suggestions, once the insights are in.
    fn fill_detail_insight(&mut self) {
        if let (Some(detail), Some(engine)) = (self.detail.as_mut(), &self.insights.engine) {
            detail.insight = engine.for_customer(detail.customer.id, 3);
            detail.insight_ready = true;
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
                self.fill_detail_insight();
                if self.insights.engine.is_none() {
                    self.refresh_insights(false);
                }
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
        let entries = self.finder_entries();
        self.finder = Some(FinderState::new(entries));
    }

    /// Puts the records the worker read in place of the first screen, keeping the rep's place.
    fn take_loaded(&mut self, loaded: Loaded) {
        self.customer_names = loaded
            .customers
            .iter()
            .map(|c| (c.id, c.name.clone()))
            .collect();
        let mut customers = CustomersState::new(&loaded.customers);
        let old = std::mem::take(&mut self.customers);
        customers.take_place(old);
        self.customers = customers;
        self.deals = DealsState::new(loaded.deals);
        self.tickets = TicketsState::new(loaded.tickets);
        self.finder_entries = None;
        if self.finder.is_some() {
            let query = self.finder.as_ref().map(|f| f.query.clone());
            self.open_finder();
            if let (Some(finder), Some(query)) = (self.finder.as_mut(), query) {
                finder.query = query;
                finder.search();
            }
        }
        if let Some(first) = loaded.damaged.first() {
            self.say(
                format!(
                    "{} damaged record(s) left out ({first}); rapport backup saves the rest",
                    loaded.damaged.len()
                ),
                Tone::Bad,
            );
        }
        crate::memory::give_back();
    }

    /// Quick lookup's index, built on first use (benchmarks draw realistic queries from it).
    pub fn finder_entries(&mut self) -> Arc<Vec<Entry>> {
        if self.finder_entries.is_none() {
            self.finder_entries = Some(Arc::new(self.finder_index()));
        }
        Arc::clone(self.finder_entries.as_ref().expect("just built"))
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
            out.push(Entry::new(Kind::Customer, r.id.0, text));
        }
        for d in &self.deals.deals {
            let text = format!("{} · {}", d.title, self.customer_name(d.customer));
            out.push(Entry::new(Kind::Deal, d.id.0, text));
        }
        for t in &self.tickets.tickets {
            let text = format!(
                "#{} {} · {}",
                t.id,
                t.subject,
                self.customer_name(t.customer)
            );
            out.push(Entry::new(Kind::Ticket, t.id.0, text));
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
        match (
            self.deals.moved(target, self.now),
            self.deals.selected().cloned(),
        ) {
            (Some(deal), Some(old)) => {
                self.say(format!("{} → {}…", deal.title, deal.stage), Tone::Info);
                self.send(Job::Write(Write::Update {
                    old: Record::Deal(old),
                    new: Record::Deal(deal),
                }));
            }
            _ => self.say("the deal cannot move that way", Tone::Info),
        }
    }

    pub fn handle_done(&mut self, done: Done) {
        self.pending = self.pending.saturating_sub(1);
        let rows = self.rows;
        match done {
            Done::Loaded(loaded) => self.take_loaded(*loaded),
            Done::Summaries(summaries) => {
                self.customers.summaries = Some(summaries);
                self.customers.refresh_view();
            }
            Done::Insights(data, engine) => {
                self.insights.data = Some(data);
                self.insights.version = Some(engine.version);
                self.insights.engine = Some(engine);
                self.insights.loading = false;
                self.insights.sort_rules();
                self.fill_detail_insight();
                if let Some(engine) = &self.insights.engine {
                    self.customers.segments = Some(
                        engine
                            .segments
                            .rows
                            .iter()
                            .map(|r| (r.customer, r.segment))
                            .collect(),
                    );
                    self.customers.refresh_view();
                }
            }
            Done::Written(write) => {
                let what = self.describe_write(&write);
                let verb = match &write {
                    Write::Batch(_) => "changed",
                    Write::Create(_) => "created",
                    Write::Update { .. } => "saved",
                    Write::Delete { .. } => "deleted",
                    Write::Restore { .. } => "restored",
                };
                if self.form.as_ref().is_some_and(|f| f.saving) {
                    self.form = None;
                }
                if std::mem::take(&mut self.undoing) {
                    self.say(format!("undone: {what} {verb}"), Tone::Good);
                } else {
                    self.say(format!("{verb} {what}"), Tone::Good);
                    self.undo.push(write.inverse());
                }
                if matches!(write, Write::Batch(_)) {
                    self.marked.clear();
                }
                self.take_in(&write, rows);
                self.after_write();
            }
            Done::WriteFailed { message, field, .. } => {
                self.undoing = false;
                match self.form.as_mut().filter(|f| f.saving) {
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
            Done::Failed(message) => {
                self.insights.loading = false;
                self.say(format!("not saved: {message}"), Tone::Bad);
            }
        }
    }

    fn describe_write(&self, write: &Write) -> String {
        match write {
            Write::Batch(pairs) => format!("{} records", pairs.len()),
            other => self.describe(other.record()),
        }
    }

    /// A record as the status bar names it.
    fn describe(&self, record: &Record) -> String {
        match record {
            Record::Note(n) => format!("note on {}", self.customer_name(n.customer)),
            other => other.describe(),
        }
    }

    /// Brings the panes in line with a write the store has made.
    fn take_in(&mut self, write: &Write, rows: usize) {
        match write {
            Write::Delete { record, .. } => self.take_in_record(record, true, rows),
            other => {
                for record in other.results() {
                    self.take_in_record(record, false, rows);
                }
            }
        }
    }

    fn take_in_record(&mut self, record: &Record, gone: bool, rows: usize) {
        match record {
            Record::Customer(c) => {
                if gone {
                    self.customers.remove(c.id);
                    if self.detail.as_ref().is_some_and(|d| d.customer.id == c.id) {
                        self.detail = None;
                    }
                } else {
                    self.customers.upsert(c);
                    self.customer_names.insert(c.id, c.name.clone());
                }
            }
            Record::Deal(d) if gone => self.deals.remove(d.id),
            Record::Deal(d) => self.deals.saved(d.clone(), rows),
            Record::Ticket(t) if gone => self.tickets.remove(t.id),
            Record::Ticket(t) => self.tickets.saved(t.clone(), rows),
            Record::Note(_) => {}
        }
        // A customer's page shows their deals, tickets and notes: read it again.
        let customer = match record {
            Record::Customer(c) => c.id,
            Record::Deal(d) => d.customer,
            Record::Ticket(t) => t.customer,
            Record::Note(n) => n.customer,
        };
        let customer_gone = gone && matches!(record, Record::Customer(_));
        if !customer_gone
            && self
                .detail
                .as_ref()
                .is_some_and(|d| d.customer.id == customer)
        {
            self.open_customer(customer);
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

fn opt_text(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "—".into())
}
