//! The control socket: how a local command reaches the process that holds a database (the server,
//! or an open app), which runs it and streams back its output and exit code. It sits in the database directory, and both ends check the other:
//! the server serves only its own user (`SO_PEERCRED`), and the client trusts only a socket its own
//! user owns and serves. Each connection has its own thread and time limits, so an idle or slow
//! client holds up no one else.
//!
//! Requests and replies are frames: a 4-byte big-endian length, then the bytes. A request is a verb,
//! a NUL, and its argument as raw bytes (a path keeps its trailing spaces and non-UTF-8 bytes).
//! `run` takes the client's working directory and its arguments, NUL-separated, and answers with
//! frames of output (`o`), messages (`e`), and last the exit code (`x`).

use crate::cli::Cli;
use crate::ops::Ops;
use clap::Parser;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A request is a verb and its arguments: a command line as long as the system allows (its own
/// user only ever sends one; the peer is checked before a byte is read).
const MAX_REQUEST: u32 = 4 << 20;
/// A reply is one line of text.
const MAX_REPLY: u32 = 64 << 10;
/// How long the server gives a client to send its whole request, however it trickles in.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client waits for the holder's first answer: its acknowledgement comes before any
/// work starts, so a holder that is stopped or stuck is found out in this time.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client keeps asking a holder that is busy with other commands.
const BUSY_WAIT: Duration = Duration::from_secs(30);
/// Connections served at once; more are told the holder is busy (and try again).
const MAX_CONNECTIONS: usize = 8;
/// The first frame of every answer: the request arrived whole and its work begins.
const ACK: &[u8] = b"a";
/// The answer of a holder serving as many connections as it may.
const BUSY: &[u8] = b"!busy";

fn socket_path(db: &Path) -> PathBuf {
    db.join(crate::ops::CONTROL_SOCKET)
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

/// How a process that serves app sessions (the team server) takes in a local app: it is handed the
/// connection and the request's terminal description, and runs the session.
pub type Attach = Arc<dyn Fn(UnixStream, &[u8]) + Send + Sync>;

/// Starts answering requests for the database `ops` holds, on a background thread.
pub fn serve(ops: Ops) -> std::io::Result<Serving> {
    serve_for(ops, None)
}

/// As `serve`; when `ops` is shared with sessions, a command's changes reach every session, and
/// with `attach`, a local app joins as a session.
pub fn serve_for(ops: Ops, attach: Option<Attach>) -> std::io::Result<Serving> {
    // Progress bars would draw over the app, or into a server's log.
    crate::import::silence_progress();
    let path = socket_path(ops.records().path());
    // We hold the database's lock, so a socket left here is from a process that died.
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    let open = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new()
        .name("rapport-control".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    open.fetch_sub(1, Ordering::SeqCst);
                    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
                    let _ = write_frame(&stream, BUSY);
                    continue;
                }
                let ops = ops.clone();
                let attach = attach.clone();
                let open = open.clone();
                let spawned = std::thread::Builder::new()
                    .name("rapport-control-conn".into())
                    .spawn(move || {
                        if let Err(e) = answer(&ops, attach.as_ref(), &stream) {
                            tracing::warn!("control request failed: {e}");
                        }
                        open.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    tracing::warn!("control request dropped: no thread for it");
                }
            }
        })?;
    Ok(Serving { path })
}

