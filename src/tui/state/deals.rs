//! The pipeline: deals by stage on a board (or as one list), moves between stages, and the forecast.

use super::effect::Effect;
use super::list::ListNav;
use super::pane::{About, Component, Ctx, narrowed};
use super::{Confirm, Popup};
use crate::domain::{CustomerId, Deal, DealId, DealStage, Money, Timestamp};
use crate::model::DealPage;
use crate::tui::action::Action;
use crate::tui::worker::{Job, Record, Write};
use chrono::Datelike;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DealView {
    #[default]
    Board,
    List,
}

#[derive(Debug, Default)]
pub struct DealsState {
    /// The read model's deals, shared by every session.
    pub deals: Arc<Vec<Deal>>,
    pub view: DealView,
    /// Deal indexes per stage, biggest value first (shared, as the read model orders them).
    pub columns: Arc<Vec<Vec<usize>>>,
    /// Every deal, by expected close date.
    pub list: Arc<Vec<usize>>,
    pub column: usize,
    pub rows: Vec<ListNav>,
    pub list_nav: ListNav,
    /// The deal whose page is open, and the page once the worker has read it.
    pub open: Option<DealId>,
    pub page: Option<DealPage>,
    pub page_scroll: super::list::Scroll,
    /// Each column's count and total, once asked for (see `column_total`).
    totals: std::cell::OnceCell<Vec<(usize, Money)>>,
    /// The forecast of these deals on a day: a pass over every deal, drawn with each frame.
    forecast: std::cell::Cell<Option<(chrono::NaiveDate, (Money, Money))>>,
}

impl DealsState {
    pub fn new(
        deals: Arc<Vec<Deal>>,
        columns: Arc<Vec<Vec<usize>>>,
        list: Arc<Vec<usize>>,
    ) -> DealsState {
        DealsState {
            deals,
            columns,
            list,
            rows: vec![ListNav::default(); DealStage::ALL.len()],
            ..DealsState::default()
        }
    }

    /// The state of some deals, ordered here (the app takes the orders from the read model).
    pub fn of(deals: Vec<Deal>) -> DealsState {
        let columns = Arc::new(crate::model::order::pipeline(&deals));
        let list = Arc::new(crate::model::order::by_close(&deals));
        DealsState::new(Arc::new(deals), columns, list)
    }

    /// The deal whose page is open, or else the one selected on the board or in the list.
    pub fn selected(&self) -> Option<&Deal> {
        if let Some(id) = self.open {
            return self.deals.iter().find(|d| d.id == id);
        }
        let index = match self.view {
            DealView::Board => self
                .columns
                .get(self.column)?
                .get(self.rows.get(self.column)?.selected)?,
            DealView::List => self.list.get(self.list_nav.selected)?,
        };
        self.deals.get(*index)
    }

    /// (count, total value) of the deals in a stage: a pass over every deal, so kept per snapshot
    /// rather than made with each frame.
    pub fn column_total(&self, column: usize) -> (usize, Money) {
        let totals = self.totals.get_or_init(|| {
            self.columns
                .iter()
                .map(|ids| {
                    let values = ids.iter().filter_map(|&i| self.deals.get(i));
                    (ids.len(), values.map(|d| d.value).sum())
                })
                .collect()
        });
        totals.get(column).copied().unwrap_or((0, Money::ZERO))
    }

    /// Weighted value (value × probability) of open deals expected to close this month and next.
    pub fn forecast(&self, now: Timestamp) -> (Money, Money) {
        let today = now.date_naive();
        if let Some((day, figures)) = self.forecast.get()
            && day == today
        {
            return figures;
        }
        let figures = self.forecast_on(today);
        self.forecast.set(Some((today, figures)));
        figures
    }

