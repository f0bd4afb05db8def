use super::FieldId;
use super::validate::{ValidationError, require_text};
use super::{CustomerId, TicketId, Timestamp, named_enum};
use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum TicketStatus {
    #[default]
    Open,
    Pending,
    Resolved,
    Closed,
}

named_enum!(TicketStatus {
    Open => "open",
    Pending => "pending",
    Resolved => "resolved",
    Closed => "closed",
});

impl TicketStatus {
    pub fn is_active(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::Pending)
    }
}

/// Ordered so that the most urgent sorts last; queues sort descending.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

named_enum!(Priority {
    Low => "low",
    Normal => "normal",
    High => "high",
    Urgent => "urgent",
});

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: Timestamp,
    pub author: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub subject: String,
    pub customer: CustomerId,
    pub status: TicketStatus,
    pub priority: Priority,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub due: Option<Timestamp>,
    pub messages: Vec<Message>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub updated: Timestamp,
}

impl Ticket {
    pub fn new(subject: impl Into<String>, customer: CustomerId, now: Timestamp) -> Ticket {
        Ticket {
            id: TicketId(0),
            subject: subject.into(),
            customer,
            status: TicketStatus::Open,
            priority: Priority::Normal,
            created: now,
            due: None,
            messages: Vec::new(),
            updated: now,
        }
    }

    /// A reply from our side: an open ticket now waits on the customer (pending).
    pub fn reply(&mut self, author: &str, body: &str, now: Timestamp) {
        self.log_message(author, body, now);
        if self.status == TicketStatus::Open {
            self.status = TicketStatus::Pending;
        }
    }

    /// A message recorded as it is (a customer's words typed into the form), status untouched.
    pub fn log_message(&mut self, author: &str, body: &str, now: Timestamp) {
        self.messages.push(Message {
            at: now,
            author: author.to_string(),
            body: body.to_string(),
        });
        self.updated = now;
    }

    /// Late once its due day is over: a rep reads "due today" as by the end of today, and the
    /// screens show the day, not the time.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.status.is_active()
            && self
                .due
                .is_some_and(|due| due.date_naive() < now.date_naive())
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text(FieldId::Subject, &self.subject)?;
        for message in &self.messages {
            require_text(FieldId::Message, &message.body)?;
            require_text(FieldId::Author, &message.author)?;
        }
        if let Some(due) = self.due
            && due < self.created
        {
            return Err(ValidationError::new(
                FieldId::Due,
                "is before the ticket was created",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn overdue_only_while_active() {
        let now = chrono::Utc::now();
        let mut t = Ticket::new("Broken lantern", CustomerId(1), now - Duration::days(3));
        t.due = Some(now - Duration::days(1));
        assert!(t.is_overdue(now));
        t.status = TicketStatus::Resolved;
        assert!(!t.is_overdue(now));
    }

    #[test]
    fn due_today_is_not_late_until_the_day_is_over() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let at = |h, m| day.and_hms_opt(h, m, 0).unwrap().and_utc();
        let mut t = Ticket::new(
            "Broken lantern",
            CustomerId(1),
            at(8, 0) - Duration::days(2),
        );
        t.due = Some(at(9, 0));
        assert!(
            !t.is_overdue(at(11, 30)),
            "due at nine, the morning after nine"
        );
        assert!(!t.is_overdue(at(23, 59)));
        assert!(t.is_overdue(at(23, 59) + Duration::minutes(1)));
    }

    #[test]
    fn a_reply_to_an_open_ticket_makes_it_pending_and_a_logged_message_does_not() {
        let then = chrono::Utc::now();
        let now = then + Duration::minutes(5);
        let mut t = Ticket::new("Late delivery", CustomerId(1), then);
        t.log_message("Ada", "Where is my order?", then);
        assert_eq!(t.status, TicketStatus::Open);
        t.reply("sam", "On its way", now);
        assert_eq!(
            (t.status, t.updated, t.messages.len()),
            (TicketStatus::Pending, now, 2)
        );
        assert_eq!(t.messages[1].author, "sam");
        t.status = TicketStatus::Resolved;
        t.reply("sam", "Anything else?", now);
        assert_eq!(
            t.status,
            TicketStatus::Resolved,
            "only an open ticket waits"
        );
    }

    #[test]
    fn empty_subject_and_early_due_are_refused_by_field() {
        let now = chrono::Utc::now();
        let mut t = Ticket::new(" ", CustomerId(1), now);
        assert_eq!(t.validate().unwrap_err().field, "subject");
        t.subject = "Late delivery".into();
        t.due = Some(now - Duration::hours(1));
        assert_eq!(t.validate().unwrap_err().field, "due");
    }
}
