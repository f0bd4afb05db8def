//! Frequent itemsets by FP-growth (Han, Pei & Yin 2000): transactions are compressed into a prefix
//! tree ordered by item frequency, and each item's conditional tree is mined recursively, so no
//! candidate itemset is ever generated and counted separately.

// The maps are keyed by item numbers: Fx hashing, not SipHash, which was a third of the time on
// Online Retail's big invoices (perf).
use rustc_hash::FxHashMap as HashMap;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Itemset {
    /// Ascending item numbers.
    pub items: Vec<u32>,
    /// Transactions that hold every item.
    pub count: u64,
}

/// Every itemset that occurs in at least `min_count` transactions, with at most `max_len` items
/// (0 for no limit). Items within a transaction may repeat; they count once.
pub fn frequent_itemsets(
    transactions: &[Vec<u32>],
    min_count: u64,
    max_len: usize,
) -> Vec<Itemset> {
    frequent_itemsets_capped(transactions, min_count, max_len, usize::MAX)
        .expect("no cap, no overflow")
}

/// Low supports on data with big baskets can mean millions of itemsets; past `cap` the search stops
/// rather than exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("more than {cap} frequent itemsets: raise the minimum support or limit the length")]
pub struct TooMany {
    pub cap: usize,
}

pub fn frequent_itemsets_capped(
    transactions: &[Vec<u32>],
    min_count: u64,
    max_len: usize,
    cap: usize,
) -> Result<Vec<Itemset>, TooMany> {
    let max_len = if max_len == 0 { usize::MAX } else { max_len };
    let min_count = min_count.max(1);
    // Items are numbered densely once, so every level counts in plain vectors.
    let mut names: Vec<u32> = transactions.iter().flatten().copied().collect();
    names.sort_unstable();
    names.dedup();
    let dense: HashMap<u32, u32> = names
        .iter()
        .enumerate()
        .map(|(i, &item)| (item, i as u32))
        .collect();
    let paths: Vec<(Vec<u32>, u64)> = transactions
        .iter()
        .map(|t| {
            let mut t: Vec<u32> = t.iter().map(|item| dense[item]).collect();
            t.sort_unstable();
            t.dedup();
            (t, 1)
        })
        .collect();
    let mut out = Vec::new();
    let mut suffix = Vec::new();
    let level = Level {
        min_count,
        max_len,
        cap,
    };
    mine(&paths, &names, &mut suffix, &level, &mut out)?;
    for set in &mut out {
        set.items.sort_unstable();
    }
    out.sort();
    Ok(out)
}

const ROOT: u32 = 0;

struct Node {
    item: u32,
    count: u64,
    parent: u32,
}

/// A prefix tree of weighted paths, items ordered by descending frequency so shared prefixes merge.
struct FpTree {
    nodes: Vec<Node>,
    children: HashMap<(u32, u32), u32>,
    /// For each frequent item (by rank), the nodes that hold it.
    heads: Vec<Vec<u32>>,
    /// Frequent items by rank: (item, total count), most frequent first.
    ranked: Vec<(u32, u64)>,
}

impl FpTree {
    /// `paths` hold item numbers below `items`.
    fn build(paths: &[(Vec<u32>, u64)], items: usize, min_count: u64) -> FpTree {
        let ranked = frequent_items(paths, items, min_count);
        let mut rank = vec![u32::MAX; items];
        for (r, &(item, _)) in ranked.iter().enumerate() {
            rank[item as usize] = r as u32;
        }
        let mut tree = FpTree {
            nodes: vec![Node {
                item: u32::MAX,
                count: 0,
                parent: ROOT,
            }],
            children: HashMap::default(),
            heads: vec![Vec::new(); ranked.len()],
            ranked,
        };
        let mut ordered: Vec<u32> = Vec::new();
        for (path, weight) in paths {
            ordered.clear();
            ordered.extend(
                path.iter()
                    .map(|&item| rank[item as usize])
                    .filter(|&r| r != u32::MAX),
            );
            ordered.sort_unstable();
            let mut at = ROOT;
            for &r in &ordered {
                at = match tree.children.get(&(at, r)) {
                    Some(&child) => child,
                    None => {
                        let child = tree.nodes.len() as u32;
                        tree.nodes.push(Node {
                            item: r,
                            count: 0,
                            parent: at,
                        });
                        tree.children.insert((at, r), child);
                        tree.heads[r as usize].push(child);
                        child
                    }
                };
                tree.nodes[at as usize].count += weight;
            }
        }
        tree
    }

    /// The prefix paths leading to each node of the item ranked `r`, weighted by that node's count,
    /// in this tree's ranks: the conditional tree numbers its items by them.
    fn conditional_paths(&self, r: usize) -> Vec<(Vec<u32>, u64)> {
        self.heads[r]
            .iter()
            .map(|&node| {
                let mut path = Vec::new();
                let mut at = self.nodes[node as usize].parent;
                while at != ROOT {
                    let n = &self.nodes[at as usize];
                    path.push(n.item);
                    at = n.parent;
                }
                (path, self.nodes[node as usize].count)
            })
            .filter(|(path, _)| !path.is_empty())
            .collect()
    }
}

