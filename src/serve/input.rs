//! Keys from an SSH channel (or the owner's terminal through the control socket): the bytes a
//! client's terminal sends, read by terminput's parser (crossterm's own) and turned into the
//! crossterm events the app takes locally, so a key means the same over SSH.
//!
//! The parser keeps what it has not finished: an escape sequence or a character split across two
//! packets is read whole. A lone Esc waits a moment (`ESC_WAIT`, or `serve --escape-time`) for
//! the rest of a sequence before it counts as the Esc key. A bracketed paste is one event, its text never read as keys.

use crate::tui::app::Event;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// How long a lone Esc waits for the rest of a sequence unless the server is told otherwise. A
/// terminal writes a sequence in one go, so its pieces leave the client together; this covers
/// their arriving apart, and costs every Esc press this much (tmux waits 10 ms).
pub const ESC_WAIT: Duration = Duration::from_millis(15);
/// The most of one paste that is kept; the rest is read and dropped (the box says so).
pub const MAX_PASTE: usize = 1 << 20;
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";
/// No key's sequence is longer; a longer unfinished one is noise.
const MAX_SEQUENCE: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    Paste(String),
}

/// One connection's input, read as it comes.
#[derive(Default)]
pub struct Parser {
    buf: Vec<u8>,
    /// A paste under way: its bytes so far, and the last few once it is past `MAX_PASTE`.
    paste: Option<(Vec<u8>, Vec<u8>)>,
}

impl Parser {
    /// The events in `bytes`, given what came before.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Input> {
        let mut out = Vec::new();
        for &b in bytes {
            self.byte(b, &mut out);
        }
        out
    }

    /// Something unfinished waits that a pause would settle (a lone Esc, a split sequence).
    pub fn pending(&self) -> bool {
        self.paste.is_none() && !self.buf.is_empty()
    }

    /// After a pause: a lone Esc was the Esc key, and what followed it is read on its own.
    pub fn flush(&mut self) -> Vec<Input> {
        let mut out = Vec::new();
        if self.paste.is_some() {
            return out;
        }
        let rest = std::mem::take(&mut self.buf);
        if let Some((&0x1b, after)) = rest.split_first() {
            out.push(Input::Key(KeyEvent::from(KeyCode::Esc)));
            out.extend(self.feed(after));
            // Whatever is still unfinished was noise.
            self.buf.clear();
        }
        out
    }

    fn byte(&mut self, b: u8, out: &mut Vec<Input>) {
        if let Some((paste, tail)) = &mut self.paste {
            let ended = if paste.len() < MAX_PASTE + PASTE_END.len() && tail.is_empty() {
                paste.push(b);
                paste.ends_with(PASTE_END)
            } else {
                tail.push(b);
                if tail.len() > PASTE_END.len() {
                    tail.remove(0);
                }
                tail.ends_with(PASTE_END)
            };
            if ended {
                let (mut paste, tail) = self.paste.take().unwrap_or_default();
                if tail.is_empty() {
                    paste.truncate(paste.len() - PASTE_END.len());
                }
                paste.truncate(MAX_PASTE);
                out.push(Input::Paste(String::from_utf8_lossy(&paste).into_owned()));
            }
            return;
        }
        self.buf.push(b);
        let buf = self.buf.as_slice();
        if buf == PASTE_START {
            self.buf.clear();
            self.paste = Some((Vec::new(), Vec::new()));
            return;
        }
        match buf {
            // Maybe the start of a sequence: wait for more, or for the pause.
            [0x1b] => return,
            [0x1b, 0x1b] => {
                out.push(Input::Key(KeyEvent::from(KeyCode::Esc)));
                self.buf = vec![0x1b];
                return;
            }
            [b'\n'] => {
                self.buf.clear();
                out.push(Input::Key(KeyEvent::from(KeyCode::Enter)));
                return;
            }
            _ if PASTE_START.starts_with(buf) => return,
            _ => {}
        }
        match terminput::Event::parse_from(buf) {
            Ok(None) if buf.len() < MAX_SEQUENCE => {}
            Ok(Some(terminput::Event::Key(key))) => {
                self.buf.clear();
                out.extend(convert(key).map(Input::Key));
            }
            Ok(Some(terminput::Event::Paste(text))) => {
                self.buf.clear();
                out.push(Input::Paste(text));
            }
            // Mouse reports, focus changes, unknown sequences and stray bytes are dropped.
            _ => self.buf.clear(),
        }
    }
}

