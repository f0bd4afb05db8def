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
}
