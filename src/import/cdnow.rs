//! CDNOW purchases: `customer_id date(YYYYMMDD) number_of_cds dollar_value`, whitespace-separated,
//! one purchase a line. There are no invoice numbers, so a purchase is numbered by customer, date and
//! its place among that customer's purchases that day, which keeps re-imports idempotent.

use super::orders::{self, CustomerSeed, Parsed, ParsedLine, ParsedOrder, ProductSeed};
use super::text::{decode, max_line, read_line_bounded};
use super::{ImportError, ImportReport, OnReject, Stop, check_rejections};
use crate::domain::{Money, OrderKind, Timestamp};
use crate::store::Store;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;

/// CDNOW records only how many CDs were bought, so every line is this one product.
const SKU: &str = "CDNOW-CD";

pub fn import_cdnow(
    store: &Store,
    path: &Path,
    now: Timestamp,
    on_reject: OnReject,
) -> Result<ImportReport, ImportError> {
    let file = super::open(path)?;
    let parsed = parse(file).map_err(|stop| stop.at(path))?;
    Ok(orders::write(store, parsed, now, on_reject)?)
}

fn parse(input: impl Read) -> Result<Parsed, Stop> {
    let mut parsed = Parsed::default();
    let mut same_day: HashMap<(String, NaiveDate), u32> = HashMap::new();
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if read_line_bounded(&mut reader, &mut buf, max_line(), line_no + 1)? == 0 {
            break;
        }
        line_no += 1;
        check_rejections(parsed.rows_read, parsed.rejected.len(), line_no)?;
        let line = decode(&buf);
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        // The published file starts with a header naming the columns.
        if line_no == 1 && fields[0].parse::<u64>().is_err() {
            continue;
        }
        parsed.rows_read += 1;
        match read_row(&fields) {
            Ok((customer, date, cds, value)) => {
                let seq = same_day.entry((customer.to_string(), date)).or_insert(0);
                *seq += 1;
                let number = format!("CDNOW-{customer}-{}-{seq}", date.format("%Y%m%d"));
                parsed
                    .customers
                    .entry(customer.to_string())
                    .or_insert_with(|| CustomerSeed {
                        name: format!("Customer {customer}"),
                        country: None,
                    });
                parsed
                    .products
                    .entry(SKU.to_string())
                    .or_insert_with(|| ProductSeed {
                        name: "CD".into(),
                        unit_price: Money::ZERO,
                    });
                let order = parsed.order(&number, || ParsedOrder {
                    number: number.clone(),
                    customer: Some(customer.to_string()),
                    placed: date
                        .and_hms_opt(0, 0, 0)
                        .expect("midnight exists")
                        .and_utc(),
                    kind: OrderKind::Purchase,
                    lines: Vec::new(),
                });
                order.lines.push(ParsedLine {
                    sku: SKU.into(),
                    quantity: cds,
                    // The dollar value is per purchase; the unit price is its share per CD, to 4 places.
                    // In i128: a value near the largest amount must not overflow the rounding.
                    unit_price: Money(
                        ((i128::from(value.0) + i128::from(cds) / 2) / i128::from(cds)) as i64,
                    ),
                });
            }
            Err(reason) => parsed.reject(line_no, reason),
        }
    }
    Ok(parsed)
}

fn read_row<'a>(fields: &[&'a str]) -> Result<(&'a str, NaiveDate, i32, Money), String> {
    let [customer, date, cds, value] = fields else {
        return Err(format!("expected 4 fields, found {}", fields.len()));
    };
    if !customer.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("customer id '{customer}' is not a number"));
    }
    let date = NaiveDate::parse_from_str(date, "%Y%m%d")
        .map_err(|_| format!("date '{date}' is not YYYYMMDD"))?;
    let cds: i32 = cds
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("number of CDs '{cds}' is not a positive whole number"))?;
    let value = Money::parse(value).map_err(|e| format!("dollar value {e}"))?;
    if value.is_negative() {
        return Err(format!("dollar value {value} is negative"));
    }
    Ok((customer, date, cds, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_same_day_purchases_apart() {
        let p = parse(
            " customer_id  date number_of_cds  dollar_value\n\
             00001 19970101  1   11.77\n\
             00002 19970112  2   20.00\n\
             00002 19970112  1   9.99\n\
             00003 1997-01-13 1 5\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(p.rows_read, 4);
        assert_eq!(p.orders.len(), 3);
        assert_eq!(p.orders[1].number, "CDNOW-00002-19970112-1");
        assert_eq!(p.orders[2].number, "CDNOW-00002-19970112-2");
        assert_eq!(p.orders[1].lines[0].unit_price, Money::from_units(10));
        assert_eq!(p.rejected.len(), 1);
        assert!(
            p.rejected[0]
                .to_string()
                .starts_with("line 5: date '1997-01-13'")
        );
    }
}
