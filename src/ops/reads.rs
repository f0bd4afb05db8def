//! What a session reads beyond the shared read model: a record's page, an order by its number,
//! the actor's own views, the customers a change is about, pairs that look like one person. They
//! come through here, so nothing above `ops` holds the store.

use super::{Ops, OpsError};
use crate::clean::DuplicatePair;
use crate::domain::{AccountId, Customer, CustomerId, DealId, Member, Order, RecordRef, View};
use crate::model::{AccountPage, CustomerPage, DealPage};
use crate::store::{Merge, Unique};

impl Ops {
    pub fn customer_page(&self, id: CustomerId) -> Result<Option<CustomerPage>, OpsError> {
        Ok(CustomerPage::read(&self.store, id)?)
    }

    pub fn account_page(&self, id: AccountId) -> Result<Option<AccountPage>, OpsError> {
        Ok(AccountPage::read(&self.store, id)?)
    }

    pub fn deal_page(&self, id: DealId) -> Result<Option<DealPage>, OpsError> {
        Ok(DealPage::read(&self.store, id)?)
    }

    /// The order with this number as written, else in capitals: a rep types "c536379" for
    /// "C536379".
    pub fn order_numbered(&self, number: &str) -> Result<Option<Order>, OpsError> {
        let by = Unique::OrderNumber;
        Ok(match self.store.find::<Order>(by, number)? {
            None => self.store.find(by, &number.to_uppercase())?,
            found => found,
        })
    }

    /// The actor's own saved views.
    pub fn views(&self) -> Result<Vec<View>, OpsError> {
        Ok(self.store.views_of(&self.actor().name)?)
    }

    /// These customers as stored now; those no longer there are left out.
    pub fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>, OpsError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.store.get::<Customer>(id.0)?);
        }
        Ok(out)
    }

    /// The `most` likeliest pairs of customers that look like one person, likeliest first.
    pub fn duplicate_pairs(&self, most: usize) -> Result<Vec<DuplicatePair>, OpsError> {
        let found = crate::clean::duplicates(&self.store, crate::clean::link::DEFAULT_SCORE)?;
        let mut out = Vec::new();
        for p in found.pairs.into_iter().take(most) {
            if let (Some(a), Some(b)) = (self.store.get(p.a.0)?, self.store.get(p.b.0)?) {
                out.push(DuplicatePair {
                    a,
                    b,
                    score: p.score,
                    reasons: p.reasons,
                });
            }
        }
        Ok(out)
    }

    /// What became of a record that is no longer there ("deleted by bea at …"), if anyone knows.
    pub fn gone(&self, record: RecordRef) -> Result<Option<String>, OpsError> {
        Ok(self.store.gone(record)?)
    }

    /// Every merge, oldest first, and whether it was taken back.
    pub fn merges(&self) -> Result<Vec<Merge>, OpsError> {
        Ok(self.store.merges()?)
    }

    /// Everyone who may sign in, by name.
    pub fn members(&self) -> Result<Vec<Member>, OpsError> {
        Ok(crate::team::list(&self.store)?)
    }

    /// The member who signs in with `key`, if anyone does.
    pub fn member_by_key(&self, key: &russh::keys::PublicKey) -> Result<Option<Member>, OpsError> {
        Ok(crate::team::by_key(&self.store, key)?)
    }

    /// A number that moves with every write, by any process: a cheap "has anything changed?".
    pub fn data_version(&self) -> Result<u64, OpsError> {
        Ok(self.store.data_version()?)
    }

    /// The database's directory: where its host key, sockets and logs sit beside it.
    pub fn database(&self) -> &std::path::Path {
        self.store.path()
    }

    /// Everything written is on disk when this returns.
    pub fn flush(&self) -> Result<(), OpsError> {
        Ok(self.store.flush()?)
    }
}
