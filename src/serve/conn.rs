//! One SSH connection: sign-in by key, then one session channel with a terminal. Everything else
//! a client may ask for (passwords, commands, subsystems, forwarding, agents) is refused.

use super::Shared;
use super::gate::Ticket;
use super::input;
use super::registry::Seat;
use super::session::{self, ChannelOut, OUT_QUEUE, Term};
use crate::domain::Member;
use crate::tui::app::Event;
use russh::keys::HashAlg;
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, Pty};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use tokio::sync::Notify;

pub struct Conn {
    shared: Arc<Shared>,
    peer: Option<SocketAddr>,
    member: Option<Member>,
    /// The fingerprint of the key that signed in: taking that key away ends the session.
    signed_with: String,
    channel: Option<ChannelId>,
    term: Term,
    pty: bool,
    app: Option<App>,
    /// Its place among connections not signed in, given up at sign-in.
    ticket: Option<Ticket>,
    signed_in: Arc<Notify>,
    /// A key of this connection's was refused: if it never signs in, that is one failure.
    refused: bool,
}

/// The running app of this connection.
struct App {
    to_app: Sender<Event>,
    /// The client's bytes, to the connection's input reader.
    input: Sender<Vec<u8>>,
    seat: Arc<Seat>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if self.member.is_none()
            && self.refused
            && let Some(peer) = self.peer
        {
            self.shared.failures.record(peer.ip());
        }
        self.end("disconnected");
    }
}

impl Conn {
    pub fn new(
        shared: Arc<Shared>,
        peer: SocketAddr,
        ticket: Ticket,
        signed_in: Arc<Notify>,
    ) -> Conn {
        Conn {
            shared,
            peer: Some(peer),
            member: None,
            signed_with: String::new(),
            channel: None,
            term: Term::default(),
            pty: false,
            app: None,
            ticket: Some(ticket),
            signed_in,
            refused: false,
        }
    }

    fn end(&mut self, why: &str) {
        if let Some(app) = self.app.take() {
            let _ = app.to_app.send(Event::End(why.into()));
        }
    }

    fn blocked(&self) -> bool {
        self.peer
            .is_some_and(|p| self.shared.failures.blocked(p.ip()))
    }

    /// The member who owns `key`, or a refusal, noted and logged. An agent offers its keys in
    /// turn, so one unknown key is no failure yet: the connection is, if it never signs in.
    fn member_of(&mut self, key: &russh::keys::PublicKey) -> Option<Member> {
        let found = self.shared.server.member_by_key(key);
        match found {
            Ok(Some(member)) => Some(member),
            Ok(None) => {
                let fingerprint = key.fingerprint(HashAlg::Sha256);
                tracing::debug!(peer = ?self.peer, %fingerprint, "an unknown key was offered");
                self.refused = true;
                None
            }
            Err(e) => {
                tracing::error!("cannot read the team: {e}");
                None
            }
        }
    }

    /// Refuses a request on `channel` (a command, a subsystem), its reason sent first: OpenSSH
    /// prints what came before the failure and then only "exec request failed".
    fn refuse_request(
        &self,
        channel: ChannelId,
        why: &str,
        session: &mut Session,
    ) -> Result<(), russh::Error> {
        let _ = session.extended_data(channel, 1, format!("rapport: {why}\r\n").into_bytes());
        session.channel_failure(channel)?;
        self.refuse(channel, "", session);
        Ok(())
    }

    /// Tells the client why, on its error stream, and closes the channel.
    fn refuse(&self, channel: ChannelId, why: &str, session: &mut Session) {
        if !why.is_empty() {
            let _ = session.extended_data(channel, 1, format!("rapport: {why}\r\n").into_bytes());
        }
        let _ = session.exit_status_request(channel, 1);
        let _ = session.eof(channel);
        let _ = session.close(channel);
    }

    fn start_app(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), String> {
        let member = self.member.clone().ok_or("not signed in")?;
        if !self.pty {
            return Err("the app needs a terminal: connect with `ssh -t`".into());
        }
        if self.app.is_some() {
            return Err("this connection already has its session".into());
        }
        let (to_app, events) = std::sync::mpsc::channel();
        let seat = self
            .shared
            .registry
            .join(&member, &self.signed_with, to_app.clone())
            .map_err(|e| e.to_string())?;
        let seat = Arc::new(seat);
        let (to_channel, mut frames) = tokio::sync::mpsc::channel::<Vec<u8>>(OUT_QUEUE);
        let handle = session.handle();
        tokio::spawn(async move {
            while let Some(bytes) = frames.recv().await {
                if handle.data(channel, bytes).await.is_err() {
                    return;
                }
            }
            let _ = handle.exit_status_request(channel, 0).await;
            let _ = handle.eof(channel).await;
            let _ = handle.close(channel).await;
        });
        let shared = Arc::clone(&self.shared);
        let escape_time = shared.escape_time;
        let member_name = member.name.clone();
        let term = self.term.clone();
        let theirs = Arc::clone(&seat);
        let sender = to_app.clone();
        std::thread::Builder::new()
            .name(format!("rapport-session-{}", member.name))
            .spawn(move || {
                tracing::info!(rep = %member.name, "session started");
                let out = ChannelOut::new(to_channel);
                match session::run(&shared, &member, &term, out, events, sender) {
                    Ok(why) => tracing::info!(rep = %member.name, ?why, "session ended"),
                    Err(e) => tracing::warn!(rep = %member.name, "session failed: {e:#}"),
                }
                drop(theirs);
            })
            .map_err(|e| format!("no thread for the session: {e}"))?;
        let input = input::reader(to_app.clone(), &member_name, escape_time)
            .map_err(|e| format!("no thread for the session: {e}"))?;
        self.app = Some(App {
            to_app,
            input,
            seat,
        });
        Ok(())
    }
}

