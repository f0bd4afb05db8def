//! The database's schema version, kept in the `meta` tree, and the steps that bring an older
//! database up to date when it is opened.
//!
//! History:
//! 1. the first layout: records, and indexes by email, external id, sku, order number, orders by
//!    customer, deals by stage, tickets by status.
//! 2. adds per-customer indexes for deals, tickets and notes (the customer timeline reads them).
//! 3. adds the trash (soft deletes) and the import journal; both start empty, so the step has no
//!    work, but an older rapport must not open a database whose deletes it would not understand.
//! 4. adds customers by name, so the app draws its first screen without reading every customer.
//! 5. deals keep when they closed and why they were lost, notes say which deal they are about:
//!    every deal and note (in its tree and in the trash) is written again in the new layout.
//! 6. customers have a postal address: every customer (in its tree, in the trash and in the
//!    import journal, which keeps what an import found) is written again in the new layout.
//! 7. a member may sign in with several keys: every member is written again in the new layout.
//! 8. accounts: every customer is written again with room for one, then an account is made for
//!    each business named in people's `company` (folded as `text::company` folds it) and its
//!    people are linked to it. `company` stays as typed, so old exports read as before.

use super::codec;
use super::journal;
use super::keys::{self, Tr};
use super::trash::TrashEntry;
use super::{Store, StoreError};
use crate::domain::{
    Account, AccountId, Address, Customer, CustomerId, Deal, DealId, DealStage, Lifecycle, Member,
    MemberId, Money, Note, NoteId, NoteKind, Role, Timestamp,
};
use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub const SCHEMA_VERSION: u32 = 8;

pub(super) fn stored_version(meta: &sled::Tree, path: &Path) -> Result<Option<u32>, StoreError> {
    match meta.get(keys::SCHEMA_VERSION)? {
        None => Ok(None),
        Some(bytes) => {
            let bytes: [u8; 4] = bytes
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::NotRapport {
                    path: path.to_path_buf(),
                    why: "its schema version is unreadable".into(),
                })?;
            Ok(Some(u32::from_be_bytes(bytes)))
        }
    }
}

fn set_version(store: &Store, version: u32) -> Result<(), StoreError> {
    store
        .tree(Tr::Meta)
        .insert(keys::SCHEMA_VERSION, &version.to_be_bytes())?;
    store.flush()
}

pub(super) fn migrate(store: &Store, found: Option<u32>) -> Result<(), StoreError> {
    let Some(mut version) = found else {
        let has_records = Tr::ALL
            .iter()
            .filter(|t| **t != Tr::Meta)
            .any(|t| !store.tree(*t).is_empty());
        if has_records {
            return Err(StoreError::NotRapport {
                path: store.path.clone(),
                why: "it has data but no schema version".into(),
            });
        }
        return set_version(store, SCHEMA_VERSION);
    };
    if version < 5 {
        // Before any step: the steps read records in today's layout.
        relayout::<DealV4, Deal>(store, Tr::Deals, DealV4::into_deal)?;
        relayout::<NoteV4, Note>(store, Tr::Notes, NoteV4::into_note)?;
    }
    if version < 6 {
        relayout::<CustomerV5, Customer>(store, Tr::Customers, CustomerV5::into_customer)?;
    }
    if version < 7 {
        relayout::<MemberV6, Member>(store, Tr::Members, MemberV6::into_member)?;
    }
    if version < 8 {
        relayout::<CustomerV7, Customer>(store, Tr::Customers, CustomerV7::into_customer)?;
    }
    while version < SCHEMA_VERSION {
        // Each step is idempotent and the version is written after it, so a crash mid-way
        // re-runs the step on the next open.
        match version {
            1 => store.rebuild_all_indexes()?,
            2 => {}
            3 => store.rebuild_indexes::<crate::domain::Customer>()?,
            4..=6 => {} // the new layouts, written above
            7 => link_accounts(store)?,
            other => {
                return Err(StoreError::NotRapport {
                    path: store.path.clone(),
                    why: format!("schema {other} is not one rapport ever wrote"),
                });
            }
        }
        version += 1;
        set_version(store, version)?;
    }
    Ok(())
}

