//! Quick lookup over customers, deals and tickets together: every word of the query must match
//! (in any order, like fzf), ranked by fuzzy-matcher's skim score.

use super::input::TextInput;
use super::list::ListNav;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Customer,
    Deal,
    Ticket,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Deal => "deal",
            Kind::Ticket => "ticket",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub id: u64,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub entry: usize,
    pub score: i64,
    /// Character positions in the entry's text that matched, for highlighting.
    pub matched: Vec<usize>,
}

/// Results shown at most; the rest are not worth a rep's scrolling.
const MAX_HITS: usize = 200;

pub struct FinderState {
    pub query: TextInput,
    pub entries: Arc<Vec<Entry>>,
    pub hits: Vec<Hit>,
    pub nav: ListNav,
    matcher: SkimMatcherV2,
}

impl std::fmt::Debug for FinderState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FinderState")
            .field("query", &self.query)
            .field("hits", &self.hits.len())
            .finish()
    }
}

impl FinderState {
    pub fn new(entries: Arc<Vec<Entry>>) -> FinderState {
        let mut state = FinderState {
            query: TextInput::default(),
            entries,
            hits: Vec::new(),
            nav: ListNav::default(),
            matcher: SkimMatcherV2::default().ignore_case(),
        };
        state.search();
        state
    }

    pub fn search(&mut self) {
        let words: Vec<&str> = self.query.value.split_whitespace().collect();
        let mut hits: Vec<Hit> = if words.is_empty() {
            (0..self.entries.len().min(MAX_HITS))
                .map(|entry| Hit {
                    entry,
                    score: 0,
                    matched: Vec::new(),
                })
                .collect()
        } else {
            self.entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    self.score(&e.text, &words).map(|(score, matched)| Hit {
                        entry: i,
                        score,
                        matched,
                    })
                })
                .collect()
        };
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(MAX_HITS);
        self.hits = hits;
        self.nav = ListNav::default();
    }

    fn score(&self, text: &str, words: &[&str]) -> Option<(i64, Vec<usize>)> {
        let mut total = 0;
        let mut matched = Vec::new();
        for word in words {
            let (score, indices) = self.matcher.fuzzy_indices(text, word)?;
            total += score;
            matched.extend(indices);
        }
        matched.sort_unstable();
        matched.dedup();
        Some((total, matched))
    }

    pub fn selected(&self) -> Option<&Entry> {
        self.hits
            .get(self.nav.selected)
            .map(|h| &self.entries[h.entry])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Arc<Vec<Entry>> {
        Arc::new(vec![
            Entry {
                kind: Kind::Customer,
                id: 1,
                text: "Wilson — Acme Ltd".into(),
            },
            Entry {
                kind: Kind::Customer,
                id: 2,
                text: "Ada Lovelace — Analytical Engines".into(),
            },
            Entry {
                kind: Kind::Deal,
                id: 7,
                text: "Acme renewal · Wilson".into(),
            },
        ])
    }

    #[test]
    fn every_word_must_match_in_any_order() {
        let mut f = FinderState::new(entries());
        f.query.value = "acme wil".into();
        f.search();
        let ids: Vec<u64> = f.hits.iter().map(|h| f.entries[h.entry].id).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&1) && ids.contains(&7));
        f.query.value = "lovelace acme".into();
        f.search();
        assert!(f.hits.is_empty());
    }

    #[test]
    fn matched_characters_are_reported_for_highlighting() {
        let mut f = FinderState::new(entries());
        f.query.value = "ada".into();
        f.search();
        let top = &f.hits[0];
        assert_eq!(f.entries[top.entry].id, 2);
        assert_eq!(top.matched, vec![0, 1, 2]);
    }
}
