//! Next-purchase suggestions: products a customer has not bought, scored by item-to-item cosine
//! similarity over customers, strengthened by association rules, and for customers with little
//! history, taken from what is popular in their segment. Every suggestion says why.

use super::rfm::{Segment, rfm};
use super::rules::{RuleOptions, rules};
use super::snapshot::Snapshot;
use crate::domain::CustomerId;
use std::collections::{HashMap, HashSet};

/// Per item: its score, and the strongest single reason so far (that reason's weight, its text).
type Scores = HashMap<u32, (f64, f64, String)>;

/// Neighbours kept per item: enough for any top-N a rep asks for, small enough to keep scoring cheap.
const NEIGHBOURS: usize = 50;
/// Customers with fewer distinct items than this get segment popularity mixed in.
const THIN_HISTORY: usize = 3;
/// Multi-item rules used (strongest lift first); single-item ones are what the similarity already says.
const MAX_RULES: usize = 2_000;
/// How much a matching multi-item rule's confidence adds, and how much an item's share of all buyers
/// adds, beside the mean similarity to what the customer bought. Chosen on a validation split inside
/// the training period (Online Retail, orders before 2010-12-09 against those after), never on the
/// split that is reported.
const RULE_WEIGHT: f64 = 1.0;
const POPULARITY_WEIGHT: f64 = 3.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub item: u32,
    pub score: f64,
    pub reason: String,
}

#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
struct Neighbour {
    item: u32,
    cosine: f32,
    /// Share of this item's buyers who also bought the neighbour.
    confidence: f32,
}

