//! The app's log: a file, never the screen it draws on, readable by its owner only. It names
//! records by id and never holds personal data (names, emails, note text), so `forget` has
//! nothing to chase there.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Sends the log to `rapport.log` in `dir`, at the level RAPPORT_LOG names (default: info). A log
/// that cannot be opened is no reason to stop the app.
pub fn start(dir: &Path) {
    let file = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .and_then(|()| {
            let path = dir.join("rapport.log");
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&path)?;
            // An older rapport made it readable by all.
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            Ok(file)
        });
    let Ok(file) = file else { return };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAPPORT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}

/// For `rapport serve`: the log goes to standard error, where systemd's journal keeps it. The
/// same rule holds: team members' names and key fingerprints, never customers' data.
pub fn to_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAPPORT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,russh=warn"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}
