//! `rapport duplicates`: customers that look like one person written twice, with the reasons.

use crate::clean::link;
use crate::cli::DuplicatesArgs;
use crate::domain::{Customer, CustomerId};
use crate::store::Store;
use crate::text::{safe, thousands};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

#[derive(Serialize)]
struct Row {
    a_customer_id: String,
    b_customer_id: String,
    score: f64,
    reasons: String,
}

pub fn run(store: &Store, args: &DuplicatesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let customers: Vec<Customer> = store.all_sound(&mut Vec::new())?;
    let (model, pairs) = link::find(&customers, None, args.min_score);
    let by_id: HashMap<CustomerId, &Customer> = customers.iter().map(|c| (c.id, c)).collect();
    let name = |id: CustomerId| {
        by_id
            .get(&id)
            .map_or_else(|| id.to_string(), |c| c.export_id())
    };
    let Some(format) = args.format.rows() else {
        writeln!(
            out,
            "{} pairs of {} customers look like one person (score {} or more; {:.1}% of the pairs compared are matches, by the model)",
            thousands(pairs.len()),
            thousands(customers.len()),
            args.min_score,
            100.0 * model.prior
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
