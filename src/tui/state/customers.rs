//! The customers table: rows, the sort, the live filter and the selection.

use super::effect::Effect;
use super::input::TextInput;
use super::list::ListNav;
use super::pane::{About, Component, Ctx, narrowed};
use crate::domain::CustomerId;
pub use crate::model::CustomerRow;
use crate::model::{Summaries, Summary};
use crate::tui::action::Action;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortColumn {
    Name,
    Company,
    Segment,
    LastOrder,
    Value,
    OpenDeals,
    OpenTickets,
    /// The chance of buying nothing in the next 90 days, from the insights.
    Risk,
    /// What the next 12 months are expected to bring, from the insights.
    Ahead,
}

impl SortColumn {
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Name,
        SortColumn::Company,
        SortColumn::Segment,
        SortColumn::LastOrder,
        SortColumn::Value,
        SortColumn::OpenDeals,
        SortColumn::OpenTickets,
        SortColumn::Risk,
        SortColumn::Ahead,
    ];

    pub fn title(self) -> &'static str {
        match self {
            SortColumn::Name => "Name",
            SortColumn::Company => "Company",
            SortColumn::Segment => "Segment",
            SortColumn::LastOrder => "Last order",
            SortColumn::Value => "Lifetime value",
            SortColumn::OpenDeals => "Deals",
            SortColumn::OpenTickets => "Tickets",
            SortColumn::Risk => "Risk",
            SortColumn::Ahead => "Next 12 mo",
        }
    }
}

#[derive(Debug, Default)]
pub struct CustomersState {
    /// The read model's rows, shared by every session.
    pub rows: Arc<Vec<CustomerRow>>,
    /// Filled in by the worker after start-up; until then the derived columns show as pending.
    pub summaries: Option<Arc<Summaries>>,
    /// Each buyer's RFM segment, once the insights are in.
    pub segments: Option<Arc<HashMap<CustomerId, crate::insights::Segment>>>,
    /// The insights, once in: each buyer's churn risk and value ahead.
    pub insights: Option<Arc<crate::insights::Insights>>,
    /// Every row by name, as the read model orders it for all sessions.
    pub by_name: Arc<Vec<usize>>,
    /// Indexes into `rows` after filtering and sorting: what the table shows. Unfiltered and by
    /// name, it is `by_name` itself.
    pub view: Arc<Vec<usize>>,
    pub filter: TextInput,
    pub filtering: bool,
    pub sort: Option<SortColumn>,
    pub descending: bool,
    pub nav: ListNav,
    /// Only the first screen is here; the worker is reading the rest.
    pub loading: bool,
    /// Only these customers, opened from the insights (a segment, a rule's buyers), and what
    /// they are, for the title. Esc shows everyone again.
    pub only: Option<(String, Arc<std::collections::HashSet<CustomerId>>)>,
    /// An account's page, open over the table (Esc goes back to it).
    pub account: Option<super::account::AccountView>,
}

impl CustomersState {
    pub fn new(rows: Arc<Vec<CustomerRow>>, by_name: Arc<Vec<usize>>) -> CustomersState {
        let mut state = CustomersState {
            rows,
            by_name,
            ..CustomersState::default()
        };
        state.sort = Some(SortColumn::Name);
        state.refresh_view();
        state
    }

    /// Takes in the rows of a newer snapshot (and its summaries, when it has them), keeping the
    /// rep's filter, sort, and the customer they had selected at the same height on the screen.
    pub fn take_records(
        &mut self,
        rows: Arc<Vec<CustomerRow>>,
        by_name: Arc<Vec<usize>>,
        summaries: Option<Arc<Summaries>>,
    ) {
        let keep = self.selected().map(|r| r.id());
        let above = self.nav.selected.saturating_sub(self.nav.offset);
        // The old view indexes the old rows: it goes before the rows are replaced.
        self.view = Arc::default();
        self.rows = rows;
        self.by_name = by_name;
        if summaries.is_some() {
            self.summaries = summaries;
        }
        self.loading = false;
        self.refresh_view();
        if let Some(i) = keep.and_then(|id| self.view.iter().position(|&i| self.rows[i].id() == id))
        {
            self.nav.selected = i;
            self.nav.offset = i.saturating_sub(above);
        }
    }

