//! Failed sign-ins counted per address: past a few in a window, that address is refused outright
//! until the window passes, so a key-guessing client gets nowhere fast.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures an address may have in one window.
const MAX_FAILURES: u32 = 10;
const WINDOW: Duration = Duration::from_secs(300);
/// Addresses remembered at most; a flood of new ones cannot grow this without bound.
const MAX_ADDRESSES: usize = 10_000;

#[derive(Default)]
pub struct Failures {
    by_address: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Failures {
    pub fn blocked(&self, ip: IpAddr) -> bool {
        let map = self.by_address.lock().expect("failures lock");
        map.get(&ip)
            .is_some_and(|(n, since)| *n >= MAX_FAILURES && since.elapsed() < WINDOW)
    }

    pub fn record(&self, ip: IpAddr) {
        let mut map = self.by_address.lock().expect("failures lock");
        if map.len() >= MAX_ADDRESSES {
            map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        let entry = map.entry(ip).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
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
    }
}
