//! Customers from a CSV file with a header row. Known columns are matched by name (with the usual
//! aliases); any other column becomes a `column:value` tag, and the report says which ones did.
//! A row updates the customer with the same external id, else the same email, else creates one.
//! With `--match fuzzy` it updates the customer it most likely is, as `rapport duplicates` scores
//! a pair, where that score reaches the threshold.

use super::text::{CsvRows, clean, decode};
use super::{ImportError, ImportReport, OnReject, Rejection, Stop, check_rejections, progress};
use crate::domain::{Customer, CustomerId, Lifecycle, Timestamp};
use crate::store::Records;
use crate::store::{Store, StoreError, TxResult, Unique};
use std::collections::HashMap;
use std::path::Path;

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

/// The customer a row most likely is, by `--match fuzzy`.
#[derive(Clone, Debug)]
struct Fuzzy {
    id: CustomerId,
    name: String,
    score: f64,
    reasons: String,
}

impl Fuzzy {
    fn said(&self) -> String {
        format!(
            "{} #{} at {:.3} ({})",
            crate::text::safe(&self.name),
            self.id,
            self.score,
            self.reasons
        )
    }
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

/// Who each row may be, by the matching asked for.
struct Matching {
    /// For `--match name`: customers by their name in lower case.
    names: HashMap<String, Vec<CustomerId>>,
    /// For `--match fuzzy`: each row's likeliest customer, taken or not.
    fuzzy: Vec<Option<Fuzzy>>,
    min_score: f64,
    /// Rows whose name is written to pass for another's: why each is not matched.
    spoofed: Vec<Option<String>>,
}

impl Matching {
    fn new(store: &Records, rows: &[Row], options: CustomerImport) -> Result<Matching, StoreError> {
        let names = match options.match_by {
            Some(MatchBy::Name) => names_of(store)?,
            _ => HashMap::new(),
        };
        let fuzzy = match options.match_by {
            Some(MatchBy::Fuzzy) => fuzzy_matches(store, rows)?,
            _ => vec![None; rows.len()],
        };
        let mut matching = Matching {
            names,
            fuzzy,
            min_score: options
                .min_score
                .unwrap_or(crate::clean::link::DEFAULT_SCORE),
            spoofed: Vec::new(),
        };
        // A name that mixes scripts within a word ("Аlan" with a Cyrillic А) is made to pass for
        // another: it is never matched to anyone silently.
        matching.spoofed = rows
            .iter()
            .enumerate()
            .map(|(k, row)| {
                let m = matching.taken(k)?;
                (m.name != row.customer.name && mixes_scripts(&row.customer.name)).then(|| {
                    format!(
                        "name '{}' mixes letters of different scripts in one word, written to look like {}: not matched; check the row",
                        crate::text::safe(&row.customer.name),
                        m.said()
                    )
                })
            })
            .collect();
        Ok(matching)
    }

