use super::FieldId;
use super::validate::{ValidationError, require_text};
use super::{CustomerId, DealId, FollowupId, TicketId, Timestamp};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// Something a rep means to do for a customer by a given time: "call back Friday". It may be about
/// one of their deals or tickets. Done ones stay, with what came of them, as the customer's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Followup {
    pub id: FollowupId,
    pub customer: CustomerId,
    pub deal: Option<DealId>,
    pub ticket: Option<TicketId>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub due: Timestamp,
    pub owner: Option<String>,
    pub text: String,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub done: Option<Timestamp>,
    /// What came of it, written when it is done.
    pub outcome: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub updated: Timestamp,
}

/// The hour a follow-up given only a day is due: the end of that working day, as a rep reads
/// "call back Friday".
const END_OF_DAY: u32 = 17;
/// Where a snoozed follow-up lands when its time falls outside the working day.
const START_OF_DAY: u32 = 9;

/// `at`, or the next working hour after it when it falls outside the working day (before 09:00,
/// from 17:00, or at a weekend): a follow-up snoozed at 04:00 is due at 09:00, not at 04:00.
pub fn next_working_hour(at: Timestamp) -> Timestamp {
    let start = |day: NaiveDate| {
        let mut day = day;
        while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            day = day.succ_opt().unwrap_or(day);
        }
        Utc.from_utc_datetime(&day.and_hms_opt(START_OF_DAY, 0, 0).unwrap_or_default())
    };
    let (day, hour) = (at.date_naive(), at.hour());
    let moved = match day.weekday() {
        Weekday::Sat | Weekday::Sun => start(day),
        _ if hour < START_OF_DAY => start(day),
        _ if hour >= END_OF_DAY => start(day.succ_opt().unwrap_or(day)),
        _ => at,
    };
    // Never earlier: at the last day time can hold there is no next morning.
    moved.max(at)
}

impl Followup {
    pub fn new(
        customer: CustomerId,
        text: impl Into<String>,
        due: Timestamp,
        now: Timestamp,
    ) -> Followup {
        Followup {
            id: FollowupId(0),
            customer,
            deal: None,
            ticket: None,
            due,
            owner: None,
            text: text.into(),
            done: None,
            outcome: None,
            created: now,
            updated: now,
        }
    }

    pub fn is_open(&self) -> bool {
        self.done.is_none()
    }

    /// Open and past its time.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.is_open() && self.due < now
    }

    /// Open and due by the end of today (overdue ones included).
    pub fn is_due_by_tonight(&self, now: Timestamp) -> bool {
        self.is_open() && self.due.date_naive() <= now.date_naive()
    }

    pub fn complete(&mut self, outcome: Option<String>, now: Timestamp) {
        self.done = Some(now);
        self.outcome = outcome.filter(|o| !o.trim().is_empty());
        self.updated = now;
    }

    /// Put off by a day from whichever is later, its time or now, into working hours: snoozing
    /// something already a week late brings it to tomorrow, not to six days ago, and one snoozed
    /// at 04:00 is due at 09:00, not at 04:00 the next night.
    pub fn snooze(&mut self, now: Timestamp) {
        let from = self.due.max(now);
        self.due = next_working_hour(from.checked_add_signed(Duration::days(1)).unwrap_or(from));
        self.updated = now;
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text(FieldId::Text, &self.text)?;
        if let Some(done) = self.done
            && done < self.created
        {
            return Err(ValidationError::new(FieldId::Done, "is before it was made"));
        }
        Ok(())
    }
}

