//! Duplicates written into clean customers the way people arrive twice in a real CRM: a typo,
//! the names swapped, a nickname or an initial, a field left out, the phone written another
//! way, "St" for "Street", another email. Beside them, people who are not duplicates but look
//! it: a second person at the same home with the same surname. Every record carries the person
//! it is, so matching can be scored.

use crate::domain::{Customer, CustomerId};
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;

/// Customers and, for each, the person they are: a duplicate has its original's.
pub struct Labelled {
    pub customers: Vec<Customer>,
    pub person: Vec<u32>,
}

impl Labelled {
    /// Every pair of records that is one person, smaller id first.
    pub fn true_pairs(&self) -> Vec<(CustomerId, CustomerId)> {
        let mut by_person: std::collections::HashMap<u32, Vec<CustomerId>> = Default::default();
        for (c, p) in self.customers.iter().zip(&self.person) {
            by_person.entry(*p).or_default().push(c.id);
        }
        let mut pairs = Vec::new();
        for ids in by_person.values() {
            for (x, a) in ids.iter().enumerate() {
                for b in &ids[x + 1..] {
                    pairs.push((*a.min(b), *a.max(b)));
                }
            }
        }
        pairs.sort_unstable();
        pairs
    }
}

/// Short and long forms of first names, both ways.
const NICKNAMES: &[(&str, &str)] = &[
    ("Ben", "Benjamin"),
    ("Alex", "Alexander"),
    ("Sam", "Samuel"),
    ("Dan", "Daniel"),
    ("Liz", "Elizabeth"),
    ("Kate", "Katherine"),
    ("Tom", "Thomas"),
    ("Bob", "Robert"),
];

const STREET_SHORT: &[(&str, &str)] = &[
    ("Street", "St"),
    ("Road", "Rd"),
    ("Avenue", "Ave"),
    ("Lane", "Ln"),
    ("Drive", "Dr"),
    ("Close", "Cl"),
    ("Place", "Pl"),
    ("Gardens", "Gdns"),
    ("Crescent", "Cres"),
    ("Terrace", "Terr"),
    ("straße", "str."),
];

const OTHER_FIRST: &[&str] = &[
    "Anna", "Leo", "Mia", "Oscar", "Ruth", "Theo", "Ivy", "Max", "Nora", "Jonas", "Elsa", "Arjun",
];

/// `clean` with about `share` of its customers written a second time (a few a third), and
/// about half as many look-alike housemates. Ids are the records' positions, from 1.
pub fn inject(clean: Vec<Customer>, share: f64, seed: u64) -> Labelled {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xd0b1e5);
    let originals = clean.len();
    let mut person: Vec<u32> = (0..originals as u32).collect();
    let mut customers = clean;
    let twins = (originals as f64 * share).round() as usize;
    for _ in 0..twins {
        let of = rng.random_range(0..originals);
        let mut twin = customers[of].clone();
        let ways = rng.random_range(1..=4);
        let mut kinds: Vec<u8> = (0..11).collect();
        kinds.shuffle(&mut rng);
        for kind in kinds.into_iter().take(ways) {
            alter(&mut rng, &mut twin, kind);
        }
        // Some changes have nothing to change (no company to reword): a typo then.
        while twin == customers[of] {
            alter(&mut rng, &mut twin, 0);
        }
        // A CRM keeps one customer per email (an import with a known email updates that
        // customer), so a duplicate that reaches the database has another email, or none.
        let email = |c: &Customer| c.email.as_deref().map(crate::domain::normalise_email);
        while twin.email.is_some() && email(&twin) == email(&customers[of]) {
            match rng.random_bool(0.3) {
                true => twin.email = None,
                false => alter(&mut rng, &mut twin, 8),
            }
        }
        if twin.name.trim().is_empty() {
            twin.name = customers[of].name.clone();
        }
        customers.push(twin);
        person.push(of as u32);
    }
    for _ in 0..twins / 2 {
        let of = rng.random_range(0..originals);
        let mut mate = customers[of].clone();
        let last = mate.name.rsplit(' ').next().unwrap_or("").to_string();
        let first = *pick(&mut rng, OTHER_FIRST);
        mate.name = format!("{first} {last}");
        mate.email = mate.email.as_ref().map(|e| {
            let domain = e.split('@').nth(1).unwrap_or("mail.example.com");
            let local: String = format!("{first}.{last}")
                .to_lowercase()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            format!("{local}{}@{domain}", customers.len() + 1)
        });
        // A shared landline half the time, a mobile of their own otherwise.
        if rng.random_bool(0.5) {
            mate.phone = Some(phone(&mut rng));
        }
        person.push(customers.len() as u32);
        customers.push(mate);
    }
    for (i, c) in customers.iter_mut().enumerate() {
        c.id = CustomerId(i as u64 + 1);
        c.external_id = Some(format!("C{:06}", i + 1));
    }
    Labelled { customers, person }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    format!(
        "+44 7{:03} {:06}",
        rng.random_range(100..999),
        rng.random_range(0..999_999)
    )
}

