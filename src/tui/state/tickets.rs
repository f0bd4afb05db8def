//! The support queue: active tickets by priority then due time, a ticket's thread, status changes.

use super::effect::Effect;
use super::input::TextInput;
use super::list::ListNav;
use super::pane::{About, Component, Ctx, narrowed};
use super::{Popup, Prompt, PromptKind};
use crate::domain::{CustomerId, Ticket, TicketId, TicketStatus, Timestamp};
use crate::tui::action::Action;
use crate::tui::worker::Record;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct TicketsState {
    /// The read model's tickets, shared by every session.
    pub tickets: Arc<Vec<Ticket>>,
    /// Indexes into `tickets`: open and pending first (most urgent, then soonest due), then the rest.
    pub queue: Arc<Vec<usize>>,
    pub nav: ListNav,
    /// The ticket whose thread is open.
    pub open: Option<TicketId>,
    pub thread_scroll: super::list::Scroll,
}

impl TicketsState {
    pub fn new(tickets: Arc<Vec<Ticket>>, queue: Arc<Vec<usize>>) -> TicketsState {
        TicketsState {
            tickets,
            queue,
            ..TicketsState::default()
        }
    }

    pub fn selected(&self) -> Option<&Ticket> {
        self.queue.get(self.nav.selected).map(|&i| &self.tickets[i])
    }

    pub fn open_ticket(&self) -> Option<&Ticket> {
        let id = self.open?;
        self.tickets.iter().find(|t| t.id == id)
    }
}

impl Component for TicketsState {
    fn act(&mut self, action: Action, ctx: &Ctx) -> Effect {
        if action.moves() {
            match self.open {
                Some(_) => self.thread_scroll.go(action, ctx.rows),
                None => self.nav.go(action, self.queue.len(), ctx.rows),
            }
            return Effect::None;
        }
        if matches!(action, Action::Open | Action::Accept) {
            self.open = self.selected().map(|t| t.id);
            return Effect::None;
        }
        let now = ctx.now;
        let Some(old) = self.open_ticket().or(self.selected()).cloned() else {
            return Effect::None;
        };
        match action {
            Action::StatusNext | Action::StatusPrev => {
                match self.with_status(action == Action::StatusNext, now) {
                    Some(t) => {
                        let saying = format!("ticket #{} → {}…", t.id, t.status);
                        Effect::update(Record::Ticket(old), Record::Ticket(t), saying)
                    }
                    None => Effect::info("no status that way"),
                }
            }
            Action::Reply => Effect::Open(Popup::Prompt(Prompt {
                kind: PromptKind::Reply {
                    subject: old.subject,
                },
                input: TextInput::default(),
            })),
            _ => Effect::None,
        }
    }

    fn take(&mut self, ctx: &Ctx) {
        let records = ctx.records;
        let me = ctx.mine_of();
        let queue = narrowed(&records.queue, me, |i| {
            let owner = records.customer(records.tickets[i].customer);
            crate::model::today::owned_by(owner.and_then(|c| c.owner()), me)
        });
        self.take_records(Arc::clone(&records.tickets), queue, ctx.rows);
    }

    fn in_view(&self) -> Option<(CustomerId, About)> {
        let t = self.open_ticket().or(self.selected())?;
        Some((t.customer, (None, Some(t.id))))
    }
}

impl TicketsState {
    /// The selected ticket with its status stepped forward or back, ready to save.
    pub fn with_status(&self, forward: bool, now: Timestamp) -> Option<Ticket> {
        let ticket = self.open_ticket().or(self.selected())?;
        let all = TicketStatus::ALL;
        let i = all.iter().position(|s| *s == ticket.status)?;
        let status = if forward {
            all.get(i + 1)?
        } else {
            all.get(i.checked_sub(1)?)?
        };
        Some(Ticket {
            status: *status,
            updated: now,
            ..ticket.clone()
        })
    }

    /// The reply typed in the prompt, as a write for the ticket being answered.
    pub fn reply(&mut self, author: &str, body: &str, now: Timestamp) -> Effect {
        let Some(old) = self.open_ticket().or(self.selected()).cloned() else {
            return Effect::None;
        };
        // The reply goes at the end of the thread: the view follows it there.
        self.thread_scroll.to_end();
        let mut new = old.clone();
        new.reply(author, body, now);
        Effect::update(
            Record::Ticket(old),
            Record::Ticket(new),
            "sending reply…".into(),
        )
    }

    /// Takes in the tickets of a newer snapshot, keeping the same ticket selected (or the same row
    /// when it is gone) and its thread open while it exists.
    pub fn take_records(&mut self, tickets: Arc<Vec<Ticket>>, queue: Arc<Vec<usize>>, rows: usize) {
        let keep = self.selected().map(|t| t.id);
        let at = self.nav.selected;
        self.tickets = tickets;
        self.queue = queue;
        if self.open.is_some() && self.open_ticket().is_none() {
            self.open = None;
            self.thread_scroll = Default::default();
        }
        let len = self.queue.len();
        let at = keep
            .and_then(|id| self.queue.iter().position(|&i| self.tickets[i].id == id))
            .unwrap_or(at);
        self.nav.select(at, len, rows);
    }

    pub fn select_ticket(&mut self, id: TicketId, rows: usize) {
        if let Some(pos) = self.queue.iter().position(|&i| self.tickets[i].id == id) {
            self.nav.select(pos, self.queue.len(), rows);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CustomerId;
    use crate::domain::Priority;
    use chrono::{Duration, Utc};

    #[test]
    fn the_queue_puts_urgent_active_tickets_first() {
        let now = Utc::now();
        let make = |id: u64, priority: Priority, status: TicketStatus, due_days: i64| {
            let mut t = Ticket::new(format!("T{id}"), CustomerId(1), now - Duration::days(30));
            t.id = TicketId(id);
            t.priority = priority;
            t.status = status;
            t.due = Some(now + Duration::days(due_days));
            t
        };
        let tickets = vec![
            make(1, Priority::Normal, TicketStatus::Open, 1),
            make(2, Priority::Urgent, TicketStatus::Closed, 0),
            make(3, Priority::Urgent, TicketStatus::Pending, 5),
            make(4, Priority::Normal, TicketStatus::Open, -2),
        ];
        let queue = crate::model::order::queue(&tickets);
        let order: Vec<u64> = queue.iter().map(|&i| tickets[i].id.0).collect();
        assert_eq!(order, vec![3, 4, 1, 2]);
    }
}
