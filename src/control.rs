//! Backups while the app is open. Only one process may hold a database, so the app listens on a
//! socket inside the database directory (readable by its owner only) and writes a backup when asked;
//! `rapport backup` asks it when it finds the database in use.

use crate::store::Store;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

fn socket_path(db: &Path) -> PathBuf {
    db.join("rapport.sock")
}

/// Removes the socket when the app closes.
pub struct Serving {
    path: PathBuf,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Starts answering backup requests for `store` on a background thread.
pub fn serve(store: Store) -> std::io::Result<Serving> {
    let path = socket_path(store.path());
    // We hold the database's lock, so a socket left here is from a process that died.
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    std::thread::Builder::new()
        .name("rapport-control".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Err(e) = answer(&store, stream) {
                    tracing::warn!("backup request failed: {e}");
                }
            }
        })?;
    Ok(Serving { path })
}

fn answer(store: &Store, stream: UnixStream) -> std::io::Result<()> {
    let mut request = String::new();
    BufReader::new(&stream).read_line(&mut request)?;
    let reply = match request.trim_end().strip_prefix("backup ") {
        Some(file) => match crate::commands::backup_file(store, Path::new(file)) {
            Ok(n) => format!("ok {n}\n"),
            Err(e) => format!("error {e:#}\n"),
        },
        None => "error unknown request\n".to_string(),
    };
    (&stream).write_all(reply.as_bytes())
}

#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// No app answers: the lock is held by something else (an import, say).
    #[error("no app answers")]
    NoApp,
    #[error("the app could not write the backup: {0}")]
    Failed(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Asks the app holding `db` to write a backup to `file`; returns how many records.
pub fn ask_for_backup(db: &Path, file: &Path) -> Result<usize, AskError> {
    let stream = UnixStream::connect(socket_path(db)).map_err(|_| AskError::NoApp)?;
    let file = std::path::absolute(file)?;
    let line = format!("backup {}\n", file.display());
    if line.lines().count() != 1 {
        return Err(AskError::Failed("the file name has a line break".into()));
    }
    (&stream).write_all(line.as_bytes())?;
    let mut reply = String::new();
    BufReader::new(&stream).read_line(&mut reply)?;
    let reply = reply.trim_end();
    if let Some(n) = reply.strip_prefix("ok ") {
        return n
            .parse()
            .map_err(|_| AskError::Failed(format!("odd reply '{reply}'")));
    }
    Err(AskError::Failed(
        reply.strip_prefix("error ").unwrap_or(reply).to_string(),
    ))
}
