//! Changes a rep starts from the panes: new records, edits, deletes, marks and bulk changes, deal
//! moves and ticket updates. Each becomes a write for the worker; none is made here.

use super::form::FormState;
use super::{AppState, Confirm, Job, Pane, Popup, Record, Tone, Write};
use crate::domain::{Customer, CustomerId, FieldId};
pub use crate::tui::worker::Then;

/// Sets one field of a record being changed in bulk: what it was and what it becomes.
type SetField<'a> = dyn FnMut(FieldId, &str) -> Result<(String, String), String> + 'a;

impl AppState {
    /// The customer whose page is open, or who is selected in the list.
    /// The customer in view: on their page, selected, or the one the selected deal, ticket or
    /// line of the day is for.
    pub(super) fn current_customer(&self) -> Option<(CustomerId, String)> {
        if let Some(d) = &self.detail {
            return Some((d.customer.id, d.customer.name.clone()));
        }
        let (id, _) = self.customer_in_view()?;
        Some((id, self.customer_name(id).to_string()))
    }

    /// `a`: a note on the customer in view, about the deal in view if there is one.
    pub(super) fn add_note(&mut self) {
        let Some((customer, name)) = self.current_customer() else {
            return;
        };
        let deal = match self.customer_in_view() {
            Some((_, (Some(id), _))) if self.detail.is_none() => self
                .records
                .deals
                .iter()
                .find(|d| d.id == id)
                .map(|d| (d.id, d.title.clone())),
            _ => None,
        };
        let deal = deal.as_ref().map(|(id, title)| (*id, title.as_str()));
        self.open_popup(Popup::Form(FormState::note(customer, &name, deal)));
    }

    pub(super) fn new_record(&mut self) {
        // On an account's page: a new person in it.
        if let Some(account) = self.account_on_screen() {
            let label = format!("{} #{}", account.name, account.id);
            return self.open_popup(Popup::Form(FormState::customer_in(None, label)));
        }
        let customer = match self.pane {
            Pane::Customers => self.current_customer().map(|c| c.0),
            _ if self.detail.is_some() => self.current_customer().map(|c| c.0),
            _ => None,
        };
        let form = match (self.detail.is_some(), self.pane) {
            (true, _) | (false, Pane::Deals) => {
                let customer = customer.or_else(|| self.deals.selected().map(|d| d.customer));
                FormState::deal(None, customer, &self.user)
            }
            (false, Pane::Tickets) => {
                FormState::ticket(None, self.tickets.selected().map(|t| t.customer))
            }
            _ => FormState::customer(None),
        };
        self.open_popup(Popup::Form(form));
    }

    pub(super) fn new_account(&mut self) {
        let form = FormState::account(None, &self.user);
        self.open_popup(Popup::Form(form));
    }

    /// The account whose page is on screen, once read.
    fn account_on_screen(&self) -> Option<crate::domain::Account> {
        let open = self.customers.account.as_ref()?;
        let page = open.page.as_ref()?;
        (self.pane == Pane::Customers && self.detail.is_none()).then(|| page.account.clone())
    }

    pub(super) fn edit(&mut self) {
        if let Some(account) = self.account_on_screen() {
            let form = FormState::account(Some(&account), &self.user);
            return self.open_popup(Popup::Form(form));
        }
        let form = match (&self.detail, self.pane) {
            (Some(_), _) => return self.edit_on_page(),
            (None, Pane::Customers) => {
                // The table keeps only what it shows: the form opens when the worker has read the
                // whole customer.
                if let Some(id) = self.customers.selected().map(|r| r.id()) {
                    self.fetch(vec![id], Then::Edit);
                }
                None
            }
            (None, Pane::Deals) => self
                .deals
                .selected()
                .map(|d| FormState::deal(Some(d), None, &self.user)),
            (None, Pane::Tickets) => self
                .tickets
                .open_ticket()
                .or(self.tickets.selected())
                .map(|t| FormState::ticket(Some(t), None)),
            (None, Pane::Today) => {
                self.edit_followup();
                None
            }
            (None, Pane::Insights) => None,
        };
        if let Some(form) = form {
            self.open_popup(Popup::Form(form));
        }
    }

    /// Why a customer cannot be deleted, said before asking rather than after: what history they
    /// have, and what can be done instead (short enough for an 80-column status line).
    fn delete_blockers(&self, id: CustomerId) -> Option<String> {
        use crate::text::count;
        let orders = self.customers.summary(id).map_or(0, |s| s.orders as usize);
        let deals = self
            .records
            .deals
            .iter()
            .filter(|d| d.customer == id)
            .count();
        let tickets = self
            .records
            .tickets
            .iter()
            .filter(|t| t.customer == id)
            .count();
        let mut has = Vec::new();
        for (n, one, many) in [
            (orders, "order", "orders"),
            (deals, "deal", "deals"),
            (tickets, "ticket", "tickets"),
        ] {
            if n > 0 {
                has.push(count(n, one, many));
            }
        }
        if has.is_empty() {
            return None;
        }
        Some(match orders {
            0 => format!(
                "{}: delete those first, or e marks them churned",
                has.join(", ")
            ),
            _ => format!(
                "{}: kept for the books; e marks them churned, `rapport forget` erases them",
                has[0]
            ),
        })
    }

