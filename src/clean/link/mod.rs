//! Record linkage: which customers are the same person written twice. Candidate pairs come from
//! blocking (shared email, phone or postcode, and neighbours when sorted by name or street); each
//! pair's fields are compared into levels; a Fellegi-Sunter model turns the levels into a match
//! probability. A user has no labels: how often two people agree comes from random pairs, how
//! often one person written twice does is learned by EM on the candidates.

mod block;
mod compare;
mod em;
mod prepare;
#[cfg(test)]
mod tests;

pub use block::candidates;
pub use compare::{Comparison, FIELDS, Level, compare, compare_candidates, name_similarity};
pub use em::{Model, background, reasons};
pub use prepare::{Prepared, prepare};

use crate::domain::{Customer, CustomerId};
use phonenumber::country::Id as Region;

/// A pair of customers that look like one person.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub a: CustomerId,
    pub b: CustomerId,
    /// The chance they are one person.
    pub score: f64,
    pub reasons: String,
}

/// The score from which a pair counts as one person, unless a user asks for another.
pub const DEFAULT_SCORE: f64 = 0.9;

/// Sorted neighbourhoods look this far each way.
pub const WINDOW: usize = 10;

/// Every candidate pair scoring at least `min_score`, best first, and the model learned.
pub fn find(customers: &[Customer], region: Option<Region>, min_score: f64) -> (Model, Vec<Pair>) {
    find_prepared(&prepare(customers, region), min_score)
}

/// Candidate pairs past the name gate, compared, as each core left them.
fn compared(prepared: &[Prepared]) -> Vec<Vec<((u32, u32), Comparison)>> {
    let pairs = candidates(prepared, WINDOW);
    // Two people with different names are two people, however much else they share: a home,
    // an office, its phone. Left in, such pairs are the largest cluster EM finds, and it
    // learns "same address" instead of "same person". Most candidates end here, before their
    // other fields are compared.
    crate::parallel::in_parts(&pairs, |part| {
        part.iter()
            .filter_map(|&(i, j)| {
                let (a, b) = (&prepared[i as usize], &prepared[j as usize]);
                compare_candidates(a, b).map(|c| ((i, j), c))
            })
            .collect()
    })
}

/// The model `find` learns from these records.
pub fn learn(prepared: &[Prepared]) -> Model {
    let compared = compared(prepared);
    Model::learn(
        compared.iter().flatten().map(|(_, c)| c),
        &background(prepared),
    )
}

/// As `find`, over customers already prepared: a caller reading many need not hold them all.
pub fn find_prepared(prepared: &[Prepared], min_score: f64) -> (Model, Vec<Pair>) {
    let compared = compared(prepared);
    let compared = || compared.iter().flatten();
    let model = Model::learn(compared().map(|(_, c)| c), &background(prepared));
    let mut found: Vec<Pair> = compared()
        .filter_map(|&((i, j), ref c)| {
            let score = model.posterior(c);
            (score >= min_score).then(|| {
                let (a, b) = (prepared[i as usize].id, prepared[j as usize].id);
                Pair {
                    a: a.min(b),
                    b: a.max(b),
                    score,
                    reasons: reasons(&model, c),
                }
            })
        })
        .collect();
    found.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    (model, found)
}

/// The existing record a new one most likely is, and how likely.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// The existing record's position.
    pub existing: usize,
    pub score: f64,
    pub reasons: String,
}

/// For each of `new`, its likeliest match among `existing` (whatever the score), as `find`
/// would pair them: candidates and model come from both sets together, so a file of new rows
/// is matched by what the data itself says.
pub fn best_matches(mut existing: Vec<Prepared>, new: Vec<Prepared>) -> Vec<Option<Match>> {
    let old = existing.len();
    let mut best: Vec<Option<(Match, f64, Comparison)>> = vec![None; new.len()];
    existing.extend(new);
    let all = existing;
    let compared = compared(&all);
    let compared = || compared.iter().flatten();
    let model = Model::learn(compared().map(|(_, c)| c), &background(&all));
    // Pairs come smaller index first: a pair across the two sets has its existing record first.
    for &((i, j), ref c) in compared() {
        let (i, j) = (i as usize, j as usize);
        if i >= old || j < old {
            continue;
        }
        // A record that agrees at least as well on every field, and better on one, is the
        // likelier; else the higher odds (two strong pairs both have a chance of 1.000), and of
        // equals the earliest record: the same answer each run. EM can weigh a near name above
        // the same one (in data where most twins have a typo): a near namesake who came first
        // beat the exact one.
        let odds = model.log_odds(&c.levels);
        let slot = &mut best[j - old];
        let better = |(m, o, was): &(Match, f64, Comparison)| {
            if closer(c, was) {
                return true;
            }
            !closer(was, c) && (odds > *o || (odds == *o && i < m.existing))
        };
        if slot.as_ref().is_none_or(better) {
            let score = model.posterior(c);
            let reasons = reasons(&model, c);
            *slot = Some((
                Match {
                    existing: i,
                    score,
                    reasons,
                },
                odds,
                *c,
            ));
        }
    }
    best.into_iter().map(|m| m.map(|(m, ..)| m)).collect()
}

/// `a` agrees at least as well as `b` on every field and better on one (a field missing from
/// either is comparable only when missing from both).
fn closer(a: &Comparison, b: &Comparison) -> bool {
    let comparable = a
        .levels
        .iter()
        .zip(&b.levels)
        .all(|(x, y)| (*x == Level::Missing) == (*y == Level::Missing) && x >= y);
    comparable && (a.levels != b.levels || a.name > b.name)
}
