//! A one-line text box: the finder's query, the customers filter, a note or a reply.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    pub value: String,
    /// In characters, not bytes.
    pub cursor: usize,
}

/// The most any box holds, in characters: a long note, pages of it. Whatever is typed or pasted
/// past it is not taken (and the rep is told).
pub const MAX_BOX_CHARS: usize = 20_000;
/// A one-line field of a record (a name, a title, an email): no real one is longer.
pub const MAX_FIELD_CHARS: usize = 500;

/// What a key did to the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Moved,
    Ignored,
}

impl TextInput {
    pub fn handle(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.value.clear();
                self.cursor = 0;
                Edit::Changed
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.value.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                self.value = chars[..start].iter().chain(&chars[self.cursor..]).collect();
                self.cursor = start;
                Edit::Changed
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                if self.value.len() >= MAX_BOX_CHARS && self.value.chars().count() >= MAX_BOX_CHARS
                {
                    return Edit::Ignored;
                }
                let at = self.byte_at(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
                Edit::Changed
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
                Edit::Changed
            }
            KeyCode::Delete if self.cursor < self.value.chars().count() => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
                Edit::Changed
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                Edit::Moved
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.value.chars().count());
                Edit::Moved
            }
            KeyCode::Home => {
                self.cursor = 0;
                Edit::Moved
            }
            KeyCode::End => {
                self.cursor = self.value.chars().count();
                Edit::Moved
            }
            _ => Edit::Ignored,
        }
    }

    /// Puts `c` at the cursor, whatever it is: a line break in the reply box.
    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.value.insert(at, c);
        self.cursor += 1;
    }

    /// Puts pasted text at the cursor in one step (time linear in the text): line breaks stay in a
    /// box that takes them and become spaces in one that does not, other control characters go,
    /// and no more than `limit` characters are kept in all. Returns how many characters were cut.
    pub fn paste(&mut self, text: &str, multiline: bool, limit: usize) -> usize {
        let text = text.replace("\r\n", "\n");
        let have = self.value.chars().count();
        let room = limit.saturating_sub(have);
        let mut clean = String::with_capacity(text.len().min(room * 4));
        let mut taken = 0;
        let mut offered = 0;
        for c in text.chars() {
            let c = match c {
                '\n' | '\r' if multiline => '\n',
                '\n' | '\r' | '\t' => ' ',
                c if c.is_control() || crate::text::is_bidi_control(c) => continue,
                c => c,
            };
            offered += 1;
            if taken < room {
                clean.push(c);
                taken += 1;
            }
        }
        let at = self.byte_at(self.cursor);
        self.value.insert_str(at, &clean);
        self.cursor += taken;
        offered - taken
    }

    /// The cursor's line and column, counting lines by `\n`.
    pub fn line_and_column(&self) -> (usize, usize) {
        let before: String = self.value.chars().take(self.cursor).collect();
        let line = before.matches('\n').count();
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
        (line, column)
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(input: &mut TextInput, code: KeyCode) {
        input.handle(KeyEvent::new(code, KeyModifiers::NONE));
    }

    #[test]
    fn edits_in_characters_not_bytes() {
        let mut t = TextInput::default();
        for c in "café x".chars() {
            press(&mut t, KeyCode::Char(c));
        }
        press(&mut t, KeyCode::Left);
        press(&mut t, KeyCode::Left);
        press(&mut t, KeyCode::Backspace);
        assert_eq!(t.value, "caf x");
        t.handle(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(t.value, " x");
        assert_eq!(t.cursor, 0);
    }

    #[test]
    fn a_paste_is_text_at_the_cursor_never_keys() {
        let mut t = TextInput::default();
        press(&mut t, KeyCode::Char('a'));
        press(&mut t, KeyCode::Char('z'));
        press(&mut t, KeyCode::Left);
        assert_eq!(t.paste("b\r\nc\x1b[2J\td", false, 100), 0);
        assert_eq!(t.value, "ab c[2J dz");
        assert_eq!(t.cursor, 9);
        let mut m = TextInput::default();
        m.paste("one\r\ntwo\nthree", true, 100);
        assert_eq!(m.value, "one\ntwo\nthree");
        let mut full = TextInput::default();
        assert_eq!(full.paste("éééééééééé", false, 4), 6, "six characters cut");
        assert_eq!(full.value, "éééé");
    }

    #[test]
    fn a_megabyte_paste_keeps_the_box_limit() {
        let big = "x".repeat(1 << 20);
        let mut t = TextInput::default();
        let cut = t.paste(&big, true, MAX_BOX_CHARS);
        assert_eq!(t.value.len(), MAX_BOX_CHARS);
        assert_eq!(cut, (1 << 20) - MAX_BOX_CHARS);
        press(&mut t, KeyCode::Char('y'));
        assert_eq!(
            t.value.len(),
            MAX_BOX_CHARS,
            "typing stops at the limit too"
        );
    }
}
