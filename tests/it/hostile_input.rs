//! Bad input never panics: malformed CSV (wrong column counts, bad dates, non-UTF-8, huge fields,
//! unbalanced quotes, byte-order marks), absurd numbers and hostile strings go through every importer
//! and the batch-script parser; every rejection names its line and a reason, and the database stays
//! sound. Terminal escape sequences in stored text never reach the screen raw.
//!
//! PROPTEST_CASES raises the number of cases (the default suite runs a few hundred in all).

use crate::common;

use proptest::prelude::*;
use rapport::import::{self, ImportReport, Rejection};
use rapport::store::Store;
use std::path::Path;

/// Field values that have broken CSV importers somewhere.
const NASTY: &[&str] = &[
    "",
    " ",
    "\u{feff}",
    "\"",
    "\"unbalanced",
    "a\"b",
    "\"a,b\"",
    "\r",
    "\n",
    "\x1b[2J\x1b[31mEvil",
    "\u{9b}31m",
    "\x07\x08\x00",
    "-0",
    "0",
    "-1",
    "1e999",
    "NaN",
    "inf",
    "99999999999999999999999",
    "2147483647",
    "-2147483648",
    "922337203685477.5807",
    "0.00000001",
    "3,50",
    "£2.55",
    "31/02/2010 10:00",
    "99/99/9999 99:99",
    "01/12/2010 08:26",
    "19970101",
    "20251399",
    "17850",
    "17850.0",
    "a@b.co",
    "not an email",
    "United Kingdom",
    "C536379",
    "85123A",
    "POST",
    "Ω≈ç√∫˜µ≤≥÷",
    "🦀",
    "\u{202e}txet",
];

fn field() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::sample::select(NASTY).prop_map(|s| s.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..12),
        1 => "[a-zA-Z0-9 .,/:@-]{0,16}".prop_map(String::into_bytes),
        // A long field, up to 20 KB.
        1 => (1usize..20_000).prop_map(|n| vec![b'x'; n]),
    ]
}

/// Rows of 0 to 10 fields joined by the separator, lines ended by \n or \r\n.
fn rows(separator: u8) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        (proptest::collection::vec(field(), 0..10), any::<bool>()),
        0..20,
    )
    .prop_map(move |rows| {
        let mut out = Vec::new();
        for (fields, crlf) in rows {
            out.extend(fields.join(&separator));
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        out
    })
}

/// Lines as an editor counts them: ended by \n, \r\n, or a \r alone.
fn line_count(bytes: &[u8]) -> u64 {
    let ends = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    ends as u64 + 1
}

