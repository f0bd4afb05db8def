//! The Fellegi-Sunter model, learned by EM on the candidate pairs: how often one person written
//! twice agrees on each field (m), against how often two random people do (u).

use super::compare::{Comparison, F, FIELDS, LEVELS, Level, compare};
use super::prepare::Prepared;
use std::collections::HashMap;

/// The Fellegi-Sunter model: the share of candidate pairs that match, and per field the chance
/// of each level among matches (m) and non-matches (u).
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub prior: f64,
    pub m: [[f64; LEVELS]; F],
    pub u: [[f64; LEVELS]; F],
    pub iterations: usize,
    /// What it was learned from: each comparison vector seen, with its count, in one order.
    patterns: Vec<([Level; F], f64)>,
    background: [[f64; LEVELS]; F],
}

impl Model {
    /// How many candidate pairs it was learned from: none means nothing could be compared.
    pub fn compared(&self) -> usize {
        self.patterns.iter().map(|p| p.1).sum::<f64>() as usize
    }
}

impl Prepared {
    /// Whether it has a field candidates are drawn by besides its name: an email, a phone, a
    /// street or a postcode.
    pub fn has_contact(&self) -> bool {
        self.email.is_some()
            || self.phone.is_some()
            || self.street.is_some()
            || self.postcode.is_some()
    }
}

/// EM rounds `Model::with_one_more` runs from the learned model.
pub(super) const ONE_MORE_ROUNDS: usize = 20;

pub(super) fn slot(level: Level) -> Option<usize> {
    match level {
        Level::Missing => None,
        Level::Differ => Some(0),
        Level::Close => Some(1),
        Level::Same => Some(2),
    }
}

impl Model {
    /// Learns the model from the pairs' comparisons by expectation-maximisation, assuming
    /// fields agree independently given match status (the usual Fellegi-Sunter assumption).
    /// `background` holds, for every field but the name, how often two people agree (see
    /// [`background`]); it stays fixed. Learned too, those chances collapse where most
    /// candidates are one person: EM then splits the matches in two, and a pair agreeing on
    /// everything but the town scored 0.47.
    pub fn learn<'a>(
        comparisons: impl IntoIterator<Item = &'a Comparison>,
        background: &[[f64; LEVELS]; F],
    ) -> Model {
        // A start that says matches mostly agree and non-matches mostly do not.
        let mut u = *background;
        u[0] = [0.8, 0.15, 0.05];
        // The same comparison vector is common: count each once.
        let mut patterns: HashMap<[Level; F], f64> = HashMap::new();
        for c in comparisons {
            *patterns.entry(c.levels).or_default() += 1.0;
        }
        // In one order, so sums (and the scores printed) are the same digits run after run.
        let mut patterns: Vec<([Level; F], f64)> = patterns.into_iter().collect();
        patterns.sort_by_key(|p| p.0);
        let start = Model {
            prior: 0.1,
            m: [[0.1, 0.2, 0.7]; F],
            u,
            iterations: 0,
            patterns,
            background: *background,
        };
        start.converged()
    }

    /// The model learned with one more candidate pair among the others: what `rapport
    /// duplicates` would learn once a record being typed is saved. Where there are few
    /// candidates, one more moves the share of matches a good deal.
    pub fn with_one_more(&self, c: &Comparison) -> Model {
        let mut more = self.clone();
        match more.patterns.binary_search_by_key(&c.levels, |p| p.0) {
            Ok(i) => more.patterns[i].1 += 1.0,
            Err(i) => more.patterns.insert(i, (c.levels, 1.0)),
        }
        // From the learned model, one pair more moves it little: a few rounds reach it (the
        // form asks this on every key).
        more.converged_within(ONE_MORE_ROUNDS)
    }

    /// EM from this model until it moves no more.
    fn converged(self) -> Model {
        self.converged_within(500)
    }

    fn converged_within(self, rounds: usize) -> Model {
        let total: f64 = self.patterns.iter().map(|p| p.1).sum();
        if total == 0.0 {
            return self;
        }
        let mut model = self;
        for iteration in 1..=rounds {
            let mut matches = 0.0;
            let mut m = [[0.5; LEVELS]; F];
            let mut u = [[0.5; LEVELS]; F];
            for (levels, count) in &model.patterns {
                let w = model.posterior_of(levels);
                matches += w * count;
                for (f, &level) in levels.iter().enumerate() {
                    if let Some(s) = slot(level) {
                        m[f][s] += w * count;
                        u[f][s] += (1.0 - w) * count;
                    }
                }
            }
            let normalise = |row: &mut [f64; LEVELS]| {
                let sum: f64 = row.iter().sum();
                row.iter_mut().for_each(|v| *v /= sum);
            };
            m.iter_mut().for_each(normalise);
            normalise(&mut u[0]);
            u[1..].copy_from_slice(&model.background[1..]);
            let prior = (matches / total).clamp(1e-6, 1.0 - 1e-6);
            let moved = (prior - model.prior).abs()
                + m.iter()
                    .flatten()
                    .zip(model.m.iter().flatten())
                    .map(|(a, b)| (a - b).abs())
                    .sum::<f64>();
            model.prior = prior;
            model.m = m;
            model.u = u;
            model.iterations = iteration;
            if moved < 1e-7 {
                break;
            }
        }
        model
    }

    /// Each field's weight, log2(m/u), for a level; 0 where missing.
    pub fn weight(&self, field: usize, level: Level) -> f64 {
        slot(level).map_or(0.0, |s| (self.m[field][s] / self.u[field][s]).log2())
    }

    /// The log2 odds that the pair is one person: unlike the chance, it does not round to 1 for
    /// every strong pair, so it can tell the stronger of two.
    pub fn log_odds(&self, levels: &[Level; F]) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
            + levels
                .iter()
                .enumerate()
                .map(|(f, &l)| self.weight(f, l))
                .sum::<f64>()
    }

    fn posterior_of(&self, levels: &[Level; F]) -> f64 {
        1.0 / (1.0 + (-self.log_odds(levels)).exp2())
    }

    /// The chance the pair is one person.
    pub fn posterior(&self, c: &Comparison) -> f64 {
        self.posterior_of(&c.levels)
    }
}

