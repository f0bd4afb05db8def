//! Getting records in and out: imports, exports, the demo, and the database's figures.

use super::*;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Orders (creating their customers and products as it goes)
    Orders {
        /// The file to read (- for standard input)
        file: PathBuf,
        /// The file's layout
        #[arg(long, value_enum)]
        format: OrderFormat,
        #[command(flatten)]
        common: ImportOptions,
    },
    /// Customers from a CSV file with a header row
    Customers {
        /// A CSV file with a header row (- for standard input)
        file: PathBuf,
        /// create: new customers only; update: existing only; upsert: either
        #[arg(long, value_enum, default_value_t = crate::import::Mode::Upsert)]
        mode: crate::import::Mode,
        /// What identifies an existing customer [default: external id, else email]
        #[arg(long = "match", value_enum, value_name = "KEY")]
        match_by: Option<crate::import::MatchBy>,
        /// With --match fuzzy: the score (0 to 1) from which a row updates the customer it
        /// most likely is [default: 0.9]
        #[arg(long, value_name = "S", value_parser = parse_share)]
        min_score: Option<f64>,
        /// What an empty cell does to a value an existing customer has: keep it, or clear it
        #[arg(long, value_enum, default_value_t = crate::import::Blank::Keep)]
        blank: crate::import::Blank,
        /// Print what would be created, updated (each field, before -> after) and rejected, and
        /// write nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: ImportOptions,
    },
    /// Accounts from a CSV file with a header row: name, and any of domain, phone, country,
    /// owner, tags, street, city, postcode, region. A row updates the account with its domain,
    /// else the one with its name, else adds one
    Accounts {
        /// A CSV file with a header row (- for standard input)
        file: PathBuf,
        /// Print what would be created and updated, and what rejected, and write nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: ImportOptions,
    },
    /// List the imports, newest last, with the number to revert them by
    List,
    /// Take an import back completely: what it created goes, what it changed is put back
    Revert {
        /// The import's number, as `rapport import list` shows it
        #[arg(value_name = "IMPORT")]
        number: u64,
        /// Also put back records that were changed again after the import
        #[arg(long)]
        force: bool,
    },
}

impl ImportCommand {
    /// The file an import reads, if it reads one.
    pub fn file(&self) -> Option<&PathBuf> {
        match self {
            ImportCommand::Orders { file, .. }
            | ImportCommand::Customers { file, .. }
            | ImportCommand::Accounts { file, .. } => Some(file),
            ImportCommand::List | ImportCommand::Revert { .. } => None,
        }
    }

    pub fn file_mut(&mut self) -> Option<&mut PathBuf> {
        match self {
            ImportCommand::Orders { file, .. }
            | ImportCommand::Customers { file, .. }
            | ImportCommand::Accounts { file, .. } => Some(file),
            ImportCommand::List | ImportCommand::Revert { .. } => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportOptions {
    /// Exit with code 4 if any row was rejected (the good rows are still imported)
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderFormat {
    /// UCI Online Retail: InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
    OnlineRetail,
    /// CDNOW: customer_id date(YYYYMMDD) number_of_cds dollar_value, whitespace-separated
    Cdnow,
    /// One basket a line, comma-separated item names
    Baskets,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many customers (1 to 1,000,000)
    #[arg(long, default_value_t = crate::demo::DEFAULT_CUSTOMERS, value_parser = demo_customers)]
    pub customers: usize,
    /// Seed for the generator: the same seed, size and date give the same data
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// The day the history ends (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Demo sizes past this take many minutes and gigabytes; a typo should not start that.
pub const MAX_DEMO_CUSTOMERS: usize = 1_000_000;

pub(super) fn demo_customers(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_DEMO_CUSTOMERS).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{text}' is not a whole number from 1 to {MAX_DEMO_CUSTOMERS}"
        )),
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which records (the README lists each one's columns)
    #[arg(value_enum)]
    pub what: crate::export::What,
    /// How to write them
    #[arg(long, value_enum, default_value_t = crate::export::Format::Csv)]
    pub format: crate::export::Format,
    /// Only the ids, one per line
    #[arg(long)]
    pub ids_only: bool,
    /// Write to FILE (replaced only once the export is complete) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub filters: crate::export::Filters,
}
