//! Modal forms to create and edit customers, deals, tickets and notes. A form is a list of text
//! fields; saving parses them into a record and validates it, and an error is shown under the field
//! it names (whether the form found it or the store did).

use super::input::TextInput;
use crate::domain::{
    Customer, CustomerId, Deal, DealId, DealStage, FieldId, Followup, Lifecycle, Money, Note,
    NoteKind, Priority, Ticket, TicketStatus, Timestamp, parse_due,
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

    pub fn customer(existing: Option<&Customer>) -> FormState {
        let c = existing
            .cloned()
            .unwrap_or_else(|| Customer::new("", chrono::Utc::now()));
        FormState::new(
            if existing.is_some() {
                format!("Edit customer {}", c.name)
            } else {
                "New customer".into()
            },
            Kind::Customer,
            vec![
                required(field(FieldId::Name, "Name", c.name.clone())),
                field(FieldId::Company, "Company", opt(&c.company)),
                field(FieldId::Email, "Email", opt(&c.email)),
                field(FieldId::Phone, "Phone", opt(&c.phone)),
                field(FieldId::Street, "Street", opt(&c.address.street)),
                field(FieldId::City, "City", opt(&c.address.city)),
                field(FieldId::Postcode, "Postcode", opt(&c.address.postcode)),
                field(FieldId::Region, "Region", opt(&c.address.region)),
                field(FieldId::Country, "Country", opt(&c.country)),
                field(FieldId::Owner, "Owner", opt(&c.owner)),
                field(FieldId::Tags, "Tags", c.tags.join(", ")),
                choice(FieldId::Stage, "Stage", c.stage.name(), LIFECYCLES),
            ],
            existing.cloned().map(Record::Customer),
            None,
        )
    }

    pub fn deal(existing: Option<&Deal>, customer: Option<CustomerId>, owner: &str) -> FormState {
        let d = existing.cloned();
        FormState::new(
            match &d {
                Some(d) => format!("Edit deal {}", d.title),
                None => "New deal".into(),
            },
            Kind::Deal,
            vec![
                required(field(
                    FieldId::Title,
                    "Title",
                    d.as_ref().map(|d| d.title.clone()).unwrap_or_default(),
                )),
                required(field(
                    FieldId::Customer,
                    "Customer (name, id, email; Ctrl-P finds)",
                    d.as_ref()
                        .map(|d| d.customer)
                        .or(customer)
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                )),
                required(field(
                    FieldId::Value,
                    "Value",
                    d.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
                )),
                field(
                    FieldId::Currency,
                    "Currency",
                    d.as_ref().map_or("GBP".into(), |d| d.currency.clone()),
                ),
                choice(
                    FieldId::Stage,
                    "Stage",
                    d.as_ref().map_or("lead", |d| d.stage.name()),
                    STAGES,
                ),
                field(
                    FieldId::Probability,
                    "Probability % (blank: by stage)",
                    d.as_ref()
                        .map(|d| d.probability.to_string())
                        .unwrap_or_default(),
                ),
                field(
                    FieldId::ExpectedClose,
                    "Expected close (date, friday, +2w)",
                    d.as_ref()
                        .and_then(|d| d.expected_close)
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ),
                field(
                    FieldId::Owner,
                    "Owner",
                    d.as_ref().map_or(owner.to_string(), |d| opt(&d.owner)),
                ),
                Field {
                    choices: reasons(),
                    ..field(
                        FieldId::LostReason,
                        "Lost because (a lost deal)",
                        d.as_ref().map(|d| opt(&d.lost_reason)).unwrap_or_default(),
                    )
                },
            ],
            d.map(Record::Deal),
            customer,
        )
    }

    pub fn ticket(existing: Option<&Ticket>, customer: Option<CustomerId>) -> FormState {
        let t = existing.cloned();
        let mut fields = vec![
            required(field(
                FieldId::Subject,
                "Subject",
                t.as_ref().map(|t| t.subject.clone()).unwrap_or_default(),
            )),
            required(field(
                FieldId::Customer,
                "Customer (name, id, email; Ctrl-P finds)",
                t.as_ref()
                    .map(|t| t.customer)
                    .or(customer)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            )),
            choice(
                FieldId::Priority,
                "Priority",
                t.as_ref().map_or("normal", |t| t.priority.name()),
                PRIORITIES,
            ),
            choice(
                FieldId::Status,
                "Status",
                t.as_ref().map_or("open", |t| t.status.name()),
                STATUSES,
            ),
            field(
                FieldId::Due,
                "Due (date, friday, +3d)",
                t.as_ref()
                    .and_then(|t| t.due)
                    .map(|d| d.date_naive().to_string())
                    .unwrap_or_default(),
            ),
        ];
        if t.is_none() {
            fields.push(field(FieldId::Message, "First message", ""));
        }
        FormState::new(
            match &t {
                Some(t) => format!("Edit ticket #{}", t.id),
                None => "New ticket".into(),
            },
            Kind::Ticket,
            fields,
            t.map(Record::Ticket),
            customer,
        )
    }

    /// A note's kind and text, corrected.
    pub fn edit_note(note: &Note, name: &str) -> FormState {
        let mut form = FormState::new(
            format!("Note on {name}, {}", note.at.format("%Y-%m-%d %H:%M")),
            Kind::Note,
            vec![
                choice(FieldId::Kind, "Kind", note.kind.name(), NOTE_KINDS),
                required(field(FieldId::Text, "Text", note.text.clone())),
            ],
            Some(Record::Note(note.clone())),
            Some(note.customer),
        );
        form.focus = 1;
        form.about = (note.deal, None);
        form
    }

    /// A deal marked lost: the form is both the question (Esc keeps it as it was) and where
    /// the rep says why.
    pub fn lost(deal: &Deal) -> FormState {
        let title = match deal.stage {
            DealStage::Won => format!("{} is won: mark it lost?", deal.title),
            DealStage::Lost => format!("Lost: {} (change why)", deal.title),
            _ => format!("Lost: {}", deal.title),
        };
        // A deal lost already offers the reason it was given, to change.
        let why = match deal.stage {
            DealStage::Lost => deal.lost_reason.clone().unwrap_or_default(),
            _ => String::new(),
        };
        FormState::new(
            title,
            Kind::Lost,
            vec![Field {
                choices: reasons(),
                ..field(FieldId::LostReason, "Why (←/→: common reasons)", why)
            }],
            Some(Record::Deal(deal.clone())),
            Some(deal.customer),
        )
    }

    /// A note on a customer, about one of their deals when `deal` is given.
    pub fn note(customer: CustomerId, name: &str, deal: Option<(DealId, &str)>) -> FormState {
        let mut form = FormState::new(
            match deal {
                Some((_, title)) => format!("Note on {name} · {title}"),
                None => format!("Note on {name}"),
            },
            Kind::Note,
            vec![
                choice(FieldId::Kind, "Kind", "note", NOTE_KINDS),
                required(field(FieldId::Text, "Text", "")),
            ],
            None,
            Some(customer),
        );
        // Most notes are plain notes: start in the text.
        form.focus = 1;
        form.about = (deal.map(|d| d.0), None);
        form
    }

    /// A new follow-up for a customer (about one of their deals or tickets, if given), or one
    /// being rescheduled.
    pub fn followup(
        existing: Option<&Followup>,
        customer: CustomerId,
        name: &str,
        about: super::followups::About,
        owner: &str,
    ) -> FormState {
        let f = existing.cloned();
        let mut form = FormState::new(
            match &f {
                Some(_) => format!("Follow-up with {name}"),
                None => format!("New follow-up with {name}"),
            },
            Kind::Followup,
            vec![
                required(field(
                    FieldId::Text,
                    "What to do",
                    f.as_ref().map(|f| f.text.clone()).unwrap_or_default(),
                )),
                required(field(
                    FieldId::Due,
                    WHEN_LABEL,
                    f.as_ref().map_or("tomorrow 9:00".into(), |f| {
                        f.due.format("%Y-%m-%d %H:%M").to_string()
                    }),
                )),
                field(
                    FieldId::Owner,
                    "Owner",
                    f.as_ref().map_or(owner.to_string(), |f| opt(&f.owner)),
                ),
            ],
            f.map(Record::Followup),
            Some(customer),
        );
        form.about = about;
        form
    }

    /// Logging how a follow-up went: it is done, with its outcome, and the next step is
    /// scheduled when a time is given for it.
    pub fn outcome(done: &Followup, name: &str) -> FormState {
        FormState::new(
            format!("Done: {} ({name})", done.text),
            Kind::Outcome,
            vec![
                field(FieldId::Outcome, "What came of it", ""),
                field(FieldId::Next, "Next step", done.text.clone()),
                field(FieldId::NextDue, "Next step due (blank: none)", ""),
            ],
            Some(Record::Followup(done.clone())),
            Some(done.customer),
        )
    }

    /// The follow-up an outcome form schedules, if it names a time for one.
    pub fn next_step(&self, now: Timestamp) -> Result<Option<Followup>, (Option<FieldId>, String)> {
        let (Kind::Outcome, Some(Record::Followup(done))) = (self.kind, &self.editing) else {
            return Ok(None);
        };
        let when = self.value(FieldId::NextDue);
        if when.is_empty() {
            return Ok(None);
        }
        let due = parse_due(when, now).map_err(|e| (Some(FieldId::NextDue), e))?;
        let text = match self.value(FieldId::Next) {
            "" => done.text.clone(),
            t => t.to_string(),
        };
        let mut next = Followup::new(done.customer, text, due, now);
        (next.deal, next.ticket, next.owner) = (done.deal, done.ticket, done.owner.clone());
        Ok(Some(next))
    }

    /// One change for every marked record, in as many fields as the rep fills: a field left
    /// empty stays as each record has it.
    pub fn bulk(target: BulkTarget, count: usize) -> FormState {
        let what = match target {
            BulkTarget::Customers => "customers",
            BulkTarget::Deals => "deals",
            BulkTarget::Tickets => "tickets",
        };
        let mut form = FormState::new(
            format!("Change {count} {what} · empty fields stay as they are"),
            Kind::Customer,
            target.fields(),
            None,
            None,
        );
        form.bulk = Some(target);
        form
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

    pub fn to_write(
        &self,
        records: &Snapshot,
        now: Timestamp,
        user: &str,
    ) -> Result<Write, (Option<FieldId>, String)> {
        for f in self.fields.iter().filter(|f| f.required) {
            if f.input.value.trim().is_empty() {
                return Self::fail(f.key, format!("{} must not be empty", f.label));
            }
        }
        // An owner the record already had stays (data from before the team, an import); a new
        // one must be on the team.
        let changed = self.fields.iter().zip(&self.initial);
        for (f, _) in changed.filter(|(f, initial)| f.input.value != **initial) {
            if let Some(message) = off_the_list(f) {
                return Self::fail(f.key, message);
            }
        }
        let record = match self.kind {
            Kind::Customer => self.customer_record(now)?,
            Kind::Deal => self.deal_record(records, now)?,
            Kind::Ticket => self.ticket_record(records, now, user)?,
            Kind::Note => self.note_record(now, user)?,
            Kind::Followup => self.followup_record(now)?,
            Kind::Outcome => self.outcome_record(now)?,
            Kind::Lost => {
                let Some(Record::Deal(d)) = &self.editing else {
                    return Err((None, "no deal to mark lost".to_string()));
                };
                let mut d = d.clone();
                d.lose(self.value(FieldId::LostReason), now);
                Record::Deal(d)
            }
        };
        record
            .validate()
            .map_err(|e| (Some(e.field), e.to_string()))?;
        Ok(match &self.editing {
            Some(old) => Write::Update {
                old: old.clone(),
                new: record,
            },
            None => Write::Create(record),
        })
    }

    fn customer_record(&self, now: Timestamp) -> Result<Record, (Option<FieldId>, String)> {
        let text = |key: FieldId| Some(self.value(key).to_string()).filter(|s| !s.is_empty());
        let mut c = match &self.editing {
            Some(Record::Customer(c)) => c.clone(),
            _ => Customer::new("", now),
        };
        c.name = self.value(FieldId::Name).into();
        c.company = text(FieldId::Company);
        c.email = text(FieldId::Email);
        c.phone = text(FieldId::Phone);
        c.country = text(FieldId::Country);
        c.address = crate::domain::Address {
            street: text(FieldId::Street),
            city: text(FieldId::City),
            postcode: text(FieldId::Postcode),
            region: text(FieldId::Region),
        };
        c.owner = text(FieldId::Owner);
        c.tags = self
            .value(FieldId::Tags)
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect();
        c.stage = self
            .value(FieldId::Stage)
            .parse::<Lifecycle>()
            .or_else(|e| Self::fail(FieldId::Stage, e).map(|_| Lifecycle::Lead))?;
        c.updated = now;
        Ok(Record::Customer(c))
    }

    fn deal_record(
        &self,
        records: &Snapshot,
        now: Timestamp,
    ) -> Result<Record, (Option<FieldId>, String)> {
        let text = |key: FieldId| Some(self.value(key).to_string()).filter(|s| !s.is_empty());
        let customer = self.customer_ref(records)?;
        let value = Money::parse(self.value(FieldId::Value))
            .map_err(|e| (Some(FieldId::Value), e.to_string()))?;
        let mut d = match &self.editing {
            Some(Record::Deal(d)) => d.clone(),
            _ => Deal::new("", customer, value, now),
        };
        d.title = self.value(FieldId::Title).into();
        d.customer = customer;
        d.value = value;
        d.currency = self.value(FieldId::Currency).to_uppercase();
        let stage: DealStage = self
            .value(FieldId::Stage)
            .parse()
            .map_err(|e| (Some(FieldId::Stage), e))?;
        // A stage change with the probability left as it was takes the new stage's default.
        let untouched =
            self.value(FieldId::Probability) == d.probability.to_string() && d.stage != stage;
        let probability = match self.value(FieldId::Probability) {
            "" => None,
            _ if untouched => None,
            p => Some(p.trim_end_matches('%').parse().map_err(|_| {
                (
                    Some(FieldId::Probability),
                    format!("'{p}' is not a whole number from 0 to 100"),
                )
            })?),
        };
        d.move_to(stage, probability, now);
        if stage == DealStage::Lost {
            d.lost_reason = text(FieldId::LostReason);
        }
        d.expected_close = date(
            self.value(FieldId::ExpectedClose),
            FieldId::ExpectedClose,
            now,
        )?;
        d.owner = text(FieldId::Owner);
        d.updated = now;
        Ok(Record::Deal(d))
    }

    fn ticket_record(
        &self,
        records: &Snapshot,
        now: Timestamp,
        user: &str,
    ) -> Result<Record, (Option<FieldId>, String)> {
        let text = |key: FieldId| Some(self.value(key).to_string()).filter(|s| !s.is_empty());
        let customer = self.customer_ref(records)?;
        let mut t = match &self.editing {
            Some(Record::Ticket(t)) => t.clone(),
            _ => Ticket::new("", customer, now),
        };
        t.subject = self.value(FieldId::Subject).into();
        t.customer = customer;
        t.priority = self
            .value(FieldId::Priority)
            .parse::<Priority>()
            .map_err(|e| (Some(FieldId::Priority), e))?;
        t.status = self
            .value(FieldId::Status)
            .parse::<TicketStatus>()
            .map_err(|e| (Some(FieldId::Status), e))?;
        t.due = date(self.value(FieldId::Due), FieldId::Due, now)?
            .map(|d| d.and_hms_opt(17, 0, 0).expect("valid").and_utc());
        if let Some(body) = text(FieldId::Message) {
            t.log_message(user, &body, now);
        }
        t.updated = now;
        Ok(Record::Ticket(t))
    }

    fn note_record(&self, now: Timestamp, user: &str) -> Result<Record, (Option<FieldId>, String)> {
        let customer = self
            .customer
            .ok_or((None, "no customer for this note".to_string()))?;
        let kind: NoteKind = self
            .value(FieldId::Kind)
            .parse()
            .map_err(|e| (Some(FieldId::Kind), e))?;
        if let Some(Record::Note(old)) = &self.editing {
            // Corrected, it keeps its time and author.
            let mut n = old.clone();
            (n.kind, n.text) = (kind, self.value(FieldId::Text).to_string());
            return Ok(Record::Note(n));
        }
        let mut n = Note::new(customer, kind, self.value(FieldId::Text), now);
        n.author = Some(user.to_string());
        n.deal = self.about.0;
        Ok(Record::Note(n))
    }

    fn followup_record(&self, now: Timestamp) -> Result<Record, (Option<FieldId>, String)> {
        let customer = self
            .customer
            .ok_or((None, "no customer for this follow-up".to_string()))?;
        let due = parse_due(self.value(FieldId::Due), now).map_err(|e| (Some(FieldId::Due), e))?;
        let mut f = match &self.editing {
            Some(Record::Followup(f)) => f.clone(),
            _ => {
                let mut f = Followup::new(customer, "", due, now);
                (f.deal, f.ticket) = self.about;
                f
            }
        };
        f.text = self.value(FieldId::Text).into();
        f.due = due;
        f.owner = Some(self.value(FieldId::Owner).to_string()).filter(|o| !o.is_empty());
        f.updated = now;
        Ok(Record::Followup(f))
    }

    fn outcome_record(&self, now: Timestamp) -> Result<Record, (Option<FieldId>, String)> {
        let Some(Record::Followup(f)) = &self.editing else {
            return Err((None, "no follow-up to close".to_string()));
        };
        // Checked here too, so a bad next time stops the save before anything is written.
        self.next_step(now)?;
        let mut f = f.clone();
        f.complete(Some(self.value(FieldId::Outcome).to_string()), now);
        Ok(Record::Followup(f))
    }

    /// The customer field: an id, or an email of a customer the session knows.
    fn customer_ref(&self, records: &Snapshot) -> Result<CustomerId, (Option<FieldId>, String)> {
        records
            .find_customer(self.value(FieldId::Customer))
            .map_err(|why| (Some(FieldId::Customer), why))
    }
}

fn reasons() -> Vec<String> {
    crate::domain::LOSS_REASONS
        .iter()
        .map(|r| r.to_string())
        .collect()
}

/// A day as due dates are written: `2026-12-31`, `friday`, `+2w`, `end of month`'s cousins.
fn date(
    text: &str,
    key: FieldId,
    now: Timestamp,
) -> Result<Option<NaiveDate>, (Option<FieldId>, String)> {
    if text.is_empty() {
        return Ok(None);
    }
    crate::domain::parse_due(text, now)
        .map(|at| Some(at.date_naive()))
        .map_err(|e| (Some(key), e))
}
