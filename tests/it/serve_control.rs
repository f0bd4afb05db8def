//! Commands from the shell while `rapport serve` holds the database: they run inside the server,
//! over the control socket, with the same output, messages and exit code as without it.

use crate::common;

use std::path::Path;

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

use common::{Served, serve_with};

/// `rapport serve` on a free port, once it says it is listening.
fn serve(db: &Path) -> Served {
    serve_with(db, &[], None).0
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

/// A server on a small demo with its control socket, and the owner's app attached to it with
/// `fields` after "attach\0" ("TERM\0COLORTERM\0NO_COLOR\0W\0H[\0AS\0readonly]").
struct Attached {
    running: rapport::serve::Running,
    _serving: rapport::control::Serving,
    stream: std::os::unix::net::UnixStream,
    screen: vt100::Parser,
    _dir: tempfile::TempDir,
}

impl Attached {
    fn new(fields: &[u8]) -> Attached {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let store = common::small_demo(&dir.path().join("db"));
        let model = rapport::model::ReadModel::new(store.clone());
        let running = rapport::serve::start(
            std::sync::Arc::clone(&model),
            rapport::serve::ServeOptions {
                listen: "127.0.0.1:0".parse().unwrap(),
                idle: None,
                escape_time: rapport::serve::input::ESC_WAIT,
                max_sessions: 4,
                theme: "default".into(),
                config_dir: None,
                grace: std::time::Duration::from_secs(30),
                limits: Default::default(),
            },
        )
        .unwrap();
        let serving = rapport::control::serve_for(
            rapport::ops::Ops::shared(model, rapport::ops::Actor::local()),
            Some(running.attach()),
        )
        .unwrap();
        let stream =
            std::os::unix::net::UnixStream::connect(store.path().join("rapport.sock")).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        let mut request = rapport::control::frames(&stream, b'a').unwrap();
        request.write_all(b"ttach\0").unwrap();
        request.write_all(fields).unwrap();
        drop(request);
        assert_eq!(
            rapport::control::read_frame(&stream, 16).unwrap(),
            b"a",
            "the request is acknowledged before the session starts"
        );
        Attached {
            running,
            _serving: serving,
            stream,
            screen: vt100::Parser::new(24, 100, 0),
            _dir: dir,
        }
    }

    /// Reads until the screen holds `wanted` (false, the screen) or the session ends (true).
    fn read_until(&mut self, wanted: &str) -> (bool, String) {
        loop {
            let frame = rapport::control::read_frame(&self.stream, 1 << 20).expect("a frame");
            match frame.split_first() {
                Some((b'o', bytes)) => self.screen.process(bytes),
                Some((b'x', _)) => return (true, self.screen.screen().contents()),
                other => panic!("unexpected frame {other:?}"),
            }
            if self.screen.screen().contents().contains(wanted) {
                return (false, self.screen.screen().contents());
            }
        }
    }

    fn keys(&self, keys: &[u8]) {
        use std::io::Write;
        let mut frame = rapport::control::frames(&self.stream, b'i').unwrap();
        frame.write_all(keys).unwrap();
        frame.flush().unwrap();
    }
}

/// The owner's own `rapport` while the server runs: a session over the control socket, with the
/// same screen a rep gets, that ends when its user quits.
#[test]
fn the_owners_app_attaches_as_a_session_of_the_server() {
    let mut app = Attached::new(b"xterm-256color\0\0\x00100\x0024");
    let (ended, first) = app.read_until("Customers");
    assert!(!ended && first.contains("no one else on"), "{first}");
    assert!(!first.contains("read-only"), "{first}");
    app.keys(b"3");
    let (_, tickets) = app.read_until("Tickets ·");
    assert!(tickets.contains("active"), "{tickets}");
    app.keys(b"q");
    let (ended, _) = app.read_until("\u{0}never");
    assert!(ended, "the session ends when its user quits");
    app.running.stop();
}

/// `rapport --as bea --readonly` with the server running: the attached session is bea's and
/// writes nothing (before, it ran as the owner with every right, and an edit saved).
#[test]
fn the_owners_app_honours_as_and_readonly_under_the_server() {
    let mut app = Attached::new(b"xterm-256color\0\0\x00100\x0024\0bea\0readonly");
    let (ended, first) = app.read_until("Customers");
    assert!(!ended && first.contains("read-only"), "{first}");
    // The edit form would open on Enter's page with `e`: refused before any typing.
    app.keys(b"e");
    let (_, said) = app.read_until("only reads");
    assert!(said.contains("--readonly"), "{said}");
    // The name on the session is bea's: her follow-ups are "mine" on Today.
    app.keys(b"0");
    let (_, today) = app.read_until("Today");
    assert!(today.contains("bea"), "{today}");
    app.running.stop();
}

/// Many writers at once through the socket: every `note` that exits 0 is in the database, and
/// one that is not says why and exits 3 (before, a busy socket could give exit 0 and no note).
#[test]
fn every_note_that_exits_zero_is_written_however_busy_the_socket() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 30, 2);
    let server = serve(&db);
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let (db, cwd) = (db.clone(), dir.path().to_path_buf());
            std::thread::spawn(move || {
                (0..6)
                    .map(|i| {
                        let text = format!("busy note {w}-{i}");
                        let outcome = run(&db, &cwd, &["note", "1", &text]);
                        (text, outcome)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let outcomes: Vec<_> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    drop(server);
    let (_, notes, _) = run(&db, dir.path(), &["export", "notes", "--format", "csv"]);
    for (text, (code, _, err)) in &outcomes {
        match code {
            Some(0) => assert!(
                notes.contains(text.as_str()),
                "{text} exited 0 and is not stored"
            ),
            Some(3) => assert_eq!(err.lines().count(), 1, "{err}"),
            other => panic!("{text}: exit {other:?}: {err}"),
        }
    }
    let ok = outcomes.iter().filter(|(_, o)| o.0 == Some(0)).count();
    assert_eq!(
        ok,
        outcomes.len(),
        "a busy server is waited for, not given up on"
    );
}

/// A holder that is stopped (SIGSTOP) takes the connection but never answers: a command gives
/// up after the acknowledgement's time limit with exit 3 instead of hanging.
#[test]
fn a_stopped_server_gets_exit_3_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 20, 2);
    let (server, _, _) = serve_with(&db, &[], None);
    let pid = server.0.id() as libc::pid_t;
    // SAFETY: signals to our own child.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let started = std::time::Instant::now();
    let (code, _, err) = run(&db, dir.path(), &["stats"]);
    let took = started.elapsed();
    unsafe { libc::kill(pid, libc::SIGCONT) };
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("did not answer"), "{err}");
    assert!(took < std::time::Duration::from_secs(40), "took {took:?}");
    let (code, _, err) = run(&db, dir.path(), &["stats"]);
    assert_eq!(code, Some(0), "answers again once it runs: {err}");
}

