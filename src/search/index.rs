//! Quick lookup's entries in chunks that successive snapshots share. A write makes again only the
//! chunk its record is in: at 150,000 entries of about 128 bytes, a whole copy at each write of a
//! team held another 20 MB for every snapshot a session had not yet let go of.

use super::Entry;
use std::sync::Arc;

const SHIFT: usize = 10;
/// Entries a chunk holds; every chunk of a part is full but its last.
const CHUNK: usize = 1 << SHIFT;

/// One kind of record's entries, in the records' order.
#[derive(Clone, Default)]
pub struct Part {
    chunks: Vec<Arc<[Entry]>>,
    len: usize,
}

impl Part {
    fn get(&self, i: usize) -> Option<&Entry> {
        self.chunks.get(i >> SHIFT)?.get(i & (CHUNK - 1))
    }

    fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The entries of records `ids` (in order), reusing `old`'s: a chunk of records none of which
    /// is `touched`, at the same place with the same ids, is shared; an entry not touched is
    /// copied; a touched one is made by `make` (given its place). None when an untouched record
    /// is not where `old` had it (the caller builds afresh).
    pub fn after(
        old: &Part,
        ids: &[u64],
        touched: impl Fn(u64) -> bool,
        make: impl Fn(usize) -> Entry,
    ) -> Option<Part> {
        let mut chunks = Vec::with_capacity(ids.len().div_ceil(CHUNK));
        // The next entry of `old` still to be matched.
        let mut at = 0;
        let skip_touched = |at: &mut usize| {
            while old.get(*at).is_some_and(|e| touched(e.id)) {
                *at += 1;
            }
        };
        for (k, ids) in ids.chunks(CHUNK).enumerate() {
            skip_touched(&mut at);
            let same = at == k * CHUNK
                && old.chunks.get(k).is_some_and(|c| {
                    c.len() == ids.len()
                        && c.iter().zip(ids).all(|(e, &id)| e.id == id && !touched(id))
                });
            if same {
                chunks.push(Arc::clone(&old.chunks[k]));
                at += ids.len();
                continue;
            }
            let mut fresh = Vec::with_capacity(ids.len());
            for (j, &id) in ids.iter().enumerate() {
                if touched(id) {
                    fresh.push(make(k * CHUNK + j));
                    continue;
                }
                skip_touched(&mut at);
                let kept = old.get(at).filter(|e| e.id == id)?;
                fresh.push(kept.clone());
                at += 1;
            }
            chunks.push(fresh.into());
        }
        Some(Part {
            chunks,
            len: ids.len(),
        })
    }
}

impl FromIterator<Entry> for Part {
    fn from_iter<I: IntoIterator<Item = Entry>>(entries: I) -> Part {
        let mut chunks = Vec::new();
        let mut len = 0;
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            let chunk: Vec<Entry> = entries.by_ref().take(CHUNK).collect();
            len += chunk.len();
            chunks.push(chunk.into());
        }
        Part { chunks, len }
    }
}

/// Entries of one or more parts, one after another, numbered from 0 as one list.
#[derive(Clone, Default)]
pub struct Index {
    parts: Vec<Part>,
    len: usize,
}

impl Index {
    pub fn of_parts(parts: Vec<Part>) -> Index {
        Index {
            len: parts.iter().map(|p| p.len).sum(),
            parts,
        }
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, mut i: usize) -> Option<&Entry> {
        for part in &self.parts {
            if i < part.len {
                return part.get(i);
            }
            i -= part.len;
        }
        None
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.parts.iter().flat_map(Part::iter)
    }
}

impl std::ops::Index<usize> for Index {
    type Output = Entry;

    fn index(&self, i: usize) -> &Entry {
        match self.get(i) {
            Some(entry) => entry,
            None => panic!("entry {i} of an index of {}", self.len),
        }
    }
}

impl From<Vec<Entry>> for Index {
    fn from(entries: Vec<Entry>) -> Index {
        Index::of_parts(vec![entries.into_iter().collect()])
    }
}

impl PartialEq for Index {
    fn eq(&self, other: &Index) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Kind;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn entry(id: u64, version: u64) -> Entry {
        Entry::new(Kind::Customer, id, format!("customer {id} v{version}"))
    }

    proptest! {
        /// Whatever a write does to the records (change some, drop some, add some), the index
        /// made from the old one equals one made afresh, and shares the chunks it did not touch.
        #[test]
        fn after_a_write_equals_afresh(
            n in 0usize..3000,
            changed in proptest::collection::vec(0u64..3100, 0..6),
            dropped in proptest::collection::vec(0u64..3000, 0..3),
            added in 0usize..3,
        ) {
            let old_ids: Vec<u64> = (0..n as u64).collect();
            let old: Part = old_ids.iter().map(|&id| entry(id, 0)).collect();
            let dropped: HashSet<u64> = dropped.into_iter().collect();
            let mut ids: Vec<u64> = old_ids.iter().copied().filter(|id| !dropped.contains(id)).collect();
            let first_new = n as u64 + 100;
            ids.extend((0..added as u64).map(|k| first_new + k));
            let touched: HashSet<u64> = changed.iter().chain(&dropped).copied()
                .chain(first_new..first_new + added as u64).collect();
            let version = |id: u64| u64::from(touched.contains(&id));
            let made = Part::after(&old, &ids, |id| touched.contains(&id), |p| entry(ids[p], version(ids[p])))
                .expect("records keep their order");
            let afresh: Part = ids.iter().map(|&id| entry(id, version(id))).collect();
            let (made, afresh) = (Index::of_parts(vec![made]), Index::of_parts(vec![afresh]));
            prop_assert_eq!(&made, &afresh);
            for i in 0..made.len() {
                prop_assert_eq!(&made[i], &afresh[i]);
            }
            // With nothing dropped or added, only the chunks holding a changed record are new.
            if dropped.is_empty() && added == 0 {
                let new_chunks: HashSet<usize> = changed.iter()
                    .filter(|&&id| id < n as u64).map(|&id| id as usize / CHUNK).collect();
                for (k, chunk) in made.parts()[0].chunks.iter().enumerate() {
                    prop_assert_eq!(Arc::ptr_eq(chunk, &old.chunks[k]), !new_chunks.contains(&k));
                }
            }
        }
    }

    #[test]
    fn a_record_out_of_place_is_refused() {
        let old: Part = [1, 2, 3].map(|id| entry(id, 0)).into_iter().collect();
        assert!(Part::after(&old, &[1, 3, 2], |_| false, |_| unreachable!()).is_none());
    }

    #[test]
    fn parts_number_on_from_each_other() {
        let a: Part = (0..CHUNK as u64 + 5).map(|id| entry(id, 0)).collect();
        let b: Part = (0..3).map(|id| entry(id + 7000, 0)).collect();
        let index = Index::of_parts(vec![a, b]);
        assert_eq!(index.len(), CHUNK + 8);
        assert_eq!(index[CHUNK + 4].id, CHUNK as u64 + 4);
        assert_eq!(index[CHUNK + 5].id, 7000);
        assert_eq!(index.get(CHUNK + 8), None);
        assert_eq!(index.iter().count(), CHUNK + 8);
    }
}
