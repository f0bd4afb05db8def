//! Checking the indexes against the records, and rebuilding them (schema upgrades, `rapport check`).

use super::*;
use crate::domain::Member;

impl Store {
    /// Recomputes every index entry from the records and lists each disagreement (empty when sound).
    pub fn check_indexes(&self) -> Result<Vec<String>, StoreError> {
        self.alive()?;
        let mut problems = Vec::new();
        self.check_entity::<Customer>(&mut problems)?;
        self.check_entity::<Product>(&mut problems)?;
        self.check_entity::<Order>(&mut problems)?;
        self.check_entity::<Deal>(&mut problems)?;
        self.check_entity::<Ticket>(&mut problems)?;
        self.check_entity::<Note>(&mut problems)?;
        self.check_entity::<crate::domain::Followup>(&mut problems)?;
        self.check_entity::<Member>(&mut problems)?;
        Ok(problems)
    }

    fn check_entity<E: Entity>(&self, problems: &mut Vec<String>) -> Result<(), StoreError> {
        let mut expected = BTreeSet::new();
        for record in self.iter::<E>() {
            let record = record?;
            for entry in record.index_entries() {
                let value = if entry.unique.is_some() {
                    id_key(record.id()).to_vec()
                } else {
                    Vec::new()
                };
                expected.insert((entry.tree.name(), entry.key, value));
            }
        }
        let mut actual = BTreeSet::new();
        for &index in E::INDEXES {
            for item in self.tree(index).iter() {
                let (k, v) = item?;
                actual.insert((index.name(), k.to_vec(), v.to_vec()));
            }
        }
        for (tree, key, _) in expected.difference(&actual) {
            problems.push(format!("{tree}: missing entry {}", printable(key)));
        }
        for (tree, key, _) in actual.difference(&expected) {
            problems.push(format!("{tree}: stray entry {}", printable(key)));
        }
        Ok(())
    }

    /// Drops and rewrites every index of a kind from its records (migrations use it). Written in
    /// batches: one batch for the whole kind held every entry twice over in sled's memory (1.1 GB
    /// at 100,000 customers). A crash mid-way leaves the step to be run again, from the start.
    pub(super) fn rebuild_indexes<E: Entity>(&self) -> Result<(), StoreError> {
        const ENTRIES_PER_BATCH: usize = 20_000;
        for &index in E::INDEXES {
            self.tree(index).clear()?;
        }
        let fresh =
            || -> Vec<sled::Batch> { E::INDEXES.iter().map(|_| sled::Batch::default()).collect() };
        let apply = |batches: Vec<sled::Batch>| -> Result<(), StoreError> {
            for (&index, batch) in E::INDEXES.iter().zip(batches) {
                self.tree(index).apply_batch(batch)?;
            }
            Ok(())
        };
        let mut batches = fresh();
        let mut pending = 0;
        for record in self.iter::<E>() {
            let record = record?;
            for entry in record.index_entries() {
                let slot = E::INDEXES
                    .iter()
                    .position(|&t| t == entry.tree)
                    .expect("declared index");
                let value = if entry.unique.is_some() {
                    id_key(record.id()).to_vec()
                } else {
                    Vec::new()
                };
                batches[slot].insert(entry.key, value);
                pending += 1;
            }
            if pending >= ENTRIES_PER_BATCH {
                apply(std::mem::replace(&mut batches, fresh()))?;
                pending = 0;
            }
        }
        apply(batches)
    }

    pub(super) fn rebuild_all_indexes(&self) -> Result<(), StoreError> {
        self.rebuild_indexes::<Customer>()?;
        self.rebuild_indexes::<Product>()?;
        self.rebuild_indexes::<Order>()?;
        self.rebuild_indexes::<Deal>()?;
        self.rebuild_indexes::<Ticket>()?;
        self.rebuild_indexes::<Note>()?;
        self.rebuild_indexes::<crate::domain::Followup>()?;
        self.rebuild_indexes::<Member>()
    }
}

fn printable(key: &[u8]) -> String {
    match std::str::from_utf8(key) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => format!("'{s}'"),
        _ => key.iter().map(|b| format!("{b:02x}")).collect(),
    }
}
