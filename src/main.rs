use clap::Parser;
use rapport::cli::{Cli, Command};
use rapport::commands::{self, RowsRejected};
use rapport::import::ImportError;
use rapport::store::{Store, StoreError};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rapport: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let db = database_path(&cli)?;
    match &cli.command {
        Some(Command::Import(command)) => commands::import(&Store::open(&db)?, command, &mut out),
        Some(Command::Stats { format }) => commands::stats(&Store::open(&db)?, *format, &mut out),
        Some(Command::Demo(args)) => commands::demo(&Store::open(&db)?, args, &mut out),
        None => anyhow::bail!(
            "the interactive app is not in this build yet; see `rapport --help` for the commands"
        ),
    }
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
    }
    1
}
