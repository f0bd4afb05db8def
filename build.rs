//! Tells the tests whether they run as root: the ones that mount a filesystem or act as another
//! user are then run, and elsewhere they show as ignored, with their reason.

use std::os::unix::fs::MetadataExt;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(as_root)");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let probe = std::path::Path::new(&out).join("uid-probe");
    if std::fs::write(&probe, b"").is_ok() && std::fs::metadata(&probe).is_ok_and(|m| m.uid() == 0)
    {
        println!("cargo::rustc-cfg=as_root");
    }
}