/// One slip in a word: a letter changed, left out, doubled or two swapped.
fn typo(rng: &mut ChaCha8Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 3 {
        return word.to_string();
    }
    let at = rng.random_range(1..chars.len());
    match rng.random_range(0..4) {
        0 => chars[at] = char::from(b'a' + rng.random_range(0..26u8)),
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, chars[at]),
        _ => chars.swap(at - 1, at),
    }
    chars.into_iter().collect()
}

fn typo_in_a_word(rng: &mut ChaCha8Rng, text: &str) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].chars().count() >= 3)
        .collect();
    if let Some(&i) = long.get(rng.random_range(0..long.len().max(1))) {
        words[i] = typo(rng, &words[i]);
    }
    words.join(" ")
}

fn alter(rng: &mut ChaCha8Rng, c: &mut Customer, kind: u8) {
    match kind {
        0 => c.name = typo_in_a_word(rng, &c.name),
        1 => {
            if let Some((first, last)) = c.name.split_once(' ') {
                c.name = match rng.random_bool(0.5) {
                    true => format!("{last}, {first}"),
                    false => format!("{last} {first}"),
                };
            }
        }
        2 => {
            if let Some((first, last)) = c.name.split_once(' ') {
                let other = NICKNAMES.iter().find_map(|&(s, l)| match first {
                    f if f == s => Some(l),
                    f if f == l => Some(s),
                    _ => None,
                });
                c.name = match other {
                    Some(other) => format!("{other} {last}"),
                    None => format!("{}. {last}", first.chars().next().unwrap_or('X')),
                };
            }
        }
        3 => {
            c.name = match rng.random_bool(0.5) {
                true => c.name.to_lowercase(),
                false => c.name.to_uppercase(),
            }
        }
        4 => match rng.random_range(0..4) {
            0 => c.email = None,
            1 => c.phone = None,
            2 => c.company = None,
            _ => {
                c.address.street = None;
                c.address.postcode = None;
            }
        },
        5 => c.phone = c.phone.as_deref().map(|p| rewrite_phone(rng, p)),
        6 => c.address.street = c.address.street.as_deref().map(|s| rewrite_street(rng, s)),
        7 => {
            c.address.postcode =
                c.address
                    .postcode
                    .as_deref()
                    .map(|p| match rng.random_range(0..3) {
                        0 => p.replace(' ', ""),
                        1 => p.to_lowercase(),
                        _ => typo_last(rng, p),
                    })
        }
        8 => {
            c.email = c.email.as_deref().map(|e| {
                let (local, domain) = e.split_once('@').unwrap_or((e, "mail.example.com"));
                match rng.random_range(0..3) {
                    0 => format!(
                        "{local}@{}",
                        pick(rng, &["gmail.example", "outlook.example"])
                    ),
                    1 => format!("{}@{domain}", typo(rng, local)),
                    _ => format!(
                        "{}{}@work.example.org",
                        typo(rng, local),
                        rng.random_range(1..99)
                    ),
                }
            })
        }
        9 => {
            c.company = c.company.as_deref().map(|co| match co {
                co if co.contains(" & ") => co.replace(" & ", " and "),
                co if co.ends_with(" Ltd") => co.trim_end_matches(" Ltd").to_string(),
                co => format!("{co} Ltd"),
            })
        }
        _ => match rng.random_bool(0.5) {
            true => c.address.city = None,
            false => c.address.city = c.address.city.as_deref().map(|t| typo(rng, t)),
        },
    }
}