impl russh::server::Handler for Conn {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.blocked() {
            return Ok(Auth::reject());
        }
        Ok(match self.member_of(offer.public_key) {
            Some(_) => Auth::Accept,
            None => Auth::reject(),
        })
    }

    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.blocked() {
            return Ok(Auth::reject());
        }
        // Read again: the team may have changed since the key was offered.
        self.member = self.member_of(key.public_key);
        self.signed_with = key.public_key.fingerprint(HashAlg::Sha256).to_string();
        Ok(match &self.member {
            Some(member) => {
                tracing::info!(rep = %member.name, peer = ?self.peer, "signed in");
                if let Some(peer) = self.peer {
                    self.shared.failures.forgive(peer.ip());
                }
                self.ticket = None;
                self.signed_in.notify_one();
                Auth::Accept
            }
            None => {
                tracing::warn!(peer = ?self.peer, "refused a key");
                Auth::reject()
            }
        })
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // One session a connection; the channel's own message queue is not read, so it is dropped.
        if self.channel.is_none() && self.member.is_some() {
            self.channel = Some(channel.id());
            reply.accept().await;
        }
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.pty = true;
        self.term.name = Some(term.chars().take(64).collect());
        self.term.width = session::side(col_width);
        self.term.height = session::side(row_height);
        session.channel_success(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let value = Some(value.chars().take(64).collect());
        match name {
            "COLORTERM" => self.term.colorterm = value,
            "NO_COLOR" => self.term.no_color = value,
            "TERM" => self.term.name = value,
            _ => return session.channel_failure(channel),
        }
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The "shell" is the app; no command line of the server is ever reached.
        match self.start_app(channel, session) {
            Ok(()) => session.channel_success(channel),
            Err(why) => {
                session.channel_failure(channel)?;
                self.refuse(channel, &why, session);
                Ok(())
            }
        }
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        tracing::warn!(peer = ?self.peer, "refused a command");
        self.refuse_request(
            channel,
            "this server runs the rapport app only, not commands: connect with plain `ssh -t`",
            session,
        )
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        tracing::warn!(peer = ?self.peer, subsystem = %crate::text::safe(name), "refused a subsystem");
        self.refuse_request(channel, "this server runs the rapport app only", session)
    }

    async fn data(
        &mut self,
        _channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(app) = &self.app {
            app.seat.touch();
            let _ = app.input.send(data.to_vec());
        }
        Ok(())
    }

    async fn channel_open_direct_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        host: &str,
        port: u32,
        _originator: &str,
        _originator_port: u32,
        _reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Not accepted: the handle dropped unanswered refuses the channel.
        let to = format!("{}:{port}", crate::text::safe(host));
        tracing::warn!(peer = ?self.peer, %to, "refused port forwarding (ssh -L)");
        Ok(())
    }

    async fn channel_open_direct_streamlocal(
        &mut self,
        _channel: Channel<Msg>,
        path: &str,
        _reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let path = crate::text::safe(path).into_owned();
        tracing::warn!(peer = ?self.peer, %path, "refused socket forwarding");
        Ok(())
    }

    async fn tcpip_forward(
        &mut self,
        address: &str,
        port: &mut u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        let on = format!("{}:{port}", crate::text::safe(address));
        tracing::warn!(peer = ?self.peer, %on, "refused remote port forwarding (ssh -R)");
        Ok(false)
    }

    async fn streamlocal_forward(
        &mut self,
        path: &str,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        let path = crate::text::safe(path).into_owned();
        tracing::warn!(peer = ?self.peer, %path, "refused remote socket forwarding");
        Ok(false)
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Refused, and said so: a client that asked for an answer waits for one.
        tracing::warn!(peer = ?self.peer, "refused X11 forwarding");
        session.channel_failure(channel)
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.term.width = session::side(col_width);
        self.term.height = session::side(row_height);
        if let Some(app) = &self.app {
            let _ = app
                .to_app
                .send(Event::Resize(self.term.width, self.term.height));
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.end("the client closed its input");
        Ok(())
    }

    async fn channel_close(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.end("disconnected");
        Ok(())
    }
}
