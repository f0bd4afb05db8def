//! Batch scripts and the headless guarantee, with no terminal anywhere.

use crate::common;

use predicates::prelude::*;

#[test]
fn a_script_runs_in_order_and_stops_at_the_failing_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "name,email\nAda,ada@example.com\nGrace,grace@example.com\n",
    )
    .unwrap();
    let script = format!(
        "# nightly\nimport customers '{}'\n\nstats --format json\nexport customers --nonsense\nexport customers --format ndjson\n",
        people.display()
    );
    let out = common::rapport()
        .arg("--db")
        .arg(&db)
        .arg("--batch")
        .write_stdin(script.clone())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "the failing line was a usage error"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("customers: 2 (2 new"), "{stdout}");
    assert!(stdout.contains("\"customers\": 2"), "{stdout}");
    assert!(
        !stdout.contains("ada@example.com"),
        "nothing after the failing line runs: {stdout}"
    );
    assert!(stderr.contains("rapport: line 5: "), "{stderr}");
    assert!(
        stderr.contains("the script had 1 failing line(s), the first at line 5"),
        "{stderr}"
    );

    let file = dir.path().join("nightly.rapport");
    std::fs::write(&file, script).unwrap();
    let out = common::rapport()
        .arg("--db")
        .arg(&db)
        .arg("--batch")
        .arg(&file)
        .arg("--keep-going")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("customers: 2 (0 new, 0 updated, 2 unchanged)"),
        "re-running is a no-op: {stdout}"
    );
    assert_eq!(
        stdout.matches("ada@example.com").count(),
        1,
        "--keep-going runs the last line: {stdout}"
    );
}

#[test]
fn a_script_line_cannot_switch_databases_and_the_app_never_opens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::rapport()
        .arg("--db")
        .arg(&db)
        .arg("--batch")
        .write_stdin("--db /tmp/elsewhere stats\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "line 1: a script line cannot choose a database",
        ));
    // An empty script is fine, and with no terminal nothing tries to draw.
    common::rapport()
        .arg("--db")
        .arg(&db)
        .arg("--batch")
        .write_stdin("# nothing\n")
        .assert()
        .success()
        .stdout("");
    common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["stats", "--batch"])
        .assert()
        .success();
    // Without --batch and without a terminal, the app refuses clearly instead of drawing.
    common::rapport()
        .arg("--db")
        .arg(&db)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the app needs a terminal"));
}