/// Why a pair looks like one person, strongest first: "same phone; names 0.94 alike".
pub fn reasons(model: &Model, c: &Comparison) -> String {
    let mut said: Vec<(f64, String)> = c
        .levels
        .iter()
        .enumerate()
        .filter(|(_, l)| matches!(l, Level::Same | Level::Close))
        .map(|(f, &l)| {
            let text = match (FIELDS[f], l) {
                ("name", Level::Same) => "same name".to_string(),
                ("name", _) => format!("names {:.2} alike", c.name),
                (field, Level::Same) => format!("same {field}"),
                (field, _) => format!("{field} alike"),
            };
            (model.weight(f, l), text)
        })
        .collect();
    said.sort_by(|a, b| b.0.total_cmp(&a.0));
    said.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Random pairs compared to learn how often two people agree; every pair when there are fewer.
pub(super) const BACKGROUND_PAIRS: usize = 40_000;

/// Per field, the chance of each level between two people picked at random: nearly all such
/// pairs are two people, so this is the chance among non-matches (the u of Fellegi-Sunter, as
/// record-linkage tools estimate it). The name's row is left to EM: candidates were chosen for
/// alike names, and among them two namesakes agree far more often than two strangers.
pub fn background(records: &[Prepared]) -> [[f64; LEVELS]; F] {
    use rand::{Rng as _, SeedableRng as _};
    let n = records.len();
    // One pseudo-count a level: a level never seen is rare, not impossible.
    let mut counts = [[1.0; LEVELS]; F];
    let mut count = |i: usize, j: usize| {
        for (f, level) in compare(&records[i], &records[j]).levels.iter().enumerate() {
            if let Some(s) = slot(*level) {
                counts[f][s] += 1.0;
            }
        }
    };
    if n * n.saturating_sub(1) / 2 <= BACKGROUND_PAIRS {
        for i in 0..n {
            for j in i + 1..n {
                count(i, j);
            }
        }
    } else {
        // Seeded by the count: the same data gives the same scores, run after run.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(n as u64);
        for _ in 0..BACKGROUND_PAIRS {
            let i = rng.random_range(0..n);
            let j = rng.random_range(0..n - 1);
            count(i, if j >= i { j + 1 } else { j });
        }
    }
    for row in &mut counts {
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= sum);
    }
    counts
}
