//! `rapport bench`: the figures a rep feels, measured in this process on a real database, and the
//! algorithm-only timings that `benches/compare_peers.sh` sets beside other tools on the same inputs.

pub mod load;

use crate::ops::{Actor, Ops, Records};
use crate::tui::keymap::{Keymap, parse_key};
use crate::tui::state::account::AccountOf;
use crate::tui::state::{AppState, Options};
use crate::tui::theme::{ColorDepth, Theme};
use crate::tui::worker::{Done, Worker};
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The terminal the frames are drawn for.
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

pub struct Frames {
    terminal: ratatui::Terminal<ratatui::backend::TestBackend>,
    theme: Theme,
}

impl Frames {
    fn new() -> anyhow::Result<Frames> {
        Ok(Frames {
            terminal: ratatui::Terminal::new(ratatui::backend::TestBackend::new(WIDTH, HEIGHT))?,
            theme: Theme::load("default", None, ColorDepth::TrueColor)?,
        })
    }

    fn draw(&mut self, state: &AppState) -> anyhow::Result<()> {
        let theme = &self.theme;
        self.terminal
            .draw(|f| crate::tui::ui::draw(f, state, theme))?;
        Ok(())
    }

    /// The work of one key, as the app's loop does it: update, settle, draw.
    fn key(&mut self, state: &mut AppState, key: &str) -> anyhow::Result<Duration> {
        let key = parse_key(key).ok_or_else(|| anyhow::anyhow!("no key {key}"))?;
        let started = Instant::now();
        state.handle_key(key);
        state.settle();
        self.draw(state)?;
        Ok(started.elapsed())
    }
}

/// A read-only session of the app for a terminal of the bench's size.
fn session(worker: Worker, user: &str) -> anyhow::Result<AppState> {
    let mut state = AppState::new(
        Keymap::default_keys(),
        worker,
        Options {
            readonly: true,
            user: user.into(),
            now: chrono::Utc::now(),
        },
    )?;
    state.resize(HEIGHT);
    Ok(state)
}

/// Waits for the worker's jobs (summaries, insights) so that later figures are of a settled app.
fn drain(state: &mut AppState, done: &Receiver<Done>) {
    while state.pending > 0 {
        match done.recv_timeout(Duration::from_secs(120)) {
            Ok(d) => state.handle_done(d),
            Err(_) => break,
        }
    }
}

pub(crate) fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Resident memory of this process now and at its peak, in MiB (Linux; None elsewhere).
pub fn memory_mib() -> Option<(f64, f64)> {
    memory_mib_of("self")
}

