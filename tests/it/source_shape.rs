//! The shape of `src/`, held: no file a reader must scroll through for long, no function that
//! does not fit on a screen or two. (The limits are the team's; a long match of simple arms is
//! still split, so that each part can be named.)

const MOST_LINES_IN_A_FILE: usize = 800;
const MOST_LINES_IN_A_FUNCTION: usize = 100;

use super::common::source_files as sources;

/// Each function in `text` as (its name, its first line, how many lines it spans): from the line
/// that opens it to the closing brace at its own indent, as rustfmt lays them out.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let mut rest = body;
        for word in [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ] {
            rest = rest.strip_prefix(word).unwrap_or(rest);
        }
        let Some(signature) = rest.strip_prefix("fn ") else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = (signature.chars())
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let end = if line.trim_end().ends_with('}') {
            i
        } else {
            (i..lines.len()).find(|&j| lines[j] == close).unwrap_or(i)
        };
        out.push((name, i + 1, end - i + 1));
    }
    out
}

#[test]
fn no_file_is_over_800_lines() {
    let long: Vec<String> = (sources().into_iter())
        .map(|(rel, text)| (rel, text.lines().count()))
        .filter(|(_, n)| *n > MOST_LINES_IN_A_FILE)
        .map(|(rel, n)| format!("{rel}: {n} lines"))
        .collect();
    assert!(long.is_empty(), "split these: {long:#?}");
}

#[test]
fn no_function_is_over_100_lines() {
    let mut long = Vec::new();
    for (rel, text) in sources() {
        for (name, at, n) in functions(&text) {
            if n > MOST_LINES_IN_A_FUNCTION {
                long.push(format!("{rel}:{at} {name}: {n} lines"));
            }
        }
    }
    assert!(long.is_empty(), "split these: {long:#?}");
}

/// The reading itself: it finds a function's whole body, nested blocks and all.
#[test]
fn functions_are_measured_to_their_closing_brace() {
    let text = "fn one() {}\n\npub(crate) fn two(\n    a: u8,\n) -> u8 {\n    if a > 1 {\n        a\n    } else {\n        0\n    }\n}\n\nimpl X {\n    pub fn three(&self) {\n        todo!()\n    }\n    fn four(&self);\n}\n";
    let found = functions(text);
    let names: Vec<(&str, usize, usize)> = (found.iter())
        .map(|(n, at, len)| (n.as_str(), *at, *len))
        .collect();
    assert_eq!(names, [("one", 1, 1), ("two", 3, 9), ("three", 14, 3)]);
}
