//! Work cut across the machine's cores.

/// Runs `work` over `items` split across the cores (at most four), joining the results in
/// order; small inputs stay on this thread, where starting threads would cost more.
pub fn in_chunks<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if items.len() < 8_192 || threads == 1 {
        return work(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|c| scope.spawn(|| work(c)))
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().expect("a worker thread does not panic"))
            .collect()
    })
}
