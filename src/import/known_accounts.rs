//! Accounts by folded name and by domain, read once before an import writes (a transaction
//! cannot scan an index) and kept up as it makes or changes them: both imports find accounts here.

use crate::domain::{Account, AccountId};
use crate::store::{Records, StoreError};
use std::collections::HashMap;

#[derive(Clone, Default)]
pub(super) struct KnownAccounts {
    by_name: HashMap<String, Vec<AccountId>>,
    by_domain: HashMap<String, Vec<AccountId>>,
    domain_of: HashMap<AccountId, Option<String>>,
}

impl KnownAccounts {
    pub(super) fn read(store: &Records) -> Result<KnownAccounts, StoreError> {
        let mut out = KnownAccounts::default();
        for a in store.iter_sound::<Account>() {
            out.add(&a?);
        }
        Ok(out)
    }

    pub(super) fn add(&mut self, a: &Account) {
        self.by_name.entry(a.name_key()).or_default().push(a.id);
        if let Some(d) = &a.domain {
            self.by_domain.entry(d.clone()).or_default().push(a.id);
        }
        self.domain_of.insert(a.id, a.domain.clone());
    }

    /// Takes out what `a` was known by, before it is added again as changed.
    pub(super) fn forget(&mut self, a: &Account) {
        for ids in self.by_domain.values_mut().chain(self.by_name.values_mut()) {
            ids.retain(|id| *id != a.id);
        }
        self.domain_of.remove(&a.id);
    }

    /// Accounts whose name folds to `key`.
    pub(super) fn named(&self, key: &str) -> &[AccountId] {
        self.by_name.get(key).map_or(&[], Vec::as_slice)
    }

    /// Accounts with this domain.
    pub(super) fn at(&self, domain: &str) -> &[AccountId] {
        self.by_domain.get(domain).map_or(&[], Vec::as_slice)
    }

    pub(super) fn domain_of(&self, id: AccountId) -> Option<&str> {
        self.domain_of.get(&id).and_then(|d| d.as_deref())
    }
}
