//! What a session's own writes leave behind: how to take each back (`u`), and the write that
//! follows one with the worker (the next step after a follow-up is done).

use super::Write;

#[derive(Default)]
pub struct History {
    /// Writes that take back the changes made so far, newest last.
    undo: Vec<Write>,
    /// True while an undo is with the worker, so it is not itself pushed on the undo stack.
    undoing: bool,
    /// A write that waits for the one with the worker.
    then: Option<Write>,
}

impl History {
    /// The write that takes back the latest change, now with the worker.
    pub fn take_back(&mut self) -> Option<Write> {
        let write = self.undo.pop()?;
        self.undoing = true;
        Some(write)
    }

    /// The worker made `write`: it can be taken back, unless it was itself an undo. True when it
    /// was one.
    pub fn written(&mut self, write: &Write) -> bool {
        if std::mem::take(&mut self.undoing) {
            return true;
        }
        self.undo.push(write.inverse());
        false
    }

    /// The write with the worker failed: an undo stays to be taken back, and the write behind
    /// it is dropped, not written on its own.
    pub fn failed(&mut self) {
        self.undoing = false;
        self.then = None;
    }

    /// Keeps `write` until the one with the worker is in.
    pub fn then(&mut self, write: Write) {
        self.then = Some(write);
    }

    /// The write that waited, now that the one before it is in.
    pub fn next(&mut self) -> Option<Write> {
        self.then.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Customer, CustomerId};
    use crate::tui::worker::Record;

    fn created(id: u64) -> Write {
        let mut c = Customer::new("Ada", chrono::Utc::now());
        c.id = CustomerId(id);
        Write::Create(Record::Customer(c))
    }

    #[test]
    fn an_undo_is_not_itself_undone_and_after_a_failed_one_writes_are_undone_again() {
        let mut h = History::default();
        assert!(!h.written(&created(1)));
        let back = h.take_back().expect("the create can be taken back");
        assert!(matches!(back, Write::Delete { .. }));
        assert!(h.written(&back), "the undo's own write is an undo");
        assert!(h.take_back().is_none(), "and leaves nothing to take back");
        assert!(!h.written(&created(2)));
        assert!(h.take_back().is_some());
        h.failed();
        assert!(
            !h.written(&created(3)),
            "after a failed undo, a write is a write again"
        );
        assert!(h.take_back().is_some());
    }

    #[test]
    fn a_waiting_write_goes_after_the_one_before_it_and_not_after_a_failure() {
        let mut h = History::default();
        h.then(created(5));
        assert!(h.next().is_some());
        assert!(h.next().is_none());
        h.then(created(6));
        h.failed();
        assert!(h.next().is_none());
    }
}
