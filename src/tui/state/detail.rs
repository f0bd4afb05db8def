//! One customer's whole relationship: contact card and a timeline of orders, deals, tickets and notes.

use crate::domain::{Customer, Deal, Note, Order, OrderKind, Ticket, Timestamp};
use crate::store::{Store, StoreError};
use crate::tui::worker::Summary;

#[derive(Clone, Debug, PartialEq)]
pub struct TimelineItem {
    pub at: Timestamp,
    pub kind: &'static str,
    pub text: String,
}

#[derive(Debug)]
pub struct DetailState {
    pub customer: Customer,
    pub summary: Summary,
    pub timeline: Vec<TimelineItem>,
    pub scroll: usize,
    /// Segment, cluster and suggestions; None until the insights are computed, or with no purchases.
    pub insight: Option<crate::insights::CustomerInsight>,
    pub insight_ready: bool,
}

impl DetailState {
    /// Reads one customer's history through the per-customer indexes: a few small reads.
    pub fn load(store: &Store, customer: Customer) -> Result<DetailState, StoreError> {
        let orders: Vec<Order> = store.orders_of(customer.id)?;
        let deals: Vec<Deal> = store.deals_of(customer.id)?;
        let tickets: Vec<Ticket> = store.tickets_of(customer.id)?;
        let notes: Vec<Note> = store.notes_of(customer.id)?;
        let mut summary = Summary::default();
        let mut timeline = Vec::new();
        for o in &orders {
            let lines = o.lines.len();
            let (kind, verb) = match o.kind {
                OrderKind::Purchase => ("order", "order"),
                OrderKind::Cancellation => ("return", "cancellation"),
            };
            if o.kind == OrderKind::Purchase {
                summary.orders += 1;
                summary.last_order = summary.last_order.max(Some(o.placed));
            }
            summary.lifetime_value = summary.lifetime_value + o.total();
            timeline.push(TimelineItem {
                at: o.placed,
                kind,
                text: format!(
                    "{verb} {} · {lines} line{} · {}",
                    o.number,
                    if lines == 1 { "" } else { "s" },
                    o.total()
                ),
            });
        }
        for d in &deals {
            summary.open_deals += u32::from(d.stage.is_open());
            timeline.push(TimelineItem {
                at: d.created,
                kind: "deal",
                text: format!(
                    "{} · {} {} · {} ({}%)",
                    d.title, d.value, d.currency, d.stage, d.probability
                ),
            });
        }
        for t in &tickets {
            summary.open_tickets += u32::from(t.status.is_active());
            timeline.push(TimelineItem {
                at: t.created,
                kind: "ticket",
                text: format!("{} · {} · {}", t.subject, t.status, t.priority),
            });
        }
        for n in &notes {
            timeline.push(TimelineItem {
                at: n.at,
                kind: n.kind.name(),
                text: n.text.clone(),
            });
        }
        timeline.sort_by_key(|item| std::cmp::Reverse(item.at));
        Ok(DetailState {
            customer,
            summary,
            timeline,
            scroll: 0,
            insight: None,
            insight_ready: false,
        })
    }
}
