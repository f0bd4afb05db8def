//! Crash safety of the team server. `rapport serve` is killed (SIGKILL) at random moments while
//! commands write notes through its control socket and a rep writes notes over SSH. After each
//! kill the database opens, every note whose writer was told it was saved (exit 0, or the form
//! closing on "created note") is there with its audit entry under its author, and the server
//! never panicked.
//!
//! The default suite kills three times; `cargo test --test crash_serve -- --ignored` kills many
//! more (RAPPORT_KILLS sets how many).

use crate::common;

use rand::{Rng, SeedableRng};
use rapport::bench::load::Client;
use rapport::domain::Note;
use rapport::store::{AuditQuery, Store};
use russh::ChannelMsg;
use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn key() -> PrivateKey {
    PrivateKey::new(
        KeypairData::Ed25519(Ed25519Keypair::from_seed(&[3; 32])),
        "test",
    )
    .unwrap()
}

/// (author, text) of every note a writer was told is saved.
type Acknowledged = Arc<Mutex<Vec<(String, String)>>>;

fn cli_writer(db: &Path, w: usize, round: usize, stop: Arc<AtomicBool>, acked: Acknowledged) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let text = format!("cli r{round} w{w} n{i}");
        let author = format!("cli{w}");
        let out = common::rapport()
            .arg("--db")
            .arg(db)
            .args([
                "--as",
                &author,
                "note",
                &(1 + (w + i) % 50).to_string(),
                &text,
            ])
            .output()
            .unwrap();
        if out.status.success() {
            acked.lock().unwrap().push((author, text));
        }
        i += 1;
    }
}

/// A manager over SSH adding notes from the customers table until the server goes.
async fn ssh_writer(
    addr: std::net::SocketAddr,
    host: String,
    round: usize,
    acked: Acknowledged,
) -> anyhow::Result<()> {
    let mut handle =
        russh::client::connect(Arc::new(Default::default()), addr, Client { host }).await?;
    let key = PrivateKeyWithHashAlg::new(Arc::new(key()), None);
    anyhow::ensure!(handle.authenticate_publickey("mia", key).await?.success());
    let channel = handle.channel_open_session().await?;
    channel
        .request_pty(true, "xterm-256color", 100, 30, 0, 0, &[])
        .await?;
    channel.request_shell(true).await?;
    let (mut reading, channel) = channel.split();
    let mut screen = vt100::Parser::new(30, 100, 0);
    let mut wait_until = async |screen: &mut vt100::Parser, done: &dyn Fn(&str) -> bool| {
        while !done(&screen.screen().contents()) {
            match tokio::time::timeout(Duration::from_secs(20), reading.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => screen.process(&data),
                Ok(Some(_)) => {}
                _ => anyhow::bail!("the server went"),
            }
        }
        Ok(())
    };
    wait_until(&mut screen, &|s| s.contains("Customers")).await?;
    for i in 0.. {
        let text = format!("ssh r{round} n{i}");
        channel.data(&b"a"[..]).await?;
        wait_until(&mut screen, &|s| s.contains("Note on")).await?;
        channel.data(format!("{text}\r").as_bytes()).await?;
        // The form closes once the note is written, and only then.
        wait_until(&mut screen, &|s| !s.contains("Note on")).await?;
        acked.lock().unwrap().push(("mia".into(), text));
    }
    Ok(())
}

fn kills(rounds: usize) {
    let seed = std::env::var("RAPPORT_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("RAPPORT_KILL_SEED={seed}");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 100, 6);
    let public = dir.path().join("mia.pub");
    std::fs::write(&public, key().public_key().to_openssh().unwrap()).unwrap();
    common::stdout_of(
        &db,
        &[
            "team",
            "add",
            "mia",
            "--key",
            public.to_str().unwrap(),
            "--role",
            "manager",
        ],
    );
    let acked: Acknowledged = Arc::default();
    let mut panics = Vec::new();
    for round in 0..rounds {
        let (mut server, addr, log) = common::serve_with(&db, &[], None);
        let host = rapport::serve::host_key(&db)
            .unwrap()
            .public_key()
            .fingerprint(russh::keys::HashAlg::Sha256)
            .to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let (db, stop, acked) = (db.clone(), stop.clone(), acked.clone());
                std::thread::spawn(move || cli_writer(&db, w, round, stop, acked))
            })
            .collect();
        let theirs = acked.clone();
        let ssh = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(ssh_writer(addr, host, round, theirs))
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(300..2500)));
        server.0.kill().unwrap();
        server.0.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
        let _ = ssh.join().unwrap();
        panics.extend(log.try_iter().filter(|l| l.contains("panicked")));
        // Opens, and holds everything acknowledged so far, each with its entry in the log.
        let store = Store::open(&db).expect("the database opens after a kill");
        let notes: std::collections::HashSet<String> = store
            .all::<Note>()
            .unwrap()
            .into_iter()
            .map(|n| n.text)
            .collect();
        let audit = store.audit(&AuditQuery::default()).unwrap();
        let logged: std::collections::HashSet<(String, u64)> = audit
            .iter()
            .filter(|e| e.op == "create" && e.kind == "note")
            .map(|e| (e.actor.clone(), e.id))
            .collect();
        let by_text: std::collections::HashMap<String, u64> = store
            .all::<Note>()
            .unwrap()
            .into_iter()
            .map(|n| (n.text, n.id.0))
            .collect();
        for (author, text) in acked.lock().unwrap().iter() {
            assert!(
                notes.contains(text),
                "round {round}: acknowledged '{text}' lost"
            );
            let id = by_text[text];
            assert!(
                logged.contains(&(author.clone(), id)),
                "round {round}: no audit entry by {author} for '{text}'"
            );
        }
        assert!(store.check_indexes().unwrap().is_empty());
        drop(store);
    }
    assert!(panics.is_empty(), "the server panicked: {panics:?}");
    let total = acked.lock().unwrap().len();
    let by_ssh = acked
        .lock()
        .unwrap()
        .iter()
        .filter(|(a, _)| a == "mia")
        .count();
    eprintln!("{rounds} kills: {total} acknowledged notes ({by_ssh} over SSH), none lost");
    assert!(
        total > rounds,
        "the writers wrote almost nothing: the test proves little"
    );
}

#[test]
fn a_server_killed_while_writes_come_in_loses_nothing_acknowledged() {
    kills(3);
}

#[test]
#[ignore = "stress: many kills of the server; run with --ignored"]
fn stress_many_server_kills() {
    let rounds = std::env::var("RAPPORT_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    kills(rounds);
}
