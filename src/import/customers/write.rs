//! One row written: the customer it matches, updated with what the file says, or a new one.

use super::accounts::{Link, Linker};
use super::*;

/// Writes one row: the customer it matches, updated with what the file says, or a new one.
pub(super) fn upsert(
    tx: &crate::store::Tx,
    row: &Row,
    now: Timestamp,
    options: CustomerImport,
    found: Found,
    present: &std::collections::HashSet<Column>,
    linker: &mut Linker,
) -> TxResult<Decision> {
    let incoming = &row.customer;
    let existing = match existing_for(tx, incoming, options, found)? {
        Ok(existing) => existing,
        Err(why) => return Ok(Err(why)),
    };
    let who = |c: &Customer| format!("customer {} ({})", c.id, c.name);
    let Some(existing) = existing else {
        if options.mode == Mode::Update {
            return Ok(Err(format!(
                "no customer matches '{}' (--mode update)",
                incoming.name
            )));
        }
        let mut new = incoming.clone();
        let link = link(tx, linker, &mut new, now)?;
        let created = tx.create(new)?;
        let outcome = Outcome::Created(format!("{} ({})", created.name, created.id));
        return Ok(Ok((outcome, link)));
    };
    if options.mode == Mode::Create {
        return Ok(Err(format!(
            "{} already exists (--mode create)",
            who(&existing)
        )));
    }
    let mut merged = merged(&existing, row, options, present);
    let link = link(tx, linker, &mut merged, now)?;
    if merged == existing {
        return Ok(Ok((Outcome::Unchanged(who(&existing)), link)));
    }
    let changes = changes(&existing, &merged);
    tx.update(&Customer {
        updated: now,
        ..merged
    })?;
    Ok(Ok((Outcome::Updated(who(&existing), changes), link)))
}

/// Links `c` to its account unless the store will refuse `c` itself (an account made for a row
/// that is then rejected would stay behind).
fn link(
    tx: &crate::store::Tx,
    linker: &mut Linker,
    c: &mut Customer,
    now: Timestamp,
) -> TxResult<Option<Link>> {
    let taken = |by: Unique, value: &Option<String>| -> TxResult<bool> {
        Ok(match value {
            Some(v) => tx.find_id(by, v)?.is_some_and(|id| id != c.id.0),
            None => false,
        })
    };
    if c.validate().is_err()
        || taken(Unique::CustomerEmail, &c.email)?
        || taken(Unique::CustomerExternalId, &c.external_id)?
    {
        return Ok(None);
    }
    linker.link(tx, c, now)
}

/// The stored customer a row is about, by the matching rules in the order they apply (id, email,
/// external id, name and company), kept together so they read as the README states them; why not,
/// when the row cannot be matched as asked.
pub(super) fn existing_for(
    tx: &crate::store::Tx,
    incoming: &Customer,
    options: CustomerImport,
    found: Found,
) -> TxResult<Result<Option<Customer>, String>> {
    let by_key = |by: Unique, value: &Option<String>| -> TxResult<Option<Customer>> {
        match value {
            Some(v) => tx.find::<Customer>(by, v),
            None => Ok(None),
        }
    };
    Ok(Ok(match options.match_by {
        None => {
            let mut found = by_key(Unique::CustomerExternalId, &incoming.external_id)?;
            if found.is_none() {
                // Email finds the customer only if it does not belong to someone with another external
                // id: that is a different person sharing an address, and the create below refuses it.
                found = by_key(Unique::CustomerEmail, &incoming.email)?.filter(|c| {
                    match (&c.external_id, &incoming.external_id) {
                        (Some(theirs), Some(ours)) => theirs == ours,
                        _ => true,
                    }
                });
            }
            found
        }
        Some(MatchBy::ExternalId) if incoming.external_id.is_none() => {
            return Ok(Err("no external id to match on".into()));
        }
        Some(MatchBy::ExternalId) => by_key(Unique::CustomerExternalId, &incoming.external_id)?,
        Some(MatchBy::Email) if incoming.email.is_none() => {
            return Ok(Err("no email to match on".into()));
        }
        Some(MatchBy::Email) => by_key(Unique::CustomerEmail, &incoming.email)?,
        Some(MatchBy::Fuzzy) => match by_key(Unique::CustomerExternalId, &incoming.external_id)? {
            Some(by_id) => Some(by_id),
            None => match found.fuzzy {
                Some(id) => tx.get::<Customer>(id.0)?,
                None => None,
            },
        },
        Some(MatchBy::Name) => match found
            .names
            .get(&incoming.name.to_lowercase())
            .map(Vec::as_slice)
        {
            None | Some([]) => None,
            Some([one]) => tx.get::<Customer>(one.0)?,
            Some(many) => {
                return Ok(Err(format!(
                    "name '{}' matches {} customers; match by email or external id",
                    incoming.name,
                    many.len()
                )));
            }
        },
    }))
}