/// Every event in `bytes` read alone, as if a pause followed them (tests, and one-off input).
pub fn keys(bytes: &[u8]) -> Vec<KeyEvent> {
    let mut parser = Parser::default();
    let mut events = parser.feed(bytes);
    events.extend(parser.flush());
    events
        .into_iter()
        .filter_map(|e| match e {
            Input::Key(key) => Some(key),
            Input::Paste(_) => None,
        })
        .collect()
}

/// Reads a connection's bytes on a thread of its own and sends the app its events: the pause
/// after a lone Esc (`wait`) is timed here. Returns where the bytes go; the thread ends with that
/// sender.
pub fn reader(
    to_app: Sender<Event>,
    name: &str,
    wait: Duration,
) -> std::io::Result<Sender<Vec<u8>>> {
    let (bytes, incoming) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::Builder::new()
        .name(format!("rapport-input-{name}"))
        .spawn(move || read_events(&incoming, &to_app, wait))?;
    Ok(bytes)
}

fn read_events(incoming: &Receiver<Vec<u8>>, to_app: &Sender<Event>, wait: Duration) {
    let mut parser = Parser::default();
    loop {
        let events = if parser.pending() {
            match incoming.recv_timeout(wait) {
                Ok(bytes) => parser.feed(&bytes),
                Err(RecvTimeoutError::Timeout) => parser.flush(),
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match incoming.recv() {
                Ok(bytes) => parser.feed(&bytes),
                Err(_) => return,
            }
        };
        for event in events {
            let event = match event {
                Input::Key(key) => Event::Key(key),
                Input::Paste(text) => Event::Paste(text),
            };
            if to_app.send(event).is_err() {
                return;
            }
        }
    }
}

fn convert(key: terminput::KeyEvent) -> Option<KeyEvent> {
    use terminput::KeyCode as K;
    if key.kind == terminput::KeyEventKind::Release {
        return None;
    }
    let mut mods = KeyModifiers::NONE;
    for (theirs, ours) in [
        (terminput::KeyModifiers::SHIFT, KeyModifiers::SHIFT),
        (terminput::KeyModifiers::ALT, KeyModifiers::ALT),
        (terminput::KeyModifiers::CTRL, KeyModifiers::CONTROL),
    ] {
        if key.modifiers.contains(theirs) {
            mods |= ours;
        }
    }
    let ctrl = mods.contains(KeyModifiers::CONTROL);
    let code = match key.code {
        K::Char('h') if ctrl && mods == KeyModifiers::CONTROL => {
            return Some(KeyEvent::from(KeyCode::Backspace));
        }
        K::Char(c) if c.is_control() => return None,
        K::Char(c) => KeyCode::Char(c),
        K::Tab if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        K::Tab => KeyCode::Tab,
        K::Enter => KeyCode::Enter,
        K::Backspace => KeyCode::Backspace,
        K::Delete => KeyCode::Delete,
        K::Insert => KeyCode::Insert,
        K::Esc => {
            // Alt-Esc (Esc pressed twice at once) is the Esc key.
            return Some(KeyEvent::from(KeyCode::Esc));
        }
        K::Left => KeyCode::Left,
        K::Right => KeyCode::Right,
        K::Up => KeyCode::Up,
        K::Down => KeyCode::Down,
        K::Home => KeyCode::Home,
        K::End => KeyCode::End,
        K::PageUp => KeyCode::PageUp,
        K::PageDown => KeyCode::PageDown,
        K::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(KeyEvent::new(code, mods))
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    fn codes(bytes: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        keys(bytes)
            .into_iter()
            .map(|k| (k.code, k.modifiers))
            .collect()
    }

    #[test]
    fn what_a_terminal_sends_reads_as_the_keys_pressed() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            codes(b"j\x1b[B\r\t\x7f"),
            vec![
                (KeyCode::Char('j'), none),
                (KeyCode::Down, none),
                (KeyCode::Enter, none),
                (KeyCode::Tab, none),
                (KeyCode::Backspace, none),
            ]
        );
        assert_eq!(
            codes(b"\x1b[Z"),
            vec![(KeyCode::BackTab, KeyModifiers::SHIFT)]
        );
        assert_eq!(
            codes(b"\x03"),
            vec![(KeyCode::Char('c'), KeyModifiers::CONTROL)]
        );
        assert_eq!(codes(b"G"), vec![(KeyCode::Char('G'), KeyModifiers::SHIFT)]);
        assert_eq!(codes("é".as_bytes()), vec![(KeyCode::Char('é'), none)]);
        assert_eq!(
            codes(b"\x1bOP\x1b[5~"),
            vec![(KeyCode::F(1), none), (KeyCode::PageUp, none)]
        );
    }

    #[test]
    fn a_lone_escape_is_the_esc_key_and_esc_then_a_key_is_alt() {
        assert_eq!(codes(b"\x1b"), vec![(KeyCode::Esc, KeyModifiers::NONE)]);
        assert_eq!(
            codes(b"\x1bx"),
            vec![(KeyCode::Char('x'), KeyModifiers::ALT)]
        );
        // Alt-Enter: a new line in the reply box, as crossterm reads it locally.
        assert_eq!(codes(b"\x1b\r"), vec![(KeyCode::Enter, KeyModifiers::ALT)]);
    }

    #[test]
    fn unknown_sequences_and_stray_bytes_are_dropped_not_typed() {
        // An SGR mouse report, then a key: only the key comes through.
        assert_eq!(
            codes(b"\x1b[<0;3;4Mq").last().map(|k| k.0),
            Some(KeyCode::Char('q'))
        );
        assert!(
            codes(b"\xff\xfe")
                .iter()
                .all(|(c, _)| !matches!(c, KeyCode::Char(c) if c.is_control()))
        );
    }

    fn events_in_pieces(bytes: &[u8], cuts: &[usize]) -> Vec<Input> {
        let mut parser = Parser::default();
        let mut out = Vec::new();
        let mut at = 0;
        for &cut in cuts {
            let cut = cut.clamp(at, bytes.len());
            out.extend(parser.feed(&bytes[at..cut]));
            at = cut;
        }
        out.extend(parser.feed(&bytes[at..]));
        out.extend(parser.flush());
        out
    }

    #[test]
    fn a_sequence_or_character_split_across_packets_is_read_whole() {
        let whole = events_in_pieces("\x1b[Bé\x1b[5~x".as_bytes(), &[]);
        assert_eq!(whole.len(), 4);
        for cut in 1..9 {
            assert_eq!(
                events_in_pieces("\x1b[Bé\x1b[5~x".as_bytes(), &[cut]),
                whole,
                "cut at {cut}"
            );
        }
        // The old reader took a split arrow for Esc, then '[' and 'B'.
        let mut parser = Parser::default();
        assert!(parser.feed(b"\x1b").is_empty());
        assert!(parser.pending());
        assert_eq!(
            parser.feed(b"[B"),
            vec![Input::Key(KeyEvent::from(KeyCode::Down))]
        );
        // And a lone Esc, after the pause, is the key.
        assert!(parser.feed(b"\x1b").is_empty());
        assert_eq!(
            parser.flush(),
            vec![Input::Key(KeyEvent::from(KeyCode::Esc))]
        );
    }

    #[test]
    fn a_paste_is_one_event_whatever_it_holds() {
        let mut parser = Parser::default();
        let events = parser.feed(b"\x1b[200~note\nd\nq\x1b[A\x1b[201~j");
        assert_eq!(
            events,
            vec![
                Input::Paste("note\nd\nq\x1b[A".into()),
                Input::Key(KeyEvent::from(KeyCode::Char('j')))
            ]
        );
        // A paste larger than the limit is cut, and what follows it is keys again.
        let mut big = PASTE_START.to_vec();
        big.extend(std::iter::repeat_n(b'x', MAX_PASTE + 10));
        big.extend(PASTE_END);
        big.push(b'k');
        let events = parser.feed(&big);
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0], Input::Paste(t) if t.len() == MAX_PASTE));
        assert_eq!(events[1], Input::Key(KeyEvent::from(KeyCode::Char('k'))));
    }

    proptest! {
        /// However a stream is cut into packets, the events are the same.
        #[test]
        fn any_split_of_a_stream_gives_the_same_events(
            parts in proptest::collection::vec(prop_oneof![
                Just(b"\x1b[A".to_vec()), Just(b"\x1b[1;5C".to_vec()), Just(b"\x1bOP".to_vec()),
                Just("é".as_bytes().to_vec()), Just("日本".as_bytes().to_vec()), Just(b"\r".to_vec()),
                Just(b"\x1b[200~pa\x1bste\n\x1b[201~".to_vec()), Just(b"\x7f".to_vec()),
                Just(b"\x1b[Z".to_vec()), Just(b"\x1bx".to_vec()), Just(b"q".to_vec()),
                Just(b"\x1b[<0;3;4M".to_vec()), Just("🙂".as_bytes().to_vec()),
            ], 0..20),
            cuts in proptest::collection::vec(0usize..200, 0..8),
        ) {
            let bytes: Vec<u8> = parts.concat();
            let mut cuts = cuts;
            cuts.sort_unstable();
            prop_assert_eq!(events_in_pieces(&bytes, &cuts), events_in_pieces(&bytes, &[]));
        }
    }
}
