//! `rapport serve`: one process owns the database and serves the app to every rep over SSH. Each
//! connection that signs in with a team member's key gets its own session (its own view, undo and
//! terminal) over the one read model, so a rep's save reaches every other session.

mod conn;
mod failures;
mod hostkey;
pub mod input;
pub mod load;
mod local;
mod registry;
mod session;

use crate::model::ReadModel;
use crate::store::Store;
use crate::tui::keymap::Keymap;
use anyhow::Context;
use failures::Failures;
use registry::Registry;
use russh::MethodKind;
use russh::server::Server as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use hostkey::{HOST_KEY_FILE, host_key};

pub struct ServeOptions {
    pub listen: SocketAddr,
    /// End a session after this long with no key pressed.
    pub idle: Option<Duration>,
    pub max_sessions: usize,
    pub theme: String,
    /// Where the owner's `themes/` live.
    pub config_dir: Option<PathBuf>,
}

/// What every connection shares.
pub(crate) struct Shared {
    pub model: Arc<ReadModel>,
    pub keymap: Keymap,
    pub theme: String,
    pub theme_dir: Option<PathBuf>,
    pub registry: Arc<Registry>,
    pub failures: Failures,
}

/// A server listening, for tests and the command alike.
pub struct Running {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
    pub host_fingerprint: String,
    handle: russh::server::RunningServerHandle,
    runtime: tokio::runtime::Runtime,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _watch: std::thread::JoinHandle<()>,
}

impl Running {
    /// Serves until the process is stopped.
    pub fn wait(self) -> anyhow::Result<()> {
        let Running { runtime, task, .. } = self;
        runtime
            .block_on(task)
            .context("the server stopped")?
            .context("the server stopped")
    }

    pub fn stop(self) {
        self.handle.shutdown("the server is stopping".into());
        let Running { runtime, task, .. } = self;
        let _ = runtime.block_on(task);
    }
}

pub fn start(model: Arc<ReadModel>, options: ServeOptions) -> anyhow::Result<Running> {
    let store = model.store().clone();
    let key = host_key(store.path())?;
    let host_fingerprint = key
        .public_key()
        .fingerprint(russh::keys::HashAlg::Sha256)
        .to_string();
    // Read everything once now, so the first rep's first screen is complete.
    model.load()?;
    let registry = Registry::new(options.max_sessions);
    let shared = Arc::new(Shared {
        model,
        keymap: Keymap::default_keys(),
        theme: options.theme,
        theme_dir: options.config_dir.map(|d| d.join("themes")),
        registry: Arc::clone(&registry),
        failures: Failures::default(),
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
    let mut server = conn::Server {
        shared: Arc::clone(&shared),
    };
    let (handle_tx, handle_rx) = std::sync::mpsc::channel();
    let task = runtime.spawn(async move {
        let running = server.run_on_socket(config, &listener);
        let _ = handle_tx.send(running.handle());
        running.await
    });
    let handle = handle_rx.recv().context("the server did not start")?;
    let watch = watch(store, registry, options.idle)?;
    Ok(Running {
        shared,
        addr,
        host_fingerprint,
        handle,
        runtime,
        task,
        _watch: watch,
    })
}

/// Once a second: end the sessions of anyone whose place on the team changed, and idle ones.
fn watch(
    store: Store,
    registry: Arc<Registry>,
    idle: Option<Duration>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("rapport-team".into())
        .spawn(move || {
            let mut seen = None;
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let Ok(version) = store.data_version() else {
                    continue;
                };
                if seen != Some(version) {
                    match crate::team::list(&store) {
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
