//! Accounts from a CSV file with a header row: name (required), domain, phone, country, owner,
//! tags and the address parts. A row updates the account with its domain, else the one account
//! with its name (folded as accounts are matched), else makes one; a name several accounts share
//! is rejected for the user to settle.

use super::known_accounts::KnownAccounts;
use super::text::{CsvRows, clean, decode};
use super::{ImportError, ImportReport, OnReject, Rejection, Stop, check_rejections};
use crate::domain::{Account, Timestamp, normal_domain};
use crate::store::{Store, Tx, TxResult};
use std::collections::HashMap;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Name,
    Domain,
    Phone,
    Country,
    Owner,
    Tags,
    Street,
    City,
    Postcode,
    Region,
    Other,
}

fn column_for(header: &str) -> Column {
    match crate::text::loose_key(header).as_str() {
        "name" | "account" | "company" | "organisation" | "organization" | "accountname" => {
            Column::Name
        }
        "domain" | "website" | "web" | "url" | "site" => Column::Domain,
        "phone" | "telephone" | "tel" | "phonenumber" => Column::Phone,
        "country" => Column::Country,
        "owner" | "rep" | "accountowner" | "salesrep" => Column::Owner,
        "tags" | "tag" | "labels" => Column::Tags,
        "street" | "address" | "address1" | "addressline1" | "streetaddress" => Column::Street,
        "city" | "town" | "locality" => Column::City,
        "postcode" | "zip" | "zipcode" | "postalcode" => Column::Postcode,
        "region" | "state" | "county" | "province" => Column::Region,
        _ => Column::Other,
    }
}

/// The cells of one row, by column, empty ones left out: an empty cell says nothing.
type Cells = HashMap<ColumnKey, String>;
type ColumnKey = u8;

fn key(c: Column) -> ColumnKey {
    c as u8
}

pub fn import_accounts(
    store: &Store,
    path: &Path,
    now: Timestamp,
    dry_run: bool,
    on_reject: OnReject,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let rows = read(path, &mut report, on_reject)?;
    report.accounts.in_file = rows.len();
    let known = std::cell::RefCell::new(KnownAccounts::read(store)?);
    // A transaction may run again: it works on a copy, kept only once it is written.
    let each = |tx: &Tx, batch: &[(u64, Cells)]| -> TxResult<(Vec<Said>, KnownAccounts)> {
        let mut mine = known.borrow().clone();
        let mut said = Vec::new();
        for (line, cells) in batch {
            said.push((*line, row(tx, cells, now, &mut mine)?));
        }
        Ok((said, mine))
    };
    let mut outcomes = Vec::new();
    if dry_run {
        outcomes = store.simulate(|tx| each(tx, &rows))?.0;
    } else {
        for batch in rows.chunks(250) {
            let (said, mine) = store.write(|tx| each(tx, batch))?;
            outcomes.extend(said);
            *known.borrow_mut() = mine;
        }
    }
    for (line, outcome) in outcomes {
        match outcome {
            Ok(Done::Created(who)) => {
                report.accounts.created += 1;
                dry_said(&mut report, dry_run, line, format!("create {who}"));
            }
            Ok(Done::Updated(who)) => {
                report.accounts.updated += 1;
                dry_said(&mut report, dry_run, line, format!("update {who}"));
            }
            Ok(Done::Unchanged) => report.accounts.unchanged += 1,
            Err(reason) => {
                report.accounts.in_file -= 1;
                let rejection = Rejection { line, reason };
                on_reject(&rejection);
                report.rejected.push(rejection);
            }
        }
    }
    if dry_run {
        report.remarks.push("dry run: nothing was written".into());
    }
    report.rows_imported = report.rows_read - report.rejected.len();
    Ok(report)
}

fn dry_said(report: &mut ImportReport, dry_run: bool, line: u64, what: String) {
    if dry_run {
        report.remarks.push(format!("line {line}: would {what}"));
    }
}

enum Done {
    Created(String),
    Updated(String),
    Unchanged,
}

type Said = (u64, Result<Done, String>);