    pub fn summary(&self, id: CustomerId) -> Option<Summary> {
        self.summaries
            .as_ref()
            .map(|s| s.get(&id).copied().unwrap_or_default())
    }

    /// The customer's outlook: None until the insights are in, Some(None) for one without.
    pub fn outlook(&self, id: CustomerId) -> Option<Option<crate::insights::outlook::Outlook>> {
        let insights = self.insights.as_ref()?;
        Some(insights.outlook.as_ref().and_then(|o| o.get(id)).copied())
    }

    pub fn selected(&self) -> Option<&CustomerRow> {
        self.view.get(self.nav.selected).map(|&i| &self.rows[i])
    }

    /// Re-applies filter and sort, keeping the same customer selected when it is still shown.
    pub fn refresh_view(&mut self) {
        let keep = self.selected().map(|r| r.id());
        let above = self.nav.selected.saturating_sub(self.nav.offset);
        let words: Vec<String> = self
            .filter
            .value
            .to_lowercase()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let (rows, summaries) = (&self.rows, &self.summaries);
        let only = self.only.as_ref().map(|(_, ids)| ids);
        if words.is_empty()
            && matches!(self.sort, None | Some(SortColumn::Name))
            && !self.descending
            && only.is_none()
        {
            self.view = Arc::clone(&self.by_name);
        } else {
            let mut view: Vec<usize> = self
                .by_name
                .iter()
                .copied()
                .filter(|&i| rows[i].matches(&words))
                .filter(|&i| only.is_none_or(|ids| ids.contains(&rows[i].id())))
                .collect();
            let summary = |i: usize| {
                summaries
                    .as_ref()
                    .and_then(|s| s.get(&rows[i].id()).copied())
                    .unwrap_or_default()
            };
            // Stable sorts of the by-name order: ties stay by name.
            match self.sort.unwrap_or(SortColumn::Name) {
                SortColumn::Name => {}
                SortColumn::Company => {
                    view.sort_by(|&a, &b| rows[a].company().cmp(rows[b].company()))
                }
                SortColumn::Segment => {
                    let segments = &self.segments;
                    view.sort_by_key(|&i| {
                        segments
                            .as_ref()
                            .and_then(|s| s.get(&rows[i].id()).copied())
                    })
                }
                SortColumn::LastOrder => view.sort_by_key(|&i| summary(i).last_order),
                SortColumn::Value => view.sort_by_key(|&i| summary(i).lifetime_value),
                SortColumn::OpenDeals => view.sort_by_key(|&i| summary(i).open_deals),
                SortColumn::OpenTickets => view.sort_by_key(|&i| summary(i).open_tickets),
                SortColumn::Risk | SortColumn::Ahead => {
                    let sort = self.sort;
                    let figure = |i: usize| {
                        let o = self.outlook(rows[i].id()).flatten()?;
                        match sort {
                            Some(SortColumn::Risk) => o.churn_risk,
                            _ => o.value,
                        }
                    };
                    // Each figure once: looking it up in every comparison costs a million
                    // searches at 100,000 customers.
                    let mut keyed: Vec<(Option<f64>, usize)> =
                        view.iter().map(|&i| (figure(i), i)).collect();
                    keyed.sort_by(|a, b| match (a.0, b.0) {
                        (Some(x), Some(y)) => x.total_cmp(&y),
                        (x, y) => x.is_some().cmp(&y.is_some()),
                    });
                    view = keyed.into_iter().map(|k| k.1).collect();
                }
            }
            if self.descending {
                view.reverse();
            }
            self.view = Arc::new(view);
        }
        let index = keep
            .and_then(|id| self.view.iter().position(|&i| self.rows[i].id() == id))
            .unwrap_or(0);
        // The selection keeps its height on the screen; `window` fills the rest.
        self.nav = ListNav::default();
        self.nav.selected = index;
        self.nav.offset = index.saturating_sub(above);
    }

