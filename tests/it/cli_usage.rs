//! Every invalid argument value is a usage error: exit code 2 and a message naming the option,
//! found when the command line is read, before any database is opened.

use crate::common;

#[test]
fn invalid_values_are_usage_errors_named_at_parse_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never-made.db");
    for args in [
        &["rules", "--min-support", "2"][..],
        &["rules", "--min-support", "0"],
        &["rules", "--min-support=-0.1"],
        &["rules", "--min-support", "NaN"],
        &["rules", "--min-support", "inf"],
        &["rules", "--min-confidence", "1.5"],
        &["rules", "--min-confidence", "nan"],
        &["rules", "--min-lift", "NaN"],
        &["rules", "--min-lift=-1"],
        &["rules", "--min-lift", "infinity"],
        &["segments", "--k", "1"],
        &["demo", "--customers", "99999999999"],
        &["demo", "--customers", "0"],
        &["bench", "fpgrowth", "x.csv", "--min-support", "nan"],
        &["serve", "--max-sessions", "0"],
        &["serve", "--grace-seconds", "0"],
        &["serve", "--max-startups", "0"],
        &["serve", "--max-startups-per-address", "0"],
        &["stats", "--max-line-bytes", "0"],
    ] {
        let out = common::rapport()
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let option = args.iter().rfind(|a| a.starts_with("--")).unwrap();
        let option = option.split('=').next().unwrap();
        assert!(err.contains(option), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    assert!(!db.exists(), "nothing was opened");
}

#[test]
fn bug_22_a_read_only_command_on_a_missing_database_says_so_and_makes_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    let out = common::rapport()
        .arg("--db")
        .arg(&db)
        .arg("stats")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("there is no database at") && err.contains("typo.db"),
        "{err}"
    );
    assert!(!db.exists(), "nothing made");

    // An empty directory given as --db is no database either: nothing is made in it.
    std::fs::create_dir(&db).unwrap();
    let out = common::output_of(&db, &["stats"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        std::fs::read_dir(&db).unwrap().count(),
        0,
        "nothing made in it"
    );
}

/// A due date past any calendar is a usage error with its reason, not a crash (it was exit 101).
#[test]
fn a_far_future_due_date_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 5, 1);
    for args in [
        &["followup", "add", "1", "call", "--due", "+99999999w"][..],
        &[
            "followup",
            "add",
            "1",
            "call",
            "--due",
            "+9223372036854775807d",
        ],
    ] {
        let (code, err) = common::failure_of(&db, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("years ahead"), "{args:?}: {err}");
    }
}
