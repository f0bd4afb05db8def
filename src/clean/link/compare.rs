//! Two prepared customers field by field: each field's agreement as a level.

use super::prepare::{Prepared, Text};
use crate::clean::normal;

/// How alike one field is in a pair; Missing where either side has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Missing,
    Differ,
    Close,
    Same,
}

pub const FIELDS: [&str; 7] = [
    "name", "email", "phone", "company", "street", "postcode", "city",
];
pub(super) const F: usize = FIELDS.len();
/// Levels a field can be compared into, other than Missing.
pub(super) const LEVELS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    pub levels: [Level; F],
    /// How alike the names are, 0 to 1, for the reasons. Single precision: a million pairs
    /// are held at once.
    pub name: f32,
}

/// Jaro-Winkler over bytes: the folded fields are ASCII, and decoding them as UTF-8 was a third
/// of all the matching time.
pub(super) fn jaro_winkler(a: &str, b: &str) -> f64 {
    debug_assert!(a.is_ascii() && b.is_ascii());
    strsim::generic_jaro_winkler(&Bytes(a.as_bytes()), &Bytes(b.as_bytes()))
}

pub(super) struct Bytes<'a>(&'a [u8]);

impl<'a> IntoIterator for &Bytes<'a> {
    type Item = u8;
    type IntoIter = std::iter::Copied<std::slice::Iter<'a, u8>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}

/// Short forms of first names that are the same person.
pub(super) const NICKNAMES: &[(&str, &str)] = &[
    ("bob", "robert"),
    ("rob", "robert"),
    ("bill", "william"),
    ("will", "william"),
    ("liz", "elizabeth"),
    ("beth", "elizabeth"),
    ("kate", "katherine"),
    ("kathy", "katherine"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("mike", "michael"),
    ("dave", "david"),
    ("tom", "thomas"),
    ("tony", "anthony"),
    ("alex", "alexander"),
    ("sam", "samuel"),
    ("ben", "benjamin"),
    ("dan", "daniel"),
    ("chris", "christopher"),
    ("matt", "matthew"),
    ("nick", "nicholas"),
    ("steve", "stephen"),
    ("joe", "joseph"),
    ("sue", "susan"),
    ("jen", "jennifer"),
    ("peggy", "margaret"),
    ("maggie", "margaret"),
];

/// The long form of a nickname; "" for any other word.
pub(super) fn long_form(word: &str) -> &'static str {
    NICKNAMES
        .iter()
        .find(|(short, _)| *short == word)
        .map_or("", |(_, long)| long)
}

pub(super) fn word_similarity(a: &str, b: &str, long: (&str, &str)) -> f64 {
    if a == b {
        return 1.0;
    }
    if long.0 == b || long.1 == a || (!long.0.is_empty() && long.0 == long.1) {
        return 0.95;
    }
    // An initial stands for a word it begins.
    if (a.len() == 1 && b.starts_with(a)) || (b.len() == 1 && a.starts_with(b)) {
        return 0.9;
    }
    // One slip of the keys (Ravi, Rqvi; Ada, Aad) reads as the name typed: Jaro-Winkler, made
    // for longer words, scores short ones with a slip as unlike as two names (0.56 for Aad).
    // A number in a name is an identifier ("Customer 17850"): it is the same or another.
    if a.bytes().chain(b.bytes()).any(|c| c.is_ascii_digit()) {
        return 0.0;
    }
    let jw = jaro_winkler(a, b);
    // Cheap tests first: a slip keeps the length within one and the first or second letter.
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let maybe = jw < 0.9
        && x.len().max(y.len()) >= 3
        && x.len().abs_diff(y.len()) <= 1
        && (x[0] == y[0] || x.get(1) == y.get(1));
    match maybe && strsim::osa_distance(a, b) == 1 {
        true => 0.9,
        false => jw,
    }
}

/// How alike two names are whatever their word order: each word of the shorter name against its
/// best partner in the other, averaged, a missing word costing as a poor match.
pub fn name_similarity(a: &[String], b: &[String]) -> f64 {
    let long_a: Vec<&str> = a.iter().map(|w| long_form(w)).collect();
    let long_b: Vec<&str> = b.iter().map(|w| long_form(w)).collect();
    similarity_of_names((a, &long_a), (b, &long_b)).0
}

pub(super) type Name<'a> = (&'a [String], &'a [&'static str]);

