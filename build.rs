//! Tells the tests what this machine has: root (the tests that mount a filesystem or act as another
//! user) and the shared public datasets beside the repository (the tests on real data). Where one
//! is missing, its tests show as ignored, with their reason, instead of passing without running.

use std::os::unix::fs::MetadataExt;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(as_root)");
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let data = std::path::Path::new(&manifest).join("../shared/data");
    // A path that does not exist would make cargo run this script, and rebuild the crate, at
    // every build. Without the folder there is nothing to watch: `scripts/fetch-test-data`
    // touches this file once it has fetched the data.
    if data.is_dir() {
        println!("cargo::rerun-if-changed={}", data.display());
    }
    let files = [
        "online_retail_dec2010.csv",
        "groceries.csv",
        "CDNOW_master.txt",
    ];
    if files.iter().all(|f| data.join(f).is_file()) {
        println!("cargo::rustc-cfg=shared_data");
    }
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let probe = std::path::Path::new(&out).join("uid-probe");
    if std::fs::write(&probe, b"").is_ok() && std::fs::metadata(&probe).is_ok_and(|m| m.uid() == 0)
    {
        println!("cargo::rustc-cfg=as_root");
    }
}
