//! Exports that stream: one row at a time from the store to the writer, in CSV, TSV, JSON or NDJSON,
//! so memory stays flat however many rows there are. Column order is fixed per entity.

mod rows;
mod run;

pub use run::{FilterError, Filters, What, export};

pub use rows::{
    AccountRow, CustomerRow, DealRow, FollowupRow, NoteRow, OrderLineRow, OrderRow, ProductRow,
    RuleRow, SegmentRow, SuggestionRow, TicketRow, iso, rule_row, segment_rows, suggestion_rows,
};

use serde::Serialize;
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Tsv,
    Json,
    Ndjson,
}

/// Every row to `out` in `format`, closed and flushed; a CSV of no rows still has its header.
pub fn write_rows<T: serde::Serialize + Default>(
    rows: &[T],
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut sink = Sink::new(format, out);
    sink.columns_of::<T>();
    for row in rows {
        sink.row(row)?;
    }
    sink.finish()?;
    Ok(())
}

/// Writes rows as they come. `finish` closes a JSON array and flushes.
pub struct Sink<W: Write> {
    format: Format,
    csv: Option<csv::Writer<W>>,
    out: Option<W>,
    rows: usize,
    /// The header a CSV of no rows is written with (serde names the columns only as it writes
    /// a row).
    header: Option<Vec<String>>,
}

/// The column names a row type is written with.
pub fn columns<R: Serialize + Default>() -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = w
        .serialize(R::default())
        .ok()
        .and_then(|()| w.into_inner().ok())
        .and_then(|bytes| {
            let mut r = csv::Reader::from_reader(bytes.as_slice());
            r.headers().ok().cloned()
        });
    header.map_or_else(Vec::new, |h| h.iter().map(String::from).collect())
}

impl<W: Write> Sink<W> {
    pub fn new(format: Format, out: W) -> Sink<W> {
        let csv = match format {
            Format::Csv => Some(csv::WriterBuilder::new().from_writer(out)),
            Format::Tsv => Some(csv::WriterBuilder::new().delimiter(b'\t').from_writer(out)),
            Format::Json | Format::Ndjson => {
                return Sink {
                    format,
                    csv: None,
                    out: Some(out),
                    rows: 0,
                    header: None,
                };
            }
        };
        Sink {
            format,
            csv,
            out: None,
            rows: 0,
            header: None,
        }
    }

    /// Names the columns of `R`, for the header of a CSV that gets no rows.
    pub fn columns_of<R: Serialize + Default>(&mut self) {
        if self.csv.is_some() {
            self.header = Some(columns::<R>());
        }
    }

    pub fn row<R: Serialize>(&mut self, row: &R) -> anyhow::Result<()> {
        match (&mut self.csv, &mut self.out) {
            (Some(w), _) => w.serialize(row)?,
            (None, Some(out)) => {
                if self.format == Format::Json {
                    out.write_all(if self.rows == 0 { b"[\n" } else { b",\n" })?;
                }
                serde_json::to_writer(&mut *out, row)?;
                if self.format == Format::Ndjson {
                    out.write_all(b"\n")?;
                }
            }
            (None, None) => unreachable!("a sink always has a writer"),
        }
        self.rows += 1;
        Ok(())
    }

    /// A bare line (an id), bypassing the format.
    pub fn raw_line(&mut self, line: &str) -> anyhow::Result<()> {
        match (&mut self.csv, &mut self.out) {
            (Some(w), _) => w.write_record([line])?,
            (None, Some(out)) => writeln!(out, "{line}")?,
            (None, None) => unreachable!("a sink always has a writer"),
        }
        self.rows += 1;
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<usize> {
        if let Some(w) = self.csv.as_mut() {
            let header = self
                .header
                .as_ref()
                .filter(|h| self.rows == 0 && !h.is_empty());
            if let Some(header) = header {
                w.write_record(header)?;
            }
            w.flush()?;
        }
        if let Some(out) = self.out.as_mut() {
            if self.format == Format::Json {
                out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
            }
            out.flush()?;
        }
        Ok(self.rows)
    }
}
