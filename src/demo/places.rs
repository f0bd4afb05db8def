//! Postal addresses for the demo's customers, written the way each country writes them.

use crate::domain::Address;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;

/// A town: its name, its region, and the start of its postcodes.
type Town = (&'static str, &'static str, &'static str);

const UK_TOWNS: &[Town] = &[
    ("London", "Greater London", "SE"),
    ("London", "Greater London", "N"),
    ("Bristol", "Avon", "BS"),
    ("Manchester", "Greater Manchester", "M"),
    ("Leeds", "West Yorkshire", "LS"),
    ("York", "North Yorkshire", "YO"),
    ("Norwich", "Norfolk", "NR"),
    ("Exeter", "Devon", "EX"),
    ("Brighton", "East Sussex", "BN"),
    ("Oxford", "Oxfordshire", "OX"),
    ("Cardiff", "South Glamorgan", "CF"),
    ("Edinburgh", "Midlothian", "EH"),
    ("Glasgow", "Lanarkshire", "G"),
    ("Bath", "Somerset", "BA"),
    ("Truro", "Cornwall", "TR"),
    ("Kendal", "Cumbria", "LA"),
];
const UK_STREETS: &[&str] = &[
    "High", "Station", "Church", "Mill", "Park", "Victoria", "Queen", "King", "Green", "Manor",
    "Orchard", "Chapel", "Bridge", "North", "Quay", "Market", "Castle", "Spring", "Windmill",
    "Meadow", "Albert", "Grange", "Harbour", "Elm", "Oak", "Cedar", "Willow", "Abbey", "Priory",
];
const UK_KINDS: &[&str] = &[
    "Street", "Road", "Lane", "Avenue", "Close", "Way", "Drive", "Place", "Gardens", "Crescent",
    "Terrace",
];

/// Town, region and a postcode's first digits for the countries that write numbers first.
const OTHER_TOWNS: &[(&str, &[Town])] = &[
    (
        "Ireland",
        &[
            ("Dublin", "County Dublin", "D02"),
            ("Cork", "County Cork", "T12"),
            ("Galway", "County Galway", "H91"),
        ],
    ),
    (
        "France",
        &[
            ("Paris", "Île-de-France", "75"),
            ("Lyon", "Auvergne-Rhône-Alpes", "69"),
            ("Bordeaux", "Nouvelle-Aquitaine", "33"),
            ("Lille", "Hauts-de-France", "59"),
        ],
    ),
    (
        "Germany",
        &[
            ("Berlin", "Berlin", "10"),
            ("München", "Bayern", "80"),
            ("Hamburg", "Hamburg", "20"),
            ("Köln", "Nordrhein-Westfalen", "50"),
        ],
    ),
    (
        "Netherlands",
        &[
            ("Amsterdam", "Noord-Holland", "10"),
            ("Utrecht", "Utrecht", "35"),
            ("Rotterdam", "Zuid-Holland", "30"),
        ],
    ),
    (
        "Spain",
        &[
            ("Madrid", "Comunidad de Madrid", "28"),
            ("Barcelona", "Cataluña", "08"),
            ("Sevilla", "Andalucía", "41"),
        ],
    ),
    (
        "Belgium",
        &[
            ("Bruxelles", "Bruxelles-Capitale", "10"),
            ("Gent", "Oost-Vlaanderen", "90"),
            ("Antwerpen", "Antwerpen", "20"),
        ],
    ),
    (
        "Norway",
        &[("Oslo", "Oslo", "0"), ("Bergen", "Vestland", "5")],
    ),
    (
        "Portugal",
        &[("Lisboa", "Lisboa", "11"), ("Porto", "Porto", "40")],
    ),
    (
        "Australia",
        &[
            ("Sydney", "NSW", "20"),
            ("Melbourne", "VIC", "30"),
            ("Brisbane", "QLD", "40"),
        ],
    ),
    (
        "United States",
        &[
            ("Portland", "OR", "972"),
            ("Boston", "MA", "021"),
            ("Austin", "TX", "787"),
            ("Denver", "CO", "802"),
        ],
    ),
];
const CONTINENTAL_STREETS: &[&str] = &[
    "Hauptstraße",
    "Bahnhofstraße",
    "Kerkstraat",
    "Dorpsstraat",
    "Calle Mayor",
    "Rua Augusta",
    "Storgata",
    "Lindenweg",
];
const FRENCH_STREETS: &[&str] = &[
    "rue de la Paix",
    "rue Victor Hugo",
    "avenue Jean Jaurès",
    "rue Nationale",
    "boulevard Voltaire",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn letters(rng: &mut ChaCha8Rng, n: usize) -> String {
    // The letters UK postcodes' last part leaves out.
    const USED: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    (0..n).map(|_| *pick(rng, USED) as char).collect()
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// An address in `country` (the demo's own list; anywhere else gets a UK-shaped one).
pub fn address(rng: &mut ChaCha8Rng, country: &str) -> Address {
    let number = rng.random_range(1..200);
    let Some((_, towns)) = OTHER_TOWNS.iter().find(|(c, _)| *c == country) else {
        let (city, region, area) = *pick(rng, UK_TOWNS);
        let district = rng.random_range(1..20);
        let street = format!("{number} {} {}", pick(rng, UK_STREETS), pick(rng, UK_KINDS));
        let postcode = format!(
            "{area}{district} {}{}",
            rng.random_range(1..10),
            letters(rng, 2)
        );
        return full(street, city, postcode, region);
    };
    let (city, region, start) = *pick(rng, towns);
    let (street, postcode) = match country {
        "Ireland" => (
            format!("{number} {} {}", pick(rng, UK_STREETS), pick(rng, UK_KINDS)),
            format!("{start} {}{}", letters(rng, 1), digits(rng, 3)),
        ),
        "France" => (
            format!("{number} {}", pick(rng, FRENCH_STREETS)),
            format!("{start}{}", digits(rng, 3)),
        ),
        "Netherlands" => (
            format!("{} {number}", pick(rng, CONTINENTAL_STREETS)),
            format!("{start}{} {}", digits(rng, 2), letters(rng, 2)),
        ),
        "Portugal" => (
            format!("{} {number}", pick(rng, CONTINENTAL_STREETS)),
            format!("{start}{}-{}", digits(rng, 2), digits(rng, 3)),
        ),
        "Australia" | "United States" => (
            format!("{number} {} {}", pick(rng, UK_STREETS), pick(rng, UK_KINDS)),
            format!(
                "{start}{}",
                digits(rng, postcode_digits(country) - start.len())
            ),
        ),
        _ => (
            format!("{} {number}", pick(rng, CONTINENTAL_STREETS)),
            format!(
                "{start}{}",
                digits(rng, postcode_digits(country) - start.len())
            ),
        ),
    };
    full(street, city, postcode, region)
}

fn postcode_digits(country: &str) -> usize {
    match country {
        "Belgium" | "Norway" | "Australia" => 4,
        _ => 5,
    }
}

fn full(street: String, city: &str, postcode: String, region: &str) -> Address {
    Address {
        street: Some(street),
        city: Some(city.to_string()),
        postcode: Some(postcode),
        region: Some(region.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_writes_its_own_shape() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let uk = address(&mut rng, "United Kingdom");
        let postcode = uk.postcode.unwrap();
        let (outward, inward) = postcode.split_once(' ').unwrap();
        assert!(outward.chars().next().unwrap().is_ascii_uppercase());
        assert_eq!(inward.len(), 3, "{postcode}");
        let fr = address(&mut rng, "France");
        assert_eq!(fr.postcode.as_deref().map(str::len), Some(5));
        assert!(fr.street.unwrap().starts_with(|c: char| c.is_ascii_digit()));
        let de = address(&mut rng, "Germany");
        assert!(de.street.unwrap().ends_with(|c: char| c.is_ascii_digit()));
        for (country, _) in super::super::names::COUNTRIES {
            let a = address(&mut rng, country);
            assert!(a.parts().iter().all(|(_, v)| v.is_some()), "{country}");
        }
    }
}