/// The same for process `pid` ("self" for this one).
pub fn memory_mib_of(pid: &str) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<f64>()
            .ok()
            .map(|kib| kib / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Twenty queries a rep would type: names, companies, deal titles and ticket subjects that are in
/// the data, picked with a fixed seed.
fn queries(state: &mut AppState, seed: u64) -> Vec<String> {
    let texts = state.finder_entries();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    while out.len() < 20 && !texts.is_empty() {
        let text = &texts[rng.random_range(0..texts.len())].text;
        // What people type: a word or two of it, lower case, sometimes only the start of a word.
        let words: Vec<&str> = text.split_whitespace().take(2).collect();
        let mut query = words.join(" ").to_lowercase();
        if out.len() % 4 == 3 {
            query = words
                .iter()
                .map(|w| w.chars().take(3).collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
        }
        if !query.is_empty() && query.is_ascii() {
            out.push(query);
        }
    }
    out
}

/// Cold start, quick lookup, and the work of moving about, on the database the store has open.
pub fn app(
    store_path: &std::path::Path,
    started: Instant,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let ops = Ops::open_with_cache(store_path, crate::tui::CACHE_BYTES, Actor::local())?;
    let opened = started.elapsed();
    let (tx, rx) = channel();
    let model = ops.into_model();
    let worker = Worker::spawn(model, crate::ops::Actor::local(), tx, |d| d);
    let mut state = session(worker, "bench")?;
    let mut frames = Frames::new()?;
    frames.draw(&state)?;
    let first_frame = started.elapsed();
    writeln!(out, "cold start: database open {}", ms(opened))?;
    writeln!(out, "cold start: first full frame {}", ms(first_frame))?;
    let at_first_frame = memory_mib();
    let settling = Instant::now();
    drain(&mut state, &rx);
    writeln!(
        out,
        "background: summaries and insights ready {} later",
        ms(settling.elapsed())
    )?;
    if let (Some((first, _)), Some((settled, peak))) = (at_first_frame, memory_mib()) {
        writeln!(
            out,
            "memory: resident {first:.0} MiB at the first frame, {settled:.0} MiB with insights (peak {peak:.0} MiB)"
        )?;
    }

    lookup(&mut state, &mut frames, &rx, out)?;

    // Moving the selection and switching panes.
    let mut moves = Vec::new();
    let mut switches = Vec::new();
    for pane in ["1", "2", "3", "1"] {
        switches.push(frames.key(&mut state, pane)?);
        for key in ["j", "j", "j", "pagedown", "k", "G", "g"] {
            moves.push(frames.key(&mut state, key)?);
        }
    }
    writeln!(
        out,
        "frames: moving the selection median {}, p95 {}; switching panes median {}, max {}",
        ms(percentile(&moves, 0.5)),
        ms(percentile(&moves, 0.95)),
        ms(percentile(&switches, 0.5)),
        ms(percentile(&switches, 1.0))
    )?;
    account_pages(&mut state, &mut frames, &rx, out)?;
    if let Some((now, peak)) = memory_mib() {
        writeln!(
            out,
            "memory: resident {now:.0} MiB after the finder (peak {peak:.0} MiB)"
        )?;
    }
    Ok(())
}

/// Accounts opened, as a rep opens one from quick lookup: from the ask to the page drawn with
/// everything of its people, read by the worker; twenty spread over all of them.
fn account_pages(
    state: &mut AppState,
    frames: &mut Frames,
    rx: &Receiver<Done>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let accounts = std::sync::Arc::clone(&state.records.accounts);
    if accounts.is_empty() {
        return Ok(());
    }
    let step = (accounts.len() / 20).max(1);
    let mut times = Vec::new();
    for account in accounts.iter().step_by(step).take(20) {
        let started = Instant::now();
        state.show_account(AccountOf::Id(account.id));
        drain(state, rx);
        frames.draw(state)?;
        times.push(started.elapsed());
        state.handle_key(parse_key("esc").expect("a key"));
    }
    writeln!(
        out,
        "account page: opened median {}, p95 {} ({} accounts)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        times.len()
    )?;
    Ok(())
}

/// Quick lookup: opening it, then every prefix of twenty queries a rep would type.
fn lookup(
    state: &mut AppState,
    frames: &mut Frames,
    rx: &Receiver<Done>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    // Quick lookup: every prefix of twenty queries.
    let opening = Instant::now();
    frames.key(state, "ctrl-p")?;
    drain(state, rx);
    frames.draw(state)?;
    writeln!(
        out,
        "finder: opening (the worker builds the index) {}",
        ms(opening.elapsed())
    )?;
    frames.key(state, "esc")?;
    let queries = queries(state, 11);
    let mut by_position: [Vec<Duration>; 3] = Default::default();
    let keystrokes = type_queries(state, frames, &queries, &mut by_position)?;
    writeln!(
        out,
        "finder: {} keystrokes over {} queries: median {}, p95 {}, max {}",
        keystrokes.len(),
        queries.len(),
        ms(percentile(&keystrokes, 0.5)),
        ms(percentile(&keystrokes, 0.95)),
        ms(percentile(&keystrokes, 1.0))
    )?;
    writeln!(
        out,
        "finder: by key: first median {}, second median {}, later median {} (p95 {})",
        ms(percentile(&by_position[0], 0.5)),
        ms(percentile(&by_position[1], 0.5)),
        ms(percentile(&by_position[2], 0.5)),
        ms(percentile(&by_position[2], 0.95)),
    )?;
    let contacts = contact_queries(state, 11);
    let keystrokes = type_queries(state, frames, &contacts, &mut Default::default())?;
    writeln!(
        out,
        "finder, emails and phones: {} keystrokes over {} queries: median {}, p95 {}, max {}",
        keystrokes.len(),
        contacts.len(),
        ms(percentile(&keystrokes, 0.5)),
        ms(percentile(&keystrokes, 0.95)),
        ms(percentile(&keystrokes, 1.0))
    )?;
    Ok(())
}

/// Types each query into a freshly opened finder, a key at a time; how long each key took.
fn type_queries(
    state: &mut AppState,
    frames: &mut Frames,
    queries: &[String],
    by_position: &mut [Vec<Duration>; 3],
) -> anyhow::Result<Vec<Duration>> {
    let mut keystrokes = Vec::new();
    for query in queries {
        frames.key(state, "ctrl-p")?;
        for (n, c) in query.chars().enumerate() {
            let key = if c == ' ' {
                "space".to_string()
            } else {
                c.to_string()
            };
            let took = frames.key(state, &key)?;
            keystrokes.push(took);
            by_position[n.min(2)].push(took);
        }
        frames.key(state, "esc")?;
    }
    Ok(keystrokes)
}

/// Ten lookups a rep makes with a caller on the line or an email open: the start of an email
/// address, or a phone number written as the caller says it ("0433 167 2211").
fn contact_queries(state: &AppState, seed: u64) -> Vec<String> {
    let rows = &state.records.customers;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for _ in 0..1_000 {
        if out.len() >= 10 || rows.is_empty() {
            break;
        }
        let row = &rows[rng.random_range(0..rows.len())];
        let query = match out.len() % 2 {
            0 => row.email().split('@').next().unwrap_or("").to_string(),
            _ => match row.phone().strip_prefix("+44 ") {
                Some(national) => format!("0{national}"),
                None => row.phone().to_string(),
            },
        };
        if query.len() >= 4 && query.is_ascii() {
            out.push(query);
        }
    }
    out
}

/// A team on one server: `count` sessions in this process over one read model, each driven through
/// the app's own code and drawn into its own test terminal, as `rapport serve` runs them.
pub fn sessions(
    store_path: &std::path::Path,
    count: usize,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let model =
        Ops::open_with_cache(store_path, crate::tui::CACHE_BYTES, Actor::local())?.into_model();
    let mut open = Vec::new();
    let mut later_frames = Vec::new();
    let mut settled_one = None;
    for i in 0..count {
        let (tx, rx) = channel();
        let started = Instant::now();
        let worker = Worker::spawn(
            std::sync::Arc::clone(&model),
            crate::ops::Actor::named(format!("rep{i}")),
            tx,
            |d| d,
        );
        let mut state = session(worker, &format!("rep{i}"))?;
        let mut frames = Frames::new()?;
        frames.draw(&state)?;
        let first_frame = started.elapsed();
        drain(&mut state, &rx);
        // A rep's first minute: every pane, the insights, a customer's page, a lookup.
        for key in ["j", "j", "2", "3", "4", "1", "enter"] {
            frames.key(&mut state, key)?;
            drain(&mut state, &rx);
        }
        frames.key(&mut state, "esc")?;
        frames.key(&mut state, "ctrl-p")?;
        drain(&mut state, &rx);
        for key in ["a", "d", "a"] {
            frames.key(&mut state, key)?;
        }
        frames.key(&mut state, "esc")?;
        frames.draw(&state)?;
        if i == 0 {
            writeln!(
                out,
                "session 1: first frame {} (first screen only: the read model is being read); settled {}",
                ms(first_frame),
                ms(started.elapsed())
            )?;
            crate::memory::give_back();
            settled_one = memory_mib();
        } else {
            later_frames.push(first_frame);
        }
        open.push((state, rx, frames));
    }
    crate::memory::give_back();
    if !later_frames.is_empty() {
        writeln!(
            out,
            "sessions 2-{count}: first full frame median {}, p95 {}, max {}",
            ms(percentile(&later_frames, 0.5)),
            ms(percentile(&later_frames, 0.95)),
            ms(percentile(&later_frames, 1.0))
        )?;
    }
    if let (Some((one, _)), Some((all, peak))) = (settled_one, memory_mib()) {
        let each = (all - one) / (count.max(2) - 1) as f64;
        writeln!(
            out,
            "memory: resident {one:.0} MiB with one session, {all:.0} MiB with {count} (peak {peak:.0} MiB): {each:.1} MiB per session after the first"
        )?;
    }
    drop(open);
    Ok(())
}

/// Writes what the side-by-side comparison feeds every tool: the order baskets (item numbers,
/// comma-separated, one basket a line) and the customers' standardised feature matrix.
pub fn inputs(store: &Records, dir: &std::path::Path, out: &mut dyn Write) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let snapshot = crate::insights::Snapshot::load(store)?;
    let baskets = snapshot.order_baskets();
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("baskets.csv"))?);
    for basket in &baskets {
        let line: Vec<String> = basket.iter().map(u32::to_string).collect();
        writeln!(w, "{}", line.join(","))?;
    }
    w.flush()?;
    let (_, x) = crate::insights::segments::customer_features(&snapshot, None);
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("features.csv"))?);
    for row in x.rows() {
        let line: Vec<String> = row.iter().map(|v| format!("{v:.17e}")).collect();
        writeln!(w, "{}", line.join(","))?;
    }
    w.flush()?;
    writeln!(
        out,
        "{} baskets and a {}x{} feature matrix in {}",
        baskets.len(),
        x.nrows(),
        x.ncols(),
        dir.display()
    )?;
    Ok(())
}