    /// Selects a customer if the table shows them.
    pub fn select_customer(&mut self, id: CustomerId, rows: usize) {
        if let Some(pos) = self.view.iter().position(|&i| self.rows[i].id() == id) {
            let len = self.view.len();
            self.nav.select(pos, len, rows);
        }
    }

    pub fn sort_next(&mut self) {
        let next = match self.sort {
            None => SortColumn::Name,
            Some(c) => {
                let i = SortColumn::ALL.iter().position(|&x| x == c).unwrap_or(0);
                SortColumn::ALL[(i + 1) % SortColumn::ALL.len()]
            }
        };
        // Numbers read best largest first; names from A.
        self.descending = !matches!(
            next,
            SortColumn::Name | SortColumn::Company | SortColumn::Segment
        );
        self.sort = Some(next);
        self.refresh_view();
    }

    pub fn sort_reverse(&mut self) {
        self.descending = !self.descending;
        self.refresh_view();
    }
}

impl Component for CustomersState {
    fn act(&mut self, action: Action, ctx: &Ctx) -> Effect {
        if let Some(account) = &mut self.account {
            return account.act(action, ctx);
        }
        match action {
            _ if action.moves() => self.nav.go(action, self.view.len(), ctx.rows),
            Action::Open | Action::Accept => {
                if let Some(id) = self.selected().map(|r| r.id()) {
                    return Effect::OpenCustomer(id);
                }
            }
            Action::Filter => self.filtering = true,
            Action::SortNext => self.sort_next(),
            Action::SortReverse => self.sort_reverse(),
            _ => {}
        }
        Effect::None
    }

    fn take(&mut self, ctx: &Ctx) {
        let records = ctx.records;
        let me = ctx.mine_of();
        let by_name = narrowed(&records.by_name, me, |i| {
            crate::model::today::owned_by(records.customers[i].owner(), me)
        });
        let summaries = records.summaries.clone();
        self.take_records(Arc::clone(&records.customers), by_name, summaries);
    }

    fn in_view(&self) -> Option<(CustomerId, About)> {
        if let Some(account) = &self.account {
            return account.selected().map(|id| (id, (None, None)));
        }
        self.selected().map(|r| (r.id(), (None, None)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: u64, name: &str, company: &str) -> CustomerRow {
        let mut c = crate::domain::Customer::new(name, chrono::Utc::now());
        c.id = CustomerId(id);
        c.company = Some(company.into());
        CustomerRow::new(&c)
    }

    fn state(rows: Vec<CustomerRow>) -> CustomersState {
        let by_name = Arc::new(crate::model::order::by_name(&rows));
        CustomersState::new(Arc::new(rows), by_name)
    }

    #[test]
    fn filter_matches_every_word_and_keeps_the_selection() {
        let mut s = state(vec![
            customer(1, "Wilson", "Acme Ltd"),
            customer(2, "Ada", "Acme Ltd"),
            customer(3, "Bob", "Zeta"),
        ]);
        s.nav.selected = 2; // Wilson, sorted by name: Ada, Bob, Wilson
        assert_eq!(s.selected().unwrap().name(), "Wilson");
        s.filter.value = "acme wil".into();
        s.refresh_view();
        assert_eq!(s.view.len(), 1);
        assert_eq!(s.selected().unwrap().name(), "Wilson");
    }

    #[test]
    fn sorting_by_value_puts_the_biggest_first() {
        let mut s = state(vec![customer(1, "A", ""), customer(2, "B", "")]);
        let mut summaries = Summaries::default();
        summaries.insert(
            CustomerId(2),
            Summary {
                lifetime_value: crate::domain::Money::from_units(9),
                ..Summary::default()
            },
        );
        s.summaries = Some(Arc::new(summaries));
        while s.sort != Some(SortColumn::Value) {
            s.sort_next();
        }
        assert_eq!(s.rows[s.view[0]].name(), "B");
    }
}
