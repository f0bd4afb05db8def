//! Customers from a CSV file with a header row. Known columns are matched by name (with the usual
//! aliases); any other column becomes a `column:value` tag, and the report says which ones did.
//! A row updates the customer with the same external id, else the same email, else creates one.
//! With `--match fuzzy` it updates the customer it most likely is, as `rapport duplicates` scores
//! a pair, where that score reaches the threshold.

mod accounts;
mod matching;
mod write;

use super::text::{CsvRows, clean, decode};
use super::{ImportError, ImportReport, OnReject, Rejection, Stop, check_rejections, progress};
use crate::domain::{Customer, CustomerId, Lifecycle, Timestamp};
use crate::store::Records;
use crate::store::{Store, StoreError, TxResult, Unique};
use crate::text::thousands;
use matching::{Found, Matching};
use std::collections::HashMap;
use std::path::Path;
use write::upsert;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    ExternalId,
    Name,
    Company,
    Email,
    Phone,
    Country,
    Street,
    City,
    Postcode,
    Region,
    Tags,
    Owner,
    Stage,
    Extra,
}

fn column_for(header: &str) -> Column {
    match crate::text::loose_key(header).as_str() {
        "id" | "externalid" | "customerid" | "customer" => Column::ExternalId,
        "name" | "fullname" | "contact" | "contactname" => Column::Name,
        "company" | "organisation" | "organization" | "account" => Column::Company,
        "email" | "emailaddress" | "mail" => Column::Email,
        "phone" | "telephone" | "tel" | "mobile" | "phonenumber" => Column::Phone,
        "country" => Column::Country,
        "street" | "address" | "address1" | "addressline1" | "streetaddress" | "addr" => {
            Column::Street
        }
        "city" | "town" | "locality" => Column::City,
        "postcode" | "zip" | "zipcode" | "postalcode" | "postal" | "plz" => Column::Postcode,
        "region" | "state" | "county" | "province" => Column::Region,
        "tags" | "tag" | "labels" => Column::Tags,
        "owner" | "rep" | "accountowner" | "salesrep" => Column::Owner,
        "stage" | "lifecycle" | "lifecyclestage" | "status" => Column::Stage,
        _ => Column::Extra,
    }
}

struct Row {
    line: u64,
    customer: Customer,
    /// The columns whose cell was empty.
    empty: Vec<Column>,
}

/// What an empty cell does to a value an existing customer has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Blank {
    /// Leave it: a file that lacks a phone says nothing of the phone
    #[default]
    Keep,
    /// Empty it
    Clear,
}

/// What a row does to the customer it matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Only new customers; a row matching an existing one is rejected
    Create,
    /// Only existing customers; a row matching none is rejected
    Update,
    /// Update the match, or create
    #[default]
    Upsert,
}

/// How a row finds the customer it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchBy {
    Email,
    ExternalId,
    /// The name, ignoring case; a name two customers share is rejected as ambiguous
    Name,
    /// The external id, else the customer the row most likely is (name, contacts, address),
    /// scored as `rapport duplicates` scores a pair, at or above --min-score
    Fuzzy,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CustomerImport {
    pub mode: Mode,
    /// None: the external id, else the email (as long as it does not belong to another external id).
    pub match_by: Option<MatchBy>,
    /// Report what would happen and write nothing.
    pub dry_run: bool,
    /// For `MatchBy::Fuzzy`, the score a match needs; None: `link::DEFAULT_SCORE`.
    pub min_score: Option<f64>,
    pub blank: Blank,
}

pub fn import_customers(
    store: &Store,
    path: &Path,
    now: Timestamp,
    on_reject: OnReject,
) -> Result<ImportReport, ImportError> {
    import_customers_with(store, path, now, CustomerImport::default(), on_reject)
}

/// One pass over the file in reading order: read its rows, match them to customers, decide and
/// write each in batches, and report.
pub fn import_customers_with(
    store: &Store,
    path: &Path,
    now: Timestamp,
    options: CustomerImport,
    on_reject: OnReject,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let (rows, columns) = read_rows(path, now, &mut report, on_reject)?;
    report.customers.in_file = rows.len();
    let matching = Matching::new(store, &rows, options)?;
    let present: std::collections::HashSet<Column> = columns.iter().copied().collect();
    let decisions = decide(store, &rows, now, options, &matching, &present)?;
    let made = decisions
        .iter()
        .filter(|(_, d)| matches!(d, Ok((_, Some(accounts::Link::Made { .. })))))
        .count();
    let linked = decisions
        .iter()
        .filter(
            |(_, d)| matches!(d, Ok((_, Some(l))) if !matches!(l, accounts::Link::Unclear { .. })),
        )
        .count();
    let unclear = decisions
        .iter()
        .filter(|(_, d)| matches!(d, Ok((_, Some(accounts::Link::Unclear { .. })))))
        .count();
    if (linked > 0 || unclear > 0) && !options.dry_run {
        let unclear = match unclear {
            0 => String::new(),
            n => format!(
                "; {} in none, their company naming several (--dry-run says who)",
                crate::text::count(n, "person", "people")
            ),
        };
        report.remarks.push(format!(
            "accounts: {} linked, {} new{unclear}",
            crate::text::count(linked, "person", "people"),
            thousands(made)
        ));
    }
    tell(
        store,
        &mut report,
        decisions,
        &rows,
        options,
        &matching,
        on_reject,
    )?;
    if options.dry_run {
        report.remarks.push("dry run: nothing was written".into());
    }
    report.rows_imported = report.rows_read - report.rejected.len();
    Ok(report)
}

