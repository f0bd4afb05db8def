//! `rapport lifetime`: BG/NBD and Gamma-Gamma fitted to the purchases, and what they say of each
//! customer.

use crate::cli::{AuditFormat, LifetimeArgs};
use crate::domain::CustomerId;
use crate::insights::churn::Activity;
use crate::insights::lifetime::{FitError, HoldoutError, Repeat, holdout_error};
use crate::insights::outlook::{Outlooks, PERIOD_DAYS, activities};
use crate::insights::snapshot::Snapshot;
use crate::ops::Ops;

use crate::text::{safe, thousands};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize, Default)]
struct Row {
    customer_id: String,
    frequency: f64,
    recency: f64,
    age: f64,
    monetary: f64,
    p_alive: f64,
    /// None, as the value, where the fit is not to be used (said on stderr).
    expected_purchases: Option<f64>,
    /// None where the history is too short to learn churn from.
    churn_risk: Option<f64>,
    clv: Option<f64>,
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

pub fn run(ops: &Ops, args: &LifetimeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut snapshot = Snapshot::load(ops.records())?;
    let groups = match args.by {
        crate::cli::Whom::Customer => None,
        crate::cli::Whom::Account => Some(super::accounts::account_groups(ops)?),
    };
    if let Some(groups) = &groups {
        snapshot = snapshot.regrouped(groups);
    }
    let Some(newest) = snapshot
        .purchases
        .iter()
        .filter(|p| p.customer.is_some())
        .map(|p| p.placed.date_naive())
        .max()
    else {
        anyhow::bail!("no purchases with a customer: nothing to fit");
    };
    let end = args.as_of.unwrap_or(newest);
    let activity = match &groups {
        None => activities(ops.records(), &snapshot)?,
        Some(groups) => (crate::insights::outlook::Contacts::read(ops.records())?)
            .regrouped(groups)
            .beside(&snapshot),
    };
    let outlooks = Outlooks::compute(
        &activity,
        end,
        args.horizon_days.into(),
        args.churn_days.into(),
    )?;
    let purchases_model = outlooks.bgnbd;
    let spend = outlooks.spend.ok_or(FitError::NoRepeats)?;
    let data: Vec<Repeat> = outlooks.customers.iter().map(|c| c.1.summary).collect();
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
    if let Some(why) = &outlooks.churn_unknown {
        eprintln!("no churn risk: {why}");
    }
    if let Some(why) = &outlooks.unsound {
        eprintln!("no expected purchases or value: {why}");
    }
    let mut rows: Vec<Row> = outlooks
        .customers
        .iter()
        .map(|(id, o)| {
            let d = o.summary;
            Ok(Row {
                customer_id: super::accounts::buyer(ops, args.by, *id)?.0,
                frequency: d.frequency,
                recency: d.recency,
                age: d.age,
                monetary: d.monetary,
                p_alive: o.p_alive,
                expected_purchases: o.expected_purchases,
                churn_risk: o.churn_risk,
                clv: o.value,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let Some(format) = args.format.rows() else {
        write_params(&params, AuditFormat::Table, out)?;
        rows.sort_by(|a, b| b.clv.unwrap_or(0.0).total_cmp(&a.clv.unwrap_or(0.0)));
        return top_table(&rows[..rows.len().min(20)], out);
    };
    crate::export::write_rows(&rows, format, out)?;
    Ok(())
}

/// The customers worth most in the next twelve months, as a person reads them.
fn top_table(rows: &[Row], out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "\n{:<12} {:>5} {:>6} {:>5} {:>9} {:>7} {:>9} {:>6} {:>10}",
        "customer", "freq", "recency", "age", "monetary", "alive", "expected", "risk", "12m value"
    )?;
    for r in rows {
        let risk = r
            .churn_risk
            .map_or("-".to_string(), crate::insights::outlook::percent);
        let or_dash = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
        writeln!(
            out,
            "{:<12} {:>5} {:>6} {:>5} {:>9.2} {:>6.0}% {:>9} {risk:>6} {:>10}",
            safe(&r.customer_id),
            r.frequency,
            r.recency,
            r.age,
            r.monetary,
            100.0 * r.p_alive,
            or_dash(r.expected_purchases),
            or_dash(r.clv)
        )?;
    }
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
    ops: &Ops,
    split: chrono::NaiveDate,
    horizon_days: i64,
    holdout_end: Option<chrono::NaiveDate>,
    format: crate::cli::ReportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let snapshot = Snapshot::load(ops.records())?;
    let activity = activities(ops.records(), &snapshot)?;
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