fn answer(ops: &Ops, attach: Option<&Attach>, stream: &UnixStream) -> std::io::Result<()> {
    let peer = peer_uid(stream)?;
    let me = crate::user::effective_uid();
    if peer != me {
        tracing::warn!(
            peer,
            "control socket: refused a connection from another user"
        );
        return write_frame(stream, b"error refused: this socket serves its owner only");
    }
    stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    let deadline = std::time::Instant::now() + REQUEST_TIMEOUT;
    let request = match read_frame_by(stream, MAX_REQUEST, deadline) {
        // Another process checking that the database's holder is alive (`Store::open`).
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
        other => other?,
    };
    let (verb, argument) = match request.iter().position(|&b| b == 0) {
        Some(at) => (&request[..at], &request[at + 1..]),
        None => (&request[..], &[][..]),
    };
    if matches!(verb, b"backup" | b"run" | b"attach") {
        write_frame(stream, ACK)?;
    }
    let reply = match verb {
        b"backup" => {
            let file = PathBuf::from(OsString::from_vec(argument.to_vec()));
            match crate::commands::backup_file(ops, &file) {
                Ok(n) => format!("ok {n}"),
                Err(e) => format!("error {}", crate::text::error_line(&e)),
            }
        }
        b"run" => return run_command(ops, stream, argument),
        b"attach" => match attach {
            Some(attach) => {
                // A session lasts as long as the rep works; its keys come when they come.
                stream.set_read_timeout(None)?;
                stream.set_write_timeout(Some(STREAM_TIMEOUT))?;
                attach(stream.try_clone()?, argument);
                return Ok(());
            }
            None => "error this process serves no sessions".to_string(),
        },
        _ => "error unknown request".to_string(),
    };
    write_frame(stream, reply.as_bytes())
}

/// A writer that sends what is written as frames of `kind` (`o` for output).
pub fn frames(
    stream: &UnixStream,
    kind: u8,
) -> std::io::Result<impl crate::tui::app::Link + Send + 'static> {
    FrameOut::new(stream, kind)
}

/// Output of a command run for a client, sent as frames of one kind.
struct FrameOut {
    stream: UnixStream,
    /// The kind byte, then the output not yet sent.
    buffer: Vec<u8>,
}

/// Output is sent in pieces of about this much.
const CHUNK: usize = 64 << 10;
/// A frame of output is never larger than this.
const MAX_OUTPUT_FRAME: u32 = 1 << 20;

impl FrameOut {
    fn new(stream: &UnixStream, kind: u8) -> std::io::Result<FrameOut> {
        Ok(FrameOut {
            stream: stream.try_clone()?,
            buffer: vec![kind],
        })
    }
}

impl Write for FrameOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.len() > 1 {
            write_frame(&self.stream, &self.buffer)?;
            self.buffer.truncate(1);
        }
        Ok(())
    }
}

/// The owner's own terminal, on this machine: it keeps up, and a frame waits for it.
impl crate::tui::app::Link for FrameOut {}

impl Drop for FrameOut {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

fn run_command(ops: &Ops, stream: &UnixStream, request: &[u8]) -> std::io::Result<()> {
    stream.set_write_timeout(Some(STREAM_TIMEOUT))?;
    let mut parts = request.split(|&b| b == 0);
    let cwd = PathBuf::from(OsString::from_vec(
        parts.next().unwrap_or_default().to_vec(),
    ));
    let args = parts.map(|a| OsString::from_vec(a.to_vec()));
    let mut out = FrameOut::new(stream, b'o')?;
    let mut err = FrameOut::new(stream, b'e')?;
    let parsed = Cli::try_parse_from(std::iter::once(OsString::from("rapport")).chain(args));
    let code = match parsed.map(Cli::settle) {
        Err(e) => {
            let text = e.render().to_string();
            match e.use_stderr() {
                true => err.write_all(text.as_bytes())?,
                false => out.write_all(text.as_bytes())?,
            }
            u8::try_from(e.exit_code()).unwrap_or(2)
        }
        Ok(cli)
            if cli
                .paths()
                .iter()
                .any(|p| crate::cli::stream_of(p).is_some()) =>
        {
            // The caller's own streams never reach here (its client sends `-` for them): any
            // other is this process's, which the caller must never read or write.
            err.write_all(
                b"rapport: a path names a stream of the process holding the database, not of yours: write to a file, or use - for standard output\n",
            )?;
            2
        }
        Ok(mut cli) if cwd.is_absolute() => {
            cli.resolve_paths(&cwd);
            let sink = Box::new(FrameOut::new(stream, b'e')?);
            let result = crate::diag::to(sink, || {
                crate::commands::dispatch(ops, &cli, &mut out, &|c| c.resolve_paths(&cwd))
            });
            out.flush()?;
            // A command's writes reach the sessions through `Ops`; what a failed one left
            // half-done is read again.
            if let Some(model) = ops.model()
                && let Err(e) = model.catch_up()
            {
                tracing::warn!("sessions not refreshed after a command: {e}");
            }
            match result {
                Ok(()) => 0,
                Err(e) => {
                    writeln!(err, "rapport: {}", crate::text::error_line(&e))?;
                    crate::commands::exit_code(&e)
                }
            }
        }
        Ok(_) => {
            err.write_all(b"rapport: the request named no working directory\n")?;
            2
        }
    };
    out.flush()?;
    err.flush()?;
    write_frame(stream, &[b'x', code])
}

fn write_frame(mut stream: &UnixStream, bytes: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| std::io::Error::other("frame too long"))?;
    stream.write_all(&len.to_be_bytes())?;
    stream.write_all(bytes)
}

