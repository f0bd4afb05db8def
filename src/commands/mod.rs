//! What each headless command does, written against the store and plain writers so the CLI, batch
//! scripts and tests run the very same code.

use crate::cli::{
    BasketsBy, DemoArgs, EvalCommand, ImportCommand, OrderFormat, ReportFormat, RulesArgs,
    SegmentsArgs, StatsFormat, SuggestArgs,
};
use crate::domain::Customer;
use crate::import::{self, ImportError, ImportReport, Rejection};
use crate::insights::{RuleOptions, Snapshot};
use crate::store::{Stats, Store};
use crate::text::thousands;
use anyhow::Context;
use std::io::Write;

mod records;
pub use records::{delete, forget, note, purge, trash, undelete};

/// The command cannot run as typed (exit code 2); the message says what to type instead.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A command finished, but with rejected rows under `--strict` (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("{rejected} rows rejected (--strict)")]
pub struct RowsRejected {
    pub rejected: usize,
}

pub fn import(store: &Store, command: &ImportCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let mut print_rejection =
        |r: &Rejection| eprintln!("rapport: rejected {}", crate::text::safe(&r.to_string()));
    type Run<'c> =
        Box<dyn FnOnce(&Store, import::OnReject) -> Result<ImportReport, ImportError> + 'c>;
    let (file, format, strict, dry_run, run): (_, String, bool, bool, Run) = match command {
        ImportCommand::List => return records::import_list(store, out),
        ImportCommand::Revert { number, force } => {
            return records::import_revert(store, *number, *force, out);
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
            dry_run,
            common,
        } => {
            let options = import::CustomerImport {
                mode: *mode,
                match_by: *match_by,
                dry_run: *dry_run,
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
    let report = match run(&journaled, &mut print_rejection) {
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
    write!(out, "{report}")?;
    if let Some(batch) = batch {
        let summary = report.to_string();
        store.finish_import(batch, summary.lines().next().unwrap_or_default())?;
        writeln!(
            out,
            "import {batch} (rapport import revert {batch} takes it back)"
        )?;
    }
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

/// Itemsets `rapport rules` mines when no --max-len is given.
const DEFAULT_ITEMSETS: usize = 200_000;

pub fn rules(store: &Store, args: &RulesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let snapshot = Snapshot::load(store)?;
    let baskets = match args.by {
        BasketsBy::Order => snapshot.order_baskets(),
        BasketsBy::Customer => snapshot.customer_baskets(),
    };
    // With no length asked for, a budget a report can carry: past it, itemsets are capped shorter.
    let explicit = args.max_len != 0;
    let options = RuleOptions {
        min_support: args.min_support,
        min_confidence: args.min_confidence,
        min_lift: args.min_lift,
        max_len: args.max_len,
        max_itemsets: if explicit {
            crate::insights::rules::MAX_ITEMSETS
        } else {
            DEFAULT_ITEMSETS
        },
    };
    let fitted = if explicit {
        crate::insights::rules(&baskets, &options).map(|(itemsets, rules)| {
            crate::insights::Fitted {
                itemsets,
                rules,
                capped_at: None,
            }
        })
    } else {
        crate::insights::rules_fitting(&baskets, &options)
    }
    .map_err(|e| {
        anyhow::anyhow!(
            "{e} (at --min-support {} over {} baskets; try --max-len 2 or 3)",
            args.min_support,
            baskets.len()
        )
    })?;
    if let Some(len) = fitted.capped_at {
        eprintln!(
            "rapport: rules of at most {len} items: longer itemsets passed {} at --min-support {} (--max-len chooses)",
            thousands(DEFAULT_ITEMSETS),
            args.min_support
        );
    }
    let itemsets = fitted.itemsets;
    let mut rules = fitted.rules;
    if args.top > 0 {
        rules.truncate(args.top);
    }
    let side = |items: &[u32]| {
        items
            .iter()
            .map(|&i| snapshot.item_name(i))
            .collect::<Vec<_>>()
    };
    let skus = |items: &[u32]| {
        items
            .iter()
            .map(|&i| snapshot.products[i as usize].sku.as_str())
            .collect::<Vec<_>>()
    };
    match args.format {
        ReportFormat::Table => {
            writeln!(
                out,
                "{} rules from {} baskets ({} frequent itemsets at support {})",
                thousands(rules.len()),
                thousands(baskets.len()),
                thousands(itemsets.len()),
                args.min_support
            )?;
            writeln!(
                out,
                "{:<60} {:<30} {:>8} {:>6} {:>6}",
                "if bought", "then also", "support", "conf", "lift"
            )?;
            for r in &rules {
                writeln!(
                    out,
                    "{:<60} {:<30} {:>8.5} {:>6.3} {:>6.2}",
                    crate::text::fit(&side(&r.antecedent).join(" + "), 60),
                    crate::text::fit(snapshot.item_name(r.consequent), 30),
                    r.support,
                    r.confidence,
                    r.lift
                )?;
            }
        }
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "antecedent",
                "consequent",
                "antecedent_skus",
                "consequent_sku",
                "support",
                "confidence",
                "lift",
                "leverage",
                "conviction",
                "count",
            ])?;
            for r in &rules {
                w.write_record([
                    side(&r.antecedent).join("; "),
                    snapshot.item_name(r.consequent).to_string(),
                    skus(&r.antecedent).join("; "),
                    snapshot.products[r.consequent as usize].sku.clone(),
                    format!("{:.6}", r.support),
                    format!("{:.6}", r.confidence),
                    format!("{:.6}", r.lift),
                    format!("{:.6}", r.leverage),
                    if r.conviction.is_finite() {
                        format!("{:.6}", r.conviction)
                    } else {
                        "inf".into()
                    },
                    r.count.to_string(),
                ])?;
            }
            w.flush()?;
        }
        ReportFormat::Json => {
            let rows: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "antecedent": side(&r.antecedent),
                        "consequent": snapshot.item_name(r.consequent),
                        "antecedent_skus": skus(&r.antecedent),
                        "consequent_sku": snapshot.products[r.consequent as usize].sku,
                        "support": r.support,
                        "confidence": r.confidence,
                        "lift": r.lift,
                        "leverage": r.leverage,
                        "conviction": if r.conviction.is_finite() { Some(r.conviction) } else { None },
                        "count": r.count,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

pub fn segments(store: &Store, args: &SegmentsArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let snapshot = Snapshot::load(store)?;
    let as_of = args
        .as_of
        .map(|d| d.and_hms_opt(23, 59, 59).expect("valid time").and_utc());
    let report = crate::insights::segments(&snapshot, as_of, args.k, args.seed)?;
    match args.format {
        ReportFormat::Table => {
            let newest = snapshot.purchases.iter().map(|p| p.placed).max();
            let day = as_of
                .or(newest)
                .map(|t| t.date_naive().to_string())
                .unwrap_or_else(|| "—".into());
            writeln!(
                out,
                "{} customers with purchases, as of {day}",
                thousands(report.rows.len())
            )?;
            writeln!(
                out,
                "{:<22} {:>9} {:>8} {:>10}",
                "segment", "customers", "share", "revenue"
            )?;
            for s in report.summary() {
                writeln!(
                    out,
                    "{:<22} {:>9} {:>7.1}% {:>9.1}%",
                    s.segment.name(),
                    thousands(s.customers),
                    100.0 * s.customer_share,
                    100.0 * s.revenue_share
                )?;
            }
            if let Some(c) = &report.clustering {
                let silhouette = c
                    .silhouette
                    .map(|s| format!(", silhouette {s:.2}"))
                    .unwrap_or_default();
                writeln!(out, "\n{} clusters (k-means{silhouette})", c.k)?;
                for cluster in &c.clusters {
                    writeln!(
                        out,
                        "{:>3} {:>9}  {}",
                        cluster.id,
                        thousands(cluster.size),
                        cluster.description
                    )?;
                }
            }
        }
        ReportFormat::Csv | ReportFormat::Json => {
            let rows = crate::export::segment_rows(store, &report)?;
            if args.format == ReportFormat::Json {
                serde_json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)?;
            } else {
                let mut w = csv::Writer::from_writer(out);
                for row in &rows {
                    w.serialize(row)?;
                }
                w.flush()?;
            }
        }
    }
    Ok(())
}

/// A customer named on the command line: external id first (how imported data is known), then id, then email.
pub fn find_customer(store: &Store, text: &str) -> anyhow::Result<Customer> {
    use crate::store::Unique;
    if let Some(c) = store.find::<Customer>(Unique::CustomerExternalId, text)? {
        return Ok(c);
    }
    if let Ok(id) = text.parse::<u64>()
        && let Some(c) = store.get::<Customer>(id)?
    {
        return Ok(c);
    }
    if let Some(c) = store.find::<Customer>(Unique::CustomerEmail, text)? {
        return Ok(c);
    }
    anyhow::bail!("no customer with external id, id or email '{text}'")
}

pub fn suggest(store: &Store, args: &SuggestArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let snapshot = Snapshot::load(store)?;
    let model = crate::insights::suggest::Model::build(&snapshot);
    let targets: Vec<Customer> = match &args.customer {
        Some(text) => vec![find_customer(store, text)?],
        None => {
            let mut ids: Vec<_> = model.customers().collect();
            ids.sort();
            ids.into_iter()
                .filter_map(|id| store.get::<Customer>(id.0).transpose())
                .collect::<Result<_, _>>()?
        }
    };
    let rows = crate::export::suggestion_rows(&snapshot, &model, &targets, args.top);
    match args.format {
        ReportFormat::Table => {
            if let [customer] = targets.as_slice() {
                writeln!(
                    out,
                    "Suggestions for {} ({})",
                    crate::text::safe(&customer.name),
                    crate::text::safe(rows.first().map_or("", |r| r.customer_id.as_str()))
                )?;
                if rows.is_empty() {
                    writeln!(
                        out,
                        "none: no purchase history to go on, and nothing popular left to suggest"
                    )?;
                }
            }
            for r in &rows {
                writeln!(
                    out,
                    "{:>3}. {:<12} {:>7}  {}",
                    r.rank,
                    crate::text::safe(&r.stock_code),
                    r.score,
                    crate::text::safe(&r.reason)
                )?;
            }
        }
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            for r in &rows {
                w.serialize(r)?;
            }
            w.flush()?;
        }
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

pub fn eval(store: &Store, command: &EvalCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let EvalCommand::Suggestions {
        split_date,
        holdout_last,
        k,
        format,
    } = command;
    let snapshot = Snapshot::load(store)?;
    let newest = snapshot
        .purchases
        .iter()
        .map(|p| p.placed)
        .max()
        .ok_or_else(|| anyhow::anyhow!("no purchases to evaluate"))?;
    let split = match (split_date, holdout_last) {
        (Some(day), _) => day.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
        (None, Some(days)) => (newest - chrono::Duration::days(*days as i64))
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc(),
        (None, None) => anyhow::bail!("give --split-date or --holdout-last"),
    };
    let result = crate::insights::eval::evaluate(&snapshot, split, *k);
    if result.test_customers == 0 {
        anyhow::bail!(
            "no customer bought anything new on or after {}: choose an earlier split",
            split.date_naive()
        );
    }
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &result)?;
            writeln!(out)?;
        }
        _ => {
            writeln!(
                out,
                "split {}: trained on {} orders, tested on {} customers who bought something new",
                split.date_naive(),
                thousands(result.train_orders),
                thousands(result.test_customers)
            )?;
            writeln!(
                out,
                "{:<12} {:>8} {:>13} {:>10} {:>9}",
                "",
                format!("HR@{k}"),
                format!("precision@{k}"),
                format!("recall@{k}"),
                "coverage"
            )?;
            for (name, s) in [("rapport", result.model), ("popularity", result.popularity)] {
                writeln!(
                    out,
                    "{name:<12} {:>8.3} {:>13.3} {:>10.3} {:>9.3}",
                    s.hit_rate, s.precision, s.recall, s.coverage
                )?;
            }
        }
    }
    Ok(())
}

/// An export to stdout, or to a file that appears whole or not at all.
pub fn export(
    store: &Store,
    args: &crate::cli::ExportArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let write = |to: &mut dyn Write| -> anyhow::Result<usize> {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, to);
        let rows = crate::export::export(
            store,
            args.what,
            args.format,
            args.ids_only,
            &args.filters,
            &mut buffered,
        )?;
        buffered.flush()?;
        Ok(rows)
    };
    let Some(path) = &args.out else {
        write(out)?;
        return Ok(());
    };
    let rows = write_file(store, path, write)?;
    eprintln!(
        "rapport: {} rows written to {}",
        thousands(rows),
        crate::text::safe(&path.display().to_string())
    );
    Ok(())
}

pub fn backup(store: &Store, file: &std::path::Path, out: &mut dyn Write) -> anyhow::Result<()> {
    if file == std::path::Path::new("-") {
        let mut buffered = std::io::BufWriter::new(out);
        crate::backup::backup(store, &mut buffered)?;
        buffered.flush()?;
        return Ok(());
    }
    let records = backup_file(store, file)?;
    backed_up(out, records, file, "")
}

/// What a finished backup says; `by` names who wrote it when it was not this process.
pub fn backed_up(
    out: &mut dyn Write,
    records: usize,
    file: &std::path::Path,
    by: &str,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "backed up {} records to {}{by}",
        thousands(records),
        file.display()
    )?;
    Ok(())
}

