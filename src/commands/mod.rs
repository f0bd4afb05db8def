//! What each headless command does, written against the store and plain writers so the CLI, batch
//! scripts and tests run the very same code.

use crate::cli::{Command, DemoArgs, StatsFormat};
use crate::domain::Customer;
use crate::ops::Ops;
use crate::ops::Stats;
use crate::text::thousands;
use anyhow::Context;
use std::io::Write;

mod accounts;
pub mod batch;
mod bench;
mod check;
mod duplicates;
mod files;
mod followups;
mod forecast;
mod import;
mod lifetime;
mod merge;
mod records;
mod reports;
mod team;
pub use bench::{bench, bench_files};
pub use duplicates::eval as eval_duplicates;
pub use files::{backed_up, backup, backup_file, export, restore};
pub use followups::{followup, today};
pub use import::import;
pub use records::{delete, forget, note, purge, trash, undelete};
pub use reports::{eval, rules, segments, suggest};
pub use team::team;

/// The command cannot run as typed (exit code 2); the message says what to type instead.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A command finished, but with rejected rows under `--strict` (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("{} rejected (--strict)", crate::text::count(*.rejected, "row", "rows"))]
pub struct RowsRejected {
    pub rejected: usize,
}

/// The documented exit codes: 1 error, 2 usage, 3 database in use, 4 rows rejected under --strict
/// or `rapport check` above its limits;
/// a script's is its first failing line's.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    use crate::import::ImportError;
    use crate::ops::StoreError;
    for cause in error.chain() {
        let code = cause
            .downcast_ref::<crate::ops::OpsError>()
            .map(crate::ops::OpsError::exit_code)
            .or_else(|| {
                cause
                    .downcast_ref::<StoreError>()
                    .map(StoreError::exit_code)
            })
            .or_else(|| match cause.downcast_ref::<ImportError>() {
                Some(ImportError::Store(e)) => Some(e.exit_code()),
                _ => None,
            });
        if let Some(code @ 3) = code {
            return code;
        }
        if cause.downcast_ref::<RowsRejected>().is_some()
            || cause.downcast_ref::<check::CheckFailed>().is_some()
        {
            return 4;
        }
        if cause.downcast_ref::<crate::export::FilterError>().is_some()
            || cause.downcast_ref::<UsageError>().is_some()
            || cause.downcast_ref::<clap::Error>().is_some()
        {
            return 2;
        }
        if let Some(batch) = cause.downcast_ref::<batch::BatchFailed>() {
            return batch.code;
        }
    }
    1
}

/// A parsed command line against an open store: a command, or a batch script. The command line and
/// the server (for commands sent over the control socket) both come here.
pub fn dispatch(
    ops: &Ops,
    cli: &crate::cli::Cli,
    out: &mut dyn Write,
    prepare: &dyn Fn(&mut Command),
) -> anyhow::Result<()> {
    use crate::cli::BenchCommand;
    let _as = records::Acting::as_name(cli.as_name.clone());
    match (&cli.command, &cli.batch) {
        (
            Some(Command::Bench(
                BenchCommand::App | BenchCommand::Sessions { .. } | BenchCommand::Serve { .. },
            )),
            _,
        ) => Err(UsageError(
            "this bench opens the database itself; run it while nothing else has it open".into(),
        )
        .into()),
        (Some(command), _) => run(ops, command, out),
        (None, Some(script)) => batch::run_file(ops, script, cli.keep_going, out, prepare),
        (None, None) => Err(UsageError("the app needs a terminal of its own".into()).into()),
    }
}

