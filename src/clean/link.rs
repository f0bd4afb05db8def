//! Record linkage: which customers are the same person written twice. Candidate pairs come from
//! blocking (shared email, phone or postcode, and neighbours when sorted by name or street); each
//! pair's fields are compared into levels; a Fellegi-Sunter model turns the levels into a match
//! probability. A user has no labels: how often two people agree comes from random pairs, how
//! often one person written twice does is learned by EM on the candidates.

use super::normal;
use crate::domain::{Customer, CustomerId};
use phonenumber::country::Id as Region;
use std::collections::HashMap;

/// A customer's fields as matching compares them.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub id: CustomerId,
    /// Folded name words, sorted.
    name: Box<[String]>,
    /// Each name word's long form where it is a nickname ("bob" → "robert").
    long_name: Box<[&'static str]>,
    /// The folded name as written, without spaces: a space typed inside a word ("joel wh ite")
    /// splits one word in two.
    joined: Text,
    email: Option<Text>,
    /// The email's mailbox name, and the digits in it.
    mailbox: (Text, Text),
    phone: Option<Text>,
    company: Option<Text>,
    street: Option<Text>,
    /// The house numbers (words with digits) in the street.
    house: Text,
    /// The street without its house numbers: the road's name.
    road: Text,
    postcode: Option<Text>,
    city: Option<Text>,
}

/// Text held for every customer at once: boxed, it is exactly as long as it needs to be.
type Text = Box<str>;

fn some(s: String) -> Option<Text> {
    Some(s)
        .filter(|s| !s.is_empty())
        .map(String::into_boxed_str)
}

impl Prepared {
    /// `region` reads phones written without a country code where the customer has no country.
    pub fn of(c: &Customer, region: Option<Region>) -> Prepared {
        let region = c.country.as_deref().and_then(normal::region_of).or(region);
        Prepared::in_region(c, region)
    }

    /// With the region to read the phone in already chosen.
    fn in_region(c: &Customer, region: Option<Region>) -> Prepared {
        Prepared {
            phone: c
                .phone
                .as_deref()
                .and_then(|p| normal::phone_key(p, region))
                .map(String::into_boxed_str),
            ..Prepared::without_phone(c)
        }
    }

    fn without_phone(c: &Customer) -> Prepared {
        let name: Box<[String]> = normal::name_words(&c.name)
            .into_iter()
            .map(|w| w.into_boxed_str().into_string())
            .collect();
        let email = c.email.as_deref().and_then(normal::email).and_then(some);
        let mailbox = email.as_deref().map_or_else(Default::default, |e| {
            let local = e.split('@').next().unwrap_or("");
            let digits: String = local.chars().filter(char::is_ascii_digit).collect();
            (local.into(), digits.into())
        });
        let street = c
            .address
            .street
            .as_deref()
            .map(normal::street)
            .and_then(some);
        let words = |digits: bool| {
            street.as_deref().map_or_else(String::new, |s| {
                s.split(' ')
                    .filter(|w| w.chars().any(|c| c.is_ascii_digit()) == digits)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        };
        let (house, road) = (words(true).into(), words(false).into());
        Prepared {
            id: c.id,
            long_name: name.iter().map(|w| long_form(w)).collect(),
            joined: normal::fold(&c.name).replace(' ', "").into(),
            name,
            email,
            mailbox,
            street,
            house,
            road,
            phone: None,
            company: c.company.as_deref().map(normal::company).and_then(some),
            postcode: c
                .address
                .postcode
                .as_deref()
                .map(normal::postcode)
                .and_then(some),
            city: c.address.city.as_deref().map(normal::fold).and_then(some),
        }
    }
}

impl Prepared {
    /// The blocks a record falls in for a look-up: its email, phone line, postcode and name
    /// words.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        keys.extend(self.email.as_deref().map(|e| format!("e {e}")));
        keys.extend(
            self.phone
                .as_deref()
                .and_then(normal::line)
                .map(|l| format!("l {l}")),
        );
        keys.extend(self.postcode.as_deref().map(|p| format!("c {p}")));
        keys.extend(
            self.name
                .iter()
                .filter(|w| w.len() > 1)
                .map(|w| format!("w {w}")),
        );
        keys
    }
}

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
const F: usize = FIELDS.len();
/// Levels a field can be compared into, other than Missing.
const LEVELS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    pub levels: [Level; F],
    /// How alike the names are, 0 to 1, for the reasons. Single precision: a million pairs
    /// are held at once.
    pub name: f32,
}

