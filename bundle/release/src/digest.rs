//! The two digests releases are checked with: SHA-256 (hex) of an executable, and npm's `integrity`
//! (`sha512-` + base64 SHA-512) of a tarball.

use base64::Engine;
use sha2::{Digest, Sha256, Sha512};

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex SHA-256 of a file, read in chunks (release binaries are tens of MiB).
pub fn sha256_file_hex(path: &std::path::Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// npm's Subresource-Integrity string: `sha512-<standard base64, padded>`.
pub fn npm_integrity(bytes: &[u8]) -> String {
    format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(Sha512::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_values() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let file = tempfile::NamedTempFile::new().unwrap();
        // Larger than io::copy's buffer, so the file is hashed in several chunks.
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(file.path(), &bytes).unwrap();
        assert_eq!(sha256_file_hex(file.path()).unwrap(), sha256_hex(&bytes));
        // `printf abc | openssl dgst -sha512 -binary | base64`
        assert_eq!(
            npm_integrity(b"abc"),
            "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
        );
    }
}
