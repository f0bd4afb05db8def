//! The app's state and the one place it changes: keys become actions, actions and worker results
//! update the panes. Nothing here draws, touches a terminal or reads the store: every record comes
//! from the worker, out of the process's shared read model, so all of it is testable as plain data.

/// The panes' shared context, from a session's fields: a macro, so that a pane can be borrowed
/// to change while the context borrows the fields beside it.
macro_rules! ctx {
    ($state:expr) => {
        $crate::tui::state::pane::Ctx {
            records: &$state.records,
            insights: $state.insights.view.clone(),
            me: &$state.user,
            mine: $state.mine,
            now: $state.now,
            rows: $state.rows,
            marked: &$state.marked,
            computing: $state.insights.loading,
        }
    };
}

pub mod account;
pub mod customers;
pub mod deals;
pub mod detail;
pub mod duplicates;
mod edits;
mod effect;
mod events;
pub mod finder;
mod followups;
pub mod form;
mod history;
pub mod input;
pub mod insights;
pub mod list;
pub mod pane;
mod popup;
pub mod tickets;
pub mod today;

use super::action::Action;
use super::keymap::{Context, Keymap};
use super::worker::{Cleaned, Done, Job, Record, Worker, Write};
use crate::domain::{CustomerId, Timestamp};
use crate::model::Snapshot;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use customers::CustomersState;
use deals::DealsState;
use detail::DetailState;
use form::{BulkTarget, FormState};
use input::TextInput;
pub use insights::{InsightsState, RuleSort, Section};
use pane::Component;
pub use popup::{Confirm, Popup, Prompt, PromptKind};
use std::collections::BTreeSet;
use std::sync::Arc;
use tickets::TicketsState;
use today::TodayState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Today,
    Customers,
    Deals,
    Tickets,
    Insights,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Today,
        Pane::Customers,
        Pane::Deals,
        Pane::Tickets,
        Pane::Insights,
    ];

    /// The digit that shows the pane.
    pub fn key(self) -> char {
        match self {
            Pane::Today => '0',
            Pane::Customers => '1',
            Pane::Deals => '2',
            Pane::Tickets => '3',
            Pane::Insights => '4',
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Today => "Today",
            Pane::Customers => "Customers",
            Pane::Deals => "Deals",
            Pane::Tickets => "Tickets",
            Pane::Insights => "Insights",
        }
    }

    /// The pane a saved view names (by its title, any case); customers when it names none.
    pub fn named(name: Option<&str>) -> Pane {
        Pane::ALL
            .into_iter()
            .find(|p| name.is_some_and(|n| p.title().eq_ignore_ascii_case(n)))
            .unwrap_or(Pane::Customers)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Good,
    Bad,
}

pub struct Options {
    pub readonly: bool,
    /// Whose name goes on notes and replies.
    pub user: String,
    pub now: Timestamp,
}

/// One session: what this rep looks at. The records themselves are shared (`records`).
pub struct AppState {
    pub keymap: Keymap,
    pub readonly: bool,
    pub user: String,
    pub now: Timestamp,
    /// The newest snapshot of the shared records this session has taken in.
    pub records: Arc<Snapshot>,
    pub pane: Pane,
    pub customers: CustomersState,
    pub deals: DealsState,
    pub tickets: TicketsState,
    pub insights: InsightsState,
    pub today: TodayState,
    /// Every customer prepared for the new-customer form's warning (asked for when such a form
    /// opens), by the records' version it was made from.
    look_alikes: popup::LookAlikeIndex,
    /// Only the rep's own records in every list (customers they own, their deals, their
    /// customers' tickets, their follow-ups), or everyone's.
    pub mine: bool,
    /// Saved views from the config file, and which one is shown (`V` steps through them).
    pub views: Vec<crate::config::View>,
    pub view_at: Option<usize>,
    pub detail: Option<DetailState>,
    /// A customer page asked of the worker and not yet shown.
    opening: Option<CustomerId>,
    /// The pane a customer's page was opened from, where Esc goes back to.
    came_from: Option<Pane>,
    /// Pop-ups over the panes, the top one last (see `popup`).
    popups: Vec<Popup>,
    /// Ids marked in the current pane for a bulk change.
    pub marked: BTreeSet<u64>,
    /// The last key was a cancel (Esc, Ctrl-C) that kept typed text; the same again drops it.
    discard_armed: Option<&'static str>,
    /// How to take back this session's changes, and a write waiting on another.
    history: history::History,
    pub status: Option<(String, Tone)>,
    /// How many messages were said so far: a key that changes the screen without saying a new
    /// one takes the old one away (a message belongs to the screen that said it).
    said: u64,
    /// Jobs sent to the worker and not yet answered; the status bar spins while there are any.
    pub pending: usize,
    pub spinner: usize,
    pub quit: bool,
    /// Text for the rep's clipboard, sent to their terminal (OSC 52) with the next frame.
    pub clipboard: Option<String>,
    /// Sessions open on this server, this one included (served sessions only).
    pub presence: Option<Arc<std::sync::atomic::AtomicUsize>>,
    /// Rows a list can show in the current terminal.
    pub rows: usize,
    worker: Worker,
}

