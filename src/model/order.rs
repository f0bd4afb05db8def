//! The orders every session starts from: customers by name, the pipeline's columns, the support
//! queue. Computed once per snapshot, where the records change, and shared.

use super::CustomerRow;
use crate::domain::{Deal, DealStage, Ticket};

/// Positions of the customers by name (then id), the table's first sort.
pub fn by_name(rows: &[CustomerRow]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        rows[a]
            .name()
            .cmp(rows[b].name())
            .then(rows[a].id().cmp(&rows[b].id()))
    });
    order
}

/// The board: deal positions per stage, biggest value first.
pub fn pipeline(deals: &[Deal]) -> Vec<Vec<usize>> {
    let mut columns = vec![Vec::new(); DealStage::ALL.len()];
    for (i, d) in deals.iter().enumerate() {
        if let Some(c) = DealStage::ALL.iter().position(|s| *s == d.stage) {
            columns[c].push(i);
        }
    }
    for ids in &mut columns {
        ids.sort_by(|&a, &b| deals[b].value.cmp(&deals[a].value).then(a.cmp(&b)));
    }
    columns
}

/// Every deal by expected close date (undated first), the biggest first on the same day.
pub fn by_close(deals: &[Deal]) -> Vec<usize> {
    let mut list: Vec<usize> = (0..deals.len()).collect();
    list.sort_by_key(|&i| (deals[i].expected_close, std::cmp::Reverse(deals[i].value)));
    list
}

/// The support queue: open and pending first (most urgent, then soonest due), then the rest.
pub fn queue(tickets: &[Ticket]) -> Vec<usize> {
    let t = tickets;
    let mut queue: Vec<usize> = (0..t.len()).collect();
    queue.sort_by(|&a, &b| {
        let (x, y) = (&t[a], &t[b]);
        y.status
            .is_active()
            .cmp(&x.status.is_active())
            .then(y.priority.cmp(&x.priority))
            .then(x.due.is_none().cmp(&y.due.is_none()))
            .then(x.due.cmp(&y.due))
            .then(x.id.cmp(&y.id))
    });
    queue
}
