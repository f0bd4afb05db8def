//! Backups: the whole database as NDJSON, one record a line with its id, after a header line that
//! names the schema. Restoring into an empty database gives back the same records under the same ids.

use crate::domain::{
    Account, Customer, Deal, Followup, Member, Note, Order, Product, Ticket, View,
};
use crate::store::Records;
use crate::store::{Entity, SCHEMA_VERSION, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

#[derive(Serialize, Deserialize)]
struct Header {
    rapport_backup: u32,
    schema: u32,
    data_version: u64,
}

/// One line of a backup. Accounts, customers and products come first, so every reference is
/// already loaded.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
enum Line {
    Account(Account),
    Customer(Customer),
    Product(Product),
    Order(Order),
    Deal(Deal),
    Ticket(Ticket),
    Note(Note),
    Member(Member),
    Followup(Followup),
    /// A person's saved view: not a record, but a rep who restores expects their views back.
    View {
        user: String,
        view: View,
    },
    /// Two customers a rep said are two people: without it, a restored database offers the
    /// pair as duplicates again.
    Distinct {
        a: crate::domain::CustomerId,
        b: crate::domain::CustomerId,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("line {line}: {why}")]
    Bad { line: usize, why: String },
    #[error("the database is not empty; restore into a new one (choose it with --db)")]
    NotEmpty,
    #[error(transparent)]
    Store(#[from] StoreError),
    // Not transparent: the io::Error itself stays in the chain, where a closed pipe is found.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Writes every record; returns how many. Writes wait while it reads (the app's included), so the
/// backup is one moment of the data even while people work.
pub fn backup(store: &Records, out: &mut dyn Write) -> Result<usize, BackupError> {
    store.frozen(|| backup_now(store, out))
}

fn backup_now(store: &Records, out: &mut dyn Write) -> Result<usize, BackupError> {
    let header = Header {
        rapport_backup: 1,
        schema: SCHEMA_VERSION,
        data_version: store.data_version()?,
    };
    writeln!(
        out,
        "{}",
        serde_json::to_string(&header).map_err(std::io::Error::from)?
    )?;
    let mut n = 0;
    n += write_all::<Account>(store, out, Line::Account)?;
    n += write_all::<Customer>(store, out, Line::Customer)?;
    n += write_all::<Product>(store, out, Line::Product)?;
    n += write_all::<Order>(store, out, Line::Order)?;
    n += write_all::<Deal>(store, out, Line::Deal)?;
    n += write_all::<Ticket>(store, out, Line::Ticket)?;
    n += write_all::<Note>(store, out, Line::Note)?;
    n += write_all::<Member>(store, out, Line::Member)?;
    n += write_all::<Followup>(store, out, Line::Followup)?;
    for (user, view) in store.all_views()? {
        serde_json::to_writer(&mut *out, &Line::View { user, view })
            .map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    let mut distinct: Vec<_> = store.distinct_pairs()?.into_iter().collect();
    distinct.sort_unstable();
    for (a, b) in distinct {
        serde_json::to_writer(&mut *out, &Line::Distinct { a, b }).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

fn write_all<E: Entity>(
    store: &Records,
    out: &mut dyn Write,
    wrap: fn(E) -> Line,
) -> Result<usize, BackupError> {
    let mut n = 0;
    for record in store.iter::<E>() {
        serde_json::to_writer(&mut *out, &wrap(record?)).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    Ok(n)
}

/// Records per transaction while restoring.
const BATCH: usize = 1_000;

/// Loads a backup into an empty database; returns how many records.
/// A backup line is one record: an order with thousands of lines can pass the import's limit.
const MIN_RESTORE_LINE: usize = 16 << 20;

pub fn restore(store: &Store, input: &mut dyn BufRead) -> Result<usize, BackupError> {
    if store.count::<Customer>() + store.count::<Product>() + store.count::<Order>() > 0
        || store.count::<Account>() > 0
    {
        return Err(BackupError::NotEmpty);
    }
    let mut bytes = Vec::new();
    let mut line: usize = 0;
    let mut batch: Vec<Line> = Vec::with_capacity(BATCH);
    let mut total = 0;
    loop {
        bytes.clear();
        let limit = crate::import::text::max_line().max(MIN_RESTORE_LINE);
        let read =
            crate::import::text::read_line_bounded(input, &mut bytes, limit, line as u64 + 1);
        let done = match read {
            Ok(n) => n == 0,
            Err(e) => match crate::import::text::TooLong::of(&e) {
                Some(too_long) => {
                    return Err(BackupError::Bad {
                        line: too_long.line as usize,
                        why: format!(
                            "longer than {limit} bytes, so not a record rapport wrote (--max-line-bytes raises the limit)"
                        ),
                    });
                }
                None => return Err(e.into()),
            },
        };
        if !done {
            line += 1;
            let bad = |why: String| BackupError::Bad { line, why };
            let Ok(text) = std::str::from_utf8(&bytes) else {
                return Err(bad("not UTF-8 text, so not a rapport backup".into()));
            };
            if line == 1 {
                let header: Header = serde_json::from_str(text)
                    .map_err(|e| bad(format!("not a rapport backup ({e})")))?;
                if header.schema > SCHEMA_VERSION {
                    return Err(bad(format!(
                        "written by a newer rapport (schema {})",
                        header.schema
                    )));
                }
                continue;
            }
            if text.trim().is_empty() {
                continue;
            }
            batch.push(serde_json::from_str(text).map_err(|e| bad(e.to_string()))?);
        }
        if batch.len() >= BATCH || (done && !batch.is_empty()) {
            store.write(|tx| {
                for l in &batch {
                    match l {
                        Line::Account(r) => tx.load(r)?,
                        Line::Customer(r) => tx.load(r)?,
                        Line::Product(r) => tx.load(r)?,
                        Line::Order(r) => tx.load(r)?,
                        Line::Deal(r) => tx.load(r)?,
                        Line::Ticket(r) => tx.load(r)?,
                        Line::Note(r) => tx.load(r)?,
                        Line::Member(r) => tx.load(r)?,
                        Line::Followup(r) => tx.load(r)?,
                        Line::View { .. } | Line::Distinct { .. } => {}
                    }
                }
                Ok(())
            })?;
            for l in &batch {
                match l {
                    Line::View { user, view } => store.save_view(user, view)?,
                    Line::Distinct { a, b } => store.mark_distinct(*a, *b, true)?,
                    _ => {}
                }
            }
            total += batch.len();
            batch.clear();
        }
        if done {
            break;
        }
    }
    if line == 0 {
        return Err(BackupError::Bad {
            line: 1,
            why: "the file is empty".into(),
        });
    }
    Ok(total)
}
