//! The server's own SSH key: made once, kept in the database directory (mode 0600), so reps see
//! the same fingerprint every time and can check it.

use anyhow::Context;
use russh::keys::PrivateKey;
use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

pub const HOST_KEY_FILE: &str = "ssh_host_ed25519_key";

pub fn host_key(db: &Path) -> anyhow::Result<PrivateKey> {
    let path = db.join(HOST_KEY_FILE);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) => {
            if !meta.is_file() || meta.mode() & 0o077 != 0 {
                anyhow::bail!(
                    "{} must be a file only its owner can read (chmod 600 it)",
                    path.display()
                );
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            PrivateKey::from_openssh(text.as_bytes())
                .with_context(|| format!("{} is not an OpenSSH private key", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            std::fs::File::open("/dev/urandom")
                .and_then(|mut f| f.read_exact(&mut seed))
                .context("no random bytes for a host key")?;
            let pair = Ed25519Keypair::from_seed(&seed);
            let key = PrivateKey::new(KeypairData::Ed25519(pair), "rapport host key")?;
            let text = key.to_openssh(LineEnding::LF)?;
            // Written aside and renamed, so a crash never leaves half a key behind.
            let tmp = db.join(format!("{HOST_KEY_FILE}.new"));
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)
                .with_context(|| format!("creating {}", tmp.display()))?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_key_is_made_once_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = host_key(dir.path()).unwrap();
        let path = dir.path().join(HOST_KEY_FILE);
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        let again = host_key(dir.path()).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = host_key(dir.path()).unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
    }
}
