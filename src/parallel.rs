//! Work cut across the machine's cores.

/// Runs `work` over `items` split across the cores (at most four), joining the results in
/// order; small inputs stay on this thread, where starting threads would cost more.
pub fn in_chunks<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let mut parts = in_parts(items, work);
    match parts.len() {
        1 => parts.pop().unwrap_or_default(),
        _ => {
            let mut all = Vec::with_capacity(parts.iter().map(Vec::len).sum());
            parts.into_iter().for_each(|part| all.extend(part));
            all
        }
    }
}

/// As `in_chunks`, each core's results left in a part of their own, in order: joining them
/// would hold them twice for a moment.
pub fn in_parts<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<Vec<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if items.len() < 8_192 || threads == 1 {
        return vec![work(items)];
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|c| scope.spawn(|| work(c)))
            .collect();
        parts
            .into_iter()
            .map(|part| part.join().expect("a worker thread does not panic"))
            .collect()
    })
}

/// The one rule for a lock whose holder panicked: its data is used as it stands. A panic ends
/// the session it happened in (the server catches it); the other sessions must go on.
pub fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// As [`lock`], to read.
pub fn read<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// As [`lock`], to write.
pub fn write<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
