//! What the store needs to know of each record type: its tree, its id, and the index entries it owns.
//! Index upkeep is derived from `index_entries`, so a record and its indexes cannot be written apart.

use super::keys::{Tr, group_key, id_key};
use crate::domain::{
    Account, AccountId, Customer, CustomerId, Deal, DealId, Followup, FollowupId, Member, MemberId,
    Note, NoteId, Order, OrderId, Product, ProductId, Ticket, TicketId, ValidationError,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One index entry a record owns. Unique entries map a natural key to the id and refuse a second
/// record with the same key; grouped entries hold the id in the key and an empty value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub tree: Tr,
    pub key: Vec<u8>,
    /// For unique keys: the field name and the value as a user would read it, for error messages.
    pub unique: Option<(crate::domain::FieldId, String)>,
}

impl IndexEntry {
    fn unique(tree: Tr, field: crate::domain::FieldId, value: &str) -> IndexEntry {
        IndexEntry {
            tree,
            key: value.as_bytes().to_vec(),
            unique: Some((field, value.to_string())),
        }
    }

    fn group(tree: Tr, group: &[u8], id: u64) -> IndexEntry {
        IndexEntry {
            tree,
            key: group_key(group, id),
            unique: None,
        }
    }
}

pub trait Entity: Serialize + DeserializeOwned + Clone + 'static {
    const TREE: Tr;
    /// The word a user reads in messages: "customer", "deal".
    const NAME: &'static str;
    /// The index trees this entity writes to, for rebuilding and checking them.
    const INDEXES: &'static [Tr];

    fn id(&self) -> u64;
    fn set_id(&mut self, id: u64);
    fn validate(&self) -> Result<(), ValidationError>;
    fn index_entries(&self) -> Vec<IndexEntry>;
    /// A few words that tell a user which record this is: a name, a title, a subject.
    fn label(&self) -> String;
    /// Customers this record points at; each must exist when it is written.
    fn customer_refs(&self) -> Option<CustomerId> {
        None
    }
    /// The account this record belongs to; it must exist when the record is written.
    fn account_refs(&self) -> Option<AccountId> {
        None
    }
    /// Fields that hold money, which the audit log shows as amounts rather than minor units.
    const MONEY: &'static [&'static str] = &[];
    /// Fields that hold times (milliseconds), which it shows as dates.
    const TIMES: &'static [&'static str] = &[];
    /// Fields that hold one of a fixed set of names (a stage, a kind), which it shows as the app
    /// names them: "call", not "Call".
    const NAMES: &'static [&'static str] = &[];
}

impl Entity for Customer {
    const TIMES: &'static [&'static str] = &["created"];
    const NAMES: &'static [&'static str] = &["stage"];
    const TREE: Tr = Tr::Customers;
    const NAME: &'static str = "customer";
    const INDEXES: &'static [Tr] = &[
        Tr::CustomerByEmail,
        Tr::CustomerByExternal,
        Tr::CustomerByName,
        Tr::CustomerByAccount,
    ];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = CustomerId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Customer::validate(self)
    }
    fn label(&self) -> String {
        self.name.clone()
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        let mut out = Vec::new();
        if let Some(email) = self.email_key() {
            out.push(IndexEntry::unique(
                Tr::CustomerByEmail,
                crate::domain::FieldId::Email,
                &email,
            ));
        }
        if let Some(ext) = &self.external_id {
            out.push(IndexEntry::unique(
                Tr::CustomerByExternal,
                crate::domain::FieldId::ExternalId,
                ext,
            ));
        }
        // Byte order of the name, then id: the customers table's own order, so the app can draw its
        // first screen from the index without reading every customer.
        let mut name = self.name.as_bytes().to_vec();
        name.push(0);
        out.push(IndexEntry::group(Tr::CustomerByName, &name, self.id.0));
        if let Some(account) = self.account {
            out.push(IndexEntry::group(
                Tr::CustomerByAccount,
                &id_key(account.0),
                self.id.0,
            ));
        }
        out
    }
    fn account_refs(&self) -> Option<AccountId> {
        self.account
    }
}

impl Entity for Account {
    const TIMES: &'static [&'static str] = &["created"];
    const TREE: Tr = Tr::Accounts;
    const NAME: &'static str = "account";
    const INDEXES: &'static [Tr] = &[Tr::AccountByName, Tr::AccountByDomain];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = AccountId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Account::validate(self)
    }
    fn label(&self) -> String {
        self.name.clone()
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        // Grouped, not unique: two businesses may share a name or a domain, and duplicates finds
        // them there.
        let mut name = self.name_key().into_bytes();
        name.push(0);
        let mut out = vec![IndexEntry::group(Tr::AccountByName, &name, self.id.0)];
        if let Some(domain) = &self.domain {
            let mut domain = domain.as_bytes().to_vec();
            domain.push(0);
            out.push(IndexEntry::group(Tr::AccountByDomain, &domain, self.id.0));
        }
        out
    }
}

impl Entity for Product {
    const TREE: Tr = Tr::Products;
    const MONEY: &'static [&'static str] = &["unit_price"];
    const NAME: &'static str = "product";
    const INDEXES: &'static [Tr] = &[Tr::ProductBySku];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = ProductId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Product::validate(self)
    }
    fn label(&self) -> String {
        format!("{} {}", self.sku, self.name)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![IndexEntry::unique(
            Tr::ProductBySku,
            crate::domain::FieldId::Sku,
            &self.sku,
        )]
    }
}