/// How long the holder waits for a client that stopped reading what it asked for.
const STREAM_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Reads one frame of at most `max` bytes, all of it by `deadline`: a client that sends a byte now
/// and then cannot hold a connection longer than that.
fn read_frame_by(
    mut stream: &UnixStream,
    max: u32,
    deadline: std::time::Instant,
) -> std::io::Result<Vec<u8>> {
    let fill = |buf: &mut [u8]| -> std::io::Result<()> {
        let mut at = 0;
        while at < buf.len() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(std::io::ErrorKind::TimedOut.into());
            }
            stream.set_read_timeout(Some(left))?;
            match stream.read(&mut buf[at..]) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => at += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    };
    frame_of(max, fill)
}

/// A frame read through `fill`, which fills a buffer whole or fails: the length, then the bytes.
fn frame_of(
    max: u32,
    mut fill: impl FnMut(&mut [u8]) -> std::io::Result<()>,
) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    fill(&mut len)?;
    let len = u32::from_be_bytes(len);
    if len > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a frame of {len} bytes (at most {max})"),
        ));
    }
    let mut bytes = vec![0u8; len as usize];
    fill(&mut bytes)?;
    Ok(bytes)
}

/// Reads one frame of at most `max` bytes.
pub fn read_frame(mut stream: &UnixStream, max: u32) -> std::io::Result<Vec<u8>> {
    frame_of(max, |buf| stream.read_exact(buf))
}

/// The user on the other end of a connected socket, as the kernel knows it.
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: a connected socket and a ucred-sized buffer for the kernel to fill.
    let done = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if done != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cred.uid)
}

#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// No app answers: the lock is held by something else (an import, say).
    #[error("no app answers")]
    NoApp,
    #[error(
        "{} is not to be trusted ({why}); nothing was asked of it. Remove it if no rapport of yours is running",
        .path.display()
    )]
    Untrusted { path: PathBuf, why: String },
    /// The holder took the connection but did not acknowledge the request in time: it is stopped,
    /// or stuck. Nothing was done.
    #[error(
        "the rapport process holding {} did not answer within {} s (stopped or stuck?); nothing was done",
        .0.display(), ACK_TIMEOUT.as_secs()
    )]
    NoAnswer(PathBuf),
    /// The holder was serving as many commands as it may for longer than a client waits.
    #[error(
        "the rapport process holding {} stayed busy with other commands for {} s; nothing was done: try again",
        .0.display(), BUSY_WAIT.as_secs()
    )]
    Busy(PathBuf),
    #[error("the command line is too long to send ({0} bytes; at most {MAX_REQUEST})")]
    TooLong(usize),
    #[error("the holder could not do it: {0}")]
    Failed(String),
    /// The socket failed: not the caller's own output (a closed `| head` is no error, this is).
    #[error("the rapport process holding the database stopped answering: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for AskError {
    fn from(e: std::io::Error) -> AskError {
        AskError::Io(e)
    }
}

