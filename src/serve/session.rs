//! One rep's app over SSH: the same state and event loop as the local app, on its own thread,
//! drawing into the channel instead of a terminal.

use super::Shared;
use crate::domain::{Member, Role};
use crate::ops::Actor;
use crate::tui::app::{Event, event_loop};
use crate::tui::state::{AppState, Options};
use crate::tui::theme::{ColorDepth, Theme};
use crate::tui::worker::Worker;
use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};
use tokio::sync::mpsc;

/// What the client told us of its terminal.
#[derive(Clone, Debug, Default)]
pub struct Term {
    pub name: Option<String>,
    pub colorterm: Option<String>,
    pub no_color: Option<String>,
    pub width: u16,
    pub height: u16,
}

/// Larger than any screen; a client cannot make the server allocate more than this.
const MAX_SIDE: u32 = 1000;

pub fn side(value: u32) -> u16 {
    value.clamp(1, MAX_SIDE) as u16
}

/// Frames go out through here: written whole, then handed to the channel's queue without waiting.
/// When the client is behind (the queue is full) a frame is dropped rather than held, and once the
/// queue drains the loop draws the whole screen again: a client that stops reading costs the server
/// a short queue, never memory without bound.
pub struct ChannelOut {
    to_channel: mpsc::Sender<Vec<u8>>,
    buffer: Vec<u8>,
    /// A frame was dropped: the client's screen is not what the app last drew.
    dropped: bool,
}

pub const OUT_QUEUE: usize = 16;
/// DEC mode 2026: the terminal shows a frame once it is whole, not as it trickles in.
const BEGIN_FRAME: &[u8] = b"\x1b[?2026h";
const END_FRAME: &[u8] = b"\x1b[?2026l";

impl ChannelOut {
    pub fn new(to_channel: mpsc::Sender<Vec<u8>>) -> ChannelOut {
        ChannelOut {
            to_channel,
            buffer: Vec::new(),
            dropped: false,
        }
    }
}

impl crate::tui::app::Link for ChannelOut {
    fn behind(&self) -> bool {
        // Half the queue free again before drawing on: a client just catching up is not flooded.
        self.dropped && self.to_channel.capacity() < OUT_QUEUE / 2
    }

    fn resync(&mut self) -> bool {
        std::mem::take(&mut self.dropped)
    }

    fn owed(&self) -> bool {
        self.dropped
    }

    fn last_words(&mut self, bytes: &[u8]) {
        let _ = std::io::Write::flush(self);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        let mut last = bytes.to_vec();
        loop {
            match self.to_channel.try_send(last) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Full(back))
                    if std::time::Instant::now() < deadline =>
                {
                    last = back;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(_) => return,
            }
        }
    }
}

impl std::io::Write for ChannelOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut bytes = Vec::with_capacity(self.buffer.len() + BEGIN_FRAME.len() + END_FRAME.len());
        bytes.extend_from_slice(BEGIN_FRAME);
        bytes.append(&mut self.buffer);
        bytes.extend_from_slice(END_FRAME);
        match self.to_channel.try_send(bytes) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.dropped = true;
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            }
        }
    }
}

/// Runs the app for `member` until they quit, disconnect or are ended; says why it ended.
pub fn run<W: crate::tui::app::Link>(
    shared: &Arc<Shared>,
    member: &Member,
    term: &Term,
    out: W,
    events: Receiver<Event>,
    to_app: Sender<Event>,
) -> anyhow::Result<Option<String>> {
    let depth = ColorDepth::from_vars(
        term.no_color.as_deref(),
        term.colorterm.as_deref(),
        term.name.as_deref(),
    );
    let theme = Theme::load(&shared.theme, shared.theme_dir.as_deref(), depth)?;
    let actor = Actor::with_role(member.name.clone(), member.role);
    let worker = Worker::spawn(Arc::clone(&shared.model), actor, to_app, Event::Done);
    let mut state = AppState::new(
        shared.keymap.clone(),
        worker,
        Options {
            readonly: member.role == Role::Viewer,
            user: member.name.clone(),
            now: chrono::Utc::now(),
        },
    )?;
    state.presence = Some(shared.registry.online());
    let area = Rect::new(0, 0, term.width, term.height);
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(out),
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )?;
    crossterm::execute!(
        terminal.backend_mut(),
        EnterAlternateScreen,
        Hide,
        EnableBracketedPaste
    )?;
    let ended =
        crate::tui::app::contained(|| event_loop(&mut terminal, &mut state, &theme, &events, true));
    let farewell = match &ended {
        Ok(Some(why)) => format!("rapport: your session was ended: {why}\r\n"),
        Ok(None) => String::new(),
        Err(e) => format!("rapport: {}\r\n", crate::text::error_line(e)),
    };
    let mut last = Vec::new();
    let _ = crossterm::queue!(last, DisableBracketedPaste, LeaveAlternateScreen, Show);
    last.extend_from_slice(farewell.as_bytes());
    terminal.backend_mut().writer_mut().last_words(&last);
    ended
}