/// Writes every record of `tree`, live and in the trash, again in the new layout. A record that
/// no longer decodes in the old layout must already be in the new one (the step is re-run after a
/// crash): the new layouts only add fields at the end, so no record decodes as both.
fn relayout<Old: DeserializeOwned, New: super::Entity>(
    store: &Store,
    tree: Tr,
    upgrade: fn(Old) -> New,
) -> Result<(), StoreError> {
    let again = |bytes: &[u8], id: u64| -> Result<Option<Vec<u8>>, StoreError> {
        match codec::decode::<Old>(bytes) {
            Ok(old) => Ok(Some(codec::encode(&upgrade(old)))),
            Err(_) => super::tx::decode_record::<New>(bytes, id).map(|_| None),
        }
    };
    let records = store.tree(tree);
    let mut batch = sled::Batch::default();
    // What each record's digest was and is: the import journal keeps the one an import left.
    let mut digests: HashMap<u64, (u64, u64)> = HashMap::new();
    for item in records.iter() {
        let (key, bytes) = item?;
        let id = keys::id_from_key(&key).unwrap_or(0);
        if let Some(new) = again(&bytes, id)? {
            digests.insert(id, (journal::digest(&bytes), journal::digest(&new)));
            batch.insert(key, new);
        }
    }
    records.apply_batch(batch)?;
    rewrite_journal(store, tree, &again, &digests)?;
    let trash = store.tree(Tr::Trash);
    let mut batch = sled::Batch::default();
    for item in trash.iter() {
        let (key, bytes) = item?;
        if key.first().copied() != tree.kind_byte() {
            continue;
        }
        let id = keys::id_from_key(&key).unwrap_or(0);
        let mut entry: TrashEntry = super::tx::decode_in(Tr::Trash, id, &bytes)?;
        if let Some(new) = again(&entry.record, id)? {
            entry.record = new;
            batch.insert(key, codec::encode(&entry));
        }
    }
    trash.apply_batch(batch)?;
    Ok(())
}

/// A record's bytes in the new layout, or None where they are in it already.
type Again<'a> = dyn Fn(&[u8], u64) -> Result<Option<Vec<u8>>, StoreError> + 'a;

/// Brings the import journal's entries for `tree` in line with records written again: each state
/// before an import in the new layout (`again`), and each digest of what it left that was the old
/// record's (`digests`: id → (old, new)) the new one's, so a revert still finds them as left.
fn rewrite_journal(
    store: &Store,
    tree: Tr,
    again: &Again<'_>,
    digests: &HashMap<u64, (u64, u64)>,
) -> Result<(), StoreError> {
    let changes = store.tree(Tr::ImportChanges);
    let mut batch = sled::Batch::default();
    for item in changes.iter() {
        let (key, bytes) = item?;
        if key.get(8).copied() != tree.kind_byte() {
            continue;
        }
        let id = keys::id_from_key(&key).unwrap_or(0);
        let batch_id = keys::id_from_key(&key[..8]).unwrap_or(0);
        let mut change: journal::Change =
            super::tx::decode_in(Tr::ImportChanges, batch_id, &bytes)?;
        let mut changed = false;
        if let Some(before) = &change.before
            && let Some(new) = again(before, id)?
        {
            change.before = Some(new);
            changed = true;
        }
        if let (Some(after), Some((old, new))) = (change.after, digests.get(&id))
            && after == *old
        {
            change.after = Some(*new);
            changed = true;
        }
        if changed {
            batch.insert(key, codec::encode(&change));
        }
    }
    changes.apply_batch(batch)?;
    Ok(())
}

/// A customer as schema 5 stored it: no address.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct CustomerV5 {
    id: CustomerId,
    external_id: Option<String>,
    name: String,
    company: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    tags: Vec<String>,
    owner: Option<String>,
    stage: Lifecycle,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    created: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    updated: Timestamp,
}

impl CustomerV5 {
    fn into_customer(self) -> Customer {
        Customer {
            id: self.id,
            external_id: self.external_id,
            name: self.name,
            company: self.company,
            email: self.email,
            phone: self.phone,
            country: self.country,
            tags: self.tags,
            owner: self.owner,
            stage: self.stage,
            created: self.created,
            updated: self.updated,
            address: Address::default(),
            account: None,
        }
    }
}

/// A customer as schema 7 stored it: no account.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct CustomerV7 {
    id: CustomerId,
    external_id: Option<String>,
    name: String,
    company: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    tags: Vec<String>,
    owner: Option<String>,
    stage: Lifecycle,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    created: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    updated: Timestamp,
    address: Address,
}

