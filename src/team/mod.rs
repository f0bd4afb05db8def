//! The team: who may sign in to `rapport serve`, by which SSH key, in which role. It lives in the
//! database, so backups carry it and every server reads the same one.

pub mod failures;

use crate::domain::{Member, MemberId, MemberKey, Role, ValidationError, validate_member_name};
use crate::store::Records;
use crate::store::{Entity, Store, StoreError, Unique};
use russh::keys::{HashAlg, PublicKey};
use std::path::Path;

/// A key file is one line; anything larger is not a public key.
const MAX_KEY_FILE: u64 = 64 << 10;

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("no member is called '{0}' (see `rapport team list`)")]
    NoSuchMember(String),
    #[error("'{name}' already signs in with that key")]
    KeyTaken { name: String },
    #[error("{0}")]
    BadKey(String),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A public key read and checked, with what the team keeps of it.
#[derive(Clone, Debug)]
pub struct Key {
    pub openssh: String,
    pub fingerprint: String,
}

impl Key {
    pub fn of(key: &PublicKey) -> Result<Key, TeamError> {
        let mut bare = key.clone();
        bare.set_comment("");
        let openssh = bare
            .to_openssh()
            .map_err(|e| TeamError::BadKey(format!("the key cannot be written back: {e}")))?;
        Ok(Key {
            openssh: openssh.trim().to_string(),
            fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        })
    }

    /// `text` is a key as in `id_ed25519.pub`, or the path of such a file.
    pub fn read(text: &str) -> Result<Key, TeamError> {
        let text = text.trim();
        let looks_like_key = text.split_whitespace().count() >= 2 && !Path::new(text).exists();
        let line = if looks_like_key {
            text.to_string()
        } else {
            read_key_file(Path::new(text))?
        };
        let key = PublicKey::from_openssh(&line).map_err(|e| {
            TeamError::BadKey(format!(
                "not an OpenSSH public key ({e}); give the .pub file or its one line"
            ))
        })?;
        Key::of(&key)
    }
}

