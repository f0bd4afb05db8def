//! An account's page as the customers pane shows it: the page the worker read, and the person
//! selected among its people (Enter opens theirs).

use super::effect::Effect;
use super::list::ListNav;
use super::pane::Ctx;
use super::{Action, Tone};
use crate::domain::{AccountId, CustomerId};
use crate::model::AccountPage;
use crate::tui::worker::Job;

/// Which account a page is asked for: one by id, or a person's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountOf {
    Id(AccountId),
    Person(CustomerId),
}

#[derive(Debug)]
pub struct AccountView {
    pub asked: AccountOf,
    /// None until the worker has read it.
    pub page: Option<AccountPage>,
    pub people: ListNav,
}

impl AccountView {
    pub fn new(asked: AccountOf) -> AccountView {
        AccountView {
            asked,
            page: None,
            people: ListNav::default(),
        }
    }

    pub fn id(&self) -> Option<AccountId> {
        match self.asked {
            AccountOf::Id(id) => Some(id),
            AccountOf::Person(_) => self.page.as_ref().map(|p| p.account.id),
        }
    }

    pub fn selected(&self) -> Option<CustomerId> {
        let page = self.page.as_ref()?;
        Some(page.contacts.get(self.people.selected)?.customer.id)
    }

    /// A move among its people; Enter opens the one selected.
    pub fn act(&mut self, action: Action, ctx: &Ctx) -> Effect {
        let people = self.page.as_ref().map_or(0, |p| p.contacts.len());
        if action.moves() {
            self.people.go(action, people, ctx.rows);
            return Effect::None;
        }
        match (action, self.selected()) {
            (Action::Open | Action::Accept, Some(id)) => Effect::OpenCustomer(id),
            _ => Effect::None,
        }
    }

    /// The worker's answer. A newer page of the same account keeps the person selected.
    pub fn answer(&mut self, page: Option<AccountPage>, rows: usize) -> Option<Effect> {
        let Some(page) = page else {
            return Some(Effect::Say(
                match self.asked {
                    AccountOf::Person(_) => "this customer is in no account".into(),
                    AccountOf::Id(id) => format!("account {id} is no longer there"),
                },
                Tone::Info,
            ));
        };
        let keep = self.selected();
        self.asked = AccountOf::Id(page.account.id);
        let at = keep
            .and_then(|id| page.contacts.iter().position(|c| c.customer.id == id))
            .unwrap_or(0);
        self.people.select(at, page.contacts.len(), rows);
        self.page = Some(page);
        None
    }

    /// Whether an answer to `asked` is for this page.
    pub fn job_asks(&self, asked: AccountOf) -> bool {
        asked == self.asked || Some(asked) == self.id().map(AccountOf::Id)
    }

    /// The job that reads (or reads again) the page.
    pub fn job(&self) -> Job {
        Job::AccountPage(match self.id() {
            Some(id) => AccountOf::Id(id),
            None => self.asked,
        })
    }
}
