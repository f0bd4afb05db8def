//! A pane as a component: its own state, the actions its keys map to, and a newer snapshot of
//! the records taken in. It reads the session's shared context and changes nothing outside
//! itself; what reaches further (a write, a page to open, a pop-up) comes back as an `Effect`
//! for the session to carry out. So a pane is tested with keys in and effects out, alone.

use super::effect::Effect;
use crate::domain::{CustomerId, DealId, TicketId, Timestamp};
use crate::model::{InsightsView, Snapshot};
use crate::tui::action::Action;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What every pane reads and none owns.
pub struct Ctx<'a> {
    /// The newest snapshot of the shared records this session has taken in.
    pub records: &'a Arc<Snapshot>,
    /// The insights, once computed for these records or an earlier version of them.
    pub insights: Option<Arc<InsightsView>>,
    /// Who this session is.
    pub me: &'a str,
    /// Only the rep's own records in the lists (`m`).
    pub mine: bool,
    pub now: Timestamp,
    /// Rows a list can show in the current terminal.
    pub rows: usize,
    /// Ids marked in the pane on screen for a bulk change.
    pub marked: &'a BTreeSet<u64>,
    /// The insights are being computed.
    pub computing: bool,
}

impl Ctx<'_> {
    /// Whose records the lists show: the rep's own, or everyone's (None).
    pub fn mine_of(&self) -> Option<&str> {
        self.mine.then_some(self.me)
    }

    /// The name of a customer, for a deal or ticket that points at them ("?" until loaded).
    pub fn customer_name(&self, id: CustomerId) -> &str {
        self.records.customer_name(id).unwrap_or("?")
    }
}

/// A deal or ticket a new follow-up or note is about, beside its customer.
pub type About = (Option<DealId>, Option<TicketId>);

pub trait Component {
    /// An action the pane's keys map to; what follows beyond the pane is the effect.
    fn act(&mut self, action: Action, ctx: &Ctx) -> Effect;

    /// A newer snapshot of the records (`ctx.records`), or the same narrowed or widened (`m`):
    /// the rep keeps their place.
    fn take(&mut self, ctx: &Ctx);

    /// The customer in view and, on a deal or ticket, which one: what a new follow-up or note
    /// is about.
    fn in_view(&self) -> Option<(CustomerId, About)> {
        None
    }
}

/// `order` kept to the records `keep` says are the rep's, when the lists show only theirs.
pub(super) fn narrowed(
    order: &Arc<Vec<usize>>,
    mine: Option<&str>,
    keep: impl Fn(usize) -> bool,
) -> Arc<Vec<usize>> {
    match mine {
        None => Arc::clone(order),
        Some(_) => Arc::new(order.iter().copied().filter(|&i| keep(i)).collect()),
    }
}