/// When a follow-up is due, as a rep writes it: `2026-12-04`, `2026-12-04 14:30`, `today`,
/// `tomorrow 9:00`, `friday`, `+3d`, `+2w`, `+4h`. A day without a time means the end of that
/// working day (17:00). Times are UTC, as every time rapport keeps.
pub fn parse_due(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim().to_lowercase();
    let hint = || {
        format!(
            "'{text}' is not a time: try 2026-12-04, 2026-12-04 14:30, today, tomorrow 9:00, friday, +3d"
        )
    };
    if text.is_empty() {
        return Err("a follow-up needs a due date".into());
    }
    if let Some(rest) = text.strip_prefix('+') {
        let (count, unit) = rest.split_at(
            rest.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len()),
        );
        let n: i64 = count.parse().map_err(|_| hint())?;
        let step = match unit.trim() {
            "h" | "hour" | "hours" => Duration::try_hours(n),
            "d" | "" | "day" | "days" => Duration::try_days(n),
            "w" | "week" | "weeks" => Duration::try_weeks(n),
            _ => return Err(hint()),
        };
        return step
            .and_then(|step| now.checked_add_signed(step))
            .filter(|due| *due <= latest_due(now))
            .ok_or_else(too_far);
    }
    let mut words = text.split_whitespace();
    let day_word = words.next().ok_or_else(hint)?;
    let time = match words.next() {
        Some(t) => Some(parse_time(t).ok_or_else(hint)?),
        None => None,
    };
    if words.next().is_some() {
        return Err(hint());
    }
    let today = now.date_naive();
    let day = match day_word {
        "today" => today,
        "tomorrow" => today + Duration::days(1),
        word => match weekday(word) {
            // The next such day after today: on a Friday, "friday" is a week on.
            Some(wd) => {
                let ahead = (7 + wd.num_days_from_monday() as i64
                    - today.weekday().num_days_from_monday() as i64)
                    % 7;
                today + Duration::days(if ahead == 0 { 7 } else { ahead })
            }
            None => NaiveDate::parse_from_str(word, "%Y-%m-%d").map_err(|_| hint())?,
        },
    };
    let time = time.unwrap_or(NaiveTime::from_hms_opt(END_OF_DAY, 0, 0).expect("valid"));
    let due = Utc.from_utc_datetime(&day.and_time(time));
    match due <= latest_due(now) {
        true => Ok(due),
        false => Err(too_far()),
    }
}

/// How far ahead a follow-up may be put: farther is a slip of the keyboard, and far enough
/// overflows the calendar.
pub const MAX_YEARS_AHEAD: i64 = 100;

fn latest_due(now: Timestamp) -> Timestamp {
    now.checked_add_signed(Duration::days(366 * MAX_YEARS_AHEAD))
        .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC)
}

