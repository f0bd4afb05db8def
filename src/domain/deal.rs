use super::FieldId;
use super::validate::{ValidationError, require_text};
use super::{CustomerId, DealId, Money, Timestamp, named_enum};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum DealStage {
    #[default]
    Lead,
    Qualified,
    Proposal,
    Negotiation,
    Won,
    Lost,
}

named_enum!(DealStage {
    Lead => "lead",
    Qualified => "qualified",
    Proposal => "proposal",
    Negotiation => "negotiation",
    Won => "won",
    Lost => "lost",
});

impl DealStage {
    /// The probability a deal gets when it enters this stage, unless a rep sets one.
    pub fn default_probability(self) -> u8 {
        match self {
            DealStage::Lead => 10,
            DealStage::Qualified => 25,
            DealStage::Proposal => 50,
            DealStage::Negotiation => 75,
            DealStage::Won => 100,
            DealStage::Lost => 0,
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, DealStage::Won | DealStage::Lost)
    }

    /// The pipeline's next stage; closed deals go nowhere.
    pub fn next(self) -> Option<DealStage> {
        match self {
            DealStage::Lead => Some(DealStage::Qualified),
            DealStage::Qualified => Some(DealStage::Proposal),
            DealStage::Proposal => Some(DealStage::Negotiation),
            DealStage::Negotiation => Some(DealStage::Won),
            DealStage::Won | DealStage::Lost => None,
        }
    }

