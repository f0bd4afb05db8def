use super::FieldId;

/// A record that cannot be stored as it is, and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    pub field: FieldId,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: FieldId, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

pub(crate) fn require_text(field: FieldId, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    Ok(())
}

/// A deliberately plain check: one `@`, something before it, a dotted domain after it, no spaces.
/// Full RFC 5322 accepts addresses no rep would ever type; this catches the typos they do.
pub fn validate_email(email: &str) -> Result<(), ValidationError> {
    let bad = |why: &str| {
        Err(ValidationError::new(
            FieldId::Email,
            format!("'{email}' {why}"),
        ))
    };
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains spaces");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return bad("has no '@'");
    };
    if local.is_empty() {
        return bad("has nothing before the '@'");
    }
    if domain.contains('@') {
        return bad("has more than one '@'");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return bad("needs a domain like example.com after the '@'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "a@b.co",
            "first.last+crm@mail.example.org",
            "x_y@sub.domain.io",
        ] {
            assert!(validate_email(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_typos_and_names_the_field() {
        for bad in [
            "",
            "plain",
            "@x.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "a@.com",
        ] {
            let err = validate_email(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
    }
}