fn too_far() -> String {
    format!("that is more than {MAX_YEARS_AHEAD} years ahead: give a nearer date")
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once(':').unwrap_or((text, "0"));
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

fn weekday(word: &str) -> Option<Weekday> {
    const DAYS: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    // "fri", "fri." and "friday" alike; three letters at least, so "t" is not a guess.
    let word = word.trim_end_matches('.');
    (word.len() >= 3)
        .then(|| DAYS.iter().find(|(name, _)| name.starts_with(word)))
        .flatten()
        .map(|&(_, wd)| wd)
}

/// When it is due, in the words a list has room for: "3 days late", "today 14:00",
/// "tomorrow 09:00", "Fri 4 Dec 17:00", "2027-01-04".
pub fn due_text(due: Timestamp, now: Timestamp) -> String {
    let (day, today) = (due.date_naive(), now.date_naive());
    let days = (day - today).num_days();
    match days {
        d if d < -1 => format!("{} days late", -d),
        -1 => "yesterday".into(),
        0 if due < now => format!("late, {}", due.format("%H:%M")),
        0 => format!("today {}", due.format("%H:%M")),
        1 => format!("tomorrow {}", due.format("%H:%M")),
        2..=6 => due.format("%a %-d %b %H:%M").to_string(),
        _ => due.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snooze_lands_in_working_hours() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let snoozed = |due: &str, now: &str| {
            let mut f = Followup::new(CustomerId(1), "call", at(due), at(now));
            f.snooze(at(now));
            f.due
        };
        // Wednesday 04:01, due long ago: Thursday 09:00, not Thursday 04:01.
        assert_eq!(
            snoozed("2026-11-01T10:00:00Z", "2026-12-02T04:01:00Z"),
            at("2026-12-03T09:00:00Z")
        );
        // Within the day, a day on at the same time.
        assert_eq!(
            snoozed("2026-12-02T11:30:00Z", "2026-12-02T10:00:00Z"),
            at("2026-12-03T11:30:00Z")
        );
        // Thursday 18:00 plus a day is Friday evening: Monday 09:00.
        assert_eq!(
            snoozed("2026-12-03T18:00:00Z", "2026-12-03T10:00:00Z"),
            at("2026-12-07T09:00:00Z")
        );
        // Friday 12:00 plus a day is Saturday: Monday 09:00.
        assert_eq!(
            snoozed("2026-12-04T12:00:00Z", "2026-12-04T08:00:00Z"),
            at("2026-12-07T09:00:00Z")
        );
    }
    use proptest::prelude::*;

    proptest! {
        /// Whatever a rep types, the parser answers: a time no more than a century ahead, or why not.
        #[test]
        fn any_due_text_is_a_time_or_a_reason(
            text in prop_oneof![
                "\\PC{0,24}",
                "\\+[0-9]{1,22}[hdw]?",
                "[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,3}:[0-9]{1,3})?",
            ],
            secs in 0i64..4_000_000_000,
        ) {
            let now = Utc.timestamp_opt(secs, 0).unwrap();
            if let Ok(due) = parse_due(&text, now) {
                prop_assert!(due <= now + Duration::days(366 * MAX_YEARS_AHEAD));
            }
        }
    }

    #[test]
    fn a_due_date_far_ahead_is_refused_not_a_crash() {
        let now = at("2026-12-02T10:15:00Z");
        for text in [
            "+99999999w",
            "+9223372036854775807d",
            "+999999999999h",
            "99999-01-01",
        ] {
            let why = parse_due(text, now).unwrap_err();
            assert!(
                why.contains("years ahead") || why.contains("not a time"),
                "{text}: {why}"
            );
        }
        assert!(parse_due("+5000w", now).is_ok(), "96 years is allowed");
        let mut f = Followup::new(CustomerId(1), "x", chrono::DateTime::<Utc>::MAX_UTC, now);
        f.snooze(now);
        assert_eq!(f.due, chrono::DateTime::<Utc>::MAX_UTC);
    }

    fn at(text: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn due_times_read_as_a_rep_writes_them() {
        // A Wednesday morning.
        let now = at("2026-12-02T10:15:00Z");
        let cases = [
            ("2026-12-04", "2026-12-04T17:00:00Z"),
            ("2026-12-04 14:30", "2026-12-04T14:30:00Z"),
            ("today", "2026-12-02T17:00:00Z"),
            ("Tomorrow 9:00", "2026-12-03T09:00:00Z"),
            ("friday", "2026-12-04T17:00:00Z"),
            ("fri 8", "2026-12-04T08:00:00Z"),
            ("wed", "2026-12-09T17:00:00Z"),
            ("monday", "2026-12-07T17:00:00Z"),
            ("+3d", "2026-12-05T10:15:00Z"),
            ("+2w", "2026-12-16T10:15:00Z"),
            ("+4h", "2026-12-02T14:15:00Z"),
        ];
        for (text, want) in cases {
            assert_eq!(parse_due(text, now), Ok(at(want)), "{text}");
        }
        for bad in [
            "",
            "someday",
            "2026-13-01",
            "today 25:00",
            "+3y",
            "fr",
            "today at 9",
        ] {
            assert!(parse_due(bad, now).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn late_is_past_the_time_and_snoozing_counts_from_now() {
        let now = at("2026-12-02T10:15:00Z");
        let mut f = Followup::new(CustomerId(1), "call", at("2026-12-02T09:00:00Z"), now);
        assert!(f.is_overdue(now) && f.is_due_by_tonight(now));
        assert_eq!(due_text(f.due, now), "late, 09:00");
        f.due = at("2026-12-02T17:00:00Z");
        assert!(!f.is_overdue(now) && f.is_due_by_tonight(now));
        assert_eq!(due_text(f.due, now), "today 17:00");
        f.due = at("2026-11-25T09:00:00Z");
        assert_eq!(due_text(f.due, now), "7 days late");
        f.snooze(now);
        assert_eq!(f.due, at("2026-12-03T10:15:00Z"));
        assert_eq!(due_text(f.due, now), "tomorrow 10:15");
        f.complete(Some("  ".into()), now);
        assert!(!f.is_open() && !f.is_overdue(now + Duration::days(9)));
        assert_eq!(f.outcome, None, "a blank outcome is no outcome");
    }
}
