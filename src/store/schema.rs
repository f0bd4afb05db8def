//! The database's schema version, kept in the `meta` tree, and the steps that bring an older
//! database up to date when it is opened.
//!
//! History:
//! 1. the first layout: records, and indexes by email, external id, sku, order number, orders by
//!    customer, deals by stage, tickets by status.
//! 2. adds per-customer indexes for deals, tickets and notes (the customer timeline reads them).
//! 3. adds the trash (soft deletes) and the import journal; both start empty, so the step has no
//!    work, but an older rapport must not open a database whose deletes it would not understand.
//! 4. adds customers by name, so the app draws its first screen without reading every customer.

use super::keys::{self, Tr};
use super::{Store, StoreError};
use std::path::Path;

pub const SCHEMA_VERSION: u32 = 4;

pub(super) fn stored_version(meta: &sled::Tree, path: &Path) -> Result<Option<u32>, StoreError> {
    match meta.get(keys::SCHEMA_VERSION)? {
        None => Ok(None),
        Some(bytes) => {
            let bytes: [u8; 4] = bytes
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::NotRapport {
                    path: path.to_path_buf(),
                    why: "its schema version is unreadable".into(),
                })?;
            Ok(Some(u32::from_be_bytes(bytes)))
        }
    }
}

fn set_version(store: &Store, version: u32) -> Result<(), StoreError> {
    store
        .tree(Tr::Meta)
        .insert(keys::SCHEMA_VERSION, &version.to_be_bytes())?;
    store.flush()
}

pub(super) fn migrate(store: &Store, found: Option<u32>) -> Result<(), StoreError> {
    let Some(mut version) = found else {
        let has_records = Tr::ALL
            .iter()
            .filter(|t| **t != Tr::Meta)
            .any(|t| !store.tree(*t).is_empty());
        if has_records {
            return Err(StoreError::NotRapport {
                path: store.path.clone(),
                why: "it has data but no schema version".into(),
            });
        }
        return set_version(store, SCHEMA_VERSION);
    };
    while version < SCHEMA_VERSION {
        // Each step is idempotent and the version is written after it, so a crash mid-way
        // re-runs the step on the next open.
        match version {
            1 => store.rebuild_all_indexes()?,
            2 => {}
            3 => store.rebuild_indexes::<crate::domain::Customer>()?,
            other => {
                return Err(StoreError::NotRapport {
                    path: store.path.clone(),
                    why: format!("schema {other} is not one rapport ever wrote"),
                });
            }
        }
        version += 1;
        set_version(store, version)?;
    }
    Ok(())
}
