//! Batch scripts: one command a line, run in order against one open database, with the same command
//! tree as the command line. A failing line stops the script (or not, with --keep-going) and is named.

use crate::cli::{Cli, Command};
use crate::ops::Ops;

use clap::Parser;
use std::io::{BufRead, Write};
use std::path::Path;

/// A line of a script that failed, and why.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineFailed {
    pub line: usize,
    pub message: String,
    /// The exit code the line would have had on its own.
    pub code: u8,
}

/// Runs the script's lines; `run` carries out one parsed command. Returns the failures (empty when
/// every line succeeded); without `keep_going` it stops at the first.
pub fn run_script(
    script: &mut dyn BufRead,
    ops: &Ops,
    keep_going: bool,
    out: &mut dyn Write,
    run: &mut dyn FnMut(&Ops, Command, &mut dyn Write) -> anyhow::Result<()>,
    code_of: &dyn Fn(&anyhow::Error) -> u8,
) -> anyhow::Result<Vec<LineFailed>> {
    let mut failures = Vec::new();
    let mut bytes = Vec::new();
    let mut line: usize = 0;
    loop {
        bytes.clear();
        let limit = crate::import::text::max_line();
        match crate::import::text::read_line_bounded(script, &mut bytes, limit, line as u64 + 1) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => match crate::import::text::TooLong::of(&e) {
                Some(too_long) => anyhow::bail!("the script stopped: {too_long}"),
                None => return Err(e.into()),
            },
        }
        line += 1;
        let parsed = match std::str::from_utf8(&bytes) {
            Ok(text) if text.trim().is_empty() || text.trim().starts_with('#') => continue,
            Ok(text) => parse_line(text.trim()),
            Err(_) => Err("the line is not UTF-8 text".to_string()),
        };
        let failure = match parsed {
            Err(message) => Some(LineFailed {
                line,
                message,
                code: 2,
            }),
            Ok(command) => match run(ops, command, out) {
                Ok(()) => None,
                Err(e) => Some(LineFailed {
                    line,
                    message: crate::text::error_line(&e),
                    code: code_of(&e),
                }),
            },
        };
        out.flush()?;
        if let Some(f) = failure {
            crate::diag::line(&format!("rapport: {f}"));
            failures.push(f);
            if !keep_going {
                break;
            }
        }
    }
    Ok(failures)
}

/// A script stopped (or, with --keep-going, finished) with failing lines; each was already reported.
#[derive(Debug, thiserror::Error)]
#[error("the script had {failed} failing line(s), the first at line {first}")]
pub struct BatchFailed {
    pub failed: usize,
    pub first: usize,
    pub code: u8,
}

/// Runs the script in `script` ("-": standard input) against `store`, each line as the command line
/// would (`run`), after `prepare` (which a server uses to resolve the script's file names).
pub fn run_file(
    ops: &Ops,
    script: &Path,
    keep_going: bool,
    out: &mut dyn Write,
    prepare: &dyn Fn(&mut Command),
) -> anyhow::Result<()> {
    let mut reader: Box<dyn BufRead> = if script == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(script)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", script.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let failures = run_script(
        &mut reader,
        ops,
        keep_going,
        out,
        &mut |ops, mut command, out| {
            prepare(&mut command);
            super::run(ops, &command, out)
        },
        &super::exit_code,
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

/// A script line through the command line's own parser; a line may not name another database or
/// open the app.
fn parse_line(text: &str) -> Result<Command, String> {
    let words = shlex::split(text).ok_or_else(|| "unbalanced quotes".to_string())?;
    let cli = Cli::try_parse_from(std::iter::once("rapport".to_string()).chain(words))
        .map_err(|e| {
            e.to_string()
                .lines()
                .next()
                .unwrap_or("not a command")
                .trim_start_matches("error: ")
                .to_string()
        })?
        .settle();
    if cli.db.is_some() || cli.demo || cli.batch.is_some() {
        return Err("a script line cannot choose a database or start another batch".into());
    }
    cli.command
        .ok_or_else(|| "a script line needs a command (the app does not open in batch mode)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_like_the_command_line() {
        assert!(matches!(
            parse_line("stats --format json"),
            Ok(Command::Stats { .. })
        ));
        assert!(matches!(
            parse_line("import orders 'my file.csv' --format baskets"),
            Ok(Command::Import(_))
        ));
        assert!(
            parse_line("explode")
                .unwrap_err()
                .contains("unrecognized subcommand")
        );
        assert!(
            parse_line("import orders 'half")
                .unwrap_err()
                .contains("unbalanced quotes")
        );
        assert!(
            parse_line("--db other stats")
                .unwrap_err()
                .contains("cannot choose a database")
        );
    }
}