/// `existing` as the row updates it. An update changes only what the file has columns for: a
/// missing column keeps what is stored, and so does an empty cell unless `--blank clear` (a row
/// found by likeness is another writing of the customer: its empty cells say nothing, whatever
/// the flag).
pub(super) fn merged(
    existing: &Customer,
    row: &Row,
    options: CustomerImport,
    present: &std::collections::HashSet<Column>,
) -> Customer {
    let incoming = &row.customer;
    let blanks_clear = options.blank == Blank::Clear && options.match_by != Some(MatchBy::Fuzzy);
    let has = |c: Column| present.contains(&c) && (blanks_clear || !row.empty.contains(&c));
    let pick = |c: Column, new: &Option<String>, old: &Option<String>| match has(c) {
        true => new.clone(),
        false => old.clone(),
    };
    let mut tags = match has(Column::Tags) {
        true => Vec::new(),
        false => existing.tags.clone(),
    };
    let new_tags: Vec<String> = (incoming.tags.iter())
        .filter(|t| !tags.contains(t))
        .cloned()
        .collect();
    tags.extend(new_tags);
    let (new, old) = (&incoming.address, &existing.address);
    Customer {
        id: existing.id,
        // A customer found by likeness keeps its id: the row's may be another system's.
        external_id: match options.match_by {
            Some(MatchBy::Fuzzy) => existing.external_id.clone(),
            _ => incoming.external_id.clone(),
        }
        .or(existing.external_id.clone())
        .or(incoming.external_id.clone()),
        name: incoming.name.clone(),
        company: pick(Column::Company, &incoming.company, &existing.company),
        email: pick(Column::Email, &incoming.email, &existing.email),
        phone: pick(Column::Phone, &incoming.phone, &existing.phone),
        country: pick(Column::Country, &incoming.country, &existing.country),
        owner: pick(Column::Owner, &incoming.owner, &existing.owner),
        stage: match has(Column::Stage) {
            true => incoming.stage,
            false => existing.stage,
        },
        tags,
        created: existing.created,
        updated: existing.updated,
        address: crate::domain::Address {
            street: pick(Column::Street, &new.street, &old.street),
            city: pick(Column::City, &new.city, &old.city),
            postcode: pick(Column::Postcode, &new.postcode, &old.postcode),
            region: pick(Column::Region, &new.region, &old.region),
        },
        account: incoming.account.or(existing.account),
    }
}

/// Each field an update changes, before -> after.
pub(super) fn changes(old: &Customer, new: &Customer) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    let list = |v: &[String]| match v.is_empty() {
        true => "(none)".to_string(),
        false => v.join(", "),
    };
    let fields: [(&str, String, String); 13] = [
        ("name", old.name.clone(), new.name.clone()),
        (
            "external id",
            text(&old.external_id),
            text(&new.external_id),
        ),
        ("company", text(&old.company), text(&new.company)),
        ("email", text(&old.email), text(&new.email)),
        ("phone", text(&old.phone), text(&new.phone)),
        ("country", text(&old.country), text(&new.country)),
        ("owner", text(&old.owner), text(&new.owner)),
        ("stage", old.stage.to_string(), new.stage.to_string()),
        ("tags", list(&old.tags), list(&new.tags)),
        (
            "street",
            text(&old.address.street),
            text(&new.address.street),
        ),
        ("city", text(&old.address.city), text(&new.address.city)),
        (
            "postcode",
            text(&old.address.postcode),
            text(&new.address.postcode),
        ),
        (
            "region",
            text(&old.address.region),
            text(&new.address.region),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(field, a, b)| format!("{field}: {a} -> {b}"))
        .collect()
}
