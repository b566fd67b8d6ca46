//! Diagnostics: one line each on stderr, which Jupyter copies into the server log.
//!
//! Nothing logged may contain the connection key or message signatures. Logging never fails:
//! if stderr is gone (say, the Jupyter server died and its pipe broke), lines are dropped
//! rather than panicking, which `eprintln!` would do.

/// Writes one diagnostic line to stderr, prefixed with the binary's name.
macro_rules! log {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "[napkin-kernel] {}", format_args!($($arg)*));
    }};
}
