//! `rapport check`: what is wrong with the customer data, counted, for a person or a cron job.

use crate::clean::{link, normal};
use crate::domain::{Customer, CustomerId, Deal, Followup, Note, Order, Ticket};
use crate::ops::Ops;

use crate::text::{safe, thousands};
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;

/// Something is above a threshold the caller set (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CheckFailed(pub String);

/// One count with what is behind it.
#[derive(Serialize)]
struct Finding {
    what: &'static str,
    count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    records: Vec<String>,
}

#[derive(Serialize)]
struct Report {
    customers: usize,
    findings: Vec<Finding>,
}

pub fn check(ops: &Ops, args: &crate::cli::CheckArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let report = examine(ops, args.min_score)?;
    write_report(&report, args, out)?;
    let over = over_limits(&report, args);
    if !over.is_empty() {
        return Err(CheckFailed(format!("above the limits: {}", over.join("; "))).into());
    }
    Ok(())
}

fn examine(ops: &Ops, min_score: f64) -> anyhow::Result<Report> {
    let mut damaged = Vec::new();
    let customers: Vec<Customer> = ops.records().all_sound(&mut damaged)?;
    let mut findings = contact_findings(&customers);
    let (_, mut pairs) = link::find(&customers, normal::default_region(), min_score);
    let distinct = ops.records().distinct_pairs()?;
    pairs.retain(|p| !distinct.contains(&(p.a, p.b)));
    findings.push(finding(
        "duplicate pairs",
        pairs
            .iter()
            .map(|p| format!("{} ~ {} {:.3}: {}", p.a, p.b, p.score, p.reasons))
            .collect(),
    ));
    let orphans = orphans(ops, &customers, &mut damaged)?;
    findings.push(finding("orphaned records", orphans));
    findings.push(finding("damaged records", damaged));
    Ok(Report {
        customers: customers.len(),
        findings,
    })
}

fn finding(what: &'static str, records: Vec<String>) -> Finding {
    Finding {
        what,
        count: records.len(),
        records,
    }
}

fn label(c: &Customer) -> String {
    format!("customer {} ({})", c.id, safe(&c.name))
}

/// Emails and phones that cannot be used, and customers who cannot be reached or placed.
fn contact_findings(customers: &[Customer]) -> Vec<Finding> {
    let invalid_emails = customers
        .iter()
        .filter_map(|c| {
            let email = c.email.as_deref()?;
            normal::email(email)
                .is_none()
                .then(|| format!("{}: '{}'", label(c), safe(email)))
        })
        .collect();
    let mut unreadable = Vec::new();
    let mut no_region = Vec::new();
    for c in customers {
        let Some(phone) = c.phone.as_deref() else {
            continue;
        };
        let region = normal::phone_region(c.country.as_deref());
        let line = format!("{}: '{}'", label(c), safe(phone));
        match normal::phone(phone, region) {
            Ok(_) => {}
            Err(normal::PhoneProblem::Unparseable) => unreadable.push(line),
            Err(normal::PhoneProblem::NoRegion) => no_region.push(line),
        }
    }
    let missing = |what: fn(&Customer) -> bool| -> Vec<String> {
        customers.iter().filter(|c| what(c)).map(label).collect()
    };
    vec![
        finding("invalid emails", invalid_emails),
        finding("phones that are no number", unreadable),
        finding("phones without a country code or a country", no_region),
        finding(
            "customers with neither email nor phone",
            missing(|c| c.email.is_none() && c.phone.is_none()),
        ),
        finding(
            "customers without a country",
            missing(|c| c.country.is_none()),
        ),
        finding(
            "customers without an address",
            missing(|c| c.address.street.is_none() && c.address.postcode.is_none()),
        ),
    ]
}

/// Records that name a customer who is not there; records that cannot be read go to `damaged`.
fn orphans(
    ops: &Ops,
    customers: &[Customer],
    damaged: &mut Vec<String>,
) -> anyhow::Result<Vec<String>> {
    let known: HashSet<CustomerId> = customers.iter().map(|c| c.id).collect();
    let mut orphans = Vec::new();
    let mut orphan = |kind: &str, id: u64, customer: Option<CustomerId>| {
        if let Some(c) = customer.filter(|c| !known.contains(c)) {
            orphans.push(format!("{kind}:{id} names customer {c}, who is not there"));
        }
    };
    for o in ops.records().all_sound::<Order>(damaged)? {
        orphan("order", o.id.0, o.customer);
    }
    for d in ops.records().all_sound::<Deal>(damaged)? {
        orphan("deal", d.id.0, Some(d.customer));
    }
    for t in ops.records().all_sound::<Ticket>(damaged)? {
        orphan("ticket", t.id.0, Some(t.customer));
    }
    for n in ops.records().all_sound::<Note>(damaged)? {
        orphan("note", n.id.0, Some(n.customer));
    }
    for f in ops.records().all_sound::<Followup>(damaged)? {
        orphan("followup", f.id.0, Some(f.customer));
    }
    Ok(orphans)
}

/// Each limit given that the findings pass, said as "12 duplicate pairs (at most 10)".
fn over_limits(report: &Report, args: &crate::cli::CheckArgs) -> Vec<String> {
    let count = |what: &str| {
        report
            .findings
            .iter()
            .filter(|f| what.split('|').any(|w| f.what == w))
            .map(|f| f.count)
            .sum::<usize>()
    };
    let mut over = Vec::new();
    for (limit, what, words) in [
        (args.max_duplicates, "duplicate pairs", "duplicate pairs"),
        (
            args.max_invalid,
            "invalid emails|phones that are no number",
            "invalid emails and phones",
        ),
        (
            args.max_orphans,
            "orphaned records|damaged records",
            "orphaned and damaged records",
        ),
    ] {
        if let Some(limit) = limit
            && count(what) > limit
        {
            over.push(format!("{} {words} (at most {limit})", count(what)));
        }
    }
    over
}

fn write_report(
    report: &Report,
    args: &crate::cli::CheckArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match args.format {
        crate::cli::ReportFormat::Json => {
            let shown = Report {
                customers: report.customers,
                findings: report
                    .findings
                    .iter()
                    .map(|f| Finding {
                        what: f.what,
                        count: f.count,
                        records: if args.list {
                            f.records.clone()
                        } else {
                            Vec::new()
                        },
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut *out, &shown)?;
            writeln!(out)?;
        }
        _ => {
            writeln!(out, "{} customers checked", thousands(report.customers))?;
            for f in &report.findings {
                writeln!(out, "{:>9}  {}", thousands(f.count), f.what)?;
                if args.list {
                    for r in &f.records {
                        writeln!(out, "           {r}")?;
                    }
                }
            }
        }
    }
    Ok(())
}
