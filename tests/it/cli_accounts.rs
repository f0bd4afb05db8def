//! Accounts from the command line: add, link people, the page with everything rolled up, list,
//! edit, unlink, and an account with people kept from the trash.

use crate::common;

use common::{failure_of, stdout_of};
use rapport::domain::{Account, Customer};
use rapport::store::Store;

#[test]
fn an_account_gathers_its_people_and_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 150, 5);
    let said = stdout_of(
        &db,
        &[
            "account",
            "add",
            "Seaview & Co. Ltd",
            "--domain",
            "https://www.Seaview.co.uk/",
            "--owner",
            "bea",
            "--tag",
            "renewals",
        ],
    );
    let id: u64 = said.split_whitespace().nth(1).unwrap().parse().unwrap();
    // Two consumers of the demo, with their histories, join it.
    let customers = common::csv_rows(&stdout_of(&db, &["export", "customers"]));
    let alone: Vec<&str> = customers
        .iter()
        .filter(|c| c["account_id"].is_empty())
        .map(|c| c["id"].as_str())
        .take(2)
        .collect();
    for who in &alone {
        let said = stdout_of(&db, &["account", "link", who, "seaview.co.uk"]);
        assert!(said.contains(&format!("(account {id})")), "{said}");
    }
    let store = Store::open(&db).unwrap();
    let people: Vec<Customer> = alone
        .iter()
        .map(|id| store.get::<Customer>(id.parse().unwrap()).unwrap().unwrap())
        .collect();
    // The oracle: each person's orders and deals, read one by one.
    let orders: usize = people
        .iter()
        .map(|p| store.orders_of(p.id).unwrap().len())
        .sum();
    let open_deals: usize = people
        .iter()
        .flat_map(|p| store.deals_of(p.id).unwrap())
        .filter(|d| d.stage.is_open())
        .count();
    let revenue = people
        .iter()
        .flat_map(|p| store.orders_of(p.id).unwrap())
        .fold(rapport::domain::Money::ZERO, |sum, o| sum + o.total());
    let account: Account = store.get(id).unwrap().unwrap();
    assert_eq!(account.domain.as_deref(), Some("seaview.co.uk"));
    drop(store);

    let page = stdout_of(&db, &["account", "show", &id.to_string(), "--lines", "0"]);
    assert!(
        page.contains("account ") && page.contains("Seaview & Co. Ltd"),
        "{page}"
    );
    assert!(
        page.contains(&format!("revenue {revenue} · {open_deals} open deals")),
        "{page}"
    );
    assert!(page.contains("people (2)"), "{page}");
    for p in &people {
        assert!(page.contains(&p.name), "{page}");
    }
    let timeline_orders = page
        .lines()
        .filter(|l| l.contains("  order ") || l.contains("  return "))
        .count();
    assert_eq!(
        timeline_orders, orders,
        "every order of its people:\n{page}"
    );
    // By name, folded: another spelling of it finds it.
    let by_name = stdout_of(&db, &["account", "show", "seaview and co ltd"]);
    assert!(by_name.contains("people (2)"), "{by_name}");

    let list = stdout_of(&db, &["account", "list", "--owner", "bea"]);
    let line = list
        .lines()
        .find(|l| l.contains("Seaview & Co. Ltd"))
        .unwrap();
    assert!(line.contains(&revenue.to_string()), "{line}");

    // An account with people is kept from the trash; without, it goes.
    let (code, err) = failure_of(&db, &["delete", &format!("account:{id}")]);
    assert_eq!(code, 1);
    assert!(err.contains("still has contacts"), "{err}");
    for who in &alone {
        stdout_of(&db, &["account", "unlink", who]);
    }
    stdout_of(
        &db,
        &["account", "edit", &id.to_string(), "--name", "Seaview Ltd"],
    );
    let accounts = common::csv_rows(&stdout_of(&db, &["export", "accounts"]));
    let row = accounts.iter().find(|a| a["id"] == id.to_string()).unwrap();
    assert_eq!(row["name"], "Seaview Ltd");
    assert_eq!(row["contacts"], "0");
    assert_eq!(row["tags"], "renewals");
    stdout_of(&db, &["delete", &format!("account:{id}")]);
    stdout_of(&db, &["undelete", &format!("account:{id}")]);
    // A bad domain is refused before anything is written.
    let (code, err) = failure_of(&db, &["account", "add", "X", "--domain", "not a domain"]);
    assert_eq!(code, 2, "{err}");
    let (_, err) = failure_of(&db, &["account", "link", alone[0], "999999"]);
    assert!(err.contains("no account has id 999999"), "{err}");
}

