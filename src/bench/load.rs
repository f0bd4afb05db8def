//! `rapport bench serve`: reps at a person's pace against a real `rapport serve`, over SSH, on this
//! machine. The server runs as its own process (its memory and CPU are its own); the clients are
//! russh sessions in this one, each reading its screen through a terminal emulator.

use super::{ms, percentile};
use crate::domain::Role;
use crate::ops::{Actor, Ops};
use anyhow::Context;
use rand::{Rng, SeedableRng};
use russh::ChannelMsg;
use russh::client;
use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
use russh::keys::{HashAlg, PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Sessions that press no key and only watch other reps' writes arrive.
const WATCHERS: usize = 2;
const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;
/// How long a key's redraw is waited for; a key that changes nothing (k at the top) waits this.
const FIRST_BYTE: Duration = Duration::from_secs(1);
/// Quiet after the last bytes of a redraw that says it is complete.
const SETTLED: Duration = Duration::from_millis(30);

/// How long a write's acknowledgement, or its arrival on a watcher's screen, is waited for.
const PATIENCE: Duration = Duration::from_secs(5);

fn member_name(i: usize) -> String {
    format!("bench-{i}")
}

fn key_of(i: usize) -> anyhow::Result<PrivateKey> {
    let mut seed = [7u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    Ok(PrivateKey::new(
        KeypairData::Ed25519(Ed25519Keypair::from_seed(&seed)),
        "bench",
    )?)
}

/// What every session saw, gathered at the end.
#[derive(Default)]
struct Figures {
    /// Key sent → first bytes of the redraw.
    latency: Vec<Duration>,
    /// Bytes a navigation key brought back.
    nav_bytes: Vec<usize>,
    /// Keys after which nothing was redrawn before the next one.
    silent: usize,
    acked: usize,
    refused: usize,
    unanswered: usize,
    /// A deal already at the end of the pipeline the key would move it past: no write.
    no_move: usize,
    /// A write's key → every watcher's screen changed.
    visible: Vec<Duration>,
    invisible: usize,
    /// Acknowledged writes per member, to find in the audit log afterwards.
    acked_by: Vec<(String, usize)>,
}

impl Figures {
    /// Takes in one session's figures.
    fn add(&mut self, f: Figures) {
        self.latency.extend(f.latency);
        self.nav_bytes.extend(f.nav_bytes);
        self.silent += f.silent;
        self.acked += f.acked;
        self.refused += f.refused;
        self.unanswered += f.unanswered;
        self.no_move += f.no_move;
        self.visible.extend(f.visible);
        self.invisible += f.invisible;
        self.acked_by.extend(f.acked_by);
    }
}

/// Watchers' last redraw, for the writer to wait on.
type Seen = Arc<Mutex<Vec<Instant>>>;

struct Rep {
    channel: russh::Channel<client::Msg>,
    screen: vt100::Parser,
    _handle: client::Handle<Client>,
}

/// An SSH client that trusts only the server's own host key, by its SHA256 fingerprint.
pub struct Client {
    pub host: String,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(matches!(key, PublicKeyOrCertificate::PublicKey { key, .. }
            if key.fingerprint(HashAlg::Sha256).to_string() == self.host))
    }
}

async fn connect(addr: std::net::SocketAddr, host: &str, i: usize) -> anyhow::Result<Rep> {
    let config = Arc::new(client::Config::default());
    let mut handle = client::connect(config, addr, Client { host: host.into() }).await?;
    let key = PrivateKeyWithHashAlg::new(Arc::new(key_of(i)?), None);
    let auth = handle.authenticate_publickey(member_name(i), key).await?;
    anyhow::ensure!(auth.success(), "bench member {i} was not let in");
    let channel = handle.channel_open_session().await?;
    let (w, h) = (u32::from(WIDTH), u32::from(HEIGHT));
    channel
        .request_pty(false, "xterm-256color", w, h, 0, 0, &[])
        .await?;
    channel.request_shell(false).await?;
    let mut rep = Rep {
        channel,
        screen: vt100::Parser::new(HEIGHT, WIDTH, 0),
        _handle: handle,
    };
    rep.until(|r| r.text().contains("Customers"), PATIENCE)
        .await?;
    rep.channel.data_bytes(&b"2"[..]).await?;
    rep.until(|r| r.text().contains("lead "), PATIENCE).await?;
    Ok(rep)
}

impl Rep {
    /// Reads until the screen satisfies `done`; the bytes read.
    async fn until(
        &mut self,
        done: impl Fn(&Rep) -> bool,
        patience: Duration,
    ) -> anyhow::Result<usize> {
        let deadline = tokio::time::Instant::now() + patience;
        let mut bytes = 0;
        while !done(self) {
            match tokio::time::timeout_at(deadline, self.channel.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => {
                    bytes += data.len();
                    self.screen.process(&data);
                }
                Ok(Some(_)) => {}
                Ok(None) => anyhow::bail!("the server closed the session"),
                Err(_) => anyhow::bail!("timed out"),
            }
        }
        Ok(bytes)
    }

    fn text(&self) -> String {
        self.screen.screen().contents()
    }

    fn status(&self) -> String {
        let rows: Vec<String> = self.screen.screen().rows(0, WIDTH).collect();
        rows.get(usize::from(HEIGHT) - 2)
            .cloned()
            .unwrap_or_default()
    }
}

/// One rep's minute: a key every 100-300 ms; mostly moving about, sometimes a lookup, now and then
/// a deal moved a stage.
async fn work(
    mut rep: Rep,
    i: usize,
    until: Instant,
    writes: Arc<tokio::sync::Mutex<()>>,
    seen: Seen,
) -> anyhow::Result<Figures> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(i as u64);
    let mut f = Figures::default();
    let mut acked = 0;
    while Instant::now() < until {
        let pause = Duration::from_millis(rng.random_range(100..=300));
        // Whatever arrives meanwhile (other reps' writes) is drawn, not counted.
        let _ = rep.until(|_| false, pause).await;
        let roll = rng.random_range(0..100);
        // One write at a time across the bench, so each is timed on its own; a rep whose turn is
        // taken moves about instead of queueing (at 100 sessions a queue would set the pace).
        let turn = match roll < 5 {
            true => writes.try_lock().ok(),
            false => None,
        };
        if let Some(_turn) = turn {
            let forward = rng.random_bool(0.5);
            acked += usize::from(move_deal(&mut rep, forward, &mut f, &seen).await?);
            continue;
        }
        let keys: &[&[u8]] = if roll < 15 {
            &[b"\x10", b"m", b"a", b"\x1b"]
        } else {
            let nav: [&[u8]; 4] = [b"j", b"k", b"l", b"h"];
            &[nav[rng.random_range(0..nav.len())]]
        };
        for key in keys {
            press(&mut rep, key, keys.len() == 1, &mut f).await?;
        }
    }
    f.acked_by.push((member_name(i), acked));
    Ok(f)
}

