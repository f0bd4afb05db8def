//! Reading other systems' files into the store, one file per format. Each row is checked on its own:
//! a bad row is reported with its line number and reason, and never stops or half-writes the rest.

mod accounts;
mod baskets;
mod cdnow;
mod customers;
mod known_accounts;
mod online_retail;
mod orders;
mod progress;
pub mod text;

pub use accounts::import_accounts;
pub use baskets::import_baskets;
pub use cdnow::import_cdnow;
pub use customers::{
    Blank, CustomerImport, MatchBy, Mode, import_customers, import_customers_with,
};
pub use online_retail::import_online_retail;
pub use progress::{bar as progress_bar, silence as silence_progress};

use crate::domain::Timestamp;
use crate::store::Store;
use crate::store::StoreError;
use std::fmt;
use std::path::{Path, PathBuf};

/// A row that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A reason can quote the file or the store (a name): shown, never run by the terminal.
        write!(f, "line {}: {}", self.line, crate::text::safe(&self.reason))
    }
}

/// How many records of one kind the file held, and what became of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub in_file: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows_read: usize,
    pub rows_imported: usize,
    pub rejected: Vec<Rejection>,
    pub orders: Tally,
    pub cancellations: usize,
    pub customers: Tally,
    pub products: Tally,
    pub accounts: Tally,
    /// Notes for the user that are not about one row (columns turned into tags, say).
    pub remarks: Vec<String>,
    /// Nothing was written: the counts are what the import would do.
    pub dry_run: bool,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = thousands;
        let imported = if self.dry_run {
            "would be imported"
        } else {
            "imported"
        };
        write!(
            f,
            "{} read: {} {imported}, {} rejected",
            crate::text::count(self.rows_read, "row", "rows"),
            n(self.rows_imported),
            n(self.rejected.len())
        )?;
        if let [only] = self.rejected.as_slice() {
            write!(f, " (line {})", only.line)?;
        }
        if self.dry_run {
            write!(f, "; a dry run, nothing was written")?;
        }
        writeln!(f)?;
        let tally = |f: &mut fmt::Formatter<'_>, what: &str, t: Tally, extra: String| {
            writeln!(
                f,
                "{what}: {}{extra} ({} new, {} updated, {} unchanged)",
                n(t.in_file),
                n(t.created),
                n(t.updated),
                n(t.unchanged)
            )
        };
        if self.orders.in_file > 0 {
            let extra = format!(
                " of which {}",
                crate::text::count(self.cancellations, "cancellation", "cancellations")
            );
            tally(f, "orders", self.orders, extra)?;
        }
        if self.customers.in_file > 0 {
            tally(f, "customers", self.customers, String::new())?;
        }
        if self.products.in_file > 0 {
            tally(f, "products", self.products, String::new())?;
        }
        if self.accounts.in_file > 0 {
            tally(f, "accounts", self.accounts, String::new())?;
        }
        for remark in &self.remarks {
            writeln!(f, "{}", crate::text::safe(remark))?;
        }
        Ok(())
    }
}

use crate::text::thousands;

/// Failures that stop an import as a whole; a bad row is a [`Rejection`] instead.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {cause}", .path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{} does not look like {format}: {why}", .path.display())]
    WrongFormat {
        path: PathBuf,
        format: &'static str,
        why: String,
    },
    #[error("{}: {cause}; the import stopped there and wrote nothing", .path.display())]
    TooLong { path: PathBuf, cause: text::TooLong },
    #[error("{}: {cause}", .path.display())]
    GaveUp { path: PathBuf, cause: GaveUp },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rows rejected before any is taken, past which the file is not in the format asked for.
pub const REJECTED_BEFORE_ANY: usize = 1_000;
/// Rows rejected in all, past which an import stops: the report of them must stay small.
pub const MAX_REJECTED: usize = 100_000;

/// An input given up on part-way, because its rows were nearly all bad.
#[derive(Debug, thiserror::Error)]
#[error("{why} (through line {line}); the import stopped there and wrote nothing")]
pub struct GaveUp {
    pub line: u64,
    pub why: String,
}

/// Stops an import whose rows are all bad, or too many of them: an endless stream of junk must
/// end, and its report must fit in memory.
pub(crate) fn check_rejections(rows_read: usize, rejected: usize, line: u64) -> Result<(), GaveUp> {
    if rejected >= REJECTED_BEFORE_ANY && rejected == rows_read {
        return Err(GaveUp {
            line,
            why: format!(
                "the first {} rows were all rejected, so this is not the format asked for",
                thousands(rejected)
            ),
        });
    }
    if rejected >= MAX_REJECTED {
        return Err(GaveUp {
            line,
            why: format!("{} rejected", crate::text::count(rejected, "row", "rows")),
        });
    }
    Ok(())
}

