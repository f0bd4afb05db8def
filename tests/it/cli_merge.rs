//! `rapport merge` and `rapport unmerge` as a script runs them, on the demo.

use crate::common;

use common::{demo_cli, rapport};
use std::path::Path;

const KINDS: [&str; 6] = [
    "customers",
    "orders",
    "deals",
    "tickets",
    "notes",
    "followups",
];

fn run(db: &Path, args: &[&str]) -> String {
    let out = rapport().arg("--db").arg(db).args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn exports(db: &Path) -> Vec<String> {
    KINDS.iter().map(|k| run(db, &["export", k])).collect()
}

/// (customer id column, total of the last column where it is money) per export row.
fn owners(csv: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "customer_id").unwrap();
    lines
        .map(|l| l.split(',').nth(at).unwrap().to_string())
        .collect()
}

#[test]
fn a_merge_moves_everything_and_unmerge_gives_back_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    demo_cli(&db, 40, 3);
    let before = exports(&db);
    // Two customers with orders: the first two ids in the orders export.
    let mut buyers = owners(&before[1]);
    buyers.dedup();
    let (keep, other) = (buyers[0].clone(), buyers[1].clone());
    assert_ne!(keep, other);
    let count_of = |csv: &str, id: &str| owners(csv).iter().filter(|o| *o == id).count();
    let others_orders = count_of(&before[1], &other);
    let keeps_orders = count_of(&before[1], &keep);
    assert!(others_orders > 0);

    let said = run(&db, &["merge", &keep, &other, "--dry-run"]);
    assert!(said.starts_with("would merge"), "{said}");
    assert!(said.contains(&format!("{others_orders} order")), "{said}");
    assert_eq!(exports(&db), before, "a dry run writes nothing");

    let said = run(&db, &["merge", &keep, &other]);
    assert!(said.starts_with("merged"), "{said}");
    assert!(said.contains("name: kept"), "the names differ: {said}");
    let after = exports(&db);
    // Everything of OTHER's is KEEP's now; nothing else moved, nothing was lost.
    for (kind, (was, now)) in KINDS.iter().zip(before.iter().zip(&after)).skip(1) {
        assert_eq!(was.lines().count(), now.lines().count(), "{kind}");
        assert_eq!(count_of(now, &other), 0, "{kind}");
        assert_eq!(
            count_of(now, &keep),
            count_of(was, &keep) + count_of(was, &other),
            "{kind}"
        );
    }
    assert_eq!(count_of(&after[1], &keep), keeps_orders + others_orders);
    let total = |csv: &str| -> f64 {
        csv.lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
            .sum()
    };
    assert!((total(&before[1]) - total(&after[1])).abs() < 1e-6);
    assert_eq!(after[0].lines().count() + 1, before[0].lines().count());
    assert!(run(&db, &["trash"]).contains(&format!("customer:{other}")));

    // Unmerge, from a new process: the journal is on disk.
    let said = run(&db, &["unmerge", &keep]);
    assert!(
        said.starts_with(&format!("unmerged customer {other}")),
        "{said}"
    );
    assert_eq!(exports(&db), before, "byte for byte as before the merge");
    rapport()
        .arg("--db")
        .arg(&db)
        .args(["unmerge", &keep])
        .assert()
        .failure()
        .code(1);
}

#[test]
fn a_merge_changed_since_is_taken_back_only_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    demo_cli(&db, 20, 5);
    let orders = run(&db, &["export", "orders"]);
    let mut buyers = owners(&orders);
    buyers.dedup();
    let (keep, other) = (buyers[0].clone(), buyers[1].clone());
    let moved = orders
        .lines()
        .skip(1)
        .find(|l| l.split(',').nth(2) == Some(other.as_str()))
        .and_then(|l| l.split(',').next())
        .unwrap()
        .to_string();
    run(&db, &["merge", &keep, &other, "--take", "phone"]);
    // A new note is no record the merge touched; a moved order deleted since is.
    run(&db, &["note", &keep, "called after the merge"]);
    run(&db, &["delete", &format!("order:{moved}")]);
    let refused = rapport()
        .arg("--db")
        .arg(&db)
        .args(["unmerge", &other])
        .assert()
        .failure();
    let err = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(err.contains(&format!("order:{moved}")), "{err}");
    run(&db, &["unmerge", &other, "--force"]);
    assert!(run(&db, &["export", "customers"]).lines().count() == 21);
    // Mistyped, exit 2; typed right with nothing to take back, exit 1.
    for (args, says, code) in [
        (vec!["merge", "1", "1"], "are one customer", 2),
        (vec!["merge", "1", "2", "--take", "shoe"], "--take shoe", 2),
        (vec!["unmerge"], "no merge to take back", 1),
    ] {
        rapport()
            .arg("--db")
            .arg(&db)
            .args(&args)
            .assert()
            .failure()
            .code(code)
            .stderr(predicates::str::contains(says));
    }
}

