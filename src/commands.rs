//! What each headless command does, written against the store and plain writers so the CLI, batch
//! scripts and tests run the very same code.

use crate::cli::{DemoArgs, ImportCommand, OrderFormat, StatsFormat};
use crate::import::{self, ImportError, ImportReport, Rejection, thousands};
use crate::store::{Stats, Store};
use anyhow::Context;
use std::io::Write;

/// A command finished, but with rejected rows under `--strict` (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("{rejected} rows rejected (--strict)")]
pub struct RowsRejected {
    pub rejected: usize,
}

pub fn import(store: &Store, command: &ImportCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let mut print_rejection = |r: &Rejection| eprintln!("rapport: rejected {r}");
    let (report, strict): (Result<ImportReport, ImportError>, bool) = match command {
        ImportCommand::Orders {
            file,
            format,
            common,
        } => {
            let run = match format {
                OrderFormat::OnlineRetail => import::import_online_retail,
                OrderFormat::Cdnow => import::import_cdnow,
                OrderFormat::Baskets => import::import_baskets,
            };
            (run(store, file, now, &mut print_rejection), common.strict)
        }
        ImportCommand::Customers { file, common } => (
            import::import_customers(store, file, now, &mut print_rejection),
            common.strict,
        ),
    };
    let report = report?;
    write!(out, "{report}")?;
    if strict && !report.rejected.is_empty() {
        return Err(RowsRejected {
            rejected: report.rejected.len(),
        }
        .into());
    }
    Ok(())
}

pub fn stats(store: &Store, format: StatsFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    let stats = store.stats()?;
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
    writeln!(
        out,
        "schema {} · data version {}",
        s.schema_version, s.data_version
    )
}

pub fn demo(store: &Store, args: &DemoArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let summary = crate::demo::generate(
        store,
        &crate::demo::DemoSpec {
            customers: args.customers,
            seed: args.seed,
            as_of,
        },
    )
    .context("writing the demo data")?;
    writeln!(out, "{summary}")?;
    Ok(())
}
