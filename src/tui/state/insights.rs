//! The Insights pane: which section is shown, how the rules are sorted, and the shared figures.

use super::effect::Effect;
use super::list::ListNav;
use super::pane::{Component, Ctx};
use crate::domain::CustomerId;
use crate::model::InsightsView;
use crate::tui::action::Action;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    #[default]
    Overview,
    Segments,
    Rules,
    Risk,
    Calls,
    Pipeline,
    Duplicates,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Overview,
        Section::Segments,
        Section::Rules,
        Section::Risk,
        Section::Calls,
        Section::Pipeline,
        Section::Duplicates,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Overview => "Overview",
            Section::Segments => "Segments",
            Section::Rules => "Rules",
            Section::Risk => "At risk",
            Section::Calls => "Calls",
            Section::Pipeline => "Pipeline",
            Section::Duplicates => "Duplicates",
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
    /// The figures and the engine, shared by every session at the same data version.
    pub view: Option<Arc<InsightsView>>,
    pub loading: bool,
    pub section: Section,
    pub rule_sort: RuleSort,
    /// Rules in the current sort, as indexes into the engine's rules.
    pub rule_order: Vec<usize>,
    pub nav: ListNav,
    /// Calls to make, worked out once per computation of the insights.
    pub calls: Vec<crate::model::today::Call>,
    /// Customers by value at risk, highest first (a year's value times churn risk).
    pub at_risk: Vec<(crate::domain::CustomerId, f64)>,
    /// The Duplicates section, a component of its own.
    pub duplicates: super::duplicates::DuplicatesState,
}

/// Customers the Value at risk section lists.
pub const AT_RISK: usize = 100;

/// Calls to make the Insights section lists.
pub const CALLS: usize = 30;

impl InsightsState {
    pub fn engine(&self) -> Option<&Arc<crate::insights::Insights>> {
        self.view.as_ref().map(|v| &v.engine)
    }

    pub fn data(&self) -> Option<&crate::model::revenue::InsightsData> {
        self.view.as_ref().map(|v| &v.data)
    }

    /// The calls to make, from newly arrived insights.
    pub fn take_calls(&mut self) {
        let Some(engine) = self.engine().cloned() else {
            return;
        };
        self.calls = engine
            .calls_to_make(CALLS, |_| true)
            .into_iter()
            .map(|(customer, segment, s)| crate::model::today::Call {
                customer,
                segment,
                offer: engine.item_name(s.item).to_string(),
                reason: s.reason,
            })
            .collect();
        self.at_risk = engine
            .outlook
            .as_ref()
            .map(|o| o.at_risk().into_iter().take(AT_RISK).collect())
            .unwrap_or_default();
    }

    /// Lines the section on screen has to move through.
    pub fn lines(&self) -> usize {
        match self.section {
            Section::Segments => crate::insights::Segment::ALL.len(),
            Section::Rules => self.rule_order.len(),
            Section::Calls => self.calls.len(),
            Section::Risk => self.at_risk.len(),
            Section::Overview | Section::Pipeline | Section::Duplicates => 0,
        }
    }

    pub fn sort_rules(&mut self) {
        let Some(engine) = self.engine() else { return };
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

impl Component for InsightsState {
    fn act(&mut self, action: Action, ctx: &Ctx) -> Effect {
        if self.section == Section::Duplicates && super::duplicates::DuplicatesState::takes(action)
        {
            return self.duplicates.act(action, ctx);
        }
        match action {
            _ if action.moves() => {
                let len = self.lines();
                self.nav.go(action, len, ctx.rows);
                Effect::None
            }
            Action::Open | Action::Accept => self.open(),
            Action::Left | Action::Right => {
                let i = Section::ALL
                    .iter()
                    .position(|s| *s == self.section)
                    .unwrap_or(0);
                let n = Section::ALL.len();
                let step = if action == Action::Right { 1 } else { n - 1 };
                self.section = Section::ALL[(i + step) % n];
                self.nav = ListNav::default();
                // The pairs are found on first sight of the section, not on every visit.
                match self.section == Section::Duplicates && !self.duplicates.found {
                    true => self.duplicates.find(),
                    false => Effect::None,
                }
            }
            Action::SortNext => {
                self.rule_sort = match self.rule_sort {
                    RuleSort::Lift => RuleSort::Confidence,
                    RuleSort::Confidence => RuleSort::Support,
                    RuleSort::Support => RuleSort::Lift,
                };
                self.sort_rules();
                Effect::None
            }
            Action::Refresh => Effect::RefreshInsights,
            _ => Effect::None,
        }
    }

    /// The figures come when they are computed (`Done::Insights`), not with each snapshot; the
    /// duplicate pairs lose those another rep took care of.
    fn take(&mut self, ctx: &Ctx) {
        self.duplicates.take(ctx);
    }
}

impl InsightsState {
    /// Enter: a segment or a rule shows the customers it is about, a call or a customer at risk
    /// opens their page.
    fn open(&self) -> Effect {
        let at = self.nav.selected;
        let Some(view) = &self.view else {
            return Effect::None;
        };
        let (what, ids): (String, Vec<CustomerId>) = match self.section {
            Section::Calls => {
                return self
                    .calls
                    .get(at)
                    .map_or(Effect::None, |c| Effect::OpenCustomer(c.customer));
            }
            Section::Risk => {
                return self
                    .at_risk
                    .get(at)
                    .map_or(Effect::None, |&(id, _)| Effect::OpenCustomer(id));
            }
            Section::Overview | Section::Pipeline | Section::Duplicates => return Effect::None,
            Section::Segments => {
                let Some(&segment) = crate::insights::Segment::ALL.get(at) else {
                    return Effect::None;
                };
                let ids = (view.segments.iter())
                    .filter(|(_, s)| **s == segment)
                    .map(|(id, _)| *id)
                    .collect();
                (format!("{}: {}", segment.name(), segment.plain()), ids)
            }
            Section::Rules => {
                let Some(rule) = self.rule_order.get(at).map(|&r| &view.engine.rules[r]) else {
                    return Effect::None;
                };
                let name = |i: u32| view.engine.item_name(i).to_string();
                let left: Vec<String> = rule.antecedent.iter().map(|&i| name(i)).collect();
                let ids = (view.engine.model).bought_but_not(&rule.antecedent, rule.consequent);
                let what = format!("bought {}, not {}", left.join(" + "), name(rule.consequent));
                (what, ids)
            }
        };
        Effect::ShowCustomers { what, ids }
    }
}
