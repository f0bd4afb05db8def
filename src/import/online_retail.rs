//! The UCI "Online Retail" layout: one row per invoice line,
//! `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country`,
//! dates `DD/MM/YYYY HH:MM`, cancelled invoices numbered `C…`.

use super::orders::{self, CustomerSeed, Parsed, ParsedLine, ParsedOrder, ProductSeed};
use super::text::{CsvRows, clean, decode};
use super::{ImportError, ImportReport, OnReject, Stop, check_rejections};
use crate::domain::{Money, OrderKind, Timestamp};
use crate::store::Store;
use chrono::NaiveDateTime;
use std::io::Read;
use std::path::Path;

const COLUMNS: [&str; 8] = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
];

const FORMAT: &str = "an Online Retail export";

pub fn import_online_retail(
    store: &Store,
    path: &Path,
    now: Timestamp,
    on_reject: OnReject,
) -> Result<ImportReport, ImportError> {
    let file = super::open(path)?;
    let parsed = parse(file, path)?;
    Ok(orders::write(store, parsed, now, on_reject)?)
}

fn parse(input: impl Read, path: &Path) -> Result<Parsed, ImportError> {
    let mut rows = CsvRows::new(input, true);
    let wrong = |why: String| ImportError::WrongFormat {
        path: path.to_path_buf(),
        format: FORMAT,
        why,
    };
    let header = rows
        .headers()
        .map_err(|e| ImportError::bad_header(path, FORMAT, e))?;
    let mut at = [0usize; 8];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = header
            .iter()
            .position(|h| clean(&decode(h)).eq_ignore_ascii_case(name))
            .ok_or_else(|| wrong(format!("the header has no {name} column")))?;
    }
    let width = header.len();

    let mut parsed = Parsed::default();
    while let Some(row) = rows.next() {
        let (line, record) = row.map_err(|e| Stop::from(e).at(path))?;
        check_rejections(parsed.rows_read, parsed.rejected.len(), line)
            .map_err(|e| Stop::from(e).at(path))?;
        let Some(record) = parsed.take(line, record) else {
            continue;
        };
        if record.len() != width {
            let hint = if record.len() < width {
                " (the row is cut off)"
            } else {
                ""
            };
            parsed.reject(
                line,
                format!("expected {width} fields, found {}{hint}", record.len()),
            );
            continue;
        }
        let field = |i: usize| decode(&record[at[i]]);
        match read_row(&field) {
            Ok(row) => add_row(&mut parsed, row),
            Err(reason) => parsed.reject(line, reason),
        }
    }
    Ok(parsed)
}

struct Row {
    invoice: String,
    sku: String,
    description: String,
    quantity: i32,
    placed: Timestamp,
    unit_price: Money,
    customer: Option<String>,
    country: Option<String>,
}

fn read_row(field: &dyn Fn(usize) -> String) -> Result<Row, String> {
    let invoice = field(0).trim().to_string();
    if invoice.is_empty() {
        return Err("InvoiceNo is empty".into());
    }
    let sku = field(1).trim().to_string();
    if sku.is_empty() {
        return Err("StockCode is empty".into());
    }
    let raw_quantity = field(3);
    let quantity: i32 = raw_quantity
        .trim()
        .parse()
        .map_err(|_| format!("Quantity '{}' is not a whole number", raw_quantity.trim()))?;
    if quantity == 0 {
        return Err("Quantity is 0".into());
    }
    let raw_date = field(4);
    let placed = NaiveDateTime::parse_from_str(raw_date.trim(), "%d/%m/%Y %H:%M")
        .map_err(|_| format!("InvoiceDate '{}' is not DD/MM/YYYY HH:MM", raw_date.trim()))?
        .and_utc();
    let raw_price = field(5);
    let unit_price = Money::parse(&raw_price).map_err(|e| format!("UnitPrice {e}"))?;
    if unit_price.is_negative() {
        return Err(format!("UnitPrice {} is negative", raw_price.trim()));
    }
    let customer = normalise_customer_id(&field(6));
    let country = Some(field(7).trim().to_string()).filter(|c| !c.is_empty());
    Ok(Row {
        invoice,
        sku,
        description: field(2).trim().to_string(),
        quantity,
        placed,
        unit_price,
        customer,
        country,
    })
}

/// Some copies of the data write ids as floats ("17850.0").
fn normalise_customer_id(raw: &str) -> Option<String> {
    let id = raw.trim();
    let id = id.strip_suffix(".0").unwrap_or(id);
    (!id.is_empty()).then(|| id.to_string())
}

