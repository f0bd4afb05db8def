//! The Insights pane's overview: revenue by week and the best sellers, from merchandise purchases.

use crate::domain::{Money, Order, Product, ProductId};
use crate::store::Records;
use crate::store::StoreError;
use std::collections::HashMap;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InsightsData {
    /// Revenue per week, oldest first, ending with the week of the newest order.
    pub weekly_revenue: Vec<(chrono::NaiveDate, Money)>,
    pub top_products: Vec<(String, Money, u32)>,
    pub customers_with_orders: usize,
    pub revenue: Money,
}

/// Revenue by week and the best-selling products, from merchandise purchases only.
pub fn read(store: &Records) -> Result<InsightsData, StoreError> {
    let products: HashMap<ProductId, Product> = store
        .iter_sound::<Product>()
        .map(|p| p.map(|p| (p.id, p)))
        .collect::<Result<_, _>>()?;
    let mut weeks: HashMap<chrono::NaiveDate, Money> = HashMap::new();
    let mut by_product: HashMap<ProductId, (Money, u32)> = HashMap::new();
    let mut buyers = std::collections::HashSet::new();
    let mut revenue = Money::ZERO;
    for order in store.iter_sound::<Order>() {
        let order = order?;
        let week = week_start(order.placed.date_naive());
        for line in order.purchase_lines() {
            if !products.get(&line.product).is_some_and(|p| p.merchandise) {
                continue;
            }
            let amount = line.amount();
            *weeks.entry(week).or_default() =
                weeks.get(&week).copied().unwrap_or_default() + amount;
            let entry = by_product.entry(line.product).or_default();
            entry.0 = entry.0 + amount;
            entry.1 += line.quantity.max(0) as u32;
            revenue = revenue + amount;
        }
        if let Some(c) = order.customer {
            buyers.insert(c);
        }
    }
    let mut weekly_revenue: Vec<_> = weeks.into_iter().collect();
    weekly_revenue.sort();
    if let (Some(first), Some(last)) = (
        weekly_revenue.first().map(|w| w.0),
        weekly_revenue.last().map(|w| w.0),
    ) {
        // Weeks with no sales are zero, not missing, so the sparkline keeps its time axis.
        let mut filled = Vec::new();
        let mut week = first;
        let mut it = weekly_revenue.iter().peekable();
        while week <= last {
            let value = match it.peek() {
                Some((w, v)) if *w == week => {
                    it.next();
                    *v
                }
                _ => Money::ZERO,
            };
            filled.push((week, value));
            week += chrono::Duration::days(7);
        }
        weekly_revenue = filled;
    }
    let mut top: Vec<_> = by_product
        .into_iter()
        .map(|(id, (money, units))| (products[&id].name.clone(), money, units))
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(10);
    Ok(InsightsData {
        weekly_revenue,
        top_products: top,
        customers_with_orders: buyers.len(),
        revenue,
    })
}

fn week_start(day: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    day - chrono::Duration::days(day.weekday().num_days_from_monday() as i64)
}