    fn forecast_on(&self, today: chrono::NaiveDate) -> (Money, Money) {
        let this = (today.year(), today.month());
        let next = if today.month() == 12 {
            (today.year() + 1, 1)
        } else {
            (today.year(), today.month() + 1)
        };
        let mut out = (Money::ZERO, Money::ZERO);
        // The deals on the board: with "mine" on, the rep's own.
        let shown = self
            .columns
            .iter()
            .flatten()
            .filter_map(|&i| self.deals.get(i));
        for deal in shown.filter(|d| d.stage.is_open()) {
            let Some(close) = deal.expected_close else {
                continue;
            };
            let month = (close.year(), close.month());
            if month == this {
                out.0 = out.0 + deal.weighted_value();
            } else if month == next {
                out.1 = out.1 + deal.weighted_value();
            }
        }
        out
    }

    fn move_selected(&self, action: Action, now: Timestamp) -> Effect {
        let Some(old) = self.selected() else {
            return Effect::info("no deal selected");
        };
        // On a deal lost already, x changes why it was lost.
        if action == Action::MarkLost {
            return Effect::Open(Popup::Form(super::form::FormState::lost(old)));
        }
        let target = match action {
            Action::StageNext => old.stage.next(),
            Action::StagePrev => old.stage.previous(),
            Action::MarkWon => Some(DealStage::Won),
            _ => Some(DealStage::Lost),
        };
        match self.moved(target, now) {
            // A closed deal reopened or turned around by one key is too easy a slip: ask first.
            Some(deal) if !old.stage.is_open() => Effect::Open(Popup::Confirm(Confirm {
                question: format!(
                    "{} is {}: mark it {}? y/n",
                    crate::text::safe(&old.title),
                    old.stage,
                    deal.stage
                ),
                write: Write::Update {
                    old: Record::Deal(old.clone()),
                    new: Record::Deal(deal),
                },
                details: Vec::new(),
            })),
            Some(deal) => Effect::update(
                Record::Deal(old.clone()),
                Record::Deal(deal.clone()),
                format!("{} → {}…", deal.title, deal.stage),
            ),
            None => Effect::info("the deal cannot move that way"),
        }
    }

    /// The selected deal moved to `stage`, ready to save; None if there is no move to make.
    pub fn moved(&self, stage: Option<DealStage>, now: Timestamp) -> Option<Deal> {
        let deal = self.selected()?;
        let stage = stage?;
        if stage == deal.stage {
            return None;
        }
        let mut moved = deal.clone();
        moved.move_to(stage, None, now);
        Some(moved)
    }

    /// Takes in the deals of a newer snapshot, keeping the rep's place: the same deal selected if it
    /// is still in the column (or list) they look at, else the same row.
    pub fn take_records(
        &mut self,
        deals: Arc<Vec<Deal>>,
        columns: Arc<Vec<Vec<usize>>>,
        list: Arc<Vec<usize>>,
        rows: usize,
    ) {
        // Each index is looked up, never assumed: a snapshot may hold fewer deals or columns than
        // the last one (a write elsewhere, a reload), and a selection must never point past them.
        let id_at = |deals: &[Deal], i: Option<&usize>| i.and_then(|&i| deals.get(i)).map(|d| d.id);
        let keep_column: Vec<Option<DealId>> = self
            .columns
            .iter()
            .zip(&self.rows)
            .map(|(ids, nav)| id_at(&self.deals, ids.get(nav.selected)))
            .collect();
        let keep_list = id_at(&self.deals, self.list.get(self.list_nav.selected));
        self.deals = deals;
        self.forecast.set(None);
        self.totals = Default::default();
        self.columns = columns;
        self.list = list;
        self.rows.resize(
            self.columns.len().max(DealStage::ALL.len()),
            ListNav::default(),
        );
        self.column = self.column.min(self.rows.len() - 1);
        let position = |deals: &[Deal], order: &[usize], id: DealId| {
            order
                .iter()
                .position(|&i| deals.get(i).is_some_and(|d| d.id == id))
        };
        for (c, nav) in self.rows.iter_mut().enumerate() {
            let ids = self.columns.get(c).map_or(&[][..], Vec::as_slice);
            let keep = keep_column.get(c).copied().flatten();
            let at = keep
                .and_then(|id| position(&self.deals, ids, id))
                .unwrap_or(nav.selected);
            nav.select(at, ids.len(), rows);
        }
        let at = keep_list
            .and_then(|id| position(&self.deals, &self.list, id))
            .unwrap_or(self.list_nav.selected);
        self.list_nav.select(at, self.list.len(), rows);
        if self
            .open
            .is_some_and(|id| !self.deals.iter().any(|d| d.id == id))
        {
            self.close_page();
        }
    }

