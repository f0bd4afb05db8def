//! The quick-lookup engine over customers, deals, tickets and accounts together: every word of the query must
//! match (in any order, like fzf), ranked by fuzzy-matcher's skim score. It knows nothing of the
//! app: one index serves every session, and each session's finder keeps its own query and hits.

mod index;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
pub use index::{Index, Part};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Customer,
    Deal,
    Ticket,
    /// An order found by its number; its id is the customer's, whose page it opens.
    Order,
    Account,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Deal => "deal",
            Kind::Ticket => "ticket",
            Kind::Order => "order",
            Kind::Account => "account",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub id: u64,
    /// Shared, so a write's new index reuses every entry it did not change.
    pub text: std::sync::Arc<str>,
    /// Which letters and digits the text holds, to reject most entries without running the matcher.
    mask: u64,
    /// `mask`'s bits for the first character of each of the text's words: most entries are ruled out
    /// of the word-start bonus by one AND, before any string search.
    initials: u64,
    /// `initials` where the word starts at the text's start or after what skim calls a hard
    /// separator (a space, a slash, a bracket): skim gives more there than after a "#" or a ".",
    /// so "#1023"'s 1 is bounded by what a "#" earns, and ties it ("1" scored 11,111 tickets).
    hard_initials: u64,
    /// The bit of the text's first character, and `UPPER` if it is an upper-case letter: which
    /// entries can take skim's doubled first-position bonus, and whether they pay its case-mismatch
    /// penalty for it, known without reading the text (50,000 scattered reads cost 5 ms a key).
    lead: u64,
    /// `initials` split by case, as written (ASCII letters only): whether a word can be matched
    /// at a word start in its own case, or only with skim's case-mismatch penalty.
    upper_initials: u64,
    lower_initials: u64,
    /// The text's digits in order, when it has three or more: a number typed is looked for in
    /// them without reading the text (see `digits_in_a_row`).
    digits: Box<[u8]>,
    /// One bit per pair of digits side by side in `digits` ("17" is bit 17): most entries are
    /// ruled out for a number by one AND.
    pairs: u128,
}

/// Set in `Entry::lead` when the text begins with an upper-case letter; no `char_bit` uses it.
const UPPER: u64 = 1 << 63;

impl Entry {
    pub fn new(kind: Kind, id: u64, text: String) -> Entry {
        let (upper_initials, lower_initials) = cased_initials(&text);
        let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).collect();
        Entry {
            mask: char_mask(&text),
            initials: initials_mask(&text),
            hard_initials: hard_initials_mask(&text),
            lead: text.chars().next().map_or(0, |c| {
                char_bit(c) | if c.is_ascii_uppercase() { UPPER } else { 0 }
            }),
            upper_initials,
            lower_initials,
            pairs: pair_bits(&digits),
            digits: match digits.len() >= 3 {
                true => digits.into_boxed_slice(),
                false => Box::default(),
            },
            kind,
            id,
            text: text.into(),
        }
    }
}

/// One bit per a-z, 0-9 and a few signs, and one for anything else, case-folded.
fn char_mask(text: &str) -> u64 {
    text.chars().fold(0, |m, c| m | char_bit(c))
}

/// The bits of the characters that start a word: what `starts_a_word` calls a word start.
fn initials_mask(text: &str) -> u64 {
    let mut previous_alphanumeric = false;
    let mut mask = 0;
    for c in text.chars() {
        if !previous_alphanumeric {
            // Both foldings: `starts_a_word` folds fully (the Kelvin sign K is a k to it).
            mask |= char_bit(c) | c.to_lowercase().next().map_or(0, char_bit);
        }
        previous_alphanumeric = c.is_alphanumeric();
    }
    mask
}

/// The bits of the characters at the text's start or after a hard separator, both foldings.
fn hard_initials_mask(text: &str) -> u64 {
    let mut previous_hard = true;
    let mut mask = 0;
    for c in text.chars() {
        if previous_hard {
            mask |= char_bit(c) | c.to_lowercase().next().map_or(0, char_bit);
        }
        previous_hard = matches!(
            c,
            ' ' | '/' | '\\' | '|' | '(' | ')' | '[' | ']' | '{' | '}'
        );
    }
    mask
}

