//! `rapport duplicates`: customers that look like one person written twice, with the reasons.

use crate::clean::link;
use crate::cli::DuplicatesArgs;
use crate::domain::{Customer, CustomerId};
use crate::ops::Ops;

use crate::text::{count, safe, thousands};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

#[derive(Serialize, Default)]
struct Row {
    a_customer_id: String,
    b_customer_id: String,
    score: f64,
    reasons: String,
}

pub fn run(ops: &Ops, args: &DuplicatesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let found = crate::clean::duplicates(ops.records(), args.min_score)?;
    let pairs = found.pairs;
    // Only the customers named in a pair are read again, for their names and external ids.
    let mut by_id: HashMap<CustomerId, Customer> = HashMap::new();
    for id in pairs.iter().flat_map(|p| [p.a, p.b]) {
        if !by_id.contains_key(&id)
            && let Some(c) = ops.records().get::<Customer>(id.0)?
        {
            by_id.insert(id, c);
        }
    }
    let name = |id: CustomerId| {
        by_id
            .get(&id)
            .map_or_else(|| id.to_string(), |c| c.export_id())
    };
    let Some(format) = args.format.rows() else {
        if found.model.compared() == 0 {
            // No candidates: a share of matches "learned" from none would be a made-up figure.
            let why = match found.with_contact {
                0 => "none has an email, a phone or an address, and no two names are alike",
                _ => "no two share an email, a phone or a postcode, or have names alike",
            };
            writeln!(
                out,
                "no pair of the {} could be compared: {why}",
                count(found.customers, "customer", "customers")
            )?;
            return Ok(());
        }
        writeln!(
            out,
            "{} of {} look like one person (score {} or more; {:.1}% of the {} compared are matches, by the model)",
            count(pairs.len(), "pair", "pairs"),
            count(found.customers, "customer", "customers"),
            args.min_score,
            100.0 * found.model.prior,
            count(found.model.compared(), "pair", "pairs"),
        )?;
        for p in pairs.iter().take(50) {
            let who = |id: CustomerId| {
                by_id
                    .get(&id)
                    .map_or("?".to_string(), |c| format!("{} (#{})", safe(&c.name), id))
            };
            writeln!(
                out,
                "{:.3}  {}  ~  {}: {}",
                p.score,
                who(p.a),
                who(p.b),
                p.reasons
            )?;
        }
        if pairs.len() > 50 {
            writeln!(
                out,
                "… and {} more (--format csv lists all)",
                thousands(pairs.len() - 50)
            )?;
        }
        return Ok(());
    };
    let rows: Vec<Row> = pairs
        .iter()
        .map(|p| Row {
            a_customer_id: name(p.a),
            b_customer_id: name(p.b),
            score: p.score,
            reasons: p.reasons.clone(),
        })
        .collect();
    crate::export::write_rows(&rows, format, out)?;
    Ok(())
}

#[derive(Serialize)]
struct Evaluation {
    customers: usize,
    written_again: usize,
    housemates: usize,
    fields: &'static str,
    true_pairs: usize,
    candidate_pairs: usize,
    true_pairs_among_candidates: usize,
    min_score: f64,
    found: usize,
    right: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    seconds: f64,
}

/// A labelled customer as other tools read it.
#[derive(Serialize)]
struct LabelledRow<'a> {
    #[serde(rename = "customer id")]
    id: String,
    name: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    company: Option<&'a str>,
    street: Option<&'a str>,
    city: Option<&'a str>,
    postcode: Option<&'a str>,
    region: Option<&'a str>,
    country: Option<&'a str>,
    person: u32,
}

/// `rapport eval duplicates`: demo customers with duplicates written in, found again, scored.
pub fn eval(args: &crate::cli::EvalDuplicatesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a day");
    let clean = crate::demo::people(args.customers as usize, args.seed, as_of);
    let originals = clean.len();
    let mut data = crate::demo::inject(clean, args.share, args.seed);
    if args.names_and_addresses {
        for c in &mut data.customers {
            (c.email, c.phone, c.company) = (None, None, None);
        }
    }
    if let Some(path) = &args.write {
        write_labelled(path, &data)?;
    }
    let truth: std::collections::HashSet<(CustomerId, CustomerId)> =
        data.true_pairs().into_iter().collect();
    let started = std::time::Instant::now();
    let (_, pairs) = link::find(&data.customers, None, args.min_score);
    let seconds = started.elapsed().as_secs_f64();
    let prepared: Vec<link::Prepared> = data
        .customers
        .iter()
        .map(|c| link::Prepared::of(c, None))
        .collect();
    let candidates = link::candidates(&prepared, link::WINDOW);
    let among = candidates
        .iter()
        .filter(|&&(i, j)| truth.contains(&(prepared[i as usize].id, prepared[j as usize].id)))
        .count();
    let right = pairs.iter().filter(|p| truth.contains(&(p.a, p.b))).count();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(right, pairs.len()), ratio(right, truth.len()));
    let written_again = (originals..data.customers.len())
        .filter(|&i| data.person[i] as usize != i)
        .count();
    let e = Evaluation {
        customers: originals,
        written_again,
        housemates: data.customers.len() - originals - written_again,
        fields: match args.names_and_addresses {
            true => "names and addresses",
            false => "names, contacts and addresses",
        },
        true_pairs: truth.len(),
        candidate_pairs: candidates.len(),
        true_pairs_among_candidates: among,
        min_score: args.min_score,
        found: pairs.len(),
        right,
        precision,
        recall,
        f1: match precision + recall {
            0.0 => 0.0,
            sum => 2.0 * precision * recall / sum,
        },
        seconds,
    };
    report(out, &e, args, among)?;
    Ok(())
}

/// The customers with the person each one is, for a reference tool to score beside this one.
fn write_labelled(path: &std::path::Path, data: &crate::demo::Labelled) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    for (c, person) in data.customers.iter().zip(&data.person) {
        w.serialize(LabelledRow {
            id: c.export_id(),
            name: &c.name,
            email: c.email.as_deref(),
            phone: c.phone.as_deref(),
            company: c.company.as_deref(),
            street: c.address.street.as_deref(),
            city: c.address.city.as_deref(),
            postcode: c.address.postcode.as_deref(),
            region: c.address.region.as_deref(),
            country: c.country.as_deref(),
            person: *person,
        })?;
    }
    w.flush()?;
    Ok(())
}

fn report(
    out: &mut dyn Write,
    e: &Evaluation,
    args: &crate::cli::EvalDuplicatesArgs,
    among: usize,
) -> anyhow::Result<()> {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    match args.format {
        crate::cli::ReportFormat::Table => {
            writeln!(
                out,
                "{} demo customers (seed {}), {} written again, {} housemates who are not; {}",
                thousands(e.customers),
                args.seed,
                thousands(e.written_again),
                thousands(e.housemates),
                e.fields
            )?;
            writeln!(
                out,
                "true pairs {}; candidate pairs {} hold {} of them ({:.1}%)",
                thousands(e.true_pairs),
                thousands(e.candidate_pairs),
                thousands(among),
                100.0 * ratio(among, e.true_pairs)
            )?;
            writeln!(
                out,
                "score {} or more: {} found, {} right: precision {:.4}, recall {:.4}, F1 {:.4} ({:.2} s)",
                e.min_score,
                thousands(e.found),
                thousands(e.right),
                e.precision,
                e.recall,
                e.f1,
                e.seconds
            )?;
        }
        crate::cli::ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, e)?;
            writeln!(out)?;
        }
        crate::cli::ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.serialize(e)?;
            w.flush()?;
        }
    }
    Ok(())
}