/// The file's rows that read as customers, and its columns; rows that do not are rejected.
fn read_rows(
    path: &Path,
    now: Timestamp,
    report: &mut ImportReport,
    on_reject: OnReject,
) -> Result<(Vec<Row>, Vec<Column>), ImportError> {
    let file = super::open(path)?;
    let mut reader = CsvRows::new(file, true);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::bad_header(path, "a customers CSV", e))?
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
    while let Some(row) = reader.next() {
        let (line, record) = row.map_err(|e| Stop::from(e).at(path))?;
        check_rejections(report.rows_read, report.rejected.len(), line)
            .map_err(|e| Stop::from(e).at(path))?;
        report.rows_read += 1;
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                reject(report, on_reject, line, reason);
                continue;
            }
        };
        if record.len() != headers.len() {
            let why = format!("expected {} fields, found {}", headers.len(), record.len());
            reject(report, on_reject, line, why);
            continue;
        }
        let fields: Vec<String> = record
            .iter()
            .map(|f| clean(&decode(f)).to_string())
            .collect();
        match read_row(&headers, &columns, &fields, now) {
            Ok(customer) => {
                let empty = columns
                    .iter()
                    .zip(&fields)
                    .filter(|(_, f)| f.trim().is_empty())
                    .map(|(c, _)| *c)
                    .collect();
                rows.push(Row {
                    line,
                    customer,
                    empty,
                })
            }
            Err(reason) => reject(report, on_reject, line, reason),
        }
    }
    Ok((rows, columns))
}

/// Each row's outcome, written in batches (or in one rolled-back transaction for a dry run).
fn decide(
    store: &Store,
    rows: &[Row],
    now: Timestamp,
    options: CustomerImport,
    matching: &Matching,
    present: &std::collections::HashSet<Column>,
) -> Result<Vec<(u64, Decision)>, StoreError> {
    // Store refusals (a duplicate email, say) are per row too: each is caught inside the batch, and
    // the store checks before it writes, so a refused row leaves the batch as it was.
    let known = std::cell::RefCell::new(crate::import::known_accounts::KnownAccounts::read(store)?);
    let decide_each = |tx: &crate::store::Tx, first: usize, batch: &[Row]| -> TxResult<Decided> {
        let known = known.borrow();
        let mut linker = accounts::Linker::new(&known);
        let mut all = Vec::with_capacity(batch.len());
        for (k, row) in batch.iter().enumerate() {
            if let Some(why) = &matching.spoofed[first + k] {
                all.push((row.line, Err(why.clone())));
                continue;
            }
            let found = Found {
                names: &matching.names,
                fuzzy: matching.taken(first + k).map(|m| m.id),
            };
            let decision = match upsert(tx, row, now, options, found, present, &mut linker) {
                Ok(decision) => decision,
                Err(e) => Err(refusal_reason(&e.into_refusal()?)),
            };
            all.push((row.line, decision));
        }
        Ok((all, linker.made))
    };
    let bar = progress::bar(rows.len() as u64, "customers");
    let mut decisions = Vec::with_capacity(rows.len());
    if options.dry_run {
        // One rolled-back transaction over the whole file, so rows see each other as a real run would.
        decisions = store.simulate(|tx| decide_each(tx, 0, rows))?.0;
    } else {
        for (b, batch) in rows.chunks(BATCH).enumerate() {
            let (done, made) = store.write(|tx| decide_each(tx, b * BATCH, batch))?;
            decisions.extend(done);
            // The next transactions find what this one made.
            made.iter().for_each(|a| known.borrow_mut().add(a));
            bar.inc(batch.len() as u64);
        }
    }
    bar.finish_and_clear();
    Ok(decisions)
}