#[test]
fn an_import_links_people_by_company_or_domain_and_its_revert_takes_its_accounts_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let accounts = file(
        "accounts.csv",
        "name,website,owner,tags\n\
         Seaview & Co,https://www.seaview.co.uk/,bea,renewals;vip\n\
         Twin Shop,,chen,\n\
         ,nameless.com,,\n\
         Twin Shop Ltd,,,\n",
    );
    // Accounts come in first (a file may make the database). The last row is the second's
    // business written another way.
    let said = stdout_of(&db, &["import", "accounts", &accounts]);
    assert!(
        said.contains("accounts: 3 (2 new, 1 updated, 0 unchanged)"),
        "{said}"
    );
    assert!(said.contains("1 rejected (line 4)"), "{said}");
    // Another shop of that name, somewhere else, is added by hand.
    let said = stdout_of(
        &db,
        &["account", "add", "Twin Shop", "--domain", "twin-york.com"],
    );
    assert!(
        said.contains("account 2 is called Twin Shop Ltd too"),
        "{said}"
    );
    // Again, with a new phone: the same three, one changed.
    let again = file(
        "again.csv",
        "name,domain,phone\nSeaview & Co,seaview.co.uk,+44 20 7946 0958\nTwin Shop,twin-york.com,\n",
    );
    let said = stdout_of(&db, &["import", "accounts", &again]);
    assert!(said.contains("(0 new, 1 updated, 1 unchanged)"), "{said}");

    let people = file(
        "people.csv",
        "name,email,company\n\
         Grace Hopper,grace@seaview.co.uk,Seaview and Co. Ltd\n\
         Alan Turing,alan@seaview.co.uk,\n\
         Joan Clarke,joan@gmail.com,New Business\n\
         Tommy Flowers,tommy@newbiz.com,new business\n\
         Mary Shelley,mary@hotmail.com,\n\
         Ann Twin,ann@twin-york.com,Twin Shop\n\
         Bob Twin,bob@gmail.com,Twin Shop\n",
    );
    let dry = stdout_of(&db, &["import", "customers", &people, "--dry-run"]);
    for (who, link) in [
        ("Grace Hopper", "in account 1 (Seaview & Co)"),
        ("Alan Turing", "in account 1 (Seaview & Co) by email domain"),
        ("Joan Clarke", "in a new account, New Business"),
        ("Ann Twin", "in account 3 (Twin Shop)"),
        ("Bob Twin", "in no account: 2 accounts are called Twin Shop"),
    ] {
        let line = dry.lines().find(|l| l.contains(who)).unwrap();
        assert!(line.contains(link), "{line}");
    }
    let mary = dry.lines().find(|l| l.contains("Mary Shelley")).unwrap();
    assert!(!mary.contains("account"), "free mail links nobody: {mary}");
    let said = stdout_of(&db, &["import", "customers", &people]);
    assert!(
        said.contains("accounts: 5 people linked, 1 new; 1 person in none"),
        "{said}"
    );
    let rows = common::csv_rows(&stdout_of(&db, &["export", "customers"]));
    let account_of =
        |name: &str| rows.iter().find(|r| r["name"] == name).unwrap()["account_id"].clone();
    assert_eq!(account_of("Grace Hopper"), "1");
    assert_eq!(account_of("Joan Clarke"), "4");
    assert_eq!(
        account_of("Tommy Flowers"),
        "4",
        "the account the file made"
    );
    assert_eq!(account_of("Mary Shelley"), "");
    // The revert takes back the account it made, and only that one.
    let batch = said
        .lines()
        .find_map(|l| l.strip_prefix("import "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    let said = stdout_of(&db, &["import", "revert", &batch]);
    assert!(said.contains("removed 1 account, 7 customers"), "{said}");
    let left = common::csv_rows(&stdout_of(&db, &["export", "accounts"]));
    assert_eq!(left.len(), 3);
    assert!(left.iter().all(|a| a["contacts"] == "0"));
    let seaview = left.iter().find(|a| a["id"] == "1").unwrap();
    assert_eq!(seaview["phone"], "+44 20 7946 0958");
    assert_eq!(seaview["tags"], "renewals;vip");
}

/// Segments by account against their people's, run by customer: an account's frequency and spend
/// are its people's added up, its recency its latest buyer's; lifetime by account fits one buyer
/// per account.
#[test]
fn insights_by_account_add_up_their_peoples() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 400, 3);
    let people = common::csv_rows(&stdout_of(&db, &["export", "customers"]));
    let account_of: std::collections::HashMap<String, String> = people
        .iter()
        .filter(|c| !c["account_id"].is_empty())
        .map(|c| (c["id"].clone(), c["account_id"].clone()))
        .collect();
    let as_of = ["--as-of", "2026-11-30"];
    let by_customer = common::csv_rows(&stdout_of(
        &db,
        &[&["segments", "--format", "csv"][..], &as_of].concat(),
    ));
    let by_account = common::csv_rows(&stdout_of(
        &db,
        &[
            &["segments", "--format", "csv", "--by", "account"][..],
            &as_of,
        ]
        .concat(),
    ));
    // The oracle: the people's rows added up by account.
    let mut want: std::collections::BTreeMap<String, (u64, i64, f64)> = Default::default();
    for row in &by_customer {
        let Some(account) = account_of.get(&row["customer_id"]) else {
            continue;
        };
        let e = want
            .entry(format!("account:{account}"))
            .or_insert((0, i64::MAX, 0.0));
        e.0 += row["frequency"].parse::<u64>().unwrap();
        e.1 = e.1.min(row["recency_days"].parse().unwrap());
        e.2 += row["monetary"].parse::<f64>().unwrap();
    }
    assert!(want.len() > 20, "the demo's businesses buy");
    assert_eq!(
        by_account.len(),
        want.len(),
        "one row per account that bought"
    );
    for row in &by_account {
        let (frequency, recency, monetary) = want[&row["customer_id"]];
        assert_eq!(
            row["frequency"].parse::<u64>().unwrap(),
            frequency,
            "{row:?}"
        );
        assert_eq!(
            row["recency_days"].parse::<i64>().unwrap(),
            recency,
            "{row:?}"
        );
        let got: f64 = row["monetary"].parse().unwrap();
        assert!((got - monetary).abs() < 0.005, "{row:?}: {monetary}");
        assert!(!row["name"].is_empty(), "named as the account: {row:?}");
    }
    let table = stdout_of(&db, &["segments", "--by", "account"]);
    assert!(
        table.contains(&format!("{} accounts with purchases", want.len())),
        "{table}"
    );
    let lifetime = stdout_of(&db, &["lifetime", "--by", "account", "--format", "csv"]);
    let rows = common::csv_rows(&lifetime);
    assert_eq!(
        rows.len(),
        want.len(),
        "one outlook per account that bought"
    );
    assert!(
        rows.iter()
            .all(|r| r["customer_id"].starts_with("account:"))
    );
}