/// The kept customer takes the other's email and external id (it had none); unmerge must give
/// them back before the other returns with them.
#[test]
fn an_email_taken_over_goes_back_with_the_unmerge() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = (dir.path().join("db"), dir.path().join("c.csv"));
    std::fs::write(
        &file,
        "customer id,name,email,phone\nT9,ada chen,ada@example.com,\n,Ada Chen,,0117 496 0123\n",
    )
    .unwrap();
    run(&db, &["import", "customers", file.to_str().unwrap()]);
    let before = run(&db, &["export", "customers"]);
    // The other is the older record: a revert in id order would bring it back first.
    let said = run(&db, &["merge", "2", "T9"]);
    assert!(said.contains("filled from 1: email, external_id"), "{said}");
    let merged = run(&db, &["export", "customers"]);
    assert_eq!(merged.lines().count(), 2);
    assert!(
        merged.contains("2,T9,Ada Chen,,ada@example.com"),
        "{merged}"
    );
    run(&db, &["unmerge", "ada@example.com"]);
    assert_eq!(run(&db, &["export", "customers"]), before);
}

#[test]
fn a_merge_is_logged_as_a_merge_and_the_merged_away_email_still_finds_the_customer() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = (dir.path().join("db"), dir.path().join("c.csv"));
    std::fs::write(
        &file,
        "name,email,phone\nAda Chen,ada@work.example,\nAda Chen,ada@home.example,0117 496 0123\n",
    )
    .unwrap();
    run(&db, &["import", "customers", file.to_str().unwrap()]);
    run(&db, &["merge", "1", "2"]);

    let log = run(&db, &["audit", "--record", "customer:2"]);
    let last = log.lines().last().unwrap();
    assert!(last.contains("merge #2 into #1"), "{log}");
    assert!(!last.contains("import"), "{log}");
    // Fields as the app shows them: no raw times, JSON or enum names.
    assert!(last.contains("stage: customer → —"), "{last}");
    assert!(!last.contains("{\""), "{last}");
    assert!(!last.contains("items]"), "{last}");
    let json = run(
        &db,
        &["audit", "--record", "customer:1", "--format", "json"],
    );
    let entries: serde_json::Value = serde_json::from_str(&json).unwrap();
    let last = entries.as_array().unwrap().last().unwrap();
    assert_eq!(last["op"], "merge #2 into #1", "{json}");

    // The email of the customer merged away names the one it became part of.
    let said = run(&db, &["note", "ada@home.example", "called her at home"]);
    assert!(
        said.contains("customer 1") || said.contains("Ada Chen"),
        "{said}"
    );
    let notes = run(&db, &["export", "notes"]);
    assert!(notes.contains("called her at home"), "{notes}");
    let row = notes
        .lines()
        .find(|l| l.contains("called her at home"))
        .unwrap();
    assert!(row.contains(",1,"), "on customer 1: {row}");
    // Once taken back, the email is the other customer's again.
    run(&db, &["unmerge", "1"]);
    run(&db, &["note", "ada@home.example", "and again"]);
    let notes = run(&db, &["export", "notes"]);
    let row = notes.lines().find(|l| l.contains("and again")).unwrap();
    assert!(row.contains(",2,"), "on customer 2: {row}");
}

/// Two managers merge the same pair at the same moment, from two sessions: the check that the
/// pair is as each saw it and the merge are one moment, so one merges and the other is refused.
#[test]
fn two_merges_of_one_pair_started_together_end_in_one_merge_and_one_refusal() {
    use rapport::domain::Customer;
    use rapport::ops::{Actor, Ops, Role};
    let dir = tempfile::tempdir().unwrap();
    let store = common::demo(&dir.path().join("db"), 60);
    let model = rapport::model::ReadModel::new(store.clone());
    model.load().unwrap();
    let sessions = [
        Ops::shared(model.clone(), Actor::with_role("ana", Role::Manager)),
        Ops::shared(model.clone(), Actor::with_role("cal", Role::Manager)),
    ];
    let rounds = 12;
    for round in 0..rounds {
        let (keep, other): (Customer, Customer) = (
            store.get(2 * round + 1).unwrap().unwrap(),
            store.get(2 * round + 2).unwrap().unwrap(),
        );
        let gate = std::sync::Barrier::new(2);
        let outcomes: Vec<Result<(u64, rapport::store::Moved), rapport::ops::OpsError>> =
            std::thread::scope(|s| {
                let runs: Vec<_> = sessions
                    .iter()
                    .map(|ops| {
                        let (keep, other, gate) = (&keep, &other, &gate);
                        s.spawn(move || {
                            // Each fills the kept customer's tags in its own way.
                            let mut kept = keep.clone();
                            kept.tags.push(format!("merged by {}", ops.actor().name));
                            gate.wait();
                            ops.merge(&kept, other.id, &[keep.clone(), other.clone()])
                        })
                    })
                    .collect();
                runs.into_iter().map(|r| r.join().unwrap()).collect()
            });
        let merged = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(merged, 1, "round {round}: {outcomes:?}");
        let refused = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
        assert!(
            matches!(
                refused,
                rapport::ops::OpsError::Conflict(_) | rapport::ops::OpsError::Gone(_)
            ),
            "round {round}: {refused:?}"
        );
        let kept: Customer = store.get(keep.id.0).unwrap().unwrap();
        assert_eq!(
            kept.tags
                .iter()
                .filter(|t| t.starts_with("merged by"))
                .count(),
            1,
            "{:?}",
            kept.tags
        );
    }
    let merges = store.merges().unwrap();
    assert_eq!(merges.len(), rounds as usize, "{merges:?}");
}
