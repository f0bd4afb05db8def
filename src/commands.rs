//! What each headless command does, written against the store and plain writers so the CLI, batch
//! scripts and tests run the very same code.

use crate::cli::{
    BasketsBy, DemoArgs, ImportCommand, OrderFormat, ReportFormat, RulesArgs, SegmentsArgs,
    StatsFormat,
};
use crate::domain::Customer;
use crate::import::{self, ImportError, ImportReport, Rejection, thousands};
use crate::insights::{RuleOptions, Snapshot};
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

pub fn rules(store: &Store, args: &RulesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    for (name, value) in [
        ("--min-support", args.min_support),
        ("--min-confidence", args.min_confidence),
    ] {
        if !(0.0..=1.0).contains(&value) {
            anyhow::bail!("{name} {value} must be between 0 and 1");
        }
    }
    let snapshot = Snapshot::load(store)?;
    let baskets = match args.by {
        BasketsBy::Order => snapshot.order_baskets(),
        BasketsBy::Customer => snapshot.customer_baskets(),
    };
    let options = RuleOptions {
        min_support: args.min_support,
        min_confidence: args.min_confidence,
        min_lift: args.min_lift,
        max_len: args.max_len,
    };
    let (itemsets, mut rules) = crate::insights::rules(&baskets, &options);
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
                    clip(&side(&r.antecedent).join(" + "), 60),
                    clip(snapshot.item_name(r.consequent), 30),
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

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width - 1).collect();
    s.push('…');
    s
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
            let rows = segment_rows(store, &report)?;
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

#[derive(serde::Serialize)]
struct SegmentRow {
    customer_id: String,
    name: String,
    recency_days: i64,
    frequency: u32,
    monetary: String,
    r: u8,
    f: u8,
    m: u8,
    segment: &'static str,
    cluster: Option<usize>,
    cluster_description: String,
}

fn segment_rows(
    store: &Store,
    report: &crate::insights::SegmentReport,
) -> anyhow::Result<Vec<SegmentRow>> {
    report
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let customer = store.get::<Customer>(r.customer.0)?;
            let cluster = report.cluster_of(i);
            Ok(SegmentRow {
                customer_id: customer
                    .as_ref()
                    .and_then(|c| c.external_id.clone())
                    .unwrap_or_else(|| r.customer.to_string()),
                name: customer.map(|c| c.name).unwrap_or_default(),
                recency_days: r.recency_days,
                frequency: r.frequency,
                monetary: r.monetary.to_string(),
                r: r.r,
                f: r.f,
                m: r.m,
                segment: r.segment.name(),
                cluster,
                cluster_description: cluster
                    .and_then(|c| {
                        report
                            .clustering
                            .as_ref()
                            .map(|k| k.clusters[c].description.clone())
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}
