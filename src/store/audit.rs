//! The audit log: every write says who made it, when, what it did to which record, and each field
//! before → after. An entry is written in the same transaction as the change it describes, so the
//! log cannot miss a write nor name one that did not happen.

use super::entity::Entity;
use super::keys::{self, Tr};
use super::tx::{Tx, TxResult, read_u64};
use super::{Store, StoreError, codec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A value longer than this is cut in the log: the log says what changed, the record holds it.
const MAX_VALUE_CHARS: usize = 120;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at_ms: i64,
    pub actor: String,
    /// create, update, delete, restore, forget, or "import N".
    pub op: String,
    /// The record's kind as users name it ("deal") and its id.
    pub kind: String,
    pub id: u64,
    pub label: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditEntry {
    pub fn at(&self) -> crate::domain::Timestamp {
        chrono::DateTime::from_timestamp_millis(self.at_ms).unwrap_or_default()
    }

    /// The entry as a customer's timeline reads it: "bea moved deal #12 to won".
    pub fn sentence(&self) -> String {
        let stage = self.changes.iter().find(|c| c.field == "stage");
        if let (true, Some(to)) = (self.op == "update", stage.and_then(|c| c.after.as_ref())) {
            let to = to.to_lowercase();
            return format!("{} moved {} #{} to {to}", self.actor, self.kind, self.id);
        }
        match self.op.as_str() {
            "distinct" => return format!("{} marked {} as two people", self.actor, self.label),
            "not distinct" => {
                return format!("{} took back 'two people' for {}", self.actor, self.label);
            }
            "save view" => return format!("{} saved {}", self.actor, self.label),
            _ if self.merged().is_some() => {
                let merged = self.merged().unwrap_or_default();
                return match self.kind == "customer" {
                    true => format!("{} {merged}", self.actor),
                    false => format!("{} moved {} #{} ({merged})", self.actor, self.kind, self.id),
                };
            }
            _ => {}
        }
        let verb = match self.op.as_str() {
            "create" => "created",
            "update" => "changed",
            "delete" => "deleted",
            "restore" => "restored",
            "forget" => "erased",
            _ => "imported",
        };
        let what = format!("{} {verb} {} #{}", self.actor, self.kind, self.id);
        match self.op.as_str() {
            "update" if !self.changes.is_empty() => {
                let fields: Vec<&str> = self.changes.iter().map(|c| c.field.as_str()).collect();
                format!("{what}: {}", fields.join(", "))
            }
            _ => what,
        }
    }

    /// A merge's entry in words, "merged #12 into #3"; None for any other entry.
    pub fn merged(&self) -> Option<String> {
        let rest = self
            .op
            .strip_prefix(super::merge::MERGE)?
            .strip_prefix(' ')?;
        Some(format!("merged {rest}"))
    }

    /// "stage: lead → won; amount: 100.00 → 120.00"
    pub fn changes_text(&self) -> String {
        self.changes
            .iter()
            .map(FieldChange::text)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// What the change did, a line per field changed, or the operation where it lists none
    /// (a create, a delete).
    pub fn lines(&self) -> Vec<String> {
        let op = match self.op.as_str() {
            "update" if !self.changes.is_empty() => {
                return self.changes.iter().map(FieldChange::text).collect();
            }
            "create" => "created",
            "update" => "saved, nothing changed",
            "delete" => "deleted",
            "restore" => "restored",
            "forget" => "erased",
            _ if self.merged().is_some() => return self.merged().into_iter().collect(),
            other => other,
        };
        vec![op.to_string()]
    }
}

impl FieldChange {
    /// "stage: lead → won"
    pub fn text(&self) -> String {
        let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        format!(
            "{}: {} → {}",
            self.field,
            side(&self.before),
            side(&self.after)
        )
    }
}

/// Who writes, for the log; set per store handle (`Store::acting`).
#[derive(Clone, Debug)]
pub(super) struct AuditAs {
    pub actor: std::sync::Arc<str>,
    /// Forget's own changes list the fields it erased, never their values.
    pub redact: bool,
    /// What every write of this handle is called in the log, when it is one act ("merge #12
    /// into #3") rather than each write its own.
    pub op: Option<std::sync::Arc<str>>,
}

fn audit_key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

fn by_record_key(tree: Tr, id: u64, seq: u64) -> Vec<u8> {
    let mut key = keys::record_key(tree, id).to_vec();
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// Field by field, what differs between two states of a record (either may be absent).
fn diff<E: Entity>(old: Option<&E>, new: Option<&E>, redact: bool) -> Vec<FieldChange> {
    let object = |r: Option<&E>| match r.map(serde_json::to_value) {
        Some(Ok(Value::Object(map))) => map,
        _ => serde_json::Map::new(),
    };
    let (before, after) = (object(old), object(new));
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    let shown = |field: &str, v: Option<&Value>| -> Option<String> {
        let text = match v? {
            Value::Null => return None,
            Value::Number(n) if E::MONEY.contains(&field) => {
                crate::domain::Money(n.as_i64()?).to_string()
            }
            Value::Number(n) if E::TIMES.contains(&field) => {
                chrono::DateTime::from_timestamp_millis(n.as_i64()?)?
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            }
            Value::String(s) if E::NAMES.contains(&field) => s.to_lowercase(),
            Value::String(s) => s.clone(),
            Value::Array(items) if items.is_empty() => return None,
            Value::Array(items) if items.iter().all(Value::is_string) => {
                let items: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                items.join(", ")
            }
            Value::Array(items) => crate::text::count(items.len(), "entry", "entries"),
            Value::Object(parts) => {
                // An address: its parts in the order one writes them, the empty ones left out.
                const ORDER: [&str; 4] = ["street", "city", "postcode", "region"];
                let mut keys: Vec<&String> = parts.keys().collect();
                keys.sort_by_key(|k| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
                let shown: Vec<String> = (keys.into_iter())
                    .filter_map(|k| match &parts[k] {
                        Value::Null => None,
                        Value::String(s) if s.is_empty() => None,
                        Value::String(s) => Some(s.clone()),
                        other => Some(other.to_string()),
                    })
                    .collect();
                if shown.is_empty() {
                    return None;
                }
                shown.join(", ")
            }
            other => other.to_string(),
        };
        Some(match redact {
            true => crate::store::forget::ERASED.to_string(),
            false => cut(text),
        })
    };
    fields
        .into_iter()
        // The id is the record's, and the entry's own time says when it was updated.
        .filter(|f| !matches!(f.as_str(), "id" | "updated") && before.get(*f) != after.get(*f))
        .map(|f| FieldChange {
            field: f.clone(),
            before: shown(f, before.get(f)),
            after: shown(f, after.get(f)),
        })
        .filter(|c| c.before != c.after || redact)
        .collect()
}

fn cut(text: String) -> String {
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

impl Tx<'_> {
    /// Logs one change to a record. `op` says what was done; `old` and `new` are its states.
    pub(super) fn audit<E: Entity>(
        &self,
        op: &str,
        old: Option<&E>,
        new: Option<&E>,
        with_fields: bool,
    ) -> TxResult<()> {
        let Some(who) = self.audit_as() else {
            return Ok(());
        };
        let Some(record) = new.or(old) else {
            return Ok(());
        };
        if E::TREE.kind_byte().is_none() {
            return Ok(());
        }
        let label = match who.redact {
            true => crate::store::forget::ERASED.to_string(),
            false => cut(record.label()),
        };
        let changes = match with_fields {
            true => diff(old, new, who.redact),
            false => Vec::new(),
        };
        self.log(op, E::NAME, &[(E::TREE, record.id())], label, changes)
    }

    /// Logs a write that is not a record's (a "two people" mark, a saved view) under the actor,
    /// listed under each of `records` too.
    pub(super) fn audit_event(
        &self,
        op: &str,
        kind: &str,
        records: &[(Tr, u64)],
        label: String,
    ) -> TxResult<()> {
        if self.audit_as().is_none() {
            return Ok(());
        }
        self.log(op, kind, records, cut(label), Vec::new())
    }

    fn log(
        &self,
        op: &str,
        kind: &str,
        records: &[(Tr, u64)],
        label: String,
        changes: Vec<FieldChange>,
    ) -> TxResult<()> {
        let Some(who) = self.audit_as() else {
            return Ok(());
        };
        let next = keys::next_id_key(Tr::Audit);
        let seq = read_u64(self.tree(Tr::Meta).get(&next)?.as_deref()).unwrap_or(1);
        let entry = AuditEntry {
            seq,
            at_ms: chrono::Utc::now().timestamp_millis(),
            actor: who.actor.to_string(),
            op: op.to_string(),
            kind: kind.to_string(),
            id: records.first().map_or(0, |r| r.1),
            label,
            changes,
        };
        self.tree_mut(Tr::Meta)
            .insert(next, &(seq + 1).to_be_bytes())?;
        self.tree_mut(Tr::Audit)
            .insert(&audit_key(seq), codec::encode(&entry))?;
        for &(tree, id) in records {
            self.tree_mut(Tr::AuditByRecord)
                .insert(by_record_key(tree, id, seq), &[])?;
        }
        Ok(())
    }

    /// Erases what the log says of a record's fields and label, keeping who, when and what kind of
    /// change: for `forget`.
    pub(super) fn erase_audit(&self, seqs: &[u64]) -> TxResult<usize> {
        let mut erased = 0;
        for &seq in seqs {
            let Some(bytes) = self.tree(Tr::Audit).get(audit_key(seq))? else {
                continue;
            };
            let mut entry: AuditEntry = super::tx::decode_in(Tr::Audit, seq, &bytes)?;
            entry.label = crate::store::forget::ERASED.into();
            for change in &mut entry.changes {
                for side in [&mut change.before, &mut change.after] {
                    if side.is_some() {
                        *side = Some(crate::store::forget::ERASED.into());
                    }
                }
            }
            self.tree_mut(Tr::Audit)
                .insert(&audit_key(seq), codec::encode(&entry))?;
            erased += 1;
        }
        Ok(erased)
    }
}

/// Which entries to list.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub who: Option<String>,
    pub since_ms: Option<i64>,
    pub record: Option<super::trash::RecordRef>,
}

impl Store {
    /// A handle whose writes the log puts under `actor`'s name.
    pub fn acting(&self, actor: &str) -> Store {
        let mut store = self.clone();
        store.audit = Some(AuditAs {
            actor: actor.into(),
            redact: false,
            op: None,
        });
        store
    }

    /// A handle whose writes the log names `op`, as one act.
    pub(super) fn logged_as(&self, op: &str) -> Store {
        let mut store = self.clone();
        if let Some(audit) = &mut store.audit {
            audit.op = Some(op.into());
        }
        store
    }

    /// A handle that writes no log: for making a demo database, whose history is invented.
    pub fn unaudited(&self) -> Store {
        let mut store = self.clone();
        store.audit = None;
        store
    }

    pub(super) fn redacting(&self) -> Store {
        let mut store = self.clone();
        if let Some(who) = &mut store.audit {
            who.redact = true;
        }
        store
    }
}

impl super::Records {
    /// Sequence numbers of every entry about a record, oldest first.
    pub(super) fn audit_seqs_of(&self, tree: Tr, id: u64) -> Result<Vec<u64>, StoreError> {
        let prefix = keys::record_key(tree, id);
        let mut seqs = Vec::new();
        for item in self.tree(Tr::AuditByRecord).scan_prefix(prefix) {
            let (key, _) = item?;
            if let Some(seq) = keys::id_from_key(&key) {
                seqs.push(seq);
            }
        }
        Ok(seqs)
    }

    fn audit_entry(&self, seq: u64) -> Result<Option<AuditEntry>, StoreError> {
        match self.tree(Tr::Audit).get(audit_key(seq))? {
            Some(bytes) => super::tx::decode_in(Tr::Audit, seq, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// The last change made to a record, if the log has one.
    pub fn last_change(&self, tree: Tr, id: u64) -> Result<Option<AuditEntry>, StoreError> {
        let prefix = keys::record_key(tree, id);
        match self.tree(Tr::AuditByRecord).scan_prefix(prefix).next_back() {
            Some(item) => {
                let (key, _) = item?;
                match keys::id_from_key(&key) {
                    Some(seq) => self.audit_entry(seq),
                    None => Ok(None),
                }
            }
            None => Ok(None),
        }
    }

    /// Entries in the order they were written, as the query asks.
    pub fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        self.alive()?;
        let keep = |e: &AuditEntry| {
            query
                .who
                .as_ref()
                .is_none_or(|w| e.actor.eq_ignore_ascii_case(w))
                && query.since_ms.is_none_or(|s| e.at_ms >= s)
        };
        let mut out = Vec::new();
        if let Some(record) = query.record {
            for seq in self.audit_seqs_of(record.kind.tree(), record.id)? {
                if let Some(entry) = self.audit_entry(seq)?.filter(|e| keep(e)) {
                    out.push(entry);
                }
            }
            return Ok(out);
        }
        for item in self.tree(Tr::Audit).iter() {
            let (key, bytes) = item?;
            let seq = keys::id_from_key(&key).unwrap_or(0);
            let entry: AuditEntry = super::tx::decode_in(Tr::Audit, seq, &bytes)?;
            if keep(&entry) {
                out.push(entry);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(op: &str, kind: &str, id: u64) -> AuditEntry {
        AuditEntry {
            seq: 1,
            at_ms: 0,
            actor: "ana".into(),
            op: op.into(),
            kind: kind.into(),
            id,
            label: "Ada Chen".into(),
            changes: Vec::new(),
        }
    }

    #[test]
    fn a_merge_reads_as_a_merge_on_the_timeline() {
        assert_eq!(
            entry("merge #12 into #3", "customer", 12).sentence(),
            "ana merged #12 into #3"
        );
        assert_eq!(
            entry("merge #12 into #3", "deal", 7).sentence(),
            "ana moved deal #7 (merged #12 into #3)"
        );
        assert_eq!(
            entry("merge #12 into #3", "customer", 3).lines(),
            vec!["merged #12 into #3"]
        );
        assert_eq!(
            entry("import 4", "customer", 3).sentence(),
            "ana imported customer #3"
        );
    }
}
