//! Reading other systems' files into the store, one file per format. Each row is checked on its own:
//! a bad row is reported with its line number and reason, and never stops or half-writes the rest.

mod baskets;
mod cdnow;
mod customers;
mod online_retail;
mod orders;
mod progress;
mod text;

pub use baskets::import_baskets;
pub use cdnow::import_cdnow;
pub use customers::{CustomerImport, MatchBy, Mode, import_customers, import_customers_with};
pub use online_retail::import_online_retail;
pub use progress::{bar as progress_bar, silence as silence_progress};

use crate::store::StoreError;
use std::fmt;
use std::path::PathBuf;

/// A row that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
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
    /// Notes for the user that are not about one row (columns turned into tags, say).
    pub remarks: Vec<String>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = thousands;
        write!(
            f,
            "{} rows read: {} imported, {} rejected",
            n(self.rows_read),
            n(self.rows_imported),
            n(self.rejected.len())
        )?;
        if let [only] = self.rejected.as_slice() {
            write!(f, " (line {})", only.line)?;
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
            let extra = format!(" of which {} cancellations", n(self.cancellations));
            tally(f, "orders", self.orders, extra)?;
        }
        if self.customers.in_file > 0 {
            tally(f, "customers", self.customers, String::new())?;
        }
        if self.products.in_file > 0 {
            tally(f, "products", self.products, String::new())?;
        }
        for remark in &self.remarks {
            writeln!(f, "{remark}")?;
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
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) fn open(path: &std::path::Path) -> Result<std::fs::File, ImportError> {
    std::fs::File::open(path).map_err(|cause| ImportError::Read {
        path: path.to_path_buf(),
        cause,
    })
}

/// Where rejections are reported as they are found; the CLI prints them to stderr.
pub type OnReject<'a> = &'a mut dyn FnMut(&Rejection);
