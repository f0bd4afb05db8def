//! `rapport import`: a file into the database, journaled so that `import revert` can take it back.

use super::RowsRejected;
use crate::cli::{ImportCommand, OrderFormat};
use crate::import::{self, ImportError, ImportReport, Rejection};
use crate::store::Store;
use std::io::Write;

pub fn import(store: &Store, command: &ImportCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let mut print_rejection = |r: &Rejection| {
        crate::diag::line(&format!(
            "rapport: rejected {}",
            crate::text::safe(&r.to_string())
        ))
    };
    type Run<'c> =
        Box<dyn FnOnce(&Store, import::OnReject) -> Result<ImportReport, ImportError> + 'c>;
    let (file, format, strict, dry_run, run): (_, String, bool, bool, Run) = match command {
        ImportCommand::List => return super::records::import_list(store, out),
        ImportCommand::Revert { number, force } => {
            return super::records::import_revert(store, *number, *force, out);
        }
        ImportCommand::Orders {
            file,
            format,
            common,
        } => {
            let name = clap::ValueEnum::to_possible_value(format).expect("every format has a name");
            let import = match format {
                OrderFormat::OnlineRetail => import::import_online_retail,
                OrderFormat::Cdnow => import::import_cdnow,
                OrderFormat::Baskets => import::import_baskets,
            };
            let run: Run = Box::new(move |store, on_reject| import(store, file, now, on_reject));
            (file, name.get_name().to_string(), common.strict, false, run)
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
            let run: Run = Box::new(move |store, on_reject| {
                import::import_customers_with(store, file, now, options, on_reject)
            });
            (file, "customers".to_string(), common.strict, *dry_run, run)
        }
    };
    // Every write of a real import is journaled under its batch, so `import revert` can take it back.
    let batch = match dry_run {
        true => None,
        false => Some(store.begin_import(&file.display().to_string(), &format)?),
    };
    let journaled = batch.map_or_else(|| store.clone(), |b| store.journaled(b));
    let mut report = match run(&journaled, &mut print_rejection) {
        Ok(report) => report,
        Err(e) => {
            // Refused before writing: nothing to list. After a failed write sled must not be
            // asked anything more (after a full disk its reads spin), so that import stays listed.
            if let Some(batch) = batch
                && !matches!(e, ImportError::Store(_))
            {
                let _ = store.abandon_import(batch);
            }
            return Err(e.into());
        }
    };
    report.dry_run = dry_run;
    write!(out, "{report}")?;
    // A re-run that changed nothing has nothing to take back: it leaves no empty entry listed.
    if let Some(batch) = batch {
        if store.abandon_import(batch)? {
            writeln!(out, "nothing changed, so no import was listed")?;
        } else {
            let summary = report.to_string();
            store.finish_import(batch, summary.lines().next().unwrap_or_default())?;
            writeln!(
                out,
                "import {batch} (rapport import revert {batch} takes it back)"
            )?;
        }
    }
    if strict && !report.rejected.is_empty() {
        return Err(RowsRejected {
            rejected: report.rejected.len(),
        }
        .into());
    }
    Ok(())
}