/// Counts each row's outcome into the report, with a word on it where one is due.
fn tell(
    store: &Store,
    report: &mut ImportReport,
    decisions: Vec<(u64, Decision)>,
    rows: &[Row],
    options: CustomerImport,
    matching: &Matching,
    on_reject: OnReject,
) -> Result<(), StoreError> {
    // A dry run also says which new rows look like a customer already there (fuzzy matching
    // says it of every row).
    let look_alikes = match options.dry_run && options.match_by != Some(MatchBy::Fuzzy) {
        true => Some(crate::clean::lookalike::LookAlikes::new(
            &store.all_sound::<Customer>(&mut Vec::new())?,
        )),
        false => None,
    };
    let min_score = matching.min_score;
    // Decisions come in the rows' order, one each.
    for (k, ((line, decision), row)) in decisions.into_iter().zip(rows).enumerate() {
        let (outcome, link) = match decision {
            Ok(done) => done,
            Err(reason) => {
                report.customers.in_file -= 1;
                reject(report, on_reject, line, reason);
                continue;
            }
        };
        let alike = match (&outcome, &look_alikes) {
            (Outcome::Created(_), Some(index)) => index.of(&row.customer),
            _ => None,
        };
        match outcome {
            Outcome::Created(_) => report.customers.created += 1,
            Outcome::Updated(..) => report.customers.updated += 1,
            Outcome::Unchanged(_) => report.customers.unchanged += 1,
        }
        let mut said = alike.map_or(String::new(), |a| format!(", which {}", a.warning()));
        if let Some(m) = &matching.fuzzy[k] {
            // A match taken is said with its score; one under the threshold is said too, so a
            // user can see what a lower --min-score would do.
            said = match (matching.taken(k).is_some(), &outcome) {
                (true, Outcome::Created(_)) => String::new(),
                (true, _) => format!(", matched at {:.3}: {}", m.score, m.reasons),
                (false, _) => format!("; the likeliest match, {}, is under {min_score}", m.said()),
            };
        }
        if let Some(link) = &link {
            said = format!(", {link}{said}");
        }
        match (options.dry_run, options.match_by) {
            (true, _) => report
                .remarks
                .push(format!("line {line}: would {outcome}{said}")),
            (false, Some(MatchBy::Fuzzy)) => report
                .remarks
                .push(format!("line {line}: {}{said}", outcome.done())),
            _ => {}
        }
    }
    Ok(())
}

type Decision = Result<(Outcome, Option<accounts::Link>), String>;

/// A batch's decisions, line by line, and the accounts it made.
type Decided = (Vec<(u64, Decision)>, Vec<crate::domain::Account>);

/// Rows written in one transaction.
const BATCH: usize = 250;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Created(String),
    /// Who, and each field changed: "phone: 020 7946 0000 -> (none)".
    Updated(String, Vec<String>),
    Unchanged(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Created(who) => write!(f, "create {who}"),
            Outcome::Updated(who, changes) if changes.is_empty() => write!(f, "update {who}"),
            Outcome::Updated(who, changes) => write!(f, "update {who}: {}", changes.join("; ")),
            Outcome::Unchanged(who) => write!(f, "leave {who} unchanged"),
        }
    }
}

impl Outcome {
    fn done(&self) -> String {
        match self {
            Outcome::Created(who) => format!("created {who}"),
            Outcome::Updated(who, _) => format!("updated {who}"),
            Outcome::Unchanged(who) => format!("left {who} unchanged"),
        }
    }
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
            Column::Street => c.address.street = text(value),
            Column::City => c.address.city = text(value),
            Column::Postcode => c.address.postcode = text(value),
            Column::Region => c.address.region = text(value),
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
        for (header, column) in [
            ("Street", Column::Street),
            ("Address Line 1", Column::Street),
            ("Town", Column::City),
            ("ZIP code", Column::Postcode),
            ("Post code", Column::Postcode),
            ("State", Column::Region),
            ("County", Column::Region),
        ] {
            assert_eq!(column_for(header), column, "{header}");
        }
    }

    #[test]
    fn unknown_columns_become_tags() {
        let headers: Vec<String> = ["Name", "Email", "Shoe size"].map(String::from).to_vec();
        let columns: Vec<Column> = headers.iter().map(|h| column_for(h)).collect();
        let fields: Vec<String> = ["Ada", "ada@example.com", "North"]
            .map(String::from)
            .to_vec();
        let c = read_row(&headers, &columns, &fields, chrono::Utc::now()).unwrap();
        assert_eq!(c.tags, vec!["Shoe size:North".to_string()]);
        let bad: Vec<String> = ["Ada", "not-an-email", ""].map(String::from).to_vec();
        let err = read_row(&headers, &columns, &bad, chrono::Utc::now()).unwrap_err();
        assert!(err.starts_with("email:"), "{err}");
    }
}
