//! The demo's businesses, and the people who work for them.

use super::write_all;
use crate::domain::{Account, AccountId, Customer};
use crate::store::{Store, StoreError};
use rand::distr::weighted::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;

/// How many people a business has, from one to eight: most are small.
const BUSINESS_SIZES: [u32; 8] = [30, 22, 16, 11, 8, 6, 4, 3];

/// Businesses from a stream of their own, so every other record is what it was before accounts:
/// the people who name a company are split, in the order they were drawn, into businesses of one
/// to eight of that name. The first keeps the name; a later one adds its first person's town (two
/// shops of one name in two towns are two businesses), and takes that name and its mail domain.
pub(super) fn give(people: &mut [Customer], seed: u64) -> Vec<Account> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0acc_0417);
    let sizes = WeightedIndex::new(BUSINESS_SIZES).expect("weights");
    let mut taken = std::collections::HashSet::new();
    let mut accounts: Vec<Account> = Vec::new();
    // Each company name's business taking people now, and how many more it takes.
    let mut open: std::collections::HashMap<String, (usize, usize)> = Default::default();
    for c in people.iter_mut() {
        let Some(company) = c.company.clone() else {
            continue;
        };
        let at = match open.get_mut(&company) {
            Some((at, left)) if *left > 0 => {
                *left -= 1;
                *at
            }
            _ => {
                let town = c.address.city.clone().unwrap_or_default();
                let mut name = company.clone();
                let mut n = 1;
                while !taken.insert(crate::text::company(&name)) {
                    n += 1;
                    name = match n {
                        2 => format!("{company} {town}"),
                        _ => format!("{company} {town} {n}"),
                    };
                }
                let mut account = Account::new(name, c.created);
                account.domain = Some(mail_domain(&account.name));
                account.owner = c.owner.clone();
                account.country = c.country.clone();
                account.address = c.address.clone();
                accounts.push(account);
                let size = sizes.sample(&mut rng) + 1;
                open.insert(company, (accounts.len() - 1, size - 1));
                accounts.len() - 1
            }
        };
        let account = &mut accounts[at];
        account.created = account.created.min(c.created);
        account.updated = account.created;
        let domain = account.domain.as_deref().unwrap_or_default();
        c.company = Some(account.name.clone());
        c.email = (c.email.as_deref())
            .and_then(|e| e.split_once('@'))
            .map(|(local, _)| format!("{local}@{domain}"));
        c.account = Some(AccountId(at as u64));
    }
    accounts
}

/// A made-up business's mail domain: its name's ASCII letters and digits, at example.com.
pub(super) fn mail_domain(name: &str) -> String {
    let host: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("{host}.example.com")
}

/// Writes the accounts, then their people with each account's id.
pub(super) fn write(
    store: &Store,
    accounts: Vec<Account>,
    mut people: Vec<Customer>,
) -> Result<(Vec<Account>, Vec<Customer>), StoreError> {
    let accounts = write_all(store, accounts)?;
    for c in &mut people {
        // The people were given their account's place in the list; now it has its id.
        c.account = c.account.map(|at| accounts[at.0 as usize].id);
    }
    Ok((accounts, write_all(store, people)?))
}