    pub fn previous(self) -> Option<DealStage> {
        match self {
            DealStage::Lead | DealStage::Won | DealStage::Lost => None,
            DealStage::Qualified => Some(DealStage::Lead),
            DealStage::Proposal => Some(DealStage::Qualified),
            DealStage::Negotiation => Some(DealStage::Proposal),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    pub id: DealId,
    pub title: String,
    pub customer: CustomerId,
    pub value: Money,
    /// ISO 4217 code, upper case.
    pub currency: String,
    pub stage: DealStage,
    /// Percent, 0 to 100.
    pub probability: u8,
    pub expected_close: Option<NaiveDate>,
    pub owner: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub updated: Timestamp,
    /// When it was won or lost; None while it is open. (Schema 5; kept last, so a record of either
    /// layout decodes as only one of them.)
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub closed: Option<Timestamp>,
    /// Why a lost deal was lost, in the rep's words.
    #[serde(default)]
    pub lost_reason: Option<String>,
}

/// Reasons a rep picks from when a deal is lost; any other text is kept as typed.
pub const LOSS_REASONS: &[&str] = &[
    "price",
    "competitor",
    "no budget",
    "timing",
    "no decision",
    "went quiet",
    "product fit",
];

impl Deal {
    pub fn new(
        title: impl Into<String>,
        customer: CustomerId,
        value: Money,
        now: Timestamp,
    ) -> Deal {
        Deal {
            id: DealId(0),
            title: title.into(),
            customer,
            value,
            currency: "GBP".into(),
            stage: DealStage::Lead,
            probability: DealStage::Lead.default_probability(),
            expected_close: None,
            owner: None,
            created: now,
            updated: now,
            closed: None,
            lost_reason: None,
        }
    }

    /// Moves the deal to `stage`. Its probability becomes `probability` when a rep chose one, and
    /// otherwise the stage's default: the one rule for every way a deal moves (a key, a form, a
    /// bulk edit, a script).
    /// A move that closes the deal dates it; one that reopens it clears the date and the reason.
    pub fn move_to(&mut self, stage: DealStage, probability: Option<u8>, now: Timestamp) {
        if stage != self.stage {
            self.closed = (!stage.is_open()).then_some(now);
        }
        if stage != DealStage::Lost {
            self.lost_reason = None;
        }
        self.stage = stage;
        self.probability = probability.unwrap_or_else(|| stage.default_probability());
        self.updated = now;
    }

    /// Marks the deal lost, saying why (blank: not said).
    pub fn lose(&mut self, reason: &str, now: Timestamp) {
        self.move_to(DealStage::Lost, None, now);
        let reason = reason.trim();
        self.lost_reason = (!reason.is_empty()).then(|| reason.to_string());
    }

    /// When the deal closed, for reports: its own date, or for a deal closed before rapport
    /// kept one, its last change.
    pub fn closed_at(&self) -> Option<Timestamp> {
        match self.stage.is_open() {
            true => None,
            false => Some(self.closed.unwrap_or(self.updated)),
        }
    }

    /// Value times probability: what the forecast counts.
    pub fn weighted_value(&self) -> Money {
        Money(self.value.0 * self.probability as i64 / 100)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text(FieldId::Title, &self.title)?;
        if self.value.is_negative() {
            return Err(ValidationError::new(
                FieldId::Value,
                format!("{} is negative", self.value),
            ));
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ValidationError::new(
                FieldId::Currency,
                format!("'{}' is not a three-letter code like GBP", self.currency),
            ));
        }
        if self.lost_reason.is_some() && self.stage != DealStage::Lost {
            return Err(ValidationError::new(
                FieldId::LostReason,
                format!("a {} deal has no loss reason", self.stage),
            ));
        }
        if self.probability > 100 {
            return Err(ValidationError::new(
                FieldId::Probability,
                format!("{} is over 100", self.probability),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_walk_the_pipeline() {
        let mut stage = DealStage::Lead;
        let mut walked = vec![stage];
        while let Some(next) = stage.next() {
            stage = next;
            walked.push(stage);
        }
        assert_eq!(walked.last(), Some(&DealStage::Won));
        assert_eq!(walked.len(), 5);
        assert_eq!(DealStage::Proposal.previous(), Some(DealStage::Qualified));
        assert_eq!(DealStage::Lost.next(), None);
    }

    #[test]
    fn bad_values_are_refused_by_field() {
        let now = chrono::Utc::now();
        let mut d = Deal::new("Renewal", CustomerId(1), Money::from_units(100), now);
        assert!(d.validate().is_ok());
        d.currency = "pounds".into();
        assert_eq!(d.validate().unwrap_err().field, "currency");
        d.currency = "EUR".into();
        d.value = Money::from_units(-1);
        assert_eq!(d.validate().unwrap_err().field, "value");
        d.value = Money::from_units(1);
        d.probability = 120;
        assert_eq!(d.validate().unwrap_err().field, "probability");
    }

    #[test]
    fn a_move_takes_the_stage_default_unless_a_probability_is_chosen() {
        let then = chrono::Utc::now();
        let now = then + chrono::Duration::hours(1);
        let mut d = Deal::new("Renewal", CustomerId(1), Money::from_units(10), then);
        d.move_to(DealStage::Won, None, now);
        assert_eq!(
            (d.stage, d.probability, d.updated),
            (DealStage::Won, 100, now)
        );
        d.move_to(DealStage::Proposal, Some(35), now);
        assert_eq!((d.stage, d.probability), (DealStage::Proposal, 35));
        d.move_to(DealStage::Lead, None, now);
        assert_eq!(d.probability, DealStage::Lead.default_probability());
    }

    #[test]
    fn closing_dates_the_deal_and_reopening_clears_date_and_reason() {
        let then = chrono::Utc::now();
        let later = then + chrono::Duration::days(3);
        let mut d = Deal::new("Renewal", CustomerId(1), Money::from_units(10), then);
        assert_eq!((d.closed, d.closed_at()), (None, None));
        d.lose("  price ", then);
        assert_eq!(d.closed, Some(then));
        assert_eq!(d.lost_reason.as_deref(), Some("price"));
        d.move_to(DealStage::Lost, Some(0), later);
        assert_eq!(d.closed, Some(then), "staying lost keeps the date");
        d.move_to(DealStage::Negotiation, None, later);
        assert_eq!((d.closed, d.lost_reason.as_deref()), (None, None));
        d.move_to(DealStage::Won, None, later);
        assert_eq!(d.closed_at(), Some(later));
        d.lose("", later);
        assert_eq!(d.lost_reason, None, "a blank reason is no reason");
        let mut old = Deal::new("Old", CustomerId(1), Money::from_units(10), then);
        (old.stage, old.updated) = (DealStage::Won, later);
        assert_eq!(old.closed_at(), Some(later), "undated: its last change");
        old.lost_reason = Some("price".into());
        assert_eq!(old.validate().unwrap_err().field, "lost_reason");
    }

    #[test]
    fn weighted_value_uses_probability() {
        let mut d = Deal::new(
            "X",
            CustomerId(1),
            Money::from_units(1000),
            chrono::Utc::now(),
        );
        d.probability = 25;
        assert_eq!(d.weighted_value(), Money::from_units(250));
    }
}