/// Why reading an input stopped part-way, before the file's name is put to it.
#[derive(Debug)]
pub(crate) enum Stop {
    TooLong(text::TooLong),
    GaveUp(GaveUp),
    Read(std::io::Error),
}

impl Stop {
    pub(crate) fn at(self, path: &std::path::Path) -> ImportError {
        let path = path.to_path_buf();
        match self {
            Stop::TooLong(cause) => ImportError::TooLong { path, cause },
            Stop::GaveUp(cause) => ImportError::GaveUp { path, cause },
            Stop::Read(cause) => ImportError::Read { path, cause },
        }
    }
}

impl From<text::TooLong> for Stop {
    fn from(e: text::TooLong) -> Stop {
        Stop::TooLong(e)
    }
}

impl From<GaveUp> for Stop {
    fn from(e: GaveUp) -> Stop {
        Stop::GaveUp(e)
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Stop {
        match text::TooLong::of(&e) {
            Some(too_long) => Stop::TooLong(too_long),
            None => Stop::Read(e),
        }
    }
}

impl ImportError {
    /// A header row the reader could not take: past the line limit, or not a header at all.
    pub(crate) fn bad_header(
        path: &std::path::Path,
        format: &'static str,
        e: csv::Error,
    ) -> ImportError {
        match text::too_long(&e) {
            Some(cause) => ImportError::TooLong {
                path: path.to_path_buf(),
                cause,
            },
            None => ImportError::WrongFormat {
                path: path.to_path_buf(),
                format,
                why: format!("no header row ({e})"),
            },
        }
    }
}

pub(crate) fn open(path: &std::path::Path) -> Result<std::fs::File, ImportError> {
    std::fs::File::open(path).map_err(|cause| ImportError::Read {
        path: path.to_path_buf(),
        cause,
    })
}

/// Where rejections are reported as they are found; the CLI prints them to stderr.
pub type OnReject<'a> = &'a mut dyn FnMut(&Rejection);

/// One import asked for: which file, read how.
#[derive(Clone, Debug)]
pub enum Job {
    /// Orders in one of the formats read: Online Retail's, CDNOW's, or one basket a line.
    Orders {
        file: PathBuf,
        format: OrdersFormat,
    },
    Customers {
        file: PathBuf,
        options: CustomerImport,
    },
    Accounts {
        file: PathBuf,
        dry_run: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrdersFormat {
    OnlineRetail,
    Cdnow,
    Baskets,
}

impl Job {
    pub fn file(&self) -> &Path {
        match self {
            Job::Orders { file, .. } | Job::Customers { file, .. } | Job::Accounts { file, .. } => {
                file
            }
        }
    }

    /// The format's name, as `import list` shows it.
    pub fn format(&self) -> &'static str {
        match self {
            Job::Orders { format, .. } => match format {
                OrdersFormat::OnlineRetail => "online-retail",
                OrdersFormat::Cdnow => "cdnow",
                OrdersFormat::Baskets => "baskets",
            },
            Job::Customers { .. } => "customers",
            Job::Accounts { .. } => "accounts",
        }
    }

    pub fn dry_run(&self) -> bool {
        match self {
            Job::Customers { options, .. } => options.dry_run,
            Job::Accounts { dry_run, .. } => *dry_run,
            Job::Orders { .. } => false,
        }
    }

    /// Reads the file into `store` (a journaled handle, or the plain one for a dry run).
    pub fn run(
        &self,
        store: &Store,
        now: Timestamp,
        on_reject: OnReject,
    ) -> Result<ImportReport, ImportError> {
        match self {
            Job::Orders { file, format } => match format {
                OrdersFormat::OnlineRetail => import_online_retail(store, file, now, on_reject),
                OrdersFormat::Cdnow => import_cdnow(store, file, now, on_reject),
                OrdersFormat::Baskets => import_baskets(store, file, now, on_reject),
            },
            Job::Customers { file, options } => {
                import_customers_with(store, file, now, *options, on_reject)
            }
            Job::Accounts { file, dry_run } => {
                import_accounts(store, file, now, *dry_run, on_reject)
            }
        }
    }
}
