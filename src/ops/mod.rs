//! Every write a person or a script makes, named once and made by one writer, with the actor who
//! makes it. The app's worker and the headless commands both come here, and each write is checked
//! against the actor's role here (`roles`); the audit log (the team server) is written here too,
//! when it comes.

mod error;
mod imports;
mod reads;
pub mod roles;

pub use error::OpsError;
pub use imports::Imported;

pub use crate::domain::change::{Record, Write};
use crate::domain::{Account, Customer, Deal, Followup, Note, NoteKind, Order, Product, Ticket};
use crate::model::ReadModel;
use crate::store::{Kind, RecordRef, Store};
// What a front end reads, and the words it reads them in.
pub use crate::store::{
    AuditEntry, AuditQuery, BatchState, CONTROL_SOCKET, Records, Reverted, Stats, StoreError,
    Unique,
};
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
        Actor::named(crate::user::login_name())
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

    /// Opens the database at `path` for `actor`, alone in this process.
    pub fn open(path: &std::path::Path, actor: Actor) -> Result<Ops, OpsError> {
        Ok(Ops::new(Store::open(path)?, actor))
    }

    /// As `open`, with sled's page cache sized for the job (see `Store::open_with_cache`).
    pub fn open_with_cache(
        path: &std::path::Path,
        cache_bytes: u64,
        actor: Actor,
    ) -> Result<Ops, OpsError> {
        Ok(Ops::new(Store::open_with_cache(path, cache_bytes)?, actor))
    }

    /// The database, to read: everything a report or a check computes from.
    pub fn records(&self) -> &Records {
        &self.store
    }

    /// The same database, and the same sessions' model, changed by someone else (a script's
    /// `--as`, a note's author).
    pub fn as_actor(&self, actor: Actor) -> Ops {
        match &self.model {
            Some(model) => Ops::shared(model.clone(), actor),
            None => Ops::new(self.store.clone(), actor),
        }
    }

    /// The read model every session of an app or a server shows, over this database.
    pub fn into_model(self) -> Arc<ReadModel> {
        match self.model {
            Some(model) => model,
            None => ReadModel::new(self.store),
        }
    }

    /// Who acts, with the role they have now.
    pub fn actor(&self) -> Actor {
        crate::parallel::read(&self.actor).clone()
    }

    /// The team changed this actor's role: every later write is checked against the new one.
    pub fn set_role(&self, role: Role) {
        crate::parallel::write(&self.actor).role = role;
    }

    /// Carries out an edit from the app, returning it as stored.
    pub fn apply(&self, mut write: Write) -> Result<Write, OpsError> {
        if let Write::Create(record) = &mut write {
            roles::owned_by_maker(&self.actor(), record);
        }
        // Checked under the writer's lock: an owner cannot change between the check and the write.
        let run = |store: &Store| -> Result<Write, OpsError> {
            roles::check_write(store, &self.actor(), &write)?;
            unchanged_since_read(store, &write)?;
            Ok(apply(store, write)?)
        };
        match &self.model {
            // The model's lock, and this actor's handle on the store, so the log names them.
            Some(model) => model.write(|_| run(&self.store)),
            None => run(&self.store),
        }
    }

    /// May this actor do `task`? (An import asks before it reads its file.)
    pub fn check(&self, task: Task) -> Result<(), OpsError> {
        roles::check_task(&self.actor(), task)
    }

    /// A note on a customer's timeline, signed by the actor; on disk when this returns.
    pub fn add_note(
        &self,
        customer: crate::domain::CustomerId,
        kind: NoteKind,
        text: &str,
    ) -> Result<Note, OpsError> {
        self.check(Task::AddNote)?;
        let mut note = Note::new(customer, kind, text, chrono::Utc::now());
        note.author = Some(self.actor().name);
        let note = self.store.create(note)?;
        self.changed()?;
        Ok(note)
    }

    /// Moves a record of any kind to the trash; returns how it is labelled there.
    pub fn delete(&self, record: RecordRef) -> Result<String, OpsError> {
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
            Kind::Account => store.delete::<Account>(record.id)?.name,
        };
        self.changed()?;
        Ok(label)
    }

    pub fn undelete(&self, record: RecordRef) -> Result<Vec<RecordRef>, OpsError> {
        self.check(Task::Undelete)?;
        let back = self.store.undelete(record)?;
        self.changed()?;
        Ok(back)
    }

    /// Drops for good what was deleted before `before` (everything, with None).
    pub fn purge(&self, before: Option<crate::domain::Timestamp>) -> Result<usize, OpsError> {
        self.check(Task::Purge)?;
        // Only the trash changes: nothing a session shows.
        Ok(self.store.purge(before)?)
    }

    /// Makes `other` part of `kept` (see [`Store::merge_customers`]); returns the merge's batch.
    /// Merges `other` into `kept` (its fields as the merge leaves them), provided the customers
    /// in `seen` are as the actor read them: of two merges of one pair, the second is refused.
    pub fn merge(
        &self,
        kept: &Customer,
        other: crate::domain::CustomerId,
        seen: &[Customer],
    ) -> Result<(u64, crate::store::Moved), OpsError> {
        self.check(Task::Merge)?;
        let done = self.store.merge_customers(kept, other, seen)?;
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
    ) -> Result<(), OpsError> {
        self.check(Task::MarkDistinct)?;
        self.store.mark_distinct(a, b, distinct)?;
        match &self.model {
            Some(model) => Ok(model.marks_changed()?),
            None => Ok(()),
        }
    }

    /// Saves one of the actor's own views, logged under their name.
    pub fn save_view(&self, view: &crate::domain::View) -> Result<(), OpsError> {
        Ok(self.store.save_view(&self.actor().name, view)?)
    }

    /// Deletes one of the actor's own views; false when they have none of that name.
    pub fn delete_view(&self, name: &str) -> Result<bool, OpsError> {
        Ok(self.store.delete_view(&self.actor().name, name)?)
    }

    /// Renames one of the actor's own views.
    pub fn rename_view(&self, from: &str, to: &str) -> Result<(), OpsError> {
        Ok(self.store.rename_view(&self.actor().name, from, to)?)
    }

    /// Lets someone sign in to the server; an admin's (the server's owner's), signed by them.
    pub fn add_member(
        &self,
        name: &str,
        key: &crate::team::Key,
        role: Role,
    ) -> Result<crate::domain::Member, OpsError> {
        self.check(Task::Team)?;
        Ok(crate::team::add(&self.store, name, key, role)?)
    }

    /// Takes someone off the team; the server ends their sessions.
    pub fn remove_member(&self, name: &str) -> Result<crate::domain::Member, OpsError> {
        self.check(Task::Team)?;
        Ok(crate::team::remove(&self.store, name)?)
    }

    /// Gives a member another role; their open sessions take it at once.
    pub fn set_member_role(
        &self,
        name: &str,
        role: Role,
    ) -> Result<crate::domain::Member, OpsError> {
        self.check(Task::Team)?;
        Ok(crate::team::set_role(&self.store, name, role)?)
    }

    /// Lets a member sign in with one more key.
    pub fn add_member_key(
        &self,
        name: &str,
        key: &crate::team::Key,
    ) -> Result<crate::domain::Member, OpsError> {
        self.check(Task::Team)?;
        Ok(crate::team::add_key(&self.store, name, key)?)
    }

    /// Takes a member's key away; the sessions signed in with it end.
    pub fn remove_member_key(
        &self,
        name: &str,
        key: &str,
    ) -> Result<crate::domain::Member, OpsError> {
        self.check(Task::Team)?;
        Ok(crate::team::remove_key(&self.store, name, key)?)
    }

    /// Takes a merge back, every record as it was.
    pub fn unmerge(&self, batch: u64, force: bool) -> Result<crate::store::Reverted, OpsError> {
        self.check(Task::Merge)?;
        self.revert(batch, force, &mut |_| {})
    }

    pub fn forget(
        &self,
        customer: crate::domain::CustomerId,
    ) -> Result<crate::store::Forgotten, OpsError> {
        self.check(Task::Forget)?;
        let forgotten = self.store.forget(customer)?;
        self.changed()?;
        Ok(forgotten)
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
        crate::each_record!(record, r => store.unchanged(r)?);
    }
    Ok(())
}

/// Sends a record to the trash, whatever its kind.
fn delete_one<E: crate::store::Entity>(store: &Store, record: &E) -> Result<(), StoreError> {
    store.delete::<E>(record.id()).map(drop)
}

/// Carries out a write, returning it as stored (with ids assigned, and a customer's notes filled in).
fn apply(store: &Store, write: Write) -> Result<Write, StoreError> {
    Ok(match write {
        Write::Create(record) => Write::Create(crate::map_record!(record, r => store.create(r)?)),
        Write::Update { old, new } => {
            crate::each_record!(&new, r => store.update(r)?);
            Write::Update { old, new }
        }
        Write::Delete { record, .. } => {
            let notes = match &record {
                Record::Customer(c) => store.notes_of(c.id)?,
                _ => Vec::new(),
            };
            crate::each_record!(&record, r => delete_one(store, r)?);
            Write::Delete { record, notes }
        }
        Write::Batch(pairs) => {
            store.write(|tx| {
                for (_, new) in &pairs {
                    crate::each_record!(new, r => tx.update(r)?);
                }
                Ok(())
            })?;
            Write::Batch(pairs)
        }
        Write::Restore { record, notes } => {
            crate::each_record!(&record, r => store.restore(r)?);
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
