//! Concurrent use: a second process on an open database gets the clear "in use" error (exit 3) while
//! the first keeps working; a backup asked for from outside is written by the open app; inside one
//! process, insight jobs and writes on the worker never deadlock.

use crate::common;

use rapport::domain::{Customer, Note, NoteKind};
use rapport::store::Store;
use rapport::tui::worker::{Done, Job, Record, Worker, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// A thread that keeps writing a customer and their note per transaction until told to stop.
fn busy_writer(
    store: &Store,
    stop: &Arc<AtomicBool>,
    done: &Arc<AtomicUsize>,
) -> std::thread::JoinHandle<()> {
    let (store, stop, done) = (store.clone(), Arc::clone(stop), Arc::clone(done));
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let n = done.load(Ordering::Relaxed);
            common::write_customer_and_note(&store, n);
            done.fetch_add(1, Ordering::Relaxed);
        }
    })
}

#[test]
fn a_second_process_has_its_commands_run_by_the_first_while_it_works() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = common::small_demo(&db);
    let serving = rapport::control::serve(rapport::ops::Ops::new(
        store.clone(),
        rapport::ops::Actor::local(),
    ))
    .unwrap();
    let (stop, done) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let writer = busy_writer(&store, &stop, &done);

    for args in [
        &["stats"][..],
        &["note", "1", "hello"],
        &["export", "customers"],
    ] {
        let out = common::rapport()
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "rapport {args:?}: {err}");
        assert!(!out.stdout.is_empty(), "rapport {args:?} printed nothing");
    }
    let before = done.load(Ordering::Relaxed);
    let file = dir.path().join("nightly.ndjson");
    let said = common::stdout_of(&db, &["backup", file.to_str().unwrap()]);
    assert!(said.contains("backed up"), "{said}");
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        done.load(Ordering::Relaxed) > before,
        "the first process kept writing"
    );

    // The backup is whole: every customer with their note, and it restores.
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.matches("\"name\":\"Live ").count(),
        text.matches("\"text\":\"live ").count()
    );
    let copy = dir.path().join("copy");
    common::stdout_of(&copy, &["restore", file.to_str().unwrap()]);

    drop(serving);
    assert!(
        !db.join("rapport.sock").exists(),
        "the socket goes with the app"
    );
    let out = common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["backup", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "no app answers: the lock error stands"
    );
}

#[test]
fn insights_and_writes_on_the_worker_never_deadlock() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut worker = Worker::spawn(
        rapport::model::ReadModel::new(store.clone()),
        rapport::ops::Actor::named("sam"),
        tx,
        |d| d,
    );
    let (stop, done) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    // Writes from outside the worker too, as a second app thread would.
    let writer = busy_writer(&store, &stop, &done);
    let customer = store.get::<Customer>(1).unwrap().unwrap();
    let mut expected = 0;
    for i in 0..6 {
        worker.send(Job::Insights { fresh: true });
        worker.send(Job::Summaries);
        let note = Note::new(
            customer.id,
            NoteKind::Note,
            format!("during insights {i}"),
            chrono::Utc::now(),
        );
        worker.send(Job::Write(Write::Create(Record::Note(note))));
        expected += 3;
    }
    let mut written = 0;
    while expected > 0 {
        match rx.recv_timeout(Duration::from_secs(60)) {
            // Not an answer: every session hears of a write this way.
            Ok(Done::Changed) => continue,
            Ok(Done::Written(_)) => written += 1,
            Ok(_) => {}
            Err(e) => panic!("the worker stopped answering (deadlock?): {e}"),
        }
        expected -= 1;
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(written, 6);
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}
