//! A customer as the table shows them: the fields it lists and filters by, kept small.

use super::*;

/// A customer as the table shows and filters them: name, company, email, country, phone and
/// owner in one allocation. A hundred thousand of these are a large part of a server's memory; the rest of a
/// customer is read when a rep opens, edits or deletes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerRow {
    id: CustomerId,
    text: Box<str>,
    /// Where each part but the last (the owner) ends in `text`.
    ends: [u32; 5],
}

impl CustomerRow {
    pub fn new(customer: &Customer) -> CustomerRow {
        let parts = [
            customer.name.as_str(),
            customer.company.as_deref().unwrap_or(""),
            customer.email.as_deref().unwrap_or(""),
            customer.country.as_deref().unwrap_or(""),
            customer.phone.as_deref().unwrap_or(""),
            customer.owner.as_deref().unwrap_or(""),
        ];
        let mut ends = [0u32; 5];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        for (i, part) in parts.iter().enumerate() {
            text.push_str(part);
            if let Some(end) = ends.get_mut(i) {
                // Fields are bounded far below 4 GiB (the import's field limit).
                *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
            }
        }
        CustomerRow {
            id: customer.id,
            text: text.into_boxed_str(),
            ends,
        }
    }

    fn part(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).map_or(self.text.len(), |&e| e as usize);
        &self.text[start..end]
    }

    pub fn id(&self) -> CustomerId {
        self.id
    }

    pub fn name(&self) -> &str {
        self.part(0)
    }

    pub fn company(&self) -> &str {
        self.part(1)
    }

    pub fn email(&self) -> &str {
        self.part(2)
    }

    pub fn country(&self) -> &str {
        self.part(3)
    }

    pub fn phone(&self) -> &str {
        self.part(4)
    }

    pub fn owner(&self) -> Option<&str> {
        Some(self.part(5)).filter(|o| !o.is_empty())
    }

    /// Whether every (lower-case) word is in the name, company or email, in any case. Nothing is
    /// kept for it: a lower-cased copy of every row would be a tenth of the app's memory.
    pub fn matches(&self, words: &[String]) -> bool {
        words.iter().all(|w| {
            contains_folded(self.name(), w)
                || contains_folded(self.company(), w)
                || contains_folded(self.email(), w)
        })
    }
}

/// Whether `text` holds `lower` (already lower case), ignoring case; allocates only for text that
/// is not ASCII.
pub(super) fn contains_folded(text: &str, lower: &str) -> bool {
    if !text.is_ascii() || !lower.is_ascii() {
        return text.to_lowercase().contains(lower);
    }
    let (text, lower) = (text.as_bytes(), lower.as_bytes());
    lower.is_empty()
        || text.windows(lower.len()).any(|w| {
            w.iter()
                .zip(lower)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
        })
}