impl AskError {
    /// As the other "the database is not to be had" failures: exit 3; a command line too long is
    /// a usage error.
    pub fn exit_code(&self) -> u8 {
        match self {
            AskError::NoApp | AskError::NoAnswer(_) | AskError::Busy(_) | AskError::Io(_) => 3,
            AskError::TooLong(_) => 2,
            AskError::Untrusted { .. } | AskError::Failed(_) => 1,
        }
    }
}

/// Connects to the socket of `db`, after checking that it is a socket of this user's, served by a
/// process of this user's.
fn connect(db: &Path) -> Result<UnixStream, AskError> {
    let path = socket_path(db);
    let untrusted = |why: String| AskError::Untrusted {
        path: path.clone(),
        why,
    };
    let meta = std::fs::symlink_metadata(&path).map_err(|_| AskError::NoApp)?;
    if !meta.file_type().is_socket() {
        return Err(untrusted("it is not a socket".into()));
    }
    let me = crate::user::effective_uid();
    if meta.uid() != me {
        return Err(untrusted(format!("it belongs to user {}", meta.uid())));
    }
    let stream = UnixStream::connect(&path).map_err(|_| AskError::NoApp)?;
    let peer = peer_uid(&stream)?;
    if peer != me {
        return Err(untrusted(format!("it is served by user {peer}")));
    }
    Ok(stream)
}

/// Sends `request` to the holder of `db` and waits for its acknowledgement: then, and only then,
/// the work has begun. A busy holder is asked again for a while; a silent one is given up on.
/// After the acknowledgement there is no time limit: a long command streams as it goes.
fn ask(db: &Path, request: &[u8]) -> Result<UnixStream, AskError> {
    if request.len() > MAX_REQUEST as usize {
        return Err(AskError::TooLong(request.len()));
    }
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        let stream = connect(db)?;
        stream.set_write_timeout(Some(ACK_TIMEOUT))?;
        stream.set_read_timeout(Some(ACK_TIMEOUT))?;
        // A busy holder answers and closes without reading: the request's write may then fail,
        // but its answer is still there to read.
        let sent = write_frame(&stream, request);
        let answer = read_frame(&stream, MAX_REPLY);
        match (answer, sent) {
            (Ok(frame), _) if frame == ACK => {
                stream.set_read_timeout(None)?;
                return Ok(stream);
            }
            (Ok(frame), _) if frame == BUSY => {}
            (Ok(frame), _) => {
                let text = String::from_utf8_lossy(&frame);
                let text = text.strip_prefix("error ").unwrap_or(&text);
                return Err(AskError::Failed(crate::text::safe(text).into_owned()));
            }
            (Err(e), _) if is_timeout(&e) => return Err(AskError::NoAnswer(db.to_path_buf())),
            (Err(e), _) => return Err(e.into()),
        }
        if started.elapsed() >= BUSY_WAIT {
            return Err(AskError::Busy(db.to_path_buf()));
        }
        // Spread the retries of many waiting clients over time.
        let jitter = u64::from(std::process::id() % 17);
        std::thread::sleep(pause + Duration::from_millis(jitter));
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Asks the process holding `db` to run the command `args` as if typed in `cwd`; its output and
/// messages come out on ours, and its exit code is returned.
pub fn run_inside(db: &Path, cwd: &Path, args: &[OsString]) -> Result<u8, AskError> {
    let mut request = b"run\0".to_vec();
    request.extend_from_slice(cwd.as_os_str().as_bytes());
    for arg in args {
        request.push(0);
        request.extend_from_slice(arg.as_bytes());
    }
    let stream = ask(db, &request)?;
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    loop {
        let frame = read_frame(&stream, MAX_OUTPUT_FRAME)?;
        match frame.split_first() {
            Some((b'o', bytes)) => match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                Ok(()) => {}
                // The reader went away (`| head`): what it wanted, it got.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
                Err(e) => return Err(e.into()),
            },
            Some((b'e', bytes)) => {
                let _ = std::io::stderr().write_all(bytes);
            }
            Some((b'x', [code])) => return Ok(*code),
            // The command's outcome never arrived: not a success, whatever was printed.
            _ if frame.is_empty() => return Err(AskError::Failed("an empty answer".into())),
            _ => {
                let text = String::from_utf8_lossy(&frame);
                return Err(AskError::Failed(crate::text::safe(&text).into_owned()));
            }
        }
    }
}

