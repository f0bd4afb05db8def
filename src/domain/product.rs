use super::FieldId;
use super::validate::{ValidationError, require_text};
use super::{Money, ProductId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub unit_price: Money,
    /// Postage, fees and manual adjustments are kept on orders but are not things a customer buys;
    /// insights leave them out.
    pub merchandise: bool,
}

/// Stock codes that stand for charges rather than goods in retail exports like Online Retail.
pub const NON_MERCHANDISE_CODES: &[&str] = &[
    "POST",
    "DOT",
    "M",
    "D",
    "C2",
    "CRUK",
    "S",
    "B",
    "PADS",
    "BANK CHARGES",
    "AMAZONFEE",
    "ADJUST",
    "ADJUST2",
    "TEST001",
    "TEST002",
];

/// True for codes in [`NON_MERCHANDISE_CODES`] and for gift vouchers (`gift_0001_10`), whatever the case.
pub fn is_non_merchandise(sku: &str) -> bool {
    let sku = sku.trim();
    NON_MERCHANDISE_CODES
        .iter()
        .any(|code| code.eq_ignore_ascii_case(sku))
        || sku.to_ascii_lowercase().starts_with("gift_")
}

impl Product {
    pub fn new(sku: impl Into<String>, name: impl Into<String>, unit_price: Money) -> Product {
        let sku = sku.into();
        Product {
            id: ProductId(0),
            merchandise: !is_non_merchandise(&sku),
            sku,
            name: name.into(),
            category: None,
            unit_price,
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text(FieldId::Sku, &self.sku)?;
        require_text(FieldId::Name, &self.name)?;
        if self.unit_price.is_negative() {
            return Err(ValidationError::new(
                FieldId::UnitPrice,
                format!("{} is negative", self.unit_price),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_not_merchandise() {
        for code in [
            "POST",
            "post",
            "BANK CHARGES",
            "AMAZONFEE",
            "D",
            "gift_0001_20",
        ] {
            assert!(is_non_merchandise(code), "{code}");
        }
        for code in ["85123A", "22423", "DOTCOM", "M2"] {
            assert!(!is_non_merchandise(code), "{code}");
        }
        assert!(!Product::new("POST", "Postage", Money::ZERO).merchandise);
    }

    #[test]
    fn negative_price_is_refused_by_field() {
        let p = Product::new("X1", "Lantern", Money::parse("-1").unwrap());
        assert_eq!(p.validate().unwrap_err().field, "unit_price");
    }
}
