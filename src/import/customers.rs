//! Customers from a CSV file with a header row. Known columns are matched by name (with the usual
//! aliases); any other column becomes a `column:value` tag, and the report says which ones did.
//! A row updates the customer with the same external id, else the same email, else creates one.

use super::text::{CsvRows, clean, decode};
use super::{ImportError, ImportReport, OnReject, Rejection, progress};
use crate::domain::{Customer, CustomerId, Lifecycle, Timestamp};
use crate::store::{Store, StoreError, TxResult, Unique};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    ExternalId,
    Name,
    Company,
    Email,
    Phone,
    Country,
    Tags,
    Owner,
    Stage,
    Extra,
}

fn column_for(header: &str) -> Column {
    let h: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    match h.as_str() {
        "id" | "externalid" | "customerid" | "customer" => Column::ExternalId,
        "name" | "fullname" | "contact" | "contactname" => Column::Name,
        "company" | "organisation" | "organization" | "account" => Column::Company,
        "email" | "emailaddress" | "mail" => Column::Email,
        "phone" | "telephone" | "tel" | "mobile" | "phonenumber" => Column::Phone,
        "country" => Column::Country,
        "tags" | "tag" | "labels" => Column::Tags,
        "owner" | "rep" | "accountowner" | "salesrep" => Column::Owner,
        "stage" | "lifecycle" | "lifecyclestage" | "status" => Column::Stage,
        _ => Column::Extra,
    }
}

struct Row {
    line: u64,
    customer: Customer,
}