/// Opens the app as a session of the process holding `db` (the team server), in this terminal:
/// keys go there, frames come back, until the session ends.
/// Opens the app as a session of the server that holds `db`: as `as_name` (else the owner's
/// login name), read-only if asked, as the app alone would be.
pub fn attach(db: &Path, as_name: Option<&str>, readonly: bool) -> Result<(), AskError> {
    use crossterm::terminal;
    let var = |name: &str| std::env::var_os(name).unwrap_or_default();
    let (width, height) = terminal::size()?;
    let mut request = b"attach\0".to_vec();
    for part in [var("TERM"), var("COLORTERM"), var("NO_COLOR")] {
        request.extend_from_slice(part.as_bytes());
        request.push(0);
    }
    request.extend_from_slice(format!("{width}\0{height}\0").as_bytes());
    request.extend_from_slice(as_name.unwrap_or("").as_bytes());
    request.extend_from_slice(if readonly { b"\0readonly" } else { b"\0" });
    let stream = ask(db, &request)?;
    terminal::enable_raw_mode()?;
    let keys = stream.try_clone()?;
    // Keys as the terminal sends them, and its size when it changes; both end with the session.
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        let mut stdin = std::io::stdin();
        while let Ok(n) = stdin.read(&mut buf) {
            let mut frame = vec![b'i'];
            frame.extend_from_slice(&buf[..n]);
            if n == 0 || write_frame(&keys, &frame).is_err() {
                break;
            }
        }
    });
    let sizes = stream.try_clone()?;
    std::thread::spawn(move || {
        let mut last = (width, height);
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let Ok(now) = terminal::size() else { break };
            if now != last {
                last = now;
                let frame = format!("r{} {}", now.0, now.1);
                if write_frame(&sizes, frame.as_bytes()).is_err() {
                    break;
                }
            }
        }
    });
    let result = (|| {
        let mut stdout = std::io::stdout();
        loop {
            let frame = read_frame(&stream, MAX_OUTPUT_FRAME)?;
            match frame.split_first() {
                Some((b'o', bytes)) => {
                    stdout.write_all(bytes)?;
                    stdout.flush()?;
                }
                Some((b'x', _)) | None => return Ok(()),
                Some(_) => {
                    let text = String::from_utf8_lossy(&frame);
                    return Err(AskError::Failed(crate::text::safe(&text).into_owned()));
                }
            }
        }
    })();
    let _ = terminal::disable_raw_mode();
    result
}

/// Asks the app holding `db` to write a backup to `file`; returns how many records.
pub fn ask_for_backup(db: &Path, file: &Path) -> Result<usize, AskError> {
    let file = std::path::absolute(file)?;
    let mut request = b"backup\0".to_vec();
    request.extend_from_slice(file.as_os_str().as_bytes());
    let stream = ask(db, &request)?;
    let reply = read_frame(&stream, MAX_REPLY)?;
    let reply = String::from_utf8_lossy(&reply);
    if let Some(n) = reply.strip_prefix("ok ") {
        return n
            .parse()
            .map_err(|_| AskError::Failed(format!("odd reply '{}'", crate::text::safe(&reply))));
    }
    Err(AskError::Failed(
        crate::text::safe(reply.strip_prefix("error ").unwrap_or(&reply)).into_owned(),
    ))
}
