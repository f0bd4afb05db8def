//! `rapport lifetime`: BG/NBD and Gamma-Gamma fitted to the purchases, and what they say of each
//! customer.

use crate::cli::{AuditFormat, LifetimeArgs};
use crate::domain::{Customer, CustomerId};
use crate::domain::{Note, Order, OrderKind, Ticket, TicketStatus};
use crate::export::{Format, Sink};
use crate::insights::churn::{Activity, ChurnModel};
use crate::insights::lifetime::{
    BgNbd, GammaGamma, HoldoutError, Repeat, holdout_error, lifetime_value, summarise,
};
use crate::insights::snapshot::Snapshot;
use crate::store::Store;
use crate::text::{safe, thousands};
use serde::Serialize;
use std::io::Write;

/// Days in a period: weeks, as `lifetimes` counts by default.
const PERIOD_DAYS: i64 = 7;
/// Weeks in a month, for the month-by-month value.
const WEEKS_PER_MONTH: f64 = 4.345;
/// The value reckoned over a year, discounted 1% a month (about 12.7% a year).
const VALUE_MONTHS: u32 = 12;
const MONTHLY_DISCOUNT: f64 = 0.01;

#[derive(Serialize)]
struct Row {
    customer_id: String,
    frequency: f64,
    recency: f64,
    age: f64,
    monetary: f64,
    p_alive: f64,
    expected_purchases: f64,
    /// None where the history is too short to learn churn from.
    churn_risk: Option<f64>,
    clv: f64,
}

#[derive(Serialize)]
struct Params {
    customers: usize,
    as_of: String,
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
    bgnbd_log_likelihood: f64,
    repeat_customers: usize,
    p: f64,
    q: f64,
    v: f64,
    gamma_gamma_log_likelihood: f64,
}