/// Moves the selected deal a stage on or back, and times how soon every watcher sees it; true
/// when the write was acknowledged.
async fn move_deal(
    rep: &mut Rep,
    forward: bool,
    f: &mut Figures,
    seen: &Seen,
) -> anyhow::Result<bool> {
    // Two marks taken back: the status line changes, so the write's own message is new.
    rep.channel.data_bytes(&b"vv"[..]).await?;
    if rep
        .until(|r| !r.status().contains("saved deal"), PATIENCE)
        .await
        .is_err()
    {
        return Ok(false);
    }
    let key: &[u8] = if forward { b">" } else { b"<" };
    let sent = Instant::now();
    rep.channel.data_bytes(key).await?;
    let answered = rep
        .until(
            |r| {
                let status = r.status();
                ["saved deal", "not saved", "changed by", "cannot move"]
                    .iter()
                    .any(|m| status.contains(m))
            },
            PATIENCE,
        )
        .await;
    let status = rep.status();
    match answered {
        Ok(_) if status.contains("saved deal") => {
            f.acked += 1;
            let deadline = sent + PATIENCE;
            loop {
                let last = crate::parallel::lock(seen).iter().min().copied();
                if last.is_some_and(|t| t > sent) {
                    f.visible.push(last.map_or(Duration::ZERO, |t| t - sent));
                    break;
                }
                if Instant::now() > deadline {
                    f.invisible += 1;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            return Ok(true);
        }
        Ok(_) if status.contains("cannot move") => f.no_move += 1,
        Ok(_) => f.refused += 1,
        Err(_) => f.unanswered += 1,
    }
    Ok(false)
}

/// Sends one key and times its redraw; a navigation's bytes are counted too.
async fn press(rep: &mut Rep, key: &[u8], navigation: bool, f: &mut Figures) -> anyhow::Result<()> {
    let sent = Instant::now();
    rep.channel.data_bytes(key.to_vec()).await?;
    let mut first = None;
    let mut bytes = 0;
    // A slow redraw still counts (up to a second); once it starts, it is over when the screen has
    // been quiet for a moment.
    let mut quiet = sent + FIRST_BYTE;
    loop {
        match tokio::time::timeout_at(quiet.into(), rep.channel.wait()).await {
            Ok(Some(ChannelMsg::Data { data })) => {
                first.get_or_insert_with(|| sent.elapsed());
                quiet = Instant::now() + SETTLED;
                bytes += data.len();
                rep.screen.process(&data);
            }
            Ok(Some(_)) => {}
            Ok(None) => anyhow::bail!("the server closed the session"),
            Err(_) => break,
        }
    }
    match first {
        Some(latency) => f.latency.push(latency),
        None => f.silent += 1,
    }
    if navigation {
        f.nav_bytes.push(bytes);
    }
    Ok(())
}

/// A watcher: presses nothing, notes when its screen last changed, until every rep is done.
async fn watch(mut rep: Rep, slot: usize, done: Arc<std::sync::atomic::AtomicBool>, seen: Seen) {
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        if let Ok(Some(ChannelMsg::Data { data })) =
            tokio::time::timeout(Duration::from_millis(200), rep.channel.wait()).await
        {
            rep.screen.process(&data);
            crate::parallel::lock(&seen)[slot] = Instant::now();
        }
    }
}

fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf only reads a system setting.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some(ticks / hz)
}