fn add_row(parsed: &mut Parsed, row: Row) {
    if let Some(id) = &row.customer {
        parsed
            .customers
            .entry(id.clone())
            .or_insert_with(|| CustomerSeed {
                name: format!("Customer {id}"),
                country: row.country.clone(),
            });
    }
    // The same code can carry slightly different descriptions; the first non-empty one names it.
    let product = parsed
        .products
        .entry(row.sku.clone())
        .or_insert_with(|| ProductSeed {
            name: String::new(),
            unit_price: row.unit_price,
        });
    if product.name.is_empty() {
        product.name = row.description.clone();
    }
    let order = parsed.order(&row.invoice, || ParsedOrder {
        number: row.invoice.clone(),
        customer: row.customer.clone(),
        placed: row.placed,
        kind: if row.invoice.starts_with(['C', 'c']) {
            OrderKind::Cancellation
        } else {
            OrderKind::Purchase
        },
        lines: Vec::new(),
    });
    order.lines.push(ParsedLine {
        sku: row.sku,
        quantity: row.quantity,
        unit_price: row.unit_price,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

    fn parse_str(body: &str) -> Parsed {
        parse(format!("{HEADER}{body}").as_bytes(), Path::new("t.csv")).unwrap()
    }

    #[test]
    fn groups_rows_into_invoices() {
        let p = parse_str(
            "536365,85123A,WHITE HANGING HEART,6,01/12/2010 08:26,2.55,17850,United Kingdom\n\
             536365,71053,\"LANTERN, WHITE\",6,01/12/2010 08:26,3.39,17850,United Kingdom\n\
             C536379,D,Discount,-1,01/12/2010 09:41,27.5,14527.0,United Kingdom\n",
        );
        assert_eq!(p.rows_read, 3);
        assert!(p.rejected.is_empty());
        assert_eq!(p.orders.len(), 2);
        assert_eq!(p.orders[0].lines.len(), 2);
        assert_eq!(p.orders[1].kind, OrderKind::Cancellation);
        assert_eq!(p.orders[1].customer.as_deref(), Some("14527"));
        assert_eq!(p.products["71053"].name, "LANTERN, WHITE");
    }

    #[test]
    fn bad_rows_are_rejected_with_line_and_reason() {
        let p = parse_str(
            "1,A,x,two,01/12/2010 08:26,1,1,UK\n\
             2,A,x,1,2010-12-01,1,1,UK\n\
             3,A,x,1,01/12/2010 08:26,-1,1,UK\n\
             4,A,x,1,01/12/2010 08:26,1.00,1,UK\n\
             5,A,x\n",
        );
        let reasons: Vec<String> = p.rejected.iter().map(|r| r.to_string()).collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(
            reasons[0].starts_with("line 2: Quantity 'two'"),
            "{reasons:?}"
        );
        assert!(reasons[1].starts_with("line 3: InvoiceDate"), "{reasons:?}");
        assert!(
            reasons[2].starts_with("line 4: UnitPrice -1 is negative"),
            "{reasons:?}"
        );
        assert_eq!(
            reasons[3],
            "line 6: expected 8 fields, found 3 (the row is cut off)"
        );
        assert_eq!(p.orders.len(), 1);
    }

    #[test]
    fn crlf_and_cr_only_files_reject_at_the_same_lines() {
        let lf = "1,A,x,two,01/12/2010 08:26,1,1,UK\n\
                  2,A,x,1,2010-12-01,1,1,UK\n\
                  4,A,x,1,01/12/2010 08:26,1.00,1,UK\n\
                  5,A,x\n";
        let reasons = |text: &str| -> Vec<String> {
            parse_str(text)
                .rejected
                .iter()
                .map(|r| r.to_string())
                .collect()
        };
        let want = reasons(lf);
        assert_eq!(want.len(), 3);
        assert!(want[2].starts_with("line 5: expected 8 fields"), "{want:?}");
        assert_eq!(reasons(&lf.replace('\n', "\r\n")), want);
        assert_eq!(reasons(&lf.replace('\n', "\r")), want);
    }

    #[test]
    fn a_file_without_the_columns_is_refused() {
        let err = parse("a,b,c\n1,2,3\n".as_bytes(), Path::new("x.csv"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("no InvoiceNo column"), "{err}");
    }
}
