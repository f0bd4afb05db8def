//! The database directory on disk: a snapshot left half written by a killed process, privacy
//! whatever the umask, a directory this user cannot write, and a full disk.

use crate::common;

use rapport::store::Store;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

fn everything_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(everything_in(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_snapshot_left_half_written_does_not_stop_the_database_opening() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    {
        let store = Store::open(&db).unwrap();
        common::write_customer_and_note(&store, 1);
    }
    // What a kill during sled's snapshot write leaves: sled would read it as the newest snapshot.
    let leftover = db.join("snap.FFFFFFFFFFFFFFFF.generating");
    std::fs::write(&leftover, b"").unwrap();
    let store = Store::open(&db).expect("opens past the leftover");
    assert_eq!(store.count::<rapport::domain::Note>(), 1);
    assert!(!leftover.exists(), "the leftover is cleared");
    assert!(store.check_indexes().unwrap().is_empty());

    // While a process holds the database, a snapshot file there may be one it is writing.
    std::fs::write(&leftover, b"").unwrap();
    let second = Store::open(&db);
    assert!(matches!(
        second,
        Err(rapport::store::StoreError::Locked { .. })
    ));
    assert!(leftover.exists(), "not touched while the database is held");
    drop(store);
    drop(second);

    // A directory by that name (not what sled writes, but a kill or a hand can leave one).
    std::fs::remove_file(&leftover).unwrap();
    std::fs::create_dir(&leftover).unwrap();
    std::fs::write(leftover.join("x"), b"x").unwrap();
    let store = Store::open(&db).expect("opens past a leftover directory");
    assert_eq!(store.count::<rapport::domain::Note>(), 1);
    assert!(!leftover.exists());
}

#[test]
fn an_existing_directory_is_made_private_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    std::fs::create_dir(&db).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("rapport"));
    command
        .arg("--db")
        .arg(&db)
        .args(["demo", "--customers", "20", "--as-of", "2026-11-01"]);
    // SAFETY: umask(2) is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A file a careless earlier run left open to all.
    let stray = db.join("blobs").join("stray");
    std::fs::write(&stray, b"x").unwrap();
    std::fs::set_permissions(&stray, std::fs::Permissions::from_mode(0o666)).unwrap();
    let store = Store::open(&db).unwrap();
    let serving = rapport::control::serve(rapport::ops::Ops::new(
        store.clone(),
        rapport::ops::Actor::local(),
    ))
    .unwrap();
    let entries = everything_in(&db);
    assert!(entries.len() > 4, "{entries:?}");
    for entry in &entries {
        assert_eq!(
            mode(entry) & 0o077,
            0,
            "{} is {:o}",
            entry.display(),
            mode(entry)
        );
    }
    drop(serving);
}

/// Runs the binary as `nobody` when the tests run as root (root may write anywhere), else as is.
fn as_unprivileged(dir: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("rapport"));
    command.env_remove("RAPPORT_DB");
    // SAFETY: geteuid(2) cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        for entry in everything_in(dir) {
            std::os::unix::fs::lchown(&entry, Some(65534), Some(65534)).unwrap();
        }
        command.uid(65534).gid(65534);
    }
    command
}

#[test]
fn a_database_this_user_cannot_write_is_refused_at_open_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = dir.path().join("d.db");
    {
        let store = Store::open(&db).unwrap();
        common::write_customer_and_note(&store, 1);
    }
    let backup = dir.path().join("out");
    std::fs::create_dir(&backup).unwrap();
    std::fs::set_permissions(&backup, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o500)).unwrap();
    for args in [
        vec!["note", "1", "x"],
        vec!["stats"],
        vec!["backup", backup.join("b.ndjson").to_str().unwrap()],
    ] {
        let out = as_unprivileged(dir.path())
            .arg("--db")
            .arg(&db)
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("cannot be written by you"), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o700)).unwrap();
    let out = as_unprivileged(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["notes"], 1, "nothing was written, nothing lost");
}

/// A small tmpfs, unmounted when dropped.
struct Mounted(PathBuf);

