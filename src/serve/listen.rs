//! Taking connections: each one admitted through the gate (a cap on those not signed in), given
//! the sign-in grace time, and then run as an SSH session. An accept that fails (no file
//! descriptors left, a connection reset before it was taken) is waited out, never the end.

use super::Shared;
use super::conn::Conn;
use super::gate::Gate;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

/// Why the server stops, once it does.
pub type Stop = watch::Receiver<Option<String>>;

pub async fn accept_loop(
    listener: TcpListener,
    config: Arc<russh::server::Config>,
    shared: Arc<Shared>,
    gate: Arc<Gate>,
    grace: Duration,
    mut stop: Stop,
) -> std::io::Result<()> {
    let mut pause = Duration::from_millis(10);
    let mut said = Said::default();
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => return Ok(()),
            accepted = listener.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => {
                pause = Duration::from_millis(10);
                pair
            }
            Err(e) => {
                if said.now() {
                    tracing::warn!("cannot take a connection ({e}); the server goes on");
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        if shared.failures.blocked(peer.ip()) {
            continue;
        }
        let ticket = match gate.admit(peer.ip()) {
            Ok(ticket) => ticket,
            Err(why) => {
                if said.now() {
                    tracing::warn!(%peer, ?why, "turned away a connection: too many not signed in");
                }
                continue;
            }
        };
        let signed_in = Arc::new(Notify::new());
        let handler = Conn::new(Arc::clone(&shared), peer, ticket, Arc::clone(&signed_in));
        let config = Arc::clone(&config);
        let stop = stop.clone();
        tokio::spawn(run_one(socket, config, handler, signed_in, grace, stop));
    }
}

async fn run_one(
    socket: TcpStream,
    config: Arc<russh::server::Config>,
    handler: Conn,
    signed_in: Arc<Notify>,
    grace: Duration,
    mut stop: Stop,
) {
    let _ = socket.set_nodelay(true);
    let peer = socket.peer_addr().ok();
    let deadline = tokio::time::Instant::now() + grace;
    let (socket, kill) = Killable::new(socket);
    let session =
        match tokio::time::timeout_at(deadline, russh::server::run_stream(config, socket, handler))
            .await
        {
            Ok(Ok(session)) => session,
            Ok(Err(e)) => {
                tracing::debug!(?peer, "connection set-up failed: {e}");
                return;
            }
            Err(_) => {
                tracing::info!(?peer, "closed a connection that did not sign in in time");
                return;
            }
        };
    let handle = session.handle();
    let grace_over = async {
        if tokio::time::timeout_at(deadline, signed_in.notified())
            .await
            .is_ok()
        {
            std::future::pending::<()>().await
        }
    };
    tokio::pin!(session);
    let why = tokio::select! {
        result = &mut session => {
            if let Err(e) = result {
                tracing::debug!(?peer, "connection closed: {e}");
            }
            return;
        }
        _ = grace_over => {
            tracing::info!(?peer, "closed a connection that did not sign in in time");
            "sign-in took too long"
        }
        _ = stop.changed() => "the server is stopping",
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        handle.disconnect(russh::Disconnect::ByApplication, why.into(), String::new()),
    )
    .await;
    // A client that does not read cannot keep its connection: the socket goes regardless.
    if tokio::time::timeout(Duration::from_secs(1), &mut session)
        .await
        .is_err()
    {
        kill.kill();
        let _ = tokio::time::timeout(Duration::from_secs(1), &mut session).await;
    }
}

/// Says a repeated warning at most once a second: a flood must not flood the log too.
#[derive(Default)]
struct Said(Option<std::time::Instant>);

impl Said {
    fn now(&mut self) -> bool {
        let due = self
            .0
            .is_none_or(|at| at.elapsed() >= Duration::from_secs(1));
        if due {
            self.0 = Some(std::time::Instant::now());
        }
        due
    }
}

/// A stream that can be ended from outside: its reads end and its writes fail, waking whoever waits.
pub struct Killable<S> {
    inner: S,
    kill: Arc<KillSwitch>,
}

#[derive(Default)]
pub struct KillSwitch {
    killed: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl KillSwitch {
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *crate::parallel::lock(&self.wakers));
        for waker in wakers {
            waker.wake();
        }
    }

    /// True once killed; otherwise the task is woken when it is.
    fn check(&self, cx: &Context<'_>) -> bool {
        if self.killed.load(Ordering::SeqCst) {
            return true;
        }
        let mut wakers = crate::parallel::lock(&self.wakers);
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        self.killed.load(Ordering::SeqCst)
    }
}

impl<S> Killable<S> {
    pub fn new(inner: S) -> (Killable<S>, Arc<KillSwitch>) {
        let kill = Arc::new(KillSwitch::default());
        (
            Killable {
                inner,
                kill: Arc::clone(&kill),
            },
            kill,
        )
    }
}

fn killed() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "closed by the server",
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for Killable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.kill.check(cx) {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Killable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.kill.check(cx) {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.kill.check(cx) {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