/// One headless command; the command line and batch scripts both come here.
pub fn run(ops: &Ops, command: &Command, out: &mut dyn Write) -> anyhow::Result<()> {
    match command {
        Command::Import(c) => import(ops, c, out),
        Command::Stats { format } => stats(ops, *format, out),
        Command::Demo(args) => demo(ops, args, out),
        Command::Rules(args) => rules(ops, args, out),
        Command::Segments(args) => segments(ops, args, out),
        Command::Lifetime(args) => lifetime::run(ops, args, out),
        Command::Duplicates(args) => duplicates::run(ops, args, out),
        Command::Forecast(args) => forecast::run(ops, args, out),
        Command::Suggest(args) => suggest(ops, args, out),
        Command::Eval(c) => eval(ops, c, out),
        Command::Export(args) => export(ops, args, out),
        Command::Backup { file } => backup(ops, file, out),
        Command::Restore { file } => restore(ops, file, out),
        Command::Note {
            customer,
            text,
            kind,
            author,
        } => note(ops, customer, text, *kind, author.as_deref(), out),
        Command::Followup(c) => followup(ops, c, out),
        Command::Account(c) => accounts::account(ops, c, out),
        Command::Today(args) => today(ops, args, out),
        Command::Report(c) => followups::report(ops, c, out),
        Command::Delete { record } => delete(ops, *record, out),
        Command::Trash => trash(ops, out),
        Command::Undelete { record } => undelete(ops, *record, out),
        Command::Purge { older_than } => purge(ops, *older_than, out),
        Command::Forget { customer, yes } => forget(ops, customer, *yes, out),
        Command::Check(args) => check::check(ops, args, out),
        Command::Merge {
            keep,
            other,
            take,
            dry_run,
        } => merge::merge(ops, keep, other, take, *dry_run, out),
        Command::Distinct { a, b, undo } => merge::distinct(ops, a, b, *undo, out),
        Command::Unmerge { customer, force } => {
            merge::unmerge(ops, customer.as_deref(), *force, out)
        }
        Command::Bench(b) => bench(ops, b, out),
        Command::Team(c) => team(ops, c, out),
        Command::Audit(args) => records::audit(ops, args, out),
        Command::Serve(_) => Err(UsageError(
            "`rapport serve` runs on its own, not inside a script or another server".into(),
        )
        .into()),
    }
}

pub fn stats(ops: &Ops, format: StatsFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    let stats = ops.records().stats()?;
    match format {
        StatsFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &stats)?;
            writeln!(out)?;
        }
        StatsFormat::Text => write_stats(&stats, out)?,
    }
    Ok(())
}

fn write_stats(s: &Stats, out: &mut dyn Write) -> std::io::Result<()> {
    let n = thousands;
    writeln!(out, "customers    {:>12}", n(s.customers))?;
    writeln!(
        out,
        "products     {:>12}  ({} not merchandise)",
        n(s.products),
        n(s.non_merchandise_products)
    )?;
    writeln!(
        out,
        "orders       {:>12}  ({} cancellations, {} without a customer)",
        n(s.orders),
        n(s.cancellations),
        n(s.guest_orders)
    )?;
    writeln!(out, "order lines  {:>12}", n(s.order_lines))?;
    writeln!(out, "deals        {:>12}", n(s.deals))?;
    writeln!(out, "tickets      {:>12}", n(s.tickets))?;
    writeln!(out, "notes        {:>12}", n(s.notes))?;
    writeln!(out, "follow-ups   {:>12}", n(s.followups))?;
    writeln!(out, "accounts     {:>12}", n(s.accounts))?;
    writeln!(
        out,
        "schema {} · data version {}",
        s.schema_version, s.data_version
    )
}

pub fn demo(ops: &Ops, args: &DemoArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let summary = records::acting(ops, None)
        .demo(&crate::demo::DemoSpec {
            customers: args.customers,
            seed: args.seed,
            as_of,
        })
        .context("writing the demo data")?;
    writeln!(out, "{summary}")?;
    Ok(())
}

/// A customer named on the command line: external id first (how imported data is known), then
/// id, then email (a merged-away customer's email names the customer they were merged into).
pub fn find_customer(ops: &Ops, text: &str) -> anyhow::Result<Customer> {
    use crate::ops::Unique;
    if let Some(c) = ops
        .records()
        .find::<Customer>(Unique::CustomerExternalId, text)?
    {
        return Ok(c);
    }
    if let Ok(id) = text.parse::<u64>()
        && let Some(c) = ops.records().get::<Customer>(id)?
    {
        return Ok(c);
    }
    if let Some(c) = ops
        .records()
        .find::<Customer>(Unique::CustomerEmail, text)?
    {
        return Ok(c);
    }
    if let Some(c) = ops.records().merged_email(text)? {
        return Ok(c);
    }
    anyhow::bail!("no customer with external id, id or email '{text}'")
}
