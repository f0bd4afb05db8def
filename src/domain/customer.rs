use super::FieldId;
use super::validate::{ValidationError, require_text, validate_email};
use super::{AccountId, CustomerId, Timestamp, named_enum};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lifecycle {
    Lead,
    Prospect,
    #[default]
    Customer,
    Churned,
}

named_enum!(Lifecycle {
    Lead => "lead",
    Prospect => "prospect",
    Customer => "customer",
    Churned => "churned",
});

/// A postal address; the country is the customer's own field, older than this.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    /// A state, county or province.
    pub region: Option<String>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.parts().iter().all(|(_, v)| v.is_none())
    }

    /// Each part with its field name, in the order an address is written.
    pub fn parts(&self) -> [(FieldId, Option<&str>); 4] {
        [
            (FieldId::Street, self.street.as_deref()),
            (FieldId::City, self.city.as_deref()),
            (FieldId::Postcode, self.postcode.as_deref()),
            (FieldId::Region, self.region.as_deref()),
        ]
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    /// The id this customer has in the system it was imported from (Online Retail's CustomerID, say).
    pub external_id: Option<String>,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub stage: Lifecycle,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub updated: Timestamp,
    /// Added in schema 6: last, as new fields go (see store::schema).
    pub address: Address,
    /// The business this person works for, if any (schema 8; a backup written before has none).
    #[serde(default)]
    pub account: Option<AccountId>,
}

impl Customer {
    /// A customer with only the required fields set; the store assigns the id.
    pub fn new(name: impl Into<String>, now: Timestamp) -> Customer {
        Customer {
            id: CustomerId(0),
            external_id: None,
            name: name.into(),
            company: None,
            email: None,
            phone: None,
            country: None,
            tags: Vec::new(),
            owner: None,
            stage: Lifecycle::default(),
            created: now,
            updated: now,
            address: Address::default(),
            account: None,
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text(FieldId::Name, &self.name)?;
        if let Some(email) = &self.email {
            validate_email(email)?;
        }
        if let Some(ext) = &self.external_id {
            require_text(FieldId::ExternalId, ext)?;
        }
        validate_reach(self.phone.as_deref(), &self.address, &self.tags)
    }

    /// Erases what identifies the person, keeping what the analytics need (country, stage, owner,
    /// and the dates). Their orders keep pointing at this anonymous record.
    pub fn forget(&mut self) {
        self.name = format!("Forgotten customer {}", self.id);
        self.external_id = None;
        self.company = None;
        self.email = None;
        self.phone = None;
        self.tags.clear();
        // The street and postcode find the person; the city and region, like the country, are
        // what the analytics group by.
        self.address.street = None;
        self.address.postcode = None;
    }

    /// How exports and reports name the customer: the id of the system it was imported from
    /// where there is one (a CDNOW or Online Retail customer id), else rapport's own.
    pub fn export_id(&self) -> String {
        self.external_id
            .clone()
            .unwrap_or_else(|| self.id.to_string())
    }

    /// The email as indexes compare it: case does not make a different person.
    pub fn email_key(&self) -> Option<String> {
        self.email.as_deref().map(normalise_email)
    }
}

/// The phone, the address's parts and the tags, as customers and accounts both keep them.
pub(super) fn validate_reach(
    phone: Option<&str>,
    address: &Address,
    tags: &[String],
) -> Result<(), ValidationError> {
    if let Some(phone) = phone {
        validate_phone(phone)?;
    }
    for (field, part) in address.parts() {
        if let Some(part) = part {
            require_text(field, part)?;
        }
    }
    if tags.iter().any(|t| t.trim().is_empty()) {
        return Err(ValidationError::new(
            FieldId::Tags,
            "a tag must not be empty",
        ));
    }
    Ok(())
}

fn validate_phone(phone: &str) -> Result<(), ValidationError> {
    let ok = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().x/".contains(c))
        && phone.chars().any(|c| c.is_ascii_digit());
    if ok {
        return Ok(());
    }
    Err(ValidationError::new(
        FieldId::Phone,
        format!("'{phone}' is not a phone number (digits, spaces and + - ( ) only)"),
    ))
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Customer {
        Customer::new("Ada Lovelace", chrono::Utc::now())
    }

    #[test]
    fn empty_name_is_refused_by_field() {
        let mut c = sample();
        c.name = "  ".into();
        assert_eq!(c.validate().unwrap_err().field, "name");
    }

    #[test]
    fn bad_email_and_phone_are_refused_by_field() {
        let mut c = sample();
        c.email = Some("ada.example.com".into());
        assert_eq!(c.validate().unwrap_err().field, "email");
        c.email = Some("ada@example.com".into());
        c.phone = Some("call me".into());
        assert_eq!(c.validate().unwrap_err().field, "phone");
        c.phone = Some("+44 (0)20 7946-0958".into());
        assert!(c.validate().is_ok());
    }

    #[test]
    fn lifecycle_parses_its_own_names() {
        for stage in Lifecycle::ALL {
            assert_eq!(stage.name().parse::<Lifecycle>().unwrap(), *stage);
        }
        assert!(
            "vip"
                .parse::<Lifecycle>()
                .unwrap_err()
                .contains("lead, prospect")
        );
    }
}
