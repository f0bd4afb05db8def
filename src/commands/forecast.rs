//! `rapport forecast` and `rapport eval forecast`: weekly revenue and orders ahead, and how well
//! the forecast would have done on the last weeks.

use crate::cli::{ForecastArgs, ReportFormat};
use crate::insights::forecast::{self, LEVEL, Weekly};
use crate::insights::snapshot::Snapshot;
use crate::ops::Ops;

use crate::text::count;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize, Default)]
struct Row {
    week: NaiveDate,
    revenue: f64,
    low: f64,
    high: f64,
    orders: f64,
}

/// The complete weeks of purchases up to `as_of` (the newest purchase where not given).
fn weekly(ops: &Ops, as_of: Option<NaiveDate>) -> anyhow::Result<Weekly> {
    let snapshot = Snapshot::load(ops.records())?;
    let purchases: Vec<(NaiveDate, f64)> = snapshot
        .purchases
        .iter()
        .map(|p| (p.placed.date_naive(), p.amount.to_f64()))
        .collect();
    let Some(newest) = purchases.iter().map(|p| p.0).max() else {
        anyhow::bail!("no purchases: nothing to forecast");
    };
    let weekly = Weekly::of(purchases, as_of.unwrap_or(newest));
    if weekly.mondays.is_empty() {
        anyhow::bail!(
            "no complete week of purchases by {}: nothing to forecast",
            as_of.unwrap_or(newest)
        );
    }
    Ok(weekly)
}

pub fn run(ops: &Ops, args: &ForecastArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let weekly = weekly(ops, args.as_of)?;
    let h = args.weeks as usize;
    let revenue = forecast::forecast(&weekly.revenue, h)?;
    let orders = forecast::forecast(&weekly.orders, h)?;
    if let Some(why) = &revenue.fallback {
        eprintln!("revenue by the naive forecast: {why}");
    }
    let (method, orders_method) = (revenue.method, orders.method);
    let (revenue, orders) = (revenue.band, orders.band);
    let last = *weekly.mondays.last().expect("at least a week");
    // Money to the cent and orders to a tenth: more digits are noise, not precision.
    let cents = |x: f64| (x * 100.0).round() / 100.0;
    let rows: Vec<Row> = (0..h)
        .map(|k| Row {
            week: last + Duration::weeks(k as i64 + 1),
            revenue: cents(revenue.point[k]),
            low: cents(revenue.low[k]),
            high: cents(revenue.high[k]),
            orders: (orders.point[k] * 10.0).round() / 10.0,
        })
        .collect();
    let Some(format) = args.format.rows() else {
        writeln!(
            out,
            "{}, {} to {}; revenue by {}, orders by {}; {:.0}% interval",
            count(weekly.mondays.len(), "complete week", "complete weeks"),
            weekly.mondays[0],
            last + Duration::days(6),
            method.label(),
            orders_method.label(),
            100.0 * LEVEL
        )?;
        writeln!(
            out,
            "{:<10} {:>12} {:>12} {:>12} {:>8}",
            "week", "revenue", "low", "high", "orders"
        )?;
        for r in &rows {
            writeln!(
                out,
                "{} {:>12.2} {:>12.2} {:>12.2} {:>8.1}",
                r.week, r.revenue, r.low, r.high, r.orders
            )?;
        }
        return Ok(());
    };
    crate::export::write_rows(&rows, format, out)?;
    Ok(())
}

/// `rapport eval forecast`.
pub fn eval(
    ops: &Ops,
    holdout: usize,
    as_of: Option<NaiveDate>,
    format: ReportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let weekly = weekly(ops, as_of)?;
    let result = forecast::evaluate(&weekly.revenue, holdout)?;
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &result)?;
            writeln!(out)?;
        }
        ReportFormat::Csv => {
            writeln!(out, "method,chosen,mase,smape")?;
            for s in &result.methods {
                writeln!(
                    out,
                    "{},{},{},{}",
                    serde_json::to_value(s.method)?.as_str().unwrap_or_default(),
                    s.method == result.chosen,
                    s.mase,
                    s.smape
                )?;
            }
        }
        ReportFormat::Table => {
            let first_held = weekly.mondays[result.weeks_trained];
            writeln!(
                out,
                "weekly revenue: {} weeks to learn from, the {} from {} held out; chosen: {}",
                result.weeks_trained,
                result.holdout_weeks,
                first_held,
                result.chosen.label()
            )?;
            writeln!(out, "{:<32} {:>7} {:>8}", "method", "MASE", "sMAPE %")?;
            for s in &result.methods {
                let mark = if s.method == result.chosen { " *" } else { "" };
                writeln!(
                    out,
                    "{:<32} {:>7.3} {:>8.2}{mark}",
                    s.method.label(),
                    s.mase,
                    s.smape
                )?;
            }
        }
    }
    Ok(())
}
