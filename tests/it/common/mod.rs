//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// A file from the shared public datasets beside the repository, or None (with a note on stderr)
/// when the folder is not there, so a bare clone still passes.
pub fn dataset(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is not there (the shared datasets sit beside the repo)",
            path.display()
        );
        None
    }
}

pub fn rapport() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("rapport").unwrap();
    cmd.env_remove("RAPPORT_DB");
    // The user's own config (a phone region, say) must not change what a test sees.
    cmd.env("XDG_CONFIG_HOME", "/nonexistent/rapport-tests");
    cmd
}

pub fn stats_json(db: &std::path::Path) -> serde_json::Value {
    let out = rapport()
        .args(["--db", db.to_str().unwrap(), "stats", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

use chrono::{NaiveDate, TimeZone, Utc};
use rapport::store::Store;
use rapport::tui::keymap::{Keymap, parse_key};
use rapport::tui::state::{AppState, Options};
use rapport::tui::worker::Worker;

/// The first `lines` lines of CDNOW imported into a new database: (the folder to keep, the
/// database, the lines). None where the dataset is not there.
#[allow(dead_code)]
pub fn cdnow_head(lines: usize) -> Option<(tempfile::TempDir, PathBuf, String)> {
    let text = std::fs::read_to_string(dataset("CDNOW_master.txt")?).unwrap();
    let head: String = text.lines().take(lines).map(|l| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cdnow.txt");
    std::fs::write(&file, &head).unwrap();
    let db = dir.path().join("db");
    rapport()
        .arg("--db")
        .arg(&db)
        .args(["import", "orders", "--format", "cdnow"])
        .arg(&file)
        .assert()
        .success();
    Some((dir, db, head))
}

/// The fixed day the TUI tests' demo history ends, and the app's clock at noon on it.
pub fn demo_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 10).unwrap()
}

/// A small demo database: 300 customers, seed 1, history ending on `demo_day`.
pub fn small_demo(path: &std::path::Path) -> Store {
    demo(path, 300)
}

/// A demo database of `customers`, seed 1, history ending on `demo_day`.
#[allow(dead_code)]
pub fn demo(path: &std::path::Path, customers: usize) -> Store {
    let store = Store::open(path).unwrap();
    rapport::demo::generate(
        &store,
        &rapport::demo::DemoSpec {
            customers,
            seed: 1,
            as_of: demo_day(),
        },
    )
    .unwrap();
    store
}

/// The app over `store`, its worker running jobs inline so every result is in before the next key.
pub fn app(store: &Store, readonly: bool) -> AppState {
    let now = Utc.from_utc_datetime(&demo_day().and_hms_opt(12, 0, 0).unwrap());
    let mut state = AppState::new(
        Keymap::default_keys(),
        Worker::inline(
            rapport::model::ReadModel::new(store.clone()),
            rapport::ops::Actor::named("sam"),
        ),
        Options {
            readonly,
            user: "sam".into(),
            now,
        },
    )
    .unwrap();
    state.resize(24);
    state
}

/// One rep's session on a read model other sessions may share, its worker inline.
pub fn session(model: &std::sync::Arc<rapport::model::ReadModel>, name: &str) -> AppState {
    session_as(model, rapport::ops::Actor::named(name))
}

/// A session of `actor`, with the role they have.
pub fn session_as(
    model: &std::sync::Arc<rapport::model::ReadModel>,
    actor: rapport::ops::Actor,
) -> AppState {
    let now = Utc.from_utc_datetime(&demo_day().and_hms_opt(12, 0, 0).unwrap());
    let user = actor.name.clone();
    let mut state = AppState::new(
        Keymap::default_keys(),
        Worker::inline(std::sync::Arc::clone(model), actor),
        Options {
            readonly: false,
            user,
            now,
        },
    )
    .unwrap();
    state.resize(24);
    state
}

/// Presses keys named as in the keymap ("ctrl-p", "enter", "j").
pub fn press(state: &mut AppState, keys: &[&str]) {
    for key in keys {
        state.handle_key(parse_key(key).unwrap_or_else(|| panic!("no key {key}")));
    }
    state.settle();
}

pub fn type_text(state: &mut AppState, text: &str) {
    for c in text.chars() {
        state.handle_key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        ));
    }
    state.settle();
}

