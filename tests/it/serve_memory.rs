//! A rep's client that stops reading (a frozen laptop, a dead link the kernel has not noticed)
//! while the team writes: the server holds a short queue for that session, not every frame and
//! snapshot it missed, and its memory is back where it was once the client goes.

use crate::common;

use rapport::bench::load::Client;
use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn key(seed: u8) -> PrivateKey {
    PrivateKey::new(
        KeypairData::Ed25519(Ed25519Keypair::from_seed(&[seed; 32])),
        "test",
    )
    .unwrap()
}

/// A TCP relay on loopback whose server-to-client half can be stopped: the server then sees a
/// client that does not read, while the client can still send (its window changes).
struct Relay {
    addr: SocketAddr,
    reading: Arc<AtomicBool>,
}

fn relay(to: SocketAddr) -> Relay {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let reading = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&reading);
    std::thread::spawn(move || {
        let (client, _) = listener.accept().unwrap();
        let server = TcpStream::connect(to).unwrap();
        small_receive_buffer(&server);
        let (mut c_in, mut s_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 << 10];
            while let Ok(n) = c_in.read(&mut buf) {
                if n == 0 || s_out.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            let _ = s_out.shutdown(std::net::Shutdown::Both);
        });
        let (mut s_in, mut c_out) = (server, client);
        let mut buf = [0u8; 16 << 10];
        loop {
            if !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            match s_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if c_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
    });
    Relay { addr, reading }
}

/// The kernel holds little for a reader that has stopped (it grows a loopback buffer to megabytes).
fn small_receive_buffer(socket: &TcpStream) {
    use std::os::fd::AsRawFd;
    let size: libc::c_int = 8 << 10;
    // SAFETY: a valid socket and an int-sized option value.
    let done = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(done, 0);
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

fn stalled_viewer(frozen_for: Duration) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 3000, 5);
    let public = dir.path().join("viv.pub");
    std::fs::write(&public, key(7).public_key().to_openssh().unwrap()).unwrap();
    let added = common::stdout_of(
        &db,
        &[
            "team",
            "add",
            "viv",
            "--key",
            public.to_str().unwrap(),
            "--role",
            "viewer",
        ],
    );
    assert!(added.contains("added viv"), "{added}");
    let (server, addr, _log) = common::serve_with(&db, &[], None);
    let pid = server.0.id();
    let host = rapport::serve::host_key(&db)
        .unwrap()
        .public_key()
        .fingerprint(russh::keys::HashAlg::Sha256)
        .to_string();
    let relay = relay(addr);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let channel = runtime.block_on(async {
        // A small window: the server may have little in flight to a client that does not read,
        // so a frozen client is found out in a second, not after megabytes.
        let config = russh::client::Config {
            window_size: 32 << 10,
            ..Default::default()
        };
        let mut handle = russh::client::connect(Arc::new(config), relay.addr, Client { host })
            .await
            .unwrap();
        let key = PrivateKeyWithHashAlg::new(Arc::new(key(7)), None);
        assert!(
            handle
                .authenticate_publickey("viv", key)
                .await
                .unwrap()
                .success()
        );
        let mut channel = handle.channel_open_session().await.unwrap();
        channel
            .request_pty(true, "xterm-256color", 100, 30, 0, 0, &[])
            .await
            .unwrap();
        channel.request_shell(true).await.unwrap();
        // The first screen, drawn and read.
        let mut seen = Vec::new();
        while !String::from_utf8_lossy(&seen).contains("Customers") {
            match tokio::time::timeout(Duration::from_secs(30), channel.wait()).await {
                Ok(Some(russh::ChannelMsg::Data { data })) => seen.extend_from_slice(&data),
                Ok(Some(_)) => {}
                other => panic!("no first screen: {other:?}"),
            }
        }
        (handle, channel)
    });
    let (handle, channel) = channel;
    // The client program reads all that reaches it; what it is not sent is the relay's doing.
    let (mut read_half, channel) = channel.split();
    runtime.spawn(async move { while read_half.wait().await.is_some() {} });
    let writes = |during: Duration| {
        let stop = Instant::now() + during;
        let writers: Vec<_> = (0..10)
            .map(|w| {
                let db = db.clone();
                std::thread::spawn(move || {
                    let mut i = 0;
                    while Instant::now() < stop {
                        let customer = (1 + (w * 37 + i) % 3000).to_string();
                        common::stdout_of(&db, &["note", &customer, "while frozen"]);
                        i += 1;
                    }
                })
            })
            .collect();
        writers
    };
    // Warm: the team writes while the viewer reads, so the baseline has every cache built.
    for w in writes(Duration::from_secs(5)) {
        w.join().unwrap();
    }
    std::thread::sleep(Duration::from_secs(1));
    let before = rss_mb(pid);
    relay.reading.store(false, Ordering::Relaxed);
    let writers = writes(frozen_for);
    let mut peak = before;
    let started = Instant::now();
    let mut size = 0u32;
    while started.elapsed() < frozen_for {
        size += 1;
        let (w, h) = (100 + size % 20, 30 + size % 10);
        let _ = runtime.block_on(channel.window_change(w, h, 0, 0));
        peak = peak.max(rss_mb(pid));
        std::thread::sleep(Duration::from_millis(500));
    }
    for w in writers {
        w.join().unwrap();
    }
    peak = peak.max(rss_mb(pid));
    drop(channel);
    drop(handle);
    drop(runtime);
    relay.reading.store(true, Ordering::Relaxed);
    std::thread::sleep(Duration::from_secs(3));
    let after = rss_mb(pid);
    eprintln!(
        "server RSS: {before:.1} MB before, {peak:.1} MB at most while frozen, {after:.1} MB after"
    );
    assert!(
        peak - before < 50.0,
        "grew {:.1} MB with a frozen client",
        peak - before
    );
    assert!(
        after - before < 50.0,
        "{:.1} MB more after the client left",
        after - before
    );
}

#[test]
fn a_client_that_stops_reading_does_not_grow_the_server() {
    stalled_viewer(Duration::from_secs(10));
}

/// The measure: two minutes frozen while ten others write.
#[test]
#[ignore = "two minutes; run with --ignored"]
fn a_client_frozen_for_two_minutes_does_not_grow_the_server() {
    stalled_viewer(Duration::from_secs(120));
}
