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
    /// `mask`'s bits for the first character of each of the text's words: most entries are ruled out
    /// of the word-start bonus by one AND, before any string search.
    initials: u64,
    /// The bit of the text's first character: which entries can take skim's doubled first-position
    /// bonus, known without reading the text (50,000 scattered reads cost 5 ms a key).
    lead: u64,
}

impl Entry {
    pub fn new(kind: Kind, id: u64, text: String) -> Entry {
        Entry {
            mask: char_mask(&text),
            initials: initials_mask(&text),
            lead: text.chars().next().map_or(0, char_bit),
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

/// The bits of the characters that start a word: what `starts_a_word` calls a word start.
fn initials_mask(text: &str) -> u64 {
    let mut previous_alphanumeric = false;
    let mut mask = 0;
    for c in text.chars() {
        if !previous_alphanumeric {
            mask |= char_bit(c);
        }
        previous_alphanumeric = c.is_alphanumeric();
    }
    mask
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

fn matcher() -> SkimMatcherV2 {
    SkimMatcherV2::default().ignore_case()
}

/// skim's score of `word` in `text`. A reused matcher is only safe with the patched fuzzy-matcher in
/// `vendor/` (see its PATCH.md); `ranking_equals_scoring_everything` would catch a regression.
fn skim_score(matcher: &SkimMatcherV2, text: &str, word: &str) -> Option<i64> {
    matcher.fuzzy_match(text, word)
}

/// Results shown at most; the rest are not worth a rep's scrolling.
// Smaller in unit tests, so that a few hundred random entries take every path of `rank`.
const MAX_HITS: usize = if cfg!(test) { 20 } else { 200 };

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
            matcher: matcher(),
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
        let all: Vec<usize>;
        let candidates = match &narrowed {
            Some(found) => found.as_slice(),
            None => {
                all = (0..self.entries.len()).collect();
                &all
            }
        };
        let (mut scored, next) = rank(&self.entries, candidates, &words);
        self.matching = Some((query.clone(), next));
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
    let mut after_alphanumeric = false;
    for (at, c) in text.char_indices() {
        if !after_alphanumeric && starts_with_folded(&text[at..], word) {
            return true;
        }
        after_alphanumeric = c.is_alphanumeric();
    }
    false
}

/// `text` begins with `lower`, a lower-cased word, whatever the case of `text`. Folding as it reads
/// saves keeping a lower-cased copy of every entry (10 MB at 100,000 customers).
fn starts_with_folded(text: &str, lower: &str) -> bool {
    let mut folded = text.chars().flat_map(char::to_lowercase);
    lower.chars().all(|w| folded.next() == Some(w))
}

/// The most skim's default scoring gives one word of `len` characters, whatever the text: 16 a
/// character, plus at most 16 for where the first lands and 8 for each other (fuzzy-matcher 0.3's
/// `SkimScoreConfig`; gaps only subtract). The `ceilings_hold` test checks it on random texts.
fn skim_ceiling(len: usize) -> i64 {
    24 * len as i64 + 8
}

/// Entries looked at before checking whether the best are already known.
const FIRST_CHUNK: usize = if cfg!(test) { 64 } else { 4_096 };

/// Scores enough of the candidates to know the best `MAX_HITS` exactly, and returns them with the
/// candidates a longer query must look at.
///
/// Scoring everything with skim is what made the first keys slow (29 ms over 150,000 entries), so:
/// entries where every word starts one of the entry's words carry the word-start bonus and are
/// scored first, in order. No entry can beat `top`, so once `MAX_HITS` of them reach it the rest
/// can only tie, and ties go to the earlier entry. Otherwise, when the best of them already beat
/// the ceiling of every entry without the bonus, those are never scored.
fn rank(
    entries: &[Entry],
    candidates: &[usize],
    words: &[&str],
) -> (Vec<(i64, usize)>, Vec<usize>) {
    let needed = words.iter().fold(0, |m, w| m | char_mask(w));
    let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let top: i64 = words
        .iter()
        .map(|w| skim_ceiling(w.chars().count()) + WORD_START_BONUS)
        .sum();
    let pool: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| entries[i].mask & needed == needed)
        .collect();
    if let [word] = words
        && let Some(scored) = rank_one_word(entries, &pool, word)
    {
        return (scored, pool);
    }
    let firsts: Vec<u64> = lowered
        .iter()
        .map(|w| w.chars().next().map_or(0, char_bit))
        .collect();
    let starts_every_word = |i: usize| {
        let e = &entries[i];
        firsts.iter().all(|&bit| e.initials & bit == bit)
            && lowered.iter().all(|w| starts_a_word(&e.text, w))
    };

    let first = &pool[..pool.len().min(FIRST_CHUNK)];
    let (mut scored, mut others) =
        split_and_score(entries, first, words, &lowered, &starts_every_word);
    if scored.iter().filter(|s| s.0 >= top).count() >= MAX_HITS {
        // The pool is a superset of the matches: enough for narrowing.
        return (scored, pool);
    }
    let rest = &pool[first.len()..];
    let (more, more_others) = parallel(rest, |chunk| {
        split_and_score(entries, chunk, words, &lowered, &starts_every_word)
    });
    scored.extend(more);
    others.extend(more_others);
    let beaten = scored.len() >= MAX_HITS && {
        let mut best: Vec<i64> = scored.iter().map(|s| s.0).collect();
        let (_, nth, _) = best.select_nth_unstable_by(MAX_HITS - 1, |a, b| b.cmp(a));
        *nth > top - WORD_START_BONUS
    };
    if beaten {
        return (scored, pool);
    }
    let (rest_scored, _) = parallel(&others, |chunk| {
        (score(entries, chunk, words, &lowered), Vec::<usize>::new())
    });
    let mut found: Vec<usize> = scored.iter().chain(&rest_scored).map(|s| s.1).collect();
    found.sort_unstable();
    scored.extend(rest_scored);
    (scored, found)
}

/// A query of one word, as the first keys of most queries are. skim's score for a word depends
/// most on where its first character lands: first in the text, its position bonus doubles; at the
/// start of a later word it is single. So the entries whose text begins with that character are
/// scored first, and if the list they make already beats the best any other entry could score (skim's
/// own score of the word after a space, with the word-start bonus), the rest are never scored.
/// None when that does not settle it.
fn rank_one_word(entries: &[Entry], pool: &[usize], word: &str) -> Option<Vec<(i64, usize)>> {
    let first = word.chars().next()?;
    if !first.is_ascii_alphanumeric() {
        return None;
    }
    let matcher = matcher();
    let best = |text: &str| skim_score(&matcher, text, word).unwrap_or(0) + WORD_START_BONUS;
    let elsewhere = best(&format!(" {word}"));
    // `char_bit` folds ASCII case as skim does: the entries whose text begins with `first`.
    let lead = char_bit(first);
    let leading: Vec<usize> = pool
        .iter()
        .copied()
        .filter(|&i| entries[i].lead == lead)
        .collect();
    if leading.len() < MAX_HITS {
        return None;
    }
    let lowered = [word.to_lowercase()];
    let (scored, _) = parallel(&leading, |chunk| {
        (
            score(entries, chunk, &[word], &lowered),
            Vec::<usize>::new(),
        )
    });
    if scored.len() < MAX_HITS {
        return None;
    }
    let mut best_scores: Vec<i64> = scored.iter().map(|s| s.0).collect();
    let (_, &mut floor, _) = best_scores.select_nth_unstable_by(MAX_HITS - 1, |a, b| b.cmp(a));
    (floor > elsewhere).then_some(scored)
}

/// Scores the entries where every word starts a word; returns the others unscored.
fn split_and_score(
    entries: &[Entry],
    chunk: &[usize],
    words: &[&str],
    lowered: &[String],
    starts_every_word: &(dyn Fn(usize) -> bool + Sync),
) -> (Vec<(i64, usize)>, Vec<usize>) {
    let (starts, others): (Vec<usize>, Vec<usize>) =
        chunk.iter().partition(|&&i| starts_every_word(i));
    (score(entries, &starts, words, lowered), others)
}

/// (score, entry) for each of `chunk` that matches every word.
fn score(
    entries: &[Entry],
    chunk: &[usize],
    words: &[&str],
    lowered: &[String],
) -> Vec<(i64, usize)> {
    let matcher = matcher();
    chunk
        .iter()
        .filter_map(|&i| {
            let entry = &entries[i];
            let mut total = 0;
            for (word, lower) in words.iter().zip(lowered) {
                total += skim_score(&matcher, &entry.text, word)?;
                // A word that starts one of the entry's words is a name typed, not letters that
                // happen to occur inside another word ("chen" in "Kitchen").
                if starts_a_word(&entry.text, lower) {
                    total += WORD_START_BONUS;
                }
            }
            Some((total, i))
        })
        .collect()
}

/// Runs `work` over `items` split across the machine's cores, joining the results in order.
fn parallel<A: Send, B: Send>(
    items: &[usize],
    work: impl Fn(&[usize]) -> (Vec<A>, Vec<B>) + Sync,
) -> (Vec<A>, Vec<B>) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if items.len() < 8_192 || threads == 1 {
        return work(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|c| scope.spawn(|| work(c)))
            .collect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for part in parts {
            let (x, y) = part.join().expect("a finder thread does not panic");
            a.extend(x);
            b.extend(y);
        }
        (a, b)
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
        assert!(starts_a_word("Sara Chen", "chen") && !starts_a_word("Kitchen", "chen"));
        assert!(starts_a_word("ÉCOLE Brun", "école") && starts_a_word("x-Ray", "ray"));
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
        let mut ids: Vec<u64> = entries
            .iter()
            .filter(|e| {
                query
                    .split_whitespace()
                    .all(|w| skim_score(&matcher(), &e.text, w).is_some())
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
            let all = brute(&entries, &query);
            if all.len() <= MAX_HITS {
                prop_assert_eq!(got, all);
            } else {
                prop_assert_eq!(got.len(), MAX_HITS);
                prop_assert!(got.iter().all(|id| all.contains(id)));
            }
        }
    }

    /// Every entry scored with skim and the bonus, best first, ties by order: what `rank` must equal.
    fn exhaustive(entries: &[Entry], query: &str) -> Vec<(i64, u64)> {
        let words: Vec<&str> = query.split_whitespace().collect();
        let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        let all: Vec<usize> = (0..entries.len()).collect();
        let mut scored = score(entries, &all, &words, &lowered);
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(MAX_HITS);
        scored
            .into_iter()
            .map(|(s, i)| (s, entries[i].id))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// No text gives a word more than `skim_ceiling` of its length.
        #[test]
        fn ceilings_hold(text in "[a-cA-C _.-]{0,40}", word in "[a-cA-C]{1,6}") {
            if let Some(score) = skim_score(&matcher(), &text, &word) {
                prop_assert!(score <= skim_ceiling(word.chars().count()), "{score} for {word} in {text}");
            }
        }

        /// Ranking only what can make the list gives the very list that scoring everything gives,
        /// typed key by key or all at once, with enough entries for the early stop to happen.
        #[test]
        fn ranking_equals_scoring_everything(
            texts in proptest::collection::vec("[abAB]{1,3}([ _.-][abcAB]{1,4}){0,3}", 200..1_200),
            query in "[abAB]{1,3}( [abc]{1,2})?",
        ) {
            let entries: Vec<Entry> = texts.iter().enumerate().map(|(i, t)| Entry::new(Kind::Customer, i as u64, t.clone())).collect();
            let mut f = FinderState::new(Arc::new(entries.clone()));
            for end in 1..=query.len() {
                f.query.value = query[..end].to_string();
                f.search();
            }
            let got: Vec<(i64, u64)> = f.hits.iter().map(|h| (h.score, f.entries[h.entry].id)).collect();
            prop_assert_eq!(got, exhaustive(&entries, &query));
        }
    }
}
