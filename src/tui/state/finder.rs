//! The quick-lookup pop-up: a session's own query, selection and hits, over the shared index that
//! `crate::search` ranks.

use super::input::TextInput;
use super::list::ListNav;
use crate::search::{Entry, Finder};
use std::sync::Arc;

#[derive(Debug)]
pub struct FinderState {
    pub query: TextInput,
    pub found: Finder,
    pub nav: ListNav,
    /// The query changed since the last search; the app searches once per batch of keys.
    pub stale: bool,
    /// The index is being built; what is typed meanwhile is searched when it comes.
    pub indexing: bool,
}

impl FinderState {
    pub fn new(entries: Arc<Vec<Entry>>) -> FinderState {
        FinderState {
            query: TextInput::default(),
            found: Finder::new(entries),
            nav: ListNav::default(),
            stale: false,
            indexing: false,
        }
    }

    pub fn indexing() -> FinderState {
        FinderState {
            indexing: true,
            ..FinderState::new(Arc::default())
        }
    }

    /// A newer index: the query so far is searched again in it, and the record the rep had
    /// selected stays selected if it is still found (another rep's write must not move them).
    pub fn take_index(&mut self, entries: Arc<Vec<Entry>>) {
        let keep = self.selected().map(|e| (e.kind, e.id));
        self.found = Finder::new(entries);
        self.indexing = false;
        self.search();
        let at = keep.and_then(|k| {
            (0..self.found.hits.len())
                .find(|&i| self.found.entry(i).is_some_and(|e| (e.kind, e.id) == k))
        });
        if let Some(at) = at {
            self.nav.selected = at;
            self.nav.offset = at;
        }
    }

    pub fn search(&mut self) {
        self.stale = false;
        self.found.search(&self.query.value);
        self.nav = ListNav::default();
    }

    pub fn selected(&self) -> Option<&Entry> {
        self.found.entry(self.nav.selected)
    }
}
