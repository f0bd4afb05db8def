//! `rapport merge KEEP OTHER` and `rapport unmerge`: two customers made one, and back.

use super::{UsageError, find_customer};
use crate::domain::Customer;
use crate::ops::{Actor, Ops};
use crate::store::Store;
use crate::text::{count, safe};
use std::io::Write;

/// The fields a merge fills or chooses, by the name `--take` uses.
const FIELDS: &[&str] = &[
    "name",
    "company",
    "email",
    "phone",
    "country",
    "owner",
    "external_id",
    "street",
    "city",
    "postcode",
    "region",
];

fn slot<'a>(c: &'a mut Customer, field: &str) -> Option<&'a mut Option<String>> {
    Some(match field {
        "company" => &mut c.company,
        "email" => &mut c.email,
        "phone" => &mut c.phone,
        "country" => &mut c.country,
        "owner" => &mut c.owner,
        "external_id" => &mut c.external_id,
        "street" => &mut c.address.street,
        "city" => &mut c.address.city,
        "postcode" => &mut c.address.postcode,
        "region" => &mut c.address.region,
        _ => return None,
    })
}

/// What the kept customer becomes: its empty fields filled from the other, its tags joined with
/// the other's, and where both hold different values, its own unless `take` names the field.
pub struct Plan {
    pub kept: Customer,
    pub filled: Vec<&'static str>,
    /// (field, value kept, value dropped)
    pub conflicts: Vec<(&'static str, String, String)>,
}

pub fn plan(keep: &Customer, other: &Customer, take: &[String]) -> Result<Plan, UsageError> {
    if let Some(unknown) = take.iter().find(|t| !FIELDS.contains(&t.as_str())) {
        return Err(UsageError(format!(
            "--take {unknown}: a field is one of {}",
            FIELDS.join(", ")
        )));
    }
    let mut kept = keep.clone();
    let (mut filled, mut conflicts) = (Vec::new(), Vec::new());
    for &field in FIELDS {
        let theirs = match field {
            "name" => Some(other.name.clone()),
            _ => slot(&mut other.clone(), field).and_then(|v| v.clone()),
        };
        let Some(theirs) = theirs else { continue };
        let taken = take.iter().any(|t| t == field);
        let mine = match field {
            "name" => Some(kept.name.clone()),
            _ => slot(&mut kept, field).and_then(|v| v.clone()),
        };
        match mine {
            None => {
                *slot(&mut kept, field).expect("a field") = Some(theirs);
                filled.push(field);
            }
            Some(mine) if mine == theirs => {}
            Some(mine) if taken => {
                match field {
                    "name" => kept.name = theirs.clone(),
                    _ => *slot(&mut kept, field).expect("a field") = Some(theirs.clone()),
                }
                conflicts.push((field, theirs, mine));
            }
            Some(mine) => conflicts.push((field, mine, theirs)),
        }
    }
    for tag in &other.tags {
        if !kept.tags.contains(tag) {
            kept.tags.push(tag.clone());
        }
    }
    // Known since whichever was written first.
    kept.created = keep.created.min(other.created);
    kept.updated = chrono::Utc::now();
    Ok(Plan {
        kept,
        filled,
        conflicts,
    })
}

fn who(c: &Customer) -> String {
    format!("customer {} ({})", c.id, safe(&c.name))
}

pub fn merge(
    store: &Store,
    keep: &str,
    other: &str,
    take: &[String],
    dry_run: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (keep, other) = (find_customer(store, keep)?, find_customer(store, other)?);
    if keep.id == other.id {
        return Err(UsageError(format!("{} and {} are one customer", keep.id, other.id)).into());
    }
    let plan = plan(&keep, &other, take)?;
    let moving = store.history_of(other.id)?;
    let moved = match dry_run {
        true => moving,
        false => {
            Ops::new(store.clone(), Actor::local())
                .merge(&plan.kept, other.id)?
                .1
        }
    };
    let verb = if dry_run { "would merge" } else { "merged" };
    writeln!(
        out,
        "{verb} {} into {}: {}, {}, {}, {}, {} moved; {} to the trash",
        who(&other),
        who(&keep),
        count(moved.orders, "order", "orders"),
        count(moved.deals, "deal", "deals"),
        count(moved.tickets, "ticket", "tickets"),
        count(moved.notes, "note", "notes"),
        count(moved.followups, "follow-up", "follow-ups"),
        who(&other)
    )?;
    if !plan.filled.is_empty() {
        writeln!(out, "filled from {}: {}", other.id, plan.filled.join(", "))?;
    }
    for (field, kept, dropped) in &plan.conflicts {
        let hint = match take.iter().any(|t| t == field) {
            true => String::new(),
            false => format!(" (--take {field} keeps the other)"),
        };
        writeln!(
            out,
            "{field}: kept '{}', not '{}'{hint}",
            safe(kept),
            safe(dropped)
        )?;
    }
    if !dry_run {
        writeln!(out, "`rapport unmerge {}` takes it back", keep.id)?;
    }
    Ok(())
}

pub fn distinct(
    store: &Store,
    a: &str,
    b: &str,
    undo: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (a, b) = (find_customer(store, a)?, find_customer(store, b)?);
    if a.id == b.id {
        return Err(UsageError(format!("{} and {} are one customer", a.id, b.id)).into());
    }
    Ops::new(store.clone(), Actor::local()).mark_distinct(a.id, b.id, !undo)?;
    match undo {
        false => writeln!(
            out,
            "{} and {} are two people: no longer shown as duplicates",
            who(&a),
            who(&b)
        )?,
        true => writeln!(
            out,
            "{} and {} may show as duplicates again",
            who(&a),
            who(&b)
        )?,
    }
    Ok(())
}

/// Takes back the newest merge that `customer` was part of (of all, with None).
pub fn unmerge(
    store: &Store,
    customer: Option<&str>,
    force: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let merges = store.merges()?;
    let wanted = match customer {
        None => None,
        Some(text) => Some(match text.parse::<u64>() {
            Ok(id) => crate::domain::CustomerId(id),
            Err(_) => find_customer(store, text)?.id,
        }),
    };
    let merge = merges
        .iter()
        .rev()
        .filter(|m| !m.undone)
        .find(|m| wanted.is_none_or(|id| m.kept == id || m.other == id))
        .ok_or_else(|| {
            UsageError(match customer {
                Some(c) => format!("no merge of customer {c} to take back"),
                None => "no merge to take back".into(),
            })
        })?;
    let done = match Ops::new(store.clone(), Actor::local()).unmerge(merge.batch, force) {
        Err(crate::store::StoreError::ChangedSinceImport { changed, .. }) => anyhow::bail!(
            "the merge of customer {} into {} was not taken back: {} changed since ({}); \
             --force puts them back as the merge found them",
            merge.other.0,
            merge.kept.0,
            count(changed.len(), "record", "records"),
            changed.join(", ")
        ),
        done => done?,
    };
    let restored: usize = done.restored.values().sum();
    writeln!(
        out,
        "unmerged customer {} from customer {}: {} put back as they were",
        merge.other.0,
        merge.kept.0,
        count(restored, "record", "records")
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_fill_and_conflicts_keep_the_kept_unless_taken() {
        let now = chrono::Utc::now();
        let mut keep = Customer::new("Ada Chen", now);
        keep.email = Some("ada@example.com".into());
        keep.tags = vec!["retail".into()];
        let mut other = Customer::new("ada chen", now - chrono::Duration::days(9));
        other.email = Some("ada.chen@example.net".into());
        other.phone = Some("+44 117 496 0123".into());
        other.address.street = Some("12 Quay St".into());
        other.tags = vec!["vip".into(), "retail".into()];
        let p = plan(&keep, &other, &[]).unwrap();
        assert_eq!(p.kept.phone, other.phone);
        assert_eq!(p.kept.address.street, other.address.street);
        assert_eq!(p.kept.email, keep.email);
        assert_eq!(p.filled, vec!["phone", "street"]);
        assert_eq!(p.conflicts.len(), 2, "name and email differ");
        assert_eq!(p.kept.tags, vec!["retail", "vip"]);
        assert_eq!(p.kept.created, other.created);
        let p = plan(&keep, &other, &["email".into()]).unwrap();
        assert_eq!(p.kept.email, other.email);
        assert_eq!(p.kept.name, "Ada Chen");
        assert!(plan(&keep, &other, &["shoe".into()]).is_err());
    }
}
