//! The forms, one per thing a rep fills in: what each asks, and what it starts from.

use super::records::reasons;
use super::*;

impl FormState {
    /// A new customer in `account` (named as the form shows it), or an existing one.
    pub fn customer(existing: Option<&Customer>) -> FormState {
        FormState::customer_in(existing, String::new())
    }

    /// `account` is `Name #id`; a new person's company starts as its name.
    pub fn customer_in(existing: Option<&Customer>, account: String) -> FormState {
        let mut c = existing
            .cloned()
            .unwrap_or_else(|| Customer::new("", chrono::Utc::now()));
        if existing.is_none()
            && let Some((name, _)) = account.rsplit_once(" #")
        {
            c.company = Some(name.to_string());
        }
        // Named in full when the form opens (`name_account`).
        let account = match (account.is_empty(), c.account) {
            (true, Some(id)) => format!("#{id}"),
            _ => account,
        };
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
                field(FieldId::Account, "Account", account),
            ],
            existing.cloned().map(Record::Customer),
            None,
        )
    }

    pub fn account(existing: Option<&Account>, owner: &str) -> FormState {
        let a = existing.cloned();
        let value =
            |f: fn(&Account) -> &Option<String>| a.as_ref().map(|a| opt(f(a))).unwrap_or_default();
        FormState::new(
            match &a {
                Some(a) => format!("Edit account {}", a.name),
                None => "New account".into(),
            },
            Kind::Account,
            vec![
                required(field(
                    FieldId::Name,
                    "Name",
                    a.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
                )),
                field(
                    FieldId::Domain,
                    "Domain (example.com)",
                    value(|a| &a.domain),
                ),
                field(FieldId::Phone, "Phone", value(|a| &a.phone)),
                field(FieldId::Country, "Country", value(|a| &a.country)),
                field(
                    FieldId::Owner,
                    "Owner",
                    a.as_ref().map_or(owner.to_string(), |a| opt(&a.owner)),
                ),
                field(
                    FieldId::Tags,
                    "Tags",
                    a.as_ref().map(|a| a.tags.join(", ")).unwrap_or_default(),
                ),
            ],
            a.map(Record::Account),
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
        about: crate::tui::state::pane::About,
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
}
