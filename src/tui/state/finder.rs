//! The quick-lookup pop-up: a session's own query, selection and hits, over the shared index that
//! `crate::search` ranks.

use super::input::TextInput;
use super::list::ListNav;
use crate::search::{Entry, Finder, Index};
use std::sync::Arc;

/// An email (an @, or a dotted word with a digit) or a phone (three digits or more in a word,
/// as it is searched: "043" is "43", too little to tell a number by).
fn looks_like_contact(query: &str) -> bool {
    query.split_whitespace().any(|w| {
        let digits = crate::search::phone_digits(w)
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        !w.starts_with('#') && (w.contains('@') || digits >= 3 || (w.contains('.') && digits > 0))
    })
}

#[derive(Debug)]
pub struct FinderState {
    pub query: TextInput,
    /// Names of customers, deals and tickets.
    names: Finder,
    /// Customers by email and phone, searched when the query looks like one.
    contacts: Finder,
    by_contact: bool,
    pub nav: ListNav,
    /// The query changed since the last search; the app searches once per batch of keys.
    pub stale: bool,
    /// The index is being built; what is typed meanwhile is searched when it comes.
    pub indexing: bool,
    /// An order whose number is the query, found in the store and shown above the hits.
    pub order: Option<Entry>,
    /// The query last sent to the store as an order number.
    pub asked: Option<String>,
    /// Opened from a form's customer field: Enter puts the chosen customer there.
    pub pick: bool,
}

impl FinderState {
    pub fn new(names: Arc<Index>, contacts: Arc<Index>) -> FinderState {
        FinderState {
            query: TextInput::default(),
            names: Finder::new(names),
            contacts: Finder::new(contacts),
            by_contact: false,
            nav: ListNav::default(),
            stale: false,
            indexing: false,
            order: None,
            asked: None,
            pick: false,
        }
    }

    pub fn indexing() -> FinderState {
        FinderState {
            indexing: true,
            ..FinderState::new(Arc::default(), Arc::default())
        }
    }

    /// A newer index: the query so far is searched again in it, and the record the rep had
    /// selected stays selected if it is still found (another rep's write must not move them).
    pub fn take_index(&mut self, names: Arc<Index>, contacts: Arc<Index>) {
        let keep = self.selected().map(|e| (e.kind, e.id));
        self.names = Finder::new(names);
        self.contacts = Finder::new(contacts);
        self.indexing = false;
        self.search();
        let at = keep.and_then(|k| {
            (0..self.len()).find(|&i| self.entry(i).is_some_and(|e| (e.kind, e.id) == k))
        });
        if let Some(at) = at {
            self.nav.selected = at;
            self.nav.offset = at;
        }
    }

    pub fn search(&mut self) {
        self.stale = false;
        self.by_contact = looks_like_contact(&self.query.value);
        let query = self.query.value.clone();
        self.names.search(&query);
        if self.by_contact {
            self.contacts.search(&query);
        }
        self.nav = ListNav::default();
    }

    /// The searches whose hits are shown, in order: contacts (when the query looks like one),
    /// then names.
    pub fn searches(&self) -> impl Iterator<Item = &Finder> {
        self.by_contact
            .then_some(&self.contacts)
            .into_iter()
            .chain([&self.names])
    }

    /// Every line of the list: the order found, if any, then each search's hits, each with the
    /// characters it matched.
    pub fn lines(&self) -> impl Iterator<Item = (&Entry, &[usize])> {
        let order = self.order.iter().map(|e| (e, &[][..]));
        order.chain(self.searches().flat_map(|f| {
            f.hits
                .iter()
                .map(move |h| (&f.entries[h.entry], h.matched.as_slice()))
        }))
    }

    /// The entry on line `i` of the list.
    pub fn entry(&self, i: usize) -> Option<&Entry> {
        self.lines().nth(i).map(|(e, _)| e)
    }

    pub fn selected(&self) -> Option<&Entry> {
        self.entry(self.nav.selected)
    }

    /// Lines the list shows.
    pub fn len(&self) -> usize {
        usize::from(self.order.is_some()) + self.searches().map(|f| f.hits.len()).sum::<usize>()
    }

    /// More match than are shown.
    pub fn capped(&self) -> bool {
        self.searches().any(|f| f.capped)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The query, if it could be an order number (one word, a digit in it, four characters or
    /// more) not yet asked of the store.
    pub fn order_to_ask(&mut self) -> Option<String> {
        let query = self.query.value.trim();
        let plausible = query.len() >= 4
            && query.len() <= 40
            && query.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && query.chars().any(|c| c.is_ascii_digit());
        if !plausible {
            self.order = None;
            self.asked = None;
            return None;
        }
        if self.asked.as_deref() == Some(query) {
            return None;
        }
        self.asked = Some(query.to_string());
        Some(query.to_string())
    }

    /// The store's answer for `asked`; an answer to an older query is dropped.
    pub fn take_order(&mut self, asked: &str, found: Option<Entry>) {
        if self.asked.as_deref() != Some(asked) {
            return;
        }
        let had = self.order.is_some();
        self.order = found;
        if had != self.order.is_some() {
            self.nav = ListNav::default();
        }
    }
}
