//! The analyses and their checks against held-out data, and the benchmarks.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
}

/// Whom an insight is about: each customer, or each account with its people together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Whom {
    /// Each customer on their own
    #[default]
    Customer,
    /// Each account, its people's purchases, tickets and notes as one buyer's (people in no
    /// account are left out); ids read `account:12`
    Account,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasketsBy {
    /// One basket per order
    Order,
    /// One basket per customer: everything they ever bought
    Customer,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Least share of baskets holding the whole rule (0.01 = 1%; above 0, at most 1)
    #[arg(long, default_value_t = 0.01, value_parser = support)]
    pub min_support: f64,
    /// Least share of the antecedent's baskets that also hold the consequent (0 to 1)
    #[arg(long, default_value_t = 0.5, value_parser = share)]
    pub min_confidence: f64,
    /// Least lift (1 = no better than chance; 0 or more)
    #[arg(long, default_value_t = 1.0, value_parser = non_negative)]
    pub min_lift: f64,
    /// Most items in a rule, both sides together (0 = no limit)
    #[arg(long, default_value_t = 0)]
    pub max_len: usize,
    /// What a basket is: one order, or everything one customer bought
    #[arg(long, value_enum, default_value_t = BasketsBy::Order)]
    pub by: BasketsBy,
    /// Show only the strongest N rules (0 = all) [default: 50 in the table, all in csv and json]
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// A table for people; csv or json for scripts
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// Rules the table shows when no --top is given: a table of thousands is read by no one.
pub const TABLE_RULES: usize = 50;

#[derive(Debug, Args)]
pub struct SegmentsArgs {
    /// Clusters: a number from 2, or auto (chosen by silhouette over 2-8)
    #[arg(long, default_value = "auto", value_parser = parse_k)]
    pub k: crate::insights::cluster::ClusterCount,
    /// Measure recency as of this day (YYYY-MM-DD) [default: the newest order in the data]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Seed for k-means: the same seed and data give the same clusters
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Table: a summary per segment and cluster; csv and json: one row per customer
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Segments of customers, or of accounts
    #[arg(long, value_enum, default_value_t = Whom::Customer)]
    pub by: Whom,
}

#[derive(Debug, Args)]
pub struct LifetimeArgs {
    /// Fit on the purchases up to this day (YYYY-MM-DD); later ones are ignored [default: the
    /// newest purchase]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Purchases expected over this many days
    #[arg(long, value_name = "N", default_value_t = 365)]
    pub horizon_days: u32,
    /// Churn risk: the chance of buying nothing in this many days
    #[arg(long, value_name = "N", default_value_t = 90, value_parser = clap::value_parser!(u32).range(7..=730))]
    pub churn_days: u32,
    /// Only the fitted parameters and log-likelihoods
    #[arg(long)]
    pub params: bool,
    /// Table: the fit and the 20 most valuable customers; csv, json, ndjson: one row per customer
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
    /// Each customer's outlook, or each account's
    #[arg(long, value_enum, default_value_t = Whom::Customer)]
    pub by: Whom,
}

#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// Only pairs at least this likely to be one person (0 to 1)
    #[arg(long, value_name = "S", default_value_t = crate::clean::link::DEFAULT_SCORE, value_parser = parse_share)]
    pub min_score: f64,
    /// Table: the 50 likeliest pairs; csv, json, ndjson: every pair
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

/// A number from 0 to 1.
pub(super) fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{text}' is not a number from 0 to 1")),
    }
}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Forecast from the complete weeks up to this day (YYYY-MM-DD); later purchases are ignored
    /// [default: the newest purchase]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Weeks ahead
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=104))]
    pub weeks: u32,
    /// A table for people; csv, json or ndjson for scripts
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

pub(super) fn number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("'{text}' is not a number")),
    }
}

/// A support: a share of baskets above 0 (0 would make every itemset frequent) and at most 1.
pub(super) fn support(text: &str) -> Result<f64, String> {
    match number(text)? {
        x if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!(
            "'{text}' is not a share above 0 and at most 1 (0.01 = 1%)"
        )),
    }
}

pub(super) fn share(text: &str) -> Result<f64, String> {
    match number(text)? {
        x if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("'{text}' is not a share from 0 to 1 (0.5 = 50%)")),
    }
}

pub(super) fn non_negative(text: &str) -> Result<f64, String> {
    match number(text)? {
        x if x >= 0.0 => Ok(x),
        _ => Err(format!("'{text}' is not a number from 0")),
    }
}

