//! A rep's day: their late and due follow-ups, the tickets due, the deals expected to close this
//! week, and the best calls to make. The app's Today pane and `rapport today` both read it.

use super::Snapshot;
use crate::domain::{CustomerId, Deal, DealId, Followup, FollowupId, Ticket, TicketId, Timestamp};
use crate::insights::{Insights, Segment};
use chrono::{Datelike, Duration};

/// Whether a record with `owner` is shown to `me` (None: everyone's records are). Names match
/// without regard to case, as the team's do. Today, "mine" in the lists and `followup list` ask it.
pub fn owned_by(owner: Option<&str>, me: Option<&str>) -> bool {
    me.is_none_or(|me| owner.is_some_and(|o| o.eq_ignore_ascii_case(me)))
}

/// How many calls the day suggests.
pub const CALLS: usize = 5;

/// One line of the day, in the order it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Followup(FollowupId),
    Ticket(TicketId),
    Deal(DealId),
    Call(Call),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub customer: CustomerId,
    pub segment: Segment,
    /// What to offer them, and why.
    pub offer: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Today {
    /// Open, due by tonight: the late ones first, then by time.
    pub followups: Vec<Followup>,
    /// Open or pending, due by tonight (late ones first).
    pub tickets: Vec<Ticket>,
    /// Still open, expected to close by Sunday (or already past their date).
    pub deals: Vec<Deal>,
    pub calls: Vec<Call>,
    /// Open follow-ups after today: the next few, so a quiet day still shows what comes.
    pub upcoming: Vec<Followup>,
}