pub fn run(store: &Store, args: &LifetimeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let snapshot = Snapshot::load(store)?;
    let purchases: Vec<(CustomerId, chrono::NaiveDate, f64)> = snapshot
        .purchases
        .iter()
        .filter_map(|p| Some((p.customer?, p.placed.date_naive(), p.amount.to_f64())))
        .collect();
    let Some(newest) = purchases.iter().map(|p| p.1).max() else {
        anyhow::bail!("no purchases with a customer: nothing to fit");
    };
    let end = args.as_of.unwrap_or(newest);
    let customers = summarise(purchases, end, PERIOD_DAYS);
    let data: Vec<Repeat> = customers.values().copied().collect();
    let purchases_model = BgNbd::fit(&data)?;
    let spend = GammaGamma::fit(&data)?;
    let repeat = data
        .iter()
        .filter(|d| d.frequency > 0.0 && d.monetary > 0.0)
        .count();
    let params = Params {
        customers: data.len(),
        as_of: end.to_string(),
        r: purchases_model.r,
        alpha: purchases_model.alpha,
        a: purchases_model.a,
        b: purchases_model.b,
        bgnbd_log_likelihood: purchases_model.log_likelihood,
        repeat_customers: repeat,
        p: spend.p,
        q: spend.q,
        v: spend.v,
        gamma_gamma_log_likelihood: spend.log_likelihood,
    };
    if args.params {
        return write_params(&params, args.format, out);
    }
    let horizon = f64::from(args.horizon_days) / PERIOD_DAYS as f64;
    let activity = activities(store, &snapshot)?;
    let of = |id: &CustomerId| activity.get(id).expect("every summarised customer bought");
    let risks = match ChurnModel::train(customers.keys().map(of), end, args.churn_days.into()) {
        Ok(model) => model.risk(customers.keys().map(of), end)?,
        Err(e) => {
            eprintln!("no churn risk: {e}");
            vec![None; customers.len()]
        }
    };
    let mut rows: Vec<Row> = customers
        .iter()
        .zip(risks)
        .map(|((id, d), churn_risk)| {
            Ok(Row {
                customer_id: store
                    .get::<Customer>(id.0)?
                    .and_then(|c| c.external_id)
                    .unwrap_or_else(|| id.to_string()),
                frequency: d.frequency,
                recency: d.recency,
                age: d.age,
                monetary: d.monetary,
                p_alive: purchases_model.p_alive(d),
                expected_purchases: purchases_model.expected_purchases(horizon, d),
                churn_risk,
                clv: lifetime_value(
                    &purchases_model,
                    &spend,
                    d,
                    VALUE_MONTHS,
                    MONTHLY_DISCOUNT,
                    WEEKS_PER_MONTH,
                ),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let format = match args.format {
        AuditFormat::Table => {
            write_params(&params, AuditFormat::Table, out)?;
            rows.sort_by(|a, b| b.clv.total_cmp(&a.clv));
            writeln!(
                out,
                "\n{:<12} {:>5} {:>6} {:>5} {:>9} {:>7} {:>9} {:>6} {:>10}",
                "customer",
                "freq",
                "recency",
                "age",
                "monetary",
                "alive",
                "expected",
                "risk",
                "12m value"
            )?;
            for r in rows.iter().take(20) {
                let risk = r
                    .churn_risk
                    .map_or("-".to_string(), |p| format!("{:.0}%", 100.0 * p));
                writeln!(
                    out,
                    "{:<12} {:>5} {:>6} {:>5} {:>9.2} {:>6.0}% {:>9.2} {risk:>6} {:>10.2}",
                    safe(&r.customer_id),
                    r.frequency,
                    r.recency,
                    r.age,
                    r.monetary,
                    100.0 * r.p_alive,
                    r.expected_purchases,
                    r.clv
                )?;
            }
            return Ok(());
        }
        AuditFormat::Csv => Format::Csv,
        AuditFormat::Json => Format::Json,
        AuditFormat::Ndjson => Format::Ndjson,
    };
    let mut sink = Sink::new(format, out);
    for row in &rows {
        sink.row(row)?;
    }
    sink.finish()?;
    Ok(())
}

fn write_params(p: &Params, format: AuditFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    match format {
        AuditFormat::Table => {
            writeln!(
                out,
                "{} customers, weeks, as of {}",
                thousands(p.customers),
                p.as_of
            )?;
            writeln!(
                out,
                "BG/NBD       r {:.4}  alpha {:.4}  a {:.4}  b {:.4}  log-likelihood {:.2}",
                p.r, p.alpha, p.a, p.b, p.bgnbd_log_likelihood
            )?;
            writeln!(
                out,
                "Gamma-Gamma  p {:.4}  q {:.4}  v {:.4}  log-likelihood {:.2} ({} repeat customers)",
                p.p,
                p.q,
                p.v,
                p.gamma_gamma_log_likelihood,
                thousands(p.repeat_customers)
            )?;
        }
        AuditFormat::Csv | AuditFormat::Json | AuditFormat::Ndjson => {
            serde_json::to_writer_pretty(&mut *out, p)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// What churn risk reads of each customer who bought: purchases, returns (cancelled
/// invoices), tickets (a resolved or closed one closed when last changed) and notes and calls.
fn activities(
    store: &Store,
    snapshot: &Snapshot,
) -> anyhow::Result<std::collections::HashMap<CustomerId, Activity>> {
    let mut by: std::collections::HashMap<CustomerId, Activity> = Default::default();
    for p in &snapshot.purchases {
        if let Some(c) = p.customer {
            let day = p.placed.date_naive();
            by.entry(c)
                .or_default()
                .purchases
                .push((day, p.amount.to_f64()));
        }
    }
    let day = |t: crate::domain::Timestamp| t.date_naive();
    for order in store.iter_sound::<Order>() {
        let order = order?;
        if let (OrderKind::Cancellation, Some(c)) = (order.kind, order.customer)
            && let Some(a) = by.get_mut(&c)
        {
            a.returns.push(day(order.placed));
        }
    }
    for ticket in store.iter_sound::<Ticket>() {
        let t = ticket?;
        if let Some(a) = by.get_mut(&t.customer) {
            let closed = matches!(t.status, TicketStatus::Resolved | TicketStatus::Closed);
            a.tickets
                .push((day(t.created), closed.then(|| day(t.updated))));
        }
    }
    for note in store.iter_sound::<Note>() {
        let n = note?;
        if let Some(a) = by.get_mut(&n.customer) {
            a.contacts.push(day(n.at));
        }
    }
    Ok(by)
}

/// What `rapport eval churn` reports: the churn scores, and repeat purchases after the split.
#[derive(Serialize)]
struct ChurnReport {
    #[serde(flatten)]
    churn: crate::insights::churn::ChurnEvaluation,
    holdout_end: chrono::NaiveDate,
    purchases: HoldoutError,
}

/// `rapport eval churn`.
pub fn eval_churn(
    store: &Store,
    split: chrono::NaiveDate,
    horizon_days: i64,
    holdout_end: Option<chrono::NaiveDate>,
    format: crate::cli::ReportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let snapshot = Snapshot::load(store)?;
    let activity = activities(store, &snapshot)?;
    let mut ids: Vec<&CustomerId> = activity.keys().collect();
    ids.sort();
    let all: Vec<&Activity> = ids.iter().map(|id| &activity[*id]).collect();
    let churn = crate::insights::churn::evaluate(&all, split, horizon_days)?;
    let purchases: Vec<(&CustomerId, chrono::NaiveDate, f64)> = ids
        .iter()
        .flat_map(|id| activity[*id].purchases.iter().map(move |p| (*id, p.0, p.1)))
        .collect();
    let newest = purchases.iter().map(|p| p.1).max().unwrap_or(split);
    let holdout_end = holdout_end.unwrap_or(newest);
    if holdout_end <= split {
        anyhow::bail!(
            "--holdout-end {holdout_end} is not after the split {split}: no purchases to check"
        );
    }
    let result = ChurnReport {
        churn,
        holdout_end,
        purchases: holdout_error(&purchases, split, holdout_end, PERIOD_DAYS)?,
    };
    let scores = [
        ("churn risk (classifier)", result.churn.classifier),
        ("BG/NBD expected purchases", result.churn.bgnbd),
        ("days since the last purchase", result.churn.recency),
    ];
    let p = &result.purchases;
    match format {
        crate::cli::ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &result)?;
            writeln!(out)?;
        }
        crate::cli::ReportFormat::Csv => {
            writeln!(out, "score,auc,precision_top_10")?;
            for (name, r) in scores {
                writeln!(out, "{name},{},{}", r.auc, r.precision_top_10)?;
            }
            writeln!(
                out,
                "\nrepeat purchases to {holdout_end},mean_absolute_error"
            )?;
            writeln!(out, "BG/NBD,{}", p.bgnbd)?;
            writeln!(out, "naive rate,{}", p.naive_rate)?;
        }
        crate::cli::ReportFormat::Table => {
            let c = &result.churn;
            writeln!(
                out,
                "split {}: {} customers, {} bought nothing in the next {} days",
                c.split,
                thousands(c.customers),
                thousands(c.churned),
                c.horizon_days
            )?;
            writeln!(
                out,
                "{:<34} {:>6} {:>16}",
                "score", "AUC", "precision top 10%"
            )?;
            for (name, r) in scores {
                writeln!(
                    out,
                    "{name:<34} {:>6.4} {:>16.3}",
                    r.auc, r.precision_top_10
                )?;
            }
            writeln!(
                out,
                "\nrepeat purchases in the {} weeks to {holdout_end}, mean absolute error a customer:\n\
                 BG/NBD {:.4}, each customer's rate before the split carried on {:.4} ({} customers)",
                p.periods,
                p.bgnbd,
                p.naive_rate,
                thousands(p.customers)
            )?;
        }
    }
    Ok(())
}
