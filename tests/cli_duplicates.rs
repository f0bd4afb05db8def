//! `rapport duplicates` as a script runs it: a customers file with people written twice.

mod common;

use common::rapport;

#[test]
fn people_written_twice_are_found_with_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = dir.path().join("people.csv");
    let first = [
        "Ada", "Bo", "Cai", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun",
    ];
    let last = [
        "Chen", "Lind", "Okafor", "Silva", "Novak", "Haddad", "Larsen", "Quinn", "Rossi", "Walsh",
    ];
    let streets = [
        "Quay Street",
        "Elm Road",
        "High Street",
        "Mill Lane",
        "Park Avenue",
    ];
    let person = |i: usize| {
        let (f, l) = (first[i % 10], last[(i / 10) % 10]);
        (
            format!("{f} {l}"),
            format!("{}.{}{i}@example.com", f.to_lowercase(), l.to_lowercase()),
            format!("0117 496 {:04}", 1000 + i * 37),
            format!("{} {}", i + 1, streets[i % 5]),
            format!("BS{} {}AA", 1 + i % 20, 1 + i / 20),
        )
    };
    let mut csv =
        String::from("customer id,name,email,phone,company,street,city,postcode,country\n");
    for i in 0..200usize {
        let (name, email, phone, street, postcode) = person(i);
        csv.push_str(&format!(
            "C{i},{name},{email},{phone},,{street},Bristol,{postcode},United Kingdom\n"
        ));
    }
    // Three of them again, as a trade show list or a web order writes them: a phone in
    // international form and a street written short; the name turned round and no contacts;
    // the email in capitals at another domain and no address.
    let (name, _, phone, street, postcode) = person(0);
    csv.push_str(&format!(
        "T1,{},,{},Seaview and Co.,{},Bristol,{},UK\n",
        name.to_lowercase(),
        phone.replacen("0", "+44 ", 1),
        street.replace("Street", "St"),
        postcode.to_lowercase()
    ));
    let (name, _, _, street, postcode) = person(11);
    let (f, l) = name.split_once(' ').unwrap();
    csv.push_str(&format!(
        "T2,\"{l}, {f}\",,,,{street},Bristol,{postcode},United Kingdom\n"
    ));
    // (The same email would have updated the customer it belongs to, not made another.)
    let (name, email, phone, _, _) = person(42);
    csv.push_str(&format!(
        "T3,{name},{},{phone},,,,,United Kingdom\n",
        email
            .to_uppercase()
            .replace("EXAMPLE.COM", "mail.example.net")
    ));
    std::fs::write(&file, csv).unwrap();
    rapport()
        .arg("--db")
        .arg(&db)
        .args(["import", "customers", file.to_str().unwrap()])
        .assert()
        .success();
    let out = rapport()
        .arg("--db")
        .arg(&db)
        .args(["duplicates", "--format", "csv"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("a_customer_id,b_customer_id,score,reasons")
    );
    let mut pairs: Vec<(String, String)> = lines
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            let score: f64 = f[2].parse().unwrap();
            assert!(score >= 0.9, "{l}");
            (f[0].to_string(), f[1].to_string())
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [("C0", "T1"), ("C11", "T2"), ("C42", "T3")].map(|(a, b)| (a.to_string(), b.to_string())),
        "{text}"
    );
    assert!(text.contains("same phone"), "{text}");
    let table = rapport()
        .arg("--db")
        .arg(&db)
        .args(["duplicates"])
        .assert()
        .success();
    let table = String::from_utf8(table.get_output().stdout.clone()).unwrap();
    assert!(table.starts_with("3 pairs of 203 customers"), "{table}");
    rapport()
        .arg("--db")
        .arg(&db)
        .args(["duplicates", "--min-score", "2"])
        .assert()
        .failure();
    // A pair a person said is two people stays out, until they take it back.
    let pairs_now = || {
        let out = rapport()
            .arg("--db")
            .arg(&db)
            .args(["duplicates", "--format", "csv"])
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone())
            .unwrap()
            .lines()
            .count()
            - 1
    };
    for (args, pairs) in [(vec!["T1", "C0"], 2), (vec!["C0", "T1", "--undo"], 3)] {
        rapport()
            .arg("--db")
            .arg(&db)
            .arg("distinct")
            .args(&args)
            .assert()
            .success();
        assert_eq!(pairs_now(), pairs, "{args:?}");
    }
}

