//! A change to the records, as data: which record, and what becomes of it. The writer (`ops`)
//! makes it, the store keeps it, and the read model patches itself from it.

use super::{Account, Customer, Deal, Followup, Note, Ticket};

/// `$body` with `$r` bound to the record inside a [`Record`], whatever its kind: written once,
/// compiled for each of the six.
#[macro_export]
macro_rules! each_record {
    ($record:expr, $r:ident => $body:expr) => {
        match $record {
            $crate::domain::change::Record::Customer($r) => $body,
            $crate::domain::change::Record::Deal($r) => $body,
            $crate::domain::change::Record::Ticket($r) => $body,
            $crate::domain::change::Record::Note($r) => $body,
            $crate::domain::change::Record::Followup($r) => $body,
            $crate::domain::change::Record::Account($r) => $body,
        }
    };
}

/// As [`each_record!`], keeping the kind: `$body` is the new record of that kind.
#[macro_export]
macro_rules! map_record {
    ($record:expr, $r:ident => $body:expr) => {{
        use $crate::domain::change::Record;
        match $record {
            Record::Customer($r) => Record::Customer($body),
            Record::Deal($r) => Record::Deal($body),
            Record::Ticket($r) => Record::Ticket($body),
            Record::Note($r) => Record::Note($body),
            Record::Followup($r) => Record::Followup($body),
            Record::Account($r) => Record::Account($body),
        }
    }};
}

/// A record of any kind the app edits.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Customer(Customer),
    Deal(Deal),
    Ticket(Ticket),
    Note(Note),
    Followup(Followup),
    Account(Account),
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
            Record::Account(a) => format!("account {}", a.id),
        }
    }

    /// The record's own rules, as the store checks them before a write.
    pub fn validate(&self) -> Result<(), super::ValidationError> {
        crate::each_record!(self, r => r.validate())
    }

    pub fn describe(&self) -> String {
        match self {
            Record::Customer(c) => format!("customer {}", c.name),
            Record::Deal(d) => format!("deal {}", d.title),
            Record::Ticket(t) => format!("ticket #{}", t.id),
            Record::Note(n) => format!("note on customer {}", n.customer),
            Record::Followup(f) => format!("follow-up on customer {}", f.customer),
            Record::Account(a) => format!("account {}", a.name),
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
