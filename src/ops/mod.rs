//! Every write a person or a script makes, named once and made by one writer, with the actor who
//! makes it. The app's worker and the headless commands both come here, and each write is checked
//! against the actor's role here (`roles`); the audit log (the team server) is written here too,
//! when it comes.

pub mod roles;

use crate::domain::{Customer, Deal, Followup, Note, NoteKind, Order, Product, Ticket};
use crate::model::ReadModel;
use crate::store::{Kind, RecordRef, Store, StoreError};
pub use roles::{Role, Task};
use std::sync::Arc;

/// Who makes a change, and what their role lets them do: the local user (or a name a script
/// gives) owns the database and is an admin; a rep over SSH has the role the team gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    /// The person at this terminal, as the system knows them: the login name of this
    /// process's user, else `$USER` (a container's uid may have no entry in the user database).
    pub fn local() -> Actor {
        Actor::named(
            login_name()
                .or_else(|| std::env::var("USER").ok())
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "rapport".into()),
        )
    }

    /// The database's owner under another name (`--author` in a script).
    pub fn named(name: impl Into<String>) -> Actor {
        Actor::with_role(name, Role::Admin)
    }

    pub fn with_role(name: impl Into<String>, role: Role) -> Actor {
        Actor {
            name: name.into(),
            role,
        }
    }
}

