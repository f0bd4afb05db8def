//! The person running this process, as the system knows them.

/// Files rapport and sled create from here on are its owner's alone, whatever umask it was given.
pub fn private_umask() {
    // SAFETY: umask(2) cannot fail and touches no memory.
    unsafe {
        libc::umask(0o077);
    }
}

/// The user id this process acts as: who may use its control socket.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid(2) cannot fail.
    unsafe { libc::geteuid() }
}

/// The login name of this process's user from the user database, else `$USER` (a container's uid
/// may have no entry), else "rapport".
pub fn login_name() -> String {
    from_user_database()
        .or_else(|| std::env::var("USER").ok())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "rapport".into())
}

fn from_user_database() -> Option<String> {
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