impl Today {
    /// The day of `me` (everyone's with None) at `now`. Tickets have no owner: a ticket is the
    /// rep's when its customer is.
    pub fn build(
        records: &Snapshot,
        insights: Option<&Insights>,
        me: Option<&str>,
        now: Timestamp,
    ) -> Today {
        let owner_of = |c: CustomerId| records.customer(c).and_then(|r| r.owner());
        let mine = |owner: Option<&str>| owned_by(owner, me);
        let mut followups: Vec<Followup> = records
            .followups
            .iter()
            .filter(|f| f.is_due_by_tonight(now) && mine(f.owner.as_deref()))
            .cloned()
            .collect();
        followups.sort_by_key(|f| (f.due, f.id));
        let mut upcoming: Vec<Followup> = records
            .followups
            .iter()
            .filter(|f| f.is_open() && !f.is_due_by_tonight(now) && mine(f.owner.as_deref()))
            .cloned()
            .collect();
        upcoming.sort_by_key(|f| (f.due, f.id));
        upcoming.truncate(5);
        let today = now.date_naive();
        let mut tickets: Vec<Ticket> = records
            .tickets
            .iter()
            .filter(|t| t.status.is_active() && t.due.is_some_and(|d| d.date_naive() <= today))
            .filter(|t| mine(owner_of(t.customer)))
            .cloned()
            .collect();
        tickets.sort_by_key(|t| (t.due, std::cmp::Reverse(t.priority), t.id));
        let sunday = today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()));
        let mut deals: Vec<Deal> = records
            .deals
            .iter()
            .filter(|d| d.stage.is_open() && d.expected_close.is_some_and(|c| c <= sunday))
            .filter(|d| mine(d.owner.as_deref()))
            .cloned()
            .collect();
        deals.sort_by_key(|d| (d.expected_close, std::cmp::Reverse(d.value), d.id));
        let calls = insights.map_or_else(Vec::new, |engine| {
            engine
                .calls_to_make(CALLS, |c| mine(owner_of(c)))
                .into_iter()
                .map(|(customer, segment, s)| Call {
                    customer,
                    segment,
                    offer: engine.item_name(s.item).to_string(),
                    reason: s.reason,
                })
                .collect()
        });
        Today {
            followups,
            tickets,
            deals,
            calls,
            upcoming,
        }
    }

    /// Every line, in the order shown.
    pub fn items(&self) -> Vec<Item> {
        let mut out: Vec<Item> = self
            .followups
            .iter()
            .map(|f| Item::Followup(f.id))
            .collect();
        out.extend(self.tickets.iter().map(|t| Item::Ticket(t.id)));
        out.extend(self.deals.iter().map(|d| Item::Deal(d.id)));
        out.extend(self.calls.iter().cloned().map(Item::Call));
        out.extend(self.upcoming.iter().map(|f| Item::Followup(f.id)));
        out
    }

    pub fn is_empty(&self) -> bool {
        self.items().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Customer, DealStage, Money, TicketStatus};
    use std::sync::Arc;

    fn at(text: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    /// Brute force over a small hand-made day: each record is in or out for a reason named here.
    #[test]
    fn the_day_holds_what_is_due_and_only_mine() {
        // Wednesday 2 December, mid-morning.
        let now = at("2026-12-02T10:00:00Z");
        let mut bea = Customer::new("Bea's customer", now);
        bea.id = CustomerId(1);
        bea.owner = Some("bea".into());
        let mut ana = Customer::new("Ana's customer", now);
        ana.id = CustomerId(2);
        ana.owner = Some("ana".into());
        let f = |id: u64, c: u64, due: &str, owner: &str| {
            let mut f = Followup::new(CustomerId(c), format!("f{id}"), at(due), now);
            f.id = FollowupId(id);
            f.owner = Some(owner.into());
            f
        };
        let mut done = f(5, 1, "2026-12-01T09:00:00Z", "bea");
        done.complete(None, now);
        let followups = vec![
            f(1, 1, "2026-12-02T15:00:00Z", "bea"),
            f(2, 1, "2026-11-30T09:00:00Z", "bea"),
            f(3, 2, "2026-12-02T09:00:00Z", "ana"),
            f(4, 1, "2026-12-03T09:00:00Z", "bea"),
            done,
        ];
        let t = |id: u64, c: u64, due: Option<&str>, status: TicketStatus| {
            let mut t = Ticket::new(format!("t{id}"), CustomerId(c), now);
            t.id = TicketId(id);
            t.due = due.map(at);
            t.status = status;
            t
        };
        let tickets = vec![
            t(1, 1, Some("2026-12-02T17:00:00Z"), TicketStatus::Open),
            t(2, 1, Some("2026-12-03T17:00:00Z"), TicketStatus::Open),
            t(3, 1, Some("2026-12-01T17:00:00Z"), TicketStatus::Resolved),
            t(4, 2, Some("2026-12-01T17:00:00Z"), TicketStatus::Pending),
            t(5, 1, None, TicketStatus::Open),
        ];
        let d = |id: u64, close: &str, stage: DealStage, owner: &str| {
            let mut d = Deal::new(format!("d{id}"), CustomerId(1), Money::from_units(10), now);
            d.id = DealId(id);
            d.stage = stage;
            d.owner = Some(owner.into());
            d.expected_close = Some(close.parse().unwrap());
            d
        };
        let deals = vec![
            d(1, "2026-12-06", DealStage::Proposal, "bea"),
            d(2, "2026-12-07", DealStage::Proposal, "bea"),
            d(3, "2026-11-20", DealStage::Lead, "bea"),
            d(4, "2026-12-04", DealStage::Won, "bea"),
            d(5, "2026-12-04", DealStage::Lead, "ana"),
        ];
        let mut records = Snapshot::new(vec![bea, ana], deals, tickets);
        records.followups = Arc::new(followups);

        let day = Today::build(&records, None, Some("bea"), now);
        let ids = |v: Vec<u64>| v;
        assert_eq!(
            ids(day.followups.iter().map(|f| f.id.0).collect()),
            [2, 1],
            "late first, then today's; tomorrow's and done ones are not today's, nor Ana's"
        );
        assert_eq!(ids(day.upcoming.iter().map(|f| f.id.0).collect()), [4]);
        assert_eq!(
            ids(day.tickets.iter().map(|t| t.id.0).collect()),
            [1],
            "due by tonight and still open, of my customers"
        );
        assert_eq!(
            ids(day.deals.iter().map(|d| d.id.0).collect()),
            [3, 1],
            "open, closing by Sunday the 6th or late"
        );
        let everyone = Today::build(&records, None, None, now);
        assert_eq!(everyone.followups.len(), 3);
        assert_eq!(everyone.tickets.len(), 2);
        assert_eq!(everyone.deals.len(), 3);
        assert_eq!(
            everyone.items().len(),
            3 + 2 + 3 + 1,
            "items are every line, upcoming last"
        );
    }
}
