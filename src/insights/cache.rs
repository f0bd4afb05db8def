//! The app's insights kept on disk in the database's folder, keyed by its data version: a start
//! with unchanged data has them at once instead of recomputing for seconds. A cache that is
//! missing, stale, from another build or damaged is recomputed, never trusted.

use super::bundle::Insights;
use std::io::Write;
use std::path::{Path, PathBuf};

const FILE: &str = "insights.cache";
const MAGIC: &[u8; 8] = b"RPTINS03";

/// The build that wrote a cache: its version and the program file's size and time. What is cached
/// changes shape between builds without the version changing, so a new build recomputes.
fn build() -> String {
    let exe = std::env::current_exe().and_then(std::fs::metadata);
    let stamp = exe.map_or((0, 0), |m| {
        let at = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        (m.len(), at.map_or(0, |d| d.as_nanos()))
    });
    format!("{} {} {}", env!("CARGO_PKG_VERSION"), stamp.0, stamp.1)
}
/// What a damaged length may make the decoder allocate, at most.
const LIMIT: usize = 1 << 31;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

pub fn path(db: &Path) -> PathBuf {
    db.join(FILE)
}

/// The header: magic, build, data version, payload length and CRC-32 of the payload.
fn header(version: u64, payload: &[u8]) -> Vec<u8> {
    let build = build();
    let mut h = Vec::with_capacity(64);
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&(build.len() as u32).to_le_bytes());
    h.extend_from_slice(build.as_bytes());
    h.extend_from_slice(&version.to_le_bytes());
    h.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    h.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    h
}

/// The insights cached for `version`, if a sound cache for it is there.
pub fn load(db: &Path, version: u64) -> Option<Insights> {
    let bytes = std::fs::read(path(db)).ok()?;
    let mut rest = bytes.as_slice();
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = rest.split_at_checked(n)?;
        rest = tail;
        Some(head)
    };
    if take(8)? != MAGIC {
        return None;
    }
    let build_len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
    if take(build_len)? != build().as_bytes() {
        return None;
    }
    let cached_version = u64::from_le_bytes(take(8)?.try_into().ok()?);
    let len = u64::from_le_bytes(take(8)?.try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(take(4)?.try_into().ok()?);
    let payload = take(len)?;
    if cached_version != version || crc32fast::hash(payload) != crc {
        return None;
    }
    let (insights, read): (Insights, usize) =
        bincode::serde::decode_from_slice(payload, config()).ok()?;
    (read == len && insights.version == version).then_some(insights)
}

/// Writes the cache whole or not at all: to a temporary file, synced, then renamed over the old.
pub fn save(db: &Path, insights: &Insights) -> std::io::Result<()> {
    let payload = bincode::serde::encode_to_vec(insights, config())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let target = path(db);
    let mut tmp = tempfile::NamedTempFile::new_in(db)?;
    tmp.write_all(&header(insights.version, &payload))?;
    tmp.write_all(&payload)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