impl Entity for Order {
    const TIMES: &'static [&'static str] = &["placed"];
    const TREE: Tr = Tr::Orders;
    const NAME: &'static str = "order";
    const INDEXES: &'static [Tr] = &[Tr::OrderByNumber, Tr::OrderByCustomer];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = OrderId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Order::validate(self)
    }
    fn label(&self) -> String {
        self.number.clone()
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        let mut out = vec![IndexEntry::unique(
            Tr::OrderByNumber,
            crate::domain::FieldId::Number,
            &self.number,
        )];
        if let Some(customer) = self.customer {
            out.push(IndexEntry::group(
                Tr::OrderByCustomer,
                &id_key(customer.0),
                self.id.0,
            ));
        }
        out
    }
    fn customer_refs(&self) -> Option<CustomerId> {
        self.customer
    }
}

impl Entity for Deal {
    const TIMES: &'static [&'static str] = &["created", "closed"];
    const NAMES: &'static [&'static str] = &["stage"];
    const TREE: Tr = Tr::Deals;
    const MONEY: &'static [&'static str] = &["value"];
    const NAME: &'static str = "deal";
    const INDEXES: &'static [Tr] = &[Tr::DealByStage, Tr::DealByCustomer];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = DealId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Deal::validate(self)
    }
    fn label(&self) -> String {
        self.title.clone()
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![
            IndexEntry::group(Tr::DealByStage, &[stage_byte(self.stage)], self.id.0),
            IndexEntry::group(Tr::DealByCustomer, &id_key(self.customer.0), self.id.0),
        ]
    }
    fn customer_refs(&self) -> Option<CustomerId> {
        Some(self.customer)
    }
}

impl Entity for Ticket {
    const TIMES: &'static [&'static str] = &["created", "due"];
    const NAMES: &'static [&'static str] = &["status", "priority"];
    const TREE: Tr = Tr::Tickets;
    const NAME: &'static str = "ticket";
    const INDEXES: &'static [Tr] = &[Tr::TicketByStatus, Tr::TicketByCustomer];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = TicketId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Ticket::validate(self)
    }
    fn label(&self) -> String {
        self.subject.clone()
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![
            IndexEntry::group(Tr::TicketByStatus, &[status_byte(self.status)], self.id.0),
            IndexEntry::group(Tr::TicketByCustomer, &id_key(self.customer.0), self.id.0),
        ]
    }
    fn customer_refs(&self) -> Option<CustomerId> {
        Some(self.customer)
    }
}

impl Entity for Note {
    const TIMES: &'static [&'static str] = &["at"];
    const NAMES: &'static [&'static str] = &["kind"];
    const TREE: Tr = Tr::Notes;
    const NAME: &'static str = "note";
    const INDEXES: &'static [Tr] = &[Tr::NoteByCustomer];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = NoteId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Note::validate(self)
    }
    fn label(&self) -> String {
        self.text.chars().take(60).collect()
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![IndexEntry::group(
            Tr::NoteByCustomer,
            &id_key(self.customer.0),
            self.id.0,
        )]
    }
    fn customer_refs(&self) -> Option<CustomerId> {
        Some(self.customer)
    }
}

impl Entity for Followup {
    const TIMES: &'static [&'static str] = &["created", "due", "done"];
    const TREE: Tr = Tr::Followups;
    const NAME: &'static str = "follow-up";
    const INDEXES: &'static [Tr] = &[Tr::FollowupByCustomer];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = FollowupId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Followup::validate(self)
    }
    fn label(&self) -> String {
        self.text.chars().take(60).collect()
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![IndexEntry::group(
            Tr::FollowupByCustomer,
            &id_key(self.customer.0),
            self.id.0,
        )]
    }
    fn customer_refs(&self) -> Option<CustomerId> {
        Some(self.customer)
    }
}

impl Entity for Member {
    const TIMES: &'static [&'static str] = &["added"];
    const NAMES: &'static [&'static str] = &["role"];
    const TREE: Tr = Tr::Members;
    const NAME: &'static str = "member";
    const INDEXES: &'static [Tr] = &[Tr::MemberByName, Tr::MemberByKey];

    fn id(&self) -> u64 {
        self.id.0
    }
    fn set_id(&mut self, id: u64) {
        self.id = MemberId(id);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Member::validate(self)
    }
    fn label(&self) -> String {
        self.name.clone()
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        // Names are unique without regard to case: "Bea" and "bea" would sign notes alike.
        let mut out = vec![IndexEntry::unique(
            Tr::MemberByName,
            crate::domain::FieldId::Name,
            &self.name.to_lowercase(),
        )];
        for key in self.keys() {
            out.push(IndexEntry::unique(
                Tr::MemberByKey,
                crate::domain::FieldId::Key,
                &key.fingerprint,
            ));
        }
        out
    }
}

/// Index bytes for stages and statuses are fixed here, not taken from enum order, so reordering an
/// enum in the domain cannot silently break stored indexes.
pub fn stage_byte(stage: crate::domain::DealStage) -> u8 {
    use crate::domain::DealStage::*;
    match stage {
        Lead => 0,
        Qualified => 1,
        Proposal => 2,
        Negotiation => 3,
        Won => 4,
        Lost => 5,
    }
}

pub fn status_byte(status: crate::domain::TicketStatus) -> u8 {
    use crate::domain::TicketStatus::*;
    match status {
        Open => 0,
        Pending => 1,
        Resolved => 2,
        Closed => 3,
    }
}