/// The mean over the words, and the weakest word's.
pub(super) fn similarity_of_names(a: Name, b: Name) -> (f64, f64) {
    let (short, long) = if a.0.len() <= b.0.len() {
        (a, b)
    } else {
        (b, a)
    };
    if short.0.is_empty() {
        return (0.0, 0.0);
    }
    let mut weakest: f64 = 1.0;
    // Names are a few words: a fixed array spares an allocation per pair.
    let mut used = [false; 16];
    let mut total = 0.0;
    for (i, w) in short.0.iter().enumerate() {
        let best = (0..long.0.len().min(16))
            .filter(|&j| !used[j])
            .map(|j| (j, word_similarity(w, &long.0[j], (short.1[i], long.1[j]))))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((j, s)) = best {
            used[j] = true;
            total += s;
            weakest = weakest.min(s);
        }
    }
    // A middle name on one side only is common: it costs a little, not a whole word.
    let extra = (long.0.len() - short.0.len()) as f64 * 0.5;
    (total / (short.0.len() as f64 + extra), weakest)
}

pub(super) fn level_text(a: &Option<Text>, b: &Option<Text>, close: f64) -> Level {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Level::Same,
        (Some(a), Some(b)) if jaro_winkler(a, b) >= close => Level::Close,
        (Some(_), Some(_)) => Level::Differ,
        _ => Level::Missing,
    }
}

/// Streets are the same when all of them is; when only the road's name agrees (another house
/// number, or none on one side) they are close. Two people at two houses of one road are told
/// apart by their names; one person is often written with a slip in the number, or without it.
pub(super) fn street_level(a: &Prepared, b: &Prepared) -> Level {
    match (&a.street, &b.street) {
        // "13" against "Brigalow Street": nothing to compare.
        (Some(x), Some(y)) if x != y && (a.road.is_empty() || b.road.is_empty()) => Level::Missing,
        (Some(_), Some(_)) if a.house != b.house => {
            match a.road == b.road || jaro_winkler(&a.road, &b.road) >= 0.9 {
                true => Level::Close,
                false => Level::Differ,
            }
        }
        _ => level_text(&a.street, &b.street, 0.9),
    }
}

/// Names of as many words (up to four) where one word has no partner at 0.88: `name_level`
/// would say Differ, since that word keeps the mean under 0.97 and the weakest under 0.88. Most
/// candidates are such, and this stops at the first unlike word.
pub(super) fn surely_unlike(a: &Prepared, b: &Prepared) -> bool {
    let n = a.name.len();
    if n == 0 || n != b.name.len() || n > 4 {
        return false;
    }
    let mut used = [false; 4];
    for (i, w) in a.name.iter().enumerate() {
        let best = (0..n)
            .filter(|&j| !used[j])
            .map(|j| {
                (
                    j,
                    word_similarity(w, &b.name[j], (a.long_name[i], b.long_name[j])),
                )
            })
            .max_by(|x, y| x.1.total_cmp(&y.1));
        match best {
            Some((j, s)) if s >= 0.88 => used[j] = true,
            _ => return true,
        }
    }
    false
}

pub(super) fn name_level(a: &Prepared, b: &Prepared) -> (Level, f64) {
    let (name, weakest) = similarity_of_names((&a.name, &a.long_name), (&b.name, &b.long_name));
    // Alike words do not carry an unlike one: Omar and Oscar Rossi, at one address, are two.
    let level = match name {
        s if s >= 0.97 => Level::Same,
        s if s >= 0.88 && weakest >= 0.88 => Level::Close,
        _ if a.name.is_empty() || b.name.is_empty() => Level::Missing,
        _ if a.name.len() != b.name.len() => return split_or_part(a, b, name),
        _ => Level::Differ,
    };
    (level, name)
}

