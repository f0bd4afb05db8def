//! `rapport import`: a file into the database, journaled so that `import revert` can take it back.

use super::RowsRejected;
use crate::cli::{ImportCommand, OrderFormat};
use crate::import::{self, Rejection};
use crate::ops::Ops;

use std::io::Write;

pub fn import(ops: &Ops, command: &ImportCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut print_rejection = |r: &Rejection| {
        crate::diag::line(&format!(
            "rapport: rejected {}",
            crate::text::safe(&r.to_string())
        ))
    };
    let (job, strict) = match command {
        ImportCommand::List => return super::records::import_list(ops, out),
        ImportCommand::Revert { number, force } => {
            return super::records::import_revert(ops, *number, *force, out);
        }
        ImportCommand::Orders {
            file,
            format,
            common,
        } => {
            let format = match format {
                OrderFormat::OnlineRetail => import::OrdersFormat::OnlineRetail,
                OrderFormat::Cdnow => import::OrdersFormat::Cdnow,
                OrderFormat::Baskets => import::OrdersFormat::Baskets,
            };
            let file = file.clone();
            (import::Job::Orders { file, format }, common.strict)
        }
        ImportCommand::Customers {
            file,
            mode,
            match_by,
            min_score,
            blank,
            dry_run,
            common,
        } => {
            if min_score.is_some() && *match_by != Some(import::MatchBy::Fuzzy) {
                return Err(super::UsageError("--min-score goes with --match fuzzy".into()).into());
            }
            let options = import::CustomerImport {
                mode: *mode,
                match_by: *match_by,
                dry_run: *dry_run,
                min_score: *min_score,
                blank: *blank,
            };
            let file = file.clone();
            (import::Job::Customers { file, options }, common.strict)
        }
        ImportCommand::Accounts {
            file,
            dry_run,
            common,
        } => {
            let (file, dry_run) = (file.clone(), *dry_run);
            (import::Job::Accounts { file, dry_run }, common.strict)
        }
    };
    let done = super::records::acting(ops, None).import(&job, &mut print_rejection)?;
    write!(out, "{}", done.report)?;
    // A re-run that changed nothing has nothing to take back: it leaves no empty entry listed.
    if done.unchanged() {
        writeln!(out, "nothing changed, so no import was listed")?;
    }
    if let Some(batch) = done.batch {
        writeln!(
            out,
            "import {batch} (rapport import revert {batch} takes it back)"
        )?;
    }
    if strict && !done.report.rejected.is_empty() {
        return Err(RowsRejected {
            rejected: done.report.rejected.len(),
        }
        .into());
    }
    Ok(())
}
