//! Follow-ups and the rep's day from scripts: `rapport followup add|list|done|snooze`,
//! `rapport today --format json`, `export followups`, and `forget` reaching them.

use crate::common;

use common::{failure_of, stdout_of};
use rapport::domain::Followup;
use rapport::store::Store;

/// A customer of the small demo owned by `owner`, by id.
fn customer_of(db: &std::path::Path, owner: &str) -> String {
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&stdout_of(db, &["export", "customers", "--format", "json"])).unwrap();
    rows.iter()
        .find(|c| c["owner"] == owner)
        .map(|c| c["id"].to_string())
        .expect("the demo gives every owner customers")
}

#[test]
fn a_follow_up_is_added_listed_done_with_the_next_step_and_seen_in_today() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 120, 5);
    let ada = customer_of(&db, "bea");
    let said = stdout_of(
        &db,
        &[
            "followup",
            "add",
            &ada,
            "Call back about the quote",
            "--due",
            "today 23:59",
            "--as",
            "bea",
        ],
    );
    let id: u64 = said.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(said.contains(&format!("on customer {ada}")), "{said}");

    let mine = stdout_of(&db, &["followup", "list", "--mine", "--as", "bea"]);
    assert!(mine.contains("Call back about the quote"), "{mine}");
    assert!(
        !stdout_of(&db, &["followup", "list", "--mine", "--as", "ana"]).contains("about the quote"),
        "another rep's list does not hold it"
    );

    let day: serde_json::Value = serde_json::from_str(&stdout_of(
        &db,
        &["today", "--format", "json", "--no-calls", "--as", "bea"],
    ))
    .unwrap();
    let due: Vec<&serde_json::Value> = day["followups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .collect();
    assert_eq!(due.len(), 1, "today's follow-up is in the day: {day}");
    assert_eq!(due[0]["customer"]["id"].to_string(), ada);
    assert!(
        due[0]["customer"]["phone"].is_string(),
        "with the number to call"
    );
    assert_eq!(day["me"], "bea");

    let said = stdout_of(
        &db,
        &[
            "followup",
            "done",
            &id.to_string(),
            "--outcome",
            "Spoke to them",
            "--next",
            "+3d",
            "--as",
            "bea",
        ],
    );
    assert!(said.contains("done") && said.contains("next"), "{said}");
    let store = Store::open(&db).unwrap();
    let all: Vec<Followup> = store.all().unwrap();
    let first = all.iter().find(|f| f.id.0 == id).unwrap();
    assert_eq!(first.outcome.as_deref(), Some("Spoke to them"));
    assert!(first.done.is_some());
    let next = all.iter().max_by_key(|f| f.id).unwrap();
    assert_eq!(
        (next.customer, next.owner.as_deref(), next.text.as_str()),
        (first.customer, Some("bea"), "Call back about the quote"),
        "the next step is for the same customer and rep"
    );
    assert!(next.is_open() && next.due > first.due + chrono::Duration::days(2));
    drop(store);

    let (code, err) = failure_of(&db, &["followup", "done", &id.to_string(), "--as", "bea"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("done already"), "{err}");

    let before = next.due;
    stdout_of(
        &db,
        &["followup", "snooze", &next.id.to_string(), "--as", "bea"],
    );
    let store = Store::open(&db).unwrap();
    let snoozed: Followup = store.get(next.id.0).unwrap().unwrap();
    // A day on, into working hours (09:00-17:00, weekdays): whatever time the test runs at.
    use chrono::{Datelike, Timelike};
    let a_day_on = before + chrono::Duration::days(1);
    let working = |t: chrono::DateTime<chrono::Utc>| {
        t.weekday().num_days_from_monday() < 5 && (9..17).contains(&t.hour())
    };
    let expected = match working(a_day_on) {
        true => a_day_on,
        false => (0..8)
            .map(|d| {
                (a_day_on.date_naive() + chrono::Duration::days(d))
                    .and_hms_opt(9, 0, 0)
                    .unwrap()
                    .and_utc()
            })
            .find(|t| *t > a_day_on && working(*t))
            .unwrap(),
    };
    assert_eq!(snoozed.due, expected);
    drop(store);

    let csv = stdout_of(&db, &["export", "followups", "--owner", "bea"]);
    assert!(
        csv.starts_with("id,customer_id,deal_id,ticket_id,due,owner,text,done,outcome,created"),
        "{csv}"
    );
    assert!(csv.contains("Spoke to them"), "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.contains(",bea,")), "{csv}");
}

#[test]
fn bad_follow_ups_are_refused_with_what_to_type() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 60, 2);
    let (code, err) = failure_of(&db, &["followup", "add", "1", "x", "--due", "someday"]);
    assert_eq!(code, 2);
    assert!(err.contains("tomorrow 9:00"), "{err}");
    let deals: Vec<serde_json::Value> =
        serde_json::from_str(&stdout_of(&db, &["export", "deals", "--format", "json"])).unwrap();
    let deal = &deals[0];
    let other = if deal["customer_id"] == 1 { "2" } else { "1" };
    let (code, err) = failure_of(
        &db,
        &[
            "followup",
            "add",
            other,
            "x",
            "--due",
            "friday",
            "--deal",
            &deal["id"].to_string(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not customer"),
        "a deal of someone else is refused: {err}"
    );
    let (code, err) = failure_of(&db, &["followup", "done", "99999"]);
    assert_eq!(code, 1);
    assert!(err.contains("no follow-up 99999"), "{err}");
}

#[test]
fn forgetting_a_person_erases_their_follow_ups() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 60, 2);
    stdout_of(
        &db,
        &[
            "followup",
            "add",
            "3",
            "Ask Quixotefrost about the lake house",
            "--due",
            "friday",
        ],
    );
    let said = stdout_of(&db, &["forget", "3", "--yes"]);
    assert!(said.contains(" follow-up"), "{said}");
    let csv = stdout_of(&db, &["export", "followups"]);
    assert!(!csv.contains("Quixotefrost"), "{csv}");
    assert!(
        stdout_of(&db, &["audit", "--format", "json"])
            .contains("Quixotefrost")
            .then_some(())
            .is_none(),
        "nor does the log keep it"
    );
}

/// The pipeline report's open figures are the deals export's, counted here independently.
#[test]
fn the_pipeline_report_counts_what_the_deals_export_holds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 300, 4);
    let deals: Vec<serde_json::Value> =
        serde_json::from_str(&stdout_of(&db, &["export", "deals", "--format", "json"])).unwrap();
    let figures: Vec<serde_json::Value> = serde_json::from_str(&stdout_of(
        &db,
        &["report", "pipeline", "--by", "owner", "--format", "json"],
    ))
    .unwrap();
    for stage in ["lead", "qualified", "proposal", "negotiation"] {
        let expected = deals.iter().filter(|d| d["stage"] == stage).count();
        let row = figures
            .iter()
            .find(|f| f["owner"] == "everyone" && f["figure"] == "open" && f["stage"] == stage)
            .unwrap();
        assert_eq!(row["count"], expected, "{stage}");
        let by_owner: u64 = figures
            .iter()
            .filter(|f| f["owner"] != "everyone" && f["figure"] == "open" && f["stage"] == stage)
            .map(|f| f["count"].as_u64().unwrap())
            .sum();
        assert_eq!(
            by_owner as usize, expected,
            "owners add up to everyone for {stage}"
        );
    }
    let table = stdout_of(&db, &["report", "pipeline"]);
    assert!(table.starts_with("Pipeline: everyone"), "{table}");
    assert!(table.contains("win rate this quarter"), "{table}");
}
