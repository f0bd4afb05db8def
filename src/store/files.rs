//! The database directory on disk, before sled opens it: private whatever the umask, writable (or
//! refused with a reason), and clear of the snapshot a killed process left half written.

use super::StoreError;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

/// Creates the directory if need be, takes group and other permissions away from it and from
/// everything in it, and checks that this process may write there.
pub(super) fn prepare(path: &Path) -> Result<(), StoreError> {
    let open = |cause| StoreError::Open {
        path: path.to_path_buf(),
        cause,
    };
    if !path.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .create(path)
            .map_err(open)?;
    }
    let meta = std::fs::metadata(path).map_err(open)?;
    if !meta.is_dir() {
        return Err(StoreError::NotRapport {
            path: path.to_path_buf(),
            why: "it is a file, and a database is a directory".into(),
        });
    }
    secure(path, path)
}

/// One walk over the directory and everything in it. Each entry loses its group and other
/// permissions (the person's data must not be readable by anyone else, however the directory came
/// to exist), then must be writable by this process: sled writes even to read (its log,
/// snapshots, the config file), so a database this process cannot write is refused at open rather
/// than failing at the first save or the next open.
fn secure(db: &Path, entry: &Path) -> Result<(), StoreError> {
    let Some(meta) = metadata(db, entry)? else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        let private = mode & 0o700;
        std::fs::set_permissions(entry, std::fs::Permissions::from_mode(private)).map_err(
            |cause| StoreError::NotPrivate {
                path: entry.to_path_buf(),
                owner: meta.uid(),
                cause,
            },
        )?;
    }
    if meta.file_type().is_socket() {
        return Ok(());
    }
    let wanted = if meta.is_dir() {
        libc::W_OK | libc::X_OK | libc::R_OK
    } else {
        libc::W_OK | libc::R_OK
    };
    if !accessible(entry, wanted) {
        return Err(StoreError::ReadOnly {
            path: db.to_path_buf(),
            entry: entry.to_path_buf(),
        });
    }
    if meta.is_dir() {
        let entries = std::fs::read_dir(entry).map_err(|cause| StoreError::Open {
            path: db.to_path_buf(),
            cause,
        })?;
        for child in entries {
            let child = child.map_err(|cause| StoreError::Open {
                path: db.to_path_buf(),
                cause,
            })?;
            secure(db, &child.path())?;
        }
    }
    Ok(())
}

/// An entry's metadata, or None if it went away meanwhile (a process holding the database may be
/// replacing a snapshot).
fn metadata(db: &Path, entry: &Path) -> Result<Option<std::fs::Metadata>, StoreError> {
    match std::fs::symlink_metadata(entry) {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && entry != db => Ok(None),
        Err(cause) => Err(StoreError::Open {
            path: db.to_path_buf(),
            cause,
        }),
    }
}

fn accessible(path: &Path, mode: libc::c_int) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), mode) == 0 }
}

/// sled writes a snapshot to `snap.<lsn>.generating` and renames it when whole; on open it reads
/// the newest `snap.*` file, and a leftover `.generating` one sorts after its finished twin, so a
/// process killed mid-write left a database that would not open. Such a file is never needed: the
/// finished snapshot before it, or the log, holds everything. It is removed only while no process
/// holds the database (its lock taken and let go here), so no running writer loses its file.
pub(super) fn clear_unfinished_snapshots(path: &Path) -> std::io::Result<usize> {
    let lock_file = match std::fs::File::open(path.join("db")) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    if lock_file.try_lock().is_err() {
        return Ok(0);
    }
    let mut removed = 0;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            // Not ours to guess at: whatever it is (a file, or a directory in its place), it is
            // an unfinished snapshot and goes.
            match entry.file_type()?.is_dir() {
                true => std::fs::remove_dir_all(entry.path())?,
                false => std::fs::remove_file(entry.path())?,
            }
            tracing::warn!("removed an unfinished snapshot a stopped process left: {name}");
            removed += 1;
        }
    }
    drop(lock_file);
    Ok(removed)
}

/// The control socket of the process that holds the database (see `control`).
pub const CONTROL_SOCKET: &str = "rapport.sock";

/// Whether a live process of ours holds the database and answers on its control socket. (A killed
/// one's socket file refuses connections; another user's is not even tried.)
pub(super) fn holder_answers(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let socket = path.join(CONTROL_SOCKET);
    let ours =
        std::fs::symlink_metadata(&socket).is_ok_and(|m| m.uid() == crate::user::effective_uid());
    ours && std::os::unix::net::UnixStream::connect(&socket).is_ok()
}

/// A file of space kept in the database directory for the day the disk fills. sled writes a
/// snapshot when it opens, so on a full disk even `stats` could not open the database; giving
/// this space back lets it open to be read and backed up.
const RESERVE: &str = "reserve";
pub(super) const RESERVE_BYTES: u64 = 16 << 20;

/// The reserve, given back to the filesystem for a reader to open on; when that reader is done,
/// the space is held again for the next one (a writer would otherwise take it).
pub(super) struct Reserve {
    path: std::path::PathBuf,
}

impl Reserve {
    pub(super) fn released(path: &Path) -> Reserve {
        Reserve {
            path: path.to_path_buf(),
        }
    }
}

impl Drop for Reserve {
    fn drop(&mut self) {
        let free = free_bytes(&self.path).unwrap_or(0);
        let bytes = RESERVE_BYTES.min(free);
        if bytes > 0 {
            make_reserve(&self.path, bytes);
        }
    }
}

/// Gives the reserve back to the filesystem; false if there was none to give.
pub(super) fn release_reserve(path: &Path) -> bool {
    match std::fs::remove_file(path.join(RESERVE)) {
        Ok(()) => {
            tracing::warn!(
                "the disk is full: released the reserve to open the database for reading"
            );
            true
        }
        Err(_) => false,
    }
}

/// Puts the reserve back if it is missing and the disk has room to spare for it.
pub(super) fn keep_reserve(path: &Path) {
    if path.join(RESERVE).exists() {
        return;
    }
    // On a small disk a smaller reserve: a snapshot is far smaller than the data it indexes.
    let bytes = RESERVE_BYTES.min(free_bytes(path).unwrap_or(0) / 4);
    if bytes >= 1 << 20 {
        make_reserve(path, bytes);
    }
}

fn make_reserve(path: &Path, bytes: u64) {
    let reserve = path.join(RESERVE);
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&reserve)
        .and_then(|file| allocate(&file, bytes));
    if let Err(e) = made {
        tracing::warn!("could not set space aside for a full disk: {e}");
        let _ = std::fs::remove_file(&reserve);
    }
}

fn allocate(file: &std::fs::File, bytes: u64) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open descriptor; fallocate(2) only changes the file.
    let done = unsafe { libc::fallocate(file.as_raw_fd(), 0, 0, bytes as libc::off_t) };
    if done == 0 {
        return file.sync_all();
    }
    let error = std::io::Error::last_os_error();
    if error.raw_os_error() != Some(libc::EOPNOTSUPP) {
        return Err(error);
    }
    // A filesystem without fallocate: written zeros hold the space as well.
    use std::io::Write;
    let block = vec![0u8; 1 << 20];
    let mut writer = std::io::BufWriter::new(file);
    for _ in 0..bytes.div_ceil(block.len() as u64) {
        writer.write_all(&block)?;
    }
    writer.flush()?;
    file.sync_all()
}

fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid path and a statvfs for the call to fill.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}
