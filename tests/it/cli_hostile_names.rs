//! Names and notes that try to steer the terminal (colour and screen-clearing escapes, an OSC
//! window title, a C1 CSI, a right-to-left override, a carriage return): every command that
//! shows them to a person shows them harmlessly. Data formats written for programs (export,
//! backup) carry the text as it is and are not run here.

use crate::common;

/// What a terminal would act on: C0 controls but line breaks and tabs, DEL, C1 controls, and the
/// invisible characters that reorder or hide text.
fn steering(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    })
}

#[test]
fn no_command_lets_a_stored_name_steer_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 60, 9);
    let hostile = [
        "Ada \u{1b}[31mRed\u{1b}[0m Costa",
        "Bob \u{1b}]0;pwned\u{7} Title",
        "Cy \u{9b}2J Clear",
        "Dee \u{202e}lived",
        "Eve\rOverwritten",
    ];
    let mut csv = String::from("Name,Email,Company,Customer ID\n");
    for (i, name) in hostile.iter().enumerate() {
        csv.push_str(&format!("\"{name}\",h{i}@example.com,\"Co {name}\",H{i}\n"));
    }
    let file = dir.path().join("hostile.csv");
    std::fs::write(&file, &csv).unwrap();
    common::stdout_of(&db, &["import", "customers", file.to_str().unwrap()]);
    // The same people once more, a little changed: dry runs name the stored ones they look like.
    let again: String = csv
        .replace("example.com", "example.org")
        .replace(",H", ",X");
    let file2 = dir.path().join("again.csv");
    std::fs::write(&file2, again).unwrap();
    let first = common::stdout_of(&db, &["stats", "--format", "json"]);
    assert!(first.contains("customers"));
    let ids: Vec<String> = (61..=65).map(|i| i.to_string()).collect();
    for id in &ids {
        common::stdout_of(&db, &["note", id, "call \u{1b}[2J back \u{202e}now"]);
        let ring = "ring \u{1b}]0;x\u{7}";
        common::stdout_of(&db, &["followup", "add", id, ring, "--due", "+2d"]);
    }
    let f2 = file2.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["import", "customers", f2, "--dry-run"],
        vec![
            "import",
            "customers",
            f2,
            "--dry-run",
            "--match",
            "fuzzy",
            "--min-score",
            "0.1",
        ],
        vec!["stats"],
        vec!["duplicates"],
        vec!["check"],
        vec!["segments"],
        vec!["suggest", "61"],
        vec!["today", "--everyone"],
        vec!["followup", "list"],
        vec!["report", "pipeline"],
        vec!["audit"],
        vec!["audit", "--record", "customer:61"],
        vec!["lifetime"],
        vec!["merge", "61", "62", "--dry-run"],
        vec!["delete", "customer:65"],
        vec!["trash"],
        vec!["note", "Dee \u{202e}lived", "x"],
        vec!["note", "nobody \u{1b}[2J", "x"],
        vec!["forget", "64", "--yes"],
        vec!["audit", "--record", "customer:64"],
    ];
    for command in &commands {
        let out = common::output_of(&db, command);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code().is_some_and(|c| c <= 4),
            "rapport {command:?} crashed: {stderr}"
        );
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            if let Some(c) = steering(text) {
                let at = text.find(c).unwrap();
                let around: String = text[at.saturating_sub(60)..].chars().take(90).collect();
                panic!(
                    "rapport {command:?} printed U+{:04X} on {stream}: {around:?}",
                    c as u32
                );
            }
        }
    }
}