pub fn screen(state: &AppState, width: u16, height: u16) -> String {
    let theme = rapport::tui::theme::Theme::load(
        "default",
        None,
        rapport::tui::theme::ColorDepth::TrueColor,
    )
    .unwrap();
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| rapport::tui::ui::draw(f, state, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A demo database made through the binary, as a user makes one.
pub fn demo_cli(db: &std::path::Path, customers: usize, seed: u64) {
    let out = rapport()
        .arg("--db")
        .arg(db)
        .args([
            "demo",
            "--customers",
            &customers.to_string(),
            "--seed",
            &seed.to_string(),
            "--as-of",
            "2026-11-01",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a command on `db` did, whatever it was.
pub fn output_of(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    rapport().arg("--db").arg(db).args(args).output().unwrap()
}

/// What a successful command printed on stdout.
pub fn stdout_of(db: &std::path::Path, args: &[&str]) -> String {
    let out = output_of(db, args);
    assert!(
        out.status.success(),
        "rapport {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every record kind `rapport export` writes from the store itself.
pub const ENTITY_EXPORTS: [&str; 9] = [
    "customers",
    "products",
    "orders",
    "order-lines",
    "deals",
    "tickets",
    "notes",
    "followups",
    "accounts",
];

/// Every entity export of a database, as NDJSON, in `ENTITY_EXPORTS` order.
pub fn exports(db: &std::path::Path) -> Vec<String> {
    ENTITY_EXPORTS
        .iter()
        .map(|w| stdout_of(db, &["export", w, "--format", "ndjson"]))
        .collect()
}

/// Asserts two sets of exports are the same, naming the first entity that differs.
pub fn assert_same_exports(a: &[String], b: &[String], when: &str) {
    for ((what, a), b) in ENTITY_EXPORTS.iter().zip(a).zip(b) {
        assert!(a == b, "{what} differ {when}");
    }
}

/// What a failing command said on stderr, and its exit code.
pub fn failure_of(db: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = output_of(db, args);
    assert!(!out.status.success(), "rapport {args:?} should fail");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One transaction writing a customer and a note on them: a consistent read sees both or neither,
/// which the backup and concurrency tests count on. `n` makes the texts ("Live n", "live n").
pub fn write_customer_and_note(store: &Store, n: usize) {
    use rapport::domain::{Customer, Note, NoteKind};
    store
        .write(|tx| {
            let c = tx.create(Customer::new(format!("Live {n}"), chrono::Utc::now()))?;
            tx.create(Note::new(
                c.id,
                NoteKind::Call,
                format!("live {n}"),
                c.created,
            ))?;
            Ok(())
        })
        .expect("the writer keeps writing");
}

/// A `rapport serve` process, killed when dropped.
pub struct Served(pub std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `rapport serve` with more arguments and, if given, a limit on its open files; with the address
/// it listens on and its log lines from then on.
pub fn serve_with(
    db: &std::path::Path,
    args: &[&str],
    files: Option<u64>,
) -> (
    Served,
    std::net::SocketAddr,
    std::sync::mpsc::Receiver<String>,
) {
    use std::os::unix::process::CommandExt;
    let bin = assert_cmd::cargo::cargo_bin("rapport");
    let mut command = std::process::Command::new(bin);
    command
        .env_remove("RAPPORT_DB")
        .arg("--db")
        .arg(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stderr(std::process::Stdio::piped());
    if let Some(files) = files {
        // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: files,
                    rlim_max: files,
                };
                match libc::setrlimit(libc::RLIMIT_NOFILE, &limit) {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                }
            });
        }
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(stderr).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("listening on ")
                .nth(1)
                .map(|a| a.trim().parse().unwrap())
        })
        .expect("the server never said it was listening");
    // Keep reading its log so the server never blocks on a full pipe.
    let (tx, log) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (Served(child), addr, log)
}

/// Every Rust file of `src/`, sorted: (its path under `src/`, its text).
pub fn source_files() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    (files.into_iter())
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read_to_string(&f).unwrap())
        })
        .collect()
}

/// Each row of a CSV export as column → value.
pub fn csv_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}
