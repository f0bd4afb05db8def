//! A customer's fields as matching compares them: folded, split and normalised once.

use super::compare::long_form;
use crate::clean::normal;
use crate::domain::{Customer, CustomerId};
use phonenumber::country::Id as Region;
use std::collections::HashMap;

/// A customer's fields as matching compares them.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub id: CustomerId,
    /// Folded name words, sorted.
    pub(super) name: Box<[String]>,
    /// Each name word's long form where it is a nickname ("bob" → "robert").
    pub(super) long_name: Box<[&'static str]>,
    /// The folded name as written, without spaces: a space typed inside a word ("joel wh ite")
    /// splits one word in two.
    pub(super) joined: Text,
    pub(super) email: Option<Text>,
    /// The email's mailbox name, and the digits in it.
    pub(super) mailbox: (Text, Text),
    pub(super) phone: Option<Text>,
    pub(super) company: Option<Text>,
    pub(super) street: Option<Text>,
    /// The house numbers (words with digits) in the street.
    pub(super) house: Text,
    /// The street without its house numbers: the road's name.
    pub(super) road: Text,
    pub(super) postcode: Option<Text>,
    pub(super) city: Option<Text>,
}

/// Text held for every customer at once: boxed, it is exactly as long as it needs to be.
pub(super) type Text = Box<str>;

pub(super) fn some(s: String) -> Option<Text> {
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
