use super::FieldId;
use super::validate::{ValidationError, require_text};
use super::{CustomerId, DealId, NoteId, Timestamp, named_enum};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoteKind {
    Call,
    Email,
    Meeting,
    #[default]
    Note,
}

named_enum!(NoteKind {
    Call => "call",
    Email => "email",
    Meeting => "meeting",
    Note => "note",
});

/// An activity on a customer's timeline: a call made, an email sent, a meeting held, or a plain note.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub id: NoteId,
    pub customer: CustomerId,
    pub kind: NoteKind,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: Timestamp,
    pub author: Option<String>,
    pub text: String,
    /// The deal it is about, if any (schema 5; kept last, like the deal's own new fields).
    #[serde(default)]
    pub deal: Option<DealId>,
}

impl Note {
    pub fn new(
        customer: CustomerId,
        kind: NoteKind,
        text: impl Into<String>,
        at: Timestamp,
    ) -> Note {
        Note {
            id: NoteId(0),
            customer,
            kind,
            at,
            author: None,
            text: text.into(),
            deal: None,
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text(FieldId::Text, &self.text)
    }
}