/// The items (numbered below `items`) in at least `min_count` of the weighted paths, most frequent
/// first.
fn frequent_items(paths: &[(Vec<u32>, u64)], items: usize, min_count: u64) -> Vec<(u32, u64)> {
    let mut counts = vec![0u64; items];
    for (path, weight) in paths {
        for &item in path {
            counts[item as usize] += weight;
        }
    }
    let mut ranked: Vec<(u32, u64)> = counts
        .into_iter()
        .enumerate()
        .filter(|&(_, c)| c >= min_count)
        .map(|(item, c)| (item as u32, c))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

/// Records `suffix` as a frequent itemset, or stops the search past the cap.
fn emit(suffix: &[u32], count: u64, level: &Level, out: &mut Vec<Itemset>) -> Result<(), TooMany> {
    out.push(Itemset {
        items: suffix.to_vec(),
        count,
    });
    if out.len() > level.cap {
        return Err(TooMany { cap: level.cap });
    }
    Ok(())
}

/// What stays the same down the recursion.
struct Level {
    min_count: u64,
    max_len: usize,
    cap: usize,
}

/// `paths` hold this level's item numbers; `names[i]` is item i's number in the caller's input.
fn mine(
    paths: &[(Vec<u32>, u64)],
    names: &[u32],
    suffix: &mut Vec<u32>,
    level: &Level,
    out: &mut Vec<Itemset>,
) -> Result<(), TooMany> {
    // At the last level the length allows, the items' counts are all there is to find: no tree.
    if suffix.len() + 1 >= level.max_len {
        for (item, count) in frequent_items(paths, names.len(), level.min_count) {
            suffix.push(names[item as usize]);
            emit(suffix, count, level, out)?;
            suffix.pop();
        }
        return Ok(());
    }
    let tree = FpTree::build(paths, names.len(), level.min_count);
    // The conditional trees number their items by this tree's ranks.
    let ranked_names: Vec<u32> = tree
        .ranked
        .iter()
        .map(|&(item, _)| names[item as usize])
        .collect();
    // Least frequent first, as in the paper; any order gives the same sets.
    for r in (0..tree.ranked.len()).rev() {
        suffix.push(ranked_names[r]);
        emit(suffix, tree.ranked[r].1, level, out)?;
        // Longer sets can follow: the return above took the last level.
        let conditional = tree.conditional_paths(r);
        if !conditional.is_empty() {
            mine(&conditional, &ranked_names, suffix, level, out)?;
        }
        suffix.pop();
    }
    Ok(())
}

/// Every itemset's count by brute force over all subsets of the items seen: the oracle for tests.
#[cfg(test)]
pub(crate) fn brute_force(
    transactions: &[Vec<u32>],
    min_count: u64,
    max_len: usize,
) -> Vec<Itemset> {
    let mut items: Vec<u32> = transactions.iter().flatten().copied().collect();
    items.sort_unstable();
    items.dedup();
    assert!(items.len() <= 16, "brute force is for small data");
    let max_len = if max_len == 0 { usize::MAX } else { max_len };
    let mut out = Vec::new();
    for mask in 1u32..(1 << items.len()) {
        let set: Vec<u32> = (0..items.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| items[i])
            .collect();
        if set.len() > max_len {
            continue;
        }
        let count = transactions
            .iter()
            .filter(|t| set.iter().all(|i| t.contains(i)))
            .count() as u64;
        if count >= min_count.max(1) {
            out.push(Itemset { items: set, count });
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_textbook_example() {
        // Han et al.'s example, items renamed to numbers: f=1 c=2 a=3 b=4 m=5 p=6 ...
        let t = vec![
            vec![1, 3, 2, 7, 8, 9, 5, 6],
            vec![3, 4, 2, 1, 10, 5, 11],
            vec![4, 1, 12, 13, 11],
            vec![4, 2, 14, 15, 6],
            vec![3, 1, 2, 7, 16, 9, 5, 6],
        ];
        let sets = frequent_itemsets(&t, 3, 0);
        assert_eq!(sets, brute_force(&t, 3, 0));
        let fcam = sets
            .iter()
            .find(|s| s.items == vec![1, 2, 3, 5])
            .expect("{f,c,a,m} is frequent");
        assert_eq!(fcam.count, 3);
        assert_eq!(sets.len(), 18);
    }

    #[test]
    fn the_cap_stops_an_explosion() {
        let wide: Vec<Vec<u32>> = (0..5).map(|_| (0..20).collect()).collect();
        assert_eq!(
            frequent_itemsets_capped(&wide, 2, 0, 1000),
            Err(TooMany { cap: 1000 })
        );
        assert_eq!(
            frequent_itemsets_capped(&wide, 2, 2, 1000).unwrap().len(),
            20 + 190
        );
    }

    #[test]
    fn repeated_items_count_once_and_empty_input_is_fine() {
        assert!(frequent_itemsets(&[], 1, 0).is_empty());
        let sets = frequent_itemsets(&[vec![1, 1, 2], vec![2, 2]], 2, 0);
        assert_eq!(
            sets,
            vec![Itemset {
                items: vec![2],
                count: 2
            }]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// FP-growth finds exactly the itemsets brute-force counting finds, with the same counts.
        #[test]
        fn matches_brute_force(
            transactions in proptest::collection::vec(proptest::collection::vec(0u32..10, 0..7), 0..40),
            min_count in 1u64..6,
            max_len in 0usize..5,
        ) {
            prop_assert_eq!(
                frequent_itemsets(&transactions, min_count, max_len),
                brute_force(&transactions, min_count, max_len)
            );
        }
    }
}
