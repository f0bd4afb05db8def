//! Next-purchase suggestions: they beat a popularity baseline on real data, never offer what a customer
//! already has, always say why, and come out of the commands in the documented columns.

use crate::common;

use rapport::domain::Customer;
use rapport::insights::Snapshot;
use rapport::insights::eval::evaluate;
use rapport::insights::suggest::Model;
use rapport::store::Store;
use std::collections::HashSet;

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn suggestions_beat_popularity_on_online_retail() {
    let Some(file) = common::dataset("online_retail_dec2010.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    rapport::import::import_online_retail(&store, &file, chrono::Utc::now(), &mut |_| {}).unwrap();
    let snapshot = Snapshot::load(&store).unwrap();
    let split = chrono::NaiveDate::from_ymd_opt(2010, 12, 13)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let result = evaluate(&snapshot, split, 10);
    assert!(result.test_customers > 100, "{result:?}");
    assert!(
        result.model.hit_rate > result.popularity.hit_rate,
        "HR@10 rapport {:.3} vs popularity {:.3}",
        result.model.hit_rate,
        result.popularity.hit_rate
    );
    assert!(result.model.coverage > result.popularity.coverage);
}

#[test]
fn suggestions_are_new_to_the_customer_explained_and_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let snapshot = Snapshot::load(&store).unwrap();
    let model = Model::build(&snapshot);
    let again = Model::build(&snapshot);
    let mut customers: Vec<_> = model.customers().collect();
    customers.sort();
    assert!(customers.len() > 200);
    for c in customers {
        let bought: HashSet<u32> = snapshot
            .purchases
            .iter()
            .filter(|p| p.customer == Some(c))
            .flat_map(|p| p.items.iter().copied())
            .collect();
        let list = model.suggest(c, 10);
        assert_eq!(list.len(), 10, "customer {c}");
        assert_eq!(list, again.suggest(c, 10), "same data, same suggestions");
        for s in &list {
            assert!(
                !bought.contains(&s.item),
                "customer {c} already has {}",
                s.item
            );
            assert!(!s.reason.is_empty());
            assert!(
                s.reason.contains(snapshot.item_name(s.item)),
                "{}",
                s.reason
            );
        }
        assert!(list.windows(2).all(|w| w[0].score >= w[1].score));
    }
    // A customer with no history still gets something sensible: what is popular.
    let nobody = store
        .create(Customer::new("Walk In", chrono::Utc::now()))
        .unwrap();
    let cold = Model::build(&Snapshot::load(&store).unwrap()).suggest(nobody.id, 5);
    assert_eq!(cold.len(), 5);
    assert!(cold[0].reason.starts_with("popular"), "{}", cold[0].reason);
}

#[test]
fn suggest_and_eval_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 300, 4);
    let out = common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["suggest", "--all", "--top", "3", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["customer_id", "rank", "stock_code", "score", "reason"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.len() > 600, "{}", rows.len());
    assert!(rows.iter().all(|r| ["1", "2", "3"].contains(&&r[1])));

    let one = common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["suggest", "5"])
        .output()
        .unwrap();
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert!(
        String::from_utf8(one.stdout)
            .unwrap()
            .starts_with("Suggestions for ")
    );
    common::rapport()
        .arg("--db")
        .arg(&db)
        .args(["suggest", "nobody@nowhere.example"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "no customer with external id, id or email 'nobody@nowhere.example'",
        ));

    let eval = common::rapport()
        .arg("--db")
        .arg(&db)
        .args([
            "eval",
            "suggestions",
            "--holdout-last",
            "60",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        eval.status.success(),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert!(
        json["model"]["hit_rate"].as_f64().unwrap()
            > json["popularity"]["hit_rate"].as_f64().unwrap()
    );
}
