//! Who is online: one entry a session, so the server can cap them, show each rep how many others
//! are on, and end sessions when the team changes or a rep goes idle.

use crate::domain::{Member, MemberId, Role};
use crate::tui::app::Event;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The database's owner, in their own app: not a member of the team, never ended by its changes.
pub const OWNER: MemberId = MemberId(0);

pub struct Registry {
    entries: Mutex<Vec<Entry>>,
    online: Arc<AtomicUsize>,
    next: AtomicU64,
    max: usize,
    started: Instant,
}

struct Entry {
    id: u64,
    member: MemberId,
    role: Role,
    fingerprint: String,
    to_app: Sender<Event>,
    last_key: Arc<AtomicU64>,
}

/// A place in the registry; leaving it (drop) takes the session off the list.
pub struct Seat {
    registry: Arc<Registry>,
    pub id: u64,
    last_key: Arc<AtomicU64>,
}

impl Seat {
    /// A key came in: the session is not idle.
    pub fn touch(&self) {
        self.last_key
            .store(self.registry.now_ms(), Ordering::Relaxed);
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.registry.leave(self.id);
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the server is full ({0} sessions); try again in a while")]
pub struct Full(pub usize);

impl Registry {
    pub fn new(max: usize) -> Arc<Registry> {
        Arc::new(Registry {
            entries: Mutex::new(Vec::new()),
            online: Arc::new(AtomicUsize::new(0)),
            next: AtomicU64::new(1),
            max,
            started: Instant::now(),
        })
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// The count each session's header reads.
    pub fn online(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.online)
    }

    /// Seats `member`, signed in with the key whose fingerprint is `key` (none for the owner).
    pub fn join(
        self: &Arc<Self>,
        member: &Member,
        key: &str,
        to_app: Sender<Event>,
    ) -> Result<Seat, Full> {
        let mut entries = crate::parallel::lock(&self.entries);
        if entries.len() >= self.max {
            return Err(Full(self.max));
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let last_key = Arc::new(AtomicU64::new(self.now_ms()));
        entries.push(Entry {
            id,
            member: member.id,
            role: member.role,
            fingerprint: key.to_string(),
            to_app,
            last_key: Arc::clone(&last_key),
        });
        self.online.store(entries.len(), Ordering::Relaxed);
        Self::redraw_all(&entries);
        Ok(Seat {
            registry: Arc::clone(self),
            id,
            last_key,
        })
    }

    fn leave(&self, id: u64) {
        let mut entries = crate::parallel::lock(&self.entries);
        entries.retain(|e| e.id != id);
        self.online.store(entries.len(), Ordering::Relaxed);
        Self::redraw_all(&entries);
    }

    /// Every header shows the count: each session draws again.
    fn redraw_all(entries: &[Entry]) {
        for e in entries {
            let _ = e.to_app.send(Event::Tick);
        }
    }

    /// Follows the team as it is now: a member taken off it, or whose key was taken away, is
    /// ended; a member given another role keeps their session, with the new role applied in it.
    /// Returns how many sessions were ended.
    pub fn follow_team(&self, team: &[Member]) -> usize {
        let mut entries = crate::parallel::lock(&self.entries);
        let mut ended = 0;
        for e in entries.iter_mut().filter(|e| e.member != OWNER) {
            let why = match team.iter().find(|m| m.id == e.member) {
                None => "you were taken off the team",
                Some(m) if !m.has_key(&e.fingerprint) => {
                    "the key you signed in with was taken away"
                }
                Some(m) => {
                    if m.role != e.role {
                        e.role = m.role;
                        let _ = e.to_app.send(Event::Role(m.role));
                    }
                    continue;
                }
            };
            let _ = e.to_app.send(Event::End(why.into()));
            ended += 1;
        }
        ended
    }

    /// Ends every session (the server is stopping); returns how many.
    pub fn end_all(&self, why: &str) -> usize {
        let entries = crate::parallel::lock(&self.entries);
        for e in entries.iter() {
            let _ = e.to_app.send(Event::End(why.into()));
        }
        entries.len()
    }

    /// Sessions now.
    pub fn count(&self) -> usize {
        self.online.load(Ordering::Relaxed)
    }

    /// Ends sessions with no key pressed for `idle`.
    pub fn end_idle(&self, idle: Duration) -> usize {
        let now = self.now_ms();
        let limit = idle.as_millis() as u64;
        let entries = crate::parallel::lock(&self.entries);
        let mut ended = 0;
        for e in entries.iter() {
            if now.saturating_sub(e.last_key.load(Ordering::Relaxed)) >= limit {
                let minutes = idle.as_secs() / 60;
                let _ = e
                    .to_app
                    .send(Event::End(format!("no key pressed for {minutes} minutes")));
                ended += 1;
            }
        }
        ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: u64, role: Role) -> Member {
        Member {
            id: MemberId(id),
            name: format!("m{id}"),
            role,
            key: "ssh-ed25519 AAAA".into(),
            fingerprint: format!("SHA256:{id}"),
            added: chrono::Utc::now(),
            more_keys: Vec::new(),
        }
    }

    #[test]
    fn a_full_server_refuses_and_a_seat_left_frees_a_place() {
        let registry = Registry::new(1);
        let (tx, _rx) = std::sync::mpsc::channel();
        let seat = registry
            .join(&member(1, Role::Rep), "SHA256:1", tx.clone())
            .unwrap();
        assert_eq!(registry.online().load(Ordering::Relaxed), 1);
        assert!(
            registry
                .join(&member(2, Role::Rep), "SHA256:2", tx.clone())
                .is_err()
        );
        drop(seat);
        assert_eq!(registry.online().load(Ordering::Relaxed), 0);
        assert!(registry.join(&member(2, Role::Rep), "SHA256:2", tx).is_ok());
    }

    #[test]
    fn team_changes_end_the_sessions_they_shut_out_and_carry_new_roles_in() {
        let registry = Registry::new(8);
        let (bea_tx, bea_rx) = std::sync::mpsc::channel();
        let (cal_tx, cal_rx) = std::sync::mpsc::channel();
        let (dan_tx, dan_rx) = std::sync::mpsc::channel();
        let _bea = registry
            .join(&member(1, Role::Rep), "SHA256:1", bea_tx)
            .unwrap();
        let _cal = registry
            .join(&member(2, Role::Rep), "SHA256:2", cal_tx)
            .unwrap();
        let _dan = registry
            .join(&member(3, Role::Rep), "SHA256:3", dan_tx)
            .unwrap();
        let (eve_tx, eve_rx) = std::sync::mpsc::channel();
        let _eve = registry
            .join(&member(4, Role::Rep), "SHA256:4", eve_tx)
            .unwrap();
        // bea stays as she was, cal is now a manager, dan is gone, eve's key was swapped.
        let mut eve = member(4, Role::Rep);
        eve.fingerprint = "SHA256:new".into();
        let ended = registry.follow_team(&[member(1, Role::Rep), member(2, Role::Manager), eve]);
        assert_eq!(ended, 2);
        let ends = |rx: &std::sync::mpsc::Receiver<Event>| {
            rx.try_iter()
                .filter_map(|e| match e {
                    Event::End(why) => Some(why),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert!(ends(&bea_rx).is_empty());
        assert_eq!(ends(&dan_rx), vec!["you were taken off the team"]);
        assert_eq!(
            ends(&eve_rx),
            vec!["the key you signed in with was taken away"]
        );
        // cal's session goes on, told the new role once.
        let roles = |rx: &std::sync::mpsc::Receiver<Event>| {
            rx.try_iter()
                .filter_map(|e| match e {
                    Event::Role(role) => Some(role),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(roles(&cal_rx), vec![Role::Manager]);
        registry.follow_team(&[member(1, Role::Rep), member(2, Role::Manager)]);
        assert!(roles(&cal_rx).is_empty(), "told once");
        assert!(ends(&cal_rx).is_empty());
    }

    #[test]
    fn only_idle_sessions_are_ended() {
        let registry = Registry::new(8);
        let (tx, rx) = std::sync::mpsc::channel();
        let seat = registry
            .join(&member(1, Role::Rep), "SHA256:1", tx)
            .unwrap();
        assert_eq!(registry.end_idle(Duration::from_secs(3600)), 0);
        seat.touch();
        assert_eq!(registry.end_idle(Duration::ZERO), 1);
        assert!(rx.try_iter().any(|e| matches!(e, Event::End(_))));
    }
}
