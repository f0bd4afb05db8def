//! Modal forms to create and edit customers, deals, tickets and notes. A form is a list of text
//! fields; saving parses them into a record and validates it, and an error is shown under the field
//! it names (whether the form found it or the store did).

mod kinds;
mod records;

use super::input::TextInput;
use crate::domain::{
    Account, Customer, CustomerId, Deal, DealId, DealStage, FieldId, Followup, Lifecycle, Money,
    Note, NoteKind, Priority, Ticket, TicketStatus, Timestamp, parse_due,
};
use crate::model::Snapshot;
use crate::tui::worker::{Record, Write};
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The name validation errors use for this field.
    pub key: FieldId,
    pub label: &'static str,
    pub input: TextInput,
    /// Allowed values, for fields that take one of a list (←/→ cycles them).
    pub choices: Vec<String>,
    /// Only a value among `choices` is saved (the owner, once there is a team).
    pub strict: bool,
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FormState {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<(Option<FieldId>, String)>,
    /// The record being edited, or None for a new one.
    pub editing: Option<Record>,
    /// For new deals, tickets and notes made from a customer's page.
    pub customer: Option<CustomerId>,
    /// Set while the save is with the worker; the form closes when it is written.
    pub saving: bool,
    /// For a change to many marked records at once: which kind they are.
    pub bulk: Option<BulkTarget>,
    /// The deal or ticket a new follow-up is about.
    pub about: super::followups::About,
    kind: Kind,
    /// Each field's value as the form opened, to tell typed text from what was there.
    initial: Vec<String>,
    /// A new customer that looks like one already there: "looks like Ada Chen #4411: same phone".
    pub look_alike: Option<String>,
    /// The record edited was deleted by someone else, and the rep was told.
    pub gone: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkTarget {
    Customers,
    Deals,
    Tickets,
}

impl BulkTarget {
    /// The fields a bulk change can set, by kind of record: (key, label, choices).
    fn fields(self) -> Vec<Field> {
        match self {
            BulkTarget::Customers => vec![
                field(FieldId::Owner, "Owner", ""),
                choice(FieldId::Stage, "Stage", "", LIFECYCLES),
                field(FieldId::Tag, "Add tag", ""),
            ],
            BulkTarget::Deals => vec![
                field(FieldId::Owner, "Owner", ""),
                choice(FieldId::Stage, "Stage", "", STAGES),
            ],
            BulkTarget::Tickets => vec![
                choice(FieldId::Status, "Status", "", STATUSES),
                choice(FieldId::Priority, "Priority", "", PRIORITIES),
            ],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Customer,
    Deal,
    Ticket,
    Note,
    Followup,
    /// A follow-up done: what came of it, and the next step.
    Outcome,
    /// A deal marked lost, and why.
    Lost,
    Account,
}

/// What a due field says it takes.
const WHEN_LABEL: &str = "Due (e.g. friday 14:00)";

const LIFECYCLES: &[&str] = &["lead", "prospect", "customer", "churned"];
const STAGES: &[&str] = &[
    "lead",
    "qualified",
    "proposal",
    "negotiation",
    "won",
    "lost",
];
const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
const STATUSES: &[&str] = &["open", "pending", "resolved", "closed"];
const NOTE_KINDS: &[&str] = &["note", "call", "email", "meeting"];

fn field(key: FieldId, label: &'static str, value: impl Into<String>) -> Field {
    let value = value.into();
    Field {
        key,
        label,
        input: TextInput {
            cursor: value.chars().count(),
            value,
        },
        choices: Vec::new(),
        strict: false,
        required: false,
    }
}

fn choice(
    key: FieldId,
    label: &'static str,
    value: &str,
    choices: &'static [&'static str],
) -> Field {
    Field {
        choices: choices.iter().map(|c| c.to_string()).collect(),
        ..field(key, label, value)
    }
}

/// Why a strict field's value cannot be saved: it names someone not on the team.
fn off_the_list(f: &Field) -> Option<String> {
    let typed = f.input.value.trim();
    (f.strict && !typed.is_empty() && !f.choices.iter().any(|c| c.eq_ignore_ascii_case(typed)))
        .then(|| format!("no one called '{typed}' on the team: ←/→ picks one"))
}

fn required(mut f: Field) -> Field {
    f.required = true;
    f
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl FormState {
    fn new(
        title: String,
        kind: Kind,
        fields: Vec<Field>,
        editing: Option<Record>,
        customer: Option<CustomerId>,
    ) -> FormState {
        FormState {
            title,
            initial: fields.iter().map(|f| f.input.value.clone()).collect(),
            fields,
            focus: 0,
            error: None,
            editing,
            customer,
            saving: false,
            bulk: None,
            about: (None, None),
            kind,
            look_alike: None,
            gone: false,
        }
    }

    /// The fields a bulk form sets, and to what: those the rep filled.
    pub fn bulk_changes(&self) -> Vec<(FieldId, String)> {
        self.fields
            .iter()
            .map(|f| (f.key, f.input.value.trim().to_string()))
            .filter(|(_, value)| !value.is_empty())
            .collect()
    }

    /// A bulk form's owner must be someone on the team, as in any form.
    pub fn check_owner(&self) -> Result<(), (Option<FieldId>, String)> {
        match self
            .fields
            .iter()
            .find_map(|f| Some((f.key, off_the_list(f)?)))
        {
            Some((key, message)) => Err((Some(key), message)),
            None => Ok(()),
        }
    }

    pub fn focused(&mut self) -> &mut Field {
        &mut self.fields[self.focus]
    }

    /// Whether any field differs from what the form opened with.
    pub fn dirty(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, initial)| f.input.value != *initial)
    }

    /// The focused field changed: an error about it no longer holds (others stay until the save).
    pub fn edited(&mut self) {
        let key = self.fields[self.focus].key;
        if self
            .error
            .as_ref()
            .is_some_and(|(field, _)| *field == Some(key))
        {
            self.error = None;
        }
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len();
    }

    pub fn previous(&mut self) {
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
    }

    /// Steps a choice field through its values.
    pub fn cycle(&mut self, forward: bool) -> bool {
        let f = self.focused();
        if f.choices.is_empty() {
            return false;
        }
        let n = f.choices.len();
        let at = f
            .choices
            .iter()
            .position(|c| c.eq_ignore_ascii_case(f.input.value.trim()));
        // From a value not on the list, → starts at the first choice and ← at the last.
        let next = match (at, forward) {
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
            (None, true) => 0,
            (None, false) => n - 1,
        };
        let next = f.choices[next].clone();
        f.input = TextInput {
            cursor: next.chars().count(),
            value: next,
        };
        true
    }

    /// The customer a new-customer form holds so far, for the look-alike check; None for any
    /// other form.
    pub fn typed_customer(&self) -> Option<Customer> {
        if self.kind != Kind::Customer || self.editing.is_some() || self.bulk.is_some() {
            return None;
        }
        let text = |key| Some(self.value(key).to_string()).filter(|v| !v.is_empty());
        let mut c = Customer::new(self.value(FieldId::Name), chrono::Utc::now());
        c.company = text(FieldId::Company);
        c.email = text(FieldId::Email);
        c.phone = text(FieldId::Phone);
        c.country = text(FieldId::Country);
        c.address.street = text(FieldId::Street);
        c.address.city = text(FieldId::City);
        c.address.postcode = text(FieldId::Postcode);
        c.address.region = text(FieldId::Region);
        Some(c)
    }

    fn value(&self, key: FieldId) -> &str {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or("", |f| f.input.value.trim())
    }

    fn fail(key: FieldId, message: impl Into<String>) -> Result<Write, (Option<FieldId>, String)> {
        Err((Some(key), message.into()))
    }

    /// The write this form asks for, or the field that is wrong and why.
    /// Offers the people who can own a record on the owner field (←/→), and, with a team, takes
    /// no one else: a typo must not make a new owner.
    pub fn offer_owners(&mut self, owners: Vec<String>, strict: bool) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == FieldId::Owner) {
            f.choices = owners;
            f.strict = strict;
        }
    }

    /// Shows the account field's `#id` as `Name #id`.
    pub fn name_account(&mut self, records: &Snapshot) {
        let Some(i) = self.fields.iter().position(|f| f.key == FieldId::Account) else {
            return;
        };
        let Some(id) = (self.fields[i].input.value.trim().strip_prefix('#'))
            .and_then(|id| id.parse::<u64>().ok())
        else {
            return;
        };
        let label = records.account_label(crate::domain::AccountId(id));
        self.fields[i].input = TextInput {
            cursor: label.chars().count(),
            value: label.clone(),
        };
        self.initial[i] = label;
    }

    /// Shows the customer field's id as `Name #id`: a rep reads the name, and typing over it
    /// (Ctrl-U) takes a name, an id or an email.
    pub fn name_customer(&mut self, records: &Snapshot) {
        let Some(i) = self.fields.iter().position(|f| f.key == FieldId::Customer) else {
            return;
        };
        let Ok(id) = self.fields[i].input.value.trim().parse::<u64>() else {
            return;
        };
        let label = records.customer_label(CustomerId(id));
        self.fields[i].input = TextInput {
            cursor: label.chars().count(),
            value: label.clone(),
        };
        self.initial[i] = label;
    }
}
