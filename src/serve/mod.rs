//! `rapport serve`: one process owns the database and serves the app to every rep over SSH. Each
//! connection that signs in with a team member's key gets its own session (its own view, undo and
//! terminal) over the one read model, so a rep's save reaches every other session.

mod conn;
pub mod gate;
mod hostkey;
pub mod input;
mod listen;
mod local;
mod registry;
mod session;

use crate::model::ReadModel;
use crate::ops::{Actor, Ops};
use crate::team::failures::Failures;
use crate::tui::keymap::Keymap;
use anyhow::Context;
use registry::Registry;
use russh::MethodKind;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use hostkey::{HOST_KEY_FILE, host_key};

pub struct ServeOptions {
    pub listen: SocketAddr,
    /// How long a connection may take to sign in (OpenSSH's LoginGraceTime).
    pub grace: Duration,
    /// Connections not yet signed in, in all and per address (OpenSSH's MaxStartups).
    pub limits: gate::Limits,
    /// End a session after this long with no key pressed.
    pub idle: Option<Duration>,
    /// How long a lone Esc waits for the rest of a key's sequence (tmux's escape-time).
    pub escape_time: Duration,
    pub max_sessions: usize,
    pub theme: String,
    /// Where the owner's `themes/` live.
    pub config_dir: Option<PathBuf>,
}

/// What every connection shares.
pub(crate) struct Shared {
    pub model: Arc<ReadModel>,
    /// The server's own reads (who may sign in) and its flush at stop, as its owner.
    pub server: Ops,
    pub keymap: Keymap,
    pub theme: String,
    pub theme_dir: Option<PathBuf>,
    pub registry: Arc<Registry>,
    pub failures: Arc<Failures>,
    pub escape_time: Duration,
}

/// A server listening, for tests and the command alike.
pub struct Running {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
    pub host_fingerprint: String,
    /// Connections not signed in yet.
    pub gate: Arc<gate::Gate>,
    stop: tokio::sync::watch::Sender<Option<String>>,
    runtime: tokio::runtime::Runtime,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _watch: std::thread::JoinHandle<()>,
}

/// How long a stop waits for sessions to say goodbye and for writes under way to finish.
const STOP_WAIT: Duration = Duration::from_secs(5);

impl Running {
    /// Serves until the process is told to stop (SIGTERM, SIGINT), then stops as `stop` does.
    pub fn wait(mut self) -> anyhow::Result<()> {
        let (runtime, task) = (&self.runtime, &mut self.task);
        let signal = runtime.block_on(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let mut term = signal(SignalKind::terminate())?;
            let mut int = signal(SignalKind::interrupt())?;
            let mut hup = signal(SignalKind::hangup())?;
            anyhow::Ok(tokio::select! {
                done = task => Err(done),
                _ = term.recv() => Ok("SIGTERM"),
                _ = int.recv() => Ok("SIGINT"),
                _ = hup.recv() => Ok("SIGHUP"),
            })
        })?;
        match signal {
            Ok(name) => {
                tracing::info!("{name}: stopping");
                self.stop();
                Ok(())
            }
            Err(done) => done
                .context("the server stopped")?
                .context("the server stopped"),
        }
    }

    /// Stops serving: every session is ended with its terminal given back and a line saying why,
    /// a write under way finishes, and then the connections close.
    pub fn stop(mut self) {
        let ended = self.shared.registry.end_all("the server stopped");
        let deadline = std::time::Instant::now() + STOP_WAIT;
        while self.shared.registry.count() > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // Any write a worker has begun holds the model's lock: this waits for it.
        self.shared.model.quiesce();
        if ended > 0 {
            // The goodbyes are queued for each channel; give them a moment to leave.
            std::thread::sleep(Duration::from_millis(300));
        }
        let _ = self.stop.send(Some("the server is stopping".into()));
        let (runtime, task) = (&self.runtime, &mut self.task);
        let _ = runtime.block_on(async move { tokio::time::timeout(STOP_WAIT, task).await });
        if let Err(e) = self.shared.server.flush() {
            tracing::warn!("could not flush the database at stop: {e}");
        }
    }
}

pub fn start(model: Arc<ReadModel>, options: ServeOptions) -> anyhow::Result<Running> {
    let server = Ops::shared(Arc::clone(&model), Actor::local());
    let key = host_key(server.database())?;
    let failures = Failures::for_server(server.database());
    let host_fingerprint = key
        .public_key()
        .fingerprint(russh::keys::HashAlg::Sha256)
        .to_string();
    match gate::raise_file_limit() {
        Ok(files) => tracing::debug!(files, "open files allowed"),
        Err(e) => tracing::warn!("cannot raise the open-files limit: {e}"),
    }
    // Read everything once now, so the first rep's first screen is complete.
    model.load()?;
    let registry = Registry::new(options.max_sessions);
    let shared = Arc::new(Shared {
        model,
        server,
        keymap: Keymap::default_keys(),
        theme: options.theme,
        theme_dir: options.config_dir.map(|d| d.join("themes")),
        registry: Arc::clone(&registry),
        failures,
        escape_time: options.escape_time,
    });
    // Fail now on a theme that does not load, not in each rep's session.
    crate::tui::theme::Theme::load(
        &shared.theme,
        shared.theme_dir.as_deref(),
        crate::tui::theme::ColorDepth::TrueColor,
    )?;
    let config = Arc::new(russh::server::Config {
        methods: russh::MethodSet::from(&[MethodKind::PublicKey][..]),
        keys: vec![key],
        auth_rejection_time: Duration::from_millis(500),
        auth_rejection_time_initial: Some(Duration::ZERO),
        max_auth_attempts: 6,
        // Idle sessions are ended by key presses, not by traffic; keepalives find dead links.
        inactivity_timeout: None,
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rapport-ssh")
        .enable_all()
        .build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(options.listen))
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let addr = listener.local_addr()?;
    let gate = gate::Gate::new(options.limits);
    let (stop, stopped) = tokio::sync::watch::channel(None);
    let task = runtime.spawn(listen::accept_loop(
        listener,
        config,
        Arc::clone(&shared),
        Arc::clone(&gate),
        options.grace,
        stopped,
    ));
    let watch = watch(shared.server.clone(), registry, options.idle)?;
    Ok(Running {
        shared,
        addr,
        host_fingerprint,
        gate,
        stop,
        runtime,
        task,
        _watch: watch,
    })
}

/// Once a second: end the sessions of anyone whose place on the team changed, and idle ones.
fn watch(
    server: Ops,
    registry: Arc<Registry>,
    idle: Option<Duration>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("rapport-team".into())
        .spawn(move || {
            let mut seen = None;
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let Ok(version) = server.data_version() else {
                    continue;
                };
                if seen != Some(version) {
                    match server.members() {
                        Ok(team) => {
                            let ended = registry.follow_team(&team);
                            if ended > 0 {
                                tracing::info!(ended, "sessions ended after a team change");
                            }
                            seen = Some(version);
                        }
                        Err(e) => tracing::warn!("cannot read the team: {e}"),
                    }
                }
                if let Some(idle) = idle {
                    registry.end_idle(idle);
                }
            }
        })
}

impl Running {
    /// How the control socket hands this server a local app: as a session of the owner.
    pub fn attach(&self) -> crate::control::Attach {
        let shared = Arc::clone(&self.shared);
        Arc::new(move |stream, request| local::attach(&shared, stream, request))
    }
}