impl CustomerV7 {
    fn into_customer(self) -> Customer {
        Customer {
            id: self.id,
            external_id: self.external_id,
            name: self.name,
            company: self.company,
            email: self.email,
            phone: self.phone,
            country: self.country,
            tags: self.tags,
            owner: self.owner,
            stage: self.stage,
            created: self.created,
            updated: self.updated,
            address: self.address,
            account: None,
        }
    }
}

/// Schema 8's step: an account for each business people name as their company, and its people
/// linked to it. Idempotent: an account of that name is found before one is made, and only
/// people with no account are linked, a thousand to a transaction.
fn link_accounts(store: &Store) -> Result<(), StoreError> {
    let store = store.unaudited();
    let mut existing: HashMap<String, AccountId> = HashMap::new();
    for account in store.all::<Account>()? {
        existing.entry(account.name_key()).or_insert(account.id);
    }
    let mut businesses: BTreeMap<String, Vec<Customer>> = BTreeMap::new();
    for c in store.all::<Customer>()? {
        let key = c.company.as_deref().map(crate::text::company);
        if let (None, Some(key)) = (c.account, key.filter(|k| !k.is_empty())) {
            businesses.entry(key).or_default().push(c);
        }
    }
    let mut digests: HashMap<u64, (u64, u64)> = HashMap::new();
    let groups: Vec<(String, Vec<Customer>)> = businesses.into_iter().collect();
    for chunk in groups.chunks(1_000) {
        let linked = store.write(|tx| {
            let mut linked = Vec::new();
            for (key, people) in chunk {
                let account = match existing.get(key) {
                    Some(id) => *id,
                    None => tx.create(account_of(people))?.id,
                };
                for person in people {
                    let mut now = person.clone();
                    now.account = Some(account);
                    tx.update(&now)?;
                    linked.push((person.id.0, codec::encode(person), codec::encode(&now)));
                }
            }
            Ok(linked)
        })?;
        for (id, old, new) in linked {
            digests.insert(id, (journal::digest(&old), journal::digest(&new)));
        }
    }
    rewrite_journal(&store, Tr::Customers, &|_, _| Ok(None), &digests)
}

/// The account its people's records describe: the name most of them write (the first written,
/// of equals), the business domain most of their addresses have, and the owner most of them have.
fn account_of(people: &[Customer]) -> Account {
    fn most<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for v in values {
            match counts.iter_mut().find(|(x, _)| *x == v) {
                Some((_, n)) => *n += 1,
                None => counts.push((v, 1)),
            }
        }
        // The first of the most common: max_by_key keeps the last of equals, so go backwards.
        counts
            .iter()
            .rev()
            .max_by_key(|(_, n)| *n)
            .map(|(v, _)| v.to_string())
    }
    let names = people
        .iter()
        .filter_map(|c| c.company.as_deref())
        .map(str::trim);
    let created = people.iter().map(|c| c.created).min().unwrap_or_default();
    let mut account = Account::new(most(names).unwrap_or_default(), created);
    let domains: Vec<String> = (people.iter())
        .filter_map(|c| c.email.as_deref().and_then(crate::domain::business_domain))
        .collect();
    account.domain = most(domains.iter().map(String::as_str));
    account.owner = most(people.iter().filter_map(|c| c.owner.as_deref()));
    account.country = most(people.iter().filter_map(|c| c.country.as_deref()));
    account
}

/// A deal as schema 4 stored it.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct DealV4 {
    id: DealId,
    title: String,
    customer: CustomerId,
    value: Money,
    currency: String,
    stage: DealStage,
    probability: u8,
    expected_close: Option<NaiveDate>,
    owner: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    created: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    updated: Timestamp,
}

impl DealV4 {
    /// A closed deal's best known closing time is its last change.
    fn into_deal(self) -> Deal {
        Deal {
            closed: (!self.stage.is_open()).then_some(self.updated),
            id: self.id,
            title: self.title,
            customer: self.customer,
            value: self.value,
            currency: self.currency,
            stage: self.stage,
            probability: self.probability,
            expected_close: self.expected_close,
            owner: self.owner,
            created: self.created,
            updated: self.updated,
            lost_reason: None,
        }
    }
}

/// A note as schema 4 stored it.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct NoteV4 {
    id: NoteId,
    customer: CustomerId,
    kind: NoteKind,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    at: Timestamp,
    author: Option<String>,
    text: String,
}

impl NoteV4 {
    fn into_note(self) -> Note {
        Note {
            id: self.id,
            customer: self.customer,
            kind: self.kind,
            at: self.at,
            author: self.author,
            text: self.text,
            deal: None,
        }
    }
}

