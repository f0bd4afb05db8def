//! The customer a record being typed looks like, for the new-customer form's warning ("looks
//! like Ada Chen #4411: same phone"). Every customer is prepared once, with indexes by email,
//! phone, postcode and name word, so a look-up compares only the few that share one.

use super::link::{self, Comparison, Level, Prepared};
use super::normal;
use crate::domain::{Customer, CustomerId};
use std::collections::HashMap;

/// Customers sharing a block beyond this are a placeholder value ("n/a") or a first name
/// everyone has: the block is passed over.
const MAX_BLOCK: usize = 2_000;

#[derive(Default)]
pub struct LookAlikes {
    records: Vec<Prepared>,
    names: Vec<Box<str>>,
    blocks: HashMap<Box<str>, Vec<u32>>,
}

/// Who a record looks like, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct LookAlike {
    pub id: CustomerId,
    pub name: String,
    pub reasons: String,
}

impl LookAlike {
    pub fn warning(&self) -> String {
        format!(
            "looks like {} #{}: {}",
            crate::text::safe(&self.name),
            self.id,
            self.reasons
        )
    }
}

impl LookAlikes {
    pub fn new(customers: &[Customer]) -> LookAlikes {
        let records = link::prepare(customers, normal::default_region());
        let names = customers.iter().map(|c| c.name.as_str().into()).collect();
        let mut blocks: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            for key in r.keys() {
                blocks.entry(key.into()).or_default().push(i as u32);
            }
        }
        blocks.retain(|_, b| b.len() <= MAX_BLOCK);
        LookAlikes {
            records,
            names,
            blocks,
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The existing customer `c` most looks like, if any looks like it: the same email or
    /// phone, or an alike name at the same street or postcode.
    pub fn of(&self, c: &Customer) -> Option<LookAlike> {
        let typed = Prepared::of(c, normal::default_region());
        let mut seen: Vec<u32> = typed
            .keys()
            .iter()
            .filter_map(|k| self.blocks.get(k.as_str()))
            .flatten()
            .copied()
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter()
            // A record being edited is not its own look-alike (a new one has no id yet).
            .filter(|&i| c.id.0 == 0 || self.records[i as usize].id != c.id)
            .filter_map(|i| {
                let cmp = link::compare(&typed, &self.records[i as usize]);
                strength(&cmp).map(|s| (s, i, cmp))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, i, cmp)| LookAlike {
                id: self.records[i as usize].id,
                name: self.names[i as usize].to_string(),
                reasons: plain_reasons(&cmp),
            })
    }
}

/// How strongly a comparison says "the same person"; None where it does not.
fn strength(c: &Comparison) -> Option<f64> {
    let [name, email, phone, company, street, postcode, _city] = c.levels;
    let agree = |l: Level| matches!(l, Level::Same | Level::Close);
    let contact = email == Level::Same || matches!(phone, Level::Same | Level::Close);
    let named = agree(name) && (agree(street) || postcode == Level::Same || agree(company));
    (contact || named).then(|| {
        c.levels
            .iter()
            .map(|l| match l {
                Level::Same => 1.0,
                Level::Close => 0.5,
                _ => 0.0,
            })
            .sum::<f64>()
            + f64::from(c.name)
    })
}

/// "same phone; names 0.94 alike; same postcode": what agrees, the strongest signs first.
fn plain_reasons(c: &Comparison) -> String {
    // Contacts first: one shared phone says more than a shared town.
    const ORDER: [usize; 7] = [1, 2, 0, 4, 5, 3, 6];
    ORDER
        .iter()
        .filter_map(|&f| {
            let field = link::FIELDS[f];
            match (field, c.levels[f]) {
                ("name", Level::Same) => Some("same name".to_string()),
                ("name", Level::Close) => Some(format!("names {:.2} alike", c.name)),
                (field, Level::Same) => Some(format!("same {field}")),
                (field, Level::Close) => Some(format!("{field} alike")),
                _ => None,
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: u64, name: &str, email: &str, phone: &str, street: &str) -> Customer {
        let mut c = Customer::new(name, chrono::Utc::now());
        c.id = CustomerId(id);
        c.email = Some(email.to_string()).filter(|e| !e.is_empty());
        c.phone = Some(phone.to_string()).filter(|p| !p.is_empty());
        c.country = Some("United Kingdom".into());
        c.address.street = Some(street.to_string()).filter(|s| !s.is_empty());
        c.address.postcode = Some("BS1 4DJ".into()).filter(|_| !street.is_empty());
        c
    }

    #[test]
    fn a_typed_record_looks_like_the_customer_it_shares_a_phone_or_a_home_with() {
        let existing = vec![
            customer(1, "Ada Chen", "ada@seaview.example", "020 7946 0958", ""),
            customer(2, "Bo Lind", "bo@example.org", "", "12 Quay Street"),
            customer(3, "Omar Rossi", "", "", "40 Elm Road"),
        ];
        let index = LookAlikes::new(&existing);
        let typed = customer(0, "ada chen", "", "+44 20 7946 0958", "");
        let found = index.of(&typed).expect("same phone");
        assert_eq!(found.id, CustomerId(1));
        assert_eq!(
            found.warning(),
            "looks like Ada Chen #1: same phone; same name"
        );
        let typed = customer(0, "Bo Lindt", "", "", "12 Quay St");
        let found = index.of(&typed).expect("alike name at the same street");
        assert_eq!(found.id, CustomerId(2));
        assert!(found.reasons.contains("same street"), "{found:?}");
        // Typed with no country, the phone is still the line.
        let mut typed = customer(0, "A. Chen", "", "(0207) 946-0958", "");
        typed.country = None;
        let found = index.of(&typed).expect("the line's digits");
        assert_eq!(found.id, CustomerId(1));
        assert!(found.reasons.starts_with("phone alike"), "{found:?}");
        // Another person at a known address is not a look-alike; nor is a stranger.
        assert_eq!(
            index.of(&customer(0, "Oscar Rossi", "", "", "40 Elm Road")),
            None
        );
        assert_eq!(index.of(&customer(0, "Kim Young", "", "", "")), None);
        // Editing a customer does not warn about the customer itself.
        assert_eq!(index.of(&existing[0]), None);
    }
}
