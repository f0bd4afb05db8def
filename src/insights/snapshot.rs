//! What the insights read: purchases of merchandise, per order and per customer. Returns,
//! cancellations and non-merchandise lines (postage, fees) are left out here, once, for every insight.

use crate::domain::{CustomerId, Money, Order, OrderKind, Product, ProductId, Timestamp};
use crate::store::Records;
use crate::store::StoreError;
use std::collections::HashMap;

/// One purchase: who, when, and which products (as snapshot item numbers) for how much.
#[derive(Clone, Debug, PartialEq)]
pub struct Purchase {
    pub customer: Option<CustomerId>,
    pub placed: Timestamp,
    /// Distinct items, ascending.
    pub items: Vec<u32>,
    pub amount: Money,
    pub units: u32,
}

/// Cancelled invoices by customer and when.
type Returns = Vec<(CustomerId, Timestamp)>;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Item number -> product; item numbers are dense so algorithms can index arrays by them.
    pub products: Vec<Product>,
    pub purchases: Vec<Purchase>,
    /// Cancelled invoices (returns), by customer and when: churn risk reads them.
    pub returns: Returns,
    /// The data version the snapshot was read at, for caching results.
    pub version: u64,
}

impl Snapshot {
    pub fn load(store: &Records) -> Result<Snapshot, StoreError> {
        let version = store.data_version()?;
        let mut products = Vec::new();
        let mut item_of: HashMap<ProductId, u32> = HashMap::new();
        for product in store.iter_sound::<Product>() {
            let product = product?;
            if product.merchandise {
                item_of.insert(product.id, products.len() as u32);
                products.push(product);
            }
        }
        // Orders are most of the reading: a part of their ids on each core, joined in id order.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
        let parts = std::thread::scope(|scope| {
            let readers: Vec<_> = store
                .id_ranges::<Order>(cores)?
                .into_iter()
                .map(|ids| scope.spawn(|| Snapshot::orders(store, ids, &item_of)))
                .collect();
            readers
                .into_iter()
                .map(|r| {
                    r.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect::<Result<Vec<_>, StoreError>>()
        })?;
        // Sized once: grown by doubling, the purchases took up to twice their room at the
        // moment a server's memory peaks.
        let mut purchases = Vec::with_capacity(parts.iter().map(|(p, _)| p.len()).sum());
        let mut returns = Vec::with_capacity(parts.iter().map(|(_, r)| r.len()).sum());
        for (mut p, mut r) in parts {
            purchases.append(&mut p);
            returns.append(&mut r);
        }
        Ok(Snapshot {
            products,
            purchases,
            returns,
            version,
        })
    }

    /// The purchases and returns among the orders with ids in `ids`.
    fn orders(
        store: &Records,
        ids: std::ops::RangeInclusive<u64>,
        item_of: &HashMap<ProductId, u32>,
    ) -> Result<(Vec<Purchase>, Returns), StoreError> {
        let mut purchases = Vec::new();
        let mut returns = Vec::new();
        for order in store.iter_sound_ids::<Order>(ids) {
            let order = order?;
            if let Some(p) = Snapshot::purchase(&order, item_of) {
                purchases.push(p);
            } else if let (OrderKind::Cancellation, Some(c)) = (order.kind, order.customer) {
                returns.push((c, order.placed));
            }
        }
        Ok((purchases, returns))
    }

    fn purchase(order: &Order, item_of: &HashMap<ProductId, u32>) -> Option<Purchase> {
        if order.kind != OrderKind::Purchase {
            return None;
        }
        let mut items = Vec::new();
        let mut amount = Money::ZERO;
        let mut units = 0u32;
        for line in order.purchase_lines() {
            if let Some(&item) = item_of.get(&line.product) {
                items.push(item);
                amount = amount + line.amount();
                units += line.quantity.max(0) as u32;
            }
        }
        if items.is_empty() {
            return None;
        }
        items.sort_unstable();
        items.dedup();
        Some(Purchase {
            customer: order.customer,
            placed: order.placed,
            items,
            amount,
            units,
        })
    }

    /// The same purchases and returns with each buyer taken for the group `group` puts them in
    /// (an account's people as one buyer); a buyer in no group is left out.
    pub fn regrouped(mut self, group: &HashMap<CustomerId, CustomerId>) -> Snapshot {
        for p in &mut self.purchases {
            p.customer = p.customer.and_then(|c| group.get(&c).copied());
        }
        self.returns = (self.returns.into_iter())
            .filter_map(|(c, at)| Some((*group.get(&c)?, at)))
            .collect();
        self
    }

    /// Baskets for market-basket analysis: one per order.
    pub fn order_baskets(&self) -> Vec<Vec<u32>> {
        self.purchases.iter().map(|p| p.items.clone()).collect()
    }

    /// One basket per customer: everything they ever bought (orders without a customer are left out).
    pub fn customer_baskets(&self) -> Vec<Vec<u32>> {
        let mut by_customer: HashMap<CustomerId, Vec<u32>> = HashMap::new();
        for p in &self.purchases {
            if let Some(c) = p.customer {
                by_customer.entry(c).or_default().extend(&p.items);
            }
        }
        let mut baskets: Vec<(CustomerId, Vec<u32>)> = by_customer.into_iter().collect();
        baskets.sort_by_key(|(c, _)| *c);
        baskets
            .into_iter()
            .map(|(_, mut items)| {
                items.sort_unstable();
                items.dedup();
                items
            })
            .collect()
    }

    pub fn item_name(&self, item: u32) -> &str {
        &self.products[item as usize].name
    }
}
