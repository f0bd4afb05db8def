use clap::Parser;
use rapport::cli::{Cli, Command};
use rapport::commands::{self, RowsRejected};
use rapport::import::ImportError;
use rapport::store::{Store, StoreError};
use serde::Deserialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    rapport::memory::limit_arenas();
    rapport::store::private_umask();
    let cli = Cli::parse();
    rapport::import::text::set_max_line(cli.max_line_bytes);
    match run(cli, started) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): what it wanted, it got.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rapport: {}", rapport::text::error_line(&error));
            ExitCode::from(exit_code(&error))
        }
    }
}

fn run(cli: Cli, started: std::time::Instant) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let db = database_path(&cli)?;
    if cli.batch.is_some() {
        rapport::import::silence_progress();
    }
    match (&cli.command, &cli.batch) {
        // Exports read every record once: a small page cache keeps their memory flat.
        (Some(command @ Command::Export(_)), _) => {
            commands::run(&Store::open_with_cache(&db, 16 << 20)?, command, &mut out)
        }
        // The app bench times opening the database, so it opens it itself; the algorithm benches
        // read files and need none.
        (Some(Command::Bench(rapport::cli::BenchCommand::App)), _) => {
            rapport::bench::app(&db, started, &mut out)
        }
        (Some(Command::Bench(rapport::cli::BenchCommand::Sessions { count })), _) => {
            rapport::bench::sessions(&db, usize::from(*count), &mut out)
        }
        (Some(Command::Bench(b)), _) if !matches!(b, rapport::cli::BenchCommand::Inputs { .. }) => {
            commands::bench_files(b, &mut out)
        }
        (Some(Command::Serve(args)), None) => {
            drop(out);
            serve(&db, args)
        }
        (Some(Command::Backup { file }), _) if file != Path::new("-") => {
            backup_even_in_use(&db, file, &mut out)
        }
        (Some(command), _) => commands::run(&Store::open(&db)?, command, &mut out),
        (None, Some(script)) => run_batch(&db, script, cli.keep_going, &mut out),
        (None, None) => {
            drop(out);
            open_app(&cli, &db)
        }
    }
}

/// A backup of a database the app has open is written by the app, which holds its lock.
fn backup_even_in_use(db: &Path, file: &Path, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    match Store::open(db) {
        Ok(store) => commands::backup(&store, file, out),
        Err(locked @ StoreError::Locked { .. }) => {
            match rapport::control::ask_for_backup(db, file) {
                Ok(records) => {
                    commands::backed_up(out, records, file, " (written by the open app)")
                }
                Err(rapport::control::AskError::NoApp) => Err(locked.into()),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// A script stopped (or, with --keep-going, finished) with failing lines; each was already reported.
#[derive(Debug, thiserror::Error)]
#[error("the script had {failed} failing line(s), the first at line {first}")]
struct BatchFailed {
    failed: usize,
    first: usize,
    code: u8,
}

fn run_batch(
    db: &Path,
    script: &Path,
    keep_going: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let store = Store::open(db)?;
    let mut reader: Box<dyn std::io::BufRead> = if script == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(script)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", script.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let failures = rapport::batch::run_script(
        &mut reader,
        &store,
        keep_going,
        out,
        &mut commands::run,
        &exit_code,
    )?;
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(BatchFailed {
            failed: failures.len(),
            first: first.line,
            code: first.code,
        }
        .into()),
    }
}

/// `config.toml` in the user's config folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    theme: Option<String>,
}

fn open_app(cli: &Cli, db: &Path) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the app needs a terminal; for scripts use a command such as `rapport stats` (see --help)"
        );
    }
    let config_dir =
        directories::ProjectDirs::from("", "", "rapport").map(|d| d.config_dir().to_path_buf());
    let config_file = config_dir
        .as_ref()
        .map(|d| d.join("config.toml"))
        .filter(|p| p.exists());
    let config: Config = match &config_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)?;
            toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?
        }
        None => Config::default(),
    };
    if let Some(dirs) = directories::ProjectDirs::from("", "", "rapport") {
        rapport::logging::start(dirs.state_dir().unwrap_or(dirs.data_dir()));
    }
    tracing::info!(db = %db.display(), "opening the app");
    let store = Store::open_with_cache(db, rapport::tui::CACHE_BYTES)?;
    if cli.demo && (store.count::<rapport::domain::Customer>() == 0 || store.demo_unfinished()?) {
        eprintln!("rapport: creating the demo database at {} …", db.display());
        let spec = rapport::demo::DemoSpec {
            customers: rapport::demo::DEFAULT_CUSTOMERS,
            seed: 7,
            as_of: chrono::Utc::now().date_naive(),
        };
        rapport::demo::generate(&store, &spec)?;
    }
    // Lets `rapport backup` (a nightly cron job, say) work while the app is open.
    let _serving = rapport::control::serve(store.clone())
        .map_err(|e| tracing::warn!("backups while open are off: {e}"))
        .ok();
    rapport::tui::run(
        store,
        rapport::tui::RunOptions {
            theme: cli
                .theme
                .clone()
                .or(config.theme)
                .unwrap_or_else(|| "default".into()),
            readonly: cli.readonly,
            config_dir,
        },
    )
}

