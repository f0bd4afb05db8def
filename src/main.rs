use clap::Parser;
use rapport::cli::{Cli, Command};
use rapport::commands;
use rapport::ops::{Actor, Ops, OpsError, StoreError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    rapport::memory::tune_allocator();
    rapport::user::private_umask();
    let cli = Cli::parse().settle();
    rapport::import::text::set_max_line(cli.max_line_bytes);
    match run(cli, started) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): what it wanted, it got.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) if error.downcast_ref::<ExitWith>().is_some() => {
            ExitCode::from(error.downcast_ref::<ExitWith>().map_or(1, |e| e.0))
        }
        Err(error) => {
            eprintln!("rapport: {}", rapport::text::error_line(&error));
            ExitCode::from(exit_code(&error))
        }
    }
}

/// A command's exit code, or this client's when it could not reach the process that holds the
/// database (only here do such failures arise).
fn exit_code(error: &anyhow::Error) -> u8 {
    let asked = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<rapport::control::AskError>());
    match asked {
        Some(ask) => ask.exit_code(),
        None => commands::exit_code(error),
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
        // The app benches time opening the database, so they open it themselves; the algorithm
        // benches read files and need none.
        (Some(Command::Bench(b)), _) if !b.reads_the_open_database() => {
            bench(&db, b, started, &mut out)
        }
        // Made-up data from start to end: no database involved.
        (Some(Command::Eval(rapport::cli::EvalCommand::Duplicates(args))), _) => {
            commands::eval_duplicates(args, &mut out)
        }
        (Some(Command::Serve(args)), None) => {
            drop(out);
            serve(&db, args)
        }
        (None, None) => {
            drop(out);
            open_app(&cli, &db)
        }
        (Some(command), None) if !command.makes_database() && !cli.demo && !is_database(&db) => {
            Err(commands::UsageError(format!(
                "there is no database at {}{}: `rapport import`, `restore` or `demo` make one, and `rapport --demo` runs any command on the demo data",
                db.display(),
                match cli.db {
                    None => " (the default; --db names another)",
                    Some(_) => "",
                },
            ))
            .into())
        }
        _ => {
            // A command runs with a broken config (a cron job's backup should not stop for a
            // typo in a theme), but says so.
            match rapport::config::Config::load(rapport::config::dir().as_deref()) {
                Ok(config) => config.apply(),
                Err(e) => rapport::diag::line(&format!(
                    "rapport: {} (its settings are not used)",
                    rapport::text::safe(&e.to_string())
                )),
            }
            // Exports and the duplicate search read every record once: a small page cache
            // keeps their memory flat.
            let opened = match cli.command {
                Some(Command::Export(_) | Command::Duplicates(_) | Command::Check(_)) => {
                    Ops::open_with_cache(&db, 16 << 20, Actor::local())
                }
                _ => Ops::open(&db, Actor::local()),
            };
            match opened {
                Ok(ops) => {
                    let fills = cli.command.as_ref().is_some_and(Command::makes_database);
                    if cli.demo && !fills {
                        ensure_demo(&ops, &db)?;
                    }
                    commands::dispatch(&ops, &cli, &mut out, &|_| {})
                }
                Err(OpsError::Store(locked @ StoreError::Locked { .. })) => {
                    drop(out);
                    run_inside(&db, &cli, locked)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// A bench that opens the database itself, or reads no database at all.
fn bench(
    db: &Path,
    b: &rapport::cli::BenchCommand,
    started: std::time::Instant,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    use rapport::cli::BenchCommand;
    match b {
        BenchCommand::App => rapport::bench::app(db, started, out),
        BenchCommand::Sessions { count } => rapport::bench::sessions(db, usize::from(*count), out),
        BenchCommand::Serve {
            sessions,
            seconds,
            client_threads,
            server,
        } => rapport::bench::load::run(
            db,
            rapport::bench::load::Load {
                sessions: usize::from(*sessions),
                seconds: *seconds,
                client_threads: usize::from(*client_threads),
                server: server.clone(),
            },
            out,
        ),
        b => commands::bench_files(b, out),
    }
}

/// The process that holds the database (the server, or an open app) runs the command for us, and
/// its output and exit code become ours.
fn run_inside(db: &Path, cli: &Cli, locked: StoreError) -> anyhow::Result<()> {
    if cli.reads_stdin() {
        return Err(commands::UsageError(format!(
            "{} is open in another rapport process, which can run this command from a file but not from standard input",
            db.display()
        ))
        .into());
    }
    // Our own standard output, named as a file, is `-` to the holder: its output comes back here.
    let args: Vec<_> = std::env::args_os()
        .skip(1)
        .map(|arg| {
            let (flag, path) = match arg.to_str().and_then(|a| a.split_once('=')) {
                Some((flag, path)) if flag.starts_with("--") => {
                    (Some(flag.to_string()), path.to_string())
                }
                _ => (None, arg.to_string_lossy().into_owned()),
            };
            match (rapport::cli::stream_of(std::path::Path::new(&path)), flag) {
                (Some(1), None) => "-".into(),
                (Some(1), Some(flag)) => format!("{flag}=-").into(),
                _ => arg,
            }
        })
        .collect();
    let cwd = std::env::current_dir()?;
    match rapport::control::run_inside(db, &cwd, &args) {
        Ok(0) => Ok(()),
        Ok(code) => Err(ExitWith(code).into()),
        Err(rapport::control::AskError::NoApp) => Err(locked.into()),
        Err(e) => Err(e.into()),
    }
}

/// The command ran elsewhere and already said what went wrong; only its exit code is left.
#[derive(Debug, thiserror::Error)]
#[error("exit {0}")]
struct ExitWith(u8);

fn open_app(cli: &Cli, db: &Path) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the app needs a terminal; for scripts use a command such as `rapport stats` (see --help)"
        );
    }
    let config_dir = rapport::config::dir();
    let config = rapport::config::Config::load(config_dir.as_deref())?;
    config.apply();
    if let Some(dirs) = directories::ProjectDirs::from("", "", "rapport") {
        rapport::logging::start(dirs.state_dir().unwrap_or(dirs.data_dir()));
    }
    tracing::info!(db = %db.display(), "opening the app");
    let ops = match Ops::open_with_cache(db, rapport::tui::CACHE_BYTES, Actor::local()) {
        Ok(ops) => ops,
        // The team server has it: the app opens as a session of the server's owner.
        Err(OpsError::Store(locked @ StoreError::Locked { .. })) => {
            return match rapport::control::attach(db, cli.as_name.as_deref(), cli.readonly) {
                Ok(()) => Ok(()),
                Err(rapport::control::AskError::NoApp) => Err(locked.into()),
                Err(rapport::control::AskError::Failed(why))
                    if why.contains("serves no sessions") =>
                {
                    Err(locked.into())
                }
                Err(e) => Err(e.into()),
            };
        }
        Err(e) => return Err(e.into()),
    };
    if cli.demo {
        ensure_demo(&ops, db)?;
    }
    let me = match &cli.as_name {
        Some(name) => name.clone(),
        None => config
            .me
            .clone()
            .unwrap_or_else(|| rapport::ops::Actor::local().name),
    };
    // The demo's records belong to its made-up reps: a newcomer is told how to see a rep's day.
    let greeting = (cli.demo && !rapport::demo::OWNERS.contains(&me.as_str()))
        .then(rapport::demo::newcomer_hint);
    let model = ops.into_model();
    // Lets other commands (a nightly backup from cron, say) run while the app is open.
    let _serving = rapport::control::serve_for(Ops::shared(model.clone(), Actor::local()), None)
        .map_err(|e| tracing::warn!("commands while open are off: {e}"))
        .ok();
    rapport::tui::run(
        model,
        rapport::tui::RunOptions {
            theme: cli
                .theme
                .clone()
                .or(config.theme)
                .unwrap_or_else(|| "default".into()),
            readonly: cli.readonly,
            config_dir,
            me,
            views: config.views,
            greeting,
        },
    )
}

fn serve(db: &Path, args: &rapport::cli::ServeArgs) -> anyhow::Result<()> {
    rapport::logging::to_stderr();
    let ops = Ops::open_with_cache(db, rapport::tui::CACHE_BYTES, Actor::local())?;
    let members = ops.members()?.len();
    let model = ops.into_model();
    let config_dir = rapport::config::dir();
    rapport::config::Config::load(config_dir.as_deref())?.apply();
    let running = rapport::serve::start(
        model.clone(),
        rapport::serve::ServeOptions {
            listen: args.listen,
            idle: (args.idle_minutes > 0)
                .then(|| std::time::Duration::from_secs(u64::from(args.idle_minutes) * 60)),
            escape_time: std::time::Duration::from_millis(args.escape_time),
            max_sessions: args.max_sessions,
            grace: std::time::Duration::from_secs(args.grace_seconds as u64),
            limits: rapport::serve::gate::Limits {
                total: args.max_startups,
                per_address: args.max_startups_per_address,
            },
            theme: args.theme.clone(),
            config_dir,
        },
    )?;
    // Commands run from the shell while the server has the database, and the owner's own app,
    // come in here.
    let _serving =
        rapport::control::serve_for(Ops::shared(model, Actor::local()), Some(running.attach()))
            .map_err(|e| tracing::warn!("commands while serving are off: {e}"))
            .ok();
    eprintln!("rapport serve: listening on {}", running.addr);
    eprintln!("host key {} (ED25519)", running.host_fingerprint);
    match rapport::clean::normal::default_region() {
        Some(region) => eprintln!(
            "phones without a country code are read as {region:?} (phone_region in config.toml)"
        ),
        None => eprintln!(
            "no phone_region in config.toml: phones without a country code are read in their customer's country only"
        ),
    }
    if members == 0 {
        eprintln!("no one can sign in yet: add people with `rapport team add NAME --key FILE`");
    } else {
        eprintln!(
            "{} in the team",
            rapport::text::count(members, "member", "members")
        );
    }
    running.wait()
}

/// Something a command may open as a database: one made already (sled's files are there). A
/// missing path or an empty directory is a mistyped --db, not a database to make.
fn is_database(db: &Path) -> bool {
    match std::fs::read_dir(db) {
        Ok(mut entries) => entries.next().is_some(),
        Err(_) => false,
    }
}

fn data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "rapport")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| anyhow::anyhow!("no home directory to keep the database in; pass --db PATH"))
}

/// `--demo` works with every command: the demo data is made on first use.
fn ensure_demo(ops: &Ops, db: &Path) -> anyhow::Result<()> {
    let records = ops.records();
    if records.count::<rapport::domain::Customer>() == 0 || records.demo_unfinished()? {
        eprintln!("rapport: creating the demo database at {} …", db.display());
        let spec = rapport::demo::DemoSpec {
            customers: rapport::demo::DEFAULT_CUSTOMERS,
            seed: 7,
            as_of: chrono::Utc::now().date_naive(),
        };
        ops.demo(&spec)?;
    }
    Ok(())
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
