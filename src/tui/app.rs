//! The loop: take events (keys, resizes, worker results), update the state, draw once when the queue
//! is drained. It ticks only while work is pending, so an idle app sends nothing over SSH.

use super::keymap::Keymap;
use super::state::{AppState, Options};
use super::theme::{ColorDepth, Theme};
use super::worker::{Done, Worker};
use super::{terminal, ui};
use crate::model::ReadModel;
use anyhow::Context;
use crossterm::event::{Event as TermEvent, KeyEvent, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

#[allow(clippy::large_enum_variant)] // one per user action or job: boxing would buy nothing
pub enum Event {
    Key(KeyEvent),
    /// Text the terminal says was pasted (bracketed paste): text for a box, never keys.
    Paste(String),
    /// The terminal's new width and height.
    Resize(u16, u16),
    Done(Done),
    /// Nothing to do but draw again (work pending, or who is online changed).
    Tick,
    /// The session is ended from outside (the rep was taken off the team, or idled out): why.
    End(String),
    /// The team gave this rep another role: it applies at once, open forms stay.
    Role(crate::domain::Role),
}

pub struct RunOptions {
    pub theme: String,
    pub readonly: bool,
    /// Where the user's `themes/` and `keymap.toml` live.
    pub config_dir: Option<PathBuf>,
    /// Who this user is to the records ("mine", the owner of what they make).
    pub me: String,
    pub views: Vec<crate::config::View>,
    /// Said once in the status line when the app opens.
    pub greeting: Option<String>,
}

pub fn run(model: Arc<ReadModel>, options: RunOptions) -> anyhow::Result<()> {
    let theme_dir = options.config_dir.as_ref().map(|d| d.join("themes"));
    let theme = Theme::load(&options.theme, theme_dir.as_deref(), ColorDepth::detect())?;
    let keymap = match options
        .config_dir
        .as_ref()
        .map(|d| d.join("keymap.toml"))
        .filter(|p| p.exists())
    {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            Keymap::with_overrides(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => Keymap::default_keys(),
    };
    let (tx, rx) = channel::<Event>();
    let actor = crate::ops::Actor::named(options.me.clone());
    let user = actor.name.clone();
    let worker = Worker::spawn(model, actor, tx.clone(), Event::Done);
    let mut state = AppState::new(
        keymap,
        worker,
        Options {
            readonly: options.readonly,
            user,
            now: chrono::Utc::now(),
        },
    )?;
    state.views = options.views;
    if let Some(greeting) = options.greeting {
        state.say(greeting, crate::tui::state::Tone::Info);
    }
    std::thread::Builder::new()
        .name("rapport-input".into())
        .spawn(move || {
            while let Ok(event) = crossterm::event::read() {
                let sent = match event {
                    TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                        tx.send(Event::Key(key))
                    }
                    TermEvent::Resize(width, height) => tx.send(Event::Resize(width, height)),
                    TermEvent::Paste(text) => tx.send(Event::Paste(text)),
                    _ => Ok(()),
                };
                if sent.is_err() {
                    break;
                }
            }
        })?;
    let mut terminal = terminal::enter()?;
    let result = contained(|| event_loop(&mut terminal, &mut state, &theme, &rx, true));
    terminal::leave();
    result.map(drop)
}

/// Where frames go, as far as the loop cares: a terminal always takes them; a rep's link over SSH
/// can fall behind, and then frames are not drawn until it catches up, and then drawn whole.
pub trait Link: std::io::Write {
    /// Too far behind to send a frame now.
    fn behind(&self) -> bool {
        false
    }
    /// Whether frames were lost since the last call (the next one must be whole).
    fn resync(&mut self) -> bool {
        false
    }
    /// A frame was lost and the screen is owed a whole one: drawn as soon as the link can take
    /// it, not at the next key (a rep who only watches presses none).
    fn owed(&self) -> bool {
        false
    }
    /// The session's last words (its terminal given back, why it ended): sent, not dropped.
    fn last_words(&mut self, bytes: &[u8]) {
        // The link may be gone already; there is no one to tell.
        let _ = self.write_all(bytes);
        let _ = self.flush();
    }
}

impl Link for std::io::Stdout {}

impl<W: std::io::Write + Link> Link for ratatui::backend::CrosstermBackend<W> {
    fn behind(&self) -> bool {
        self.writer().behind()
    }
    fn resync(&mut self) -> bool {
        self.writer_mut().resync()
    }
    fn owed(&self) -> bool {
        self.writer().owed()
    }
}

/// Runs a session so that a defect in it ends that session only: a panic is caught here, logged,
/// and becomes the session's error (the server and every other session go on).
pub fn contained<T>(run: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            let what = crate::text::safe(&what).into_owned();
            tracing::error!(%what, "a session panicked and was ended");
            Err(anyhow::anyhow!(
                "an internal error ended this session ({what}); it is logged"
            ))
        }
    }
}

