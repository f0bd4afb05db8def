//! `rapport bench` as a command: the benches that need a database, and those on files alone.

use super::UsageError;
use crate::ops::Ops;

use std::io::Write;

pub fn bench(
    ops: &Ops,
    command: &crate::cli::BenchCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match command {
        crate::cli::BenchCommand::Inputs { dir } => crate::bench::inputs(ops.records(), dir, out),
        crate::cli::BenchCommand::Insights { runs } => insights(ops, *runs, out),
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
        | BenchCommand::Inputs { .. }
        | BenchCommand::Insights { .. } => {
            unreachable!("these need a database")
        }
    }
}

/// `rapport bench insights`: each part's median over the runs, and the whole's.
fn insights(ops: &Ops, runs: u32, out: &mut dyn Write) -> anyhow::Result<()> {
    use std::time::Duration;
    let mut parts: Vec<(&'static str, Vec<Duration>)> = Vec::new();
    let mut totals = Vec::new();
    let mut last = None;
    for run in 0..runs {
        let started = std::time::Instant::now();
        let insights = crate::insights::Insights::compute(ops.records())?;
        // The parts overlap on two threads: the whole is the wall clock's.
        let total = started.elapsed();
        totals.push(total);
        for (i, (name, took)) in insights.timings.iter().enumerate() {
            match parts.get_mut(i) {
                Some(p) => p.1.push(*took),
                None => parts.push((name, vec![*took])),
            }
        }
        eprintln!("run {} of {runs}: {:.2} s", run + 1, total.as_secs_f64());
        // The last run's result is cached below; earlier ones go so as not to weigh on the next.
        if run + 1 == runs {
            last = Some(insights);
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    writeln!(
        out,
        "insights, computed: median of {runs} runs (parts after the snapshot run on two threads)"
    )?;
    for (name, mut took) in parts {
        writeln!(
            out,
            "  {name:<18} {:>8.3} s",
            median(&mut took).as_secs_f64()
        )?;
    }
    writeln!(
        out,
        "  {:<18} {:>8.3} s",
        "all",
        median(&mut totals).as_secs_f64()
    )?;
    // The disk cache a start with unchanged data reads instead.
    let computed = last.expect("at least one run");
    crate::insights::cache::save(ops.records().path(), &computed)?;
    drop(computed);
    let bytes = std::fs::metadata(crate::insights::cache::path(ops.records().path()))?.len();
    let mut loads = Vec::new();
    for _ in 0..runs {
        let started = std::time::Instant::now();
        let loaded =
            crate::insights::cache::load(ops.records().path(), ops.records().data_version()?)
                .ok_or_else(|| anyhow::anyhow!("the cache just written did not load"))?;
        loads.push(started.elapsed());
        drop(loaded);
    }
    writeln!(
        out,
        "insights, from the disk cache ({:.1} MB): median {:.3} s",
        bytes as f64 / 1e6,
        median(&mut loads).as_secs_f64()
    )?;
    Ok(())
}