/// Where a record is changed: notes live on their customer.
pub(super) fn pane_of(record: &Record) -> Pane {
    match record {
        Record::Deal(_) => Pane::Deals,
        Record::Ticket(_) => Pane::Tickets,
        _ => Pane::Customers,
    }
}

/// Lines around a list: tab bar, status, hints, the list's border and header.
const CHROME_ROWS: u16 = 6;

/// Customers read before the first frame: more than a tall terminal shows.
const FIRST_SCREEN: usize = 200;

impl AppState {
    /// A new session. With the read model loaded (another session started it) the first frame
    /// shows every record; otherwise it shows the first screen by name while the worker reads on.
    pub fn new(keymap: Keymap, worker: Worker, options: Options) -> anyhow::Result<AppState> {
        let records = worker.model().first_screen(FIRST_SCREEN)?;
        let mut customers =
            CustomersState::new(Arc::clone(&records.customers), Arc::clone(&records.by_name));
        customers.summaries = records.summaries.clone();
        customers.loading = records.partial;
        let mut state = AppState {
            customers,
            deals: DealsState::new(
                Arc::clone(&records.deals),
                Arc::clone(&records.pipeline),
                Arc::clone(&records.deals_by_close),
            ),
            tickets: TicketsState::new(Arc::clone(&records.tickets), Arc::clone(&records.queue)),
            records,
            keymap,
            readonly: options.readonly,
            user: options.user,
            now: options.now,
            pane: Pane::Customers,
            insights: InsightsState::default(),
            today: TodayState::default(),
            look_alikes: Default::default(),
            mine: false,
            views: Vec::new(),
            view_at: None,
            detail: None,
            opening: None,
            came_from: None,
            popups: Vec::new(),
            marked: BTreeSet::new(),
            history: Default::default(),
            discard_armed: None,
            status: None,
            said: 0,
            pending: 0,
            spinner: 0,
            quit: false,
            clipboard: None,
            presence: None,
            rows: 20,
            worker,
        };
        if state.records.partial {
            state.send(Job::Load);
        }
        if state.records.summaries.is_none() {
            state.send(Job::Summaries);
        }
        state.send(Job::Views(crate::tui::worker::ViewChange::None));
        // Segments for the customers table come from the insights; start them in the background.
        state.refresh_insights(false);
        Ok(state)
    }

