//! What a filled-in form writes: its fields read, checked and made into a record.

use super::*;

impl FormState {
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
            Kind::Customer => self.customer_record(records, now)?,
            Kind::Account => self.account_record(now)?,
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

    pub(super) fn account_record(
        &self,
        now: Timestamp,
    ) -> Result<Record, (Option<FieldId>, String)> {
        let text = |key: FieldId| Some(self.value(key).to_string()).filter(|s| !s.is_empty());
        let mut a = match &self.editing {
            Some(Record::Account(a)) => a.clone(),
            _ => Account::new("", now),
        };
        a.name = self.value(FieldId::Name).into();
        a.domain = match text(FieldId::Domain) {
            None => None,
            Some(d) => Some(crate::domain::normal_domain(&d).ok_or_else(|| {
                (
                    Some(FieldId::Domain),
                    format!("'{d}' is not a domain like example.com"),
                )
            })?),
        };
        a.phone = text(FieldId::Phone);
        a.country = text(FieldId::Country);
        a.owner = text(FieldId::Owner);
        a.tags = (self.value(FieldId::Tags).split(',').map(str::trim))
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect();
        a.updated = now;
        Ok(Record::Account(a))
    }

    pub(super) fn customer_record(
        &self,
        records: &Snapshot,
        now: Timestamp,
    ) -> Result<Record, (Option<FieldId>, String)> {
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
        // A form without the field (a bulk change) leaves the account as it was.
        if self.fields.iter().any(|f| f.key == FieldId::Account) {
            c.account = records
                .find_account(self.value(FieldId::Account))
                .map_err(|e| (Some(FieldId::Account), e))?;
        }
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

    pub(super) fn deal_record(
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

    pub(super) fn ticket_record(
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

    pub(super) fn note_record(
        &self,
        now: Timestamp,
        user: &str,
    ) -> Result<Record, (Option<FieldId>, String)> {
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

    pub(super) fn followup_record(
        &self,
        now: Timestamp,
    ) -> Result<Record, (Option<FieldId>, String)> {
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

    pub(super) fn outcome_record(
        &self,
        now: Timestamp,
    ) -> Result<Record, (Option<FieldId>, String)> {
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
    pub(super) fn customer_ref(
        &self,
        records: &Snapshot,
    ) -> Result<CustomerId, (Option<FieldId>, String)> {
        records
            .find_customer(self.value(FieldId::Customer))
            .map_err(|why| (Some(FieldId::Customer), why))
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
}

pub(super) fn reasons() -> Vec<String> {
    crate::domain::LOSS_REASONS
        .iter()
        .map(|r| r.to_string())
        .collect()
}

/// A day as due dates are written: `2026-12-31`, `friday`, `+2w`, `end of month`'s cousins.
pub(super) fn date(
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