/// One row written: the account it names, with what the row says, or a new one.
fn row(
    tx: &Tx,
    cells: &Cells,
    now: Timestamp,
    known: &mut KnownAccounts,
) -> TxResult<Result<Done, String>> {
    let cell = |c: Column| cells.get(&key(c)).cloned();
    let name = cell(Column::Name).unwrap_or_default();
    let domain = match cell(Column::Domain) {
        Some(d) => match normal_domain(&d) {
            Some(d) => Some(d),
            None => {
                return Ok(Err(format!(
                    "domain: '{d}' is not a domain like example.com"
                )));
            }
        },
        None => None,
    };
    let by_domain = domain.as_ref().map(|d| known.at(d).to_vec());
    let by_name = Some(known.named(&crate::text::company(&name)).to_vec());
    let found = match (by_domain.as_deref(), by_name.as_deref()) {
        (Some([one]), _) => Some(*one),
        (Some([_, _, ..]), _) => {
            return Ok(Err(format!(
                "{} accounts have the domain {}; give each its own first",
                by_domain.map_or(0, |v| v.len()),
                domain.unwrap_or_default()
            )));
        }
        (_, Some([one])) => Some(*one),
        (_, Some([_, _, ..])) => {
            return Ok(Err(format!(
                "{} accounts are called {name}: add a domain column to say which",
                by_name.map_or(0, |v| v.len())
            )));
        }
        _ => None,
    };
    let old = match found {
        Some(id) => tx.get::<Account>(id.0)?,
        None => None,
    };
    let mut new = old
        .clone()
        .unwrap_or_else(|| Account::new(name.clone(), now));
    let set = |field: &mut Option<String>, c: Column| {
        if let Some(v) = cell(c) {
            *field = Some(v);
        }
    };
    if old.is_some() && !name.is_empty() {
        new.name = name;
    }
    if domain.is_some() {
        new.domain = domain;
    }
    set(&mut new.phone, Column::Phone);
    set(&mut new.country, Column::Country);
    set(&mut new.owner, Column::Owner);
    set(&mut new.address.street, Column::Street);
    set(&mut new.address.city, Column::City);
    set(&mut new.address.postcode, Column::Postcode);
    set(&mut new.address.region, Column::Region);
    if let Some(tags) = cell(Column::Tags) {
        new.tags = (tags.split([';', ',']).map(str::trim))
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
    }
    if let Err(e) = new.validate() {
        return Ok(Err(e.to_string()));
    }
    let who = |a: &Account| format!("account {} ({})", a.id, a.name);
    Ok(Ok(match old {
        Some(old) if old == new => Done::Unchanged,
        Some(old) => {
            new.updated = now;
            tx.update(&new)?;
            known.forget(&old);
            known.add(&new);
            Done::Updated(who(&new))
        }
        None => {
            let made = tx.create(new)?;
            known.add(&made);
            Done::Created(who(&made))
        }
    }))
}

/// The file's rows as cells; a row without a name is rejected.
fn read(
    path: &Path,
    report: &mut ImportReport,
    on_reject: OnReject,
) -> Result<Vec<(u64, Cells)>, ImportError> {
    let mut reader = CsvRows::new(super::open(path)?, true);
    let headers: Vec<Column> = reader
        .headers()
        .map_err(|e| ImportError::bad_header(path, "an accounts CSV", e))?
        .iter()
        .map(|h| column_for(clean(&decode(h))))
        .collect();
    if !headers.contains(&Column::Name) {
        return Err(ImportError::WrongFormat {
            path: path.to_path_buf(),
            format: "an accounts CSV",
            why: "the header has no name column".into(),
        });
    }
    let mut rows = Vec::new();
    let mut reject = |report: &mut ImportReport, line: u64, reason: String| {
        let rejection = Rejection { line, reason };
        on_reject(&rejection);
        report.rejected.push(rejection);
    };
    while let Some(item) = reader.next() {
        let (line, record) = item.map_err(|e| Stop::from(e).at(path))?;
        check_rejections(report.rows_read, report.rejected.len(), line)
            .map_err(|e| Stop::from(e).at(path))?;
        report.rows_read += 1;
        let record = match record {
            Ok(record) if record.len() == headers.len() => record,
            Ok(record) => {
                let why = format!("expected {} fields, found {}", headers.len(), record.len());
                reject(report, line, why);
                continue;
            }
            Err(reason) => {
                reject(report, line, reason);
                continue;
            }
        };
        let cells: Cells = (headers.iter().zip(record.iter()))
            .filter(|(c, _)| **c != Column::Other)
            .map(|(c, v)| (key(*c), clean(&decode(v)).trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        match cells.contains_key(&key(Column::Name)) {
            true => rows.push((line, cells)),
            false => reject(report, line, "name: empty".into()),
        }
    }
    Ok(rows)
}