fn read_baskets(file: &std::path::Path) -> anyhow::Result<Vec<Vec<u32>>> {
    let text = std::fs::read_to_string(file)?;
    let mut names: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    Ok(text
        .lines()
        .map(|line| {
            line.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| {
                    let next = names.len() as u32;
                    *names.entry(t.to_string()).or_insert(next)
                })
                .collect()
        })
        .collect())
}

/// FP-growth alone: the baskets are read before the clock starts, as every peer's are.
pub fn fpgrowth(
    file: &std::path::Path,
    min_support: f64,
    max_len: usize,
    runs: usize,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let baskets = read_baskets(file)?;
    let min_count = (min_support * baskets.len() as f64).ceil() as u64;
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        found = crate::insights::fpgrowth::frequent_itemsets(&baskets, min_count, max_len).len();
        times.push(started.elapsed());
    }
    writeln!(
        out,
        "fpgrowth: {} baskets, support {min_support} (count {min_count}), max_len {max_len}: {found} itemsets, median {}",
        baskets.len(),
        ms(percentile(&times, 0.5))
    )?;
    Ok(())
}

/// k-means alone, one initialisation (k-means++), as scikit-learn's `KMeans(n_init=1)`.
pub fn kmeans(
    file: &std::path::Path,
    k: usize,
    runs: usize,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use linfa::prelude::*;
    let text = std::fs::read_to_string(file)?;
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse::<f64>()).collect())
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let cols = rows.first().map_or(0, Vec::len);
    let x = ndarray::Array2::from_shape_vec((rows.len(), cols), rows.concat())?;
    let dataset = linfa::DatasetBase::from(x);
    let mut times = Vec::new();
    let mut inertia = Vec::new();
    for run in 0..runs.max(1) {
        let started = Instant::now();
        let model = crate::insights::cluster::kmeans_params(k, run as u64, 1).fit(&dataset)?;
        times.push(started.elapsed());
        inertia.push(model.inertia());
    }
    writeln!(
        out,
        "kmeans: {} rows x {cols}, k {k}: mean squared distance to centroid {:.4} (mean of the runs), median {}",
        dataset.records.nrows(),
        inertia.iter().sum::<f64>() / inertia.len() as f64,
        ms(percentile(&times, 0.5))
    )?;
    Ok(())
}
