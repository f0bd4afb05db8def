//! The Insights pane: which section is shown, how the rules are sorted, and the shared figures.

use super::effect::Effect;
use super::list::ListNav;
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
}

/// Customers the Value at risk section lists.
pub const AT_RISK: usize = 100;

/// Calls to make the Insights section lists.
pub const CALLS: usize = 30;

impl InsightsState {
    pub fn act(&mut self, action: Action) -> Effect {
        match action {
            Action::Left | Action::Right => {
                let i = Section::ALL
                    .iter()
                    .position(|s| *s == self.section)
                    .unwrap_or(0);
                let n = Section::ALL.len();
                let step = if action == Action::Right { 1 } else { n - 1 };
                self.section = Section::ALL[(i + step) % n];
                self.nav = ListNav::default();
                Effect::None
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