fn typo_last(rng: &mut ChaCha8Rng, postcode: &str) -> String {
    let mut chars: Vec<char> = postcode.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match last.is_ascii_digit() {
            true => char::from(b'0' + rng.random_range(0..10u8)),
            false => char::from(b'A' + rng.random_range(0..26u8)),
        };
    }
    chars.into_iter().collect()
}

/// The same number as a person might type it: `+44 117 496 0123` as `0117 496 0123`,
/// `+441174960123`, `0044 117 496 0123` or `(0117) 496-0123`.
fn rewrite_phone(rng: &mut ChaCha8Rng, phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let Some(national) = digits.strip_prefix("44") else {
        return digits;
    };
    match rng.random_range(0..4) {
        0 => format!("0{national}"),
        1 => format!("+44{national}"),
        2 => format!("0044 {national}"),
        _ if national.len() > 6 => format!(
            "(0{}) {}-{}",
            &national[..3],
            &national[3..6],
            &national[6..]
        ),
        _ => format!("0{national}"),
    }
}

fn rewrite_street(rng: &mut ChaCha8Rng, street: &str) -> String {
    match rng.random_range(0..3) {
        0 => {
            for (long, short) in STREET_SHORT {
                if street.contains(long) {
                    return street.replace(long, short);
                }
            }
            street.to_lowercase()
        }
        1 => street.to_lowercase(),
        _ => typo_in_a_word(rng, street),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_copy_a_customer_and_housemates_share_a_home() {
        let clean = super::super::people(
            300,
            1,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        );
        let data = inject(clean.clone(), 0.1, 7);
        assert_eq!(data.customers.len(), 300 + 30 + 15);
        assert!(data.true_pairs().len() >= 30);
        for (i, c) in data.customers.iter().enumerate().skip(300) {
            let original = &data.customers[data.person[i] as usize];
            assert!(c.validate().is_ok(), "{c:?}");
            if i < 330 {
                assert!(data.person[i] < 300);
                let mut c = c.clone();
                (c.id, c.external_id) = (original.id, original.external_id.clone());
                assert_ne!(
                    &c, original,
                    "a duplicate differs from its original somehow"
                );
                assert!(
                    c.email.is_none() || c.email != original.email,
                    "one email is one customer"
                );
            } else {
                assert_eq!(
                    data.person[i] as usize, i,
                    "a housemate is a person of their own"
                );
                assert!(
                    clean
                        .iter()
                        .all(|o| o.name != c.name || o.address != c.address)
                );
            }
        }
        let housemate = &data.customers[330];
        let home = data
            .customers
            .iter()
            .take(300)
            .find(|c| c.address == housemate.address && c.name != housemate.name);
        assert!(home.is_some());
    }

    #[test]
    fn a_phone_is_rewritten_as_the_same_number() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..20 {
            let p = rewrite_phone(&mut rng, "+44 117 496 0123");
            let e164 =
                crate::clean::normal::phone(&p, crate::clean::normal::region_of("United Kingdom"));
            assert_eq!(e164.as_deref().ok(), Some("+441174960123"), "{p}");
        }
    }
}