    /// Row `k`'s fuzzy match, when it scores enough to be taken.
    fn taken(&self, k: usize) -> Option<&Fuzzy> {
        self.fuzzy[k].as_ref().filter(|m| m.score >= self.min_score)
    }
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
    let decide_each =
        |tx: &crate::store::Tx, first: usize, batch: &[Row]| -> TxResult<Vec<(u64, Decision)>> {
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
                let decision = match upsert(tx, row, now, options, found, present) {
                    Ok(decision) => decision,
                    Err(e) => Err(refusal_reason(&e.into_refusal()?)),
                };
                all.push((row.line, decision));
            }
            Ok(all)
        };
    let bar = progress::bar(rows.len() as u64, "customers");
    let mut decisions = Vec::with_capacity(rows.len());
    if options.dry_run {
        // One rolled-back transaction over the whole file, so rows see each other as a real run would.
        decisions = store.simulate(|tx| decide_each(tx, 0, rows))?;
    } else {
        for (b, batch) in rows.chunks(BATCH).enumerate() {
            decisions.extend(store.write(|tx| decide_each(tx, b * BATCH, batch))?);
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
        let outcome = match decision {
            Ok(outcome) => outcome,
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

type Decision = Result<Outcome, String>;

/// Whether a word of `name` has letters of two scripts (Latin, Greek, Cyrillic): how look-alike
/// letters pass one name off as another.
fn mixes_scripts(name: &str) -> bool {
    fn script(c: char) -> Option<u8> {
        match c {
            'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' => Some(0),
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Some(1),
            '\u{0400}'..='\u{052F}' => Some(2),
            _ => None,
        }
    }
    name.split(|c: char| !c.is_alphabetic()).any(|word| {
        let mut scripts = word.chars().filter_map(script);
        scripts
            .next()
            .is_some_and(|first| scripts.any(|other| other != first))
    })
}

/// Rows written in one transaction.
const BATCH: usize = 250;

/// For each row, the customer in the store it most likely is (whatever the score); none for a
/// row whose external id is known, which that id finds.
fn fuzzy_matches(store: &Records, rows: &[Row]) -> Result<Vec<Option<Fuzzy>>, StoreError> {
    use crate::clean::link;
    let spinner = progress::spinner("matching rows to customers");
    let customers = store.all_sound::<Customer>(&mut Vec::new())?;
    let known: std::collections::HashSet<&str> = customers
        .iter()
        .filter_map(|c| c.external_id.as_deref())
        .collect();
    let incoming: Vec<Customer> = rows.iter().map(|r| r.customer.clone()).collect();
    let region = crate::clean::normal::default_region();
    let matches = link::best_matches(
        link::prepare(&customers, region),
        link::prepare(&incoming, region),
    );
    spinner.finish_and_clear();
    let by_id = |r: &Row| (r.customer.external_id.as_deref()).is_some_and(|id| known.contains(id));
    Ok(matches
        .into_iter()
        .zip(rows)
        .map(|(m, row)| {
            m.filter(|_| !by_id(row)).map(|m| Fuzzy {
                id: customers[m.existing].id,
                name: customers[m.existing].name.clone(),
                score: m.score,
                reasons: m.reasons,
            })
        })
        .collect())
}

/// How `upsert` finds a row's customer beyond its keys.
#[derive(Clone, Copy)]
struct Found<'a> {
    /// For `--match name`.
    names: &'a HashMap<String, Vec<CustomerId>>,
    /// For `--match fuzzy`: the match taken, if any.
    fuzzy: Option<CustomerId>,
}

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

/// Customer ids by lower-cased name, for --match name.
fn names_of(
    store: &Records,
) -> Result<HashMap<String, Vec<crate::domain::CustomerId>>, StoreError> {
    let mut names: HashMap<String, Vec<crate::domain::CustomerId>> = HashMap::new();
    for c in store.iter::<Customer>() {
        let c = c?;
        names.entry(c.name.to_lowercase()).or_default().push(c.id);
    }
    Ok(names)
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

// Long: the matching rules in the order they apply (id, email, external id, name and company),
// kept together so they read as the README states them.
fn upsert(
    tx: &crate::store::Tx,
    row: &Row,
    now: Timestamp,
    options: CustomerImport,
    found: Found,
    present: &std::collections::HashSet<Column>,
) -> TxResult<Decision> {
    let incoming = &row.customer;
    let by_key = |by: Unique, value: &Option<String>| -> TxResult<Option<Customer>> {
        match value {
            Some(v) => tx.find::<Customer>(by, v),
            None => Ok(None),
        }
    };
    let existing = match options.match_by {
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
    };
    let who = |c: &Customer| format!("customer {} ({})", c.id, c.name);
    let Some(existing) = existing else {
        if options.mode == Mode::Update {
            return Ok(Err(format!(
                "no customer matches '{}' (--mode update)",
                incoming.name
            )));
        }
        let created = tx.create(incoming.clone())?;
        return Ok(Ok(Outcome::Created(format!(
            "{} ({})",
            created.name, created.id
        ))));
    };
    if options.mode == Mode::Create {
        return Ok(Err(format!(
            "{} already exists (--mode create)",
            who(&existing)
        )));
    }
    // An update changes only what the file has columns for: a missing column keeps what is
    // stored, and so does an empty cell unless `--blank clear` (a row found by likeness is
    // another writing of the customer: its empty cells say nothing, whatever the flag).
    let blanks_clear = options.blank == Blank::Clear && options.match_by != Some(MatchBy::Fuzzy);
    let has = |c: Column| present.contains(&c) && (blanks_clear || !row.empty.contains(&c));
    let pick = |c: Column, new: &Option<String>, old: &Option<String>| match has(c) {
        true => new.clone(),
        false => old.clone(),
    };
    let mut tags = if has(Column::Tags) {
        Vec::new()
    } else {
        existing.tags.clone()
    };
    tags.extend(
        incoming
            .tags
            .iter()
            .filter(|t| !tags.contains(t))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let merged = Customer {
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
        stage: if has(Column::Stage) {
            incoming.stage
        } else {
            existing.stage
        },
        tags,
        created: existing.created,
        updated: existing.updated,
        address: crate::domain::Address {
            street: pick(
                Column::Street,
                &incoming.address.street,
                &existing.address.street,
            ),
            city: pick(Column::City, &incoming.address.city, &existing.address.city),
            postcode: pick(
                Column::Postcode,
                &incoming.address.postcode,
                &existing.address.postcode,
            ),
            region: pick(
                Column::Region,
                &incoming.address.region,
                &existing.address.region,
            ),
        },
    };
    if merged == existing {
        return Ok(Ok(Outcome::Unchanged(who(&existing))));
    }
    let changes = changes(&existing, &merged);
    tx.update(&Customer {
        updated: now,
        ..merged
    })?;
    Ok(Ok(Outcome::Updated(who(&existing), changes)))
}

/// Each field an update changes, before -> after.
fn changes(old: &Customer, new: &Customer) -> Vec<String> {
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
