use super::FieldId;
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

/// A person who may sign in to `rapport serve`, known by their SSH public keys (a laptop and a
/// desktop each have one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    /// The name records are owned by and notes are signed with.
    pub name: String,
    pub role: Role,
    /// The first key, as OpenSSH writes it: algorithm and base64, without the comment.
    pub key: String,
    /// SHA256 fingerprint of the first key, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub added: Timestamp,
    /// Keys after the first (kept apart so that older records read as they are).
    pub more_keys: Vec<MemberKey>,
}

/// One public key a member signs in with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberKey {
    pub key: String,
    pub fingerprint: String,
}

/// Keys one member may hold: a few devices, not a key store.
pub const MAX_MEMBER_KEYS: usize = 16;

/// Longest member name: it is shown in headers and columns.
pub const MAX_MEMBER_NAME: usize = 32;

impl Member {
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_member_name(&self.name)?;
        if self.more_keys.len() + 1 > MAX_MEMBER_KEYS {
            return Err(ValidationError::new(
                FieldId::Key,
                format!("a member holds at most {MAX_MEMBER_KEYS} keys"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for key in self.keys() {
            if !key.fingerprint.starts_with("SHA256:") {
                return Err(ValidationError::new(
                    FieldId::Key,
                    "has no SHA256 fingerprint",
                ));
            }
            if key.key.split_whitespace().count() != 2 {
                return Err(ValidationError::new(
                    FieldId::Key,
                    "must be an algorithm and a base64 key, as in id_ed25519.pub",
                ));
            }
            if !seen.insert(key.fingerprint.clone()) {
                return Err(ValidationError::new(FieldId::Key, "is given twice"));
            }
        }
        Ok(())
    }

    /// Every key, the first one first.
    pub fn keys(&self) -> impl Iterator<Item = MemberKey> + '_ {
        let first = MemberKey {
            key: self.key.clone(),
            fingerprint: self.fingerprint.clone(),
        };
        std::iter::once(first).chain(self.more_keys.iter().cloned())
    }

    /// Does the key with this fingerprint sign this member in?
    pub fn has_key(&self, fingerprint: &str) -> bool {
        self.fingerprint == fingerprint
            || self.more_keys.iter().any(|k| k.fingerprint == fingerprint)
    }

    /// Takes one key away; the next becomes the first. A member's last key stays: removing it
    /// would leave someone on the team who can never sign in.
    pub fn drop_key(&mut self, fingerprint: &str) -> Result<(), ValidationError> {
        if let Some(i) = self
            .more_keys
            .iter()
            .position(|k| k.fingerprint == fingerprint)
        {
            self.more_keys.remove(i);
            return Ok(());
        }
        if self.fingerprint != fingerprint {
            return Err(ValidationError::new(
                FieldId::Key,
                format!("{} does not sign in with {fingerprint}", self.name),
            ));
        }
        if self.more_keys.is_empty() {
            return Err(ValidationError::new(
                FieldId::Key,
                format!(
                    "is {}'s only key: add another first, or take {} off the team",
                    self.name, self.name
                ),
            ));
        }
        let next = self.more_keys.remove(0);
        self.key = next.key;
        self.fingerprint = next.fingerprint;
        Ok(())
    }
}

/// Names are plain words (letters, digits, `.`, `-`, `_`): they appear in owner fields, audit lines
/// and terminal headers, so nothing in them can be read as markup or an escape.
pub fn validate_member_name(name: &str) -> Result<(), ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::new(FieldId::Name, "must not be empty"));
    }
    if name.chars().count() > MAX_MEMBER_NAME {
        return Err(ValidationError::new(
            FieldId::Name,
            format!("is longer than {MAX_MEMBER_NAME} characters"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(ValidationError::new(
            FieldId::Name,
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
