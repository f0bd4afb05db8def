//! The control socket, through which `rapport backup` reaches the app holding a database: it
//! serves its own user only, its client trusts only its own user's socket, paths cross it as bytes,
//! and an idle connection holds up no one.

use crate::common;

use rapport::store::Store;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

fn open_with_data(dir: &Path) -> Store {
    let store = Store::open(&dir.join("d.db")).unwrap();
    common::write_customer_and_note(&store, 1);
    store
}

/// Runs `f` on a thread and fails the test, rather than hanging it, if it takes over a minute.
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("finished within a minute")
}

#[test]
fn a_backup_path_keeps_its_trailing_spaces_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_data(dir.path());
    let _serving = rapport::control::serve(rapport::ops::Ops::new(
        store.clone(),
        rapport::ops::Actor::local(),
    ))
    .unwrap();
    for name in [&b"b.ndjson  "[..], &b"b\xff\xfe.ndjson"[..]] {
        let file = dir.path().join(OsStr::from_bytes(name));
        let records = rapport::control::ask_for_backup(store.path(), &file).unwrap();
        assert_eq!(records, 2);
        assert!(file.exists(), "{}", file.display());
    }
    assert!(!dir.path().join("b.ndjson").exists());
}

#[test]
fn an_idle_connection_does_not_hold_up_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_data(dir.path());
    let _serving = rapport::control::serve(rapport::ops::Ops::new(
        store.clone(),
        rapport::ops::Actor::local(),
    ))
    .unwrap();
    let idle: Vec<_> = (0..3)
        .map(|_| {
            std::os::unix::net::UnixStream::connect(store.path().join("rapport.sock")).unwrap()
        })
        .collect();
    let db = store.path().to_path_buf();
    let file = dir.path().join("b.ndjson");
    let asked = within_a_minute(move || rapport::control::ask_for_backup(&db, &file));
    assert_eq!(asked.unwrap(), 2);
    drop(idle);
}

/// Eight connections trickling a byte a second hold every slot only until their time to send a
/// request runs out: a real request then gets through.
#[test]
fn connections_that_trickle_their_request_do_not_hold_the_socket() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_data(dir.path());
    let _serving = rapport::control::serve(rapport::ops::Ops::new(
        store.clone(),
        rapport::ops::Actor::local(),
    ))
    .unwrap();
    let socket = store.path().join("rapport.sock");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let tricklers: Vec<_> = (0..8)
        .map(|_| {
            let (socket, stop) = (socket.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut stream = std::os::unix::net::UnixStream::connect(&socket).unwrap();
                // A frame that says it is long, then a byte at a time.
                let _ = stream.write_all(&1000u32.to_be_bytes());
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if stream.write_all(b"x").is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let db = store.path().to_path_buf();
    let file = dir.path().join("b.ndjson");
    let asked = within_a_minute(move || rapport::control::ask_for_backup(&db, &file));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(asked.unwrap(), 2);
    for t in tricklers {
        t.join().unwrap();
    }
}

#[test]
fn a_backup_is_refused_inside_the_database_directory() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_data(dir.path());
    let _serving = rapport::control::serve(rapport::ops::Ops::new(
        store.clone(),
        rapport::ops::Actor::local(),
    ))
    .unwrap();
    let err = rapport::control::ask_for_backup(store.path(), &store.path().join("db")).unwrap_err();
    assert!(err.to_string().contains("inside the database"), "{err}");
    assert_eq!(store.count::<rapport::domain::Note>(), 1);
    assert!(store.check_indexes().unwrap().is_empty());
}

/// Connects to `socket` as user `nobody` in a forked child, sends `frame`, and returns the reply.
/// The child makes raw system calls only: the test process has other threads.
fn ask_as_nobody(socket: &Path, frame: &[u8]) -> Vec<u8> {
    let mut address: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    address.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let path = socket.as_os_str().as_bytes();
    assert!(path.len() < address.sun_path.len());
    for (to, &from) in address.sun_path.iter_mut().zip(path) {
        *to = from as libc::c_char;
    }
    let mut pipe = [0; 2];
    // SAFETY: plain system calls on descriptors and buffers this function owns; the child exits
    // with _exit and touches no allocator or lock.
    unsafe {
        assert_eq!(libc::pipe(pipe.as_mut_ptr()), 0);
        let child = libc::fork();
        assert!(child >= 0);
        if child == 0 {
            libc::close(pipe[0]);
            if libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                libc::_exit(2);
            }
            let fd = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
            let connected = libc::connect(
                fd,
                (&address as *const libc::sockaddr_un).cast(),
                std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t,
            );
            if connected != 0 {
                libc::_exit(3);
            }
            libc::write(fd, frame.as_ptr().cast(), frame.len());
            let mut reply = [0u8; 512];
            loop {
                let n = libc::read(fd, reply.as_mut_ptr().cast(), reply.len());
                if n <= 0 {
                    break;
                }
                libc::write(pipe[1], reply.as_ptr().cast(), n as usize);
            }
            libc::_exit(0);
        }
        libc::close(pipe[1]);
        let mut reply = Vec::new();
        let mut buffer = [0u8; 512];
        loop {
            let n = libc::read(pipe[0], buffer.as_mut_ptr().cast(), buffer.len());
            if n <= 0 {
                break;
            }
            reply.extend_from_slice(&buffer[..n as usize]);
        }
        libc::close(pipe[0]);
        let mut status = 0;
        libc::waitpid(child, &mut status, 0);
        assert_eq!(libc::WEXITSTATUS(status), 0, "the child connected");
        reply
    }
}

#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root: a child process switches to another user"
)]
fn another_user_is_refused_even_when_the_socket_is_open_to_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_data(dir.path());
    let _serving = rapport::control::serve(rapport::ops::Ops::new(
        store.clone(),
        rapport::ops::Actor::local(),
    ))
    .unwrap();
    // What a careless umask or chmod would leave: everyone can reach the socket.
    for (path, mode) in [
        (dir.path(), 0o777),
        (store.path(), 0o755),
        (&store.path().join("rapport.sock"), 0o777),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let target = dir.path().join("written-for-another-user");
    let mut request = b"backup\0".to_vec();
    request.extend_from_slice(target.as_os_str().as_bytes());
    let mut frame = (request.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&request);
    let reply = ask_as_nobody(&store.path().join("rapport.sock"), &frame);
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.contains("error refused"), "{reply:?}");
    assert!(!target.exists(), "nothing written for another user");
    // The owner is still served.
    let own = dir.path().join("own.ndjson");
    assert_eq!(
        rapport::control::ask_for_backup(store.path(), &own).unwrap(),
        2
    );
}

#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root: the fake socket must belong to another user"
)]
fn a_socket_of_another_user_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_data(dir.path());
    let db = store.path().to_path_buf();
    // A fake that would claim a backup it never wrote.
    let socket = db.join("rapport.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::os::unix::fs::lchown(&socket, Some(65534), Some(65534)).unwrap();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = asked.clone();
    std::thread::spawn(move || {
        use std::io::Write;
        for mut stream in listener.incoming().flatten() {
            seen.store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = stream.write_all(&[0, 0, 0, 9]);
            let _ = stream.write_all(b"ok 999999");
        }
    });
    let file = dir.path().join("b.ndjson");
    let out = common::rapport()
        .arg("--db")
        .arg(&db)
        .arg("backup")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not to be trusted"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());
    assert!(!file.exists());
    assert!(
        !asked.load(std::sync::atomic::Ordering::SeqCst),
        "never asked"
    );
}
