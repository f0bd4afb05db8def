//! The customer a record being typed looks like, for the new-customer form's warning ("looks
//! like Ada Chen #4411: same phone"), by the model and threshold `rapport duplicates` uses. Every
//! customer is prepared once, with indexes by email, phone, postcode and name word, so a look-up
//! compares only the few that share one.

use super::link::{self, Model, Prepared};
use super::normal;
use crate::domain::{Customer, CustomerId};
use std::collections::HashMap;
use std::sync::Arc;

/// Customers sharing a block beyond this are a placeholder value ("n/a") or a first name
/// everyone has: the block is passed over.
const MAX_BLOCK: usize = 2_000;

/// Below this chance before the typed record is counted, a pair is not looked at further.
const UNLIKELY: f64 = 1e-3;

pub struct LookAlikes {
    records: Vec<Prepared>,
    names: Vec<Box<str>>,
    blocks: HashMap<Box<str>, Vec<u32>>,
    /// What `rapport duplicates` learns from these customers.
    model: Arc<Model>,
}

/// Who a record looks like, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct LookAlike {
    pub id: CustomerId,
    pub name: String,
    /// The chance they are one person, as `rapport duplicates` scores a pair.
    pub score: f64,
    pub reasons: String,
}

impl LookAlike {
    pub fn warning(&self) -> String {
        format!(
            "looks like {} #{} ({:.3}): {}",
            crate::text::safe(&self.name),
            self.id,
            self.score,
            self.reasons
        )
    }
}

impl LookAlikes {
    /// The index of `customers`, with the duplicates model learned from them.
    pub fn new(customers: &[Customer]) -> LookAlikes {
        Self::with_model(customers, None)
    }

    /// As `new`; with `model` given (learned from nearly the same customers, an earlier version
    /// of the records), it is used as it is rather than learned again.
    pub fn with_model(customers: &[Customer], model: Option<Arc<Model>>) -> LookAlikes {
        let records = link::prepare(customers, normal::default_region());
        let model = model.unwrap_or_else(|| Arc::new(link::learn(&records)));
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
            model,
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// The existing customer `c` most likely is, when `rapport duplicates` would list the pair
    /// (its score reaches the default threshold).
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
                let cmp = link::compare_candidates(&typed, &self.records[i as usize])?;
                // A pair the model gives no chance (a shared first name and nothing else) is
                // not one a single pair more could lift to the threshold.
                if self.model.posterior(&cmp) < UNLIKELY {
                    return None;
                }
                // Scored as `rapport duplicates` would once the record is saved: the pair among
                // the others the model is learned from.
                let model = self.model.with_one_more(&cmp);
                let score = model.posterior(&cmp);
                (score >= link::DEFAULT_SCORE).then(|| (model.log_odds(&cmp.levels), score, i, cmp))
            })
            // The likeliest; of equals, the earliest record.
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.2.cmp(&a.2)))
            .map(|(_, score, i, cmp)| LookAlike {
                id: self.records[i as usize].id,
                name: self.names[i as usize].to_string(),
                score,
                reasons: link::reasons(&self.model, &cmp),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<Customer> {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let mut people = crate::demo::people(3_000, 5, as_of);
        for (i, p) in people.iter_mut().enumerate() {
            p.id = CustomerId(i as u64 + 1);
        }
        people
    }

    /// What a rep types for someone already there: their name and company, the phone written
    /// another way, the street abbreviated (the "120 Meadow Ln" for "Lane").
    fn retyped(p: &Customer) -> Customer {
        let mut t = Customer::new(p.name.clone(), p.created);
        t.company = p.company.clone();
        t.country = p.country.clone();
        t.phone = p.phone.as_ref().map(|n| n.replace(' ', ""));
        t.address.street = (p.address.street.as_ref()).map(|s| {
            s.replace("Lane", "Ln")
                .replace("Road", "Rd")
                .replace("Street", "St")
        });
        t
    }

    #[test]
    fn the_form_warns_exactly_where_rapport_duplicates_would_list_the_pair() {
        let people = people();
        let index = LookAlikes::new(&people);
        let sample: Vec<&Customer> = (people.iter())
            .filter(|p| p.phone.is_some() && p.address.street.is_some())
            .step_by(97)
            .take(20)
            .collect();
        assert!(sample.len() >= 10);
        for p in sample {
            let typed = retyped(p);
            let found = index.of(&typed);
            // The oracle: the duplicates model run over everyone and the typed record.
            let mut all = people.clone();
            let mut new = typed.clone();
            new.id = CustomerId(1_000_000);
            all.push(new);
            let (_, pairs) = link::find(&all, normal::default_region(), link::DEFAULT_SCORE);
            let listed = (pairs.iter())
                .filter(|pair| pair.b == CustomerId(1_000_000))
                .max_by(|x, y| x.score.total_cmp(&y.score));
            match (&found, listed) {
                (Some(f), Some(pair)) => {
                    assert_eq!(f.id, pair.a, "{typed:?}");
                    assert!((f.score - pair.score).abs() < 0.01, "{f:?} {pair:?}");
                }
                (None, None) => {}
                other => panic!("form and duplicates disagree on {typed:?}: {other:?}"),
            }
            assert_eq!(found.map(|f| f.id), Some(p.id), "{typed:?}");
        }
        // A stranger is no one's look-alike, and a customer being edited is not their own.
        let stranger = Customer::new("Zebedee Quixote-Vantablack", chrono::Utc::now());
        assert_eq!(index.of(&stranger), None);
        assert_eq!(index.of(&people[0]), None);
    }
}