/// This process's user's login name, as the system knows it (a service has no $USER).
fn login_name() -> Option<String> {
    // SAFETY: getpwuid_r fills our buffer and struct; the name is read only on success.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 1024];
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let done = libc::getpwuid_r(
            libc::geteuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        );
        if done != 0 || found.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(pwd.pw_name);
        Some(name.to_string_lossy().into_owned())
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// The store as an actor changes it.
#[derive(Clone)]
pub struct Ops {
    store: Store,
    /// Shared by the clones of one session's `Ops`: a role change reaches all of them at once.
    actor: Arc<std::sync::RwLock<Actor>>,
    /// The sessions' shared read model, when there is one: writes go through it, so every session
    /// sees them.
    model: Option<Arc<ReadModel>>,
}

impl Ops {
    /// For a command that runs alone: nothing else in the process shows the records.
    pub fn new(store: Store, actor: Actor) -> Ops {
        Ops {
            store: store.acting(&actor.name),
            actor: Arc::new(std::sync::RwLock::new(actor)),
            model: None,
        }
    }

    /// For a session: its writes reach every session over `model`.
    pub fn shared(model: Arc<ReadModel>, actor: Actor) -> Ops {
        Ops {
            store: model.store().acting(&actor.name),
            actor: Arc::new(std::sync::RwLock::new(actor)),
            model: Some(model),
        }
    }

    pub fn model(&self) -> Option<&Arc<ReadModel>> {
        self.model.as_ref()
    }

    /// Tells the read model about a change it cannot patch in.
    fn changed(&self) -> Result<(), StoreError> {
        match &self.model {
            Some(model) => model.changed(),
            None => Ok(()),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Who acts, with the role they have now.
    pub fn actor(&self) -> Actor {
        self.actor.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The team changed this actor's role: every later write is checked against the new one.
    pub fn set_role(&self, role: Role) {
        self.actor.write().unwrap_or_else(|e| e.into_inner()).role = role;
    }

    /// Carries out an edit from the app, returning it as stored.
    pub fn apply(&self, mut write: Write) -> Result<Write, StoreError> {
        if let Write::Create(record) = &mut write {
            roles::owned_by_maker(&self.actor(), record);
        }
        // Checked under the writer's lock: an owner cannot change between the check and the write.
        let run = |store: &Store| {
            roles::check_write(store, &self.actor(), &write)?;
            unchanged_since_read(store, &write)?;
            apply(store, write)
        };
        match &self.model {
            // The model's lock, and this actor's handle on the store, so the log names them.
            Some(model) => model.write(|_| run(&self.store)),
            None => run(&self.store),
        }
    }

    /// May this actor do `task`? (An import asks before it reads its file.)
    pub fn check(&self, task: Task) -> Result<(), StoreError> {
        roles::check_task(&self.actor(), task)
    }

    /// A note on a customer's timeline, signed by the actor; on disk when this returns.
    pub fn add_note(
        &self,
        customer: crate::domain::CustomerId,
        kind: NoteKind,
        text: &str,
    ) -> Result<Note, StoreError> {
        self.check(Task::AddNote)?;
        let mut note = Note::new(customer, kind, text, chrono::Utc::now());
        note.author = Some(self.actor().name);
        let note = self.store.create(note)?;
        self.changed()?;
        Ok(note)
    }

    /// Moves a record of any kind to the trash; returns how it is labelled there.
    pub fn delete(&self, record: RecordRef) -> Result<String, StoreError> {
        self.check(Task::Delete)?;
        let store = &self.store;
        let label = match record.kind {
            Kind::Customer => store.delete::<Customer>(record.id)?.name,
            Kind::Product => store.delete::<Product>(record.id)?.name,
            Kind::Order => store.delete::<Order>(record.id)?.number,
            Kind::Deal => store.delete::<Deal>(record.id)?.title,
            Kind::Ticket => store.delete::<Ticket>(record.id)?.subject,
            Kind::Note => store.delete::<Note>(record.id)?.text,
            Kind::Followup => store.delete::<Followup>(record.id)?.text,
        };
        self.changed()?;
        Ok(label)
    }

    pub fn undelete(&self, record: RecordRef) -> Result<Vec<RecordRef>, StoreError> {
        self.check(Task::Undelete)?;
        let back = self.store.undelete(record)?;
        self.changed()?;
        Ok(back)
    }

    /// Drops for good what was deleted before `before` (everything, with None).
    pub fn purge(&self, before: Option<crate::domain::Timestamp>) -> Result<usize, StoreError> {
        self.check(Task::Purge)?;
        // Only the trash changes: nothing a session shows.
        self.store.purge(before)
    }

    /// Makes `other` part of `kept` (see [`Store::merge_customers`]); returns the merge's batch.
    pub fn merge(
        &self,
        kept: &Customer,
        other: crate::domain::CustomerId,
    ) -> Result<(u64, crate::store::Moved), StoreError> {
        self.check(Task::Merge)?;
        let done = self.store.merge_customers(kept, other)?;
        self.changed()?;
        Ok(done)
    }

    /// Remembers that two customers are two people (or forgets it). It hides the pair from the
    /// whole team's duplicates, so it is a manager's call, as a merge is; logged under the actor.
    pub fn mark_distinct(
        &self,
        a: crate::domain::CustomerId,
        b: crate::domain::CustomerId,
        distinct: bool,
    ) -> Result<(), StoreError> {
        self.check(Task::MarkDistinct)?;
        self.store.mark_distinct(a, b, distinct)?;
        match &self.model {
            Some(model) => model.marks_changed(),
            None => Ok(()),
        }
    }

    /// Saves one of the actor's own views, logged under their name.
    pub fn save_view(&self, view: &crate::domain::View) -> Result<(), StoreError> {
        self.store.save_view(&self.actor().name, view)
    }

    /// Deletes one of the actor's own views; false when they have none of that name.
    pub fn delete_view(&self, name: &str) -> Result<bool, StoreError> {
        self.store.delete_view(&self.actor().name, name)
    }

    /// Renames one of the actor's own views.
    pub fn rename_view(&self, from: &str, to: &str) -> Result<(), StoreError> {
        self.store.rename_view(&self.actor().name, from, to)
    }

    /// Takes a merge back, every record as it was.
    pub fn unmerge(&self, batch: u64, force: bool) -> Result<crate::store::Reverted, StoreError> {
        self.check(Task::Merge)?;
        let done = self.store.revert_import(batch, force, &mut |_, _| {})?;
        self.changed()?;
        Ok(done)
    }

    pub fn forget(
        &self,
        customer: crate::domain::CustomerId,
    ) -> Result<crate::store::Forgotten, StoreError> {
        self.check(Task::Forget)?;
        let forgotten = self.store.forget(customer)?;
        self.changed()?;
        Ok(forgotten)
    }
}

/// A record of any kind the app edits.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Customer(Customer),
    Deal(Deal),
    Ticket(Ticket),
    Note(Note),
    Followup(Followup),
}

impl Record {
    /// Which record, by id alone: what the log may keep (never a name or a title).
    pub fn reference(&self) -> String {
        match self {
            Record::Customer(c) => format!("customer {}", c.id),
            Record::Deal(d) => format!("deal {}", d.id),
            Record::Ticket(t) => format!("ticket {}", t.id),
            Record::Note(n) => format!("note {}", n.id),
            Record::Followup(f) => format!("follow-up {}", f.id),
        }
    }

    /// The record's own rules, as the store checks them before a write.
    pub fn validate(&self) -> Result<(), crate::domain::ValidationError> {
        match self {
            Record::Customer(c) => c.validate(),
            Record::Deal(d) => d.validate(),
            Record::Ticket(t) => t.validate(),
            Record::Note(n) => n.validate(),
            Record::Followup(f) => f.validate(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Record::Customer(c) => format!("customer {}", c.name),
            Record::Deal(d) => format!("deal {}", d.title),
            Record::Ticket(t) => format!("ticket #{}", t.id),
            Record::Note(n) => format!("note on customer {}", n.customer),
            Record::Followup(f) => format!("follow-up on customer {}", f.customer),
        }
    }
}

/// A change to the store. Each comes back, as stored, in `Done::Written`, and knows its own undo.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per user action: boxing would buy nothing
pub enum Write {
    Create(Record),
    Update {
        old: Record,
        new: Record,
    },
    /// Deleting a customer takes their notes with them; `notes` is filled in by the worker.
    Delete {
        record: Record,
        notes: Vec<Note>,
    },
    /// Puts back what a delete took, under the same ids.
    Restore {
        record: Record,
        notes: Vec<Note>,
    },
    /// Updates to many records at once, in one transaction: (old, new) pairs.
    Batch(Vec<(Record, Record)>),
}

impl Write {
    /// The write that takes this one back.
    pub fn inverse(&self) -> Write {
        match self.clone() {
            Write::Create(record) => Write::Delete {
                record,
                notes: Vec::new(),
            },
            Write::Update { old, new } => Write::Update { old: new, new: old },
            Write::Delete { record, notes } => Write::Restore { record, notes },
            Write::Restore { record, notes } => Write::Delete { record, notes },
            Write::Batch(pairs) => Write::Batch(
                pairs
                    .into_iter()
                    .rev()
                    .map(|(old, new)| (new, old))
                    .collect(),
            ),
        }
    }

    /// Every record the write leaves in the store (none for a delete).
    pub fn results(&self) -> Vec<&Record> {
        match self {
            Write::Batch(pairs) => pairs.iter().map(|(_, new)| new).collect(),
            Write::Delete { .. } => Vec::new(),
            other => vec![other.record()],
        }
    }

    pub fn record(&self) -> &Record {
        match self {
            Write::Create(r)
            | Write::Update { new: r, .. }
            | Write::Delete { record: r, .. }
            | Write::Restore { record: r, .. } => r,
            // A batch is described by its first record; it always has one.
            Write::Batch(pairs) => &pairs[0].1,
        }
    }
}

/// Every record the write replaces or removes must be as the writer read it: two reps saving the
/// same record, the second is refused, not written over the first.
fn unchanged_since_read(store: &Store, write: &Write) -> Result<(), StoreError> {
    let seen: Vec<&Record> = match write {
        Write::Update { old, .. } => vec![old],
        Write::Delete { record, .. } => vec![record],
        Write::Batch(pairs) => pairs.iter().map(|(old, _)| old).collect(),
        Write::Create(_) | Write::Restore { .. } => Vec::new(),
    };
    for record in seen {
        match record {
            Record::Customer(c) => store.unchanged(c)?,
            Record::Deal(d) => store.unchanged(d)?,
            Record::Ticket(t) => store.unchanged(t)?,
            Record::Note(n) => store.unchanged(n)?,
            Record::Followup(f) => store.unchanged(f)?,
        }
    }
    Ok(())
}

/// Carries out a write, returning it as stored (with ids assigned, and a customer's notes filled in).
fn apply(store: &Store, write: Write) -> Result<Write, StoreError> {
    Ok(match write {
        Write::Create(record) => Write::Create(match record {
            Record::Customer(c) => Record::Customer(store.create(c)?),
            Record::Deal(d) => Record::Deal(store.create(d)?),
            Record::Ticket(t) => Record::Ticket(store.create(t)?),
            Record::Note(n) => Record::Note(store.create(n)?),
            Record::Followup(f) => Record::Followup(store.create(f)?),
        }),
        Write::Update { old, new } => {
            match &new {
                Record::Customer(c) => store.update(c)?,
                Record::Deal(d) => store.update(d)?,
                Record::Ticket(t) => store.update(t)?,
                Record::Note(n) => store.update(n)?,
                Record::Followup(f) => store.update(f)?,
            }
            Write::Update { old, new }
        }
        Write::Delete { record, .. } => {
            let notes = match &record {
                Record::Customer(c) => store.notes_of(c.id)?,
                _ => Vec::new(),
            };
            match &record {
                Record::Customer(c) => drop(store.delete::<Customer>(c.id.0)?),
                Record::Deal(d) => drop(store.delete::<Deal>(d.id.0)?),
                Record::Ticket(t) => drop(store.delete::<Ticket>(t.id.0)?),
                Record::Note(n) => drop(store.delete::<Note>(n.id.0)?),
                Record::Followup(f) => drop(store.delete::<Followup>(f.id.0)?),
            }
            Write::Delete { record, notes }
        }
        Write::Batch(pairs) => {
            store.write(|tx| {
                for (_, new) in &pairs {
                    match new {
                        Record::Customer(c) => tx.update(c)?,
                        Record::Deal(d) => tx.update(d)?,
                        Record::Ticket(t) => tx.update(t)?,
                        Record::Note(n) => tx.update(n)?,
                        Record::Followup(f) => tx.update(f)?,
                    }
                }
                Ok(())
            })?;
            Write::Batch(pairs)
        }
        Write::Restore { record, notes } => {
            match &record {
                Record::Customer(c) => store.restore(c)?,
                Record::Deal(d) => store.restore(d)?,
                Record::Ticket(t) => store.restore(t)?,
                Record::Note(n) => store.restore(n)?,
                Record::Followup(f) => store.restore(f)?,
            }
            for note in &notes {
                store.restore(note)?;
            }
            // Follow-ups went to the trash with their customer; they come back with them.
            if let Record::Customer(c) = &record {
                store.undelete_with(c.id)?;
            }
            Write::Restore { record, notes }
        }
    })
}
