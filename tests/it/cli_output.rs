//! What the commands print says what happened: no table of thousands of rules, no "Broken pipe"
//! for a reader that stopped early, no figure made up from nothing, the right words for one.

use crate::common;

use common::{demo_cli, output_of, rapport, stdout_of};
use std::process::Stdio;

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A new database with the customers of `csv` imported; the folder, the database and the file.
fn with_customers(csv: &str) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = write(dir.path(), "people.csv", csv);
    stdout_of(&db, &["import", "customers", file.to_str().unwrap()]);
    (dir, db, file)
}

#[test]
fn the_rules_table_shows_the_strongest_fifty_and_says_how_many_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    // Eight items always bought together: every rule among them holds, about a thousand.
    let baskets = "tea,milk,bread,jam,honey,eggs,rice,salt\n".repeat(20);
    let file = write(dir.path(), "baskets.csv", &baskets);
    let file = file.to_str().unwrap();
    stdout_of(&db, &["import", "orders", file, "--format", "baskets"]);
    let table = stdout_of(&db, &["rules"]);
    let mut lines = table.lines();
    let head = lines.next().unwrap();
    assert!(
        head.starts_with("50 of 1,016 rules from 20 baskets"),
        "{head}"
    );
    assert!(table.contains("--top N or --format csv for all"), "{table}");
    assert_eq!(table.lines().count(), 50 + 3, "{table}");
    let csv = stdout_of(&db, &["rules", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 1_016 + 1);
    let all = stdout_of(&db, &["rules", "--top", "0"]);
    assert!(all.starts_with("1,016 rules from"), "{all}");
    assert_eq!(all.lines().count(), 1_016 + 2);
}

/// Every command that writes to standard output, with the reader gone before it writes.
#[test]
fn a_reader_that_stops_early_ends_every_command_quietly_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    demo_cli(&db, 300, 3);
    let commands: &[&[&str]] = &[
        &["backup", "-"],
        &["export", "customers"],
        &["export", "order-lines", "--format", "json"],
        &["export", "order-lines", "--format", "ndjson"],
        &["stats"],
        &["stats", "--format", "json"],
        &["audit", "--format", "csv"],
        &["rules", "--min-support", "0.001", "--format", "csv"],
        &["segments", "--format", "csv"],
        &["suggest", "--all", "--format", "csv"],
        &["lifetime", "--format", "csv"],
        &["forecast"],
        &["duplicates", "--format", "csv"],
        &["check"],
        &["today", "--everyone", "--no-calls"],
        &["followup", "list", "--all"],
        &["report", "pipeline", "--format", "json"],
        &["trash"],
        &["import", "list"],
        &["team", "list"],
        &["--help"],
    ];
    for args in commands {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rapport"))
            .arg("--db")
            .arg(&db)
            .args(*args)
            .env_remove("RAPPORT_DB")
            .env("XDG_CONFIG_HOME", "/nonexistent/rapport-tests")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the first byte.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !err.contains("Broken pipe") && !err.contains("os error"),
            "rapport {args:?}: {:?} {err}",
            out.status
        );
    }
}

#[test]
fn duplicates_says_when_no_pair_could_be_compared_instead_of_a_share_of_matches() {
    // Names alone, none alike: as Online Retail's customers, who have only an id and a country.
    let (_dir, db, _) =
        with_customers("name,country\nAda Chen,GB\nBruno Lima,BR\nCiara Walsh,IE\n");
    let said = stdout_of(&db, &["duplicates"]);
    assert_eq!(
        said.trim(),
        "no pair of the 3 customers could be compared: none has an email, a phone or an address, \
         and no two names are alike"
    );
    assert!(!said.contains('%'), "{said}");
}

fn login_name() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn me_is_the_login_name_the_system_knows_whatever_user_says() {
    let (_dir, db, _) = with_customers("name,email\nAda Chen,ada@example.com\n");
    for user in [None, Some(""), Some("impostor")] {
        let mut command = rapport();
        command.arg("--db").arg(&db).args([
            "followup",
            "add",
            "ada@example.com",
            "call",
            "--due",
            "friday",
        ]);
        match user {
            None => command.env_remove("USER"),
            Some(name) => command.env("USER", name),
        };
        command.assert().success();
    }
    let list = stdout_of(&db, &["followup", "list", "--format", "csv"]);
    let me = login_name();
    let owners: Vec<&str> = list
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap())
        .collect();
    assert_eq!(owners, [me.as_str(); 3], "{list}");
}

