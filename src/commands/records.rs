//! Headless commands that change single records or take changes back: notes, deletes, the trash,
//! reverting an import, and erasing a person.

use super::find_customer;
use crate::domain::NoteKind;
use crate::domain::RecordRef;
use crate::ops::{Actor, BatchState, Ops, Reverted};
use crate::text::{count, thousands};
use std::collections::BTreeMap;
use std::io::Write;

pub fn note(
    ops: &Ops,
    customer: &str,
    text: &str,
    kind: NoteKind,
    author: Option<&str>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let customer = find_customer(ops, customer)?;
    let note = acting(ops, author).add_note(customer.id, kind, text)?;
    // Printed only after the store has flushed: a script can trust every id it reads.
    writeln!(out, "note {} on customer {}", note.id, customer.id)?;
    out.flush()?;
    Ok(())
}

/// The store as this command's user changes it (a script may name the author of its notes).
pub(super) fn acting(ops: &Ops, author: Option<&str>) -> Ops {
    let named = author.map(str::to_string).or_else(Acting::current);
    let actor = named.map_or_else(Actor::local, Actor::named);
    ops.as_actor(actor)
}

thread_local! {
    /// `--as` of the command this thread runs (commands through the control socket each run on a
    /// thread of their own in the holder).
    static AS_NAME: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Who the command being run writes as, while it runs: one rule (`--as`, else the login name)
/// for every command that writes, run alone or by the holder of the database.
pub(super) struct Acting(Option<String>);

impl Acting {
    pub(super) fn as_name(name: Option<String>) -> Acting {
        Acting(AS_NAME.with(|n| std::mem::replace(&mut *n.borrow_mut(), name)))
    }

    fn current() -> Option<String> {
        AS_NAME.with(|n| n.borrow().clone())
    }
}

impl Drop for Acting {
    fn drop(&mut self) {
        let before = self.0.take();
        AS_NAME.with(|n| *n.borrow_mut() = before);
    }
}

pub fn delete(ops: &Ops, record: RecordRef, out: &mut dyn Write) -> anyhow::Result<()> {
    let label = acting(ops, None).delete(record)?;
    writeln!(
        out,
        "{record} ({}) is in the trash; rapport undelete {record} brings it back",
        crate::text::safe(&label)
    )?;
    Ok(())
}

pub fn trash(ops: &Ops, out: &mut dyn Write) -> anyhow::Result<()> {
    let deleted = ops.records().trash()?;
    if deleted.is_empty() {
        writeln!(out, "the trash is empty")?;
        return Ok(());
    }
    for d in &deleted {
        let with = d
            .with
            .map(|c| format!("  (with customer:{c})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<16} {}  {}{with}",
            d.record.to_string(),
            d.deleted.format("%Y-%m-%d %H:%M"),
            crate::text::safe(&d.label)
        )?;
    }
    Ok(())
}

pub fn undelete(ops: &Ops, record: RecordRef, out: &mut dyn Write) -> anyhow::Result<()> {
    let restored = acting(ops, None).undelete(record)?;
    let names: Vec<String> = restored.iter().map(ToString::to_string).collect();
    writeln!(out, "restored {}", names.join(", "))?;
    Ok(())
}

pub fn purge(ops: &Ops, older_than: Option<u32>, out: &mut dyn Write) -> anyhow::Result<()> {
    let before = older_than.map(|days| chrono::Utc::now() - chrono::Duration::days(days.into()));
    let n = acting(ops, None).purge(before)?;
    writeln!(out, "{} deleted records dropped for good", thousands(n))?;
    Ok(())
}

pub fn forget(ops: &Ops, customer: &str, yes: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    // Someone deleted or merged away is still held (in the trash, for undelete and unmerge):
    // they can be forgotten by id.
    let person = match find_customer(ops, customer) {
        Ok(person) => person,
        Err(not_found) => {
            let id = customer
                .trim()
                .trim_start_matches("customer:")
                .parse::<u64>()
                .ok();
            let trashed = ops.records().trash()?.into_iter().find(|d| {
                d.record.kind == crate::domain::Kind::Customer && Some(d.record.id) == id
            });
            match trashed {
                Some(d) => {
                    let mut person = crate::domain::Customer::new(d.label, d.deleted);
                    person.id = crate::domain::CustomerId(d.record.id);
                    person
                }
                None => return Err(not_found),
            }
        }
    };
    if !yes {
        return Err(super::UsageError(format!(
            "this erases customer {} ({}) for good; run it again with --yes",
            person.id,
            crate::text::safe(&person.name)
        ))
        .into());
    }
    let done = acting(ops, None).forget(person.id)?;
    writeln!(
        out,
        "customer {} forgotten: name, contact details and tags erased; {}, {}, {} (subjects and messages) and {} erased; {} and {} erased; orders kept, anonymous",
        person.id,
        count(done.notes, "note", "notes"),
        count(done.followups, "follow-up", "follow-ups"),
        count(done.tickets, "ticket", "tickets"),
        count(done.deals, "deal title", "deal titles"),
        count(done.trash, "deleted record", "deleted records"),
        count(done.journal, "import-journal copy", "import-journal copies")
    )?;
    Ok(())
}

pub(super) fn import_list(ops: &Ops, out: &mut dyn Write) -> anyhow::Result<()> {
    let batches = ops.records().import_batches()?;
    if batches.is_empty() {
        writeln!(out, "no imports yet")?;
    }
    for b in &batches {
        let state = match b.state {
            BatchState::Running => "unfinished".to_string(),
            BatchState::Finished => "done".to_string(),
            BatchState::Reverted { at_ms } => format!(
                "reverted {}",
                chrono::DateTime::from_timestamp_millis(at_ms)
                    .unwrap_or_default()
                    .format("%Y-%m-%d %H:%M")
            ),
        };
        writeln!(
            out,
            "{:>4}  {}  {:<13} {:<16} {:>8} records  {}  {}",
            b.id,
            b.started().format("%Y-%m-%d %H:%M"),
            crate::text::safe(&b.format),
            state,
            thousands(ops.records().import_changes(b.id)),
            crate::text::safe(&b.source),
            crate::text::safe(&b.summary)
        )?;
    }
    Ok(())
}

pub(super) fn import_revert(
    ops: &Ops,
    batch: u64,
    force: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let ops = acting(ops, None);
    let bar = crate::import::progress_bar(ops.import_changes(batch) as u64, "reverting");
    let Reverted { removed, restored } =
        ops.revert_import(batch, force, &mut |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    let list = |counts: &BTreeMap<&str, usize>| {
        if counts.is_empty() {
            return "nothing".to_string();
        }
        counts
            .iter()
            .map(|(kind, n)| count(*n, kind, &format!("{kind}s")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(
        out,
        "import {batch} reverted: removed {}; put back {}",
        list(&removed),
        list(&restored)
    )?;
    Ok(())
}

/// `rapport audit`: the log of who changed what, oldest first.
pub fn audit(ops: &Ops, args: &crate::cli::AuditArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    use crate::cli::AuditFormat;
    use crate::text::safe;
    let since_ms = match &args.since {
        Some(day) => Some(
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|_| {
                    super::UsageError(format!("--since {}: give a date as 2026-11-30", safe(day)))
                })?
                .and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
                .timestamp_millis(),
        ),
        None => None,
    };
    let entries = ops.records().audit(&crate::ops::AuditQuery {
        who: args.who.clone(),
        since_ms,
        record: args.record,
    })?;
    let when = |e: &crate::ops::AuditEntry| e.at().format("%Y-%m-%d %H:%M:%S").to_string();
    match args.format {
        AuditFormat::Table => {
            if entries.is_empty() {
                writeln!(
                    out,
                    "no changes logged{}",
                    if args.who.is_some() || args.since.is_some() || args.record.is_some() {
                        " that match"
                    } else {
                        ""
                    }
                )?;
            }
            for e in &entries {
                writeln!(
                    out,
                    "{}  {}  {} {}:{} {}  {}",
                    when(e),
                    safe(&e.actor),
                    e.op,
                    e.kind,
                    e.id,
                    safe(&e.label),
                    safe(&e.changes_text())
                )?;
            }
        }
        AuditFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut *out);
            csv.write_record(["at", "actor", "op", "kind", "id", "label", "changes"])?;
            for e in &entries {
                csv.write_record([
                    when(e),
                    e.actor.clone(),
                    e.op.clone(),
                    e.kind.clone(),
                    e.id.to_string(),
                    e.label.clone(),
                    e.changes_text(),
                ])?;
            }
            csv.flush()?;
        }
        AuditFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &entries)?;
            writeln!(out)?;
        }
        AuditFormat::Ndjson => {
            for e in &entries {
                serde_json::to_writer(&mut *out, e)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}
