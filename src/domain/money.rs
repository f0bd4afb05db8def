use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in ten-thousandths of the currency unit: exact for every price a CSV can hold to four
/// decimals, and sums never drift the way floats do.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Money(pub i64);

const SCALE: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("'{0}' has more than 4 decimal places")]
    TooPrecise(String),
    #[error("'{0}' is too large")]
    TooLarge(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_units(units: i64) -> Money {
        Money(units.saturating_mul(SCALE))
    }

    pub fn from_cents(cents: i64) -> Money {
        Money(cents * (SCALE / 100))
    }

    /// Parses a plain decimal ("2.55", "-0.5", "1200", "4,500", "4 500") without going through a
    /// float.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let s = text.trim();
        let err = || MoneyError::NotANumber(s.to_string());
        let ungrouped = ungroup(s).ok_or_else(err)?;
        let s = ungrouped.as_str();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if (whole.is_empty() && frac.is_empty())
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 4 {
            return Err(MoneyError::TooPrecise(s.to_string()));
        }
        let too_large = || MoneyError::TooLarge(s.to_string());
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_large())?
        };
        let frac_value: i64 = format!("{frac:0<4}").parse().map_err(|_| err())?;
        let value = whole
            .checked_mul(SCALE)
            .and_then(|w| w.checked_add(frac_value))
            .ok_or_else(too_large)?;
        Ok(Money(if negative { -value } else { value }))
    }

    /// Every stored digit, at least two decimals: "2.55", "3.9233", "-12.50". Parses back to the same value.
    pub fn exact(self) -> String {
        let mut text = String::with_capacity(12);
        self.write_exact(&mut text)
            .expect("writing to a String cannot fail");
        text
    }

    /// What `exact` gives, written straight into `out`: exports write millions of amounts.
    pub fn write_exact(self, out: &mut impl fmt::Write) -> fmt::Result {
        let v = self.0.unsigned_abs();
        let scale = SCALE as u64;
        let frac = v % scale;
        // Every digit kept, but trailing zeros dropped down to two decimals: 12.50, 0.001, 3.9233.
        let (frac, width) = if frac.is_multiple_of(100) {
            (frac / 100, 2)
        } else if frac.is_multiple_of(10) {
            (frac / 10, 3)
        } else {
            (frac, 4)
        };
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(out, "{sign}{}.{frac:0width$}", v / scale)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn to_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// Rounds half away from zero to four decimals.
    pub fn from_f64(value: f64) -> Money {
        Money((value * SCALE as f64).round() as i64)
    }

    pub fn times(self, quantity: i64) -> Money {
        Money(self.0.saturating_mul(quantity))
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

/// Two decimals, as money is read; the stored value keeps four.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = (self.0 as i128 * 100
            + if self.0 < 0 { -SCALE / 2 } else { SCALE / 2 } as i128)
            / SCALE as i128;
        let sign = if cents < 0 { "-" } else { "" };
        let cents = cents.unsigned_abs();
        write!(f, "{sign}{}.{:02}", cents / 100, cents % 100)
    }
}

/// "4,500.25", "4 500" and "12,345,678" without their thousands separators (a comma, a space, or
/// a no-break or narrow no-break space). Groups must be of three digits, so "4,50" (a decimal
/// comma) is refused rather than read as 450.
fn ungroup(s: &str) -> Option<String> {
    let is_sep = |c: char| matches!(c, ',' | ' ' | '\u{a0}' | '\u{202f}');
    if !s.contains(is_sep) {
        return Some(s.to_string());
    }
    let (sign, rest) = match s.strip_prefix(['-', '+']) {
        Some(rest) => (&s[..1], rest),
        None => ("", s),
    };
    let (whole, frac) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    let groups: Vec<&str> = whole.split(is_sep).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if !first_ok || !rest_ok || frac.is_some_and(|f| f.contains(is_sep)) {
        return None;
    }
    let mut out = format!("{sign}{}", groups.concat());
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators_are_read_only_in_groups_of_three() {
        let units = |s: &str| Money::parse(s).map(|m| m.0 / SCALE);
        assert_eq!(units("4,500"), Ok(4500));
        assert_eq!(units("4 500"), Ok(4500));
        assert_eq!(units("4\u{202f}500"), Ok(4500));
        assert_eq!(units(" -12,345,678.50 "), Ok(-12_345_678));
        assert_eq!(
            Money::parse("1,234.56").unwrap(),
            Money::parse("1234.56").unwrap()
        );
        for bad in ["4,50", "1,2345", ",500", "4,,500", "4,500.1,2", "1234,567"] {
            assert!(
                matches!(Money::parse(bad), Err(MoneyError::NotANumber(ref s)) if s == bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn parses_decimals_exactly() {
        assert_eq!(Money::parse("2.55").unwrap(), Money(25_500));
        assert_eq!(Money::parse("0.001").unwrap(), Money(10));
        assert_eq!(Money::parse("-12").unwrap(), Money(-120_000));
        assert_eq!(Money::parse(".5").unwrap(), Money(5_000));
        assert_eq!(Money::parse("3.10000").unwrap(), Money(31_000));
        assert_eq!(Money::parse(" 7 ").unwrap(), Money(70_000));
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert!(matches!(
            Money::parse("abc"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(Money::parse(""), Err(MoneyError::NotANumber(_))));
        assert!(matches!(
            Money::parse("1.2.3"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Money::parse("1e5"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Money::parse("0.00001"),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            Money::parse("99999999999999999"),
            Err(MoneyError::TooLarge(_))
        ));
    }

    #[test]
    fn displays_two_decimals_rounded() {
        assert_eq!(Money::parse("2.555").unwrap().to_string(), "2.56");
        assert_eq!(Money::parse("-2.555").unwrap().to_string(), "-2.56");
        assert_eq!(Money::parse("1200").unwrap().to_string(), "1200.00");
        assert_eq!(Money::parse("0.004").unwrap().to_string(), "0.00");
    }

    #[test]
    fn exact_keeps_every_digit_and_parses_back() {
        for text in [
            "2.55", "3.9233", "-12.50", "0.00", "1200.00", "0.001", "-0.0005",
        ] {
            let m = Money::parse(text).unwrap();
            assert_eq!(Money::parse(&m.exact()).unwrap(), m, "{text}");
        }
        assert_eq!(Money::parse("3.9233").unwrap().exact(), "3.9233");
        assert_eq!(Money::parse("12.5").unwrap().exact(), "12.50");
        assert_eq!(Money::parse("-0.0005").unwrap().exact(), "-0.0005");
        assert_eq!(Money::parse("0.001").unwrap().exact(), "0.001");
        assert_eq!(Money::parse("-7").unwrap().exact(), "-7.00");
        assert_eq!(Money(i64::MIN).exact(), "-922337203685477.5808");
    }

    #[test]
    fn sums_do_not_drift() {
        let total: Money = std::iter::repeat_n(Money::parse("0.1").unwrap(), 10).sum();
        assert_eq!(total, Money::from_units(1));
    }
}
