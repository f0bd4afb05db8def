//! Low-level text helpers shared by the app and the command line: counts as people read them, and
//! stored text made safe to put on a terminal.

use std::borrow::Cow;

/// Groups digits in threes, as people read counts: 39,529.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count and its noun, in the singular for one: "1 deal", "3 deals", "12,004 entries".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// Characters that would act on the terminal or on how the text around them reads: C0 and C1
/// controls, and the invisible format characters that reorder text (U+202E shows "gpj.exe" as
/// "exe.jpg") or hide in it. The joiners U+200C/U+200D are left: scripts and emoji need them.
/// An invisible formatting character (bidi overrides, zero-width ones): it can make text read
/// other than it is, so pasted text leaves it out.
pub fn is_bidi_control(c: char) -> bool {
    !c.is_control() && unsafe_char(c)
}

fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// A name as a lookup key, the way people vary it: letters and digits only, lower case
/// ("Customer ID", "customer_id" and "CustomerId" are one key).
pub fn loose_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// User text as it may be shown: a C0 control becomes its visible symbol (ESC is ␛), any other
/// unsafe character the replacement mark, so nothing stored can steer the terminal.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('�'),
                c if unsafe_char(c) => '�',
                c => c,
            })
            .collect(),
    )
}

/// Cuts safe text to `width` characters, marking the cut with an ellipsis.
pub fn fit(text: &str, width: usize) -> String {
    let text = safe(text);
    if text.chars().count() <= width {
        return text.into_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The error and its causes on one line, each said once: a cause whose text its parent already
/// carries is left out, and the whole is made safe for a terminal.
/// Safe text broken into lines of at most `width` characters, at spaces where it can be (a
/// word longer than a line is cut where the line ends).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in safe(text).split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        while line.chars().count() + word.len() > width {
            let room = width - line.chars().count();
            line.extend(word.drain(..room));
            lines.push(std::mem::take(&mut line));
        }
        line.extend(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn error_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    safe(&line).into_owned()
}

/// Lower case, accents and other scripts spelt in ASCII, "&" as "and", punctuation as spaces,
/// one space between words: "Seaview & Co." and "seaview and co" fold alike.
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text)
        .to_lowercase()
        .replace('&', " and ");
    let mut out = String::with_capacity(ascii.len());
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        // "O'Neil" and "ONeil" are one name.
        out.extend(word.chars().filter(|c| *c != '\''));
    }
    out
}

/// Words that say what kind of company it is, not which: dropped before comparing.
const LEGAL_FORMS: &[&str] = &[
    "ltd",
    "limited",
    "llc",
    "llp",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "pty",
    "pte",
    "lp",
];

/// A company's name folded, without its legal form: "Seaview & Co. Ltd" is "seaview and co".
pub fn company(name: &str) -> String {
    let folded = fold(name);
    let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_FORMS.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_in_threes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(39529), "39,529");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn controls_and_reordering_characters_never_pass() {
        let hostile = "a\u{1b}[2Jb\u{202E}gpj.exe\u{2066}\u{200B}\u{9b}c\u{FEFF}\u{E0041}";
        let shown = safe(hostile);
        assert!(!shown.chars().any(unsafe_char), "{shown:?}");
        assert!(shown.starts_with("a␛[2Jb�gpj.exe"), "{shown:?}");
        assert_eq!(shown.chars().count(), hostile.chars().count());
        assert_eq!(safe("Zoë 👨\u{200D}👩"), "Zoë 👨\u{200D}👩");
        assert!(matches!(safe("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn an_error_is_one_line_with_each_cause_once() {
        let inner = std::io::Error::other("disk on fire");
        let error = anyhow::Error::new(inner).context("cannot write x.csv: disk on fire");
        let error = error.context("export failed\nbadly");
        assert_eq!(
            error_line(&error),
            "export failed␊badly: cannot write x.csv: disk on fire"
        );
    }

    #[test]
    fn fitting_cuts_with_an_ellipsis_and_stays_safe() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("\u{202E}abc", 4), "�abc");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_only_words_too_long_for_a_line() {
        assert_eq!(
            wrap(
                "customer not saved: email already belongs to customer 412",
                20
            ),
            [
                "customer not saved:",
                "email already",
                "belongs to customer",
                "412"
            ]
        );
        assert_eq!(wrap("abcdefghij klm", 4), ["abcd", "efgh", "ij", "klm"]);
        assert_eq!(wrap("", 10), [""]);
        for width in 1..30 {
            let text = "a quick brown fox jumps over the lazy dog, twice over again";
            let lines = wrap(text, width);
            assert!(lines.iter().all(|l| l.chars().count() <= width), "{width}");
            assert_eq!(lines.join(" ").replace(' ', ""), text.replace(' ', ""));
        }
    }
}
