//! Records found by the non-unique indexes: a customer's orders, deals, tickets, notes and
//! follow-ups, an account's people, the deals in a stage.

use super::keys::{Tr, id_from_key, id_key};
use super::{Entity, Records, Store, StoreError, entity};
use crate::domain::{
    Account, AccountId, Customer, CustomerId, Deal, DealStage, Followup, Note, Order, Ticket,
    TicketStatus,
};

/// Groups kept by the non-unique indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    OrdersOf(CustomerId),
    DealsOf(CustomerId),
    TicketsOf(CustomerId),
    NotesOf(CustomerId),
    FollowupsOf(CustomerId),
    DealsIn(DealStage),
    TicketsIn(TicketStatus),
    ContactsOf(AccountId),
}

impl Group {
    fn prefix(self) -> (Tr, Vec<u8>) {
        match self {
            Group::OrdersOf(c) => (Tr::OrderByCustomer, id_key(c.0).to_vec()),
            Group::DealsOf(c) => (Tr::DealByCustomer, id_key(c.0).to_vec()),
            Group::TicketsOf(c) => (Tr::TicketByCustomer, id_key(c.0).to_vec()),
            Group::NotesOf(c) => (Tr::NoteByCustomer, id_key(c.0).to_vec()),
            Group::FollowupsOf(c) => (Tr::FollowupByCustomer, id_key(c.0).to_vec()),
            Group::DealsIn(s) => (Tr::DealByStage, vec![entity::stage_byte(s)]),
            Group::TicketsIn(s) => (Tr::TicketByStatus, vec![entity::status_byte(s)]),
            Group::ContactsOf(a) => (Tr::CustomerByAccount, id_key(a.0).to_vec()),
        }
    }
}

impl Records {
    pub fn group_ids(&self, group: Group) -> Result<Vec<u64>, StoreError> {
        self.alive()?;
        let (tree, prefix) = group.prefix();
        self.tree(tree)
            .scan_prefix(prefix)
            .keys()
            .map(|k| Ok(id_from_key(&k?).unwrap_or(0)))
            .collect()
    }

    fn group<E: Entity>(&self, group: Group) -> Result<Vec<E>, StoreError> {
        self.group_ids(group)?
            .into_iter()
            .filter_map(|id| self.get::<E>(id).transpose())
            .collect()
    }

    pub fn orders_of(&self, customer: CustomerId) -> Result<Vec<Order>, StoreError> {
        self.group(Group::OrdersOf(customer))
    }

    pub fn deals_of(&self, customer: CustomerId) -> Result<Vec<Deal>, StoreError> {
        self.group(Group::DealsOf(customer))
    }

    pub fn tickets_of(&self, customer: CustomerId) -> Result<Vec<Ticket>, StoreError> {
        self.group(Group::TicketsOf(customer))
    }

    pub fn notes_of(&self, customer: CustomerId) -> Result<Vec<Note>, StoreError> {
        self.group(Group::NotesOf(customer))
    }

    pub fn followups_of(&self, customer: CustomerId) -> Result<Vec<Followup>, StoreError> {
        self.group(Group::FollowupsOf(customer))
    }

    pub fn deals_in(&self, stage: DealStage) -> Result<Vec<Deal>, StoreError> {
        self.group(Group::DealsIn(stage))
    }

    pub fn tickets_in(&self, status: TicketStatus) -> Result<Vec<Ticket>, StoreError> {
        self.group(Group::TicketsIn(status))
    }

    /// An account's people.
    pub fn contacts_of(&self, account: AccountId) -> Result<Vec<Customer>, StoreError> {
        self.group(Group::ContactsOf(account))
    }

    /// Accounts whose name folds to `key` (see `Account::name_key`).
    pub fn accounts_named(&self, key: &str) -> Result<Vec<Account>, StoreError> {
        let mut prefix = key.as_bytes().to_vec();
        prefix.push(0);
        self.scan_accounts(Tr::AccountByName, prefix)
    }

    /// Accounts with this domain (as `normal_domain` writes it).
    pub fn accounts_at(&self, domain: &str) -> Result<Vec<Account>, StoreError> {
        let mut prefix = domain.as_bytes().to_vec();
        prefix.push(0);
        self.scan_accounts(Tr::AccountByDomain, prefix)
    }

    fn scan_accounts(&self, tree: Tr, prefix: Vec<u8>) -> Result<Vec<Account>, StoreError> {
        self.alive()?;
        let ids: Vec<u64> = (self.tree(tree).scan_prefix(prefix).keys())
            .map(|k| Ok(id_from_key(&k?).unwrap_or(0)))
            .collect::<Result<_, StoreError>>()?;
        ids.into_iter()
            .filter_map(|id| self.get::<Account>(id).transpose())
            .collect()
    }
}

impl Store {
    /// An account goes once no person names it: its people are unlinked by a person's choice.
    pub(super) fn delete_account<E: Entity>(&self, id: u64) -> Result<E, StoreError> {
        loop {
            let seen = self.data_version()?;
            if !self.group_ids(Group::ContactsOf(AccountId(id)))?.is_empty() {
                return Err(StoreError::InUse {
                    entity: E::NAME,
                    id,
                    what: "contacts",
                });
            }
            let deleted = self.write(|tx| {
                if tx.data_version()? != seen {
                    return Ok(None);
                }
                tx.trash::<E>(id, None).map(Some)
            })?;
            if let Some(record) = deleted {
                return Ok(record);
            }
        }
    }
}