/// What a run asks for.
pub struct Load {
    pub sessions: usize,
    pub seconds: u64,
    pub client_threads: usize,
    /// Another build to serve, under this one's client.
    pub server: Option<std::path::PathBuf>,
}

pub fn run(db: &Path, load: Load, out: &mut dyn Write) -> anyhow::Result<()> {
    let Load {
        sessions,
        seconds,
        client_threads,
        server,
    } = load;
    let total = sessions + WATCHERS;
    enrol(db, total)?;
    let started_load = Instant::now();
    let mut server = Server::start(db, server, total)?;
    let server_ready = started_load.elapsed();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(client_threads)
        .enable_all()
        .build()?;
    let result = runtime.block_on(drive(&server, sessions, seconds));
    server.stop();
    let (f, cpu, memory) = result?;
    let lost = lost_writes(db, &f)?;
    let owner = Ops::open(db, Actor::local())?;
    for i in 0..total {
        let _ = owner.remove_member(&member_name(i));
    }
    writeln!(
        out,
        "{sessions} sessions (+{WATCHERS} watching) for {seconds} s, a key every 100-300 ms each; server ready in {}",
        ms(server_ready)
    )?;
    report(out, &f, sessions, seconds, lost)?;
    if let Some((rss, peak)) = memory {
        writeln!(
            out,
            "server memory           {rss:.0} MiB resident, {peak:.0} MiB peak"
        )?;
    }
    if let Some(cpu) = cpu {
        writeln!(
            out,
            "server CPU              {:.0}% of one core",
            cpu * 100.0
        )?;
    }
    Ok(())
}

/// Every simulated rep, and every watcher, as a manager of the team.
fn enrol(db: &Path, total: usize) -> anyhow::Result<()> {
    let owner = Ops::open(db, Actor::local())?;
    for i in 0..total {
        let _ = owner.remove_member(&member_name(i));
        let key = crate::team::Key::of(key_of(i)?.public_key())?;
        owner.add_member(&member_name(i), &key, Role::Manager)?;
    }
    Ok(())
}

/// `rapport serve` on loopback, as a process of its own: this build, or another one.
struct Server {
    child: std::process::Child,
    pid: u32,
    addr: std::net::SocketAddr,
    host: String,
}

