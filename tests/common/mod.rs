//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// A file from the shared public datasets beside the repository, or None (with a note on stderr)
/// when the folder is not there, so a bare clone still passes.
pub fn dataset(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is not there (the shared datasets sit beside the repo)",
            path.display()
        );
        None
    }
}

pub fn rapport() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("rapport").unwrap();
    cmd.env_remove("RAPPORT_DB");
    cmd
}

pub fn stats_json(db: &std::path::Path) -> serde_json::Value {
    let out = rapport()
        .args(["--db", db.to_str().unwrap(), "stats", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
