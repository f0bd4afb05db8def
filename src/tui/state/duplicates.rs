//! The Duplicates section of Insights: customers that look like one person, side by side. `m`
//! merges them (a field at a time, the rep choosing which value stays), `n` says they are two
//! people, `u` takes the latest merge back, Enter opens the record to keep, space swaps it.

use super::effect::Effect;
use super::list::ListNav;
use super::pane::{Component, Ctx};
use super::{AppState, Job, Popup, Tone};
use crate::clean::merge::{self, Plan};
use crate::domain::{Customer, CustomerId};
use crate::tui::action::Action;

pub use crate::clean::DuplicatePair;

#[derive(Debug, Default)]
pub struct DuplicatesState {
    pub pairs: Vec<DuplicatePair>,
    /// Asked of the worker and not yet back.
    pub loading: bool,
    /// Found at least once this session (the section asks on first sight, not on every visit).
    pub found: bool,
    pub nav: ListNav,
    /// The right-hand record is the one to keep (space swaps).
    pub keep_b: bool,
}

impl DuplicatesState {
    pub fn selected(&self) -> Option<&DuplicatePair> {
        self.pairs.get(self.nav.selected)
    }

    /// The selected pair as (keep, other).
    pub fn chosen(&self) -> Option<(&Customer, &Customer)> {
        self.selected().map(|p| match self.keep_b {
            true => (&p.b, &p.a),
            false => (&p.a, &p.b),
        })
    }

    /// Pairs that name a customer no longer there, or the two a rep just told apart, go.
    pub fn forget(&mut self, gone: CustomerId, with: Option<CustomerId>) {
        self.pairs.retain(|p| match with {
            Some(other) => {
                !((p.a.id == gone && p.b.id == other) || (p.a.id == other && p.b.id == gone))
            }
            None => p.a.id != gone && p.b.id != gone,
        });
        let len = self.pairs.len();
        if self.nav.selected >= len {
            self.nav.selected = len.saturating_sub(1);
        }
    }
}

/// A merge being chosen: per field where both records hold a value, which one stays.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeChoice {
    pub keep: Customer,
    pub other: Customer,
    /// (field, kept record's value, other's value, take the other's)
    pub conflicts: Vec<(&'static str, String, String, bool)>,
    /// Fields the kept record lacks, filled from the other.
    pub filled: Vec<&'static str>,
    pub at: usize,
}

impl MergeChoice {
    pub fn new(keep: &Customer, other: &Customer) -> MergeChoice {
        let plan = merge::plan(keep, other, &[]).expect("no --take fields");
        MergeChoice {
            keep: keep.clone(),
            other: other.clone(),
            conflicts: plan
                .conflicts
                .into_iter()
                .map(|(field, mine, theirs)| (field, mine, theirs, false))
                .collect(),
            filled: plan.filled,
            at: 0,
        }
    }

    /// What the kept record becomes with the values chosen.
    pub fn plan(&self) -> Plan {
        let take: Vec<String> = self
            .conflicts
            .iter()
            .filter(|c| c.3)
            .map(|c| c.0.to_string())
            .collect();
        merge::plan(&self.keep, &self.other, &take).expect("fields from the plan")
    }

    pub fn act(&mut self, action: Action) {
        let n = self.conflicts.len();
        match action {
            Action::Up if n > 0 => self.at = (self.at + n - 1) % n,
            Action::Down if n > 0 => self.at = (self.at + 1) % n,
            Action::Left | Action::Right | Action::Mark => {
                if let Some(c) = self.conflicts.get_mut(self.at) {
                    c.3 = !c.3;
                }
            }
            _ => {}
        }
    }
}

impl DuplicatesState {
    /// Asks the worker for the pairs (on first sight of the section, and on `r`), unless it is
    /// finding them already.
    pub fn find(&mut self) -> Effect {
        if self.loading {
            return Effect::None;
        }
        self.loading = true;
        self.found = true;
        Effect::ask(Job::Duplicates)
    }

    /// The pairs the worker found, keeping the one selected where it still is.
    pub fn answer(
        &mut self,
        pairs: Result<Vec<DuplicatePair>, crate::ops::OpsError>,
        rows: usize,
    ) -> Effect {
        self.loading = false;
        let pairs = match pairs {
            Ok(pairs) => pairs,
            Err(e) => return Effect::Say(e.to_string(), super::Tone::Bad),
        };
        let keep = self.selected().map(|p| (p.a.id, p.b.id));
        self.pairs = pairs;
        let at = keep
            .and_then(|k| self.pairs.iter().position(|p| (p.a.id, p.b.id) == k))
            .unwrap_or(0);
        self.nav.select(at, self.pairs.len(), rows);
        Effect::None
    }

