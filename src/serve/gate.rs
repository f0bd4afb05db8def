//! Connections that have not signed in yet, capped as OpenSSH caps them (MaxStartups and
//! PerSourceMaxStartups): a stranger can hold only a few, and only for the sign-in grace time, so
//! idle connections cannot use up the server's file descriptors or memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections not yet signed in, from all addresses together.
    pub total: usize,
    /// Connections not yet signed in, from one address.
    pub per_address: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            total: 100,
            per_address: 10,
        }
    }
}

pub struct Gate {
    limits: Limits,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// Why a connection was turned away at once.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Total(usize),
    Address(usize),
}

/// A connection's place among those not signed in; given up when it signs in or closes.
pub struct Ticket {
    gate: Arc<Gate>,
    ip: IpAddr,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.gate.lock();
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

impl Gate {
    pub fn new(limits: Limits) -> Arc<Gate> {
        Arc::new(Gate {
            limits,
            open: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        crate::parallel::lock(&self.open)
    }

    /// A place for a new connection from `ip`, or why not.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Ticket, Refused> {
        let mut open = self.lock();
        let total: usize = open.values().sum();
        if total >= self.limits.total {
            return Err(Refused::Total(total));
        }
        let mine = open.entry(ip).or_insert(0);
        if *mine >= self.limits.per_address {
            return Err(Refused::Address(*mine));
        }
        *mine += 1;
        Ok(Ticket {
            gate: Arc::clone(self),
            ip,
        })
    }

    /// Connections not signed in now.
    pub fn pending(&self) -> usize {
        self.lock().values().sum()
    }
}

/// Raises this process's soft limit on open files to its hard limit: a server's connections and
/// sessions need many, and the default soft limit (1,024 under systemd) is easily reached.
pub fn raise_file_limit() -> std::io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit fill and read a plain struct of ours.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // An unlimited hard limit is still capped by the kernel's fs.nr_open.
        let ceiling = std::fs::read_to_string("/proc/sys/fs/nr_open")
            .ok()
            .and_then(|n| n.trim().parse::<libc::rlim_t>().ok())
            .unwrap_or(1 << 20);
        let want = match limit.rlim_max == libc::RLIM_INFINITY {
            true => ceiling,
            false => limit.rlim_max,
        };
        if limit.rlim_cur < want {
            limit.rlim_cur = want;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(limit.rlim_cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strangers_are_capped_per_address_and_in_all() {
        let gate = Gate::new(Limits {
            total: 5,
            per_address: 2,
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = gate.admit(a).unwrap();
        let _second = gate.admit(a).unwrap();
        assert_eq!(gate.admit(a).err(), Some(Refused::Address(2)));
        drop(first);
        let _third = gate.admit(a).expect("a place freed when a connection went");
        let others: Vec<_> = (0..3).map(|_| gate.admit(b)).collect();
        assert!(others[0].is_ok() && others[1].is_ok());
        assert_eq!(gate.pending(), 4);
        assert_eq!(others[2].as_ref().err(), Some(&Refused::Address(2)));
        let c: IpAddr = "192.0.2.3".parse().unwrap();
        let _fifth = gate.admit(c).unwrap();
        assert_eq!(gate.admit(c).err(), Some(Refused::Total(5)));
        drop(others);
        assert_eq!(gate.pending(), 3);
    }

    #[test]
    fn the_soft_file_limit_is_raised_to_the_hard_one() {
        let now = raise_file_limit().unwrap();
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!(limit.rlim_cur, limit.rlim_max);
        assert_eq!(now, limit.rlim_cur);
    }
}
