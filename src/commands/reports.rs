//! The insights as reports: association rules, segments, suggestions and their evaluation.

use super::find_customer;
use crate::cli::{
    BasketsBy, EvalCommand, ReportFormat, RulesArgs, SegmentsArgs, SuggestArgs, Whom,
};
use crate::domain::Customer;
use crate::insights::{RuleOptions, Snapshot};
use crate::ops::Ops;

use crate::text::{count, thousands};
use std::io::Write;

/// Itemsets `rapport rules` mines when no --max-len is given.
const DEFAULT_ITEMSETS: usize = 200_000;

pub fn rules(ops: &Ops, args: &RulesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let snapshot = Snapshot::load(ops.records())?;
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
        crate::diag::line(&format!(
            "rapport: rules of at most {len} items: longer itemsets passed {} at --min-support {} (--max-len chooses)",
            thousands(DEFAULT_ITEMSETS),
            args.min_support
        ));
    }
    let itemsets = fitted.itemsets;
    let mut rules = fitted.rules;
    let found = rules.len();
    let top = match (args.top, args.format) {
        (Some(n), _) => n,
        (None, ReportFormat::Table) => crate::cli::TABLE_RULES,
        (None, _) => 0,
    };
    if top > 0 {
        rules.truncate(top);
    }
    let side = |items: &[u32]| names(&snapshot, items);
    match args.format {
        ReportFormat::Table => {
            let shown = if rules.len() < found {
                format!(
                    "{} of {}",
                    thousands(rules.len()),
                    count(found, "rule", "rules")
                )
            } else {
                count(found, "rule", "rules")
            };
            writeln!(
                out,
                "{shown} from {} ({} at support {})",
                count(baskets.len(), "basket", "baskets"),
                count(itemsets.len(), "frequent itemset", "frequent itemsets"),
                args.min_support
            )?;
            if rules.len() < found {
                writeln!(out, "(--top N or --format csv for all)")?;
            }
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
        ReportFormat::Csv => rules_csv(&snapshot, &rules, out)?,
        ReportFormat::Json => rules_json(&snapshot, &rules, out)?,
    }
    Ok(())
}

fn names<'a>(snapshot: &'a Snapshot, items: &[u32]) -> Vec<&'a str> {
    items.iter().map(|&i| snapshot.item_name(i)).collect()
}

fn skus<'a>(snapshot: &'a Snapshot, items: &[u32]) -> Vec<&'a str> {
    items
        .iter()
        .map(|&i| snapshot.products[i as usize].sku.as_str())
        .collect()
}

fn rules_csv(
    snapshot: &Snapshot,
    rules: &[crate::insights::Rule],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let side = |items: &[u32]| names(snapshot, items);
    let skus = |items: &[u32]| skus(snapshot, items);
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
    for r in rules {
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
    Ok(())
}

fn rules_json(
    snapshot: &Snapshot,
    rules: &[crate::insights::Rule],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let side = |items: &[u32]| names(snapshot, items);
    let skus = |items: &[u32]| skus(snapshot, items);
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
    Ok(())
}

pub fn segments(ops: &Ops, args: &SegmentsArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut snapshot = Snapshot::load(ops.records())?;
    let whom = match args.by {
        Whom::Customer => "customers",
        Whom::Account => {
            snapshot = snapshot.regrouped(&super::accounts::account_groups(ops)?);
            "accounts"
        }
    };
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
                "{} {whom} with purchases, as of {day}",
                thousands(report.rows.len())
            )?;
            writeln!(
                out,
                "{:<22} {:>9} {:>8} {:>10}",
                "segment", whom, "share", "revenue"
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
            let mut rows = crate::export::segment_rows(ops.records(), &report)?;
            if args.by == Whom::Account {
                for (row, r) in rows.iter_mut().zip(&report.rows) {
                    (row.customer_id, row.name) = super::accounts::buyer(ops, args.by, r.customer)?;
                }
            }
            if args.format == ReportFormat::Json {
                serde_json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)?;
            } else {
                crate::export::write_rows(&rows, crate::export::Format::Csv, out)?;
            }
        }
    }
    Ok(())
}

pub fn suggest(ops: &Ops, args: &SuggestArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let snapshot = Snapshot::load(ops.records())?;
    let model = crate::insights::suggest::Model::build(&snapshot);
    let targets: Vec<Customer> = match &args.customer {
        Some(text) => vec![find_customer(ops, text)?],
        None => {
            let mut ids: Vec<_> = model.customers().collect();
            ids.sort();
            ids.into_iter()
                .filter_map(|id| ops.records().get::<Customer>(id.0).transpose())
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
        ReportFormat::Csv => crate::export::write_rows(&rows, crate::export::Format::Csv, out)?,
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

pub fn eval(ops: &Ops, command: &EvalCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let (split_date, holdout_last, k, format) = match command {
        EvalCommand::Suggestions {
            split_date,
            holdout_last,
            k,
            format,
        } => (split_date, holdout_last, k, format),
        EvalCommand::Churn {
            split_date,
            horizon_days,
            holdout_end,
            format,
        } => {
            return super::lifetime::eval_churn(
                ops,
                *split_date,
                (*horizon_days).into(),
                *holdout_end,
                *format,
                out,
            );
        }
        EvalCommand::Duplicates(args) => return super::duplicates::eval(args, out),
        EvalCommand::Forecast {
            holdout_weeks,
            as_of,
            format,
        } => return super::forecast::eval(ops, *holdout_weeks as usize, *as_of, *format, out),
    };
    let snapshot = Snapshot::load(ops.records())?;
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