/// The bits of the ASCII letters that start a word, upper-case ones and lower-case ones apart.
fn cased_initials(text: &str) -> (u64, u64) {
    let mut previous_alphanumeric = false;
    let (mut upper, mut lower) = (0, 0);
    for c in text.chars() {
        if !previous_alphanumeric {
            if c.is_ascii_uppercase() {
                upper |= char_bit(c);
            } else if c.is_ascii_lowercase() {
                lower |= char_bit(c);
            }
        }
        previous_alphanumeric = c.is_alphanumeric();
    }
    (upper, lower)
}

fn char_bit(c: char) -> u64 {
    match c.to_ascii_lowercase() {
        c @ 'a'..='z' => 1 << (c as u32 - 'a' as u32),
        c @ '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        c if c.is_whitespace() => 0,
        // A bit of their own for what people type: "#1234" looks for a ticket, and must not
        // match every entry with a dash or a dot in it.
        '#' => 1 << 37,
        '@' => 1 << 38,
        '.' => 1 << 39,
        '-' => 1 << 40,
        '&' => 1 << 41,
        '\'' => 1 << 42,
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

/// Results shown at most: three screens at 80x24, and a rep who has not found it by then types
/// another letter. Ranking fewer lets the search stop sooner.
// Smaller in unit tests, so that a few hundred random entries take every path of `rank`.
const MAX_HITS: usize = if cfg!(test) { 20 } else { 50 };

pub struct Finder {
    pub entries: Arc<Index>,
    pub hits: Vec<Hit>,
    /// More entries match than the `MAX_HITS` shown.
    pub capped: bool,
    /// Every entry the last query matched (not only the shown hits), and that query: a query that
    /// extends it can only match a subset, so typing narrows instead of searching everything again.
    matching: Option<(String, Vec<usize>)>,
    matcher: SkimMatcherV2,
}

impl std::fmt::Debug for Finder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finder")
            .field("entries", &self.entries.len())
            .field("hits", &self.hits.len())
            .finish()
    }
}

impl Finder {
    /// A finder over `entries`, showing the first of them as an empty query does.
    pub fn new(entries: Arc<Index>) -> Finder {
        let mut finder = Finder {
            entries,
            hits: Vec::new(),
            capped: false,
            matching: None,
            matcher: matcher(),
        };
        finder.search("");
        finder
    }

