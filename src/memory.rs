//! Giving freed memory back to the system. glibc's allocator keeps what a thread freed in that
//! thread's arena, so after a job that built and dropped a few hundred MB, the app would stay that
//! big for the rest of the day on a server shared by many reps.

/// Returns freed heap memory to the system where the allocator can (glibc); elsewhere a no-op.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only releases free pages of the allocator's own arenas.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Tunes glibc's allocator for a long-running server of big, short-lived tables. Called first
/// thing, before any thread starts.
///
/// - Two arenas, one per core of the servers rapport is meant for. With its default (eight per
///   core), memory that one thread allocates and another frees (records read on one thread and
///   written out on another, say) spreads over arenas that each keep their own free pages: an
///   export's peak grew by a quarter.
/// - Blocks of 256 KiB and more are mapped on their own and handed back when freed. By default
///   glibc raises that threshold to the largest block freed so far (up to 32 MiB), after which the
///   insights' and each write's tables came from the heap and left it fragmented: with the
///   threshold fixed, the team server at 25 sessions peaked at 406-410 MiB against 450-459 (335
///   against 400 resident), at the same CPU.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_MMAP_THRESHOLD: i32 = -3;
        const M_ARENA_MAX: i32 = -8;
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        // SAFETY: mallopt only changes the allocator's tuning; called before threads exist.
        unsafe {
            mallopt(M_ARENA_MAX, 2);
            mallopt(M_MMAP_THRESHOLD, 256 << 10);
        }
    }
}
