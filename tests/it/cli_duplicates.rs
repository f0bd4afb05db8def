//! `rapport duplicates` as a script runs it: a customers file with people written twice.

use crate::common;

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
    common::stdout_of(&db, &["import", "customers", file.to_str().unwrap()]);
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
    common::stdout_of(&db, &["import", "customers", file.to_str().unwrap()]);
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

/// The external id of the first customer of a labelled file.
fn known_id(labelled: &str) -> String {
    let row = labelled.lines().nth(1).unwrap();
    row.split(',').next().unwrap().to_string()
}

/// How many of `what` a `rapport check --format json` report counts.
fn finding(report: &serde_json::Value, what: &str) -> u64 {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["what"] == what)
        .unwrap_or_else(|| panic!("{what}: {report}"))["count"]
        .as_u64()
        .unwrap()
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
    common::stdout_of(&db, &["import", "customers", file.to_str().unwrap()]);
    let out = rapport()
        .arg("--db")
        .arg(&db)
        .args(["check", "--format", "json", "--list"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let count = |what: &str| finding(&v, what);
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
    common::stdout_of(&db, &["import", "customers", known.to_str().unwrap()]);
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
        line(2).contains("which looks like Ada Chen #1 (") && line(2).contains("same phone"),
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

/// `--match fuzzy` updates the customer a row most likely is. The store holds the labelled
/// demo's clean customers; the file holds their second writings (typos, nicknames, other
/// formats, fields left out) and look-alike housemates who are new people. Each record carries
/// its person as a tag, so a wrong match shows as a customer with two.
#[test]
fn a_fuzzy_import_updates_the_customer_each_row_most_likely_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let labelled = dir.path().join("labelled.csv");
    let originals = 600;
    rapport()
        .args([
            "eval",
            "duplicates",
            "--customers",
            &originals.to_string(),
            "--write",
        ])
        .arg(&labelled)
        .assert()
        .success();
    let text = std::fs::read_to_string(&labelled).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (known, new) = rows.split_at(originals);
    let write = |name: &str, rows: &[&str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        path
    };
    let (known, new_file) = (write("known.csv", known), write("new.csv", new));
    common::stdout_of(&db, &["import", "customers", known.to_str().unwrap()]);
    let args = [
        "import",
        "customers",
        "--match",
        "fuzzy",
        new_file.to_str().unwrap(),
    ];
    let dry: Vec<&str> = args[..4]
        .iter()
        .chain(&["--dry-run", args[4]])
        .copied()
        .collect();
    let before = common::stdout_of(&db, &["export", "customers", "--format", "ndjson"]);
    let preview = common::stdout_of(&db, &dry);
    assert_eq!(
        before,
        common::stdout_of(&db, &["export", "customers", "--format", "ndjson"]),
        "a dry run writes nothing"
    );
    let report = common::stdout_of(&db, &args);
    let matched = |text: &str| text.lines().filter(|l| l.contains(", matched at ")).count();
    let updated = matched(&report);
    assert_eq!(updated, matched(&preview), "{preview}\n{report}");
    assert!(
        report
            .lines()
            .filter(|l| l.contains(", matched at "))
            .all(|l| l.contains(" at 0.9") || l.contains(" at 1.000")),
        "every match is said with its score, at the threshold or above: {report}"
    );

    let twins = new.iter().filter(|r| {
        let person: usize = r.rsplit(',').next().unwrap().parse().unwrap();
        person < originals
    });
    let twins = twins.count();
    let customers: Vec<serde_json::Value> =
        common::stdout_of(&db, &["export", "customers", "--format", "ndjson"])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let people = |c: &serde_json::Value| -> Vec<String> {
        c["tags"]
            .as_str()
            .unwrap_or_default()
            .split([';', '|', ','])
            .filter_map(|t| t.trim().strip_prefix("person:").map(String::from))
            .collect()
    };
    let wrong = customers.iter().filter(|c| people(c).len() != 1).count();
    assert!(twins >= 25, "{twins} second writings");
    assert_eq!(wrong, 0, "a row updated someone else: {report}");
    assert!(
        updated as f64 >= 0.9 * twins as f64,
        "{updated} of {twins} second writings matched: {report}"
    );
    assert_eq!(customers.len(), originals + new.len() - updated);
    // An empty cell in a matched row leaves what the customer had.
    let emails = customers.iter().filter(|c| !c["email"].is_null()).count();
    let known_emails = text
        .lines()
        .skip(1)
        .take(originals)
        .filter(|r| r.contains('@'))
        .count();
    assert!(
        emails >= known_emails,
        "{emails} emails, {known_emails} before"
    );

    // Journalled as any import: taken back, the customers are as they were.
    common::stdout_of(&db, &["import", "revert", "2"]);
    assert_eq!(
        before,
        common::stdout_of(&db, &["export", "customers", "--format", "ndjson"]),
        "after import revert"
    );

    // A row whose external id is known updates that customer, whoever it looks like: here the
    // first customer's id on the second customer's name and address.
    let by_id = dir.path().join("by-id.csv");
    let mut second: Vec<String> = text
        .lines()
        .nth(2)
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    // (Its email stays its own: two customers cannot share one.)
    (second[0], second[2]) = (known_id(&text), String::new());
    std::fs::write(&by_id, format!("{header}\n{}\n", second.join(","))).unwrap();
    let said = common::stdout_of(
        &db,
        &[
            "import",
            "customers",
            "--match",
            "fuzzy",
            by_id.to_str().unwrap(),
        ],
    );
    let line = said.lines().find(|l| l.starts_with("line 2:")).unwrap();
    assert!(
        line.starts_with("line 2: updated customer 1 (") && !line.contains("match"),
        "{said}"
    );

    // --min-score belongs to fuzzy matching.
    let (code, said) = common::failure_of(
        &db,
        &[
            "import",
            "customers",
            "--min-score",
            "0.5",
            new_file.to_str().unwrap(),
        ],
    );
    assert_eq!((code, said.contains("--match fuzzy")), (2, true), "{said}");
}

/// The config's `phone_region` reads phones written with no country code for customers with no
/// country: `rapport check` no longer reports them, and matching sees one number. A region the
/// config gets wrong is said, and the command still runs.
#[test]
fn the_configs_phone_region_reads_phones_with_no_country() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = (dir.path().join("db"), dir.path().join("c.csv"));
    std::fs::write(
        &file,
        "name,email,phone,street,postcode\n\
         Ada Chen,ada@example.com,0117 496 0123,12 Quay Street,BS1 4DJ\n\
         Ada Chen,ada.chen@work.example,+44 117 496 0123,,\n\
         Bo Lind,,0117 496 0999,,\n",
    )
    .unwrap();
    common::stdout_of(&db, &["import", "customers", file.to_str().unwrap()]);
    let config = dir.path().join("config");
    let with = |text: &str, args: &[&str]| {
        std::fs::create_dir_all(config.join("rapport")).unwrap();
        std::fs::write(config.join("rapport/config.toml"), text).unwrap();
        let out = rapport()
            .env("XDG_CONFIG_HOME", &config)
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let no_region = |out: &str| {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        finding(&v, "phones without a country code or a country")
    };
    let check = ["check", "--format", "json"];
    // Every candidate, whatever three customers teach the model: the reasons say how the
    // phones compared.
    let pairs = ["duplicates", "--format", "csv", "--min-score", "0"];
    let (out, _) = with("", &check);
    assert_eq!(no_region(&out), 2, "{out}");
    let (out, _) = with("", &pairs);
    assert!(out.contains("phone alike"), "the line, unread: {out}");
    let (out, _) = with("phone_region = \"United Kingdom\"\n", &check);
    assert_eq!(no_region(&out), 0, "{out}");
    let (out, _) = with("phone_region = \"GB\"\n", &pairs);
    assert!(out.contains("same phone"), "read as one number: {out}");
    let (out, err) = with("phone_region = \"Narnia\"\n", &check);
    assert_eq!(no_region(&out), 2, "{out}");
    assert!(
        err.contains("phone_region 'Narnia' is no country") && err.contains("not used"),
        "{err}"
    );
}

/// A row whose name hides a letter of another script ("Аlan" with a Cyrillic А) is never matched
/// to the customer it imitates: the row is rejected with why, and the stored name stays.
#[test]
fn a_homoglyph_name_is_not_matched_silently() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = (dir.path().join("db"), dir.path().join("c.csv"));
    std::fs::write(
        &file,
        "name,email,phone,street,postcode\n\
         Alan Nguyen,alan@example.com,+44 117 496 0123,12 Quay Street,BS1 4DJ\n\
         Bo Lind,bo@example.com,+44 117 496 0999,3 Mill Lane,BS2 0JA\n",
    )
    .unwrap();
    common::stdout_of(&db, &["import", "customers", file.to_str().unwrap()]);
    let spoof = dir.path().join("spoof.csv");
    std::fs::write(
        &spoof,
        "name,email,phone,street,postcode\n\
         \u{410}lan Nguyen,,+44 117 496 0123,12 Quay Street,BS1 4DJ\n",
    )
    .unwrap();
    let out = common::output_of(
        &db,
        &[
            "import",
            "customers",
            "--match",
            "fuzzy",
            spoof.to_str().unwrap(),
        ],
    );
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("mixes letters of different scripts"),
        "{said}"
    );
    let names = common::stdout_of(&db, &["export", "customers", "--format", "csv"]);
    assert!(names.contains("Alan Nguyen"), "{names}");
    assert!(
        !names.contains('\u{410}'),
        "the look-alike name was stored: {names}"
    );
}