/// Past its open-files limit a server cannot take connections for a while; it goes on, and a
/// member signs in once the idle connections are gone. SIGTERM then stops it cleanly.
#[test]
fn a_server_out_of_file_descriptors_goes_on_serving() {
    use rapport::bench::load::Client;
    use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 20, 2);
    let key = russh::keys::PrivateKey::new(
        KeypairData::Ed25519(Ed25519Keypair::from_seed(&[5; 32])),
        "test",
    )
    .unwrap();
    let public = dir.path().join("bea.pub");
    std::fs::write(&public, key.public_key().to_openssh().unwrap()).unwrap();
    let (code, _, err) = run(
        &db,
        dir.path(),
        &["team", "add", "bea", "--key", public.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{err}");
    let (mut server, addr, log) = serve_with(
        &db,
        &[
            "--max-startups",
            "1000",
            "--max-startups-per-address",
            "1000",
            "--grace-seconds",
            "3",
        ],
        Some(64),
    );
    let idle: Vec<_> = (0..120)
        .filter_map(|_| std::net::TcpStream::connect(addr).ok())
        .collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut said = false;
    while !said && std::time::Instant::now() < deadline {
        said = log
            .recv_timeout(std::time::Duration::from_millis(200))
            .is_ok_and(|l| l.contains("cannot take a connection"));
    }
    assert!(
        said,
        "the server never ran out of descriptors: the test proves nothing"
    );
    drop(idle);
    std::thread::sleep(std::time::Duration::from_secs(4));
    assert!(server.0.try_wait().unwrap().is_none(), "the server exited");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let host = rapport::serve::host_key(&db)
        .unwrap()
        .public_key()
        .fingerprint(russh::keys::HashAlg::Sha256)
        .to_string();
    let signed = runtime.block_on(async move {
        let config = std::sync::Arc::new(russh::client::Config::default());
        let mut handle = russh::client::connect(config, addr, Client { host })
            .await
            .unwrap();
        let key = russh::keys::PrivateKeyWithHashAlg::new(std::sync::Arc::new(key), None);
        handle
            .authenticate_publickey("bea", key)
            .await
            .unwrap()
            .success()
    });
    assert!(signed, "a member could not sign in after the flood");
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(server.0.id() as libc::pid_t, libc::SIGTERM) };
    let status = server.0.wait().unwrap();
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
}

