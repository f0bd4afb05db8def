//! What can keep a change from being made, sorted by what the person can do about it: ask someone
//! with the role, reopen what changed under them, mend a field, or (the database's own failure)
//! wait for it to be fixed. The app, the server and the commands all read it the same way.

use crate::backup::BackupError;
use crate::domain::FieldId;
use crate::import::ImportError;
use crate::store::{Changed, Gone, StoreError};
use crate::team::TeamError;

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// Not done, and why: the actor's role does not allow it (the message says which would), or
    /// what was asked cannot be done as things are (nothing in the trash by that name).
    #[error("{reason}")]
    Refused { reason: String },
    /// Someone changed the record after the actor read it: nothing was written over their change.
    #[error(transparent)]
    Conflict(Changed),
    /// Someone deleted (or merged away, or erased) the record after the actor read it.
    #[error(transparent)]
    Gone(Gone),
    /// An import or merge cannot be taken back: these records changed since it ran, and taking
    /// it back would undo those changes.
    #[error("{reason}")]
    ChangedSince {
        changed: Vec<String>,
        reason: String,
    },
    /// What was typed cannot be saved as it is; `field` is the one at fault, when one is.
    #[error("{message}")]
    Invalid {
        field: Option<FieldId>,
        message: String,
    },
    /// The file given could not be taken (unreadable, not the format asked, given up on).
    #[error(transparent)]
    Input(ImportError),
    /// A backup that could not be written (a closed pipe stays in the chain), or a restore
    /// whose file is not a whole backup.
    #[error(transparent)]
    Backup(BackupError),
    /// The database could not do it (in use, full, damaged): nothing the person typed is wrong.
    #[error(transparent)]
    Store(StoreError),
}

impl OpsError {
    pub fn refused(reason: impl Into<String>) -> OpsError {
        OpsError::Refused {
            reason: reason.into(),
        }
    }

    /// The form field a person should look at, if the fault is in one.
    pub fn field(&self) -> Option<FieldId> {
        match self {
            OpsError::Invalid { field, .. } => *field,
            _ => None,
        }
    }

    /// The command line's exit code for it: 3 when another process holds the database, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            OpsError::Store(e) => e.exit_code(),
            _ => 1,
        }
    }
}

impl From<StoreError> for OpsError {
    fn from(e: StoreError) -> Self {
        let invalid = |field: FieldId, e: &StoreError| OpsError::Invalid {
            field: Some(field),
            message: e.to_string(),
        };
        match e {
            StoreError::Changed(changed) => OpsError::Conflict(changed),
            StoreError::Gone(gone) => OpsError::Gone(gone),
            StoreError::Invalid { ref cause, .. } => invalid(cause.field, &e),
            StoreError::Duplicate { field, .. } => invalid(field, &e),
            StoreError::UnknownCustomer { .. } => invalid(FieldId::Customer, &e),
            StoreError::UnknownAccount { .. } => invalid(FieldId::Account, &e),
            StoreError::Refused(reason) => OpsError::Refused { reason },
            StoreError::ChangedSinceImport { ref changed, .. } => OpsError::ChangedSince {
                changed: changed.clone(),
                reason: e.to_string(),
            },
            StoreError::NotFound { .. }
            | StoreError::InUse { .. }
            | StoreError::NotInTrash { .. }
            | StoreError::AlreadyReverted { .. }
            | StoreError::RevertWouldOrphan { .. } => OpsError::Refused {
                reason: e.to_string(),
            },
            other => OpsError::Store(other),
        }
    }
}

impl From<ImportError> for OpsError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Store(e) => e.into(),
            other => OpsError::Input(other),
        }
    }
}

impl From<BackupError> for OpsError {
    fn from(e: BackupError) -> Self {
        match e {
            BackupError::Store(e) => e.into(),
            BackupError::NotEmpty => OpsError::refused(e.to_string()),
            other => OpsError::Backup(other),
        }
    }
}

impl From<crate::demo::DemoError> for OpsError {
    fn from(e: crate::demo::DemoError) -> Self {
        use crate::demo::DemoError;
        match e {
            DemoError::Store(e) => e.into(),
            DemoError::NotEmpty | DemoError::NoCustomers => OpsError::refused(e.to_string()),
        }
    }
}

impl From<TeamError> for OpsError {
    fn from(e: TeamError) -> Self {
        match e {
            TeamError::Store(e) => e.into(),
            TeamError::Invalid(cause) => OpsError::Invalid {
                field: Some(cause.field),
                message: cause.to_string(),
            },
            TeamError::KeyTaken { .. } | TeamError::BadKey(_) => OpsError::Invalid {
                field: Some(FieldId::Key),
                message: e.to_string(),
            },
            TeamError::NoSuchMember(_) => OpsError::refused(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ValidationError;

    #[test]
    fn each_refusal_of_the_store_is_sorted_by_what_the_person_can_do() {
        let bad = StoreError::Invalid {
            entity: "customer",
            cause: ValidationError::new(FieldId::Email, "'x' has no '@'"),
        };
        let said = bad.to_string();
        let e = OpsError::from(bad);
        assert_eq!(e.field(), Some(FieldId::Email));
        assert_eq!(e.to_string(), said, "the person reads what the store said");
        let taken = OpsError::from(StoreError::Duplicate {
            entity: "product",
            field: FieldId::Sku,
            value: "A1".into(),
            existing: 4,
        });
        assert_eq!(taken.field(), Some(FieldId::Sku));
        let changed = OpsError::from(StoreError::Changed(Changed {
            entity: "deal",
            label: "Spring order".into(),
            by: "bea at 14:02 UTC".into(),
        }));
        assert!(matches!(changed, OpsError::Conflict(ref c) if c.by.starts_with("bea")));
        let locked = OpsError::from(StoreError::Locked { path: "db".into() });
        assert_eq!(locked.exit_code(), 3);
        assert_eq!(OpsError::refused("only a manager can").exit_code(), 1);
        let missing = OpsError::from(StoreError::NotFound {
            entity: "deal",
            id: 9,
        });
        assert!(matches!(missing, OpsError::Refused { .. }), "{missing:?}");
    }
}
