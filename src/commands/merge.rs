//! `rapport merge KEEP OTHER` and `rapport unmerge`: two customers made one, and back.

use super::{UsageError, find_customer};
use crate::domain::Customer;
use crate::ops::Ops;

use crate::text::{count, safe};
use std::io::Write;

pub use crate::clean::merge::plan;

fn who(c: &Customer) -> String {
    format!("customer {} ({})", c.id, safe(&c.name))
}

pub fn merge(
    ops: &Ops,
    keep: &str,
    other: &str,
    take: &[String],
    dry_run: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (keep, other) = (find_customer(ops, keep)?, find_customer(ops, other)?);
    if keep.id == other.id {
        return Err(UsageError(format!("{} and {} are one customer", keep.id, other.id)).into());
    }
    let plan = plan(&keep, &other, take).map_err(|e| UsageError(format!("--take {e}")))?;
    let moving = ops.records().history_of(other.id)?;
    let moved = match dry_run {
        true => moving,
        false => {
            // Both as read above: a change since (another merge of the pair) refuses this one.
            let seen = [keep.clone(), other.clone()];
            super::records::acting(ops, None)
                .merge(&plan.kept, other.id, &seen)?
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
    ops: &Ops,
    a: &str,
    b: &str,
    undo: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (a, b) = (find_customer(ops, a)?, find_customer(ops, b)?);
    if a.id == b.id {
        return Err(UsageError(format!("{} and {} are one customer", a.id, b.id)).into());
    }
    super::records::acting(ops, None).mark_distinct(a.id, b.id, !undo)?;
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
    ops: &Ops,
    customer: Option<&str>,
    force: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let merges = ops.records().merges()?;
    let wanted = match customer {
        None => None,
        Some(text) => Some(match text.parse::<u64>() {
            Ok(id) => crate::domain::CustomerId(id),
            Err(_) => find_customer(ops, text)?.id,
        }),
    };
    let merge = merges
        .iter()
        .rev()
        .filter(|m| !m.undone)
        .find(|m| wanted.is_none_or(|id| m.kept == id || m.other == id))
        // Typed right, with nothing to do: a runtime outcome (1), not a usage error (2).
        .ok_or_else(|| match customer {
            Some(c) => anyhow::anyhow!("no merge of customer {c} to take back"),
            None => anyhow::anyhow!("no merge to take back"),
        })?;
    let done = match super::records::acting(ops, None).unmerge(merge.batch, force) {
        Err(crate::ops::OpsError::ChangedSince { changed, .. }) => anyhow::bail!(
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
