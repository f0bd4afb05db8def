//! Market baskets: one basket a line, item names separated by commas (the `groceries.csv` layout).
//! A basket has no customer and no number of its own; it is numbered by file name and line.

use super::orders::{self, Parsed, ParsedLine, ParsedOrder, ProductSeed};
use super::text::{CsvRows, MAX_BASKET_ITEMS, clean, decode};
use super::{ImportError, ImportReport, OnReject, Stop, check_rejections};
use crate::domain::{Money, OrderKind, Timestamp};
use crate::store::Store;
use std::io::Read;
use std::path::Path;

pub fn import_baskets(
    store: &Store,
    path: &Path,
    now: Timestamp,
    on_reject: OnReject,
) -> Result<ImportReport, ImportError> {
    let file = super::open(path)?;
    // Baskets carry no date; the file's own time is stable across re-runs, unlike the clock.
    let placed = file
        .metadata()
        .and_then(|m| m.modified())
        .map(Timestamp::from)
        .unwrap_or(now);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "basket".into());
    let parsed = parse(file, &stem, placed).map_err(|stop| stop.at(path))?;
    Ok(orders::write(store, parsed, now, on_reject)?)
}

fn parse(input: impl Read, stem: &str, placed: Timestamp) -> Result<Parsed, Stop> {
    let mut rows = CsvRows::new(input, false);
    let mut parsed = Parsed::default();
    while let Some(row) = rows.next() {
        let (line, record) = row?;
        check_rejections(parsed.rows_read, parsed.rejected.len(), line)?;
        let Some(record) = parsed.take(line, record) else {
            continue;
        };
        if record.len() > MAX_BASKET_ITEMS {
            parsed.reject(
                line,
                format!(
                    "the basket has {} items (at most {})",
                    crate::text::thousands(record.len()),
                    crate::text::thousands(MAX_BASKET_ITEMS)
                ),
            );
            continue;
        }
        let mut items: Vec<ParsedLine> = Vec::new();
        for field in record.iter() {
            let item = decode(field);
            let item = clean(&item);
            if item.is_empty() {
                continue;
            }
            // An item named twice in one basket is one line bought twice.
            match items.iter_mut().find(|l| l.sku == item) {
                Some(existing) => existing.quantity += 1,
                None => items.push(ParsedLine {
                    sku: item.to_string(),
                    quantity: 1,
                    unit_price: Money::ZERO,
                }),
            }
        }
        if items.is_empty() {
            parsed.reject(line, "the basket has no items");
            continue;
        }
        for l in &items {
            parsed
                .products
                .entry(l.sku.clone())
                .or_insert_with(|| ProductSeed {
                    name: l.sku.clone(),
                    unit_price: Money::ZERO,
                });
        }
        let number = format!("{stem}:{line}");
        parsed.order(&number, || ParsedOrder {
            number: number.clone(),
            customer: None,
            placed,
            kind: OrderKind::Purchase,
            lines: items,
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_basket_a_line_with_items_trimmed() {
        let p = parse(
            "citrus fruit, margarine ,ready soups\nwhole milk\n\n yogurt,yogurt\n".as_bytes(),
            "g",
            chrono::Utc::now(),
        )
        .unwrap();
        assert_eq!(p.orders.len(), 3);
        assert_eq!(p.orders[0].lines[1].sku, "margarine");
        assert_eq!(p.orders[2].number, "g:4");
        assert_eq!(p.orders[2].lines.len(), 1);
        assert_eq!(p.orders[2].lines[0].quantity, 2);
        assert_eq!(p.products.len(), 5);
    }
}
