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
    /// A carriage return just read: a line end of its own (old Mac files) unless `\n` follows.
    pending_cr: Option<u64>,
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
        pending_cr: None,
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
            let at = self.offset + i as u64;
            if let Some(cr) = self.pending_cr.take()
                && b != b'\n'
            {
                newlines.push(Newline {
                    at: cr,
                    ends_blank_line: !self.line_has_text,
                });
                self.line_has_text = false;
            }
            match b {
                b'\n' => {
                    newlines.push(Newline {
                        at,
                        ends_blank_line: !self.line_has_text,
                    });
                    self.line_has_text = false;
                }
                b'\r' => self.pending_cr = Some(at),
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
        // A record of a CRLF file is reported at its `\n` (the csv reader ends the last one at the
        // `\r`): a line end at the offset is still before the record.
        while self.cursor < newlines.len() && newlines[self.cursor].at <= offset {
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
        assert_eq!(
            lines_of("a,b\n\n\r\nc,d\n\"e\nf\",g\nh,i"),
            vec![1, 4, 5, 7]
        );
    }

    fn lines_of(text: &str) -> Vec<u64> {
        let (tapped, mut lines) = tap(text.as_bytes());
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(tapped);
        let mut got = Vec::new();
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap() {
            got.push(lines.line_at(record.position().unwrap().byte()));
        }
        got
    }

    #[test]
    fn crlf_and_cr_only_files_count_lines_as_lf_files_do() {
        let lf = "h,x\na,b\n\nc,d\n\"e\nf\",g\nh,i\n";
        let want = lines_of(lf);
        assert_eq!(want, vec![1, 2, 4, 5, 7]);
        assert_eq!(
            lines_of(&lf.replace('\n', "\r\n")),
            want,
            "CRLF (Excel, RFC 4180)"
        );
        assert_eq!(lines_of(&lf.replace('\n', "\r")), want, "CR only");
    }
}

/// How long one line (one CSV record, with the line breaks inside its quotes) may be before an
/// input is refused: endless input (`/dev/zero`) or a runaway field must end in bounded memory.
/// Far above any real row; `--max-line-bytes` raises it.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;
/// A field longer than this rejects its row: no name, sku or tag is a quarter of a megabyte.
pub const MAX_FIELD: usize = 256 << 10;
/// Items in one basket, past which the basket is rejected (real baskets hold tens).
pub const MAX_BASKET_ITEMS: usize = 10_000;

static MAX_LINE: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(DEFAULT_MAX_LINE);

/// Sets the line limit for what this process reads: imports, restores and batch scripts.
pub fn set_max_line(bytes: usize) {
    MAX_LINE.store(bytes.max(1), std::sync::atomic::Ordering::Relaxed);
}

pub fn max_line() -> usize {
    MAX_LINE.load(std::sync::atomic::Ordering::Relaxed)
}

/// An input refused at a line past the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line} is longer than {limit} bytes (--max-line-bytes raises the limit)")]
pub struct TooLong {
    pub line: u64,
    pub limit: usize,
}

impl TooLong {
    /// The limit's error inside an I/O error, as the readers above it pass it on.
    pub fn of(e: &std::io::Error) -> Option<TooLong> {
        e.get_ref()?.downcast_ref::<TooLong>().copied()
    }
}

#[derive(Clone, Copy)]
enum Csv {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Fails the read once a record grows past `limit` bytes. For CSV a record ends at a line break
/// outside quotes, as the csv reader sees it; otherwise at every line break.
pub struct Bounded<R> {
    inner: R,
    limit: usize,
    csv: Option<Csv>,
    in_record: usize,
    line: u64,
    record_line: u64,
    last: u8,
}

impl<R: Read> Bounded<R> {
    pub fn lines(inner: R, limit: usize) -> Bounded<R> {
        Bounded {
            inner,
            limit,
            csv: None,
            in_record: 0,
            line: 1,
            record_line: 1,
            last: 0,
        }
    }