/// What every import must keep to, whatever it was fed.
fn check(report: &ImportReport, seen: &[Rejection], bytes: &[u8], store: &Store) {
    let lines = line_count(bytes);
    assert_eq!(
        report.rejected, seen,
        "every rejection is reported as found"
    );
    for r in &report.rejected {
        assert!(r.line >= 1 && r.line <= lines, "line {} of {lines}", r.line);
        assert!(!r.reason.trim().is_empty(), "line {} has no reason", r.line);
    }
    assert_eq!(
        report.rows_read,
        report.rows_imported + report.rejected.len()
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

type Importer = fn(
    &Store,
    &Path,
    rapport::domain::Timestamp,
    import::OnReject,
) -> Result<ImportReport, import::ImportError>;

fn import_bytes(importer: Importer, header: &[u8], body: &[u8]) {
    import::silence_progress();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let file = dir.path().join("input.csv");
    let bytes = [header, body].concat();
    std::fs::write(&file, &bytes).unwrap();
    let mut seen = Vec::new();
    let result = importer(&store, &file, chrono::Utc::now(), &mut |r| {
        seen.push(r.clone())
    });
    match result {
        Ok(report) => check(&report, &seen, &bytes, &store),
        // A file refused as a whole says why in words.
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

fn customers(
    store: &Store,
    path: &Path,
    now: rapport::domain::Timestamp,
    on: import::OnReject,
) -> Result<ImportReport, import::ImportError> {
    import::import_customers(store, path, now, on)
}

/// Rows of the right shape, each field either a good value or a nasty one, so the checks of every
/// field and the arithmetic on them (totals of absurd quantities and prices) are reached.
fn shaped_rows(good: &'static [&'static str], separator: u8) -> impl Strategy<Value = Vec<u8>> {
    let row = good
        .iter()
        .map(|g| prop_oneof![2 => Just(g.as_bytes().to_vec()), 1 => field()].boxed())
        .collect::<Vec<_>>();
    proptest::collection::vec(row, 1..30).prop_map(move |rows| {
        let mut out = Vec::new();
        for fields in rows {
            out.extend(fields.join(&separator));
            out.push(b'\n');
        }
        out
    })
}

const RETAIL_ROW: &[&str] = &[
    "536365",
    "85123A",
    "WHITE HANGING HEART",
    "2147483647",
    "01/12/2010 08:26",
    "922337203685477.5807",
    "17850",
    "United Kingdom",
];
const CDNOW_ROW: &[&str] = &["00001", "19970101", "2147483647", "922337203685477.58"];

/// Cases per property: PROPTEST_CASES, or enough for the default suite to stay quick.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn online_retail_fields(body in shaped_rows(RETAIL_ROW, b',')) {
        import_bytes(
            import::import_online_retail,
            b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
            &body,
        );
    }

    #[test]
    fn cdnow_fields(body in shaped_rows(CDNOW_ROW, b' ')) {
        import_bytes(import::import_cdnow, b"", &body);
    }

    #[test]
    fn online_retail_rows(body in rows(b','), bom in any::<bool>()) {
        let header: &[u8] = if bom {
            "\u{feff}InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n".as_bytes()
        } else {
            b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        };
        import_bytes(import::import_online_retail, header, &body);
    }

    #[test]
    fn cdnow_rows(body in rows(b' ')) {
        import_bytes(import::import_cdnow, b"", &body);
    }

    #[test]
    fn baskets_rows(body in rows(b',')) {
        import_bytes(import::import_baskets, b"", &body);
    }

    #[test]
    fn customer_rows(body in rows(b','), header in proptest::sample::select(&[
        "name,email,phone,company,tags,customer id,stage\n",
        "Name;Email\n",
        "email\n",
        "\u{feff}name,email,country,owner,notes\n",
    ][..])) {
        import_bytes(customers, header.as_bytes(), &body);
    }

    #[test]
    fn any_bytes_at_all(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        import_bytes(import::import_online_retail, b"", &bytes);
        import_bytes(import::import_cdnow, b"", &bytes);
        import_bytes(import::import_baskets, b"", &bytes);
        import_bytes(customers, b"", &bytes);
    }

    #[test]
    fn batch_script_lines(lines in proptest::collection::vec(
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::sample::select(&[
                "stats", "stats --format xml", "import orders", "import orders 'x.csv' --format nope",
                "export customers --stage won", "--db other stats", "note", "delete deal:x",
                "undelete nothing", "forget", "purge --older-than -1", "'", "\"", "# comment",
                "import revert 99999999999999999999999", "\u{1b}[2J", "trash --what",
            ][..]).prop_map(|s| s.as_bytes().to_vec()),
        ],
        0..12,
    )) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let script = lines.join(&b'\n');
        let total = line_count(&script) as usize;
        let mut ran = 0;
        let failures = rapport::commands::batch::run_script(
            &mut script.as_slice(),
            &rapport::ops::Ops::new(store, rapport::ops::Actor::local()),
            true,
            &mut std::io::sink(),
            &mut |_, _, _| { ran += 1; Ok(()) },
            &|_| 1,
        ).expect("a script of any bytes is read to its end");
        for f in &failures {
            prop_assert!(f.line >= 1 && f.line <= total, "line {} of {total}", f.line);
            prop_assert!(!f.message.is_empty());
            prop_assert_eq!(f.code, 2);
        }
        prop_assert!(ran + failures.len() <= total);
    }
}

#[test]
fn a_two_megabyte_field_is_taken_or_refused_not_a_crash() {
    let huge = "y".repeat(2 << 20);
    let body =
        format!("536365,85123A,{huge},6,01/12/2010 08:26,2.55,17850,United Kingdom\n\"{huge}\n");
    import_bytes(
        import::import_online_retail,
        b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
        body.as_bytes(),
    );
}