/// Writes a backup to `file` whole or not at all; returns how many records.
pub fn backup_file(store: &Store, file: &std::path::Path) -> anyhow::Result<usize> {
    write_file(store, file, |to| Ok(crate::backup::backup(store, to)?))
}

/// Writes what `write` makes to `path`: a file appears whole or not at all (written beside it,
/// then renamed over it); a device or pipe (`/dev/stdout`) is written as it is. Refused before
/// anything is written: a directory, and any path inside the database's own directory.
fn write_file<T>(
    store: &Store,
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let shown = || crate::text::safe(&path.display().to_string()).into_owned();
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| m.is_dir()) {
        anyhow::bail!("{} is a directory; give a file name", shown());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    // A pipe's /proc link (/dev/stdout) resolves to no path: its folder says where it is then.
    let resolved = std::fs::canonicalize(path)
        .or_else(|_| {
            std::fs::canonicalize(dir).map(|d| d.join(path.file_name().unwrap_or_default()))
        })
        .with_context(|| format!("cannot write {}", shown()))?;
    let database = std::fs::canonicalize(store.path())?;
    if resolved.starts_with(&database) {
        return Err(UsageError(format!(
            "{} is inside the database directory {}; write it somewhere else",
            shown(),
            database.display()
        ))
        .into());
    }
    if existing.is_some_and(|m| !m.is_file()) {
        let mut device = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot write {}", shown()))?;
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut device);
        let made = write(&mut buffered)?;
        buffered.flush()?;
        return Ok(made);
    }
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let made = {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, temp.as_file_mut());
        let made = write(&mut buffered)?;
        buffered.flush()?;
        made
    };
    temp.as_file().sync_all()?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", shown()))?;
    Ok(made)
}