    pub fn csv(inner: R, limit: usize) -> Bounded<R> {
        Bounded {
            csv: Some(Csv::FieldStart),
            ..Bounded::lines(inner, limit)
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            let ends = match (&mut self.csv, b) {
                (None, b'\n' | b'\r') => true,
                (None, _) => false,
                (Some(state), b) => {
                    let (next, ends) = match (*state, b) {
                        (Csv::Quoted, b'"') => (Csv::QuoteInQuoted, false),
                        (Csv::Quoted, _) => (Csv::Quoted, false),
                        (Csv::QuoteInQuoted, b'"') => (Csv::Quoted, false),
                        (Csv::FieldStart, b'"') => (Csv::Quoted, false),
                        (_, b',') => (Csv::FieldStart, false),
                        (_, b'\n' | b'\r') => (Csv::FieldStart, true),
                        _ => (Csv::Unquoted, false),
                    };
                    *state = next;
                    ends
                }
            };
            // A line ends at \n, at \r\n, or at a \r alone (old Mac files).
            if b == b'\r' || (b == b'\n' && self.last != b'\r') {
                self.line += 1;
            }
            self.last = b;
            if ends {
                self.in_record = 0;
                self.record_line = self.line;
            } else {
                self.in_record += 1;
                if self.in_record > self.limit {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        TooLong {
                            line: self.record_line,
                            limit: self.limit,
                        },
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// Reads one line into `buf` (its line break included), failing past `limit` bytes without
/// holding more than that. Returns the bytes read: 0 at the end of the input.
pub fn read_line_bounded(
    input: &mut dyn std::io::BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
    line: u64,
) -> std::io::Result<usize> {
    let start = buf.len();
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(buf.len() - start);
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if buf.len() - start + take > limit + 1 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TooLong { line, limit },
            ));
        }
        buf.extend_from_slice(&available[..take]);
        input.consume(take);
        if done {
            return Ok(buf.len() - start);
        }
    }
}

#[cfg(test)]
mod bound_tests {
    use super::*;

    fn read_all(reader: impl Read) -> Result<Vec<u8>, TooLong> {
        let mut out = Vec::new();
        let mut reader = reader;
        reader
            .read_to_end(&mut out)
            .map_err(|e| TooLong::of(&e).expect("the limit's error"))?;
        Ok(out)
    }

    #[test]
    fn a_record_past_the_limit_fails_on_its_first_line() {
        let ok = "ab,cd\n\"x\ny\",z\nlast";
        assert_eq!(
            read_all(Bounded::csv(ok.as_bytes(), 7)).unwrap(),
            ok.as_bytes()
        );
        // The quoted field's line break does not end the record: 7 bytes from line 2.
        let err = read_all(Bounded::csv(ok.as_bytes(), 6)).unwrap_err();
        assert_eq!(err, TooLong { line: 2, limit: 6 });
        // Counted as plain lines, each is short.
        assert!(read_all(Bounded::lines(ok.as_bytes(), 5)).is_ok());
        // A quote inside an unquoted field is text, as the csv reader reads it.
        assert!(read_all(Bounded::csv("ab\"c\nd,e\nf\n".as_bytes(), 4)).is_ok());
        let endless = std::io::repeat(0).take(10 << 20);
        let err = read_all(Bounded::csv(endless, 1 << 20)).unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn a_bounded_line_read_never_holds_more_than_the_limit() {
        let mut input = std::io::BufReader::new("one\ntwo two\nthree".as_bytes());
        let mut buf = Vec::new();
        assert_eq!(read_line_bounded(&mut input, &mut buf, 4, 1).unwrap(), 4);
        buf.clear();
        let err = read_line_bounded(&mut input, &mut buf, 4, 2).unwrap_err();
        assert_eq!(TooLong::of(&err), Some(TooLong { line: 2, limit: 4 }));
        let mut endless = std::io::BufReader::new(std::io::repeat(b'a'));
        let mut buf = Vec::new();
        assert!(read_line_bounded(&mut endless, &mut buf, 1000, 7).is_err());
        assert!(buf.len() <= 1001);
    }
}

/// CSV records with their true line numbers. A record the csv reader cannot read comes back as the
/// reason, so a bad row is reported and skipped instead of ending the import.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<NewlineTap<Bounded<R>>>,
    lines: LineIndex,
    record: csv::ByteRecord,
}

impl<R: Read> CsvRows<R> {
    pub fn new(input: R, has_headers: bool) -> CsvRows<R> {
        let (input, lines) = tap(Bounded::csv(input, max_line()));
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

    /// The next record and the line it starts on; None at the end of the input. A record past
    /// the line limit ends the input with `TooLong`: nothing after it can be trusted to be rows.
    #[allow(clippy::should_implement_trait)] // it lends the record, which Iterator cannot
    #[allow(clippy::type_complexity)]
    pub fn next(&mut self) -> Option<Result<(u64, Result<&csv::ByteRecord, String>), TooLong>> {
        let start = self.reader.position().byte();
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self
                    .lines
                    .line_at(self.record.position().map_or(start, |p| p.byte()));
                if let Some(at) = self.record.iter().position(|f| f.len() > MAX_FIELD) {
                    return Some(Ok((
                        line,
                        Err(format!(
                            "field {} is longer than {} bytes",
                            at + 1,
                            crate::text::thousands(MAX_FIELD)
                        )),
                    )));
                }
                Some(Ok((line, Ok(&self.record))))
            }
            Err(e) if too_long(&e).is_some() => too_long(&e).map(Err),
            Err(e) => Some(Ok((
                self.lines.line_at(start),
                Err(format!("unreadable row: {e}")),
            ))),
        }
    }
}

/// The line limit's error inside a csv error, if that is what it is.
pub fn too_long(e: &csv::Error) -> Option<TooLong> {
    match e.kind() {
        csv::ErrorKind::Io(io) => TooLong::of(io),
        _ => None,
    }
}
