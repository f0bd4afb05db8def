//! What a customer's history adds up to, and their page: one rule for both the customers table and
//! the customer's own page.

use crate::domain::{Customer, CustomerId, Deal, Money, Note, Order, OrderKind, Ticket, Timestamp};
use crate::store::Records;
use crate::store::{AuditQuery, Kind, RecordRef, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub last_order: Option<Timestamp>,
    pub lifetime_value: Money,
    pub orders: u32,
    pub open_deals: u32,
    pub open_tickets: u32,
}

impl Summary {
    /// A cancellation takes its (negative) total off the lifetime value but is not an order.
    pub fn add_order(&mut self, order: &Order) {
        self.lifetime_value = self.lifetime_value + order.total();
        if order.kind == OrderKind::Purchase {
            self.orders += 1;
            self.last_order = self.last_order.max(Some(order.placed));
        }
    }

    pub fn add_deal(&mut self, deal: &Deal) {
        self.open_deals += u32::from(deal.stage.is_open());
    }

    pub fn add_ticket(&mut self, ticket: &Ticket) {
        self.open_tickets += u32::from(ticket.status.is_active());
    }

    /// Another's history added to this: an account's, from its people's.
    pub fn add(&mut self, other: &Summary) {
        self.lifetime_value = self.lifetime_value + other.lifetime_value;
        self.orders += other.orders;
        self.last_order = self.last_order.max(other.last_order);
        self.open_deals += other.open_deals;
        self.open_tickets += other.open_tickets;
    }

    /// One customer's summary, through the per-customer indexes: a few small reads.
    pub fn read(store: &Records, customer: CustomerId) -> Result<Summary, StoreError> {
        let mut s = Summary::default();
        store
            .orders_of(customer)?
            .iter()
            .for_each(|o| s.add_order(o));
        store.deals_of(customer)?.iter().for_each(|d| s.add_deal(d));
        store
            .tickets_of(customer)?
            .iter()
            .for_each(|t| s.add_ticket(t));
        Ok(s)
    }
}

/// Every customer's summary, in shards: a write copies the shard its customer is in, where one map
/// of 100,000 entries was copied whole at each write of a team while sessions still held the old.
#[derive(Clone, Debug, PartialEq)]
pub struct Summaries {
    shards: Vec<Arc<HashMap<CustomerId, Summary>>>,
}

impl Summaries {
    const SHARDS: u64 = 64;

    fn shard(id: CustomerId) -> usize {
        (id.0 % Summaries::SHARDS) as usize
    }

    pub fn get(&self, id: &CustomerId) -> Option<&Summary> {
        self.shards[Summaries::shard(*id)].get(id)
    }

    pub fn insert(&mut self, id: CustomerId, summary: Summary) {
        Arc::make_mut(&mut self.shards[Summaries::shard(id)]).insert(id, summary);
    }