pub fn restore(store: &Store, file: &std::path::Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let records = if file == std::path::Path::new("-") {
        crate::backup::restore(store, &mut std::io::stdin().lock())?
    } else {
        let f =
            std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
        crate::backup::restore(store, &mut std::io::BufReader::new(f))?
    };
    writeln!(out, "restored {} records", thousands(records))?;
    Ok(())
}

pub fn bench(
    store: &Store,
    command: &crate::cli::BenchCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match command {
        crate::cli::BenchCommand::Inputs { dir } => crate::bench::inputs(store, dir, out),
        crate::cli::BenchCommand::App => Err(UsageError(
            "bench app opens the database itself: run it on its own, not in a script".into(),
        )
        .into()),
        other => bench_files(other, out),
    }
}

/// The benches that time one algorithm on a file, with no database.
pub fn bench_files(command: &crate::cli::BenchCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    use crate::cli::BenchCommand;
    match command {
        BenchCommand::Fpgrowth {
            file,
            min_support,
            max_len,
            runs,
        } => crate::bench::fpgrowth(file, *min_support, *max_len, *runs, out),
        BenchCommand::Kmeans { file, k, runs } => crate::bench::kmeans(file, *k, *runs, out),
        BenchCommand::App | BenchCommand::Inputs { .. } => {
            unreachable!("these need a database")
        }
    }
}
