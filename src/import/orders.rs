//! What every order format parses into, and the one writer that puts it in the store: customers and
//! products are created as first met, orders are matched by number so that a second run changes
//! nothing, and each batch of orders is one transaction.

use super::{ImportReport, Rejection, progress};
use crate::domain::{
    Customer, CustomerId, Lifecycle, Money, Order, OrderId, OrderKind, OrderLine, Product,
    ProductId, Timestamp,
};
use crate::store::{Store, StoreError, Tx, TxResult, Unique};
use std::collections::{BTreeMap, HashMap};

pub(super) struct ParsedLine {
    pub sku: String,
    pub quantity: i32,
    pub unit_price: Money,
}

pub(super) struct ParsedOrder {
    pub number: String,
    /// External id of the customer, if the order has one.
    pub customer: Option<String>,
    pub placed: Timestamp,
    pub kind: OrderKind,
    pub lines: Vec<ParsedLine>,
}

pub(super) struct CustomerSeed {
    pub name: String,
    pub country: Option<String>,
}

pub(super) struct ProductSeed {
    pub name: String,
    pub unit_price: Money,
}

/// A whole file, parsed and checked, ready to write.
#[derive(Default)]
pub(super) struct Parsed {
    pub orders: Vec<ParsedOrder>,
    slots: HashMap<String, usize>,
    pub customers: HashMap<String, CustomerSeed>,
    pub products: HashMap<String, ProductSeed>,
    pub rows_read: usize,
    pub rejected: Vec<Rejection>,
}

impl Parsed {
    /// The order with this number, started with `start` if the file has not named it before.
    pub fn order(&mut self, number: &str, start: impl FnOnce() -> ParsedOrder) -> &mut ParsedOrder {
        let slot = *self.slots.entry(number.to_string()).or_insert_with(|| {
            self.orders.push(start());
            self.orders.len() - 1
        });
        &mut self.orders[slot]
    }

    /// Counts a row read, and gives back the record, or rejects the row if it could not be read.
    pub fn take<'r>(
        &mut self,
        line: u64,
        record: Result<&'r csv::ByteRecord, String>,
    ) -> Option<&'r csv::ByteRecord> {
        self.rows_read += 1;
        record.map_err(|reason| self.reject(line, reason)).ok()
    }

    pub fn reject(&mut self, line: u64, reason: impl Into<String>) {
        self.rejected.push(Rejection {
            line,
            reason: reason.into(),
        });
    }
}

/// Orders per transaction: big enough to amortise the commit, small enough that a TUI waiting to
/// save a note is not held up for long.
const BATCH: usize = 250;

#[derive(Default)]
struct BatchOutcome {
    orders_created: usize,
    orders_updated: usize,
    customers_created: usize,
    products_created: usize,
}

/// Reports the file's rejected rows, then writes its orders.
pub(super) fn write(
    store: &Store,
    parsed: Parsed,
    now: Timestamp,
    on_reject: super::OnReject,
) -> Result<ImportReport, StoreError> {
    parsed.rejected.iter().for_each(&mut *on_reject);
    let rows_rejected = parsed.rejected.len();
    let mut report = ImportReport {
        rows_read: parsed.rows_read,
        rows_imported: parsed.rows_read - rows_rejected,
        rejected: parsed.rejected,
        cancellations: parsed
            .orders
            .iter()
            .filter(|o| o.kind == OrderKind::Cancellation)
            .count(),
        ..ImportReport::default()
    };
    report.orders.in_file = parsed.orders.len();
    report.customers.in_file = parsed.customers.len();
    report.products.in_file = parsed.products.len();

    let bar = progress::bar(parsed.orders.len() as u64, "orders");
    for batch in parsed.orders.chunks(BATCH) {
        let outcome = store.write(|tx| {
            let mut out = BatchOutcome::default();
            for order in batch {
                write_order(
                    tx,
                    order,
                    &parsed.customers,
                    &parsed.products,
                    now,
                    &mut out,
                )?;
            }
            Ok(out)
        })?;
        report.orders.created += outcome.orders_created;
        report.orders.updated += outcome.orders_updated;
        report.customers.created += outcome.customers_created;
        report.products.created += outcome.products_created;
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    report.orders.unchanged = report.orders.in_file - report.orders.created - report.orders.updated;
    report.customers.unchanged = report.customers.in_file - report.customers.created;
    report.products.unchanged = report.products.in_file - report.products.created;
    Ok(report)
}

fn write_order(
    tx: &Tx,
    order: &ParsedOrder,
    customers: &HashMap<String, CustomerSeed>,
    products: &HashMap<String, ProductSeed>,
    now: Timestamp,
    out: &mut BatchOutcome,
) -> TxResult<()> {
    let customer = match &order.customer {
        None => None,
        Some(external_id) => Some(ensure_customer(tx, external_id, customers, now, out)?),
    };
    let mut lines = Vec::with_capacity(order.lines.len());
    for (i, line) in order.lines.iter().enumerate() {
        lines.push(OrderLine {
            line_no: i as u32 + 1,
            product: ensure_product(tx, &line.sku, products, out)?,
            quantity: line.quantity,
            unit_price: line.unit_price,
        });
    }
    match tx.find::<Order>(Unique::OrderNumber, &order.number)? {
        None => {
            tx.create(Order {
                id: OrderId(0),
                number: order.number.clone(),
                customer,
                placed: order.placed,
                kind: order.kind,
                lines,
            })?;
            out.orders_created += 1;
        }
        Some(existing) => {
            // Lines are matched by their number within the order, so a re-run replaces each line with
            // itself; the first import's timestamp stands.
            let mut by_line: BTreeMap<u32, OrderLine> = existing
                .lines
                .iter()
                .map(|l| (l.line_no, l.clone()))
                .collect();
            for line in lines {
                by_line.insert(line.line_no, line);
            }
            let merged = Order {
                customer: existing.customer.or(customer),
                kind: order.kind,
                lines: by_line.into_values().collect(),
                ..existing.clone()
            };
            if merged != existing {
                tx.update(&merged)?;
                out.orders_updated += 1;
            }
        }
    }
    Ok(())
}

fn ensure_customer(
    tx: &Tx,
    external_id: &str,
    seeds: &HashMap<String, CustomerSeed>,
    now: Timestamp,
    out: &mut BatchOutcome,
) -> TxResult<CustomerId> {
    if let Some(id) = tx.find_id(Unique::CustomerExternalId, external_id)? {
        return Ok(CustomerId(id));
    }
    let seed = seeds.get(external_id);
    let mut customer = Customer::new(
        seed.map_or_else(|| format!("Customer {external_id}"), |s| s.name.clone()),
        now,
    );
    customer.external_id = Some(external_id.to_string());
    customer.country = seed.and_then(|s| s.country.clone());
    customer.stage = Lifecycle::Customer;
    out.customers_created += 1;
    Ok(tx.create(customer)?.id)
}

fn ensure_product(
    tx: &Tx,
    sku: &str,
    seeds: &HashMap<String, ProductSeed>,
    out: &mut BatchOutcome,
) -> TxResult<ProductId> {
    if let Some(id) = tx.find_id(Unique::ProductSku, sku)? {
        return Ok(ProductId(id));
    }
    let (name, price) = match seeds.get(sku) {
        // Some codes never carry a description; the code itself is then the best name there is.
        Some(seed) if !seed.name.trim().is_empty() => (seed.name.clone(), seed.unit_price),
        Some(seed) => (sku.to_string(), seed.unit_price),
        None => (sku.to_string(), Money::ZERO),
    };
    out.products_created += 1;
    Ok(tx.create(Product::new(sku, name, price))?.id)
}