pub fn import_customers(
    store: &Store,
    path: &Path,
    now: Timestamp,
    on_reject: OnReject,
) -> Result<ImportReport, ImportError> {
    let file = super::open(path)?;
    let mut reader = CsvRows::new(file, true);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::WrongFormat {
            path: path.to_path_buf(),
            format: "a customers CSV",
            why: format!("no header row ({e})"),
        })?
        .iter()
        .map(|h| clean(&decode(h)).to_string())
        .collect();
    let columns: Vec<Column> = headers.iter().map(|h| column_for(h)).collect();
    if !columns.contains(&Column::Name) {
        return Err(ImportError::WrongFormat {
            path: path.to_path_buf(),
            format: "a customers CSV",
            why: "the header has no name column".into(),
        });
    }

    let mut report = ImportReport::default();
    let extras: Vec<&str> = headers
        .iter()
        .zip(&columns)
        .filter(|(_, c)| **c == Column::Extra)
        .map(|(h, _)| h.as_str())
        .collect();
    if !extras.is_empty() {
        report.remarks.push(format!(
            "columns kept as tags (column:value): {}",
            extras.join(", ")
        ));
    }

    let mut rows = Vec::new();
    while let Some((line, record)) = reader.next() {
        report.rows_read += 1;
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                reject(&mut report, on_reject, line, reason);
                continue;
            }
        };
        if record.len() != headers.len() {
            let why = format!("expected {} fields, found {}", headers.len(), record.len());
            reject(&mut report, on_reject, line, why);
            continue;
        }
        let fields: Vec<String> = record
            .iter()
            .map(|f| clean(&decode(f)).to_string())
            .collect();
        match read_row(&headers, &columns, &fields, now) {
            Ok(customer) => rows.push(Row { line, customer }),
            Err(reason) => reject(&mut report, on_reject, line, reason),
        }
    }

    report.customers.in_file = rows.len();
    let bar = progress::bar(rows.len() as u64, "customers");
    for batch in rows.chunks(250) {
        let (outcomes, refused) = store.write(|tx| {
            let mut outcomes = [0usize; 3];
            let mut refused = Vec::new();
            for row in batch {
                match upsert(tx, &row.customer, now) {
                    Ok(outcome) => outcomes[outcome] += 1,
                    Err(e) => refused.push((row.line, e.into_refusal()?)),
                }
            }
            Ok((outcomes, refused))
        })?;
        report.customers.created += outcomes[CREATED];
        report.customers.updated += outcomes[UPDATED];
        report.customers.unchanged += outcomes[UNCHANGED];
        for (line, error) in refused {
            report.customers.in_file -= 1;
            reject(&mut report, on_reject, line, refusal_reason(&error));
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    report.rows_imported = report.rows_read - report.rejected.len();
    Ok(report)
}

fn refusal_reason(error: &StoreError) -> String {
    match error {
        StoreError::Invalid { cause, .. } => cause.to_string(),
        other => other.to_string(),
    }
}

fn reject(report: &mut ImportReport, on_reject: OnReject, line: u64, reason: String) {
    let rejection = Rejection { line, reason };
    on_reject(&rejection);
    report.rejected.push(rejection);
}

const CREATED: usize = 0;
const UPDATED: usize = 1;
const UNCHANGED: usize = 2;

fn upsert(tx: &crate::store::Tx, incoming: &Customer, now: Timestamp) -> TxResult<usize> {
    let mut existing = None;
    if let Some(ext) = &incoming.external_id {
        existing = tx.find::<Customer>(Unique::CustomerExternalId, ext)?;
    }
    if existing.is_none()
        && let Some(email) = &incoming.email
    {
        // Email finds the customer only if it does not belong to someone with another external id:
        // that is a different person sharing an address, and the create below refuses it.
        existing = tx
            .find::<Customer>(Unique::CustomerEmail, email)?
            .filter(|found| match (&found.external_id, &incoming.external_id) {
                (Some(theirs), Some(ours)) => theirs == ours,
                _ => true,
            });
    }
    let Some(existing) = existing else {
        tx.create(incoming.clone())?;
        return Ok(CREATED);
    };
    let merged = Customer {
        id: existing.id,
        created: existing.created,
        updated: existing.updated,
        external_id: incoming
            .external_id
            .clone()
            .or(existing.external_id.clone()),
        ..incoming.clone()
    };
    if merged == existing {
        return Ok(UNCHANGED);
    }
    tx.update(&Customer {
        updated: now,
        ..merged
    })?;
    Ok(UPDATED)
}

fn read_row(
    headers: &[String],
    columns: &[Column],
    fields: &[String],
    now: Timestamp,
) -> Result<Customer, String> {
    let mut c = Customer::new("", now);
    c.id = CustomerId(0);
    let text = |v: &str| Some(v.to_string()).filter(|s| !s.is_empty());
    for ((header, column), value) in headers.iter().zip(columns).zip(fields) {
        match column {
            Column::ExternalId => c.external_id = text(value),
            Column::Name => c.name = value.clone(),
            Column::Company => c.company = text(value),
            Column::Email => c.email = text(value),
            Column::Phone => c.phone = text(value),
            Column::Country => c.country = text(value),
            Column::Owner => c.owner = text(value),
            Column::Tags => c.tags.extend(
                value
                    .split([';', '|', ','])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
            ),
            Column::Stage => {
                if !value.is_empty() {
                    c.stage = value
                        .parse::<Lifecycle>()
                        .map_err(|e| format!("stage: {e}"))?;
                }
            }
            Column::Extra => {
                if !value.is_empty() {
                    c.tags.push(format!("{header}:{value}"));
                }
            }
        }
    }
    c.validate().map_err(|e| e.to_string())?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_by_name_and_alias() {
        assert_eq!(column_for("E-mail Address"), Column::Email);
        assert_eq!(column_for("Customer ID"), Column::ExternalId);
        assert_eq!(column_for("Lifecycle Stage"), Column::Stage);
        assert_eq!(column_for("Shoe size"), Column::Extra);
    }

    #[test]
    fn unknown_columns_become_tags() {
        let headers: Vec<String> = ["Name", "Email", "Region"].map(String::from).to_vec();
        let columns: Vec<Column> = headers.iter().map(|h| column_for(h)).collect();
        let fields: Vec<String> = ["Ada", "ada@example.com", "North"]
            .map(String::from)
            .to_vec();
        let c = read_row(&headers, &columns, &fields, chrono::Utc::now()).unwrap();
        assert_eq!(c.tags, vec!["Region:North".to_string()]);
        let bad: Vec<String> = ["Ada", "not-an-email", ""].map(String::from).to_vec();
        let err = read_row(&headers, &columns, &bad, chrono::Utc::now()).unwrap_err();
        assert!(err.starts_with("email:"), "{err}");
    }
}
