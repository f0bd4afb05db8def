//! The Today pane: the rep's day (see `model::today`), one selectable line per thing to do.

use super::effect::Effect;
use super::list::ListNav;
use super::pane::{About, Component, Ctx};
use crate::domain::{CustomerId, Followup};
use crate::model::today::{Item, Today};
use crate::tui::action::Action;

#[derive(Debug, Default)]
pub struct TodayState {
    pub day: Today,
    pub items: Vec<Item>,
    pub nav: ListNav,
    /// The records or the insights changed since the day was made; it is made again when shown.
    pub stale: bool,
    /// Everyone's day rather than the rep's own (`m` on the pane).
    pub everyone: bool,
    /// The next day made keeps the cursor's row rather than following the selected item: a
    /// snoozed follow-up moves down the list, and the rep goes on from where they were.
    pub hold_place: bool,
}

impl TodayState {
    /// Whose day this is: the rep's own unless they asked for everyone's.
    pub fn whose<'a>(&self, me: &'a str) -> Option<&'a str> {
        (!self.everyone).then_some(me)
    }

    pub fn take_day(&mut self, day: Today, rows: usize) {
        let keep = match std::mem::take(&mut self.hold_place) {
            true => None,
            false => self.selected().cloned(),
        };
        self.items = day.items();
        self.day = day;
        self.stale = false;
        let at = keep
            .and_then(|k| self.items.iter().position(|i| *i == k))
            .unwrap_or(self.nav.selected);
        self.nav.select(at, self.items.len(), rows);
    }

    pub fn selected(&self) -> Option<&Item> {
        self.items.get(self.nav.selected)
    }

    /// The selected follow-up, when a follow-up is selected.
    pub fn selected_followup(&self) -> Option<&Followup> {
        match self.selected()? {
            Item::Followup(id) => self
                .day
                .followups
                .iter()
                .chain(&self.day.upcoming)
                .find(|f| f.id == *id),
            _ => None,
        }
    }

    /// The customer of the selected item.
    pub fn customer(&self) -> Option<CustomerId> {
        let day = &self.day;
        Some(match self.selected()? {
            Item::Followup(_) => self.selected_followup()?.customer,
            Item::Ticket(id) => day.tickets.iter().find(|t| t.id == *id)?.customer,
            Item::Deal(id) => day.deals.iter().find(|d| d.id == *id)?.customer,
            Item::Call(call) => call.customer,
        })
    }
}

impl Component for TodayState {
    fn act(&mut self, action: Action, ctx: &Ctx) -> Effect {
        use crate::search::Kind;
        match action {
            _ if action.moves() => self.nav.go(action, self.items.len(), ctx.rows),
            Action::Open | Action::Accept => match self.selected() {
                Some(Item::Ticket(id)) => return Effect::Jump(Kind::Ticket, id.0),
                Some(Item::Deal(id)) => return Effect::Jump(Kind::Deal, id.0),
                Some(Item::Followup(_) | Item::Call(_)) => {
                    if let Some(customer) = self.customer() {
                        return Effect::OpenCustomer(customer);
                    }
                }
                None => {}
            },
            _ => {}
        }
        Effect::None
    }

    /// Makes the day again from the records and the insights.
    fn take(&mut self, ctx: &Ctx) {
        let engine = ctx.insights.as_ref().map(|v| &*v.engine);
        let day = Today::build(ctx.records, engine, self.whose(ctx.me), ctx.now);
        self.take_day(day, ctx.rows);
    }

    fn in_view(&self) -> Option<(CustomerId, About)> {
        let about = match self.selected()? {
            Item::Deal(id) => (Some(*id), None),
            Item::Ticket(id) => (None, Some(*id)),
            Item::Followup(_) => {
                let f = self.selected_followup()?;
                (f.deal, f.ticket)
            }
            Item::Call(_) => (None, None),
        };
        Some((self.customer()?, about))
    }
}
