//! Customer fields as matching compares them. What the user typed is what is stored, shown and
//! exported: these forms exist only to find the same person written two ways.

pub use crate::text::{company, fold};
pub use phonenumber::country::Id as Region;

/// An email as mail servers treat it: case and surrounding space do not make another address.
/// None where it is not an address at all (reported by `rapport check`, never refused here).
pub fn email(raw: &str) -> Option<String> {
    let e = crate::domain::normalise_email(raw);
    crate::domain::validate_email(&e).ok().map(|_| e)
}

/// Why a phone number could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhoneProblem {
    /// Not a number in any plan (too short, letters, a prefix no country has).
    Unparseable,
    /// Written without a country code, and the customer's country is unknown.
    NoRegion,
}

/// The phone in E.164 (`+442079460958`), read in `region` where it has no country code, and
/// a number its country's plan has.
pub fn phone(raw: &str, region: Option<Region>) -> Result<String, PhoneProblem> {
    let number = parse_phone(raw, region)?;
    if !number.is_valid() {
        return Err(PhoneProblem::Unparseable);
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// The phone as matching compares it: E.164, read but not checked against the numbering plan
/// (half the time of `phone`; a number written twice is alike however the plan sees it). A
/// number with no country code and no region to read it in keeps its digits: its line still
/// shows (see `same_line`).
pub fn phone_key(raw: &str, region: Option<Region>) -> Option<String> {
    match parse_phone(raw, region) {
        Ok(number) => Some(number.format().mode(phonenumber::Mode::E164).to_string()),
        Err(PhoneProblem::NoRegion) => {
            let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
            (digits.len() >= LINE).then_some(digits)
        }
        Err(PhoneProblem::Unparseable) => None,
    }
}

/// Digits that name a line within its area: "(0207) 914-1379" and "+44 20 7914 1379" end alike.
const LINE: usize = 7;

/// A phone key's line: its last digits, whatever the country and area code are written as.
pub fn line(key: &str) -> Option<&str> {
    (key.len() >= LINE && key.is_char_boundary(key.len() - LINE)).then(|| &key[key.len() - LINE..])
}

/// Two phone keys for the same line in another area or country format.
pub fn same_line(a: &str, b: &str) -> bool {
    line(a).is_some_and(|x| line(b) == Some(x))
}

static DEFAULT_REGION: std::sync::OnceLock<Region> = std::sync::OnceLock::new();

/// Sets the region a phone is read in when its customer has no country: the config's
/// `phone_region`, once, as the process starts.
pub fn set_default_region(region: Region) {
    let _ = DEFAULT_REGION.set(region);
}

/// The config's phone region, if it names one.
pub fn default_region() -> Option<Region> {
    DEFAULT_REGION.get().copied()
}

/// The region a customer's phone is read in: their country's, else the config's.
pub fn phone_region(country: Option<&str>) -> Option<Region> {
    country.and_then(region_of).or_else(default_region)
}

fn parse_phone(
    raw: &str,
    region: Option<Region>,
) -> Result<phonenumber::PhoneNumber, PhoneProblem> {
    let international = raw.trim_start().starts_with('+') || raw.trim_start().starts_with("00");
    if !international && region.is_none() {
        return Err(PhoneProblem::NoRegion);
    }
    phonenumber::parse(region, raw).map_err(|_| PhoneProblem::Unparseable)
}

/// The telephone region of a country as customers write it: "United Kingdom", "UK", "GB",
/// "Deutschland"… Online Retail's own names (EIRE, RSA) included.
pub fn region_of(country: &str) -> Option<Region> {
    let key = crate::text::loose_key(country);
    let alpha2 = match key.as_str() {
        "" => return None,
        "eire" => "IE".to_string(),
        "rsa" => "ZA".to_string(),
        "uk" | "greatbritain" | "britain" => "GB".to_string(),
        "deutschland" => "DE".to_string(),
        _ => {
            let country = key
                .parse::<celes::Country>()
                .or_else(|_| celes::Country::from_alias(&key))
                .or_else(|_| celes::Country::from_name(&key))
                .ok()?;
            country.alpha2.to_string()
        }
    };
    alpha2.parse().ok()
}

/// A person's name as its folded words, sorted: "Chen, Ada" and "ada chen" give the same.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = fold(name).split(' ').map(str::to_string).collect();
    words.retain(|w| !w.is_empty());
    words.sort();
    words
}

/// Street words written short, and their full form.
const STREET_WORDS: &[(&str, &str)] = &[
    ("st", "street"),
    ("str", "street"),
    ("rd", "road"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("ln", "lane"),
    ("dr", "drive"),
    ("ct", "court"),
    ("pl", "place"),
    ("sq", "square"),
    ("blvd", "boulevard"),
    ("hwy", "highway"),
    ("pkwy", "parkway"),
    ("cres", "crescent"),
    ("gdns", "gardens"),
    ("tce", "terrace"),
    ("ter", "terrace"),
    ("cl", "close"),
    ("mt", "mount"),
    ("n", "north"),
    ("s", "south"),
    ("e", "east"),
    ("w", "west"),
    ("apt", "apartment"),
    ("fl", "flat"),
];

/// A street folded, with its words written out: "12 Quay St." is "12 quay street".
pub fn street(text: &str) -> String {
    let folded = fold(text);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    words
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            // "St" before a name is a saint ("12 St Mary's Road"); at the end, or before a
            // house number, a street.
            let named = words
                .get(i + 1)
                .is_some_and(|next| !next.chars().any(|c| c.is_ascii_digit()));
            if w == "st" && named {
                return "saint";
            }
            STREET_WORDS
                .iter()
                .find(|(short, _)| *short == w)
                .map_or(w, |(_, long)| long)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A postcode as letters and digits only, upper case: "bs1 4dj" is "BS14DJ".
pub fn postcode(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_without_case_or_space_and_junk_is_not_an_email() {
        assert_eq!(
            email("  Ada.Chen@Example.COM "),
            Some("ada.chen@example.com".into())
        );
        assert_eq!(email("ada.chen(at)example.com"), None);
    }

    #[test]
    fn phones_written_three_ways_are_one_number() {
        let gb = region_of("United Kingdom");
        assert_eq!(gb, Some(Region::GB));
        for written in [
            "020 7946 0958",
            "+44 20 7946 0958",
            "0044 (0)20 7946-0958",
            "(020) 79460958",
        ] {
            assert_eq!(
                phone(written, gb).as_deref(),
                Ok("+442079460958"),
                "{written}"
            );
        }
        // The country code wins over the customer's country.
        assert_eq!(phone("+1 415 555 2671", gb).as_deref(), Ok("+14155552671"));
        assert_eq!(phone("020 7946 0958", None), Err(PhoneProblem::NoRegion));
        assert_eq!(phone("12", gb), Err(PhoneProblem::Unparseable));
        assert_eq!(phone("call me", gb), Err(PhoneProblem::Unparseable));
    }

    #[test]
    fn a_phone_with_no_region_to_read_it_in_still_names_its_line() {
        let gb = region_of("GB");
        let read = phone_key("+44 20 7914 1379", None).unwrap();
        assert_eq!(read, "+442079141379");
        // No country code, no region: the digits, whose end is the line.
        let unread = phone_key("(0207) 914-1379", None).unwrap();
        assert_eq!(unread, "02079141379");
        assert!(same_line(&read, &unread));
        assert_eq!(
            phone_key("(0207) 914-1379", gb).as_deref(),
            Some(read.as_str())
        );
        assert!(!same_line(&read, &phone_key("020 7914 1380", gb).unwrap()));
        assert_eq!(phone_key("12 34", None), None);
        assert_eq!(phone_key("call me", gb), None);
        assert_eq!(line("+442079141379"), Some("9141379"));
        assert_eq!(line("12345"), None);
    }

    #[test]
    fn countries_as_customers_write_them() {
        for (written, region) in [
            ("United Kingdom", Region::GB),
            ("UK", Region::GB),
            ("gb", Region::GB),
            ("EIRE", Region::IE),
            ("RSA", Region::ZA),
            ("USA", Region::US),
            ("United States", Region::US),
            ("Germany", Region::DE),
            ("france", Region::FR),
            ("Deutschland", Region::DE),
        ] {
            assert_eq!(region_of(written), Some(region), "{written}");
        }
        assert_eq!(region_of("Unspecified"), None);
        assert_eq!(region_of(""), None);
    }

    #[test]
    fn names_and_companies_fold_alike() {
        assert_eq!(name_words("Chen, Ada"), name_words("  ada   CHEN "));
        assert_eq!(name_words("Zoë O'Neil"), vec!["oneil", "zoe"]);
        assert_eq!(company("Seaview & Co"), company("seaview and Co."));
        assert_eq!(company("Müller GmbH"), "muller");
        assert_eq!(company("Acme Holdings Ltd."), "acme holdings");
        // A company called only by its legal form keeps it.
        assert_eq!(company("Limited"), "limited");
    }

    #[test]
    fn streets_and_postcodes_fold_alike() {
        assert_eq!(street("12 Quay St."), street("12 quay street"));
        assert_eq!(street("4 Elm Rd"), "4 elm road");
        // A saint's street, and a street written after its name or before its number.
        assert_eq!(street("12 St. Mary's Rd"), "12 saint marys road");
        assert_eq!(street("12 St Mary's Road"), street("12 Saint Mary's Road"));
        assert_eq!(street("Hauptst 12"), "hauptst 12");
        assert_eq!(street("Quay St 12"), "quay street 12");
        assert_eq!(street("St"), "street");
        assert_eq!(postcode("bs1 4dj"), postcode("BS1-4DJ"));
        assert_eq!(postcode(" bs1 4dj "), "BS14DJ");
    }
}