/// Each item's most similar items by cosine over customers. One item at a time, its buyers' baskets
/// are counted into a dense array: memory is one count per item rather than one per pair (a map of
/// pairs took 300 MB on 5,000 products, and the allocator kept it), and the items split over cores.
fn nearest_items(baskets: &[&[u32]], buyers: &[u32]) -> Vec<Vec<Neighbour>> {
    let items = buyers.len();
    let mut bought_in: Vec<Vec<u32>> = vec![Vec::new(); items];
    for (k, basket) in baskets.iter().enumerate() {
        for &i in basket.iter() {
            bought_in[i as usize].push(k as u32);
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out: Vec<Vec<Neighbour>> = vec![Vec::new(); items];
    let parts: Vec<Vec<(usize, Vec<Neighbour>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let bought_in = &bought_in;
                scope.spawn(move || {
                    let mut together = vec![0u32; items];
                    let mut touched = Vec::new();
                    let mut scratch = Vec::new();
                    (t..items)
                        .step_by(threads)
                        .map(|a| {
                            for &k in &bought_in[a] {
                                for &b in baskets[k as usize].iter() {
                                    if b as usize != a {
                                        if together[b as usize] == 0 {
                                            touched.push(b);
                                        }
                                        together[b as usize] += 1;
                                    }
                                }
                            }
                            scratch.clear();
                            for &b in &touched {
                                let both = std::mem::take(&mut together[b as usize]);
                                let (na, nb) = (buyers[a] as f32, buyers[b as usize] as f32);
                                scratch.push(Neighbour {
                                    item: b,
                                    cosine: both as f32 / (na * nb).sqrt(),
                                    confidence: both as f32 / na,
                                });
                            }
                            touched.clear();
                            scratch.sort_by(|x, y| {
                                y.cosine.total_cmp(&x.cosine).then(x.item.cmp(&y.item))
                            });
                            // A copy of exactly the kept neighbours: truncating would keep the
                            // capacity of every candidate (66 MB at 100,000 customers).
                            (a, scratch[..scratch.len().min(NEIGHBOURS)].to_vec())
                        })
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a neighbour worker panicked"))
            .collect()
    });
    for (a, list) in parts.into_iter().flatten() {
        out[a] = list;
    }
    out
}

#[derive(serde::Serialize, serde::Deserialize)]
struct MultiRule {
    antecedent: Vec<u32>,
    consequent: u32,
    confidence: f64,
}

/// Each buyer's distinct items, ascending, by customer id: one flat list where a map of vectors
/// cost the disk cache an allocation per customer to read back.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Baskets {
    /// Ascending.
    customers: Vec<CustomerId>,
    /// Where each customer's items end in `items`; the one before's end is where they start.
    ends: Vec<u32>,
    items: Vec<u32>,
}

impl Baskets {
    fn of(mut by: Vec<(CustomerId, Vec<u32>)>) -> Baskets {
        by.sort_unstable_by_key(|b| b.0);
        let mut out = Baskets::default();
        for (c, mut basket) in by {
            basket.sort_unstable();
            basket.dedup();
            out.customers.push(c);
            out.items.extend(basket);
            out.ends.push(out.items.len() as u32);
        }
        out
    }

    fn at(&self, i: usize) -> &[u32] {
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize,
        };
        &self.items[start..self.ends[i] as usize]
    }

    fn get(&self, customer: CustomerId) -> Option<&[u32]> {
        let i = self.customers.binary_search(&customer).ok()?;
        Some(self.at(i))
    }

    fn iter(&self) -> impl Iterator<Item = (CustomerId, &[u32])> {
        self.customers
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, self.at(i)))
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Model {
    names: Vec<String>,
    neighbours: Vec<Vec<Neighbour>>,
    baskets: Baskets,
    /// By customer id, ascending.
    segment_of: Vec<(CustomerId, Segment)>,
    /// Items by how many customers of the segment bought them, with that share.
    popular_in: HashMap<Segment, Vec<(u32, f64)>>,
    /// Items by how many customers bought them, with that share.
    popular: Vec<(u32, f64)>,
    rules: Vec<MultiRule>,
}

impl Model {
    pub fn build(snapshot: &Snapshot) -> Model {
        let items = snapshot.products.len();
        let mut by: HashMap<CustomerId, Vec<u32>> = HashMap::new();
        for p in &snapshot.purchases {
            if let Some(c) = p.customer {
                by.entry(c).or_default().extend(&p.items);
            }
        }
        let baskets = Baskets::of(by.into_iter().collect());
        let mut buyers = vec![0u32; items];
        for &a in &baskets.items {
            buyers[a as usize] += 1;
        }
        let neighbours = nearest_items(&baskets.iter().map(|b| b.1).collect::<Vec<_>>(), &buyers);
        let customers = baskets.customers.len().max(1) as f64;
        let mut popular: Vec<(u32, f64)> = (0..items as u32)
            .filter(|&i| buyers[i as usize] > 0)
            .map(|i| (i, buyers[i as usize] as f64 / customers))
            .collect();
        popular.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));

        // rfm gives customers by id, as the baskets are.
        let segment_of: Vec<(CustomerId, Segment)> = rfm(snapshot, None)
            .into_iter()
            .map(|r| (r.customer, r.segment))
            .collect();
        let segment = |c: CustomerId| {
            segment_of
                .binary_search_by_key(&c, |s| s.0)
                .ok()
                .map(|i| segment_of[i].1)
        };
        let mut counts: HashMap<Segment, (usize, HashMap<u32, usize>)> = HashMap::new();
        for (c, basket) in baskets.iter() {
            if let Some(s) = segment(c) {
                let entry = counts.entry(s).or_default();
                entry.0 += 1;
                for &i in basket {
                    *entry.1.entry(i).or_default() += 1;
                }
            }
        }
        let popular_in = counts
            .into_iter()
            .map(|(s, (n, by_item))| {
                let mut list: Vec<(u32, f64)> = by_item
                    .into_iter()
                    .map(|(i, k)| (i, k as f64 / n as f64))
                    .collect();
                list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                list.truncate(200);
                (s, list)
            })
            .collect();

        let customer_baskets: Vec<Vec<u32>> = baskets.iter().map(|b| b.1.to_vec()).collect();
        let support = (5.0 / customers).max(0.01);
        let options = RuleOptions {
            min_support: support,
            min_confidence: 0.3,
            min_lift: 1.5,
            max_len: 3,
            max_itemsets: super::bundle::INTERACTIVE_ITEMSETS,
        };
        // A customer's history is a big basket; where rules over them explode, go without.
        let rules = rules(&customer_baskets, &options)
            .map(|(_, r)| r)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.antecedent.len() >= 2)
            .take(MAX_RULES)
            .map(|r| MultiRule {
                antecedent: r.antecedent,
                consequent: r.consequent,
                confidence: r.confidence,
            })
            .collect();

        Model {
            names: snapshot.products.iter().map(|p| p.name.clone()).collect(),
            neighbours,
            baskets,
            segment_of,
            popular_in,
            popular,
            rules,
        }
    }

    /// The customer's top `n` products not yet bought, best first.
    pub fn suggest(&self, customer: CustomerId, n: usize) -> Vec<Suggestion> {
        let basket = self.baskets.get(customer).unwrap_or_default();
        let owned: HashSet<u32> = basket.iter().copied().collect();
        let mut scores = Scores::new();
        self.score_neighbours(basket, &owned, &mut scores);
        self.score_rules(&owned, &mut scores);
        // A prior for everyone: what most customers buy is a good bet when the history says little.
        for &(item, share) in self
            .popular
            .iter()
            .filter(|(i, _)| !owned.contains(i))
            .take(200)
        {
            let e = scores.entry(item).or_insert((0.0, 0.0, String::new()));
            e.0 += share * POPULARITY_WEIGHT;
            if e.2.is_empty() {
                e.2 = format!(
                    "popular: {:.0}% of all customers bought {}",
                    100.0 * share,
                    self.names[item as usize]
                );
            }
        }
        if basket.len() < THIN_HISTORY {
            let segment = self
                .segment_of
                .binary_search_by_key(&customer, |s| s.0)
                .ok()
                .map(|i| self.segment_of[i].1);
            let (list, who) = match segment.and_then(|s| self.popular_in.get(&s).map(|l| (l, s))) {
                Some((list, s)) => (list, format!("{} customers", s.name())),
                None => (&self.popular, "all customers".to_string()),
            };
            // Popularity fills in behind anything the history itself suggests.
            for &(item, share) in list.iter().filter(|(i, _)| !owned.contains(i)).take(n * 2) {
                let e = scores.entry(item).or_insert((0.0, 0.0, String::new()));
                e.0 += share * 0.5;
                if e.2.is_empty() {
                    e.2 = format!(
                        "popular with {who}: {:.0}% bought {}",
                        100.0 * share,
                        self.names[item as usize]
                    );
                }
            }
        }
        let mut out: Vec<Suggestion> = scores
            .into_iter()
            .map(|(item, (score, _, reason))| Suggestion {
                item,
                score,
                reason,
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
        out.truncate(n);
        out
    }

    /// Items like those bought: how alike, by who bought both.
    fn score_neighbours(&self, basket: &[u32], owned: &HashSet<u32>, scores: &mut Scores) {
        // Mean similarity to what was bought, so a wholesaler's 300 items do not drown every prior.
        let per_item = 1.0 / basket.len().max(1) as f64;
        for &bought in basket {
            for nb in &self.neighbours[bought as usize] {
                if owned.contains(&nb.item) {
                    continue;
                }
                let e = scores.entry(nb.item).or_insert((0.0, 0.0, String::new()));
                e.0 += nb.cosine as f64 * per_item;
                if nb.cosine as f64 > e.1 {
                    e.1 = nb.cosine as f64;
                    e.2 = format!(
                        "bought {}; {:.0}% of its buyers also bought {}",
                        self.names[bought as usize],
                        100.0 * nb.confidence,
                        self.names[nb.item as usize]
                    );
                }
            }
        }
    }

    /// Items the rules say follow what was bought.
    fn score_rules(&self, owned: &HashSet<u32>, scores: &mut Scores) {
        for rule in &self.rules {
            if owned.contains(&rule.consequent)
                || !rule.antecedent.iter().all(|i| owned.contains(i))
            {
                continue;
            }
            let e = scores
                .entry(rule.consequent)
                .or_insert((0.0, 0.0, String::new()));
            e.0 += rule.confidence * RULE_WEIGHT;
            if rule.confidence > e.1 {
                e.1 = rule.confidence;
                let names: Vec<&str> = rule
                    .antecedent
                    .iter()
                    .map(|&i| self.names[i as usize].as_str())
                    .collect();
                e.2 = format!(
                    "bought {}; {:.0}% of customers who did also bought {}",
                    names.join(" and "),
                    100.0 * rule.confidence,
                    self.names[rule.consequent as usize]
                );
            }
        }
    }

    /// Customers who bought every item of `left` and never `right`: whom a rule says to offer
    /// it to. By id.
    pub fn bought_but_not(&self, left: &[u32], right: u32) -> Vec<CustomerId> {
        self.baskets
            .iter()
            .filter(|(_, b)| {
                left.iter().all(|i| b.binary_search(i).is_ok()) && b.binary_search(&right).is_err()
            })
            .map(|(c, _)| c)
            .collect()
    }

    pub fn customers(&self) -> impl Iterator<Item = CustomerId> + '_ {
        self.baskets.customers.iter().copied()
    }

    /// The popularity baseline: the most-bought products the customer does not have.
    pub fn popular_for(&self, customer: CustomerId, n: usize) -> Vec<u32> {
        let owned: HashSet<u32> = self
            .baskets
            .get(customer)
            .map(|b| b.iter().copied().collect())
            .unwrap_or_default();
        self.popular
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| !owned.contains(i))
            .take(n)
            .collect()
    }
}
