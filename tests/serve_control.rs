//! Commands from the shell while `rapport serve` holds the database: they run inside the server,
//! over the control socket, with the same output, messages and exit code as without it.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

/// What a command did: exit code, standard output, standard error.
type Outcome = (Option<i32>, String, String);

fn run(db: &Path, cwd: &Path, args: &[&str]) -> Outcome {
    let out = common::rapport()
        .current_dir(cwd)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `rapport serve` on a free port, once it says it is listening.
fn serve(db: &Path) -> Served {
    let bin = assert_cmd::cargo::cargo_bin("rapport");
    let mut child = std::process::Command::new(bin)
        .env_remove("RAPPORT_DB")
        .arg("--db")
        .arg(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains("listening on"));
    assert!(listening, "the server never said it was listening");
    // Keep reading its log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Served(child)
}

#[test]
fn a_command_run_inside_the_server_says_and_exits_as_it_would_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 200, 3);
    let script = dir.path().join("script.txt");
    std::fs::write(&script, "stats\nnote nobody@example.org \"hello\"\nstats\n").unwrap();
    let commands: &[&[&str]] = &[
        &["stats"],
        &["export", "customers", "--format", "csv"],
        &["export", "deals", "--format", "json", "--stage", "won"],
        // A failure (exit 1), a usage error (exit 2), and a script that stops at line 2.
        &["note", "nobody@example.org", "hello"],
        &["export", "tickets", "--country", "Germany"],
        &["--batch", "script.txt"],
        &["team", "list"],
    ];
    let alone: Vec<Outcome> = commands.iter().map(|c| run(&db, dir.path(), c)).collect();
    assert!(alone.iter().any(|o| o.0 == Some(1)) && alone.iter().any(|o| o.0 == Some(2)));
    let _server = serve(&db);
    let locked = run(&db, dir.path(), &["restore", "-"]);
    assert_eq!(
        locked.0,
        Some(2),
        "standard input cannot cross: {}",
        locked.2
    );
    for (command, alone) in commands.iter().zip(&alone) {
        let served = run(&db, dir.path(), command);
        assert_eq!(
            &served, alone,
            "rapport {command:?} with the server running"
        );
    }
}

#[test]
fn files_a_served_command_names_are_the_callers_own() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 50, 4);
    let _server = serve(&db);
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let (code, _, err) = run(&db, &work, &["export", "customers", "--out", "c.csv"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("rows written to"), "{err}");
    let written = std::fs::read_to_string(work.join("c.csv")).unwrap();
    assert_eq!(written.lines().count(), 51, "a header and 50 customers");
    let (code, out, _) = run(&db, &work, &["backup", "b.ndjson"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("backed up"), "{out}");
    assert!(work.join("b.ndjson").exists());
}

/// The owner's own `rapport` while the server runs: a session over the control socket, with the
/// same screen a rep gets, that ends when its user quits.
#[test]
fn the_owners_app_attaches_as_a_session_of_the_server() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let model = rapport::model::ReadModel::new(store.clone());
    let running = rapport::serve::start(
        std::sync::Arc::clone(&model),
        rapport::serve::ServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            idle: None,
            max_sessions: 4,
            theme: "default".into(),
            config_dir: None,
            grace: std::time::Duration::from_secs(30),
            limits: Default::default(),
        },
    )
    .unwrap();
    let _serving =
        rapport::control::serve_for(store.clone(), Some(model), Some(running.attach())).unwrap();
    let stream =
        std::os::unix::net::UnixStream::connect(store.path().join("rapport.sock")).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut request = rapport::control::frames(&stream, b'a').unwrap();
    // The frame's kind byte and the rest make "attach\0TERM\0COLORTERM\0NO_COLOR\0W\0H".
    request
        .write_all(b"ttach\0xterm-256color\0\0\x00100\x0024")
        .unwrap();
    drop(request);
    assert_eq!(
        rapport::control::read_frame(&stream, 16).unwrap(),
        b"a",
        "the request is acknowledged before the session starts"
    );
    let mut screen = vt100::Parser::new(24, 100, 0);
    let mut read_until = |wanted: &str| loop {
        let frame = rapport::control::read_frame(&stream, 1 << 20).expect("a frame");
        match frame.split_first() {
            Some((b'o', bytes)) => screen.process(bytes),
            Some((b'x', _)) => return (true, screen.screen().contents()),
            other => panic!("unexpected frame {other:?}"),
        }
        if screen.screen().contents().contains(wanted) {
            return (false, screen.screen().contents());
        }
    };
    let (ended, first) = read_until("Customers");
    assert!(!ended && first.contains("no one else on"), "{first}");
    let mut keys = rapport::control::frames(&stream, b'i').unwrap();
    keys.write_all(b"3").unwrap();
    keys.flush().unwrap();
    let (_, tickets) = read_until("Tickets ·");
    assert!(tickets.contains("active"), "{tickets}");
    keys.write_all(b"q").unwrap();
    keys.flush().unwrap();
    let (ended, _) = read_until("\u{0}never");
    assert!(ended, "the session ends when its user quits");
    running.stop();
}
