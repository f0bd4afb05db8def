use super::FieldId;
use super::validate::{ValidationError, require_text};
use super::{CustomerId, Money, OrderId, ProductId, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderKind {
    #[default]
    Purchase,
    /// A cancelled invoice (Online Retail's `C` numbers): every line is a return.
    Cancellation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Position of the line within its order as first imported; with the order number it makes
    /// re-imports idempotent.
    pub line_no: u32,
    pub product: ProductId,
    /// Negative for a returned item.
    pub quantity: i32,
    pub unit_price: Money,
}

impl OrderLine {
    pub fn is_return(&self) -> bool {
        self.quantity < 0
    }

    pub fn amount(&self) -> Money {
        self.unit_price.times(self.quantity as i64)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    /// None for a guest checkout, or a basket with nobody attached.
    pub customer: Option<CustomerId>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub placed: Timestamp,
    pub kind: OrderKind,
    pub lines: Vec<OrderLine>,
}

impl Order {
    /// Lines that are sales; returns and cancellations stay on the order but apart from these.
    pub fn purchase_lines(&self) -> impl Iterator<Item = &OrderLine> {
        let purchase = self.kind == OrderKind::Purchase;
        self.lines
            .iter()
            .filter(move |l| purchase && !l.is_return())
    }

    pub fn return_lines(&self) -> impl Iterator<Item = &OrderLine> {
        let cancelled = self.kind == OrderKind::Cancellation;
        self.lines
            .iter()
            .filter(move |l| cancelled || l.is_return())
    }

    pub fn total(&self) -> Money {
        self.lines.iter().map(OrderLine::amount).sum()
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text(FieldId::Number, &self.number)?;
        if self.lines.is_empty() {
            return Err(ValidationError::new(
                FieldId::Lines,
                "an order needs at least one line",
            ));
        }
        for line in &self.lines {
            if line.quantity == 0 {
                return Err(ValidationError::new(
                    FieldId::Quantity,
                    format!("line {} has quantity 0", line.line_no),
                ));
            }
            if line.unit_price.is_negative() {
                return Err(ValidationError::new(
                    FieldId::UnitPrice,
                    format!(
                        "line {} has a negative price {}",
                        line.line_no, line.unit_price
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(line_no: u32, quantity: i32, price: &str) -> OrderLine {
        OrderLine {
            line_no,
            product: ProductId(1),
            quantity,
            unit_price: Money::parse(price).unwrap(),
        }
    }

    fn order(kind: OrderKind, lines: Vec<OrderLine>) -> Order {
        Order {
            id: OrderId(0),
            number: "536365".into(),
            customer: None,
            placed: chrono::Utc::now(),
            kind,
            lines,
        }
    }

    #[test]
    fn returns_are_kept_apart_from_purchases() {
        let o = order(
            OrderKind::Purchase,
            vec![line(1, 6, "2.55"), line(2, -1, "2.55")],
        );
        assert_eq!(o.purchase_lines().count(), 1);
        assert_eq!(o.return_lines().count(), 1);
        assert_eq!(o.total(), Money::parse("12.75").unwrap());
        let c = order(OrderKind::Cancellation, vec![line(1, -6, "2.55")]);
        assert_eq!(c.purchase_lines().count(), 0);
        assert_eq!(c.return_lines().count(), 1);
    }

    #[test]
    fn bad_lines_are_refused_by_field() {
        assert_eq!(
            order(OrderKind::Purchase, vec![])
                .validate()
                .unwrap_err()
                .field,
            "lines"
        );
        let zero = order(OrderKind::Purchase, vec![line(1, 0, "1")]);
        assert_eq!(zero.validate().unwrap_err().field, "quantity");
        let negative = order(OrderKind::Purchase, vec![line(1, 1, "-1")]);
        assert_eq!(negative.validate().unwrap_err().field, "unit_price");
    }
}