    /// Whether every selection points at a deal this state holds (or at nothing, in an empty
    /// list): what `take` and the keys must keep true.
    pub fn selections_valid(&self) -> bool {
        let fits = |order: &[usize], nav: &ListNav| {
            order.iter().all(|&i| i < self.deals.len())
                && (order.is_empty() || nav.selected < order.len())
                && nav.offset <= nav.selected.max(order.len().saturating_sub(1))
        };
        self.rows.len() >= self.columns.len()
            && self.column < self.rows.len()
            && self
                .columns
                .iter()
                .zip(&self.rows)
                .all(|(ids, nav)| fits(ids, nav))
            && fits(&self.list, &self.list_nav)
    }

    pub fn select_deal(&mut self, id: DealId, rows: usize) {
        let Some(index) = self.deals.iter().position(|d| d.id == id) else {
            return;
        };
        let column = DealStage::ALL
            .iter()
            .position(|s| *s == self.deals[index].stage)
            .unwrap_or(0);
        let (Some(ids), Some(nav)) = (self.columns.get(column), self.rows.get_mut(column)) else {
            return;
        };
        self.column = column;
        if let Some(row) = ids.iter().position(|&i| i == index) {
            nav.select(row, ids.len(), rows);
        }
        if let Some(pos) = self.list.iter().position(|&i| i == index) {
            self.list_nav.select(pos, self.list.len(), rows);
        }
    }

    /// The worker's answer to the page this pane asked for: shown if it is still the one open;
    /// a deal no longer there closes its page, and who took it is asked.
    pub fn answer(
        &mut self,
        id: DealId,
        page: Result<Option<DealPage>, crate::ops::OpsError>,
    ) -> Effect {
        match page {
            Ok(Some(page)) => {
                self.take_page(page);
                Effect::None
            }
            Ok(None) if self.open == Some(id) => {
                self.close_page();
                let record = crate::domain::RecordRef {
                    kind: crate::domain::Kind::Deal,
                    id: id.0,
                };
                let what = format!("deal #{id}");
                Effect::ask(Job::Gone {
                    record,
                    what,
                    form: false,
                })
            }
            Ok(None) => Effect::None,
            Err(e) => Effect::Say(e.to_string(), super::Tone::Bad),
        }
    }

    /// Takes in a page the worker read; false if it is no longer the one asked for.
    pub fn take_page(&mut self, page: DealPage) -> bool {
        if self.open != Some(page.deal.id) {
            return false;
        }
        self.page = Some(page);
        true
    }

    /// Closes the deal's page; false if none was open.
    pub fn close_page(&mut self) -> bool {
        self.page = None;
        self.page_scroll = Default::default();
        self.open.take().is_some()
    }

    pub fn nav_len(&self) -> usize {
        match self.view {
            DealView::Board => self.columns.get(self.column).map_or(0, Vec::len),
            DealView::List => self.list.len(),
        }
    }

    pub fn nav_mut(&mut self) -> &mut ListNav {
        if self.rows.len() <= self.column {
            self.rows.resize(self.column + 1, ListNav::default());
        }
        match self.view {
            DealView::Board => &mut self.rows[self.column],
            DealView::List => &mut self.list_nav,
        }
    }
}

