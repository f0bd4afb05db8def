//! Follow-ups in the app, the Today pane, and "mine": the rep's own records in every list.

use super::form::FormState;
use super::pane::Component;
use super::{AppState, Job, Pane, Popup, Tone, Write};
use crate::domain::CustomerId;
use crate::tui::worker::{Record, ViewChange};
use std::sync::Arc;

pub use super::pane::About;

impl AppState {
    pub(super) fn toggle_mine(&mut self) {
        if self.pane == Pane::Today && self.detail.is_none() {
            // The day is the rep's own by default; m shows the team's.
            self.today.everyone = !self.today.everyone;
            self.rebuild_today();
            let whose = match self.today.everyone {
                true => "everyone's day (m shows yours)".to_string(),
                false => format!("{}'s day", self.user),
            };
            self.say(whose, Tone::Info);
            return;
        }
        self.mine = !self.mine;
        self.marked.clear();
        self.load_panes();
        let whose = match self.mine {
            true => format!("only {}'s records (m shows everyone's)", self.user),
            false => "everyone's records".to_string(),
        };
        self.say(whose, Tone::Info);
    }

    /// Hands each pane the session's records, narrowed to the rep's own with "mine" on.
    pub(super) fn load_panes(&mut self) {
        let ctx = ctx!(self);
        self.customers.take(&ctx);
        self.deals.take(&ctx);
        self.tickets.take(&ctx);
        self.insights.take(&ctx);
    }

    /// Makes the day again from the records and insights this session has; when the pane is not
    /// on screen it only notes that it is out of date.
    pub(super) fn rebuild_today(&mut self) {
        if self.pane != Pane::Today {
            self.today.stale = true;
            return;
        }
        let ctx = ctx!(self);
        self.today.take(&ctx);
    }

    /// The customer in view and, on a deal or ticket, which one: what a new follow-up (or note)
    /// is about.
    pub(super) fn customer_in_view(&self) -> Option<(CustomerId, About)> {
        if let Some(d) = &self.detail {
            return Some((d.customer.id, (None, None)));
        }
        self.current().in_view()
    }

    /// `f`: on an open follow-up in Today, how it went and the next step; anywhere else a
    /// customer is in view, a new follow-up with them.
    pub(super) fn add_followup(&mut self) {
        if self.pane == Pane::Today
            && self.detail.is_none()
            && let Some(f) = self.today.selected_followup().filter(|f| f.is_open())
        {
            let name = self.customer_name(f.customer).to_string();
            let form = FormState::outcome(f, &name);
            self.open_popup(Popup::Form(form));
            return;
        }
        let Some((customer, about)) = self.customer_in_view() else {
            self.say("choose a customer, deal or ticket first", Tone::Info);
            return;
        };
        let name = self.customer_name(customer).to_string();
        let form = FormState::followup(None, customer, &name, about, &self.user);
        self.open_popup(Popup::Form(form));
    }

    /// `e` in Today: the selected follow-up, to reschedule or reword.
    pub(super) fn edit_followup(&mut self) {
        let Some(f) = self.today.selected_followup().cloned() else {
            self.say("e changes a follow-up: choose one", Tone::Info);
            return;
        };
        let name = self.customer_name(f.customer).to_string();
        let form = FormState::followup(Some(&f), f.customer, &name, (f.deal, f.ticket), &self.user);
        self.open_popup(Popup::Form(form));
    }

    pub(super) fn snooze(&mut self) {
        let Some(old) = self.today.selected_followup().cloned() else {
            self.say("z snoozes a follow-up: choose one", Tone::Info);
            return;
        };
        let mut new = old.clone();
        new.snooze(self.now);
        let saying = format!("snoozed to {}…", crate::domain::due_text(new.due, self.now));
        self.say(saying, Tone::Info);
        self.today.hold_place = true;
        self.send(Job::Write(Write::Update {
            old: Record::Followup(old),
            new: Record::Followup(new),
        }));
    }

    /// Enter in Today: the follow-up's or call's customer, the ticket's thread, the deal's page.
    /// The customers table, showing only `ids` (a segment, those a rule is about).
    pub(super) fn show_only(&mut self, what: String, ids: Vec<CustomerId>) {
        let n = ids.len();
        self.show_pane(Pane::Customers);
        self.customers.only = Some((what, Arc::new(ids.into_iter().collect())));
        self.customers.filter = Default::default();
        self.customers.refresh_view();
        self.customers.nav = Default::default();
        self.say(
            format!(
                "{}; esc shows everyone",
                crate::text::count(n, "customer", "customers")
            ),
            Tone::Info,
        );
    }

