//! Blocking: the candidate pairs worth comparing, drawn by a shared email, phone or postcode and
//! by neighbours when sorted by name or street.

use super::prepare::Prepared;
use std::collections::HashMap;

/// Candidate pairs, as indexes into `records`, each once and smaller first: those sharing an
/// email, a phone or a postcode, and those within `window` of each other sorted by name, and
/// by street. A block shared by more than `MAX_BLOCK` is a placeholder value ("n/a"), not a
/// person: it is left out.
pub fn candidates(records: &[Prepared], window: usize) -> Vec<(u32, u32)> {
    const MAX_BLOCK: usize = 50;
    let keys: [fn(&Prepared) -> Option<&str>; 3] = [
        |r| r.email.as_deref(),
        |r| r.phone.as_deref(),
        |r| r.postcode.as_deref(),
    ];
    let blocks: Vec<HashMap<&str, Vec<usize>>> = keys
        .iter()
        .map(|key| {
            let mut blocks: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, r) in records.iter().enumerate() {
                if let Some(k) = key(r) {
                    blocks.entry(k).or_default().push(i);
                }
            }
            blocks.retain(|_, b| b.len() <= MAX_BLOCK);
            blocks
        })
        .collect();
    // Gathered with repeats, then sorted once: cheaper than a set at millions of pairs. Sized
    // exactly: grown by doubling, it held up to twice the pairs at the peak.
    let n = records.len();
    let within = |b: &Vec<usize>| b.len() * (b.len() - 1) / 2;
    let blocked: usize = blocks.iter().flat_map(|b| b.values()).map(within).sum();
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(blocked + 3 * n * window);
    let mut add = |i: usize, j: usize| {
        if i != j {
            pairs.push((i.min(j) as u32, i.max(j) as u32));
        }
    };
    for blocks in &blocks {
        for block in blocks.values() {
            for (x, &i) in block.iter().enumerate() {
                for &j in &block[x + 1..] {
                    add(i, j);
                }
            }
        }
    }
    // Sorted neighbourhoods: the name's words in order, then the name's words reversed (a typo
    // in the first word), then the street with the name.
    let sorts: [fn(&Prepared) -> String; 3] = [
        |r| r.name.join(" "),
        |r| {
            r.name
                .iter()
                .map(|w| w.chars().rev().collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
        },
        |r| {
            format!(
                "{} {}",
                r.street.as_deref().unwrap_or("~"),
                r.name.join(" ")
            )
        },
    ];
    for key in sorts {
        let mut order: Vec<(String, usize)> = records
            .iter()
            .enumerate()
            .map(|(i, r)| (key(r), i))
            .collect();
        order.sort();
        for x in 0..order.len() {
            for y in x + 1..order.len().min(x + 1 + window) {
                add(order[x].1, order[y].1);
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}
