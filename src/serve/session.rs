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

/// Frames go out through here: written whole, then handed to the channel. The queue is short,
/// so a slow link slows this session's drawing, not the server's memory.
pub struct ChannelOut {
    to_channel: mpsc::Sender<Vec<u8>>,
    buffer: Vec<u8>,
}

pub const OUT_QUEUE: usize = 16;

impl ChannelOut {
    pub fn new(to_channel: mpsc::Sender<Vec<u8>>) -> ChannelOut {
        ChannelOut {
            to_channel,
            buffer: Vec::new(),
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
        let bytes = std::mem::take(&mut self.buffer);
        self.to_channel
            .blocking_send(bytes)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

/// Runs the app for `member` until they quit, disconnect or are ended; says why it ended.
pub fn run<W: std::io::Write>(
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
    let backend = terminal.backend_mut();
    // The link may be gone already; there is no one to tell.
    let _ = crossterm::execute!(backend, DisableBracketedPaste, LeaveAlternateScreen, Show);
    let _ = std::io::Write::write_all(backend, farewell.as_bytes());
    let _ = std::io::Write::flush(backend);
    ended
}