impl Component for DealsState {
    fn act(&mut self, action: Action, ctx: &Ctx) -> Effect {
        let now = ctx.now;
        if action.moves() {
            match self.open {
                Some(_) => self.page_scroll.go(action, ctx.rows),
                None => {
                    let len = self.nav_len();
                    self.nav_mut().go(action, len, ctx.rows);
                }
            }
            return Effect::None;
        }
        match action {
            // A deal opens on its page, and its page on the deal's customer.
            Action::Open | Action::Accept => match self.selected() {
                Some(deal) if self.open.is_some() => Effect::OpenCustomer(deal.customer),
                Some(deal) => {
                    let id = deal.id;
                    self.open = Some(id);
                    Effect::ask(Job::DealPage(id))
                }
                None => Effect::None,
            },
            Action::Left | Action::Right if self.view == DealView::Board => {
                let last = DealStage::ALL.len() - 1;
                self.column = match action {
                    Action::Left => self.column.saturating_sub(1),
                    _ => (self.column + 1).min(last),
                };
                Effect::None
            }
            Action::ToggleView => {
                self.view = match self.view {
                    DealView::Board => DealView::List,
                    DealView::List => DealView::Board,
                };
                Effect::None
            }
            Action::StageNext | Action::StagePrev | Action::MarkWon | Action::MarkLost => {
                self.move_selected(action, now)
            }
            _ => Effect::None,
        }
    }

    fn take(&mut self, ctx: &Ctx) {
        let records = ctx.records;
        let me = ctx.mine_of();
        let mine = |i: usize| crate::model::today::owned_by(records.deals[i].owner.as_deref(), me);
        let pipeline = match me {
            None => Arc::clone(&records.pipeline),
            Some(_) => Arc::new(
                (records.pipeline.iter())
                    .map(|column| column.iter().copied().filter(|&i| mine(i)).collect())
                    .collect(),
            ),
        };
        let by_close = narrowed(&records.deals_by_close, me, mine);
        self.take_records(Arc::clone(&records.deals), pipeline, by_close, ctx.rows);
    }

    fn in_view(&self) -> Option<(CustomerId, About)> {
        let d = self.selected()?;
        Some((d.customer, (Some(d.id), None)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CustomerId;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn deal(id: u64, stage: DealStage, value: i64, close: NaiveDate) -> Deal {
        let mut d = Deal::new(
            format!("D{id}"),
            CustomerId(1),
            Money::from_units(value),
            Utc::now(),
        );
        d.id = DealId(id);
        d.stage = stage;
        d.probability = stage.default_probability();
        d.expected_close = Some(close);
        d
    }

    #[test]
    fn forecast_weighs_open_deals_by_month() {
        let now = Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 0).unwrap();
        let nov = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let dec = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let s = DealsState::of(vec![
            deal(1, DealStage::Proposal, 1000, nov),
            deal(2, DealStage::Negotiation, 400, dec),
            deal(3, DealStage::Won, 9999, nov),
        ]);
        assert_eq!(
            s.forecast(now),
            (Money::from_units(500), Money::from_units(300))
        );
    }

    #[test]
    fn a_moved_deal_stays_selected_in_its_new_column() {
        let close = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut s = DealsState::of(vec![
            deal(1, DealStage::Proposal, 10, close),
            deal(2, DealStage::Proposal, 5, close),
        ]);
        s.column = 2;
        let moved = s.moved(Some(DealStage::Won), Utc::now()).unwrap();
        assert_eq!(moved.probability, 100);
        let after = DealsState::of(vec![moved, deal(2, DealStage::Proposal, 5, close)]);
        s.take_records(after.deals, after.columns, after.list, 10);
        assert_eq!(s.column, 2, "a new snapshot alone does not move the rep");
        assert_eq!(s.selected().unwrap().id, DealId(2));
        s.select_deal(DealId(1), 10);
        assert_eq!(s.column, 4);
        assert_eq!(s.selected().unwrap().stage, DealStage::Won);
    }
}