    pub fn remove(&mut self, id: &CustomerId) {
        let shard = &mut self.shards[Summaries::shard(*id)];
        if shard.contains_key(id) {
            Arc::make_mut(shard).remove(id);
        }
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = (&CustomerId, &Summary)> {
        self.shards.iter().flat_map(|s| s.iter())
    }
}

impl Default for Summaries {
    fn default() -> Summaries {
        Summaries {
            shards: (0..Summaries::SHARDS).map(|_| Arc::default()).collect(),
        }
    }
}

impl FromIterator<(CustomerId, Summary)> for Summaries {
    fn from_iter<I: IntoIterator<Item = (CustomerId, Summary)>>(items: I) -> Summaries {
        let mut shards: Vec<HashMap<CustomerId, Summary>> =
            (0..Summaries::SHARDS).map(|_| HashMap::new()).collect();
        for (id, summary) in items {
            shards[Summaries::shard(id)].insert(id, summary);
        }
        Summaries {
            shards: shards.into_iter().map(Arc::new).collect(),
        }
    }
}

/// Every customer's summary, in one pass over orders, deals and tickets.
pub fn summaries(store: &Records) -> Result<Summaries, StoreError> {
    let mut out: HashMap<CustomerId, Summary> = HashMap::new();
    for order in store.iter_sound::<Order>() {
        let order = order?;
        if let Some(customer) = order.customer {
            out.entry(customer).or_default().add_order(&order);
        }
    }
    for deal in store.iter_sound::<Deal>() {
        let deal = deal?;
        out.entry(deal.customer).or_default().add_deal(&deal);
    }
    for ticket in store.iter_sound::<Ticket>() {
        let ticket = ticket?;
        out.entry(ticket.customer).or_default().add_ticket(&ticket);
    }
    // A customer with nothing to count has no entry, as after a write.
    Ok(out
        .into_iter()
        .filter(|(_, s)| *s != Summary::default())
        .collect())
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimelineItem {
    pub at: Timestamp,
    pub kind: &'static str,
    pub text: String,
    /// The record it comes from (None for a logged change).
    pub record: Option<RecordRef>,
}

/// One customer's whole relationship: contact card, summary, and a timeline of orders, deals,
/// tickets and notes, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerPage {
    pub customer: Customer,
    pub summary: Summary,
    pub timeline: Vec<TimelineItem>,
    /// Open follow-ups, soonest first (done ones are in the timeline).
    pub followups: Vec<crate::domain::Followup>,
    /// The notes, whole, for editing one from the timeline.
    pub notes: Vec<Note>,
    /// Their deals and tickets, as read for the timeline (an account's page lists them).
    pub deals: Vec<Deal>,
    pub tickets: Vec<Ticket>,
}

/// A line of a customer's timeline about one of their records.
fn item(at: Timestamp, kind: &'static str, (of, id): (Kind, u64), text: String) -> TimelineItem {
    TimelineItem {
        at,
        kind,
        record: Some(RecordRef { kind: of, id }),
        text,
    }
}

impl CustomerPage {
    pub fn read(store: &Records, id: CustomerId) -> Result<Option<CustomerPage>, StoreError> {
        let Some(customer) = store.get::<Customer>(id.0)? else {
            return Ok(None);
        };
        let orders: Vec<Order> = store.orders_of(id)?;
        let deals: Vec<Deal> = store.deals_of(id)?;
        let tickets: Vec<Ticket> = store.tickets_of(id)?;
        let notes: Vec<Note> = store.notes_of(id)?;
        let (mut followups, done): (Vec<_>, Vec<_>) = store
            .followups_of(id)?
            .into_iter()
            .partition(crate::domain::Followup::is_open);
        followups.sort_by_key(|f| (f.due, f.id));
        let mut summary = Summary::default();
        let mut timeline = Vec::new();
        for o in &orders {
            summary.add_order(o);
            let lines = crate::text::count(o.lines.len(), "line", "lines");
            let (kind, verb) = match o.kind {
                OrderKind::Purchase => ("order", "order"),
                OrderKind::Cancellation => ("return", "cancellation"),
            };
            let text = format!("{verb} {} · {lines} · {}", o.number, o.total());
            timeline.push(item(o.placed, kind, (Kind::Order, o.id.0), text));
        }
        for d in &deals {
            summary.add_deal(d);
            let text = format!(
                "{} · {} {} · {} ({}%)",
                d.title, d.value, d.currency, d.stage, d.probability
            );
            timeline.push(item(d.created, "deal", (Kind::Deal, d.id.0), text));
        }
        for t in &tickets {
            summary.add_ticket(t);
            let text = format!("{} · {} · {}", t.subject, t.status, t.priority);
            timeline.push(item(t.created, "ticket", (Kind::Ticket, t.id.0), text));
        }
        for n in &notes {
            let about = (n.deal)
                .and_then(|id| deals.iter().find(|d| d.id == id))
                .map_or(String::new(), |d| format!("re {}: ", d.title));
            let text = format!("{about}{}", n.text);
            timeline.push(item(n.at, n.kind.name(), (Kind::Note, n.id.0), text));
        }
        for f in &done {
            let who = (f.owner.as_deref()).map_or(String::new(), |o| format!("{o}: "));
            let text = match &f.outcome {
                Some(outcome) => format!("{who}{} → {outcome}", f.text),
                None => format!("{who}{}", f.text),
            };
            let at = f.done.unwrap_or(f.updated);
            timeline.push(item(at, "done", (Kind::Followup, f.id.0), text));
        }
        // Who changed them, from the audit log (notes and orders say it themselves).
        let records = std::iter::once((Kind::Customer, id.0))
            .chain(deals.iter().map(|d| (Kind::Deal, d.id.0)))
            .chain(tickets.iter().map(|t| (Kind::Ticket, t.id.0)));
        for (kind, id) in records {
            let query = AuditQuery {
                record: Some(RecordRef { kind, id }),
                ..AuditQuery::default()
            };
            for entry in store.audit(&query)? {
                timeline.push(TimelineItem {
                    at: entry.at(),
                    kind: "change",
                    text: entry.sentence(),
                    record: None,
                });
            }
        }
        timeline.sort_by_key(|item| std::cmp::Reverse(item.at));
        Ok(Some(CustomerPage {
            customer,
            summary,
            timeline,
            followups,
            notes,
            deals,
            tickets,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_summary_copies_only_its_shard() {
        let one = |orders| Summary {
            orders,
            ..Summary::default()
        };
        let before: Summaries = (0..1000).map(|id| (CustomerId(id), one(1))).collect();
        let mut after = before.clone();
        after.insert(CustomerId(7), one(2));
        after.remove(&CustomerId(8));
        after.remove(&CustomerId(5000));
        let shared = (0..before.shards.len())
            .filter(|&k| Arc::ptr_eq(&before.shards[k], &after.shards[k]))
            .count();
        assert_eq!(shared, before.shards.len() - 2);
        assert_eq!((before.len(), after.len()), (1000, 999));
        assert_eq!(after.get(&CustomerId(7)), Some(&one(2)));
        assert_eq!(before.get(&CustomerId(7)), Some(&one(1)));
        assert_eq!(after.get(&CustomerId(8)), None);
        assert_eq!(after.iter().count(), 999);
    }

    /// The table's summaries (one pass over everything) and each page's (per-customer indexes) are
    /// two routes to the same figures: they must agree for every customer.
    #[test]
    fn the_table_and_the_page_add_up_the_same() {
        let (_dir, store) = crate::demo::test_store(120, 5);
        let all = summaries(&store).unwrap();
        let mut with_history = 0;
        for c in store.iter_sound::<Customer>() {
            let c = c.unwrap();
            let page = CustomerPage::read(&store, c.id).unwrap().unwrap();
            let table = all.get(&c.id).copied().unwrap_or_default();
            assert_eq!(page.summary, table, "customer {}", c.id);
            assert_eq!(Summary::read(&store, c.id).unwrap(), table);
            with_history += usize::from(table.orders > 0);
        }
        assert!(with_history > 50, "the demo gives most customers orders");
    }
}
