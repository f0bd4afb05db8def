use super::validate::ValidationError;
use super::{MemberId, Timestamp, named_enum};
use serde::{Deserialize, Serialize};

/// What a member of the team may do; the rules are in `ops::roles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    Viewer,
    Rep,
    Manager,
    Admin,
}

named_enum!(Role {
    Viewer => "viewer",
    Rep => "rep",
    Manager => "manager",
    Admin => "admin",
});

/// A person who may sign in to `rapport serve`, known by one SSH public key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    /// The name records are owned by and notes are signed with.
    pub name: String,
    pub role: Role,
    /// The public key as OpenSSH writes it: algorithm and base64, without the comment.
    pub key: String,
    /// SHA256 fingerprint of the key, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub added: Timestamp,
}

/// Longest member name: it is shown in headers and columns.
pub const MAX_MEMBER_NAME: usize = 32;

impl Member {
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_member_name(&self.name)?;
        if !self.fingerprint.starts_with("SHA256:") {
            return Err(ValidationError::new("key", "has no SHA256 fingerprint"));
        }
        if self.key.split_whitespace().count() != 2 {
            return Err(ValidationError::new(
                "key",
                "must be an algorithm and a base64 key, as in id_ed25519.pub",
            ));
        }
        Ok(())
    }
}

/// Names are plain words (letters, digits, `.`, `-`, `_`): they appear in owner fields, audit lines
/// and terminal headers, so nothing in them can be read as markup or an escape.
pub fn validate_member_name(name: &str) -> Result<(), ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::new("name", "must not be empty"));
    }
    if name.chars().count() > MAX_MEMBER_NAME {
        return Err(ValidationError::new(
            "name",
            format!("is longer than {MAX_MEMBER_NAME} characters"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(ValidationError::new(
            "name",
            format!("may hold letters, digits, '.', '-' and '_', not {bad:?}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_words() {
        for ok in ["bea", "ana.lima", "rep_2", "Zoë"] {
            assert!(validate_member_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ana lima", "x\u{1b}[31m", "a/b", &"a".repeat(33)] {
            assert!(validate_member_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn roles_read_and_print_alike() {
        for role in Role::ALL {
            assert_eq!(role.name().parse::<Role>(), Ok(*role));
        }
        assert!("owner".parse::<Role>().is_err());
        assert!(Role::Viewer < Role::Rep && Role::Manager < Role::Admin);
    }
}
