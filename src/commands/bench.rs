//! `rapport bench` as a command: the benches that need a database, and those on files alone.

use super::UsageError;
use crate::store::Store;
use std::io::Write;

pub fn bench(
    store: &Store,
    command: &crate::cli::BenchCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match command {
        crate::cli::BenchCommand::Inputs { dir } => crate::bench::inputs(store, dir, out),
        crate::cli::BenchCommand::App
        | crate::cli::BenchCommand::Sessions { .. }
        | crate::cli::BenchCommand::Serve { .. } => Err(UsageError(
            "bench app, sessions and serve open the database themselves: run them on their own, not in a script".into(),
        )
        .into()),
        other => bench_files(other, out),
    }
}

/// The benches that time one algorithm on a file, with no database.
pub fn bench_files(command: &crate::cli::BenchCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    use crate::cli::BenchCommand;
    match command {
        BenchCommand::Fpgrowth {
            file,
            min_support,
            max_len,
            runs,
        } => crate::bench::fpgrowth(file, *min_support, *max_len, *runs, out),
        BenchCommand::Kmeans { file, k, runs } => crate::bench::kmeans(file, *k, *runs, out),
        BenchCommand::App
        | BenchCommand::Sessions { .. }
        | BenchCommand::Serve { .. }
        | BenchCommand::Inputs { .. } => {
            unreachable!("these need a database")
        }
    }
}