    pub fn search(&mut self, query: &str) {
        let words: Vec<String> = query.split_whitespace().map(phone_digits).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        if words.is_empty() {
            self.matching = None;
            self.capped = self.entries.len() > MAX_HITS;
            self.hits = (0..self.entries.len().min(MAX_HITS))
                .map(|entry| Hit {
                    entry,
                    score: 0,
                    matched: Vec::new(),
                })
                .collect();
            return;
        }
        // Narrowed by the words as searched: "0" then "04" is not a narrowing once "04" is
        // looked for as "4".
        let key = words.join(" ");
        let narrowed = match self.matching.take() {
            Some((previous, found)) if key.starts_with(previous.as_str()) => Some(found),
            _ => None,
        };
        let candidates = narrowed.as_deref();
        let Ranked {
            mut scored,
            next,
            every_match,
        } = rank(&self.entries, candidates, &words);
        self.matching = Some((key, next));
        self.capped = !every_match || scored.len() > MAX_HITS;
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

    /// The entry a hit stands for.
    pub fn entry(&self, hit: usize) -> Option<&Entry> {
        self.hits.get(hit).map(|h| &self.entries[h.entry])
    }
}

/// A word typed as part of a phone number ("(433)", "167-2211", "0433", "+44") is looked for by
/// its digits, so a number finds its customer however either was written. A leading 0 (a trunk
/// prefix, or 00 for abroad) is dropped: "0433 167 2211" finds "+44 433 167 2211".
pub fn phone_digits(word: &str) -> String {
    let phone_like = word
        .chars()
        .all(|c| c.is_ascii_digit() || "+()-./".contains(c))
        && word.chars().filter(char::is_ascii_digit).count() >= 2;
    if !phone_like {
        return word.to_string();
    }
    let digits: String = word.chars().filter(char::is_ascii_digit).collect();
    match digits.trim_start_matches('0') {
        "" => digits,
        rest => rest.to_string(),
    }
}

/// A number of three digits or more is part of a phone, an order or a ticket number: its digits
/// must come in a row in the entry's digits ("433" is not the 4, 3 and 3 of "+49 30 1234").
/// Only the digits a word begins with count: "220e" wants 220 in a row, as "220" did, so that
/// typing on never finds what the shorter query ruled out.
fn digits_in_a_row(entry: &Entry, word: &str) -> bool {
    let number = number_part(word);
    number.len() < 3
        || (entry.pairs & pair_bits(number) == pair_bits(number)
            && entry.digits.windows(number.len()).any(|w| w == number))
}

/// The digits a word begins with.
fn number_part(word: &str) -> &[u8] {
    let end = word
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(word.len());
    &word.as_bytes()[..end]
}

fn pair_bits(digits: &[u8]) -> u128 {
    digits.windows(2).fold(0, |m, p| {
        m | 1 << (u32::from(p[0] - b'0') * 10 + u32::from(p[1] - b'0'))
    })
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

/// The most skim can score one word of the query in an entry, from what the entry's masks say.
/// Each figure is skim's own score of the word in the best text of its kind; `bounds_hold` checks
/// that no other text scores more.
#[derive(Clone, Copy)]
struct WordBound {
    /// `char_bit` of the word's first character.
    first: u64,
    /// The first character is an ASCII letter, so its case can cost skim's mismatch penalty.
    cased: bool,
    upper: bool,
    /// Where the text begins with it: skim doubles the bonus of a text's first position.
    leading: i64,
    leading_other_case: i64,
    /// Where a word of the text begins with it, in the word's own case: after a space.
    after_space: i64,
    /// The same after a soft separator ("#", ".", "-"), where skim gives a little less.
    after_soft: i64,
    /// Where no word of the text begins with it in its own case: another case after a space, or
    /// inside a word.
    elsewhere: i64,
}

impl WordBound {
    fn of(matcher: &SkimMatcherV2, word: &str) -> WordBound {
        let first = word.chars().next().unwrap_or(' ');
        let swapped: String = std::iter::once(other_case(first))
            .chain(word.chars().skip(1))
            .collect();
        let score = |text: &str| skim_score(matcher, text, word).unwrap_or(i64::MAX);
        let after_space = score(&format!(" {word}"));
        let cased = first.is_ascii_alphabetic();
        // A digit or a sign has no other case to start a word in: inside a word is all that is left.
        let elsewhere = match cased {
            true => score(&format!(" {swapped}")),
            false => score(&format!("1{word}")),
        }
        .max(score(&format!("x{word}")))
        .max(score(&format!("x{swapped}")));
        WordBound {
            first: char_bit(first),
            cased,
            upper: first.is_ascii_uppercase(),
            leading: score(word),
            leading_other_case: score(&swapped),
            after_space,
            after_soft: score(&format!("#{word}")),
            elsewhere,
        }
    }

    /// The most skim can give the word in the entry's text.
    fn skim_most(&self, e: &Entry) -> i64 {
        let initials = if !self.cased {
            e.initials
        } else if self.upper {
            e.upper_initials
        } else {
            e.lower_initials
        };
        let inside = if initials & self.first != 0 {
            match e.hard_initials & self.first != 0 {
                true => self.after_space,
                false => self.after_soft.max(self.elsewhere),
            }
        } else {
            self.elsewhere
        };
        if e.lead & !UPPER != self.first {
            return inside;
        }
        let same_case = !self.cased || (e.lead & UPPER != 0) == self.upper;
        inside.max(if same_case {
            self.leading
        } else {
            self.leading_other_case
        })
    }

    /// The most the word can score in the entry, with the word-start bonus where the masks allow it.
    fn for_entry(&self, e: &Entry) -> i64 {
        let starts = if e.initials & self.first == self.first {
            WORD_START_BONUS
        } else {
            0
        };
        self.skim_most(e) + starts
    }
}

/// The same ASCII letter in the other case; anything else as it is.
fn other_case(c: char) -> char {
    if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else {
        c.to_ascii_uppercase()
    }
}

/// Entries scored in order before checking whether the best are already known.
const FIRST_CHUNK: usize = if cfg!(test) { 16 } else { 256 };

/// Scores enough of the candidates to know the best `MAX_HITS` exactly, and returns them with the
/// candidates a longer query must look at.
///
/// Scoring everything with skim is what made keys slow (a single "#" scored 30,000 tickets). But
/// what an entry can score at most is known from its masks alone: whether its text begins with a
/// word's first letter, and whether one of its words does (the word-start bonus). So the entries
/// are grouped by that bound and scored best group first; once `MAX_HITS` scores beat the next
/// group's bound, the rest can neither beat nor tie them (ties go to the earlier entry).
/// `candidates`: the entries a shorter query matched, or None for every entry (not collected into
/// a list first: at 150,000 entries that list alone is a megabyte a key).
fn rank(entries: &Index, candidates: Option<&[usize]>, words: &[&str]) -> Ranked {
    let needed = words.iter().fold(0, |m, w| m | char_mask(w));
    let numbers: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| number_part(w).len() >= 3)
        .collect();
    let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let matcher = matcher();
    let bounds: Vec<WordBound> = words.iter().map(|w| WordBound::of(&matcher, w)).collect();
    // Past four words every entry is given the most a word can score, which keeps the groups few
    // (at most 4² · 5 bounds) at the price of scoring more entries for such long queries.
    let (sharp, blunt) = bounds.split_at(bounds.len().min(4));
    let blunt: i64 = blunt
        .iter()
        .map(|b| b.leading.max(b.after_space) + WORD_START_BONUS)
        .sum();
    let mut pool = Vec::with_capacity(candidates.map_or(entries.len(), <[usize]>::len));
    // (bound, members in candidate order)
    let mut groups: Vec<(i64, Vec<usize>)> = Vec::new();
    let mut group_of: rustc_hash::FxHashMap<i64, usize> = rustc_hash::FxHashMap::default();
    let mut take = |i: usize, e: &Entry| {
        if e.mask & needed != needed || !numbers.iter().all(|w| digits_in_a_row(e, w)) {
            return;
        }
        pool.push(i);
        let bound = blunt + sharp.iter().map(|b| b.for_entry(e)).sum::<i64>();
        let group = *group_of.entry(bound).or_insert_with(|| {
            groups.push((bound, Vec::new()));
            groups.len() - 1
        });
        groups[group].1.push(i);
    };
    match candidates {
        Some(found) => found.iter().for_each(|&i| take(i, &entries[i])),
        None => entries.iter().enumerate().for_each(|(i, e)| take(i, e)),
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.0));