impl Mounted {
    /// None, said on stderr, where even root may not mount (a container without the right).
    fn tmpfs(at: PathBuf, size: &str) -> Option<Mounted> {
        std::fs::create_dir_all(&at).unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .output()
            .expect("mount runs");
        if !out.status.success() {
            eprintln!(
                "SKIPPED: this machine lets no tmpfs be mounted ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some(Mounted(at))
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn fill(path: &Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![7u8; 1 << 16];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
}

#[test]
#[cfg_attr(not(as_root), ignore = "needs root: mounts a small tmpfs to fill")]
fn on_a_full_disk_writes_fail_in_one_line_and_reads_and_backups_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Mounted::tmpfs(dir.path().join("disk"), "48m") else {
        return;
    };
    let db = disk.0.join("d.db");
    common::demo_cli(&db, 200, 3);
    let mut acknowledged = 0;
    for n in 0..20 {
        common::stdout_of(&db, &["note", "1", &format!("before the disk filled {n}")]);
        acknowledged += 1;
    }
    let before = common::stats_json(&db);
    // Room for the import to open, not to finish: the disk fills while it writes.
    let filler = disk.0.join("filler");
    fill(&filler);
    let size = std::fs::metadata(&filler).unwrap().len();
    std::fs::File::options()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(size - (1 << 20))
        .unwrap();

    let baskets = dir.path().join("baskets.csv");
    let lines: Vec<String> = (0..20_000)
        .map(|n| format!("item {n},item {},item {}", n + 1, n * 7))
        .collect();
    std::fs::write(&baskets, lines.join("\n")).unwrap();
    let import = [
        "import",
        "orders",
        baskets.to_str().unwrap(),
        "--format",
        "baskets",
    ];
    let one_clear_line = |err: &str| {
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("disk") && err.contains("full"), "{err}");
        for debug in ["Os {", "kind:", "backtrace"] {
            assert!(!err.contains(debug), "{err}");
        }
    };
    let (code, err) = common::failure_of(&db, &import);
    assert_eq!(code, 1, "{err}");
    one_clear_line(&err);

    // In one process, after the failed write: every later command says why, none hangs (sled's
    // reads spin once a write of its has failed, so the store asks it nothing more).
    let script = dir.path().join("after.rapport");
    std::fs::write(
        &script,
        format!(
            "import orders {} --format baskets\nstats\nexport customers --ids-only\nnote 1 hello\n",
            baskets.display()
        ),
    )
    .unwrap();
    fill(&disk.0.join("filler-3"));
    std::fs::remove_file(disk.0.join("filler-3")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(size - (2 << 20))
        .unwrap();
    let out = common::rapport()
        .arg("--db")
        .arg(&db)
        .arg("--keep-going")
        .arg("--batch")
        .arg(&script)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let stopped = err
        .lines()
        .filter(|l| l.contains("stopped using database"))
        .count();
    assert_eq!(stopped, 3, "{err}");
    assert!(err.lines().all(|l| !l.contains("Os {")), "{err}");

    // Full to the last byte: even opening needs the space kept aside for this.
    fill(&disk.0.join("filler-2"));
    let (code, err) = common::failure_of(&db, &import);
    assert_eq!(code, 1, "{err}");
    one_clear_line(&err);

    // Reading and backing up to another filesystem work while the disk is still full.
    for _ in 0..3 {
        let stats = common::stats_json(&db);
        assert_eq!(stats["notes"], before["notes"]);
    }
    let elsewhere = dir.path().join("b.ndjson");
    let said = common::stdout_of(&db, &["backup", elsewhere.to_str().unwrap()]);
    assert!(said.starts_with("backed up"), "{said}");
    let backup = std::fs::read_to_string(&elsewhere).unwrap();
    assert!(backup.contains("before the disk filled 19"));

    for filler in ["filler", "filler-2"] {
        std::fs::remove_file(disk.0.join(filler)).unwrap();
    }
    let after = common::stats_json(&db);
    assert_eq!(
        after["notes"], before["notes"],
        "{acknowledged} notes acknowledged"
    );
    assert_eq!(after["customers"], before["customers"]);
    let store = Store::open(&db).unwrap();
    assert!(store.check_indexes().unwrap().is_empty());
    let texts: Vec<String> = store
        .all::<rapport::domain::Note>()
        .unwrap()
        .into_iter()
        .map(|n| n.text)
        .collect();
    for n in 0..acknowledged {
        assert!(texts.contains(&format!("before the disk filled {n}")));
    }
    drop(store);
    common::stdout_of(&db, &["note", "1", "after the space came back"]);
}