/// Each pane alone: keys in, effects out, with no session around it.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Customer, Deal, DealStage, Money, Ticket, TicketStatus};
    use crate::model::today::Item;
    use crate::tui::state::customers::CustomersState;
    use crate::tui::state::deals::DealsState;
    use crate::tui::state::duplicates::DuplicatesState;
    use crate::tui::state::insights::{InsightsState, Section};
    use crate::tui::state::tickets::TicketsState;
    use crate::tui::state::today::TodayState;
    use crate::tui::state::{Popup, PromptKind};
    use crate::tui::worker::{Job, Record, Write};

    fn now() -> Timestamp {
        chrono::DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn customer(id: u64, name: &str, owner: Option<&str>) -> Customer {
        let mut c = Customer::new(name, now());
        c.id = CustomerId(id);
        c.owner = owner.map(str::to_string);
        c
    }

    /// Ana owns Ada; Bob is Bea's. Ada has a lead and a lost deal, Bob an open and a closed ticket.
    fn records() -> Arc<Snapshot> {
        let mut lead = Deal::new("Lead deal", CustomerId(1), Money::from_units(100), now());
        lead.id = DealId(10);
        lead.owner = Some("ana".into());
        lead.expected_close = Some(now().date_naive());
        let mut lost = Deal::new("Lost deal", CustomerId(1), Money::from_units(900), now());
        lost.id = DealId(11);
        lost.owner = Some("ana".into());
        lost.move_to(DealStage::Lost, None, now());
        let mut open = Ticket::new("Broken", CustomerId(2), now());
        open.id = TicketId(20);
        let mut closed = Ticket::new("Fixed", CustomerId(2), now());
        closed.id = TicketId(21);
        closed.status = TicketStatus::Closed;
        Arc::new(Snapshot::new(
            vec![
                customer(1, "Ada", Some("ana")),
                customer(2, "Bob", Some("bea")),
            ],
            vec![lead, lost],
            vec![open, closed],
        ))
    }

    fn ctx<'a>(records: &'a Arc<Snapshot>, marked: &'a BTreeSet<u64>, mine: bool) -> Ctx<'a> {
        Ctx {
            records,
            insights: None,
            me: "ana",
            mine,
            now: now(),
            rows: 10,
            marked,
            computing: false,
        }
    }

    /// A pane that has taken in the records, as a session hands them over.
    fn taken<P: Component + Default>(records: &Arc<Snapshot>, mine: bool) -> P {
        let mut pane = P::default();
        pane.take(&ctx(records, &BTreeSet::new(), mine));
        pane
    }

    #[test]
    fn customers_open_the_selected_customer_and_narrow_to_the_reps_own() {
        let (records, marked) = (records(), BTreeSet::new());
        let mut pane: CustomersState = taken(&records, false);
        let c = ctx(&records, &marked, false);
        pane.act(Action::Down, &c);
        assert!(matches!(
            pane.act(Action::Open, &c),
            Effect::OpenCustomer(CustomerId(2))
        ));
        assert_eq!(pane.in_view(), Some((CustomerId(2), (None, None))));
        assert!(matches!(pane.act(Action::Filter, &c), Effect::None));
        assert!(pane.filtering);
        pane.take(&ctx(&records, &marked, true));
        let names: Vec<&str> = pane.view.iter().map(|&i| pane.rows[i].name()).collect();
        assert_eq!(names, ["Ada"], "with m, only the customers the rep owns");
    }

    #[test]
    fn a_deal_opens_on_its_page_then_its_customer_and_a_lost_one_asks_before_it_is_won() {
        let (records, marked) = (records(), BTreeSet::new());
        let mut pane: DealsState = taken(&records, false);
        let c = ctx(&records, &marked, false);
        // The board opens on the first column: leads.
        assert_eq!(pane.selected().map(|d| d.id), Some(DealId(10)));
        assert!(matches!(
            pane.act(Action::StageNext, &c),
            Effect::Write { write: Write::Update { new: Record::Deal(d), .. }, .. }
                if d.stage == DealStage::Qualified
        ));
        assert!(matches!(
            pane.act(Action::Open, &c),
            Effect::Ask {
                job: Job::DealPage(DealId(10)),
                ..
            }
        ));
        assert_eq!(pane.open, Some(DealId(10)));
        assert!(matches!(
            pane.act(Action::Open, &c),
            Effect::OpenCustomer(CustomerId(1))
        ));
        pane.close_page();
        pane.act(Action::ToggleView, &c);
        pane.select_deal(DealId(11), c.rows);
        assert_eq!(pane.selected().map(|d| d.id), Some(DealId(11)));
        assert!(matches!(pane.act(Action::StagePrev, &c), Effect::Say(..)));
        assert!(matches!(
            pane.act(Action::MarkWon, &c),
            Effect::Open(Popup::Confirm(_))
        ));
        // On a deal lost already, x asks why again.
        assert!(matches!(
            pane.act(Action::MarkLost, &c),
            Effect::Open(Popup::Form(_))
        ));
    }

    #[test]
    fn a_ticket_opens_its_thread_where_keys_scroll_and_steps_its_status() {
        let (records, marked) = (records(), BTreeSet::new());
        let mut pane: TicketsState = taken(&records, false);
        let c = ctx(&records, &marked, false);
        assert_eq!(pane.selected().map(|t| t.id), Some(TicketId(20)));
        assert!(matches!(pane.act(Action::Open, &c), Effect::None));
        assert_eq!(pane.open, Some(TicketId(20)));
        // Down scrolls the thread; the selection stays on the open ticket.
        pane.act(Action::Down, &c);
        assert_eq!(pane.selected().map(|t| t.id), Some(TicketId(20)));
        assert!(matches!(
            pane.act(Action::StatusNext, &c),
            Effect::Write { write: Write::Update { new: Record::Ticket(t), .. }, .. }
                if t.status == TicketStatus::Pending
        ));
        assert!(matches!(
            pane.act(Action::Reply, &c),
            Effect::Open(Popup::Prompt(p)) if matches!(&p.kind, PromptKind::Reply { subject } if subject == "Broken")
        ));
        assert_eq!(
            pane.in_view(),
            Some((CustomerId(2), (None, Some(TicketId(20)))))
        );
        // Bob is Bea's: with m, Ana's queue is empty.
        pane.open = None;
        pane.take(&ctx(&records, &marked, true));
        assert!(pane.queue.is_empty());
        assert!(matches!(pane.act(Action::StatusNext, &c), Effect::None));
    }

    #[test]
    fn today_opens_a_deal_on_its_pane_and_says_what_is_in_view() {
        let (records, marked) = (records(), BTreeSet::new());
        let mut pane: TodayState = taken(&records, false);
        let c = ctx(&records, &marked, false);
        let at = pane.items.iter().position(|i| matches!(i, Item::Deal(_)));
        let Some(at) = at else {
            panic!("the lead closes this week: {:?}", pane.items)
        };
        for _ in 0..at {
            pane.act(Action::Down, &c);
        }
        let Some(Item::Deal(id)) = pane.selected().cloned() else {
            unreachable!()
        };
        assert!(matches!(
            pane.act(Action::Open, &c),
            Effect::Jump(crate::search::Kind::Deal, n) if n == id.0
        ));
        assert_eq!(pane.in_view(), Some((CustomerId(1), (Some(id), None))));
    }

    #[test]
    fn insights_step_through_sections_and_find_duplicates_on_first_sight() {
        let (records, marked) = (records(), BTreeSet::new());
        let mut pane: InsightsState = taken(&records, false);
        let c = ctx(&records, &marked, false);
        assert!(matches!(pane.act(Action::Right, &c), Effect::None));
        assert_eq!(pane.section, Section::Segments);
        // Nothing computed yet: Enter has nothing to show.
        assert!(matches!(pane.act(Action::Open, &c), Effect::None));
        assert!(matches!(
            pane.act(Action::Refresh, &c),
            Effect::RefreshInsights
        ));
        assert!(matches!(pane.act(Action::Left, &c), Effect::None));
        assert!(matches!(
            pane.act(Action::Left, &c),
            Effect::Ask {
                job: Job::Duplicates,
                ..
            }
        ));
        assert_eq!(pane.section, Section::Duplicates);
        // Asked once: coming back does not ask again while the answer is awaited.
        pane.act(Action::Right, &c);
        assert!(matches!(pane.act(Action::Left, &c), Effect::None));
    }

    #[test]
    fn a_pair_of_duplicates_is_merged_told_apart_or_swapped_and_leaves_when_gone() {
        let (records, marked) = (records(), BTreeSet::new());
        let c = ctx(&records, &marked, false);
        let mut pane = DuplicatesState {
            pairs: vec![crate::clean::DuplicatePair {
                a: customer(1, "Ada", None),
                b: customer(3, "Ada L", None),
                score: 0.9,
                reasons: "name".into(),
            }],
            found: true,
            ..DuplicatesState::default()
        };
        assert!(matches!(
            pane.act(Action::Open, &c),
            Effect::OpenCustomer(CustomerId(1))
        ));
        assert!(matches!(pane.act(Action::Mark, &c), Effect::Say(t, _) if t.contains("Ada L #3")));
        assert!(matches!(
            pane.act(Action::Merge, &c),
            Effect::Open(Popup::Merge(m)) if m.keep.id == CustomerId(3)
        ));
        assert!(matches!(
            pane.act(Action::NotDuplicate, &c),
            Effect::Ask {
                job: Job::Distinct {
                    a: CustomerId(1),
                    b: CustomerId(3)
                },
                saying: Some(_)
            }
        ));
        // Customer 3 is in no snapshot: another rep took it away.
        pane.take(&c);
        assert!(pane.pairs.is_empty());
        assert!(matches!(pane.act(Action::Merge, &c), Effect::None));
    }

    #[test]
    fn a_pane_takes_the_answers_to_what_it_asked() {
        let (records, marked) = (records(), BTreeSet::new());
        let c = ctx(&records, &marked, false);
        let mut deals: DealsState = taken(&records, false);
        let Effect::Ask {
            job: Job::DealPage(id),
            ..
        } = deals.act(Action::Open, &c)
        else {
            panic!("the deal's page is asked for")
        };
        // Gone before the page was read: the page closes, and who took it is asked.
        assert!(matches!(
            deals.answer(id, Ok(None)),
            Effect::Ask { job: Job::Gone { what, .. }, .. } if what == "deal #10"
        ));
        assert_eq!(deals.open, None);
        let mut pairs = DuplicatesState::default();
        assert!(matches!(
            pairs.find(),
            Effect::Ask {
                job: Job::Duplicates,
                ..
            }
        ));
        assert!(
            matches!(pairs.find(), Effect::None),
            "asked once while it is out"
        );
        let pair = |a: u64, b: u64| crate::clean::DuplicatePair {
            a: customer(a, "A", None),
            b: customer(b, "B", None),
            score: 0.9,
            reasons: String::new(),
        };
        pairs.answer(Ok(vec![pair(1, 2), pair(3, 4)]), 10);
        pairs.act(Action::Down, &c);
        // Found again with a new pair first: the same pair stays selected.
        pairs.answer(Ok(vec![pair(5, 6), pair(1, 2), pair(3, 4)]), 10);
        assert_eq!(pairs.selected().map(|p| p.a.id), Some(CustomerId(3)));
        assert!(!pairs.loading);
    }
}
