//! A business's page: its people, and everything of theirs rolled up: open deals, tickets, orders
//! and revenue, follow-ups, and one timeline of all of it.

use super::summary::{CustomerPage, Summary, TimelineItem};
use crate::domain::{Account, AccountId, Customer, Deal, Followup, Ticket};
use crate::store::{Records, StoreError};

/// One person of the account, with what their history adds up to.
#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    pub customer: Customer,
    pub summary: Summary,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AccountPage {
    pub account: Account,
    /// By name.
    pub contacts: Vec<Contact>,
    /// Every contact's summary added up: the account's orders, revenue, open deals and tickets.
    pub summary: Summary,
    /// Open ones, soonest close first, then the closed ones, newest first.
    pub deals: Vec<Deal>,
    /// Active ones first, by due date; then the rest, newest first.
    pub tickets: Vec<Ticket>,
    /// Open follow-ups of all its people, soonest first.
    pub followups: Vec<Followup>,
    /// Every contact's timeline in one, each line naming whose it is; newest first.
    pub timeline: Vec<TimelineItem>,
}

impl AccountPage {
    /// Reads the account and, through the indexes, each of its people's records: a few small
    /// reads a person.
    pub fn read(store: &Records, id: AccountId) -> Result<Option<AccountPage>, StoreError> {
        let Some(account) = store.get::<Account>(id.0)? else {
            return Ok(None);
        };
        let mut page = AccountPage {
            account,
            contacts: Vec::new(),
            summary: Summary::default(),
            deals: Vec::new(),
            tickets: Vec::new(),
            followups: Vec::new(),
            timeline: Vec::new(),
        };
        for person in store.contacts_of(id)? {
            let Some(p) = CustomerPage::read(store, person.id)? else {
                continue;
            };
            page.add(p);
        }
        page.contacts
            .sort_by_key(|c| (c.customer.name.to_lowercase(), c.customer.id));
        page.deals.sort_by_key(|d| {
            let open = d.stage.is_open();
            (
                !open,
                open.then_some(d.expected_close),
                std::cmp::Reverse(d.updated),
            )
        });
        page.tickets.sort_by_key(|t| {
            let active = t.status.is_active();
            (
                !active,
                active.then_some(t.due),
                std::cmp::Reverse(t.created),
            )
        });
        page.followups.sort_by_key(|f| (f.due, f.id));
        page.timeline.sort_by_key(|item| std::cmp::Reverse(item.at));
        Ok(Some(page))
    }

    fn add(&mut self, p: CustomerPage) {
        self.summary.add(&p.summary);
        self.deals.extend(p.deals);
        self.tickets.extend(p.tickets);
        self.followups.extend(p.followups);
        let who = &p.customer.name;
        self.timeline.extend(p.timeline.into_iter().map(|mut item| {
            item.text = format!("{who}: {}", item.text);
            item
        }));
        self.contacts.push(Contact {
            customer: p.customer,
            summary: p.summary,
        });
    }
}