    /// `V`: the next saved view, then back to how things were (everyone's, no filter).
    pub(super) fn next_view(&mut self) {
        if self.views.is_empty() {
            self.say(
                "no saved views: Ctrl-S keeps what is shown as one (or [[views]] in config.toml)",
                Tone::Info,
            );
            return;
        }
        let next = self.view_at.map_or(0, |i| i + 1);
        let Some(view) = self.views.get(next).cloned() else {
            self.view_at = None;
            self.mine = false;
            self.customers.filter = Default::default();
            self.customers.only = None;
            self.load_panes();
            self.say(
                "no view: everyone's records, no filter (V: first view)",
                Tone::Info,
            );
            return;
        };
        self.view_at = Some(next);
        self.show_pane(Pane::named(view.pane.as_deref()));
        self.mine = view.mine;
        self.customers.only = None;
        self.customers.filter = super::input::TextInput {
            cursor: view.filter.as_deref().map_or(0, |f| f.chars().count()),
            value: view.filter.clone().unwrap_or_default(),
        };
        self.load_panes();
        self.customers.refresh_view();
        self.say(
            format!(
                "view {} of {}: {} (V: next)",
                next + 1,
                self.views.len(),
                view.name
            ),
            Tone::Info,
        );
    }

    /// Ctrl-S: asks a name for what is shown, to keep it as a view.
    /// A view changes no record: a viewer, or a --readonly session, may keep one too.
    pub(super) fn ask_view_name(&mut self) {
        let shown = (self.view_at)
            .and_then(|i| self.views.get(i))
            .map(|v| v.name.clone());
        // Empty: what is typed is the whole name (the view shown is named in the title).
        self.open_popup(Popup::Prompt(super::Prompt {
            kind: super::PromptKind::SaveView { shown },
            input: super::input::TextInput::default(),
        }));
    }

    /// What is shown, as a view called `name`, for the worker to save.
    pub(super) fn save_view(&mut self, name: &str) {
        let filter = self.customers.filter.value.trim();
        let view = crate::domain::View {
            name: name.to_string(),
            pane: Some(self.pane.title().to_lowercase()),
            filter: (!filter.is_empty()).then(|| filter.to_string()),
            mine: self.mine,
        };
        if let Err(e) = view.validate() {
            self.say(e.to_string(), Tone::Bad);
            return;
        }
        self.send(Job::Views(ViewChange::Save(view)));
    }

    /// The rep's saved views came: each takes the place of a config view of the same name.
    pub(super) fn take_views(
        &mut self,
        views: Result<Vec<crate::domain::View>, crate::ops::OpsError>,
        change: ViewChange,
    ) {
        let views = match views {
            Ok(v) => v,
            Err(e) => return self.say(format!("views: {e}"), Tone::Bad),
        };
        let safe = crate::text::safe;
        match &change {
            ViewChange::Delete(name) => {
                self.views.retain(|v| &v.name != name);
                self.view_at = None;
                let said = format!("view '{}' deleted ({} left)", safe(name), self.views.len());
                self.say(said, Tone::Good);
            }
            ViewChange::Rename { from, to } => {
                for v in self.views.iter_mut().filter(|v| &v.name == from) {
                    v.name = to.clone();
                }
                self.say(
                    format!("view '{}' is now '{}'", safe(from), safe(to)),
                    Tone::Good,
                );
            }
            ViewChange::None | ViewChange::Save(_) => {}
        }
        let saved = match change {
            ViewChange::Save(view) => Some(view.name),
            _ => None,
        };
        for view in views {
            match self.views.iter_mut().find(|v| v.name == view.name) {
                Some(old) => *old = view,
                None => self.views.push(view),
            }
        }
        if let Some(name) = saved {
            self.view_at = self.views.iter().position(|v| v.name == name);
            self.say(
                format!(
                    "view '{}' saved ({} in all; V steps through them)",
                    crate::text::safe(&name),
                    self.views.len()
                ),
                Tone::Good,
            );
        }
    }
}
