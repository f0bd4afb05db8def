//! Clean customer data: contacts normalised for matching (never for display), duplicate
//! detection, merges and the data-quality report.

pub mod link;
pub mod lookalike;
pub mod merge;
pub mod normal;

use crate::domain::Customer;
use crate::store::Records;
use crate::store::StoreError;

/// Customers of the store that look like one person, scoring `min_score` or more, best first,
/// less the pairs a rep said are two people; with the learned model and how many customers were
/// compared. Customers are read and prepared in batches: at 100,000, holding them all as well
/// was a fifth of the memory.
/// What `duplicates` found, and what it had to go on.
pub struct Found {
    pub model: link::Model,
    pub pairs: Vec<link::Pair>,
    /// Customers read.
    pub customers: usize,
    /// Of them, those with an email, a phone or an address.
    pub with_contact: usize,
}

/// Two customers that look like one person.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicatePair {
    pub a: Customer,
    pub b: Customer,
    pub score: f64,
    pub reasons: String,
}

pub fn duplicates(store: &Records, min_score: f64) -> Result<Found, StoreError> {
    const BATCH: usize = 4096;
    let mut prepared = Vec::with_capacity(store.count::<Customer>());
    let mut batch = Vec::with_capacity(BATCH);
    let mut records = store.iter::<Customer>().peekable();
    while let Some(record) = records.next() {
        match record {
            Ok(c) => batch.push(c),
            // Damaged records are `rapport check`'s to report.
            Err(StoreError::Corrupt { .. }) => {}
            Err(e) => return Err(e),
        }
        if batch.len() == BATCH || records.peek().is_none() {
            prepared.extend(link::prepare(&batch, normal::default_region()));
            batch.clear();
        }
    }
    let (model, mut pairs) = link::find_prepared(&prepared, min_score);
    let distinct = store.distinct_pairs()?;
    pairs.retain(|p| !distinct.contains(&(p.a, p.b)));
    Ok(Found {
        model,
        pairs,
        customers: prepared.len(),
        with_contact: prepared.iter().filter(|p| p.has_contact()).count(),
    })
}
