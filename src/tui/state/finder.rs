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
    /// Which letters and digits the text holds, to reject most entries without running the matcher.
    mask: u64,
    /// The text lower-cased, for the word-start bonus.
    lower: String,
}

impl Entry {
    pub fn new(kind: Kind, id: u64, text: String) -> Entry {
        Entry {
            mask: char_mask(&text),
            lower: text.to_lowercase(),
            kind,
            id,
            text,
        }
    }
}

/// One bit per a-z, 0-9, and one for anything else, case-folded.
fn char_mask(text: &str) -> u64 {
    text.chars().fold(0, |m, c| m | char_bit(c))
}

fn char_bit(c: char) -> u64 {
    match c.to_ascii_lowercase() {
        c @ 'a'..='z' => 1 << (c as u32 - 'a' as u32),
        c @ '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        c if c.is_whitespace() => 0,
        _ => 1 << 36,
    }
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
    /// Every entry the last query matched (not only the shown hits), and that query: a query that
    /// extends it can only match a subset, so typing narrows instead of searching everything again.
    matching: Option<(String, Vec<usize>)>,
    /// The query changed since the last search; the app searches once per batch of keys.
    pub stale: bool,
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
            matching: None,
            stale: false,
            matcher: SkimMatcherV2::default().ignore_case(),
        };
        state.search();
        state
    }

    pub fn search(&mut self) {
        self.stale = false;
        let query = self.query.value.clone();
        let words: Vec<&str> = query.split_whitespace().collect();
        if words.is_empty() {
            self.matching = None;
            self.hits = (0..self.entries.len().min(MAX_HITS))
                .map(|entry| Hit {
                    entry,
                    score: 0,
                    matched: Vec::new(),
                })
                .collect();
            self.nav = ListNav::default();
            return;
        }
        let narrowed = match self.matching.take() {
            Some((previous, found)) if query.starts_with(previous.as_str()) => Some(found),
            _ => None,
        };
        let mut scored = match narrowed {
            Some(candidates) => score_all(&self.entries, &candidates, &words),
            None => {
                let all: Vec<usize> = (0..self.entries.len()).collect();
                score_all(&self.entries, &all, &words)
            }
        };
        self.matching = Some((query.clone(), {
            let mut found: Vec<usize> = scored.iter().map(|(_, i)| *i).collect();
            found.sort_unstable();
            found
        }));
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(MAX_HITS);
        // Highlight positions cost more than scores: work them out only for what is shown.
        self.hits = scored
            .into_iter()
            .filter_map(|(score, entry)| {
                self.indices(&self.entries[entry].text, &words)
                    .map(|matched| Hit {
                        entry,
                        score,
                        matched,
                    })
            })
            .collect();
        self.nav = ListNav::default();
    }

    fn indices(&self, text: &str, words: &[&str]) -> Option<Vec<usize>> {
        let mut matched = Vec::new();
        for word in words {
            matched.extend(self.matcher.fuzzy_indices(text, word)?.1);
        }
        matched.sort_unstable();
        matched.dedup();
        Some(matched)
    }

    pub fn selected(&self) -> Option<&Entry> {
        self.hits
            .get(self.nav.selected)
            .map(|h| &self.entries[h.entry])
    }
}

/// Worth about a dozen well-placed characters in skim's scoring.
const WORD_START_BONUS: i64 = 100;

fn starts_a_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        at == 0
            || !text[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
    })
}

/// (score, entry) for each candidate that matches every word, spread over the machine's cores.
fn score_all(entries: &[Entry], candidates: &[usize], words: &[&str]) -> Vec<(i64, usize)> {
    let needed = words.iter().fold(0, |m, w| m | char_mask(w));
    let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let score = |chunk: &[usize]| {
        let matcher = SkimMatcherV2::default().ignore_case();
        chunk
            .iter()
            .filter(|&&i| entries[i].mask & needed == needed)
            .filter_map(|&i| {
                let entry = &entries[i];
                let mut total = 0;
                for (word, lower) in words.iter().zip(&lowered) {
                    total += matcher.fuzzy_match(&entry.text, word)?;
                    // A word that starts one of the entry's words is a name typed, not letters that
                    // happen to occur inside another word ("chen" in "Kitchen").
                    if starts_a_word(&entry.lower, lower) {
                        total += WORD_START_BONUS;
                    }
                }
                Some((total, i))
            })
            .collect::<Vec<_>>()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if candidates.len() < 20_000 || threads == 1 {
        return score(candidates);
    }
    let chunk = candidates.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = candidates
            .chunks(chunk)
            .map(|c| scope.spawn(move || score(c)))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("a finder thread does not panic"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Arc<Vec<Entry>> {
        Arc::new(vec![
            Entry::new(Kind::Customer, 1, "Wilson — Acme Ltd".into()),
            Entry::new(
                Kind::Customer,
                2,
                "Ada Lovelace — Analytical Engines".into(),
            ),
            Entry::new(Kind::Deal, 7, "Acme renewal · Wilson".into()),
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
    fn a_name_outranks_the_same_letters_inside_a_word() {
        let entries = Arc::new(vec![
            Entry::new(
                Kind::Deal,
                1,
                "Seasonal Kitchen order · Igor Kowalski".into(),
            ),
            Entry::new(Kind::Customer, 2, "Sara Chen — Seaview Supplies".into()),
            Entry::new(Kind::Deal, 3, "Seasonal Tea order · Aoife Chen".into()),
        ]);
        let mut f = FinderState::new(entries);
        f.query.value = "chen sea".into();
        f.search();
        let top = f.entries[f.hits[0].entry].id;
        assert_ne!(top, 1, "'chen' inside 'Kitchen' must not win");
        assert!(starts_a_word("sara chen", "chen") && !starts_a_word("kitchen", "chen"));
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

#[cfg(test)]
mod narrowing {
    use super::*;
    use proptest::prelude::*;

    fn brute(entries: &[Entry], query: &str) -> Vec<u64> {
        let matcher = SkimMatcherV2::default().ignore_case();
        let mut ids: Vec<u64> = entries
            .iter()
            .filter(|e| {
                query
                    .split_whitespace()
                    .all(|w| matcher.fuzzy_match(&e.text, w).is_some())
            })
            .map(|e| e.id)
            .collect();
        ids.sort();
        ids
    }

    proptest! {
        /// Typing a query one key at a time finds exactly what searching it from scratch finds.
        #[test]
        fn narrowing_as_you_type_loses_nothing(
            texts in proptest::collection::vec("[a-eA-E0-2 ]{1,12}", 1..60),
            query in "[a-e0-2 ]{1,6}",
        ) {
            let entries: Vec<Entry> = texts.iter().enumerate().map(|(i, t)| Entry::new(Kind::Customer, i as u64, t.clone())).collect();
            let mut f = FinderState::new(Arc::new(entries.clone()));
            for end in 1..=query.len() {
                f.query.value = query[..end].to_string();
                f.search();
            }
            let mut got: Vec<u64> = f.hits.iter().map(|h| f.entries[h.entry].id).collect();
            got.sort();
            prop_assert_eq!(got, brute(&entries, &query));
        }
    }
}