/// Jaro-Winkler over bytes: the folded fields are ASCII, and decoding them as UTF-8 was a third
/// of all the matching time.
fn jaro_winkler(a: &str, b: &str) -> f64 {
    debug_assert!(a.is_ascii() && b.is_ascii());
    strsim::generic_jaro_winkler(&Bytes(a.as_bytes()), &Bytes(b.as_bytes()))
}

struct Bytes<'a>(&'a [u8]);

impl<'a> IntoIterator for &Bytes<'a> {
    type Item = u8;
    type IntoIter = std::iter::Copied<std::slice::Iter<'a, u8>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}

/// Short forms of first names that are the same person.
const NICKNAMES: &[(&str, &str)] = &[
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
fn long_form(word: &str) -> &'static str {
    NICKNAMES
        .iter()
        .find(|(short, _)| *short == word)
        .map_or("", |(_, long)| long)
}

fn word_similarity(a: &str, b: &str, long: (&str, &str)) -> f64 {
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

type Name<'a> = (&'a [String], &'a [&'static str]);

/// The mean over the words, and the weakest word's.
fn similarity_of_names(a: Name, b: Name) -> (f64, f64) {
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

fn level_text(a: &Option<Text>, b: &Option<Text>, close: f64) -> Level {
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
fn street_level(a: &Prepared, b: &Prepared) -> Level {
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
fn surely_unlike(a: &Prepared, b: &Prepared) -> bool {
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

fn name_level(a: &Prepared, b: &Prepared) -> (Level, f64) {
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
fn split_or_part(a: &Prepared, b: &Prepared, name: f64) -> (Level, f64) {
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
fn compare_named(a: &Prepared, b: &Prepared, (name_level, name): (Level, f64)) -> Comparison {
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
const ONE_MORE_ROUNDS: usize = 20;

fn slot(level: Level) -> Option<usize> {
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
const BACKGROUND_PAIRS: usize = 40_000;

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

/// A pair of customers that look like one person.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub a: CustomerId,
    pub b: CustomerId,
    /// The chance they are one person.
    pub score: f64,
    pub reasons: String,
}

/// Every customer prepared for matching; the phone region of each country looked up once.
pub fn prepare(customers: &[Customer], region: Option<Region>) -> Vec<Prepared> {
    let mut regions: HashMap<&str, Option<Region>> = HashMap::new();
    let chosen: Vec<Option<Region>> = customers
        .iter()
        .map(|c| match c.country.as_deref() {
            Some(country) => regions
                .entry(country)
                .or_insert_with(|| normal::region_of(country))
                .or(region),
            None => region,
        })
        .collect();
    // phonenumber's regexes sit behind one lock: its parsing runs on a thread of its own,
    // beside the rest, rather than cut in parts that would queue for it.
    std::thread::scope(|scope| {
        let phones = scope.spawn(|| {
            customers
                .iter()
                .zip(&chosen)
                .map(|(c, region)| {
                    c.phone
                        .as_deref()
                        .and_then(|p| normal::phone_key(p, *region))
                })
                .collect::<Vec<_>>()
        });
        let mut prepared: Vec<Prepared> = customers.iter().map(Prepared::without_phone).collect();
        let phones = phones.join().expect("phone worker");
        for (p, phone) in prepared.iter_mut().zip(phones) {
            p.phone = phone.map(String::into_boxed_str);
        }
        prepared
    })
}

/// The score from which a pair counts as one person, unless a user asks for another.
pub const DEFAULT_SCORE: f64 = 0.9;

/// Sorted neighbourhoods look this far each way.
pub const WINDOW: usize = 10;

/// Every candidate pair scoring at least `min_score`, best first, and the model learned.
pub fn find(customers: &[Customer], region: Option<Region>, min_score: f64) -> (Model, Vec<Pair>) {
    find_prepared(&prepare(customers, region), min_score)
}

/// Candidate pairs past the name gate, compared, as each core left them.
fn compared(prepared: &[Prepared]) -> Vec<Vec<((u32, u32), Comparison)>> {
    let pairs = candidates(prepared, WINDOW);
    // Two people with different names are two people, however much else they share: a home,
    // an office, its phone. Left in, such pairs are the largest cluster EM finds, and it
    // learns "same address" instead of "same person". Most candidates end here, before their
    // other fields are compared.
    crate::parallel::in_parts(&pairs, |part| {
        part.iter()
            .filter_map(|&(i, j)| {
                let (a, b) = (&prepared[i as usize], &prepared[j as usize]);
                compare_candidates(a, b).map(|c| ((i, j), c))
            })
            .collect()
    })
}

/// The model `find` learns from these records.
pub fn learn(prepared: &[Prepared]) -> Model {
    let compared = compared(prepared);
    Model::learn(
        compared.iter().flatten().map(|(_, c)| c),
        &background(prepared),
    )
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

/// As `find`, over customers already prepared: a caller reading many need not hold them all.
pub fn find_prepared(prepared: &[Prepared], min_score: f64) -> (Model, Vec<Pair>) {
    let compared = compared(prepared);
    let compared = || compared.iter().flatten();
    let model = Model::learn(compared().map(|(_, c)| c), &background(prepared));
    let mut found: Vec<Pair> = compared()
        .filter_map(|&((i, j), ref c)| {
            let score = model.posterior(c);
            (score >= min_score).then(|| {
                let (a, b) = (prepared[i as usize].id, prepared[j as usize].id);
                Pair {
                    a: a.min(b),
                    b: a.max(b),
                    score,
                    reasons: reasons(&model, c),
                }
            })
        })
        .collect();
    found.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    (model, found)
}

/// The existing record a new one most likely is, and how likely.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// The existing record's position.
    pub existing: usize,
    pub score: f64,
    pub reasons: String,
}

/// For each of `new`, its likeliest match among `existing` (whatever the score), as `find`
/// would pair them: candidates and model come from both sets together, so a file of new rows
/// is matched by what the data itself says.
pub fn best_matches(mut existing: Vec<Prepared>, new: Vec<Prepared>) -> Vec<Option<Match>> {
    let old = existing.len();
    let mut best: Vec<Option<(Match, f64, Comparison)>> = vec![None; new.len()];
    existing.extend(new);
    let all = existing;
    let compared = compared(&all);
    let compared = || compared.iter().flatten();
    let model = Model::learn(compared().map(|(_, c)| c), &background(&all));
    // Pairs come smaller index first: a pair across the two sets has its existing record first.
    for &((i, j), ref c) in compared() {
        let (i, j) = (i as usize, j as usize);
        if i >= old || j < old {
            continue;
        }
        // A record that agrees at least as well on every field, and better on one, is the
        // likelier; else the higher odds (two strong pairs both have a chance of 1.000), and of
        // equals the earliest record: the same answer each run. EM can weigh a near name above
        // the same one (in data where most twins have a typo): a near namesake who came first
        // beat the exact one.
        let odds = model.log_odds(&c.levels);
        let slot = &mut best[j - old];
        let better = |(m, o, was): &(Match, f64, Comparison)| {
            if closer(c, was) {
                return true;
            }
            !closer(was, c) && (odds > *o || (odds == *o && i < m.existing))
        };
        if slot.as_ref().is_none_or(better) {
            let score = model.posterior(c);
            let reasons = reasons(&model, c);
            *slot = Some((
                Match {
                    existing: i,
                    score,
                    reasons,
                },
                odds,
                *c,
            ));
        }
    }
    best.into_iter().map(|m| m.map(|(m, ..)| m)).collect()
}

/// `a` agrees at least as well as `b` on every field and better on one (a field missing from
/// either is comparable only when missing from both).
fn closer(a: &Comparison, b: &Comparison) -> bool {
    let comparable = a
        .levels
        .iter()
        .zip(&b.levels)
        .all(|(x, y)| (*x == Level::Missing) == (*y == Level::Missing) && x >= y);
    comparable && (a.levels != b.levels || a.name > b.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng as _, SeedableRng as _};
    use std::collections::HashSet;

    fn person(
        id: u64,
        name: &str,
        email: &str,
        phone: &str,
        street: &str,
        postcode: &str,
    ) -> Customer {
        let mut c = Customer::new(name, chrono::Utc::now());
        c.id = CustomerId(id);
        c.email = Some(email.into()).filter(|e: &String| !e.is_empty());
        c.phone = Some(phone.into()).filter(|p: &String| !p.is_empty());
        c.country = Some("United Kingdom".into());
        c.address.street = Some(street.into()).filter(|s: &String| !s.is_empty());
        c.address.postcode = Some(postcode.into()).filter(|s: &String| !s.is_empty());
        c.address.city = Some("Bristol".into());
        c
    }

    #[test]
    fn names_compare_whatever_the_order_nicknames_and_initials() {
        let w = |s: &str| normal::name_words(s);
        assert_eq!(name_similarity(&w("Chen, Ada"), &w("ada chen")), 1.0);
        assert!(name_similarity(&w("Bob Smith"), &w("Robert Smith")) > 0.95);
        assert!(name_similarity(&w("A. Smith"), &w("Anna Smith")) >= 0.9);
        assert!(name_similarity(&w("Ada Chen"), &w("Ada Mary Chen")) > 0.75);
        assert!(name_similarity(&w("Ada Chen"), &w("Bo Lind")) < 0.6);
    }

    #[test]
    fn fields_compare_into_levels() {
        let a = Prepared::of(
            &person(
                1,
                "Ada Chen",
                "ada@example.com",
                "020 7946 0958",
                "12 Quay St",
                "BS1 4DJ",
            ),
            None,
        );
        let b = Prepared::of(
            &person(
                2,
                "ada chen",
                "ADA@example.com ",
                "+44 20 7946 0958",
                "12 Quay Street",
                "BS1 4DJ",
            ),
            None,
        );
        let c = compare(&a, &b);
        let mut all_same = [Level::Same; F];
        all_same[3] = Level::Missing; // neither has a company
        all_same[6] = Level::Missing; // the postcode has said where
        assert_eq!(c.levels, all_same);
        let d = Prepared::of(
            &person(3, "Bo Lind", "", "0117 496 0123", "1 Elm Road", "BS8 1AA"),
            None,
        );
        let c = compare(&a, &d);
        assert_eq!(c.levels[0], Level::Differ);
        assert_eq!(c.levels[1], Level::Missing);
        assert_eq!(c.levels[4], Level::Differ);
        assert_eq!(c.levels[6], Level::Same, "both in Bristol");
        let e = Prepared::of(
            &person(4, "Ada Chen", "", "", "21 Quay Street", "BS1 4DJ"),
            None,
        );
        let c = compare(&a, &e);
        assert_eq!(c.levels[4], Level::Close, "a slip in the house number");
        assert_eq!(c.levels[6], Level::Missing, "the postcode has said where");
        let f = Prepared::of(
            &person(5, "Ada Chen", "", "", "47 Quay Street", "BS9 1ZZ"),
            None,
        );
        assert_eq!(
            compare(&a, &f).levels[6],
            Level::Same,
            "another postcode: the town"
        );
        let f = Prepared::of(&person(5, "Ada Chen", "", "", "47 Quay Street", ""), None);
        assert_eq!(compare(&a, &f).levels[4], Level::Close, "the road agrees");
        let g = Prepared::of(&person(6, "Ada Chen", "", "", "Quay Street", ""), None);
        assert_eq!(compare(&a, &g).levels[4], Level::Close, "no number");
        let h = Prepared::of(&person(7, "Ada Chen", "", "", "12", ""), None);
        assert_eq!(compare(&a, &h).levels[4], Level::Missing, "no road");
        let i = Prepared::of(&person(8, "Ada Chen", "", "", "12 Elm Road", ""), None);
        assert_eq!(compare(&a, &i).levels[4], Level::Differ);
    }

    #[test]
    fn a_slip_in_a_short_name_is_the_name_an_unlike_name_is_not() {
        let w = |s: &str| normal::name_words(s);
        let level = |x: &str, y: &str| {
            let mut a = person(1, x, "", "", "", "");
            let mut b = person(2, y, "", "", "", "");
            (a.address.city, b.address.city) = (None, None);
            compare(&Prepared::of(&a, None), &Prepared::of(&b, None)).levels[0]
        };
        assert_eq!(level("Ada Chen", "Aad Chen"), Level::Close);
        assert_eq!(level("Ravi Chen", "Rqvi Chen"), Level::Close);
        assert_eq!(level("Wen Chen", "Wn Chen"), Level::Close);
        // Alike enough on average, but one word is another name: two people.
        assert!(name_similarity(&w("Omar Rossi"), &w("Oscar Rossi")) >= 0.88);
        assert_eq!(level("Omar Rossi", "Oscar Rossi"), Level::Differ);
        assert_eq!(level("Noah Lopez", "Nora Lopez"), Level::Differ);
        assert_ne!(level("Bob Smith", "Robert Smith"), Level::Differ);
        assert_eq!(level("Customer 17850", "Customer 17851"), Level::Differ);
        // A space typed inside a word, a surname alone.
        assert_eq!(level("Natasha Crossm An", "Natasha Crossman"), Level::Close);
        assert_eq!(level("Joel Wh Iteq", "Joel White"), Level::Close);
        assert_eq!(level("Kilby", "Josephine Kilby"), Level::Close);
        assert_eq!(level("Kilby", "Josephine Kelly"), Level::Differ);
        assert_eq!(level("Ada Chen", "Ada Mary Okafor"), Level::Differ);
    }

    /// When nearly every candidate is one person written twice (a list of customers and their
    /// duplicates), EM has few non-matches to learn from: each with a slip or two somewhere, the
    /// matches alone can be split in two classes, and a pair agreeing on everything but the
    /// town scored 0.47. Knowing how often two people agree keeps the classes apart.
    #[test]
    fn a_model_of_nearly_only_matches_still_scores_agreement_high() {
        use Level::*;
        let mut comparisons = Vec::new();
        for i in 0..400usize {
            let pick = |levels: &[Level], k: usize| levels[(i * k + i / 7) % levels.len()];
            let mut levels = [Missing; F];
            levels[0] = pick(&[Same, Same, Same, Close], 3);
            levels[4] = pick(&[Same, Same, Close, Differ, Same], 7);
            levels[5] = pick(&[Same, Same, Same, Close, Differ], 11);
            levels[6] = pick(&[Same, Same, Differ], 5);
            comparisons.push(Comparison { levels, name: 1.0 });
        }
        // A few namesakes in other places.
        for _ in 0..10 {
            let mut levels = [Differ; F];
            (levels[0], levels[1], levels[2], levels[3]) = (Same, Missing, Missing, Missing);
            comparisons.push(Comparison { levels, name: 1.0 });
        }
        // Two people picked at random agree on a street once in ten thousand, on a postcode
        // once in a hundred, on a town once in twenty.
        let mut background = [[1.0 / 3.0; LEVELS]; F];
        background[4] = [0.9998, 0.0001, 0.0001];
        background[5] = [0.98, 0.01, 0.01];
        background[6] = [0.94, 0.01, 0.05];
        let model = Model::learn(&comparisons, &background);
        let mut agree = [Missing; F];
        (agree[0], agree[4], agree[5], agree[6]) = (Same, Same, Same, Differ);
        let score = model.posterior(&Comparison {
            levels: agree,
            name: 1.0,
        });
        assert!(score >= 0.9, "{score} {model:?}");
        let mut namesake = [Missing; F];
        (namesake[0], namesake[4], namesake[5], namesake[6]) = (Same, Differ, Differ, Differ);
        let score = model.posterior(&Comparison {
            levels: namesake,
            name: 1.0,
        });
        assert!(score < 0.5, "{score} {model:?}");
    }

    /// When nearly every candidate is one person written twice (a list of customers and their
    /// duplicates), EM has no non-matches to learn from: learned, the chance two people agree
    /// on a street came out above the chance one person does, and such pairs scored 0.47.
    #[test]
    fn pairs_that_agree_score_high_when_nearly_every_candidate_is_a_match() {
        let towns = ["Bristol", "Bath", "Leeds", "York", "Hull"];
        let syllables = ["ka", "lo", "mer", "tin", "bra", "vel", "dor", "sun"];
        let word = |i: u64| {
            let w = format!(
                "{}{}{}",
                syllables[(i % 8) as usize],
                syllables[(i / 8 % 8) as usize],
                syllables[(i / 64 % 8) as usize]
            );
            w[..1].to_uppercase() + &w[1..]
        };
        let mut people = Vec::new();
        for i in 0..60u64 {
            let mut a = person(
                i,
                &format!("{} {}", word(i * 5 + 3), word(i * 11 + 7)),
                "",
                "",
                &format!("{} {} Street", i + 1, word(i * 13 + 1)),
                &format!("BS{} {}AA", i % 20 + 1, i % 9 + 1),
            );
            a.address.city = Some(towns[i as usize % 5].into());
            let mut b = a.clone();
            b.id = CustomerId(1000 + i);
            // The twin carries one or two slips: in the town, the house number, the postcode
            // or the name.
            for slip in [i % 4, (i * 3 + 1) % 5] {
                match slip {
                    0 => b.address.city = Some(format!("{}x", towns[i as usize % 5])),
                    1 => b.address.street = Some(format!("{} {} Street", i + 50, word(i * 13 + 1))),
                    2 => b.address.postcode = Some(format!("BS{} {}AB", i % 20 + 1, i % 9 + 1)),
                    3 => b.name = format!("{} {}x", word(i * 5 + 3), word(i * 11 + 7)),
                    _ => {}
                }
            }
            people.push(a);
            people.push(b);
        }
        let (_, pairs) = find(&people, None, 0.0);
        for i in 0..60u64 {
            let pair = pairs
                .iter()
                .find(|p| p.a == CustomerId(i) && p.b == CustomerId(1000 + i))
                .expect("the twin is a candidate");
            assert!(pair.score >= 0.9, "{pair:?}");
        }
    }

    /// 400 people; 40 of them written a second time with a typo, a nickname, a phone in another
    /// format, a street written short or a field missing. Blocking must find the pairs, and EM
    /// must tell them from the rest with no labels.
    #[test]
    fn em_learns_to_tell_the_twice_written_from_the_rest() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let first = [
            "Ada", "Robert", "William", "Maria", "Chen", "Olu", "Priya", "Sam", "Ines", "Karl",
            "Mia", "Tom",
        ];
        let last = [
            "Chen", "Smith", "Okafor", "Silva", "Novak", "Haddad", "Larsen", "Quinn", "Rossi",
            "Tanaka", "Walsh", "Young", "Kaur", "Lind",
        ];
        let streets = [
            "Quay Street",
            "Elm Road",
            "High Street",
            "Mill Lane",
            "Park Avenue",
            "Church Road",
        ];
        let mut people = Vec::new();
        for i in 0..400u64 {
            let f = first[rng.random_range(0..first.len())];
            let l = last[rng.random_range(0..last.len())];
            let number = format!("0117 496 {:04}", rng.random_range(0..10_000));
            let street = format!(
                "{} {}",
                rng.random_range(1..200),
                streets[rng.random_range(0..streets.len())]
            );
            let postcode = format!(
                "BS{} {}{}",
                rng.random_range(1..20),
                rng.random_range(1..10),
                ["AA", "DJ", "QT", "XE"][rng.random_range(0..4)]
            );
            let email = format!("{}.{}{}@example.com", f.to_lowercase(), l.to_lowercase(), i);
            people.push(person(
                i,
                &format!("{f} {l}"),
                &email,
                &number,
                &street,
                &postcode,
            ));
        }
        let mut truth = HashSet::new();
        for k in 0..40u64 {
            let original = people[(k * 10) as usize].clone();
            let mut twin = original.clone();
            twin.id = CustomerId(1000 + k);
            match k % 5 {
                0 => twin.name = twin.name.to_uppercase(),
                1 => {
                    let mut words: Vec<&str> = original.name.split(' ').collect();
                    words.reverse();
                    twin.name = words.join(", ");
                }
                2 => twin.email = None,
                3 => twin.phone = twin.phone.map(|p| format!("+44 {}", &p[1..])),
                _ => {
                    twin.address.street = twin
                        .address
                        .street
                        .map(|s| s.replace("Street", "St").replace("Road", "Rd"))
                }
            }
            // One field in two also carries a typo in the surname.
            if k % 2 == 0 {
                twin.name = twin.name.replacen('a', "e", 1);
            }
            truth.insert((original.id.0, twin.id.0));
            people.push(twin);
        }
        let prepared: Vec<Prepared> = people.iter().map(|c| Prepared::of(c, None)).collect();
        let pairs = candidates(&prepared, 8);
        let ids = |&(i, j): &(u32, u32)| {
            let (a, b) = (prepared[i as usize].id.0, prepared[j as usize].id.0);
            (a.min(b), a.max(b))
        };
        let found: HashSet<(u64, u64)> = pairs.iter().map(ids).collect();
        assert!(
            truth.iter().all(|t| found.contains(t)),
            "blocking lost a pair"
        );
        let comparisons: Vec<Comparison> = pairs
            .iter()
            .map(|&(i, j)| compare(&prepared[i as usize], &prepared[j as usize]))
            .collect();
        let model = Model::learn(&comparisons, &background(&prepared));
        let said: HashSet<(u64, u64)> = pairs
            .iter()
            .zip(&comparisons)
            .filter(|(_, c)| model.posterior(c) >= 0.5)
            .map(|(p, _)| ids(p))
            .collect();
        let right = said.intersection(&truth).count() as f64;
        let precision = right / said.len() as f64;
        let recall = right / truth.len() as f64;
        assert!(
            precision >= 0.95 && recall >= 0.95,
            "precision {precision}, recall {recall}, {model:?}"
        );
        // The learned weights say what a person would: a shared phone counts, a shared city little.
        assert!(model.weight(2, Level::Same) > 5.0, "{model:?}");
        assert!(model.weight(6, Level::Same) < model.weight(2, Level::Same));
    }

    /// Rows of a file matched to the customers already there: the demo's people as the store,
    /// the labelled generator's second writings and look-alike housemates as the file. A
    /// second writing should find its original; a housemate (a new person) should not reach
    /// the threshold.
    /// Two existing people whom a new row both resembles enough to score 1.000 once rounded:
    /// the one it names exactly is the likeliest, not the one first in the database.
    #[test]
    fn the_exact_namesake_beats_a_near_one_that_came_first() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let mut existing = crate::demo::people(300, 5, as_of);
        let n = existing.len() as u64;
        let home = ("12 Quay Street", "BS1 4DJ");
        existing.push(person(
            n + 1,
            "Yara Dubois",
            "yara@dubois.example",
            "+44 117 496 0001",
            home.0,
            home.1,
        ));
        existing.push(person(
            n + 2,
            "Sara Dubois",
            "sara@dubois.example",
            "+44 117 496 0002",
            home.0,
            home.1,
        ));
        let row = person(0, "Sara Dubois", "", "+44 117 496 0003", home.0, home.1);
        let matches = best_matches(prepare(&existing, None), prepare(&[row], None));
        let best = matches[0].as_ref().expect("a match");
        assert_eq!(
            existing[best.existing].name, "Sara Dubois",
            "score {:.6}: {}",
            best.score, best.reasons
        );
    }

    #[test]
    fn a_new_record_finds_the_customer_it_was_written_from() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let clean = crate::demo::people(1_000, 3, as_of);
        let originals = clean.len();
        let data = crate::demo::inject(clean, 0.08, 3);
        let existing = prepare(&data.customers[..originals], None);
        let new = prepare(&data.customers[originals..], None);
        let matches = best_matches(existing, new);
        let (mut right, mut wrong, mut twins) = (0, 0, 0);
        for (k, m) in matches.iter().enumerate() {
            let person = data.person[originals + k] as usize;
            let twin = person < originals;
            twins += usize::from(twin);
            match m {
                Some(m) if m.score >= DEFAULT_SCORE && twin && m.existing == person => right += 1,
                Some(m) if m.score >= DEFAULT_SCORE => wrong += 1,
                _ => {}
            }
        }
        let (precision, recall) = (
            right as f64 / (right + wrong) as f64,
            right as f64 / twins as f64,
        );
        assert!(
            twins > 50 && matches.len() > twins,
            "{twins} of {}",
            matches.len()
        );
        assert!(
            precision >= 0.98 && recall >= 0.9,
            "precision {precision:.3}, recall {recall:.3} ({right} right, {wrong} wrong, {twins} twins)"
        );
    }

    /// The gate's shortcut never turns away a pair `name_level` would let through: every pair of
    /// 400 labelled demo records (their second writings included), and it turns away most.
    #[test]
    fn the_name_shortcut_only_turns_away_names_that_differ() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let data = crate::demo::inject(crate::demo::people(400, 5, as_of), 0.1, 5);
        let prepared = prepare(&data.customers, None);
        let (mut pairs, mut shortcut) = (0, 0);
        for (i, a) in prepared.iter().enumerate() {
            for b in &prepared[i + 1..] {
                pairs += 1;
                if surely_unlike(a, b) {
                    shortcut += 1;
                    assert_eq!(name_level(a, b).0, Level::Differ, "{a:?} {b:?}");
                }
            }
        }
        assert!(shortcut * 2 > pairs, "{shortcut} of {pairs}");
    }
}
