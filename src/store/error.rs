//! What can go wrong with the database, said for people: every sled and io error in words.

use super::CodecError;
use crate::domain::ValidationError;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {} is in use by another rapport process; close that one or choose another with --db", .path.display())]
    Locked { path: PathBuf },
    #[error("database {} was written by a newer rapport (schema {found}; this one reads up to {supported}): upgrade rapport to open it", .path.display())]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("database {} cannot be written by you ({} is read-only to this user): rapport writes to its database even to read it; give yourself write access (chmod u+w) or open a copy", .path.display(), .entry.display())]
    ReadOnly { path: PathBuf, entry: PathBuf },
    #[error("cannot make {} private to its owner (it belongs to user {owner}): {cause}; move it somewhere only you can read, or ask its owner", .path.display())]
    NotPrivate {
        path: PathBuf,
        owner: u32,
        cause: std::io::Error,
    },
    #[error("{} is not a rapport database: {why}", .path.display())]
    NotRapport { path: PathBuf, why: String },
    #[error("cannot open database {}: {}", .path.display(), describe_io(.cause))]
    Open {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("the disk holding database {} is full, so it was opened for reading only: nothing was changed, and everything saved before is safe; free some space and run it again", .path.display())]
    DiskFull { path: PathBuf },
    #[error("rapport stopped using database {} after a write failed ({why}); everything saved before it is safe: free the space or fix the fault, then start rapport again", .path.display())]
    Stopped { path: PathBuf, why: String },
    #[error("{entity} not saved: {cause}")]
    Invalid {
        entity: &'static str,
        cause: ValidationError,
    },
    #[error("{entity} not saved: {field} '{value}' already belongs to {entity} {existing}")]
    Duplicate {
        entity: &'static str,
        field: crate::domain::FieldId,
        value: String,
        existing: u64,
    },
    #[error("{entity} not saved: customer: no customer has id {id}")]
    UnknownCustomer { entity: &'static str, id: u64 },
    #[error("{entity} not saved: account: no account has id {id}")]
    UnknownAccount { entity: &'static str, id: u64 },
    #[error("no {entity} has id {id}")]
    NotFound { entity: &'static str, id: u64 },
    #[error("{entity} {id} still has {what}; delete or move them first")]
    InUse {
        entity: &'static str,
        id: u64,
        what: &'static str,
    },
    #[error("damaged record {id} in {tree}: {cause}")]
    Corrupt {
        tree: &'static str,
        id: u64,
        cause: CodecError,
    },
    #[error("{record} is not in the trash (rapport trash lists what is)")]
    NotInTrash { record: String },
    #[error("import {batch} was already reverted")]
    AlreadyReverted { batch: u64 },
    #[error("import {batch} not reverted: {} changed since it ran ({}{}); revert later imports first, or pass --force to put them back as the import found them", .changed.len(), .changed.iter().take(5).cloned().collect::<Vec<_>>().join(", "), if .changed.len() > 5 { ", …" } else { "" })]
    ChangedSinceImport { batch: u64, changed: Vec<String> },
    #[error(
        "import {batch} not reverted: {record}, which it created, now has {what} from elsewhere; delete or move them first"
    )]
    RevertWouldOrphan {
        batch: u64,
        record: String,
        what: &'static str,
    },
    /// No `#[from]`: sled's own text is the `Debug` dump people must not see, so it is no source.
    #[error("{}", describe_sled(.0))]
    Sled(sled::Error),
    /// Someone changed the record after the writer read it: nothing is written over their change.
    #[error(transparent)]
    Changed(Changed),
    /// Someone deleted (or merged away, or erased) the record after the writer read it.
    #[error(transparent)]
    Gone(Gone),
    /// The actor's role does not allow the change; says which role would.
    #[error("{0}")]
    Refused(String),
    /// Internal: how `simulate` rolls a transaction back.
    #[error("rolled back")]
    RolledBack,
}

/// A record someone changed after the writer read it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{entity} {label} was changed by {by} after you opened it; nothing was saved over it: what you typed is kept, open it again to see the change"
)]
pub struct Changed {
    pub entity: &'static str,
    pub label: String,
    /// Who made the change and when ("bea at 14:02 UTC"), from the audit log.
    pub by: String,
}

/// A record someone deleted (or merged away, or erased) after the writer read it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{entity} {label} was {how}; nothing was saved: what you typed is kept")]
pub struct Gone {
    pub entity: &'static str,
    pub label: String,
    /// What became of it, by whom, when ("deleted by bea at 14:02 on 2026-12-07 UTC").
    pub how: String,
}

impl StoreError {
    /// The command line's exit code for it: 3 when another process holds the database, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            StoreError::Locked { .. } => 3,
            _ => 1,
        }
    }
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Sled(e)
    }
}

/// One line for people. sled hands back a clone of a failed write's error on every later call, and
/// its clone carries the first error's `Debug` text, so the kind is what is worth showing.
pub(super) fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull => {
            "the disk is full; free some space and run it again (nothing saved before was lost)"
                .into()
        }
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::ReadOnlyFilesystem => "the filesystem is read-only".into(),
        kind => {
            let text = e.to_string();
            if text.starts_with("Os {") || text.starts_with("Custom {") || text.contains("kind: ") {
                kind.to_string()
            } else {
                text
            }
        }
    }
}

pub(super) fn describe_sled(e: &sled::Error) -> String {
    match e {
        sled::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => {
            "the disk is full: this change was not saved, and everything saved before it is safe; free some space and run it again".into()
        }
        sled::Error::Io(io) => format!("database input/output error: {}", describe_io(io)),
        sled::Error::Corruption { .. } => {
            "the database's files are damaged (sled found data it cannot read); restore the last backup into a new database".into()
        }
        sled::Error::ReportableBug(what) => format!("database error (a bug in sled): {what}"),
        sled::Error::Unsupported(what) => format!("database error: {what}"),
        sled::Error::CollectionNotFound(_) => "database error: a tree is missing".into(),
    }
}

pub(super) fn is_disk_full(e: &StoreError) -> bool {
    match e {
        StoreError::Open { cause, .. } => cause.kind() == std::io::ErrorKind::StorageFull,
        StoreError::Sled(sled::Error::Io(cause)) => cause.kind() == std::io::ErrorKind::StorageFull,
        _ => false,
    }
}

pub(super) fn open_error(e: sled::Error, path: &Path) -> StoreError {
    match e {
        // sled reports a held lock as an Other io error whose text says so.
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            StoreError::Locked {
                path: path.to_path_buf(),
            }
        }
        sled::Error::Io(cause) => StoreError::Open {
            path: path.to_path_buf(),
            cause,
        },
        other => StoreError::Sled(other),
    }
}