fn evaluation(args: &[&str]) -> serde_json::Value {
    let out = rapport()
        .args(["eval", "duplicates", "--format", "json"])
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// The labelled evaluation: demo customers with duplicates written in (and housemates who are
/// not duplicates), found again at the default threshold.
#[test]
fn duplicates_written_into_the_demo_are_found_again() {
    let all = evaluation(&["--customers", "2000"]);
    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap();
    assert_eq!(all["written_again"], 100);
    assert!(f(&all, "precision") >= 0.98, "{all}");
    assert!(f(&all, "f1") >= 0.95, "{all}");
    // Names and addresses alone: a duplicate without its street and postcode is only a name in
    // a town, and stays unfound; what is found must still be right.
    let some = evaluation(&["--customers", "2000", "--names-and-addresses"]);
    assert!(f(&some, "precision") >= 0.98, "{some}");
    assert!(f(&some, "recall") >= 0.85, "{some}");
}

/// What the evaluation scores is what `rapport duplicates` finds once the same records are
/// imported: the labelled file goes through import and the command.
#[test]
fn the_evaluation_scores_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = (dir.path().join("db"), dir.path().join("labelled.csv"));
    let args = ["--customers", "1500", "--names-and-addresses", "--write"];
    let eval = evaluation(&[&args[..], &[file.to_str().unwrap()]].concat());
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("customer id,name,email,phone,company,street,city,postcode,region,country,person")
    );
    let person: std::collections::HashMap<String, String> = lines
        .map(|l| {
            let id = l.split(',').next().unwrap().to_string();
            (id, l.rsplit(',').next().unwrap().to_string())
        })
        .collect();
    assert_eq!(person.len(), 1500 + 75 + 37);
    rapport()
        .arg("--db")
        .arg(&db)
        .args(["import", "customers", file.to_str().unwrap()])
        .assert()
        .success();
    let out = rapport()
        .arg("--db")
        .arg(&db)
        .args(["duplicates", "--format", "csv"])
        .assert()
        .success();
    let found = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let pairs: Vec<(&str, &str)> = found
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    let right = pairs
        .iter()
        .filter(|(a, b)| person[*a] == person[*b])
        .count();
    assert_eq!(
        pairs.len() as u64,
        eval["found"].as_u64().unwrap(),
        "{found}"
    );
    assert_eq!(right as u64, eval["right"].as_u64().unwrap());
}

/// `rapport check` counts what is wrong, names it with --list, and fails a cron job (exit 4)
/// above the limits it sets.
#[test]
fn check_counts_problems_and_fails_above_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = (dir.path().join("db"), dir.path().join("c.csv"));
    std::fs::write(
        &file,
        "name,email,phone,country,street,postcode\n\
         Ada Chen,ada@example.com,0117 496 0123,United Kingdom,12 Quay Street,BS1 4DJ\n\
         ada chen,,+44 117 496 0123,UK,12 Quay St,BS1 4DJ\n\
         Bo Lind,,12,Sweden,,\n\
         Cai Okafor,,0117 496 0999,,,\n\
         Dara Silva,,,Portugal,,\n",
    )
    .unwrap();
    rapport()
        .arg("--db")
        .arg(&db)
        .args(["import", "customers", file.to_str().unwrap()])
        .assert()
        .success();
    let out = rapport()
        .arg("--db")
        .arg(&db)
        .args(["check", "--format", "json", "--list"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let count = |what: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["what"] == what)
            .unwrap_or_else(|| panic!("{what}: {v}"))["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(v["customers"], 5);
    assert_eq!(count("phones that are no number"), 1, "{v}");
    assert_eq!(count("phones without a country code or a country"), 1);
    assert_eq!(count("customers with neither email nor phone"), 1);
    assert_eq!(count("customers without a country"), 1);
    assert_eq!(count("customers without an address"), 3);
    assert_eq!(count("duplicate pairs"), 1);
    assert_eq!(count("orphaned records"), 0);
    assert!(v.to_string().contains("customer 3 (Bo Lind): '12'"), "{v}");
    let over = rapport()
        .arg("--db")
        .arg(&db)
        .args(["check", "--max-duplicates", "0"])
        .assert()
        .failure()
        .code(4);
    let err = String::from_utf8(over.get_output().stderr.clone()).unwrap();
    assert!(err.contains("1 duplicate pairs (at most 0)"), "{err}");
    rapport()
        .arg("--db")
        .arg(&db)
        .args(["check", "--max-duplicates", "1", "--max-invalid", "1"])
        .assert()
        .success();
}

/// A dry run of a customers file says which new rows look like a customer already there, and
/// writes nothing.
#[test]
fn a_dry_run_import_names_the_customers_new_rows_look_like() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let known = dir.path().join("known.csv");
    std::fs::write(
        &known,
        "name,email,phone,street,city,postcode,country\n\
         Ada Chen,ada@seaview.example,020 7946 0958,12 Quay Street,Bristol,BS1 4DJ,United Kingdom\n\
         Bo Lind,bo@lind.example,,1 Elm Road,Leeds,LS1 1AA,United Kingdom\n",
    )
    .unwrap();
    rapport()
        .arg("--db")
        .arg(&db)
        .args(["import", "customers"])
        .arg(&known)
        .assert()
        .success();
    let new = dir.path().join("new.csv");
    std::fs::write(
        &new,
        "name,email,phone,street,city,postcode,country\n\
         ada chen,a.chen@work.example,+44 20 7946 0958,,,,United Kingdom\n\
         Kim Young,kim@young.example,,3 Mill Lane,York,YO1 7AA,United Kingdom\n",
    )
    .unwrap();
    let out = rapport()
        .arg("--db")
        .arg(&db)
        .args(["import", "customers", "--dry-run"])
        .arg(&new)
        .assert()
        .success()
        .get_output()
        .clone();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let line = |n: u32| {
        text.lines()
            .find(|l| l.contains(&format!("line {n}:")))
            .unwrap_or_else(|| panic!("no line {n} in {text}"))
            .to_string()
    };
    assert!(
        line(2).contains("which looks like Ada Chen #1: same phone"),
        "{text}"
    );
    assert!(!line(3).contains("looks like"), "{text}");
    let count = common::stdout_of(&db, &["export", "customers"]);
    assert_eq!(
        count.lines().count(),
        3,
        "a header and the two known: {count}"
    );
}