    let mut scored: Vec<(i64, usize)> = Vec::new();
    for (bound, members) in &groups {
        // In chunks that double, checking before each: everything still unscored, in this group
        // or a later one, scores at most `bound`, and loses a tie to an earlier entry.
        let mut done = 0;
        let mut chunk = FIRST_CHUNK;
        while done < members.len() {
            if nth_best_beats(&scored, *bound, members[done]) {
                return Ranked {
                    scored,
                    next: pool,
                    every_match: false,
                };
            }
            let part = &members[done..members.len().min(done + chunk)];
            scored.extend(crate::parallel::in_chunks(part, |c| {
                score(entries, c, words, &lowered)
            }));
            done += part.len();
            chunk *= 2;
        }
    }
    // Everything was scored: the matches are exactly what a longer query can match.
    let mut found: Vec<usize> = scored.iter().map(|s| s.1).collect();
    found.sort_unstable();
    Ranked {
        scored,
        next: found,
        every_match: true,
    }
}

struct Ranked {
    /// (score, entry), among them the best `MAX_HITS` matches.
    scored: Vec<(i64, usize)>,
    /// The candidates a longer query must look at.
    next: Vec<usize>,
    /// `scored` holds every match, not only enough to know the best.
    every_match: bool,
}

/// Whether `MAX_HITS` of the scores rank above any entry scoring at most `bound`: by a higher
/// score, or the same score from an entry before `later` (the first entry still unscored).
fn nth_best_beats(scored: &[(i64, usize)], bound: i64, later: usize) -> bool {
    scored
        .iter()
        .filter(|&&(s, i)| s > bound || (s == bound && i < later))
        .count()
        >= MAX_HITS
}