    pub(super) fn ask_delete(&mut self) {
        if self.delete_note_on_page().is_some() {
            return;
        }
        let selected = match (&self.detail, self.pane) {
            (Some(d), _) => Some(d.customer.id),
            (None, Pane::Customers) => self.customers.selected().map(|r| r.id()),
            _ => None,
        };
        if let Some(why) = selected.and_then(|id| self.delete_blockers(id)) {
            self.say(why, Tone::Bad);
            return;
        }
        let record = match (&self.detail, self.pane) {
            (Some(d), _) => Some(Record::Customer(d.customer.clone())),
            (None, Pane::Customers) => {
                if let Some(id) = self.customers.selected().map(|r| r.id()) {
                    self.fetch(vec![id], Then::Delete);
                }
                None
            }
            (None, Pane::Deals) => self.deals.selected().cloned().map(Record::Deal),
            (None, Pane::Tickets) => self
                .tickets
                .open_ticket()
                .or(self.tickets.selected())
                .cloned()
                .map(Record::Ticket),
            (None, Pane::Insights | Pane::Today) => None,
        };
        if let Some(record) = record {
            self.confirm_delete(record);
        }
    }

    pub(super) fn confirm_delete(&mut self, record: Record) {
        self.open_popup(Popup::Confirm(Confirm {
            question: format!("Delete {}? (u undoes it) y/n", record.describe()),
            write: Write::Delete {
                record,
                notes: Vec::new(),
            },
            details: Vec::new(),
        }));
    }

    /// Asks the worker for whole customers; what `then` says happens when they come.
    pub(super) fn fetch(&mut self, ids: Vec<CustomerId>, then: Then) {
        self.send(Job::Customers { ids, then });
    }

    /// Whole customers arrived for a change the rep started.
    pub(super) fn take_customers(
        &mut self,
        customers: Result<Vec<Customer>, crate::ops::OpsError>,
        then: Then,
    ) {
        let customers = match customers {
            Ok(c) => c,
            Err(e) => {
                if let Some(form) = self.form_mut() {
                    form.saving = false;
                }
                self.say(e.to_string(), Tone::Bad);
                return;
            }
        };
        match then {
            Then::Edit => {
                if let Some(c) = customers.first() {
                    self.open_popup(Popup::Form(FormState::customer(Some(c))));
                }
            }
            Then::Delete => {
                if let Some(c) = customers.into_iter().next() {
                    self.confirm_delete(Record::Customer(c));
                }
            }
            Then::Bulk(changes) => self.show_bulk_preview(&changes, &customers),
        }
    }

    /// The bulk form's change as a preview to confirm, or the form's error.
    pub(super) fn show_bulk_preview(
        &mut self,
        changes: &[(FieldId, String)],
        customers: &[Customer],
    ) {
        match self.bulk_preview(changes, customers) {
            Ok(confirm) => {
                self.close_form();
                self.open_popup(Popup::Confirm(confirm));
            }
            Err(error) => {
                if let Some(form) = self.form_mut() {
                    form.saving = false;
                    form.error = Some(error);
                }
            }
        }
    }

    pub(super) fn toggle_mark(&mut self) {
        if self.detail.is_some() {
            return;
        }
        let id = match self.pane {
            Pane::Customers => self.customers.selected().map(|r| r.id().0),
            Pane::Deals => self.deals.selected().map(|d| d.id.0),
            Pane::Tickets => self.tickets.selected().map(|t| t.id.0),
            Pane::Insights | Pane::Today => None,
        };
        if let Some(id) = id {
            if !self.marked.remove(&id) {
                self.marked.insert(id);
            }
            // The cursor stays: `v j v` marks two rows side by side.
            let message = match self.marked.len() {
                0 => "no marks left".to_string(),
                n => format!("{n} marked · e changes them all · esc clears"),
            };
            self.say(message, Tone::Info);
        }
    }