#[test]
fn escape_sequences_in_stored_names_reach_the_screen_harmlessly() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let mut evil: rapport::domain::Customer = store.get(1).unwrap().unwrap();
    evil.name = "AAA Evil\x1b]0;pwned\x07\x1b[2J\u{9b}31mCorp".into();
    evil.company = Some("Bad\rCo\x1b[5m".into());
    store.update(&evil).unwrap();
    store
        .create(rapport::domain::Note::new(
            evil.id,
            rapport::domain::NoteKind::Note,
            "line one\x1b[1A\x1b[2Kline two",
            chrono::Utc::now(),
        ))
        .unwrap();
    let mut app = common::app(&store, true);
    for keys in [&[][..], &["enter"], &["ctrl-p"]] {
        common::press(&mut app, keys);
        if keys == ["ctrl-p"] {
            common::type_text(&mut app, "evil");
        }
        for (w, h) in [(80, 24), (120, 40)] {
            let screen = common::screen(&app, w, h);
            assert!(
                !screen.chars().any(|c| c.is_control() && c != '\n'),
                "a control character reached the screen after {keys:?}:\n{screen}"
            );
            assert!(
                screen.contains("Evil␛"),
                "the name is shown, defused:\n{screen}"
            );
        }
    }
}

/// A FIFO that `bytes` repeated forever is written to, until its reader goes away.
fn endless_fifo(
    dir: &Path,
    name: &str,
    head: &'static [u8],
    bytes: &'static [u8],
) -> std::path::PathBuf {
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    let path = dir.join(name);
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid path; mkfifo(3) only reads it.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let fifo = path.clone();
    std::thread::spawn(move || {
        let Ok(mut writer) = std::fs::OpenOptions::new().write(true).open(&fifo) else {
            return;
        };
        let block = bytes.repeat((64 << 10) / bytes.len().max(1));
        if writer.write_all(head).is_err() {
            return;
        }
        while writer.write_all(&block).is_ok() {}
    });
    path
}

/// Endless input (a reader that never ends) to every importer, to `--batch` and to `restore`, with
/// the child's address space capped: each stops at the line past the limit, names it, and exits
/// 1 or 4 without a panic or an abort, in seconds rather than when memory runs out.
#[test]
fn endless_input_stops_at_a_line_number_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let inputs: [(&str, &'static [u8], &'static [u8]); 3] = [
        ("zeros", b"", b"\0"),
        ("one endless row", b"", b"a,"),
        ("one endless quoted field", b"x,\"", b"line\n"),
    ];
    let mut runs = 0;
    for (round, (what, head, bytes)) in inputs.into_iter().enumerate() {
        let commands: Vec<Vec<String>> = vec![
            vec!["import", "orders", "IN", "--format", "online-retail"],
            vec!["import", "orders", "IN", "--format", "cdnow"],
            vec!["import", "orders", "IN", "--format", "baskets"],
            vec!["import", "customers", "IN"],
            vec!["--batch", "IN"],
            vec!["restore", "IN"],
        ]
        .into_iter()
        .map(|c| c.into_iter().map(String::from).collect())
        .collect();
        for (n, command) in commands.into_iter().enumerate() {
            let input = if *what == *"zeros" {
                std::path::PathBuf::from("/dev/zero")
            } else {
                endless_fifo(dir.path(), &format!("in-{round}-{n}"), head, bytes)
            };
            let db = dir.path().join(format!("db-{round}-{n}"));
            let args: Vec<std::ffi::OsString> = command
                .iter()
                .map(|a| match a.as_str() {
                    "IN" => input.clone().into_os_string(),
                    other => other.into(),
                })
                .collect();
            let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rapport"));
            child.arg("--db").arg(&db).args(&args);
            // SAFETY: setrlimit(2) is async-signal-safe.
            unsafe {
                std::os::unix::process::CommandExt::pre_exec(&mut child, || {
                    let cap = libc::rlimit {
                        rlim_cur: 2 << 30,
                        rlim_max: 2 << 30,
                    };
                    libc::setrlimit(libc::RLIMIT_AS, &cap);
                    Ok(())
                });
            }
            let started = std::time::Instant::now();
            let out = child.output().unwrap();
            let took = started.elapsed();
            let err = String::from_utf8_lossy(&out.stderr);
            let said = format!("{what}, {command:?}: {err} (in {took:?})");
            // A script's first line that is no command is a usage error (2), as it is alone.
            let usage = command[0] == "--batch" && *what != *"zeros";
            assert!(
                matches!(out.status.code(), Some(1 | 4)) || (usage && out.status.code() == Some(2)),
                "{said}"
            );
            assert!(err.contains("line 1"), "{said}");
            for crash in ["panicked", "memory allocation", "backtrace", "Aborted"] {
                assert!(!err.contains(crash), "{said}");
            }
            assert!(took < std::time::Duration::from_secs(30), "{said}");
            runs += 1;
        }
    }
    assert_eq!(runs, 18);
}