/// Through the socket, the caller's standard output named as a file is the caller's: the rows
/// reach it, not the server's own output. Another of the server's streams is refused.
#[test]
fn a_path_naming_the_callers_stdout_reaches_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 30, 4);
    let alone = run(&db, dir.path(), &["export", "customers", "--format", "csv"]);
    let (_server, _, log) = serve_with(&db, &[], None);
    for out in ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"] {
        let served = run(
            &db,
            dir.path(),
            &["export", "customers", "--format", "csv", "--out", out],
        );
        assert_eq!(served.0, Some(0), "{}", served.2);
        assert_eq!(
            served.1, alone.1,
            "--out {out}: the caller's output has the rows"
        );
        let served = run(&db, dir.path(), &["backup", out]);
        assert_eq!(served.0, Some(0), "{}", served.2);
        assert!(
            served.1.contains("\"customers\"") || served.1.lines().count() > 30,
            "backup {out}"
        );
    }
    let leaked: Vec<String> = log.try_iter().filter(|l| l.contains("@example")).collect();
    assert!(
        leaked.is_empty(),
        "customer data in the server's output: {leaked:?}"
    );
    let refused = run(
        &db,
        dir.path(),
        &["export", "customers", "--out", "/proc/1/fd/2"],
    );
    assert_eq!(refused.0, Some(2), "{}", refused.2);
    assert!(
        refused
            .2
            .contains("stream of the process holding the database"),
        "{}",
        refused.2
    );
    let refused = run(&db, dir.path(), &["import", "orders", "/dev/stdin"]);
    assert_eq!(
        refused.0,
        Some(2),
        "standard input cannot cross: {}",
        refused.2
    );
}

/// The database's directory reached by another path (a bind mount) is still the database:
/// `--out` into it is refused, and the database still opens.
#[test]
fn an_out_path_into_the_database_by_another_mount_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 10, 4);
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["--bind", db.to_str().unwrap(), mnt.to_str().unwrap()])
        .output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        let why = "needs root and mount --bind";
        assert!(std::env::var("CI").is_err(), "CI runs as root: {why}");
        eprintln!("skipped: {why}");
        return;
    }
    let target = mnt.join("conf");
    let out = run(
        &db,
        dir.path(),
        &["export", "customers", "--out", target.to_str().unwrap()],
    );
    let _ = std::process::Command::new("umount").arg(&mnt).status();
    assert_eq!(out.0, Some(2), "{}", out.2);
    assert!(out.2.contains("inside the database directory"), "{}", out.2);
    let (code, _, err) = run(&db, dir.path(), &["stats"]);
    assert_eq!(code, Some(0), "the database still opens: {err}");
}
