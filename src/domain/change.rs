//! A change to the records, as data: which record, and what becomes of it. The writer (`ops`)
//! makes it, the store keeps it, and the read model patches itself from it.

use super::{Customer, Deal, Followup, Note, Ticket};

/// A record of any kind the app edits.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Customer(Customer),
    Deal(Deal),
    Ticket(Ticket),
    Note(Note),
    Followup(Followup),
}

impl Record {
    /// Which record, by id alone: what the log may keep (never a name or a title).
    pub fn reference(&self) -> String {
        match self {
            Record::Customer(c) => format!("customer {}", c.id),
            Record::Deal(d) => format!("deal {}", d.id),
            Record::Ticket(t) => format!("ticket {}", t.id),
            Record::Note(n) => format!("note {}", n.id),
            Record::Followup(f) => format!("follow-up {}", f.id),
        }
    }

    /// The record's own rules, as the store checks them before a write.
    pub fn validate(&self) -> Result<(), super::ValidationError> {
        match self {
            Record::Customer(c) => c.validate(),
            Record::Deal(d) => d.validate(),
            Record::Ticket(t) => t.validate(),
            Record::Note(n) => n.validate(),
            Record::Followup(f) => f.validate(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Record::Customer(c) => format!("customer {}", c.name),
            Record::Deal(d) => format!("deal {}", d.title),
            Record::Ticket(t) => format!("ticket #{}", t.id),
            Record::Note(n) => format!("note on customer {}", n.customer),
            Record::Followup(f) => format!("follow-up on customer {}", f.customer),
        }
    }
}

/// A change to the store. Each comes back, as stored, in `Done::Written`, and knows its own undo.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per user action: boxing would buy nothing
pub enum Write {
    Create(Record),
    Update {
        old: Record,
        new: Record,
    },
    /// Deleting a customer takes their notes with them; `notes` is filled in by the worker.
    Delete {
        record: Record,
        notes: Vec<Note>,
    },
    /// Puts back what a delete took, under the same ids.
    Restore {
        record: Record,
        notes: Vec<Note>,
    },
    /// Updates to many records at once, in one transaction: (old, new) pairs.
    Batch(Vec<(Record, Record)>),
}

impl Write {
    /// The write that takes this one back.
    pub fn inverse(&self) -> Write {
        match self.clone() {
            Write::Create(record) => Write::Delete {
                record,
                notes: Vec::new(),
            },
            Write::Update { old, new } => Write::Update { old: new, new: old },
            Write::Delete { record, notes } => Write::Restore { record, notes },
            Write::Restore { record, notes } => Write::Delete { record, notes },
            Write::Batch(pairs) => Write::Batch(
                pairs
                    .into_iter()
                    .rev()
                    .map(|(old, new)| (new, old))
                    .collect(),
            ),
        }
    }

    /// Every record the write leaves in the store (none for a delete).
    pub fn results(&self) -> Vec<&Record> {
        match self {
            Write::Batch(pairs) => pairs.iter().map(|(_, new)| new).collect(),
            Write::Delete { .. } => Vec::new(),
            other => vec![other.record()],
        }
    }

    pub fn record(&self) -> &Record {
        match self {
            Write::Create(r)
            | Write::Update { new: r, .. }
            | Write::Delete { record: r, .. }
            | Write::Restore { record: r, .. } => r,
            // A batch is described by its first record; it always has one.
            Write::Batch(pairs) => &pairs[0].1,
        }
    }
}
