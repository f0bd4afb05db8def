//! Keys from an SSH channel: the bytes a client's terminal sends, read by termion's parser and
//! turned into the crossterm key events the app takes locally, so a key means the same over SSH.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use termion::event::{Event, Key};

/// Every key in `bytes`. An escape byte that ends the read is the Esc key: a terminal sends an
/// escape sequence in one write, so a lone one at the end was pressed on its own.
pub fn keys(bytes: &[u8]) -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let mut rest = bytes.iter().map(|&b| Ok(b)).peekable();
    while let Some(Ok(first)) = rest.next() {
        if first == 0x1b && rest.peek().is_none() {
            out.push(KeyEvent::from(KeyCode::Esc));
            break;
        }
        // Sequences the parser does not know (mouse reports, say) are skipped.
        if let Ok(Event::Key(key)) = termion::event::parse_event(first, &mut rest)
            && let Some(key) = convert(key)
        {
            out.push(key);
        }
    }
    out
}

fn convert(key: Key) -> Option<KeyEvent> {
    let plain = |code| Some(KeyEvent::new(code, KeyModifiers::NONE));
    let with = |code, mods| Some(KeyEvent::new(code, mods));
    let (shift, alt, ctrl) = (
        KeyModifiers::SHIFT,
        KeyModifiers::ALT,
        KeyModifiers::CONTROL,
    );
    match key {
        Key::Char('\n') => plain(KeyCode::Enter),
        Key::Char('\t') => plain(KeyCode::Tab),
        Key::Char(c) if c.is_control() => None,
        Key::Char(c) if c.is_uppercase() => with(KeyCode::Char(c), shift),
        Key::Char(c) => plain(KeyCode::Char(c)),
        Key::Alt('\x1b') | Key::Esc => plain(KeyCode::Esc),
        Key::Alt('\r' | '\n') => with(KeyCode::Enter, alt),
        Key::Alt(c) if c.is_control() => None,
        Key::Alt(c) => with(KeyCode::Char(c), alt),
        Key::Ctrl('h') => plain(KeyCode::Backspace),
        Key::Ctrl(c) => with(KeyCode::Char(c), ctrl),
        Key::Backspace => plain(KeyCode::Backspace),
        Key::Delete => plain(KeyCode::Delete),
        Key::Insert => plain(KeyCode::Insert),
        Key::BackTab => with(KeyCode::BackTab, shift),
        Key::Left => plain(KeyCode::Left),
        Key::Right => plain(KeyCode::Right),
        Key::Up => plain(KeyCode::Up),
        Key::Down => plain(KeyCode::Down),
        Key::ShiftLeft => with(KeyCode::Left, shift),
        Key::ShiftRight => with(KeyCode::Right, shift),
        Key::ShiftUp => with(KeyCode::Up, shift),
        Key::ShiftDown => with(KeyCode::Down, shift),
        Key::AltLeft => with(KeyCode::Left, alt),
        Key::AltRight => with(KeyCode::Right, alt),
        Key::AltUp => with(KeyCode::Up, alt),
        Key::AltDown => with(KeyCode::Down, alt),
        Key::CtrlLeft => with(KeyCode::Left, ctrl),
        Key::CtrlRight => with(KeyCode::Right, ctrl),
        Key::CtrlUp => with(KeyCode::Up, ctrl),
        Key::CtrlDown => with(KeyCode::Down, ctrl),
        Key::Home => plain(KeyCode::Home),
        Key::End => plain(KeyCode::End),
        Key::CtrlHome => with(KeyCode::Home, ctrl),
        Key::CtrlEnd => with(KeyCode::End, ctrl),
        Key::PageUp => plain(KeyCode::PageUp),
        Key::PageDown => plain(KeyCode::PageDown),
        Key::F(n) => plain(KeyCode::F(n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