/// A member as schema 6 stored them: one key.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct MemberV6 {
    id: MemberId,
    name: String,
    role: Role,
    key: String,
    fingerprint: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    added: Timestamp,
}

impl MemberV6 {
    fn into_member(self) -> Member {
        Member {
            id: self.id,
            name: self.name,
            role: self.role,
            key: self.key,
            fingerprint: self.fingerprint,
            added: self.added,
            more_keys: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Customer;

    fn v4(d: &Deal) -> Vec<u8> {
        codec::encode(&DealV4 {
            id: d.id,
            title: d.title.clone(),
            customer: d.customer,
            value: d.value,
            currency: d.currency.clone(),
            stage: d.stage,
            probability: d.probability,
            expected_close: d.expected_close,
            owner: d.owner.clone(),
            created: d.created,
            updated: d.updated,
        })
    }

    #[test]
    fn schema_4_deals_and_notes_are_written_again_live_and_in_the_trash() {
        let (_dir, store) = crate::demo::test_store(20, 5);
        let customer = store.iter_sound::<Customer>().next().unwrap().unwrap();
        let then = chrono::Utc::now() - chrono::Duration::days(9);
        let mut won = Deal::new("Fit-out", customer.id, Money::from_units(5), then);
        won.move_to(DealStage::Won, None, then);
        won.updated = then + chrono::Duration::days(2);
        let won = &store.create(won).unwrap();
        let open = &store
            .create(Deal::new(
                "Renewal",
                customer.id,
                Money::from_units(7),
                then,
            ))
            .unwrap();
        let note = store
            .create(Note::new(
                customer.id,
                NoteKind::Call,
                "rang",
                chrono::Utc::now(),
            ))
            .unwrap();
        store.delete::<Note>(note.id.0).unwrap();
        // Put back what schema 4 wrote: the old layouts, in the tree and in the trash.
        for d in [won, open] {
            store
                .tree(Tr::Deals)
                .insert(keys::id_key(d.id.0), v4(d))
                .unwrap();
        }
        let trash_key = keys::record_key(Tr::Notes, note.id.0);
        let mut entry: TrashEntry =
            codec::decode(&store.tree(Tr::Trash).get(trash_key).unwrap().unwrap()).unwrap();
        entry.record = codec::encode(&NoteV4 {
            id: note.id,
            customer: note.customer,
            kind: note.kind,
            at: note.at,
            author: None,
            text: note.text.clone(),
        });
        store
            .tree(Tr::Trash)
            .insert(trash_key, codec::encode(&entry))
            .unwrap();
        assert!(
            store.get::<Deal>(won.id.0).is_err(),
            "the old layout no longer reads"
        );

        migrate(&store, Some(4)).unwrap();
        // A crash after the step and before the version is written runs it again.
        migrate(&store, Some(4)).unwrap();
        let back = store.get::<Deal>(won.id.0).unwrap().unwrap();
        assert_eq!(
            back.closed.map(|t| t.timestamp_millis()),
            Some(won.updated.timestamp_millis()),
            "closed at its last change"
        );
        assert_eq!(
            (back.title.as_str(), back.lost_reason.as_ref()),
            (won.title.as_str(), None)
        );
        assert_eq!(store.get::<Deal>(open.id.0).unwrap().unwrap().closed, None);
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        let restored = store
            .undelete(crate::store::RecordRef {
                kind: crate::store::Kind::Note,
                id: note.id.0,
            })
            .unwrap();
        assert_eq!(restored.len(), 1);
        let note = store.get::<Note>(note.id.0).unwrap().unwrap();
        assert_eq!((note.text.as_str(), note.deal), ("rang", None));
        assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
    }

    fn v5(c: &Customer) -> Vec<u8> {
        codec::encode(&CustomerV5 {
            id: c.id,
            external_id: c.external_id.clone(),
            name: c.name.clone(),
            company: c.company.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            country: c.country.clone(),
            tags: c.tags.clone(),
            owner: c.owner.clone(),
            stage: c.stage,
            created: c.created,
            updated: c.updated,
        })
    }

    #[test]
    fn schema_5_customers_are_written_again_and_an_import_still_reverts() {
        let (dir, store) = crate::demo::test_store(10, 6);
        let known = store.iter_sound::<Customer>().next().unwrap().unwrap();
        let file = dir.path().join("people.csv");
        std::fs::write(
            &file,
            format!(
                "name,email,phone\nNew Person,new@example.com,\n{},{},+44 20 7946 0000\n",
                known.name,
                known.email.clone().unwrap()
            ),
        )
        .unwrap();
        let batch = store.begin_import("people.csv", "customers").unwrap();
        crate::import::import_customers(
            &store.journaled(batch),
            &file,
            chrono::Utc::now(),
            &mut |_| {},
        )
        .unwrap();
        store.finish_import(batch, "2 rows").unwrap();
        let gone = store
            .create(Customer::new("Gone Away", chrono::Utc::now()))
            .unwrap();
        store.delete::<Customer>(gone.id.0).unwrap();
        // Put back what schema 5 wrote: customers, the trash and the import journal, old layout.
        let customers = store.tree(Tr::Customers);
        for item in customers.iter() {
            let (key, _) = item.unwrap();
            let c = store
                .get::<Customer>(keys::id_from_key(&key).unwrap())
                .unwrap()
                .unwrap();
            customers.insert(key, v5(&c)).unwrap();
        }
        let trash_key = keys::record_key(Tr::Customers, gone.id.0);
        let mut entry: TrashEntry =
            codec::decode(&store.tree(Tr::Trash).get(trash_key).unwrap().unwrap()).unwrap();
        entry.record = v5(&gone);
        store
            .tree(Tr::Trash)
            .insert(trash_key, codec::encode(&entry))
            .unwrap();
        let changes = store.tree(Tr::ImportChanges);
        for item in changes.iter() {
            let (key, bytes) = item.unwrap();
            let mut change: journal::Change = codec::decode(&bytes).unwrap();
            let id = keys::id_from_key(&key).unwrap();
            if let Some(before) = &change.before {
                change.before = Some(v5(&codec::decode::<Customer>(before).unwrap()));
            }
            if change.after.is_some() {
                let now = customers.get(keys::id_key(id)).unwrap().unwrap();
                change.after = Some(journal::digest(&now));
            }
            changes.insert(key, codec::encode(&change)).unwrap();
        }
        assert!(
            store.get::<Customer>(known.id.0).is_err(),
            "the old layout no longer reads"
        );

        migrate(&store, Some(5)).unwrap();
        migrate(&store, Some(5)).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        let back = store.get::<Customer>(known.id.0).unwrap().unwrap();
        assert_eq!(back.phone.as_deref(), Some("+44 20 7946 0000"));
        assert!(back.address.is_empty());
        store.revert_import(batch, false, &mut |_, _| {}).unwrap();
        let reverted = store.get::<Customer>(known.id.0).unwrap().unwrap();
        assert_eq!(reverted.phone, known.phone);
        assert!(
            store
                .iter_sound::<Customer>()
                .all(|c| c.unwrap().name != "New Person")
        );
        let restored = store
            .undelete(crate::store::RecordRef {
                kind: crate::store::Kind::Customer,
                id: gone.id.0,
            })
            .unwrap();
        assert_eq!(restored.len(), 1);
        assert_eq!(
            store.get::<Customer>(gone.id.0).unwrap().unwrap().name,
            gone.name
        );
    }

    #[test]
    fn schema_6_members_are_written_again_and_still_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let key = crate::team::Key::read(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMUkqyMee5wZFw/gDIhvS33qloW49+7ldFnapTyyY5jd",
        )
        .unwrap();
        crate::team::add(&store, "bea", &key, Role::Rep).unwrap();
        let bea = crate::team::find(&store, "bea").unwrap();
        let old = MemberV6 {
            id: bea.id,
            name: bea.name.clone(),
            role: bea.role,
            key: bea.key.clone(),
            fingerprint: bea.fingerprint.clone(),
            added: bea.added,
        };
        let members = store.tree(Tr::Members);
        members
            .insert(keys::id_key(bea.id.0), codec::encode(&old))
            .unwrap();
        assert!(
            store.get::<Member>(bea.id.0).is_err(),
            "the old layout no longer reads"
        );

        migrate(&store, Some(6)).unwrap();
        migrate(&store, Some(6)).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        assert_eq!(store.get::<Member>(bea.id.0).unwrap().unwrap(), bea);
        let public = russh::keys::PublicKey::from_openssh(&key.openssh).unwrap();
        assert_eq!(
            crate::team::by_key(&store, &public).unwrap().unwrap().id,
            bea.id
        );
    }
}