impl Server {
    fn start(db: &Path, build: Option<std::path::PathBuf>, total: usize) -> anyhow::Result<Server> {
        let exe = match build {
            Some(path) => path,
            None => std::env::current_exe()?,
        };
        let mut child = std::process::Command::new(exe)
            .arg("--db")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0", "--max-sessions"])
            .arg((total + 4).to_string())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        let pid = child.id();
        let mut log = std::io::BufReader::new(child.stderr.take().context("server log")?).lines();
        let (mut addr, mut host) = (None, None);
        for line in log.by_ref() {
            let line = line?;
            if let Some(a) = line.strip_prefix("rapport serve: listening on ") {
                addr = Some(a.parse::<std::net::SocketAddr>()?);
            }
            if let Some(h) = line.strip_prefix("host key ") {
                host = h.split_whitespace().next().map(str::to_string);
            }
            if addr.is_some() && host.is_some() {
                break;
            }
        }
        std::thread::spawn(move || log.for_each(drop));
        Ok(Server {
            child,
            pid,
            addr: addr.context("the server did not start")?,
            host: host.context("no host key")?,
        })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a run measured, the server's CPU (share of one core) and its memory (MiB now, at peak).
type Measured = (Figures, Option<f64>, Option<(f64, f64)>);

/// Signs every session in, then lets the reps work and the watchers watch for `seconds`.
async fn drive(server: &Server, sessions: usize, seconds: u64) -> anyhow::Result<Measured> {
    let mut reps = Vec::new();
    for i in 0..sessions + WATCHERS {
        reps.push(
            connect(server.addr, &server.host, i)
                .await
                .with_context(|| format!("session {i}"))?,
        );
    }
    let cpu_before = cpu_seconds(server.pid);
    let clock = Instant::now();
    let until = clock + Duration::from_secs(seconds);
    let seen: Seen = Arc::new(Mutex::new(vec![clock; WATCHERS]));
    let writes = Arc::new(tokio::sync::Mutex::new(()));
    // Watchers watch until the last rep is done: a write begun just before the end is timed to
    // the end, and one no one watched would count as never seen.
    let reps_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    let mut watchers = Vec::new();
    for (i, rep) in reps.into_iter().enumerate() {
        let seen = Arc::clone(&seen);
        match i.checked_sub(sessions) {
            Some(w) => watchers.push(tokio::spawn(watch(rep, w, Arc::clone(&reps_done), seen))),
            None => tasks.push(tokio::spawn(work(rep, i, until, Arc::clone(&writes), seen))),
        }
    }
    let mut all = Figures::default();
    for task in tasks {
        all.add(task.await??);
    }
    reps_done.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in watchers {
        w.await?;
    }
    let cpu = cpu_before
        .zip(cpu_seconds(server.pid))
        .map(|(a, b)| (b - a) / clock.elapsed().as_secs_f64());
    Ok((all, cpu, super::memory_mib_of(&server.pid.to_string())))
}

/// Acknowledged writes missing from the database's own log under their rep's name.
fn lost_writes(db: &Path, f: &Figures) -> anyhow::Result<usize> {
    let owner = Ops::open(db, Actor::local())?;
    let mut lost = 0;
    for (name, acked) in &f.acked_by {
        let found = owner
            .records()
            .audit(&crate::ops::AuditQuery {
                who: Some(name.clone()),
                ..Default::default()
            })?
            .iter()
            .filter(|e| e.kind == "deal")
            .count();
        lost += acked.saturating_sub(found);
    }
    Ok(lost)
}

fn report(
    out: &mut dyn Write,
    f: &Figures,
    sessions: usize,
    seconds: u64,
    lost: usize,
) -> anyhow::Result<()> {
    let keys = f.latency.len() + f.silent;
    let mut nav = f.nav_bytes.clone();
    nav.sort_unstable();
    let nav_median = nav.get(nav.len() / 2).copied().unwrap_or(0);
    let nav_mean = nav.iter().sum::<usize>() as f64 / nav.len().max(1) as f64;
    // A rep's pace gives about 4 keys a second (a pause, then waiting for the screen to settle);
    // fewer per session at more sessions means the clients, not the reps, set the pace.
    let rate = keys as f64 / (sessions as f64 * seconds as f64);
    writeln!(
        out,
        "keys sent               {keys}, {rate:.1} per session per second ({} with no redraw within a second)",
        f.silent
    )?;
    writeln!(
        out,
        "key to screen           p50 {}  p95 {}  p99 {}",
        ms(percentile(&f.latency, 0.5)),
        ms(percentile(&f.latency, 0.95)),
        ms(percentile(&f.latency, 0.99))
    )?;
    writeln!(
        out,
        "bytes per navigation    median {nav_median}  mean {nav_mean:.0}"
    )?;
    writeln!(
        out,
        "writes                  {} acknowledged, {} refused (changed by another rep), {} unanswered ({} keys moved nothing)",
        f.acked, f.refused, f.unanswered, f.no_move
    )?;
    writeln!(
        out,
        "write seen by others    p50 {}  p95 {}  ({} never seen)",
        ms(percentile(&f.visible, 0.5)),
        ms(percentile(&f.visible, 0.95)),
        f.invisible
    )?;
    writeln!(out, "acknowledged, not found {lost}")?;
    Ok(())
}
