//! The connection file Jupyter writes for each kernel: where to listen and how to sign.
//!
//! Only what this kernel can honour is accepted: TCP transport, and HMAC-SHA256 signatures.
//! Signing can be turned off only on purpose: an empty key *and* an empty `signature_scheme`
//! (then every local process can send requests, and the log says so at startup). An empty key
//! with a scheme is refused: it is what a bug or a truncated file looks like. Anything else is
//! refused at startup with a message naming the problem; the key itself is never printed.

use std::path::{Path, PathBuf};

use jupyter_protocol::{ConnectionInfo, Transport};

/// Problems with a connection file.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The file could not be read.
    #[error("cannot read connection file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid connection file.
    #[error("connection file {path} is not valid")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The file asks for a transport other than TCP.
    #[error("unsupported transport {0:?} (only \"tcp\" is supported)")]
    Transport(String),
    /// The file asks for a signature scheme other than HMAC-SHA256.
    #[error("unsupported signature scheme {0:?} (only \"hmac-sha256\" is supported)")]
    SignatureScheme(String),
    /// The key is empty but a signature scheme is named.
    #[error(
        "the connection file's key is empty but its signature_scheme is {0:?}: refusing to run \
         without signatures (any local process could then run code); give a key, or set \
         signature_scheme to \"\" as well to turn signing off on purpose"
    )]
    EmptyKey(String),
}

/// Reads and checks the connection file at `path`.
pub fn read(path: &Path) -> Result<ConnectionInfo, ConnectionError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConnectionError::Read {
        path: path.to_owned(),
        source,
    })?;
    let info: ConnectionInfo =
        serde_json::from_str(&text).map_err(|source| ConnectionError::Parse {
            path: path.to_owned(),
            source,
        })?;
    check(&info)?;
    if info.key.is_empty() {
        log!(
            "signing is off ({} has an empty key and signature_scheme): any local process can \
             send this kernel requests",
            path.display()
        );
    }
    Ok(info)
}

/// Checks that this kernel can honour `info`.
pub fn check(info: &ConnectionInfo) -> Result<(), ConnectionError> {
    if info.transport != Transport::TCP {
        return Err(ConnectionError::Transport(info.transport.to_string()));
    }
    match (info.key.is_empty(), info.signature_scheme.as_str()) {
        (false, "hmac-sha256") | (true, "") => Ok(()),
        (true, scheme) => Err(ConnectionError::EmptyKey(scheme.to_owned())),
        (false, scheme) => Err(ConnectionError::SignatureScheme(scheme.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::{ConnectionError, read};

    fn write(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    const VALID: &str = r#"{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4,
        "hb_port": 5, "ip": "127.0.0.1", "key": "secret-key", "transport": "tcp",
        "signature_scheme": "hmac-sha256", "kernel_name": "napkin", "extra": true}"#;

    #[test]
    fn a_jupyter_connection_file_is_read() {
        let file = write(VALID);
        let info = read(file.path()).unwrap();
        assert_eq!(info.shell_url(), "tcp://127.0.0.1:1");
        assert_eq!(info.hb_port, 5);
    }

    #[test]
    fn unsupported_settings_are_refused_without_revealing_the_key() {
        let file = write(&VALID.replace("hmac-sha256", "hmac-md5"));
        let error = read(file.path()).unwrap_err();
        assert!(matches!(error, ConnectionError::SignatureScheme(_)));
        assert!(!error.to_string().contains("secret-key"));

        let file = write(&VALID.replace("\"tcp\"", "\"ipc\""));
        assert!(matches!(
            read(file.path()),
            Err(ConnectionError::Transport(_))
        ));
    }

    #[test]
    fn an_empty_key_is_refused_unless_signing_is_off_on_purpose() {
        let file = write(&VALID.replace("secret-key", ""));
        let error = read(file.path()).unwrap_err();
        assert!(matches!(&error, ConnectionError::EmptyKey(scheme) if scheme == "hmac-sha256"));
        assert!(error.to_string().contains("signature_scheme to \"\""));

        let file = write(&VALID.replace("secret-key", "").replace("hmac-sha256", ""));
        assert!(read(file.path()).unwrap().key.is_empty());

        // A key with an empty scheme names no way to sign with it.
        let file = write(&VALID.replace("hmac-sha256", ""));
        assert!(matches!(
            read(file.path()),
            Err(ConnectionError::SignatureScheme(scheme)) if scheme.is_empty()
        ));
    }

    #[test]
    fn missing_and_malformed_files_are_errors() {
        assert!(matches!(
            read(std::path::Path::new("/nonexistent/napkin.json")),
            Err(ConnectionError::Read { .. })
        ));
        let file = write("{not json");
        assert!(matches!(
            read(file.path()),
            Err(ConnectionError::Parse { .. })
        ));
    }
}
