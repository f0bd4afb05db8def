//! Every import is a batch that `rapport import revert` takes back completely, leaving every export
//! as it was before the import; a revert that would lose later work is refused.

use crate::common;

use common::{assert_same_exports, exports, failure_of, stdout_of};
use std::path::Path;

fn import(db: &Path, args: &[&str]) -> u64 {
    let said = stdout_of(db, &[&["import"], args].concat());
    let line = said
        .lines()
        .find(|l| l.starts_with("import "))
        .unwrap_or_else(|| panic!("no batch number in {said}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Imports an Online Retail file; its batch number.
fn import_retail(db: &Path, file: &Path) -> u64 {
    import(
        db,
        &[
            "orders",
            file.to_str().unwrap(),
            "--format",
            "online-retail",
        ],
    )
}

#[test]
fn import_then_revert_leaves_every_export_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 150, 3);
    let before = exports(&db);
    let baskets = dir.path().join("baskets.csv");
    std::fs::write(&baskets, "bread,milk\nmilk,eggs,flour\n\nbread\n").unwrap();
    let batch = import(
        &db,
        &["orders", baskets.to_str().unwrap(), "--format", "baskets"],
    );
    assert_ne!(exports(&db)[1], before[1], "the import added products");

    let said = stdout_of(&db, &["import", "revert", &batch.to_string()]);
    assert!(said.contains("removed 3 orders, 4 products"), "{said}");
    assert_same_exports(&before, &exports(&db), "after the revert");
    let (code, err) = failure_of(&db, &["import", "revert", &batch.to_string()]);
    assert_eq!(code, 1);
    assert!(err.contains("already reverted"), "{err}");
    let list = stdout_of(&db, &["import", "list"]);
    assert!(list.contains("reverted"), "{list}");
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn reverting_real_imports_in_any_safe_order_gives_back_each_earlier_state() {
    let Some(retail) = common::dataset("online_retail_dec2010.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::demo_cli(&db, 150, 3);
    let empty = exports(&db);
    let first = import_retail(&db, &retail);
    let after_first = exports(&db);

    // A customers file that changes a customer the first import created, and adds one.
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "customer id,name,email,phone\n17850,Zed Quill,zed@example.com,+44 1632 960000\n99999,New Person,new@example.com,\n",
    )
    .unwrap();
    let second = import(&db, &["customers", people.to_str().unwrap()]);
    let after_second = exports(&db);

    // Orders that extend one of the first import's invoices and belong to the new customer.
    let more = dir.path().join("more.csv");
    std::fs::write(
        &more,
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
         536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 08:26,2.55,17850,United Kingdom\n\
         999001,71053,WHITE METAL LANTERN,2,21/12/2010 10:00,3.39,99999,United Kingdom\n",
    )
    .unwrap();
    let third = import_retail(&db, &more);

    // The second import's customer now has an order from the third: taking them away is refused.
    let (code, err) = failure_of(&db, &["import", "revert", &second.to_string()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("now has orders from elsewhere"), "{err}");
    // The third import changed records the first created; reverting the first would lose that.
    let (_, err) = failure_of(&db, &["import", "revert", &first.to_string()]);
    assert!(err.contains("changed since it ran"), "{err}");

    stdout_of(&db, &["import", "revert", &third.to_string()]);
    assert_same_exports(&after_second, &exports(&db), "after reverting the third");
    stdout_of(&db, &["import", "revert", &second.to_string()]);
    assert_same_exports(&after_first, &exports(&db), "after reverting the second");
    stdout_of(&db, &["import", "revert", &first.to_string()]);
    assert_same_exports(&empty, &exports(&db), "after reverting the first");

    let store = rapport::store::Store::open(&db).unwrap();
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn force_puts_back_what_the_import_found_even_over_later_edits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "name,email\nAda,ada@example.com\n").unwrap();
    import(&db, &["customers", people.to_str().unwrap()]);
    let before = exports(&db);
    std::fs::write(
        &people,
        "name,email,phone\nAda King,ada@example.com,+1 555 0100\n",
    )
    .unwrap();
    let update = import(&db, &["customers", people.to_str().unwrap()]);
    stdout_of(
        &db,
        &["note", "ada@example.com", "called about the renewal"],
    );
    // A later change to the same customer: the revert stops and says so.
    std::fs::write(&people, "name,email\nAda Byron,ada@example.com\n").unwrap();
    import(&db, &["customers", people.to_str().unwrap()]);
    let (code, err) = failure_of(&db, &["import", "revert", &update.to_string()]);
    assert_eq!(code, 1);
    assert!(err.contains("customer:1"), "{err}");
    stdout_of(&db, &["import", "revert", &update.to_string(), "--force"]);
    let after = exports(&db);
    assert_eq!(
        after[0], before[0],
        "the customer is as the import found it"
    );
    assert!(
        after[6].contains("called about the renewal"),
        "the note stays"
    );
}

/// Orders in the Online Retail layout: `invoices` invoices of two lines each, for customers
/// `first_customer..`, with products `P{n}`.
fn retail_rows(invoices: std::ops::Range<u32>, first_customer: u32, sku_offset: u32) -> String {
    let mut csv = String::from(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
    );
    for n in invoices {
        for line in 0..2 {
            let sku = sku_offset + (n * 2 + line) % 30;
            csv.push_str(&format!(
                "{},P{sku},Thing {sku},{},0{}/12/2010 09:00,1.25,{},United Kingdom\n",
                700_000 + n,
                line + 1,
                1 + n % 9,
                first_customer + n % 12,
            ));
        }
    }
    csv
}

#[test]
fn a_revert_stopped_part_way_leaves_the_data_whole_and_finishes_when_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, retail_rows(0..40, 17_000, 0)).unwrap();
    import_retail(&db, &file);
    let before = exports(&db);
    // The second file adds lines to twenty of the first file's invoices (their records change),
    // and brings new invoices, customers and products (records created).
    let mut second = retail_rows(20..60, 17_006, 20);
    second.push_str(
        &retail_rows(20..40, 17_000, 0)
            .lines()
            .skip(1)
            .map(|l| l.replace(",1.25,", ",1.30,") + "\n")
            .collect::<String>(),
    );
    std::fs::write(&file, second).unwrap();
    let batch = import_retail(&db, &file);

    {
        let store = rapport::store::Store::open(&db).unwrap();
        // Three transactions of seven records, as if the process had been killed there.
        let mut told = Vec::new();
        let part = store
            .revert_import_in(batch, false, 7, 3, &mut |done, of| told.push((done, of)))
            .unwrap();
        let of = told[0].1;
        assert_eq!(told, vec![(7, of), (14, of), (21, of)]);
        let done: usize = part.removed.values().chain(part.restored.values()).sum();
        assert_eq!(done, 21, "{part:?}");
        assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
        for order in store.iter::<rapport::domain::Order>() {
            let order = order.unwrap();
            if let Some(customer) = order.customer {
                assert!(
                    store
                        .get::<rapport::domain::Customer>(customer.0)
                        .unwrap()
                        .is_some(),
                    "order {} points at a customer the revert took away",
                    order.number
                );
            }
        }
    }
    let said = stdout_of(&db, &["import", "revert", &batch.to_string()]);
    assert!(said.contains(&format!("import {batch} reverted")), "{said}");
    assert_same_exports(&before, &exports(&db), "after the revert was finished");
}

#[test]
fn a_record_deleted_since_the_import_stops_its_revert() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "name,email\nAda,ada@example.com\nBo,bo@example.com\n",
    )
    .unwrap();
    let batch = import(&db, &["customers", people.to_str().unwrap()]);
    stdout_of(&db, &["delete", "customer:1"]);
    // Reverting would leave Ada in the trash, to come back after her import was taken away.
    let (code, err) = failure_of(&db, &["import", "revert", &batch.to_string()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("customer:1"), "{err}");
}
