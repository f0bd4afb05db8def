//! The Today pane: the rep's day (see `model::today`), one selectable line per thing to do.

use super::list::ListNav;
use crate::domain::Followup;
use crate::model::today::{Item, Today};

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
    pub fn take(&mut self, day: Today, rows: usize) {
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
}
