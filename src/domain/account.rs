use super::FieldId;
use super::customer::Address;
use super::validate::{ValidationError, require_text};
use super::{AccountId, Timestamp};
use serde::{Deserialize, Serialize};

/// A business the team sells to; its people are customers that name it as their account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    /// Its web or mail domain, lower case, without "www.": how imports find it by email.
    pub domain: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub address: Address,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub updated: Timestamp,
}

impl Account {
    /// An account with only its name; the store assigns the id.
    pub fn new(name: impl Into<String>, now: Timestamp) -> Account {
        Account {
            id: AccountId(0),
            name: name.into(),
            domain: None,
            phone: None,
            country: None,
            address: Address::default(),
            owner: None,
            tags: Vec::new(),
            created: now,
            updated: now,
        }
    }

    /// The name as accounts are matched: folded, without a legal form ("Seaview & Co. Ltd" and
    /// "seaview and co" are one business).
    pub fn name_key(&self) -> String {
        crate::text::company(&self.name)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text(FieldId::Name, &self.name)?;
        if self.name_key().is_empty() {
            return Err(ValidationError::new(
                FieldId::Name,
                format!("'{}' has no letters or digits to know it by", self.name),
            ));
        }
        if let Some(domain) = &self.domain
            && normal_domain(domain).as_deref() != Some(domain.as_str())
        {
            return Err(ValidationError::new(
                FieldId::Domain,
                format!("'{domain}' is not a domain like example.com (lower case, no www.)"),
            ));
        }
        super::customer::validate_reach(self.phone.as_deref(), &self.address, &self.tags)
    }
}

/// A domain as accounts keep it: lower case, without a scheme, "www." or a path; None where it is
/// not a domain at all.
pub fn normal_domain(raw: &str) -> Option<String> {
    let mut d = raw.trim().to_lowercase();
    for prefix in ["https://", "http://"] {
        if let Some(rest) = d.strip_prefix(prefix) {
            d = rest.to_string();
        }
    }
    if let Some(at) = d.find('/') {
        d.truncate(at);
    }
    let d = d.strip_prefix("www.").unwrap_or(&d).trim_end_matches('.');
    let ok = d.contains('.')
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    (ok && d.len() <= 253).then(|| d.to_string())
}

/// The domain of an email address, when it names a business: none for a free-mail provider,
/// where people of many businesses (or none) have their addresses.
pub fn business_domain(email: &str) -> Option<String> {
    let domain = normal_domain(email.rsplit_once('@')?.1)?;
    (!is_free_mail(&domain)).then_some(domain)
}

/// Mail providers anyone may sign up to: their domain says nothing of a person's employer.
pub fn is_free_mail(domain: &str) -> bool {
    let domain = domain.trim().to_lowercase();
    FREE_MAIL.contains(&domain.as_str())
        || FREE_MAIL_FAMILIES
            .iter()
            .any(|family| domain.split('.').next() == Some(family))
}

const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.net",
    "gmx.de",
    "web.de",
    "t-online.de",
    "mail.com",
    "zoho.com",
    "yandex.com",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "fastmail.com",
    "hey.com",
    "tutanota.com",
    "btinternet.com",
    "sky.com",
    "virginmedia.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    // The demo's made-up providers.
    "mail.example.com",
    "post.example.net",
    "inbox.example.org",
];

/// Providers with a domain in many countries: yahoo.co.uk, hotmail.fr.
const FREE_MAIL_FAMILIES: &[&str] = &["yahoo", "hotmail", "ymail", "rocketmail"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_kept_plain() {
        assert_eq!(
            normal_domain(" https://www.Seaview.co.uk/about ").as_deref(),
            Some("seaview.co.uk")
        );
        assert_eq!(normal_domain("localhost"), None);
        assert_eq!(normal_domain("bad_domain.com"), None);
        assert_eq!(normal_domain("-x.com"), None);
    }

    #[test]
    fn free_mail_links_nobody() {
        assert_eq!(business_domain("ada@gmail.com"), None);
        assert_eq!(business_domain("ada@yahoo.co.uk"), None);
        assert_eq!(business_domain("ada@hotmail.fr"), None);
        assert_eq!(
            business_domain("Ada@Seaview.co.uk").as_deref(),
            Some("seaview.co.uk")
        );
        assert_eq!(business_domain("not an email"), None);
    }

    #[test]
    fn an_account_needs_a_name_to_know_it_by() {
        let now = chrono::Utc::now();
        assert_eq!(
            Account::new("  ", now).validate().unwrap_err().field,
            "name"
        );
        assert_eq!(
            Account::new("--", now).validate().unwrap_err().field,
            "name"
        );
        let mut a = Account::new("Seaview & Co. Ltd", now);
        assert_eq!(a.name_key(), "seaview and co");
        a.domain = Some("Seaview.co.uk".into());
        assert_eq!(a.validate().unwrap_err().field, "domain");
        a.domain = Some("seaview.co.uk".into());
        assert!(a.validate().is_ok());
    }
}
