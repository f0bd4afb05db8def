//! Failed sign-ins counted per address: past a few in a window, that address is refused outright
//! until the window passes, so a key-guessing client gets nowhere fast. A connection that ends
//! without signing in is one failure, however many keys its agent offered; a sign-in clears the
//! address's count, so an office sharing one address is not locked out by its own reps.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Failed connections an address may have in one window.
pub const MAX_FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(300);
/// Addresses remembered at most; a flood of new ones cannot grow this without bound.
const MAX_ADDRESSES: usize = 10_000;

#[derive(Default)]
pub struct Failures {
    by_address: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// The failures of each server this process runs, by database, for `rapport team unblock` sent
/// to it over the control socket.
static SERVING: Mutex<Vec<(PathBuf, Weak<Failures>)>> = Mutex::new(Vec::new());

/// The failures of the server of database `db` in this process, if one runs.
pub fn serving(db: &Path) -> Option<Arc<Failures>> {
    let serving = SERVING.lock().ok()?;
    serving
        .iter()
        .rev()
        .find(|(path, _)| path == db)
        .and_then(|(_, failures)| failures.upgrade())
}

impl Failures {
    /// The failures of a server of `db`, which commands run in this process reach.
    pub fn for_server(db: &Path) -> Arc<Failures> {
        let failures = Arc::new(Failures::default());
        if let Ok(mut serving) = SERVING.lock() {
            serving.retain(|(_, f)| f.strong_count() > 0);
            serving.push((db.to_path_buf(), Arc::downgrade(&failures)));
        }
        failures
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (u32, Instant)>> {
        crate::parallel::lock(&self.by_address)
    }

    pub fn blocked(&self, ip: IpAddr) -> bool {
        self.map()
            .get(&ip)
            .is_some_and(|(n, since)| *n >= MAX_FAILURES && since.elapsed() < WINDOW)
    }

    /// A connection from `ip` ended without signing in.
    pub fn record(&self, ip: IpAddr) {
        let mut map = self.map();
        if map.len() >= MAX_ADDRESSES {
            map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        let entry = map.entry(ip).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
        if entry.0 == MAX_FAILURES {
            let lifts = chrono::Utc::now()
                + chrono::Duration::from_std(WINDOW.saturating_sub(entry.1.elapsed()))
                    .unwrap_or_default();
            tracing::warn!(
                address = %ip,
                failures = MAX_FAILURES,
                lifts = %lifts.format("%Y-%m-%d %H:%M:%S UTC"),
                "blocked an address after failed sign-ins (`rapport team unblock {ip}` lifts it)"
            );
        }
    }

    /// Someone at `ip` signed in: the address is in good standing again.
    pub fn forgive(&self, ip: IpAddr) {
        self.map().remove(&ip);
    }

    /// Lifts a block; true if there was one.
    pub fn unblock(&self, ip: IpAddr) -> bool {
        let blocked = self.blocked(ip);
        self.map().remove(&ip);
        blocked
    }

    /// The addresses blocked now, each with when its block lifts.
    pub fn blocked_now(&self) -> Vec<(IpAddr, chrono::DateTime<chrono::Utc>)> {
        let mut out: Vec<_> = self
            .map()
            .iter()
            .filter(|(_, (n, since))| *n >= MAX_FAILURES && since.elapsed() < WINDOW)
            .map(|(ip, (_, since))| {
                let left = WINDOW.saturating_sub(since.elapsed());
                (
                    *ip,
                    chrono::Utc::now() + chrono::Duration::from_std(left).unwrap_or_default(),
                )
            })
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_after_its_failures_and_others_are_not() {
        let failures = Failures::default();
        let bad: IpAddr = "192.0.2.1".parse().unwrap();
        let good: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..MAX_FAILURES - 1 {
            failures.record(bad);
        }
        assert!(!failures.blocked(bad));
        failures.record(bad);
        assert!(failures.blocked(bad));
        assert!(!failures.blocked(good));
        assert_eq!(failures.blocked_now().len(), 1);
        assert!(failures.unblock(bad));
        assert!(!failures.blocked(bad));
        assert!(!failures.unblock(bad));
    }

    #[test]
    fn a_sign_in_clears_the_count() {
        let failures = Failures::default();
        let office: IpAddr = "192.0.2.9".parse().unwrap();
        for _ in 0..MAX_FAILURES - 1 {
            failures.record(office);
        }
        failures.forgive(office);
        failures.record(office);
        assert!(
            !failures.blocked(office),
            "one failure since the last sign-in"
        );
    }
}
