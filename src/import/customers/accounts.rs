//! The account a row's person belongs to: the one its company names, made if none does, else
//! the one its email's domain is (a free-mail domain names none).

use crate::domain::{Account, AccountId, Customer, Timestamp, business_domain};
use crate::import::known_accounts::KnownAccounts;
use crate::store::{Tx, TxResult};

/// How a row's person came to an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Link {
    /// Joined one there already: by its name, or (`by_domain`) by the email's domain.
    Joined {
        id: AccountId,
        name: String,
        by_domain: bool,
    },
    /// Made for them: no account had their company's name.
    Made { name: String },
    /// Their company names several accounts, none by their email's domain: left alone.
    Unclear { company: String, accounts: usize },
}

impl std::fmt::Display for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Link::Joined {
                id,
                name,
                by_domain: false,
            } => write!(f, "in account {id} ({name})"),
            Link::Joined { id, name, .. } => write!(f, "in account {id} ({name}) by email domain"),
            Link::Made { name } => write!(f, "in a new account, {name}"),
            Link::Unclear { company, accounts } => write!(
                f,
                "in no account: {accounts} accounts are called {company} (link with rapport account link)"
            ),
        }
    }
}

/// One transaction's linking: the accounts known before it, and those it made.
pub(super) struct Linker<'a> {
    known: &'a KnownAccounts,
    pub(super) made: Vec<Account>,
    mine: KnownAccounts,
}

impl<'a> Linker<'a> {
    pub(super) fn new(known: &'a KnownAccounts) -> Linker<'a> {
        Linker {
            known,
            made: Vec::new(),
            mine: KnownAccounts::default(),
        }
    }

    fn named(&self, key: &str) -> Vec<AccountId> {
        [self.known.named(key), self.mine.named(key)].concat()
    }

    fn at(&self, domain: &str) -> Vec<AccountId> {
        [self.known.at(domain), self.mine.at(domain)].concat()
    }

    fn domain_of(&self, id: AccountId) -> Option<&str> {
        self.known.domain_of(id).or_else(|| self.mine.domain_of(id))
    }

    /// Puts `c` in the account the rules give, making it where its company names none; a person
    /// in an account already stays in it.
    pub(super) fn link(
        &mut self,
        tx: &Tx,
        c: &mut Customer,
        now: Timestamp,
    ) -> TxResult<Option<Link>> {
        if c.account.is_some() {
            return Ok(None);
        }
        let domain = c.email.as_deref().and_then(business_domain);
        let company = c.company.as_deref().map(str::trim).unwrap_or_default();
        let key = crate::text::company(company);
        if !key.is_empty() {
            let named = self.named(&key);
            let pick = match named.as_slice() {
                [one] => Some(*one),
                [] => None,
                many => {
                    let same: Vec<AccountId> = (many.iter().copied())
                        .filter(|id| domain.is_some() && self.domain_of(*id) == domain.as_deref())
                        .collect();
                    match same.as_slice() {
                        [one] => Some(*one),
                        _ => {
                            return Ok(Some(Link::Unclear {
                                company: company.to_string(),
                                accounts: many.len(),
                            }));
                        }
                    }
                }
            };
            let link = match pick {
                Some(id) => self.joined(tx, id, false)?,
                None => {
                    let mut account = Account::new(company, now);
                    account.domain = domain;
                    account.owner = c.owner.clone();
                    account.country = c.country.clone();
                    let account = tx.create(account)?;
                    self.mine.add(&account);
                    self.made.push(account.clone());
                    c.account = Some(account.id);
                    return Ok(Some(Link::Made { name: account.name }));
                }
            };
            c.account = link.as_ref().and_then(Link::id);
            return Ok(link);
        }
        let Some(domain) = domain else {
            return Ok(None);
        };
        let link = match self.at(&domain).as_slice() {
            [one] => self.joined(tx, *one, true)?,
            _ => None,
        };
        c.account = link.as_ref().and_then(Link::id);
        Ok(link)
    }

    fn joined(&self, tx: &Tx, id: AccountId, by_domain: bool) -> TxResult<Option<Link>> {
        // Deleted since the import read the accounts: the person stays on their own.
        Ok(tx.get::<Account>(id.0)?.map(|a| Link::Joined {
            id,
            name: a.name,
            by_domain,
        }))
    }
}

impl Link {
    fn id(&self) -> Option<AccountId> {
        match self {
            Link::Joined { id, .. } => Some(*id),
            _ => None,
        }
    }
}
