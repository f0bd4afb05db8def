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
