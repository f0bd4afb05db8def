//! Imports run as a user runs them: the binary, real files, no terminal.

use crate::common;

use common::{dataset, rapport, stats_json};
use predicates::prelude::*;
use rapport::domain::{Money, Order};
use rapport::store::Store;

fn import(db: &std::path::Path, what: &[&str]) -> assert_cmd::assert::Assert {
    rapport()
        .arg("--db")
        .arg(db)
        .arg("import")
        .args(what)
        .assert()
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn online_retail_gives_the_published_figures_and_reimports_as_a_no_op() {
    let Some(file) = dataset("online_retail_dec2010.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = file.to_str().unwrap();

    import(&db, &["orders", file, "--format", "online-retail"])
        .success()
        .stdout(predicate::str::contains(
            "39,530 rows read: 39,529 imported, 1 rejected (line 39531)",
        ))
        .stdout(predicate::str::contains(
            "orders: 1,893 of which 299 cancellations (1,893 new",
        ))
        .stdout(predicate::str::contains("customers: 922 (922 new"))
        .stdout(predicate::str::contains("products: 2,783 (2,783 new"))
        .stderr(predicate::str::contains(
            "line 39531: expected 8 fields, found 3 (the row is cut off)",
        ));

    let stats = stats_json(&db);
    assert_eq!(stats["orders"], 1893);
    assert_eq!(stats["cancellations"], 299);
    assert_eq!(stats["customers"], 922);
    assert_eq!(stats["products"], 2783);
    assert_eq!(stats["order_lines"], 39529);
    assert_eq!(stats["guest_orders"], 270);

    let (orders_before, version_before) = {
        let store = Store::open(&db).unwrap();
        let orders: Vec<Order> = store.all().unwrap();
        let total: Money = orders.iter().map(Order::total).sum();
        assert_eq!(
            total,
            Money::parse("681528.61").unwrap(),
            "sum of Quantity x UnitPrice"
        );
        let non_merchandise: Vec<String> = store
            .all::<rapport::domain::Product>()
            .unwrap()
            .into_iter()
            .filter(|p| !p.merchandise)
            .map(|p| p.sku)
            .collect();
        assert!(
            non_merchandise.contains(&"POST".to_string()),
            "{non_merchandise:?}"
        );
        assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
        (orders, store.data_version().unwrap())
    };

    import(&db, &["orders", file, "--format", "online-retail"])
        .success()
        .stdout(predicate::str::contains(
            "orders: 1,893 of which 299 cancellations (0 new, 0 updated, 1,893 unchanged)",
        ))
        .stdout(predicate::str::contains("customers: 922 (0 new"))
        .stdout(predicate::str::contains("products: 2,783 (0 new"));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.all::<Order>().unwrap(), orders_before);
    assert_eq!(
        store.data_version().unwrap(),
        version_before,
        "a second run writes nothing"
    );
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn groceries_import_as_baskets() {
    let Some(file) = dataset("groceries.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    import(
        &db,
        &["orders", file.to_str().unwrap(), "--format", "baskets"],
    )
    .success()
    .stdout(predicate::str::contains("9,835 imported, 0 rejected"));
    let stats = stats_json(&db);
    assert_eq!(stats["orders"], 9835);
    assert_eq!(stats["products"], 169);
    assert_eq!(stats["customers"], 0);
    import(
        &db,
        &["orders", file.to_str().unwrap(), "--format", "baskets"],
    )
    .success()
    .stdout(predicate::str::contains(
        "(0 new, 0 updated, 9,835 unchanged)",
    ));
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn cdnow_imports_every_purchase() {
    let Some(file) = dataset("CDNOW_master.txt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    import(
        &db,
        &["orders", file.to_str().unwrap(), "--format", "cdnow"],
    )
    .success()
    .stdout(predicate::str::contains(
        "69,659 rows read: 69,659 imported, 0 rejected",
    ));
    let stats = stats_json(&db);
    assert_eq!(stats["customers"], 23570);
    assert_eq!(stats["orders"], 69659);
    let store = Store::open(&db).unwrap();
    let first = store
        .find::<Order>(
            rapport::store::Unique::OrderNumber,
            "CDNOW-00001-19970101-1",
        )
        .unwrap()
        .unwrap();
    assert_eq!(first.total(), Money::parse("11.77").unwrap());
}

#[test]
fn crlf_and_cr_only_files_report_the_lines_an_editor_shows() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "Name,Email\nAda,ada@example.com\nBob,not-an-email\n\nDan,dan@example.com,extra\n";
    for (form, text) in [
        ("CRLF", rows.replace('\n', "\r\n")),
        ("CR", rows.replace('\n', "\r")),
    ] {
        let db = dir.path().join(format!("db-{form}"));
        let csv = dir.path().join(format!("{form}.csv"));
        std::fs::write(&csv, text).unwrap();
        import(&db, &["customers", csv.to_str().unwrap()])
            .stdout(predicate::str::contains(
                "3 rows read: 1 imported, 2 rejected",
            ))
            .stderr(predicate::str::contains(
                "line 3: email: 'not-an-email' has no '@'",
            ))
            .stderr(predicate::str::contains(
                "line 5: expected 2 fields, found 3",
            ));
    }
}

#[test]
fn customers_csv_keeps_good_rows_reports_bad_ones_and_updates_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let csv = dir.path().join("people.csv");
    std::fs::write(
        &csv,
        "\u{feff}Name,E-mail,Company,Customer ID,Territory,Tags\n\
         Ada Lovelace,ada@example.com,Analytical Engines,C1,North,vip;trade\n\
         Bob,not-an-email,,C2,South,\n\
         \n\
         ,carol@example.com,,C3,,\n\
         Dan,dan@example.com,,C4,East\n\
         Erin,erin@example.com,\"Erin, Ltd\",C5,,\n",
    )
    .unwrap();
    import(&db, &["customers", csv.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains(
            "5 rows read: 2 imported, 3 rejected",
        ))
        .stdout(predicate::str::contains(
            "columns kept as tags (column:value): Territory",
        ))
        .stderr(predicate::str::contains(
            "line 3: email: 'not-an-email' has no '@'",
        ))
        .stderr(predicate::str::contains("line 5: name: must not be empty"))
        .stderr(predicate::str::contains(
            "line 6: expected 6 fields, found 5",
        ));

    let store = Store::open(&db).unwrap();
    let ada = store
        .find::<rapport::domain::Customer>(rapport::store::Unique::CustomerExternalId, "C1")
        .unwrap()
        .unwrap();
    assert_eq!(
        ada.tags,
        vec!["Territory:North", "vip", "trade"],
        "in column order"
    );
    assert_eq!(ada.company.as_deref(), Some("Analytical Engines"));
    drop(store);

    import(&db, &["customers", csv.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains(
            "customers: 2 (0 new, 0 updated, 2 unchanged)",
        ));

    std::fs::write(
        &csv,
        "name,email,customer id\nAda King,ADA@example.com,C1\nFay,ada@example.com,C9\n",
    )
    .unwrap();
    import(&db, &["customers", csv.to_str().unwrap(), "--strict"])
        .code(4)
        .stdout(predicate::str::contains(
            "customers: 1 (0 new, 1 updated, 0 unchanged)",
        ))
        .stderr(predicate::str::contains(
            "line 3: customer not saved: email 'ada@example.com' already belongs to customer 1",
        ));
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store
            .get::<rapport::domain::Customer>(1)
            .unwrap()
            .unwrap()
            .name,
        "Ada King"
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn a_database_in_use_is_a_one_line_error_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let _held = Store::open(&db).unwrap();
    let out = rapport()
        .arg("--db")
        .arg(&db)
        .arg("stats")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("is in use by another rapport process"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn a_missing_file_or_wrong_layout_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    import(
        &db,
        &["orders", "/no/such/file.csv", "--format", "online-retail"],
    )
    .code(1)
    .stderr(predicate::str::contains("cannot read /no/such/file.csv"));
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "a,b\n1,2\n").unwrap();
    import(
        &db,
        &[
            "orders",
            other.to_str().unwrap(),
            "--format",
            "online-retail",
        ],
    )
    .code(1)
    .stderr(predicate::str::contains(
        "does not look like an Online Retail export: the header has no InvoiceNo column",
    ));
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "colour,shape\nred,round\n").unwrap();
    import(&db, &["customers", people.to_str().unwrap()]).code(1);
    // Refused before a row was written: no import to list or revert.
    import(&db, &["list"])
        .success()
        .stdout(predicate::str::diff("no imports yet\n"));
    rapport()
        .args(["import", "orders", "x.csv", "--format", "excel"])
        .assert()
        .code(2);
}

#[test]
fn the_database_comes_from_rapport_db_when_no_flag_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-env");
    rapport()
        .env("RAPPORT_DB", &db)
        .args(["demo", "--customers", "20"])
        .assert()
        .success();
    assert!(
        db.join("db").exists() || db.join("conf").exists(),
        "sled files under {}",
        db.display()
    );
    rapport()
        .env("RAPPORT_DB", &db)
        .args(["stats", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"customers\": 20"));
}

#[test]
fn customer_import_modes_matching_and_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let csv = dir.path().join("c.csv");
    let run = |args: &[&str]| {
        let mut cmd = rapport();
        cmd.arg("--db")
            .arg(&db)
            .args(["import", "customers"])
            .arg(&csv)
            .args(args);
        cmd.assert()
    };
    std::fs::write(
        &csv,
        "name,email\nAda,ada@example.com\nBob,bob@example.com\nBob,bob2@example.com\n",
    )
    .unwrap();
    run(&[])
        .success()
        .stdout(predicate::str::contains("customers: 3 (3 new"));

    // A dry run says what would happen and writes nothing.
    std::fs::write(
        &csv,
        "name,email,phone\nAda,ada@example.com,+44 1\nCyd,cyd@example.com,\n",
    )
    .unwrap();
    let version = common::stats_json(&db)["data_version"].clone();
    run(&["--dry-run"])
        .success()
        .stdout(predicate::str::contains(
            "line 2: would update customer 1 (Ada)",
        ))
        .stdout(predicate::str::contains("line 3: would create Cyd"))
        .stdout(predicate::str::contains("dry run: nothing was written"));
    assert_eq!(common::stats_json(&db)["data_version"], version);
    assert_eq!(common::stats_json(&db)["customers"], 3);

    // create refuses existing customers, update refuses new ones; each row on its own.
    run(&["--mode", "create"])
        .success()
        .stdout(predicate::str::contains("customers: 1 (1 new"))
        .stderr(predicate::str::contains(
            "line 2: customer 1 (Ada) already exists (--mode create)",
        ));
    std::fs::write(
        &csv,
        "name,email\nAda,ada@example.com\nDee,dee@example.com\n",
    )
    .unwrap();
    run(&["--mode", "update"])
        .success()
        .stderr(predicate::str::contains(
            "line 3: no customer matches 'Dee' (--mode update)",
        ));

    // Matching by name: one Ada, two Bobs.
    std::fs::write(&csv, "name,company\nada,Analytical Engines\nBob,Builders\n").unwrap();
    run(&["--match", "name", "--mode", "update"])
        .success()
        .stdout(predicate::str::contains("customers: 1 (0 new, 1 updated"))
        .stderr(predicate::str::contains(
            "line 3: name 'Bob' matches 2 customers",
        ));
    let store = rapport::store::Store::open(&db).unwrap();
    let ada = store.get::<rapport::domain::Customer>(1).unwrap().unwrap();
    assert_eq!(ada.company.as_deref(), Some("Analytical Engines"));
    assert_eq!(
        ada.email.as_deref(),
        Some("ada@example.com"),
        "a column the file lacks is kept"
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn addresses_come_in_by_their_usual_names_and_go_out_in_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "customer id,name,street,city,postcode,region\n\
         A1,Ada Chen,12 Quay Street,Bristol,BS1 4DJ,Avon\n\
         A2,Bo Lind,,Leeds,,\n",
    )
    .unwrap();
    import(&db, &["customers", file.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("2 imported"));
    // An update changes only the columns the file has: the street stays.
    let zip = dir.path().join("zip.csv");
    std::fs::write(&zip, "id,name,zip,state\nA1,Ada Chen,BS1 5AA,Somerset\n").unwrap();
    import(&db, &["customers", zip.to_str().unwrap()]).success();
    let out = rapport()
        .arg("--db")
        .arg(&db)
        .args(["export", "customers", "--format", "csv"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.ends_with(",street,city,postcode,region,account_id"),
        "{header}"
    );
    let ada = lines.find(|l| l.contains("Ada Chen")).unwrap();
    assert!(
        ada.ends_with(",12 Quay Street,Bristol,BS1 5AA,Somerset,"),
        "{ada}"
    );
    let bo = lines
        .find(|l| l.contains("Bo Lind"))
        .unwrap_or_else(|| text.lines().find(|l| l.contains("Bo Lind")).unwrap());
    assert!(bo.ends_with(",,Leeds,,,"), "{bo}");
}

/// An update from a file with empty cells: they leave the stored values alone unless
/// `--blank clear`, and `--dry-run` names each field before -> after. (Before, Nadia's phone,
/// owner and city were erased and the dry run said only "would update customer 1".)
#[test]
fn empty_cells_keep_what_is_stored_unless_told_to_clear() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let csv = dir.path().join("people.csv");
    let header = "name,email,company,phone,country,owner,city,stage,tags\n";
    std::fs::write(
        &csv,
        format!(
            "{header}Nadia Sato,nadia.sato1@example.com,Thistle Interiors,020 7946 0000,United Kingdom,bea,Leeds,customer,vip\n"
        ),
    )
    .unwrap();
    import(&db, &["customers", csv.to_str().unwrap()]).success();
    std::fs::write(
        &csv,
        format!(
            "{header}Nadia Sato,nadia.sato1@example.com,Thistle Interiors Ltd,,United Kingdom,,,,\n"
        ),
    )
    .unwrap();
    import(&db, &["customers", csv.to_str().unwrap(), "--dry-run"])
        .success()
        .stdout(predicate::str::contains(
            "would update customer 1 (Nadia Sato): company: Thistle Interiors -> Thistle Interiors Ltd",
        ))
        .stdout(predicate::str::contains("phone").not());
    import(&db, &["customers", csv.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("1 updated"));
    let nadia = || {
        let store = Store::open(&db).unwrap();
        store.get::<rapport::domain::Customer>(1).unwrap().unwrap()
    };
    let kept = nadia();
    assert_eq!(kept.company.as_deref(), Some("Thistle Interiors Ltd"));
    assert_eq!(kept.phone.as_deref(), Some("020 7946 0000"));
    assert_eq!(kept.owner.as_deref(), Some("bea"));
    assert_eq!(kept.address.city.as_deref(), Some("Leeds"));
    assert_eq!(kept.stage.to_string(), "customer");
    assert_eq!(kept.tags, vec!["vip"]);

    import(
        &db,
        &[
            "customers",
            csv.to_str().unwrap(),
            "--blank",
            "clear",
            "--dry-run",
        ],
    )
    .success()
    .stdout(predicate::str::contains("phone: 020 7946 0000 -> (none)"))
    .stdout(predicate::str::contains("owner: bea -> (none)"))
    .stdout(predicate::str::contains("city: Leeds -> (none)"))
    .stdout(predicate::str::contains("tags: vip -> (none)"));
    import(
        &db,
        &["customers", csv.to_str().unwrap(), "--blank", "clear"],
    )
    .success();
    let cleared = nadia();
    assert_eq!(
        (cleared.phone, cleared.owner, cleared.address.city),
        (None, None, None)
    );
    assert!(cleared.tags.is_empty());
}
