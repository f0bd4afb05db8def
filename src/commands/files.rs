//! What commands write to files: exports, backups, and the one helper that writes a file whole
//! or not at all, never inside the database; and restores, which read one back.

use super::UsageError;
use crate::ops::Ops;

use crate::text::thousands;
use anyhow::Context;
use std::io::Write;

/// An export to stdout, or to a file that appears whole or not at all.
pub fn export(ops: &Ops, args: &crate::cli::ExportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    // `write_file` buffers a file; standard output is buffered here.
    let write = |to: &mut dyn Write| -> anyhow::Result<usize> {
        crate::export::export(
            ops.records(),
            args.what,
            args.format,
            args.ids_only,
            &args.filters,
            to,
        )
    };
    let Some(path) = args.out.as_ref().filter(|p| p.as_os_str() != "-") else {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
        write(&mut buffered)?;
        buffered.flush()?;
        return Ok(());
    };
    let rows = write_file(ops, path, write)?;
    crate::diag::line(&format!(
        "rapport: {} rows written to {}",
        thousands(rows),
        crate::text::safe(&path.display().to_string())
    ));
    Ok(())
}

pub fn backup(ops: &Ops, file: &std::path::Path, out: &mut dyn Write) -> anyhow::Result<()> {
    if file == std::path::Path::new("-") {
        let mut buffered = std::io::BufWriter::new(out);
        super::records::acting(ops, None).backup(&mut buffered)?;
        buffered.flush()?;
        return Ok(());
    }
    let records = backup_file(ops, file)?;
    backed_up(out, records, file, "")
}

/// What a finished backup says; `by` names who wrote it when it was not this process.
pub fn backed_up(
    out: &mut dyn Write,
    records: usize,
    file: &std::path::Path,
    by: &str,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "backed up {} records to {}{by}",
        thousands(records),
        file.display()
    )?;
    Ok(())
}

/// Writes a backup to `file` whole or not at all; returns how many records.
pub fn backup_file(ops: &Ops, file: &std::path::Path) -> anyhow::Result<usize> {
    let ops = super::records::acting(ops, None);
    write_file(&ops, file, |to| Ok(ops.backup(to)?))
}

/// Writes what `write` makes to `path`: a file appears whole or not at all (written beside it,
/// then renamed over it); a device or pipe (`/dev/stdout`) is written as it is. Refused before
/// anything is written: a directory, and any path inside the database's own directory.
fn write_file<T>(
    ops: &Ops,
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let shown = || crate::text::safe(&path.display().to_string()).into_owned();
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| m.is_dir()) {
        anyhow::bail!("{} is a directory; give a file name", shown());
    }
    // A symlink is never renamed over (/dev/stdout is one): its target is what is written.
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let in_place = is_link && (path.starts_with("/dev") || path.starts_with("/proc"));
    let target = match is_link && !in_place {
        true => std::fs::canonicalize(path).with_context(|| format!("cannot write {}", shown()))?,
        false => path.to_path_buf(),
    };
    let path = target.as_path();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    // A pipe's /proc link (/dev/stdout) resolves to no path: its folder says where it is then.
    let resolved = std::fs::canonicalize(path)
        .or_else(|_| {
            std::fs::canonicalize(dir).map(|d| d.join(path.file_name().unwrap_or_default()))
        })
        .with_context(|| format!("cannot write {}", shown()))?;
    let database = std::fs::canonicalize(ops.records().path())?;
    // The same directory by identity, not by name: a bind mount or a second path to the database
    // is still the database.
    let inside = resolved.starts_with(&database)
        || resolved
            .ancestors()
            .filter_map(|a| std::fs::metadata(a).ok())
            .any(|m| same_file(&m, &std::fs::metadata(&database).ok()));
    if inside {
        return Err(UsageError(format!(
            "{} is inside the database directory {}; write it somewhere else",
            shown(),
            database.display()
        ))
        .into());
    }
    if in_place || existing.is_some_and(|m| !m.is_file()) {
        let mut device = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot write {}", shown()))?;
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut device);
        let made = write(&mut buffered)?;
        buffered.flush()?;
        return Ok(made);
    }
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let made = {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, temp.as_file_mut());
        let made = write(&mut buffered)?;
        buffered.flush()?;
        made
    };
    temp.as_file().sync_all()?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", shown()))?;
    Ok(made)
}

fn same_file(a: &std::fs::Metadata, b: &Option<std::fs::Metadata>) -> bool {
    use std::os::unix::fs::MetadataExt;
    b.as_ref()
        .is_some_and(|b| a.dev() == b.dev() && a.ino() == b.ino())
}

pub fn restore(ops: &Ops, file: &std::path::Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let records = if file == std::path::Path::new("-") {
        super::records::acting(ops, None).restore(&mut std::io::stdin().lock())?
    } else {
        let f =
            std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
        super::records::acting(ops, None).restore(&mut std::io::BufReader::new(f))?
    };
    writeln!(out, "restored {} records", thousands(records))?;
    Ok(())
}
