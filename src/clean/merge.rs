//! What a merge makes of two customers: the kept one's empty fields filled from the other, and
//! where both hold a value, the one chosen. The command line and the app plan merges here.

use crate::domain::Customer;

/// The fields a merge fills or chooses, by the name `--take` uses.
pub const FIELDS: &[&str] = &[
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

pub fn plan(keep: &Customer, other: &Customer, take: &[String]) -> Result<Plan, String> {
    if let Some(unknown) = take.iter().find(|t| !FIELDS.contains(&t.as_str())) {
        return Err(format!(
            "{unknown}: a field is one of {}",
            FIELDS.join(", ")
        ));
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
