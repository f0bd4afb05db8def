//! Which stored customer a row is: by name alone, or by likeness as `rapport duplicates` scores
//! a pair; and names written in two scripts at once, which look alike to a reader and not to a
//! machine.

use super::*;

/// The customer a row most likely is, by `--match fuzzy`.
#[derive(Clone, Debug)]
pub(super) struct Fuzzy {
    pub(super) id: CustomerId,
    pub(super) name: String,
    pub(super) score: f64,
    pub(super) reasons: String,
}

impl Fuzzy {
    pub(super) fn said(&self) -> String {
        format!(
            "{} #{} at {:.3} ({})",
            crate::text::safe(&self.name),
            self.id,
            self.score,
            self.reasons
        )
    }
}

/// Who each row may be, by the matching asked for.
pub(super) struct Matching {
    /// For `--match name`: customers by their name in lower case.
    pub(super) names: HashMap<String, Vec<CustomerId>>,
    /// For `--match fuzzy`: each row's likeliest customer, taken or not.
    pub(super) fuzzy: Vec<Option<Fuzzy>>,
    pub(super) min_score: f64,
    /// Rows whose name is written to pass for another's: why each is not matched.
    pub(super) spoofed: Vec<Option<String>>,
}

impl Matching {
    pub(super) fn new(
        store: &Records,
        rows: &[Row],
        options: CustomerImport,
    ) -> Result<Matching, StoreError> {
        let names = match options.match_by {
            Some(MatchBy::Name) => names_of(store)?,
            _ => HashMap::new(),
        };
        let fuzzy = match options.match_by {
            Some(MatchBy::Fuzzy) => fuzzy_matches(store, rows)?,
            _ => vec![None; rows.len()],
        };
        let mut matching = Matching {
            names,
            fuzzy,
            min_score: options
                .min_score
                .unwrap_or(crate::clean::link::DEFAULT_SCORE),
            spoofed: Vec::new(),
        };
        // A name that mixes scripts within a word ("Аlan" with a Cyrillic А) is made to pass for
        // another: it is never matched to anyone silently.
        matching.spoofed = rows
            .iter()
            .enumerate()
            .map(|(k, row)| {
                let m = matching.taken(k)?;
                (m.name != row.customer.name && mixes_scripts(&row.customer.name)).then(|| {
                    format!(
                        "name '{}' mixes letters of different scripts in one word, written to look like {}: not matched; check the row",
                        crate::text::safe(&row.customer.name),
                        m.said()
                    )
                })
            })
            .collect();
        Ok(matching)
    }

    /// Row `k`'s fuzzy match, when it scores enough to be taken.
    pub(super) fn taken(&self, k: usize) -> Option<&Fuzzy> {
        self.fuzzy[k].as_ref().filter(|m| m.score >= self.min_score)
    }
}

/// Whether a word of `name` has letters of two scripts (Latin, Greek, Cyrillic): how look-alike
/// letters pass one name off as another.
pub(super) fn mixes_scripts(name: &str) -> bool {
    pub(super) fn script(c: char) -> Option<u8> {
        match c {
            'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' => Some(0),
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Some(1),
            '\u{0400}'..='\u{052F}' => Some(2),
            _ => None,
        }
    }
    name.split(|c: char| !c.is_alphabetic()).any(|word| {
        let mut scripts = word.chars().filter_map(script);
        scripts
            .next()
            .is_some_and(|first| scripts.any(|other| other != first))
    })
}

/// For each row, the customer in the store it most likely is (whatever the score); none for a
/// row whose external id is known, which that id finds.
pub(super) fn fuzzy_matches(
    store: &Records,
    rows: &[Row],
) -> Result<Vec<Option<Fuzzy>>, StoreError> {
    use crate::clean::link;
    let spinner = progress::spinner("matching rows to customers");
    let customers = store.all_sound::<Customer>(&mut Vec::new())?;
    let known: std::collections::HashSet<&str> = customers
        .iter()
        .filter_map(|c| c.external_id.as_deref())
        .collect();
    let incoming: Vec<Customer> = rows.iter().map(|r| r.customer.clone()).collect();
    let region = crate::clean::normal::default_region();
    let matches = link::best_matches(
        link::prepare(&customers, region),
        link::prepare(&incoming, region),
    );
    spinner.finish_and_clear();
    let by_id = |r: &Row| (r.customer.external_id.as_deref()).is_some_and(|id| known.contains(id));
    Ok(matches
        .into_iter()
        .zip(rows)
        .map(|(m, row)| {
            m.filter(|_| !by_id(row)).map(|m| Fuzzy {
                id: customers[m.existing].id,
                name: customers[m.existing].name.clone(),
                score: m.score,
                reasons: m.reasons,
            })
        })
        .collect())
}

/// How `upsert` finds a row's customer beyond its keys.
#[derive(Clone, Copy)]
pub(super) struct Found<'a> {
    /// For `--match name`.
    pub(super) names: &'a HashMap<String, Vec<CustomerId>>,
    /// For `--match fuzzy`: the match taken, if any.
    pub(super) fuzzy: Option<CustomerId>,
}

/// Customer ids by lower-cased name, for --match name.
pub(super) fn names_of(
    store: &Records,
) -> Result<HashMap<String, Vec<crate::domain::CustomerId>>, StoreError> {
    let mut names: HashMap<String, Vec<crate::domain::CustomerId>> = HashMap::new();
    for c in store.iter::<Customer>() {
        let c = c?;
        names.entry(c.name.to_lowercase()).or_default().push(c.id);
    }
    Ok(names)
}
