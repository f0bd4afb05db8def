//! Each person's saved views. Not records (no trash), but a write like any: its audit entry says
//! who saved which; saving under a name a person already used replaces that view.

use super::keys::Tr;
use super::{Store, StoreError, codec};
use crate::domain::View;

fn prefix(user: &str) -> Vec<u8> {
    let mut key = user.as_bytes().to_vec();
    key.push(0);
    key
}

/// Where `user`'s view `name` is kept.
fn view_key(user: &str, name: &str) -> Vec<u8> {
    let mut key = prefix(user);
    key.extend_from_slice(name.as_bytes());
    key
}

impl Store {
    /// Saves `view` for `user`, in place of one of the same name.
    pub fn save_view(&self, user: &str, view: &View) -> Result<(), StoreError> {
        self.alive()?;
        view.validate().map_err(|cause| StoreError::Invalid {
            entity: "view",
            cause,
        })?;
        let key = view_key(user, &view.name);
        let bytes = codec::encode(view);
        self.write_aside(|tx| {
            tx.tree_mut(Tr::Views)
                .insert(key.as_slice(), bytes.as_slice())?;
            tx.audit_event(
                "save view",
                "view",
                &[],
                format!("{user}'s view {}", view.name),
            )
        })
    }
}

impl Store {
    /// Deletes `user`'s view `name`; false when they have none of that name.
    pub fn delete_view(&self, user: &str, name: &str) -> Result<bool, StoreError> {
        self.alive()?;
        let key = view_key(user, name);
        self.write_aside(|tx| {
            let gone = tx.tree_mut(Tr::Views).remove(key.as_slice())?.is_some();
            if gone {
                tx.audit_event("delete view", "view", &[], format!("{user}'s view {name}"))?;
            }
            Ok(gone)
        })
    }

    /// Renames `user`'s view `from` to `to`, refused where `to` is taken or `from` is not theirs.
    pub fn rename_view(&self, user: &str, from: &str, to: &str) -> Result<(), StoreError> {
        self.alive()?;
        let (old, new) = (view_key(user, from), view_key(user, to));
        self.write_aside(|tx| {
            let views = tx.tree_mut(Tr::Views);
            let Some(bytes) = views.get(old.as_slice())? else {
                return Err(
                    StoreError::Refused(format!("you have no view called '{from}'")).into(),
                );
            };
            if views.get(new.as_slice())?.is_some() {
                return Err(StoreError::Refused(format!(
                    "a view called '{to}' is there already: delete it first, or save over it"
                ))
                .into());
            }
            let mut view: View = super::tx::decode_in(Tr::Views, 0, &bytes)?;
            view.name = to.to_string();
            view.validate().map_err(|cause| StoreError::Invalid {
                entity: "view",
                cause,
            })?;
            views.remove(old.as_slice())?;
            views.insert(new.as_slice(), codec::encode(&view))?;
            tx.audit_event(
                "rename view",
                "view",
                &[],
                format!("{user}'s view {from} → {to}"),
            )
        })
    }
}

impl super::Records {
    /// `user`'s views, by name.
    pub fn views_of(&self, user: &str) -> Result<Vec<View>, StoreError> {
        self.alive()?;
        let mut out = Vec::new();
        for item in self.tree(Tr::Views).scan_prefix(prefix(user)) {
            let (_, bytes) = item?;
            out.push(super::tx::decode_in(Tr::Views, 0, &bytes)?);
        }
        Ok(out)
    }

    /// Everyone's views, as (person, view), for a backup.
    pub fn all_views(&self) -> Result<Vec<(String, View)>, StoreError> {
        self.alive()?;
        let mut out = Vec::new();
        for item in self.tree(Tr::Views).iter() {
            let (key, bytes) = item?;
            let user = key.split(|&b| b == 0).next().unwrap_or_default();
            let view = super::tx::decode_in(Tr::Views, 0, &bytes)?;
            out.push((String::from_utf8_lossy(user).into_owned(), view));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str, filter: &str) -> View {
        View {
            name: name.into(),
            pane: Some("customers".into()),
            filter: Some(filter.into()),
            mine: true,
        }
    }

    #[test]
    fn views_are_each_persons_and_a_name_saved_again_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.save_view("bea", &view("Leeds", "leeds")).unwrap();
        store.save_view("bea", &view("Big", "vip")).unwrap();
        store.save_view("bea2", &view("Other", "x")).unwrap();
        store
            .save_view("bea", &view("Leeds", "leeds retail"))
            .unwrap();
        let names: Vec<(String, Option<String>)> = store
            .views_of("bea")
            .unwrap()
            .into_iter()
            .map(|v| (v.name, v.filter))
            .collect();
        assert_eq!(
            names,
            [
                ("Big".to_string(), Some("vip".to_string())),
                ("Leeds".to_string(), Some("leeds retail".to_string()))
            ],
            "bea2's are not bea's"
        );
        let bad = store.save_view("bea", &view("", "x")).unwrap_err();
        assert!(bad.to_string().contains("name"), "{bad}");
    }

    #[test]
    fn a_view_is_renamed_and_deleted_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.save_view("bea", &view("Leeds", "leeds")).unwrap();
        store.save_view("bea", &view("Big", "vip")).unwrap();
        store.save_view("cal", &view("Leeds", "leeds")).unwrap();
        let e = store
            .rename_view("bea", "Leeds", "Big")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is there already"), "{e}");
        store.rename_view("bea", "Leeds", "North").unwrap();
        let names = |who: &str| -> Vec<String> {
            store
                .views_of(who)
                .unwrap()
                .into_iter()
                .map(|v| v.name)
                .collect()
        };
        assert_eq!(names("bea"), vec!["Big", "North"]);
        assert_eq!(
            store.views_of("bea").unwrap()[1].filter.as_deref(),
            Some("leeds")
        );
        assert!(store.delete_view("bea", "Big").unwrap());
        assert!(!store.delete_view("bea", "Big").unwrap());
        assert_eq!(names("bea"), vec!["North"]);
        assert_eq!(names("cal"), vec!["Leeds"], "cal's are cal's");
    }
}