pub(super) fn parse_k(text: &str) -> Result<crate::insights::cluster::ClusterCount, String> {
    use crate::insights::cluster::ClusterCount;
    if text.eq_ignore_ascii_case("auto") {
        return Ok(ClusterCount::Auto);
    }
    match text.parse::<usize>() {
        Ok(k) if k >= 2 => Ok(ClusterCount::Fixed(k)),
        _ => Err(format!("'{text}' is not auto or a whole number from 2")),
    }
}

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The customer: external id, id, or email (or --all for everyone)
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub customer: Option<String>,
    /// Suggestions for every customer with purchases
    #[arg(long)]
    pub all: bool,
    /// Suggestions per customer
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// A table for people; csv or json for scripts
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Train on orders before a date, test on the new items each customer bought after it; rapport's
    /// suggestions against a popularity baseline
    Suggestions {
        /// The first day of the test period (YYYY-MM-DD); or --holdout-last
        #[arg(
            long,
            value_name = "DATE",
            required_unless_present = "holdout_last",
            conflicts_with = "holdout_last"
        )]
        split_date: Option<chrono::NaiveDate>,
        /// Test on the last N days of the data instead
        #[arg(long, value_name = "DAYS")]
        holdout_last: Option<u32>,
        /// Suggestions per customer that count
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// A table for people; csv or json for scripts
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Churn risk learned before a date and checked against who bought nothing in the days
    /// after it: AUC and precision at the top 10%, beside BG/NBD and recency alone; and BG/NBD's
    /// repeat purchases after the date against those made, beside a naive rate
    Churn {
        /// The day the risk is scored on (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        split_date: chrono::NaiveDate,
        /// Churned: nothing bought in this many days after the split
        #[arg(long, value_name = "N", default_value_t = 90, value_parser = clap::value_parser!(u32).range(7..=730))]
        horizon_days: u32,
        /// Repeat purchases predicted by BG/NBD are checked against those made up to this day
        /// (YYYY-MM-DD) [default: the newest purchase]
        #[arg(long, value_name = "DATE")]
        holdout_end: Option<chrono::NaiveDate>,
        /// A table for people; csv or json for scripts
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Duplicates written into the demo's customers (typos, swapped names, nicknames, fields
    /// left out, phones and streets written another way, changed emails; and housemates who are
    /// not duplicates), then found again: precision, recall and F1 at the threshold
    Duplicates(EvalDuplicatesArgs),
    /// Weekly revenue forecast on all but the last weeks, checked against them: MASE and sMAPE of
    /// the chosen model and of each method beside it, the naive forecasts among them
    Forecast {
        /// Weeks held out at the end of the history
        #[arg(long, value_name = "N", default_value_t = 13, value_parser = clap::value_parser!(u32).range(1..=104))]
        holdout_weeks: u32,
        /// Count the complete weeks up to this day [default: the newest purchase]
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
        /// A table for people; csv or json for scripts
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also name every record behind each count
    #[arg(long)]
    pub list: bool,
    /// Fail (exit 4) with more than N duplicate pairs
    #[arg(long, value_name = "N")]
    pub max_duplicates: Option<usize>,
    /// Fail (exit 4) with more than N invalid emails and unreadable phones together
    #[arg(long, value_name = "N")]
    pub max_invalid: Option<usize>,
    /// Fail (exit 4) with more than N orphaned or damaged records together
    #[arg(long, value_name = "N")]
    pub max_orphans: Option<usize>,
    /// Duplicate pairs at least this likely count
    #[arg(long, value_name = "S", default_value_t = crate::clean::link::DEFAULT_SCORE)]
    pub min_score: f64,
    /// A table for people, JSON for scripts
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct EvalDuplicatesArgs {
    /// Clean customers, as `rapport demo` makes them
    #[arg(long, value_name = "N", default_value_t = 3_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub customers: u64,
    /// The share of them written a second time
    #[arg(long, value_name = "S", default_value_t = 0.05, value_parser = parse_share)]
    pub share: f64,
    /// Seed for the records and the duplicates written into them
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Pairs at least this likely count as found
    #[arg(long, value_name = "S", default_value_t = crate::clean::link::DEFAULT_SCORE, value_parser = parse_share)]
    pub min_score: f64,
    /// Keep only names and addresses, as many lists hold (no email, phone or company)
    #[arg(long)]
    pub names_and_addresses: bool,
    /// Also write the labelled customers to FILE as CSV, with the person each record is, for
    /// other tools to be measured on the same records
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// A table for people; csv or json for scripts
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Everything the app shows from the insights (segments, rules, suggestions, lifetime,
    /// forecast) computed from the database: the median of several runs, part by part
    Insights {
        /// Times to compute it (the median is reported)
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=50))]
        runs: u32,
    },
    /// Cold start to the first frame, quick lookup over every prefix of 20 queries, moving about
    App,
    /// Many app sessions in one process over one read model, as the team server runs them: memory
    /// per session and the first frame of a new session
    Sessions {
        /// Sessions to open
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=500))]
        count: u16,
    },
    /// Reps over SSH against `rapport serve` on this database, at a person's pace: key-to-screen
    /// latency, bytes per key, writes seen by others, and the server's memory and CPU. It adds
    /// bench-N members for the run and moves deals back and forth: use a demo database
    Serve {
        /// Reps signed in at once
        #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u16).range(1..=500))]
        sessions: u16,
        /// How long they work
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        seconds: u64,
        /// Threads for the simulated clients (they share the machine with the server)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        client_threads: u16,
        /// The rapport binary that serves (default: this one), to compare two builds under one
        /// client
        #[arg(long)]
        server: Option<PathBuf>,
    },
    /// FP-growth alone on a baskets file (one basket a line, items comma-separated)
    Fpgrowth {
        /// The baskets file
        file: PathBuf,
        /// Least share of baskets an itemset is in
        #[arg(long, default_value_t = 0.005, value_parser = support)]
        min_support: f64,
        /// Longest itemset (0 = no limit)
        #[arg(long, default_value_t = 0)]
        max_len: usize,
        /// Times to run it (each is reported)
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// k-means alone on a CSV matrix of numbers (no header), standardised first as the insights do
    Kmeans {
        /// The CSV matrix
        file: PathBuf,
        /// Clusters
        #[arg(long, default_value_t = 8)]
        k: usize,
        /// Times to run it (each is reported)
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Write the inputs the side-by-side comparison uses: the baskets and the RFM feature matrix
    Inputs {
        /// Folder to write baskets.csv and features.csv into
        dir: PathBuf,
    },
}

impl BenchCommand {
    /// Benches run on the database a command opens (and so inside the server that holds it);
    /// the others open it themselves or read none.
    pub fn reads_the_open_database(&self) -> bool {
        matches!(
            self,
            BenchCommand::Inputs { .. } | BenchCommand::Insights { .. }
        )
    }
}