    /// The keys the section takes for itself; the rest are the Insights pane's.
    pub fn takes(action: Action) -> bool {
        action.moves()
            || matches!(
                action,
                Action::Open
                    | Action::Accept
                    | Action::Refresh
                    | Action::Mark
                    | Action::Merge
                    | Action::NotDuplicate
                    | Action::Unmerge
            )
    }
}

impl Component for DuplicatesState {
    fn act(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            _ if action.moves() => self.nav.go(action, self.pairs.len(), ctx.rows),
            Action::Open | Action::Accept => {
                if let Some((keep, _)) = self.chosen() {
                    return Effect::OpenCustomer(keep.id);
                }
            }
            Action::Refresh => return self.find(),
            Action::Mark => {
                self.keep_b = !self.keep_b;
                if let Some((keep, _)) = self.chosen() {
                    return Effect::info(format!("{} is the one to keep", who(keep)));
                }
            }
            Action::Merge => {
                if let Some((keep, other)) = self.chosen() {
                    return Effect::Open(Popup::Merge(MergeChoice::new(keep, other)));
                }
            }
            Action::NotDuplicate => {
                if let Some(p) = self.selected() {
                    let (a, b) = (p.a.id, p.b.id);
                    let saying = format!("{} and {} are two people…", who(&p.a), who(&p.b));
                    return Effect::Ask {
                        job: Job::Distinct { a, b },
                        saying: Some(saying),
                    };
                }
            }
            Action::Unmerge => {
                return Effect::Ask {
                    job: Job::Unmerge,
                    saying: Some("taking the latest merge back…".into()),
                };
            }
            _ => {}
        }
        Effect::None
    }

    /// A pair whose customer another rep merged away or deleted, or another manager marked as
    /// two people, is no longer a choice.
    fn take(&mut self, ctx: &Ctx) {
        let records = ctx.records;
        if records.partial {
            return;
        }
        let gone: Vec<CustomerId> = (self.pairs.iter())
            .flat_map(|p| [p.a.id, p.b.id])
            .filter(|&id| records.customer(id).is_none())
            .collect();
        for id in gone {
            self.forget(id, None);
        }
        let marked: Vec<(CustomerId, CustomerId)> = (self.pairs.iter())
            .map(|p| (p.a.id.min(p.b.id), p.a.id.max(p.b.id)))
            .filter(|pair| records.distinct.contains(pair))
            .collect();
        for (a, b) in marked {
            self.forget(a, Some(b));
        }
    }
}

fn who(c: &Customer) -> String {
    format!("{} #{}", crate::text::safe(&c.name), c.id)
}

impl AppState {
    /// Asks the worker for the pairs (on first sight of the section, and on `r`).
    pub(super) fn find_duplicates(&mut self) {
        let effect = self.insights.duplicates.find();
        self.run(effect);
    }

    /// Enter in the merge box: the merge goes to the worker.
    pub(super) fn accept_merge(&mut self, choice: MergeChoice) {
        let plan = choice.plan();
        let text = format!("merging {} into {}…", who(&choice.other), who(&choice.keep));
        self.say(text, Tone::Info);
        self.send(Job::Merge {
            kept: plan.kept,
            other: choice.other.id,
            seen: vec![choice.keep, choice.other],
        });
    }

    /// What came back from a merge, an unmerge or a "two people".
    pub(super) fn take_cleaned(&mut self, done: Result<super::Cleaned, crate::ops::OpsError>) {
        use super::Cleaned;
        match done {
            Ok(Cleaned::Merged { other, text }) => {
                self.insights.duplicates.forget(other, None);
                self.say(text, Tone::Good);
            }
            Ok(Cleaned::Distinct { a, b, text }) => {
                self.insights.duplicates.forget(a, Some(b));
                self.say(text, Tone::Good);
            }
            Ok(Cleaned::Unmerged { text }) => {
                self.say(text, Tone::Good);
                // The customer is back, and with them the pair.
                self.insights.duplicates.loading = false;
                self.find_duplicates();
            }
            Err(e) => self.say(e.to_string(), Tone::Bad),
        }
    }
}