#[test]
fn one_is_said_in_the_singular_and_a_dry_run_says_nothing_was_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = write(
        dir.path(),
        "one.csv",
        "name,email\nAda Chen,ada@example.com\n",
    );
    let file = file.to_str().unwrap();
    let dry = stdout_of(&db, &["import", "customers", file, "--dry-run"]);
    assert!(
        dry.starts_with(
            "1 row read: 1 would be imported, 0 rejected; a dry run, nothing was written"
        ),
        "{dry}"
    );
    let bad = write(
        dir.path(),
        "bad.csv",
        "name,email\nAda Chen,ada@example.com\n,\n",
    );
    let (code, err) = common::failure_of(
        &db,
        &["import", "customers", bad.to_str().unwrap(), "--strict"],
    );
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("1 row rejected (--strict)"), "{err}");
    assert!(!err.contains("1 rows"), "{err}");
    let baskets = write(dir.path(), "b.csv", "tea\n");
    let said = stdout_of(
        &db,
        &[
            "import",
            "orders",
            baskets.to_str().unwrap(),
            "--format",
            "baskets",
        ],
    );
    assert!(said.starts_with("1 row read: 1 imported"), "{said}");
    let rules = stdout_of(
        &db,
        &["rules", "--min-support", "1", "--min-confidence", "0"],
    );
    assert!(
        rules.contains("(1 frequent itemset at support 1)"),
        "{rules}"
    );
    let number = stdout_of(&db, &["import", "list"])
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let reverted = stdout_of(&db, &["import", "revert", &number]);
    assert!(reverted.contains("removed 1 order"), "{reverted}");
    assert!(!reverted.contains(" 1 orders"), "{reverted}");
}

#[test]
fn an_import_run_again_that_changes_nothing_is_not_listed_again() {
    let (_dir, db, file) = with_customers("name,email\nAda Chen,ada@example.com\n");
    let file = file.to_str().unwrap();
    let again = stdout_of(&db, &["import", "customers", file]);
    assert!(
        again.contains("nothing changed, so no import was listed"),
        "{again}"
    );
    let list = stdout_of(&db, &["import", "list"]);
    assert_eq!(
        list.lines().filter(|l| l.contains("customers")).count(),
        1,
        "{list}"
    );
    // A run that does change something is listed as before.
    std::fs::write(file, "name,email\nAda Chen-Lee,ada@example.com\n").unwrap();
    let changed = stdout_of(&db, &["import", "customers", file]);
    assert!(changed.contains("(rapport import revert "), "{changed}");
    let list = stdout_of(&db, &["import", "list"]);
    assert_eq!(
        list.lines().filter(|l| l.contains("customers")).count(),
        2,
        "{list}"
    );
}

#[test]
fn forecast_csv_gives_money_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    demo_cli(&db, 300, 3);
    let csv = stdout_of(&db, &["forecast", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("week,revenue,low,high,orders"));
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        for (cell, places) in cells[1..].iter().zip([2, 2, 2, 1]) {
            let decimals = cell.split_once('.').map_or(0, |(_, d)| d.len());
            assert!(decimals <= places, "{cell} in {line}");
        }
    }
}

#[test]
fn todays_columns_stay_in_line_when_a_phone_is_missing() {
    let (_dir, db, _) = with_customers(
        "name,email,phone\nAda Chen,ada@example.com,+44 20 7946 0000\nBo,bo@example.com,\n",
    );
    for who in ["ada@example.com", "bo@example.com"] {
        let out = output_of(
            &db,
            &[
                "--as",
                "bea",
                "followup",
                "add",
                who,
                "call them",
                // Today, whatever the hour: "+1h" after 23:00 is tomorrow, listed without phones.
                "--due",
                "today",
            ],
        );
        assert!(out.status.success());
    }
    let today = stdout_of(&db, &["--as", "bea", "today", "--no-calls"]);
    let rows: Vec<&str> = today.lines().filter(|l| l.contains("call them")).collect();
    assert_eq!(rows.len(), 2, "{today}");
    // Where the text starts, in characters ("—" is three bytes, one column).
    let at: Vec<usize> = rows
        .iter()
        .map(|r| r[..r.find("call them").unwrap()].chars().count())
        .collect();
    assert_eq!(at[0], at[1], "{today}");
    assert!(today.contains('—'), "{today}");
}

#[test]
fn the_demo_tells_a_newcomer_whose_records_there_are() {
    let hint = rapport::demo::newcomer_hint();
    for rep in rapport::demo::OWNERS {
        assert!(hint.contains(rep), "{hint}");
    }
    assert!(hint.contains("--as bea"), "{hint}");
    // One line of the status bar at 80 columns.
    assert!(hint.chars().count() <= 80, "{hint}");
}
