//! Imports, restores and backups, made by the actor like every other write: their role checked,
//! their name on each change in the log, and an import journaled under a batch of its own so
//! `import revert` takes it back.

use super::{Ops, OpsError, Task};
use crate::import::{ImportError, ImportReport, Job, OnReject};

/// What an import did.
pub struct Imported {
    pub report: ImportReport,
    /// The batch that takes it back; None for a dry run, or when nothing changed (nothing to list).
    pub batch: Option<u64>,
}

impl Imported {
    /// A real import that changed nothing, so it was not listed.
    pub fn unchanged(&self) -> bool {
        !self.report.dry_run && self.batch.is_none()
    }
}

impl Ops {
    pub fn import(&self, job: &Job, on_reject: OnReject) -> Result<Imported, OpsError> {
        self.check(Task::Import)?;
        let now = chrono::Utc::now();
        let dry_run = job.dry_run();
        let store = &self.store;
        let batch = match dry_run {
            true => None,
            false => Some(store.begin_import(&job.file().display().to_string(), job.format())?),
        };
        let journaled = batch.map_or_else(|| store.clone(), |b| store.journaled(b));
        let mut report = match job.run(&journaled, now, on_reject) {
            Ok(report) => report,
            Err(e) => {
                // Refused before writing: nothing to list. After a failed write the database
                // must not be asked anything more (after a full disk its reads spin), so that
                // import stays listed.
                if let Some(batch) = batch
                    && !matches!(e, ImportError::Store(_))
                {
                    let _ = store.abandon_import(batch);
                }
                return Err(e.into());
            }
        };
        report.dry_run = dry_run;
        let mut listed = None;
        if let Some(batch) = batch
            && !store.abandon_import(batch)?
        {
            let summary = report.to_string();
            store.finish_import(batch, summary.lines().next().unwrap_or_default())?;
            listed = Some(batch);
        }
        self.changed()?;
        Ok(Imported {
            report,
            batch: listed,
        })
    }
}

impl Ops {
    /// Every record into `to`, as one moment of the data; returns how many.
    pub fn backup(&self, to: &mut dyn std::io::Write) -> Result<usize, OpsError> {
        Ok(crate::backup::backup(&self.store, to)?)
    }

    /// Takes import `batch` back (see [`crate::store::Store::revert_import`]); `progress` hears
    /// how many of its changes are done.
    pub fn revert_import(
        &self,
        batch: u64,
        force: bool,
        progress: &mut dyn FnMut(usize),
    ) -> Result<crate::store::Reverted, OpsError> {
        self.check(Task::Import)?;
        self.revert(batch, force, progress)
    }

    /// Takes back a batch of changes (an import's or a merge's), the role already checked.
    pub(super) fn revert(
        &self,
        batch: u64,
        force: bool,
        progress: &mut dyn FnMut(usize),
    ) -> Result<crate::store::Reverted, OpsError> {
        let reverted = self
            .store
            .revert_import(batch, force, &mut |done, _| progress(done))?;
        self.changed()?;
        Ok(reverted)
    }

    /// How many changes import `batch` made: what reverting it has to go through.
    pub fn import_changes(&self, batch: u64) -> usize {
        self.store.import_changes(batch)
    }

    /// Invented records, for a demo or a trial, into this empty database.
    pub fn demo(&self, spec: &crate::demo::DemoSpec) -> Result<crate::demo::DemoSummary, OpsError> {
        self.check(Task::Demo)?;
        let summary = crate::demo::generate(&self.store, spec)?;
        self.changed()?;
        Ok(summary)
    }

    /// A backup into this (empty) database; returns how many records came back.
    pub fn restore(&self, from: &mut dyn std::io::BufRead) -> Result<usize, OpsError> {
        self.check(Task::Restore)?;
        let restored = crate::backup::restore(&self.store, from)?;
        self.changed()?;
        Ok(restored)
    }
}