    /// The changes a bulk form asks for, as a preview to confirm: every marked record, before →
    /// after in each field. An error names the field that is wrong.
    fn bulk_preview(
        &self,
        changes: &[(FieldId, String)],
        customers: &[Customer],
    ) -> Result<Confirm, (Option<FieldId>, String)> {
        let text = |v: &str| Some(v.to_string()).filter(|v| !v.is_empty());
        let mut pairs = Vec::new();
        let mut details = Vec::new();
        // Each change to one record, as "field before → after"; the first bad value stops all.
        let mut apply =
            |name: String, set: &mut SetField| -> Result<(), (Option<FieldId>, String)> {
                let mut said = Vec::new();
                for (field, value) in changes {
                    let (before, after) = set(*field, value).map_err(|e| (Some(*field), e))?;
                    said.push(format!("{field} {before} → {after}"));
                }
                details.push(format!("{name}: {}", said.join(", ")));
                Ok(())
            };
        match self.pane {
            Pane::Customers => {
                for old in customers.iter().filter(|c| self.marked.contains(&c.id.0)) {
                    let mut new = old.clone();
                    apply(old.name.clone(), &mut |field, value| {
                        Ok(match field {
                            FieldId::Owner => {
                                new.owner = text(value);
                                (opt_text(&old.owner), value.to_string())
                            }
                            FieldId::Stage => {
                                new.stage = value.parse()?;
                                (old.stage.to_string(), new.stage.to_string())
                            }
                            _ => {
                                if !new.tags.iter().any(|t| t == value) {
                                    new.tags.push(value.to_string());
                                }
                                (old.tags.join(", "), new.tags.join(", "))
                            }
                        })
                    })?;
                    new.validate().map_err(|e| (None, e.to_string()))?;
                    new.updated = self.now;
                    pairs.push((Record::Customer(old.clone()), Record::Customer(new)));
                }
            }
            Pane::Deals => {
                let marked = self.deals.deals.iter();
                for deal in marked.filter(|d| self.marked.contains(&d.id.0)) {
                    let mut new = deal.clone();
                    apply(deal.title.clone(), &mut |field, value| {
                        Ok(match field {
                            FieldId::Owner => {
                                new.owner = text(value);
                                (opt_text(&deal.owner), value.to_string())
                            }
                            _ => {
                                new.move_to(value.parse()?, None, self.now);
                                (deal.stage.to_string(), new.stage.to_string())
                            }
                        })
                    })?;
                    new.updated = self.now;
                    pairs.push((Record::Deal(deal.clone()), Record::Deal(new)));
                }
            }
            Pane::Tickets => {
                let marked = self.tickets.tickets.iter();
                for ticket in marked.filter(|t| self.marked.contains(&t.id.0)) {
                    let mut new = ticket.clone();
                    let name = format!("#{} {}", ticket.id, ticket.subject);
                    apply(name, &mut |field, value| {
                        Ok(match field {
                            FieldId::Status => {
                                new.status = value.parse()?;
                                (ticket.status.to_string(), new.status.to_string())
                            }
                            _ => {
                                new.priority = value.parse()?;
                                (ticket.priority.to_string(), new.priority.to_string())
                            }
                        })
                    })?;
                    new.updated = self.now;
                    pairs.push((Record::Ticket(ticket.clone()), Record::Ticket(new)));
                }
            }
            Pane::Insights | Pane::Today => {}
        }
        if pairs.is_empty() {
            return Err((None, "nothing marked to change".into()));
        }
        Ok(Confirm {
            question: bulk_question(changes, pairs.len()),
            write: Write::Batch(pairs),
            details,
        })
    }

    pub(super) fn describe_write(&self, write: &Write) -> String {
        match write {
            Write::Batch(pairs) => format!("{} records", pairs.len()),
            other => self.describe(other.record()),
        }
    }

    /// What undoing with `write` (the inverse of a change) takes back, as the status bar says it.
    pub(super) fn undo_text(&self, write: &Write) -> String {
        let what = self.describe_write(write);
        let undo = match write {
            Write::Delete { .. } => format!("undo creating {what}"),
            Write::Restore { .. } | Write::Create(_) => format!("undo deleting {what}"),
            Write::Update { .. } => format!("undo the change to {what}"),
            Write::Batch(_) => format!("undo the bulk change to {what}"),
        };
        // The undo stack is the session's, not the pane's: say where the change was made.
        let pane = super::pane_of(write.record());
        match pane == self.pane && self.detail.is_none() {
            true => undo,
            false => format!("{undo} (made in {})", pane.title()),
        }
    }

    /// A record as the status bar names it.
    pub(super) fn describe(&self, record: &Record) -> String {
        match record {
            Record::Note(n) => format!("note on {}", self.customer_name(n.customer)),
            Record::Followup(f) => match f.done {
                Some(_) => format!("follow-up with {} (done)", self.customer_name(f.customer)),
                None => format!(
                    "follow-up with {}, due {}",
                    self.customer_name(f.customer),
                    crate::domain::due_text(f.due, self.now)
                ),
            },
            other => other.describe(),
        }
    }
}

fn opt_text(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "—".into())
}

/// What a bulk change does, asked before it is made: "Set owner to 'bea' on these 3? y/n".
fn bulk_question(changes: &[(FieldId, String)], count: usize) -> String {
    let what: Vec<String> = (changes.iter())
        .map(|(field, value)| match *field {
            FieldId::Tag => format!("add tag '{value}'"),
            _ => format!("set {field} to '{value}'"),
        })
        .collect();
    let mut question = what.join(" and ");
    if let Some(first) = question.get(..1) {
        question = first.to_uppercase() + &question[1..];
    }
    format!("{question} on these {count}? y/n (u undoes it)")
}
