//! Offline evaluation of suggestions: train on orders before a split, test on what each customer bought
//! afterwards that they had not bought before, and compare with a popularity baseline.

use super::snapshot::Snapshot;
use super::suggest::Model;
use crate::domain::{CustomerId, Timestamp};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Scores {
    /// Share of test customers with at least one hit in their top 10.
    pub hit_rate: f64,
    pub precision: f64,
    pub recall: f64,
    /// Share of the catalogue that appears in anyone's top 10.
    pub coverage: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evaluation {
    pub train_orders: usize,
    pub test_customers: usize,
    pub k: usize,
    pub model: Scores,
    pub popularity: Scores,
}

/// Splits at `split`: orders before train the model, new items bought from then on are the test.
pub fn evaluate(snapshot: &Snapshot, split: Timestamp, k: usize) -> Evaluation {
    let train = Snapshot {
        products: snapshot.products.clone(),
        purchases: snapshot
            .purchases
            .iter()
            .filter(|p| p.placed < split)
            .cloned()
            .collect(),
        returns: Vec::new(),
        version: snapshot.version,
    };
    let model = Model::build(&train);
    let mut before: HashMap<CustomerId, HashSet<u32>> = HashMap::new();
    for p in &train.purchases {
        if let Some(c) = p.customer {
            before.entry(c).or_default().extend(&p.items);
        }
    }
    let mut after: HashMap<CustomerId, HashSet<u32>> = HashMap::new();
    for p in snapshot.purchases.iter().filter(|p| p.placed >= split) {
        if let Some(c) = p.customer
            && let Some(had) = before.get(&c)
        {
            let new: Vec<u32> = p
                .items
                .iter()
                .copied()
                .filter(|i| !had.contains(i))
                .collect();
            after.entry(c).or_default().extend(new);
        }
    }
    after.retain(|_, items| !items.is_empty());
    let mut customers: Vec<CustomerId> = after.keys().copied().collect();
    customers.sort();
    let catalogue = snapshot.products.len().max(1) as f64;
    let score = |lists: &dyn Fn(CustomerId) -> Vec<u32>| {
        let mut s = Scores::default();
        let mut shown = HashSet::new();
        for c in &customers {
            let list = lists(*c);
            let truth = &after[c];
            let hits = list.iter().filter(|i| truth.contains(i)).count() as f64;
            s.hit_rate += f64::from(hits > 0.0);
            s.precision += hits / k as f64;
            s.recall += hits / truth.len() as f64;
            shown.extend(list);
        }
        let n = customers.len().max(1) as f64;
        Scores {
            hit_rate: s.hit_rate / n,
            precision: s.precision / n,
            recall: s.recall / n,
            coverage: shown.len() as f64 / catalogue,
        }
    };
    Evaluation {
        train_orders: train.purchases.len(),
        test_customers: customers.len(),
        k,
        model: score(&|c| model.suggest(c, k).into_iter().map(|s| s.item).collect()),
        popularity: score(&|c| model.popular_for(c, k)),
    }
}