/// (score, entry) for each of `chunk` that matches every word.
fn score(
    entries: &Index,
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
                if !digits_in_a_row(entry, word) {
                    return None;
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Arc<Index> {
        Arc::new(Index::from(vec![
            Entry::new(Kind::Customer, 1, "Wilson — Acme Ltd".into()),
            Entry::new(
                Kind::Customer,
                2,
                "Ada Lovelace — Analytical Engines".into(),
            ),
            Entry::new(Kind::Deal, 7, "Acme renewal · Wilson".into()),
        ]))
    }

    #[test]
    fn every_word_must_match_in_any_order() {
        let mut f = Finder::new(entries());
        f.search("acme wil");
        let ids: Vec<u64> = f.hits.iter().map(|h| f.entries[h.entry].id).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&1) && ids.contains(&7));
        f.search("lovelace acme");
        assert!(f.hits.is_empty());
    }

    #[test]
    fn a_name_outranks_the_same_letters_inside_a_word() {
        let entries = Arc::new(Index::from(vec![
            Entry::new(
                Kind::Deal,
                1,
                "Seasonal Kitchen order · Igor Kowalski".into(),
            ),
            Entry::new(Kind::Customer, 2, "Sara Chen — Seaview Supplies".into()),
            Entry::new(Kind::Deal, 3, "Seasonal Tea order · Aoife Chen".into()),
        ]));
        let mut f = Finder::new(entries);
        f.search("chen sea");
        let top = f.entries[f.hits[0].entry].id;
        assert_ne!(top, 1, "'chen' inside 'Kitchen' must not win");
        assert!(starts_a_word("Sara Chen", "chen") && !starts_a_word("Kitchen", "chen"));
        assert!(starts_a_word("ÉCOLE Brun", "école") && starts_a_word("x-Ray", "ray"));
    }

    #[test]
    fn a_phone_number_is_found_however_it_is_written() {
        let entries = Arc::new(Index::from(vec![
            Entry::new(
                Kind::Customer,
                1,
                "Olga Ivanova · olga.ivanova448@mail.example.com · +44 433 167 2211".into(),
            ),
            Entry::new(
                Kind::Customer,
                2,
                "Otto Brandt · otto@example.de · +49 30 1234 5678".into(),
            ),
        ]));
        let mut f = Finder::new(entries);
        for typed in [
            "433 167",
            "4331672211",
            "0433 167 2211",
            "(0433) 167-2211",
            "+44 433 167 2211",
            "0044 433 167 2211",
            "ivanova448",
        ] {
            f.search(typed);
            let ids: Vec<u64> = f.hits.iter().map(|h| f.entries[h.entry].id).collect();
            assert_eq!(ids, [1], "{typed}");
        }
        f.search("030 1234 5678");
        assert_eq!(f.hits.len(), 1);
        assert_eq!(f.entries[f.hits[0].entry].id, 2);
        assert_eq!(
            phone_digits("#1234"),
            "#1234",
            "a ticket number is left alone"
        );
        assert_eq!(phone_digits("D0013810"), "D0013810");
    }

    #[test]
    fn matched_characters_are_reported_for_highlighting() {
        let mut f = Finder::new(entries());
        f.search("ada");
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
                query.split_whitespace().all(|w| {
                    let w = phone_digits(w);
                    digits_in_a_row(e, &w) && skim_score(&matcher(), &e.text, &w).is_some()
                })
            })
            .map(|e| e.id)
            .collect();
        ids.sort();
        ids
    }

    /// Entries for `texts`, and a finder that had `query` typed into it one key at a time.
    fn typed(texts: &[String], query: &str) -> (Vec<Entry>, Finder) {
        let entries: Vec<Entry> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Entry::new(Kind::Customer, i as u64, t.clone()))
            .collect();
        let mut f = Finder::new(Arc::new(Index::from(entries.clone())));
        for end in 1..=query.len() {
            f.search(&query[..end]);
        }
        (entries, f)
    }

    proptest! {
        /// Typing a query one key at a time finds exactly what searching it from scratch finds.
        #[test]
        fn narrowing_as_you_type_loses_nothing(
            texts in proptest::collection::vec("[a-eA-E0-2 ]{1,12}", 1..60),
            query in "[a-e0-2 ]{1,6}",
        ) {
            let (entries, f) = typed(&texts, &query);
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
        // Words as the finder searches them: a number by its digits.
        let words: Vec<String> = query.split_whitespace().map(phone_digits).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        let all: Vec<usize> = (0..entries.len()).collect();
        let mut scored = score(&Index::from(entries.to_vec()), &all, &words, &lowered);
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(MAX_HITS);
        scored
            .into_iter()
            .map(|(s, i)| (s, entries[i].id))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// No text gives a word more than its `WordBound` says, and the word-start bonus comes
        /// only where the masks allow it.
        #[test]
        fn bounds_hold(text in "[a-cA-CK _.#/(0-2-]{0,40}", word in "[a-cA-Ck#0-2]{1,6}") {
            let entry = Entry::new(Kind::Customer, 1, text.clone());
            let bound = WordBound::of(&matcher(), &word);
            if let Some(score) = skim_score(&matcher(), &text, &word) {
                let most = bound.skim_most(&entry);
                prop_assert!(score <= most, "{score} > {most} for {word} in {text}");
            }
            if starts_a_word(&text, &word.to_lowercase()) {
                prop_assert!(entry.initials & bound.first == bound.first, "{word} starts a word of {text}");
            }
        }

        /// The same, in texts that hold the word itself, some letters in another case: the texts
        /// where skim scores highest, which random texts seldom are.
        #[test]
        fn bounds_hold_where_the_word_is(
            before in "[a-cA-C _.#(0-2-]{0,6}",
            word in "[a-cA-C0-2]{1,5}",
            flips in proptest::collection::vec(any::<bool>(), 5),
            after in "[a-cA-C _.-]{0,6}",
        ) {
            let cased: String = word.chars().zip(&flips).map(|(c, &flip)| if flip { other_case(c) } else { c }).collect();
            let text = format!("{before}{cased}{after}");
            let entry = Entry::new(Kind::Customer, 1, text.clone());
            let most = WordBound::of(&matcher(), &word).skim_most(&entry);
            if let Some(score) = skim_score(&matcher(), &text, &word) {
                prop_assert!(score <= most, "{score} > {most} for {word} in {text}");
            }
        }

        /// Ranking only what can make the list gives the very list that scoring everything gives,
        /// typed key by key or all at once, with enough entries for the early stop to happen.
        #[test]
        fn ranking_equals_scoring_everything(
            texts in proptest::collection::vec("#?[abAB01]{1,3}([ _.#-][abcAB01]{1,4}){0,3}", 200..1_200),
            query in "#?[abAB01]{1,3}( [abc#01]{1,2})?",
        ) {
            let (entries, f) = typed(&texts, &query);
            let got: Vec<(i64, u64)> = f.hits.iter().map(|h| (h.score, f.entries[h.entry].id)).collect();
            prop_assert_eq!(got, exhaustive(&entries, &query));
            prop_assert_eq!(f.capped, brute(&entries, &query).len() > MAX_HITS);
        }
    }
}