/// Runs until the user quits, or until the session is ended from outside (then: why). `live` keeps
/// `now` on the wall clock; tests keep a fixed one.
pub fn event_loop<B: Backend + std::io::Write + Link>(
    terminal: &mut Terminal<B>,
    state: &mut AppState,
    theme: &Theme,
    events: &Receiver<Event>,
    live: bool,
) -> anyhow::Result<Option<String>>
where
    B::Error: Send + Sync + 'static,
{
    // The viewport, not the backend: over SSH the backend cannot ask the rep's terminal its size.
    state.resize(terminal.get_frame().area().height);
    terminal.draw(|frame| ui::draw(frame, state, theme))?;
    loop {
        // Behind, or a frame lost: look again shortly for the link to drain, and draw once it has.
        let link = terminal.backend();
        let waiting = state.pending > 0 || link.behind() || link.owed();
        let first = if waiting {
            match events.recv_timeout(Duration::from_millis(100)) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => Event::Tick,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match events.recv() {
                Ok(event) => event,
                Err(_) => break,
            }
        };
        if live {
            state.now = chrono::Utc::now();
        }
        let mut next = Some(first);
        while let Some(event) = next {
            match event {
                Event::End(why) => return Ok(Some(why)),
                Event::Resize(width, height) => {
                    terminal.resize(Rect::new(0, 0, width, height))?;
                    state.resize(height);
                }
                event => handle(state, event),
            }
            next = events.try_recv().ok();
        }
        if state.quit {
            break;
        }
        state.settle();
        if terminal.backend().behind() {
            continue;
        }
        if terminal.backend_mut().resync() {
            whole_screen_next(terminal)?;
        }
        terminal.draw(|frame| ui::draw(frame, state, theme))?;
        if let Some(text) = state.clipboard.take() {
            copy(terminal.backend_mut(), &text)?;
        }
    }
    Ok(None)
}

/// Frames were lost on the way: the next one is the whole screen. `Terminal::clear` would ask the
/// terminal where its cursor is, and the terminal crossterm asks is this process's own (none, for
/// a server): instead a blank frame makes ratatui's idea of the screen blank, and clearing the
/// rep's screen makes it so.
fn whole_screen_next<B: Backend + std::io::Write>(terminal: &mut Terminal<B>) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    terminal.draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))?;
    crossterm::queue!(
        terminal.backend_mut(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    Ok(())
}

/// OSC 52: the rep's terminal puts `text` on their clipboard, locally or at the far end of SSH.
/// The text travels base64-encoded, so nothing in it can act as a terminal sequence.
pub fn copy(out: &mut impl std::io::Write, text: &str) -> std::io::Result<()> {
    crossterm::execute!(
        out,
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
    )
}

pub fn handle(state: &mut AppState, event: Event) {
    match event {
        Event::Key(key) => state.handle_key(key),
        Event::Paste(text) => state.handle_paste(&text),
        Event::Resize(_, height) => state.resize(height),
        Event::Done(done) => state.handle_done(done),
        Event::Tick => state.tick(),
        Event::End(_) => state.quit = true,
        Event::Role(role) => state.set_role(role),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_copy_is_one_osc_52_sequence_with_the_text_in_base64() {
        let mut out = Vec::new();
        super::copy(&mut out, "ada@example.com\x1b]0;pwned\x07").unwrap();
        let sent = String::from_utf8(out).unwrap();
        assert_eq!(
            sent, "\x1b]52;c;YWRhQGV4YW1wbGUuY29tG10wO3B3bmVkBw==\x1b\\",
            "escapes in the text travel encoded"
        );
    }
}
