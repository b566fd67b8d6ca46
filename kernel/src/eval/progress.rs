//! Dependency-compile progress in the notebook.
//!
//! While evcxr builds a cell's dependencies it writes cargo's `Compiling foo`
//! lines to this process's stderr, which only the server log would show. The
//! tap puts a pipe in front of file descriptor 2: every line still reaches
//! the original stderr, and `Compiling` lines are also handed to a callback,
//! which shows them in the running cell.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, OwnedFd};

/// Starts forwarding this process's stderr through a pipe; `on_compiling`
/// gets the crate name of each `Compiling <crate> <version>` line.
pub fn tap_stderr(on_compiling: impl Fn(&str) + Send + 'static) -> std::io::Result<()> {
    let mut fds = [0; 2];
    // SAFETY: plain POSIX calls on descriptors this function owns; fd 2 is
    // replaced atomically by dup2, and the saved copy keeps the original open.
    let (read, original) = unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let original = libc::dup(2);
        if original < 0 || libc::dup2(fds[1], 2) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        libc::close(fds[1]);
        (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(original))
    };
    std::thread::Builder::new()
        .name("stderr-tap".into())
        .spawn(move || {
            let mut original = File::from(original);
            let mut lines = BufReader::new(File::from(read));
            let mut line = Vec::new();
            while lines.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                let _ = original.write_all(&line);
                if let Some(name) = compiling(&String::from_utf8_lossy(&line)) {
                    on_compiling(name);
                }
                line.clear();
            }
        })?;
    Ok(())
}

/// The crate name of a cargo `Compiling <crate> v1.2.3` line.
pub fn compiling(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("Compiling ")?;
    rest.split_whitespace().next()
}

#[cfg(test)]
mod tests {
    use super::compiling;

    #[test]
    fn reads_cargo_compiling_lines() {
        assert_eq!(
            compiling("   Compiling polars-core v0.55.2\n"),
            Some("polars-core")
        );
        assert_eq!(
            compiling("Compiling napkin v0.1.0 (/work/main)"),
            Some("napkin")
        );
        assert_eq!(compiling("warning: unused"), None);
    }
}