    /// What every pane reads.
    pub fn ctx(&self) -> pane::Ctx<'_> {
        ctx!(self)
    }

    /// The name of a customer, for a deal or ticket that points at them ("?" until loaded).
    pub fn customer_name(&self, id: CustomerId) -> &str {
        self.records.customer_name(id).unwrap_or("?")
    }

    pub fn resize(&mut self, height: u16) {
        self.rows = height.saturating_sub(CHROME_ROWS).max(1) as usize;
    }

    fn send(&mut self, job: Job) {
        self.pending += 1;
        self.worker.send(job);
        self.take_arrived();
    }

    /// Handles what an inline worker has for this session: its answers, and snapshots that other
    /// sessions' writes made. (A threaded worker's arrive as events.)
    pub fn take_arrived(&mut self) {
        while let Some(done) = self.worker.take_inline() {
            self.handle_done(done);
        }
    }

    /// Where keys go now: the top pop-up, the filter, the open page, or the pane.
    pub fn context(&self) -> Context {
        if let Some(top) = self.popups.last() {
            return top.context();
        }
        if self.customers.filtering && self.pane == Pane::Customers && self.detail.is_none() {
            return Context::Filter;
        }
        if self.detail.is_some() {
            return Context::Detail;
        }
        match self.pane {
            Pane::Customers => Context::Customers,
            Pane::Deals => Context::Deals,
            Pane::Tickets => Context::Tickets,
            Pane::Insights if self.insights.section == Section::Duplicates => Context::Duplicates,
            Pane::Insights => Context::Insights,
            Pane::Today => Context::Today,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        let (screen, said) = (self.screen(), self.said);
        self.handle_key_on_screen(key);
        if self.said == said && self.screen() != screen {
            self.status = None;
        }
    }

    /// What is on screen, as far as a message is concerned: the pane, the page open on it and
    /// the pop-ups over it.
    fn screen(&self) -> (Pane, Option<u64>, Option<u64>, usize) {
        (
            self.pane,
            self.detail.as_ref().map(|d| d.customer.id.0),
            self.deals.open.map(|d| d.0),
            self.popups.len(),
        )
    }

    fn handle_key_on_screen(&mut self, key: KeyEvent) {
        let armed = std::mem::take(&mut self.discard_armed);
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            if !self.keeps_typed_text(armed, "Ctrl-C") {
                self.quit = true;
            }
            return;
        }
        let context = self.context();
        if context.takes_text() {
            self.popup_key(context, key, armed);
        } else if let Some(action) = self.keymap.action(context, key) {
            self.apply(action);
        }
    }

    /// Work left over from a batch of events, done once before the next frame: a burst of typing in
    /// the finder costs one search, not one per key.
    pub fn settle(&mut self) {
        if let Some(finder) = self.finder_mut()
            && finder.stale
        {
            finder.search();
            // Orders are not in the index (there are millions); the store finds one by number.
            if let Some(number) = finder.order_to_ask() {
                self.send(Job::Order(number));
            }
        }
    }

    /// Why this session may not take `action`: a read-only session's writes, and what the role
    /// does not allow, refused before a form is filled in, not after (`Ops` checks again).
    fn refusal(&self, action: Action) -> Option<String> {
        if self.readonly && action.writes() {
            let why = match self.worker.actor().role {
                crate::domain::Role::Viewer => {
                    "read-only: this session only reads (a viewer's, or --readonly)"
                }
                _ => "read-only: changes are turned off (--readonly)",
            };
            return Some(why.into());
        }
        let task = match action {
            Action::Edit if !self.marked.is_empty() && self.detail.is_none() => {
                Some(crate::ops::Task::BulkEdit)
            }
            Action::Delete => Some(crate::ops::Task::Delete),
            Action::Merge | Action::Unmerge => Some(crate::ops::Task::Merge),
            Action::NotDuplicate => Some(crate::ops::Task::AddNote),
            _ => None,
        };
        match task.map(|t| self.worker.check(t)) {
            Some(Err(refused)) => Some(format!("not allowed: {refused}")),
            _ => None,
        }
    }

    pub fn apply(&mut self, action: Action) {
        if let Some(why) = self.refusal(action) {
            self.say(why, Tone::Bad);
            return;
        }
        // Marks and refresh have a meaning of their own among the pairs.
        if self.context() == Context::Duplicates && matches!(action, Action::Mark | Action::Refresh)
        {
            self.act_on_pane(action);
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            // Keys of the Duplicates section, which ignores them elsewhere.
            Action::Merge | Action::NotDuplicate | Action::Unmerge => self.pane_action(action),
            Action::Help => self.open_popup(Popup::Help { scroll: 0 }),
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
            Action::PaneToday => self.show_pane(Pane::Today),
            Action::ToggleMine => self.toggle_mine(),
            Action::AddFollowup => self.add_followup(),
            Action::Snooze => self.snooze(),
            Action::NextView => self.next_view(),
            Action::SaveView => self.ask_view_name(),
            Action::CopyEmail | Action::CopyPhone => self.copy_contact(action),
            Action::ReadCard => self.read_card(),
            Action::OpenAccount => self.open_account(),
            Action::NewAccount => self.new_account(),
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => self.navigate(action),
            Action::Open | Action::Accept => self.open(),
            Action::Back | Action::Cancel => self.back(),
            // A form's own keys: nothing to move between on a pane.
            Action::NextField
            | Action::PrevField
            | Action::ClearText
            | Action::NewLine
            | Action::RenameView
            | Action::DeleteView => {}
            Action::Left
            | Action::Right
            | Action::Filter
            | Action::SortNext
            | Action::SortReverse
            | Action::ToggleView
            | Action::StageNext
            | Action::StagePrev
            | Action::MarkWon
            | Action::MarkLost
            | Action::StatusNext
            | Action::StatusPrev
            | Action::Reply
            | Action::Refresh => self.pane_action(action),
            Action::AddNote => self.add_note(),
            Action::NewRecord => self.new_record(),
            Action::NewTicket => {
                let customer = self.current_customer().map(|c| c.0);
                self.open_popup(Popup::Form(FormState::ticket(None, customer)));
            }
            Action::Edit if !self.marked.is_empty() && self.detail.is_none() => {
                let target = match self.pane {
                    Pane::Customers => Some(BulkTarget::Customers),
                    Pane::Deals => Some(BulkTarget::Deals),
                    Pane::Tickets => Some(BulkTarget::Tickets),
                    Pane::Insights | Pane::Today => None,
                };
                if let Some(target) = target {
                    self.open_popup(Popup::Form(FormState::bulk(target, self.marked.len())));
                }
            }
            Action::Edit => self.edit(),
            Action::Mark => self.toggle_mark(),
            Action::Delete => self.ask_delete(),
            Action::Undo => match self.history.take_back() {
                Some(write) => {
                    self.say(format!("{}…", self.undo_text(&write)), Tone::Info);
                    self.send(Job::Write(write));
                }
                None => self.say("nothing to undo", Tone::Info),
            },
        }
    }

    /// A move on the open page, else in the pane.
    fn navigate(&mut self, action: Action) {
        match &mut self.detail {
            Some(d) => {
                d.in_timeline = true;
                d.nav.go(action, d.timeline.len(), self.rows);
            }
            None => self.act_on_pane(action),
        }
    }

    /// The pane on screen, as a component.
    fn current(&self) -> &dyn Component {
        match self.pane {
            Pane::Customers => &self.customers,
            Pane::Deals => &self.deals,
            Pane::Tickets => &self.tickets,
            Pane::Insights => &self.insights,
            Pane::Today => &self.today,
        }
    }

    /// An action for the pane on screen; what it asks beyond itself is carried out here.
    fn act_on_pane(&mut self, action: Action) {
        let ctx = ctx!(self);
        let pane: &mut dyn Component = match self.pane {
            Pane::Customers => &mut self.customers,
            Pane::Deals => &mut self.deals,
            Pane::Tickets => &mut self.tickets,
            Pane::Insights => &mut self.insights,
            Pane::Today => &mut self.today,
        };
        let effect = pane.act(action, &ctx);
        self.run(effect);
    }

    pub(super) fn show_pane(&mut self, pane: Pane) {
        self.detail = None;
        self.came_from = None;
        if pane != self.pane {
            self.marked.clear();
        }
        self.pane = pane;
        if pane == Pane::Insights {
            self.refresh_insights(false);
        }
        if pane == Pane::Today {
            // Calls to make come from the insights; the day is shown without them until then.
            self.refresh_insights(false);
            if self.today.stale || self.today.items.is_empty() {
                self.rebuild_today();
            }
        }
    }

    /// The account of the customer on their page, or selected in the table.
    fn open_account(&mut self) {
        let person = match &self.detail {
            Some(d) => Some(d.customer.id),
            None if self.pane == Pane::Customers && self.customers.account.is_none() => {
                self.customers.selected().map(|r| r.id())
            }
            None => None,
        };
        if let Some(person) = person {
            self.show_account(account::AccountOf::Person(person));
        }
    }

    /// An account's page over the customers table; the worker reads it.
    pub fn show_account(&mut self, of: account::AccountOf) {
        let view = account::AccountView::new(of);
        let job = view.job();
        self.show_pane(Pane::Customers);
        // Open before the job goes: a worker run inline answers at once.
        self.customers.account = Some(view);
        self.send(job);
    }

    fn open(&mut self) {
        match self.detail {
            Some(_) => self.read_entry(),
            None => self.act_on_pane(Action::Open),
        }
    }

    fn back(&mut self) {
        if self.detail.take().is_some() {
            if let Some(pane) = self.came_from.take() {
                self.pane = pane;
            }
            return;
        }
        if self.pane == Pane::Customers && self.customers.account.take().is_some() {
            return;
        }
        if self.pane == Pane::Deals && self.deals.close_page() {
            return;
        }
        if !self.marked.is_empty() {
            self.marked.clear();
            self.say("marks cleared", Tone::Info);
            return;
        }
        if self.tickets.open.take().is_some() {
            self.tickets.thread_scroll = Default::default();
            return;
        }
        if self.pane == Pane::Customers && self.customers.only.take().is_some() {
            self.customers.refresh_view();
            return;
        }
        if self.pane == Pane::Customers && !self.customers.filter.value.is_empty() {
            self.customers.filter = TextInput::default();
            self.customers.refresh_view();
        }
    }

    pub fn say(&mut self, message: impl Into<String>, tone: Tone) {
        self.status = Some((message.into(), tone));
        self.said += 1;
    }

    pub fn tick(&mut self) {
        self.spinner = self.spinner.wrapping_add(1);
    }

    /// The team changed this rep's role. What is open stays open; a save the new role may not
    /// make is refused when it is tried, with the typed text kept.
    pub fn set_role(&mut self, role: crate::domain::Role) {
        use crate::domain::Role;
        self.worker.set_role(role);
        self.readonly = role == Role::Viewer;
        let what = match role {
            Role::Viewer => "you can read but no longer change records",
            Role::Rep => "you can change your own customers, and add notes to any",
            Role::Manager => "you can change and delete any record, and merge customers",
            Role::Admin => "you can also import, empty the trash and erase a person",
        };
        self.say(format!("your role is now {role}: {what}"), Tone::Info);
    }
}