fn serve(db: &Path, args: &rapport::cli::ServeArgs) -> anyhow::Result<()> {
    rapport::logging::to_stderr();
    let store = Store::open_with_cache(db, rapport::tui::CACHE_BYTES)?;
    let _serving = rapport::control::serve(store.clone())
        .map_err(|e| tracing::warn!("backups while serving are off: {e}"))
        .ok();
    let members = rapport::team::list(&store)?.len();
    let config_dir =
        directories::ProjectDirs::from("", "", "rapport").map(|d| d.config_dir().to_path_buf());
    let running = rapport::serve::start(
        store,
        rapport::serve::ServeOptions {
            listen: args.listen,
            idle: (args.idle_minutes > 0)
                .then(|| std::time::Duration::from_secs(u64::from(args.idle_minutes) * 60)),
            max_sessions: args.max_sessions,
            theme: args.theme.clone(),
            config_dir,
        },
    )?;
    eprintln!("rapport serve: listening on {}", running.addr);
    eprintln!("host key {} (ED25519)", running.host_fingerprint);
    if members == 0 {
        eprintln!("no one can sign in yet: add people with `rapport team add NAME --key FILE`");
    } else {
        eprintln!("{members} member(s) in the team");
    }
    running.wait()
}

fn data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "rapport")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| anyhow::anyhow!("no home directory to keep the database in; pass --db PATH"))
}

fn database_path(cli: &Cli) -> anyhow::Result<PathBuf> {
    match (&cli.db, cli.demo) {
        (Some(path), _) => Ok(path.clone()),
        (None, true) => Ok(data_dir()?.join("demo.db")),
        (None, false) => Ok(data_dir()?.join("rapport.db")),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let kind = if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            Some(e.kind())
        } else if let Some(e) = cause.downcast_ref::<csv::Error>() {
            match e.kind() {
                csv::ErrorKind::Io(e) => Some(e.kind()),
                _ => None,
            }
        } else {
            cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// The documented exit codes: 1 error, 3 database in use, 4 rows rejected under --strict.
fn exit_code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        let store = cause.downcast_ref::<StoreError>().or_else(|| {
            match cause.downcast_ref::<ImportError>() {
                Some(ImportError::Store(e)) => Some(e),
                _ => None,
            }
        });
        if let Some(StoreError::Locked { .. }) = store {
            return 3;
        }
        if cause.downcast_ref::<RowsRejected>().is_some() {
            return 4;
        }
        if cause
            .downcast_ref::<rapport::export::FilterError>()
            .is_some()
            || cause.downcast_ref::<commands::UsageError>().is_some()
        {
            return 2;
        }
        if let Some(batch) = cause.downcast_ref::<BatchFailed>() {
            return batch.code;
        }
    }
    1
}