/// Names with unlike word counts: one word typed with a space in it ("Natasha Crossm An"), or
/// a surname alone against the whole name ("Kilby", "Josephine Kilby").
pub(super) fn split_or_part(a: &Prepared, b: &Prepared, name: f64) -> (Level, f64) {
    // A split word keeps the letters: lengths two apart or more are not one name (and most
    // pairs end here, before the costlier comparison).
    if a.joined.len().abs_diff(b.joined.len()) <= 2 {
        let joined = jaro_winkler(&a.joined, &b.joined);
        if joined >= 0.93 {
            return (Level::Close, joined);
        }
    }
    if a.name.len().min(b.name.len()) != 1 {
        return (Level::Differ, name);
    }
    let (short, long) = match a.name.len() < b.name.len() {
        true => (a, b),
        false => (b, a),
    };
    let part = short.name.len() == 1
        && long
            .name
            .iter()
            .any(|w| w.len() > 1 && word_similarity(&short.name[0], w, ("", "")) >= 0.9);
    match part {
        true => (Level::Close, name),
        false => (Level::Differ, name),
    }
}

pub fn compare(a: &Prepared, b: &Prepared) -> Comparison {
    compare_named(a, b, name_level(a, b))
}

/// As `compare`, the names already compared (the name gate did it first).
pub(super) fn compare_named(
    a: &Prepared,
    b: &Prepared,
    (name_level, name): (Level, f64),
) -> Comparison {
    let email = match (&a.email, &b.email) {
        (Some(x), Some(y)) if x == y => Level::Same,
        // The same mailbox name at another domain, or a typo in its letters. Digits are kept
        // apart: ada.chen91 and ada.chen12 are two people who share a name.
        (Some(_), Some(_)) => {
            let ((lx, dx), (ly, dy)) = (&a.mailbox, &b.mailbox);
            let typo = || {
                lx.len() >= 5
                    && lx.len().abs_diff(ly.len()) <= 1
                    && strsim::levenshtein(lx, ly) <= 1
            };
            match dx == dy && (lx == ly || typo()) {
                true => Level::Close,
                false => Level::Differ,
            }
        }
        _ => Level::Missing,
    };
    let phone = match (&a.phone, &b.phone) {
        (Some(x), Some(y)) if x == y => Level::Same,
        // The same line in another area or country format: the subscriber's digits agree.
        (Some(x), Some(y)) if normal::same_line(x, y) => Level::Close,
        (Some(_), Some(_)) => Level::Differ,
        _ => Level::Missing,
    };
    let postcode = match (&a.postcode, &b.postcode) {
        (Some(x), Some(y)) if x == y => Level::Same,
        // The same district: a typo in the last characters, or a neighbour.
        (Some(x), Some(y))
            if x.len() >= 4 && y.len() >= 4 && x[..x.len() - 2] == y[..y.len() - 2] =>
        {
            Level::Close
        }
        (Some(_), Some(_)) => Level::Differ,
        _ => Level::Missing,
    };
    let street = street_level(a, b);
    // A postcode names a part of a town: where the postcodes agree, the town says nothing
    // more. Counted as well, one piece of evidence weighed twice (namesakes on one road of a
    // town scored 0.995).
    let city = match postcode {
        Level::Same | Level::Close => Level::Missing,
        _ => level_text(&a.city, &b.city, 0.92),
    };
    Comparison {
        levels: [
            name_level,
            email,
            phone,
            level_text(&a.company, &b.company, 0.92),
            street,
            postcode,
            city,
        ],
        name: name as f32,
    }
}

/// Two records compared as `find` compares a candidate pair: None when their names rule them
/// out before anything else is looked at.
pub fn compare_candidates(a: &Prepared, b: &Prepared) -> Option<Comparison> {
    if surely_unlike(a, b) {
        return None;
    }
    let named = name_level(a, b);
    (named.0 != Level::Differ).then(|| compare_named(a, b, named))
}