fn read_key_file(path: &Path) -> Result<String, TeamError> {
    let bad = |why: String| TeamError::BadKey(format!("{}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    if !meta.is_file() || meta.len() > MAX_KEY_FILE {
        return Err(bad("not a public key file".into()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    if text.contains("PRIVATE KEY") {
        return Err(bad(
            "this is a private key; give the .pub file beside it".into()
        ));
    }
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .ok_or_else(|| bad("the file holds no key".into()))
}

pub fn add(store: &Store, name: &str, key: &Key, role: Role) -> Result<Member, TeamError> {
    validate_member_name(name)?;
    if let Some(other) = store.find::<Member>(Unique::MemberKey, &key.fingerprint)? {
        return Err(TeamError::KeyTaken { name: other.name });
    }
    let member = Member {
        id: MemberId(0),
        name: name.to_string(),
        role,
        key: key.openssh.clone(),
        fingerprint: key.fingerprint.clone(),
        added: chrono::Utc::now(),
        more_keys: Vec::new(),
    };
    Ok(store.create(member)?)
}

pub fn list(store: &Records) -> Result<Vec<Member>, TeamError> {
    let mut members = store.all::<Member>()?;
    members.sort_by_key(|m| m.name.to_lowercase());
    Ok(members)
}

pub fn find(store: &Records, name: &str) -> Result<Member, TeamError> {
    store
        .find::<Member>(Unique::MemberName, name)?
        .ok_or_else(|| TeamError::NoSuchMember(name.to_string()))
}

/// The member who signs in with `key`, if any.
pub fn by_key(store: &Records, key: &PublicKey) -> Result<Option<Member>, TeamError> {
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    Ok(store.find::<Member>(Unique::MemberKey, &fingerprint)?)
}

pub fn remove(store: &Store, name: &str) -> Result<Member, TeamError> {
    let member = find(store, name)?;
    Ok(store.write(|tx| tx.remove::<Member>(member.id()))?)
}

/// Lets a member sign in with one more key (a second device).
pub fn add_key(store: &Store, name: &str, key: &Key) -> Result<Member, TeamError> {
    let mut member = find(store, name)?;
    if let Some(other) = store.find::<Member>(Unique::MemberKey, &key.fingerprint)? {
        return Err(TeamError::KeyTaken { name: other.name });
    }
    member.more_keys.push(MemberKey {
        key: key.openssh.clone(),
        fingerprint: key.fingerprint.clone(),
    });
    store.update(&member)?;
    Ok(member)
}

/// Takes a key away (a lost laptop): given as its fingerprint, or as the key itself. The
/// server ends the sessions signed in with it.
pub fn remove_key(store: &Store, name: &str, key: &str) -> Result<Member, TeamError> {
    let mut member = find(store, name)?;
    let fingerprint = match key.trim() {
        k if k.starts_with("SHA256:") => k.to_string(),
        k => Key::read(k)?.fingerprint,
    };
    member.drop_key(&fingerprint)?;
    store.update(&member)?;
    Ok(member)
}

pub fn set_role(store: &Store, name: &str, role: Role) -> Result<Member, TeamError> {
    let mut member = find(store, name)?;
    member.role = role;
    store.update(&member)?;
    Ok(member)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMUkqyMee5wZFw/gDIhvS33qloW49+7ldFnapTyyY5jd bea@laptop";
    const OTHER: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMioIGaBAXEz+eQsNSp1IEh9Qe41GRflDWoxSz2kTQcd";
    const THIRD: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMR/k6j3uIhhizl06dtlvcSrifIPv06hO1ZdXl04sDnl";

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_key_is_kept_without_its_comment_and_found_again() {
        let (_dir, store) = store();
        let key = Key::read(ED25519).unwrap();
        assert!(!key.openssh.contains("bea@laptop"));
        // As `ssh-keygen -l` printed it for this key.
        assert_eq!(
            key.fingerprint,
            "SHA256:D89/Qa018/kWIeFENDrubMaFej8UUJ7xDcQUa/Xvrl8"
        );
        add(&store, "bea", &key, Role::Rep).unwrap();
        let public = PublicKey::from_openssh(ED25519).unwrap();
        let found = by_key(&store, &public).unwrap().unwrap();
        assert_eq!((found.name.as_str(), found.role), ("bea", Role::Rep));
        assert_eq!(find(&store, "BEA").unwrap().id, found.id);
    }

    #[test]
    fn one_key_one_member_and_one_name_one_member() {
        let (_dir, store) = store();
        let key = Key::read(ED25519).unwrap();
        add(&store, "bea", &key, Role::Rep).unwrap();
        assert!(matches!(
            add(&store, "ana", &key, Role::Rep),
            Err(TeamError::KeyTaken { name }) if name == "bea"
        ));
        let other = Key::read(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMioIGaBAXEz+eQsNSp1IEh9Qe41GRflDWoxSz2kTQcd",
        )
        .unwrap();
        assert!(add(&store, "Bea", &other, Role::Rep).is_err());
    }

    #[test]
    fn removing_a_member_forgets_their_key() {
        let (_dir, store) = store();
        add(&store, "bea", &Key::read(ED25519).unwrap(), Role::Rep).unwrap();
        set_role(&store, "bea", Role::Manager).unwrap();
        assert_eq!(find(&store, "bea").unwrap().role, Role::Manager);
        remove(&store, "bea").unwrap();
        let public = PublicKey::from_openssh(ED25519).unwrap();
        assert!(by_key(&store, &public).unwrap().is_none());
        assert!(matches!(
            remove(&store, "bea"),
            Err(TeamError::NoSuchMember(_))
        ));
    }

    #[test]
    fn private_keys_and_garbage_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("id_ed25519");
        std::fs::write(&private, "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n").unwrap();
        let e = Key::read(private.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("private key"), "{e}");
        let e = Key::read("ssh-ed25519 not-base64").unwrap_err().to_string();
        assert!(e.contains("not an OpenSSH public key"), "{e}");
    }

    #[test]
    fn a_member_signs_in_with_each_of_their_keys_until_one_is_taken_away() {
        let (_dir, store) = store();
        let laptop = Key::read(ED25519).unwrap();
        let desktop = Key::read(OTHER).unwrap();
        add(&store, "bea", &laptop, Role::Rep).unwrap();
        add_key(&store, "bea", &desktop).unwrap();
        let by = |k: &str| {
            by_key(&store, &PublicKey::from_openssh(k).unwrap())
                .unwrap()
                .map(|m| m.name)
        };
        assert_eq!(by(ED25519).as_deref(), Some("bea"));
        assert_eq!(by(OTHER).as_deref(), Some("bea"));
        // A key is one member's.
        add(&store, "cal", &Key::read(THIRD).unwrap(), Role::Rep).unwrap();
        assert!(matches!(
            add_key(&store, "cal", &desktop),
            Err(TeamError::KeyTaken { name }) if name == "bea"
        ));
        // The first key goes; the second becomes the first and still signs in.
        remove_key(&store, "bea", &laptop.fingerprint).unwrap();
        assert_eq!(by(ED25519), None);
        assert_eq!(by(OTHER).as_deref(), Some("bea"));
        assert_eq!(
            find(&store, "bea").unwrap().fingerprint,
            desktop.fingerprint
        );
        // The last key stays, with the reason.
        let e = remove_key(&store, "bea", OTHER).unwrap_err().to_string();
        assert!(e.contains("only key"), "{e}");
        let e = remove_key(&store, "bea", &laptop.fingerprint)
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not sign in with"), "{e}");
        assert_eq!(by(OTHER).as_deref(), Some("bea"));
    }
}
