//! Field text from files of unknown encoding.

/// UTF-8 when it is; otherwise Latin-1, which every byte sequence is, and which the older retail
/// exports (with their £ signs) actually use.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Trims, and strips a byte-order mark that spreadsheet exports put before the first header.
pub fn clean(s: &str) -> &str {
    s.trim_start_matches('\u{feff}').trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_latin1() {
        assert_eq!(decode(b"caf\xc3\xa9"), "café");
        assert_eq!(decode(b"\xa310"), "£10");
        assert_eq!(clean("\u{feff} InvoiceNo "), "InvoiceNo");
    }
}

use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;

/// Wraps a reader to note where every newline falls, so a CSV record's byte offset can be turned
/// into its true line number (the csv crate's own line count skips blank lines).
pub struct NewlineTap<R> {
    inner: R,
    offset: u64,
    line_has_text: bool,
    newlines: Rc<RefCell<Vec<Newline>>>,
}

#[derive(Clone, Copy)]
struct Newline {
    at: u64,
    /// The line it ends held nothing but a carriage return, if that.
    ends_blank_line: bool,
}

pub struct LineIndex {
    newlines: Rc<RefCell<Vec<Newline>>>,
    cursor: usize,
    /// Lines before the cursor that were already dropped from the vector.
    dropped: usize,
}

pub fn tap<R: Read>(inner: R) -> (NewlineTap<R>, LineIndex) {
    let newlines = Rc::new(RefCell::new(Vec::new()));
    let tap = NewlineTap {
        inner,
        offset: 0,
        line_has_text: false,
        newlines: Rc::clone(&newlines),
    };
    let index = LineIndex {
        newlines,
        cursor: 0,
        dropped: 0,
    };
    (tap, index)
}

impl<R: Read> Read for NewlineTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut newlines = self.newlines.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' => {
                    newlines.push(Newline {
                        at: self.offset + i as u64,
                        ends_blank_line: !self.line_has_text,
                    });
                    self.line_has_text = false;
                }
                b'\r' => {}
                _ => self.line_has_text = true,
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl LineIndex {
    /// The 1-based line on which a record starting at byte `offset` stands, past any blank lines
    /// the csv reader skipped (it reports their start). Offsets must come in rising order.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        let mut newlines = self.newlines.borrow_mut();
        while self.cursor < newlines.len() && newlines[self.cursor].at < offset {
            self.cursor += 1;
        }
        while self.cursor < newlines.len() && newlines[self.cursor].ends_blank_line {
            self.cursor += 1;
        }
        // Keep memory flat on big files: forget newlines already passed.
        if self.cursor > 4096 {
            newlines.drain(..self.cursor);
            self.dropped += self.cursor;
            self.cursor = 0;
        }
        (self.dropped + self.cursor) as u64 + 1
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;

    #[test]
    fn blank_lines_are_counted() {
        let (tapped, mut lines) = tap("a,b\n\n\r\nc,d\n\"e\nf\",g\nh,i".as_bytes());
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(tapped);
        let mut got = Vec::new();
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap() {
            got.push(lines.line_at(record.position().unwrap().byte()));
        }
        assert_eq!(got, vec![1, 4, 5, 7]);
    }
}

/// CSV records with their true line numbers. A record the csv reader cannot read comes back as the
/// reason, so a bad row is reported and skipped instead of ending the import.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<NewlineTap<R>>,
    lines: LineIndex,
    record: csv::ByteRecord,
}

impl<R: Read> CsvRows<R> {
    pub fn new(input: R, has_headers: bool) -> CsvRows<R> {
        let (input, lines) = tap(input);
        let reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(has_headers)
            .from_reader(input);
        CsvRows {
            reader,
            lines,
            record: csv::ByteRecord::new(),
        }
    }

    pub fn headers(&mut self) -> Result<csv::ByteRecord, csv::Error> {
        self.reader.byte_headers().cloned()
    }

    /// The next record and the line it starts on; None at the end of the input.
    #[allow(clippy::should_implement_trait)] // it lends the record, which Iterator cannot
    pub fn next(&mut self) -> Option<(u64, Result<&csv::ByteRecord, String>)> {
        let start = self.reader.position().byte();
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self
                    .lines
                    .line_at(self.record.position().map_or(start, |p| p.byte()));
                Some((line, Ok(&self.record)))
            }
            Err(e) => Some((
                self.lines.line_at(start),
                Err(format!("unreadable row: {e}")),
            )),
        }
    }
}
