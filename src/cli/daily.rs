//! The commands of a rep's day: follow-ups, reports, the day's list and the audit log.

use super::*;

#[derive(Debug, Subcommand)]
pub enum FollowupCommand {
    /// Add a follow-up to a customer (prints its id once it is on disk)
    Add {
        /// The customer: external id, id, or email
        customer: String,
        /// What to do: "call back about the quote"
        text: String,
        /// When: 2026-12-04, "2026-12-04 14:30", today, "tomorrow 9:00", friday, +3d (UTC; a day
        /// alone means 17:00)
        #[arg(long, value_name = "WHEN")]
        due: String,
        /// About this deal of theirs
        #[arg(long, value_name = "ID")]
        deal: Option<u64>,
        /// About this ticket of theirs
        #[arg(long, value_name = "ID")]
        ticket: Option<u64>,
        /// Whose it is [default: me]
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
        #[command(flatten)]
        me: Me,
    },
    /// List follow-ups, soonest first: open ones, or with --all done ones too
    List {
        /// Only mine
        #[arg(long)]
        mine: bool,
        /// Only this rep's
        #[arg(long, value_name = "NAME", conflicts_with = "mine")]
        owner: Option<String>,
        /// Done ones too
        #[arg(long)]
        all: bool,
        /// Only those due by then (same forms as --due of add: today, friday, 2026-12-04)
        #[arg(long, value_name = "WHEN")]
        due_by: Option<String>,
        /// A table for people; csv, json or ndjson for scripts
        #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
        format: AuditFormat,
        #[command(flatten)]
        me: Me,
    },
    /// Mark a follow-up done, say what came of it, and schedule the next one
    Done {
        /// The follow-up's number, as `rapport followup list` shows it
        id: u64,
        /// What came of it: "spoke to Ada, sends the order Monday"
        #[arg(long, value_name = "TEXT")]
        outcome: Option<String>,
        /// Schedule the next step for then
        #[arg(long, value_name = "WHEN")]
        next: Option<String>,
        /// The next step's text [default: the same as this one's]
        #[arg(long, value_name = "TEXT", requires = "next")]
        next_text: Option<String>,
        #[command(flatten)]
        me: Me,
    },
    /// Put a follow-up off: to a time, or by a day into working hours (09:00-17:00, weekdays)
    Snooze {
        /// The follow-up's number, as `rapport followup list` shows it
        id: u64,
        /// When instead: the same forms as --due of add (friday, "tomorrow 9:00", +2d) [default:
        /// a day on, into working hours]
        #[arg(long, value_name = "WHEN")]
        to: Option<String>,
        #[command(flatten)]
        me: Me,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Open deals by stage, won and lost this month and quarter, win rate, days to close
    Pipeline {
        /// One report per owner after everyone's
        #[arg(long, value_enum)]
        by: Option<ReportBy>,
        /// A table for people; csv, json or ndjson (one row a figure) for scripts
        #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
        format: AuditFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportBy {
    Owner,
}

#[derive(Debug, Args)]
pub struct TodayArgs {
    /// Everyone's day, not only mine
    #[arg(long)]
    pub everyone: bool,
    /// Leave out the calls to make (they need the insights: seconds on a large database)
    #[arg(long)]
    pub no_calls: bool,
    /// Text for people (a morning mail), JSON for scripts
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
    #[command(flatten)]
    pub me: Me,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only changes made by NAME
    #[arg(long, value_name = "NAME")]
    pub who: Option<String>,
    /// Only changes on or after DATE (YYYY-MM-DD, UTC)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only changes to one record, e.g. customer:7 or deal:12
    #[arg(long, value_name = "KIND:ID")]
    pub record: Option<crate::domain::RecordRef>,
    /// A table for people; csv, json or ndjson for scripts
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AuditFormat {
    Table,
    Csv,
    Json,
    Ndjson,
}

impl AuditFormat {
    /// The rows' export format; None for a table, which each command lays out itself.
    pub fn rows(self) -> Option<crate::export::Format> {
        use crate::export::Format;
        match self {
            AuditFormat::Table => None,
            AuditFormat::Csv => Some(Format::Csv),
            AuditFormat::Json => Some(Format::Json),
            AuditFormat::Ndjson => Some(Format::Ndjson),
        }
    }
}
