//! Where evcxr compiles: a pool of persistent build directories per user and
//! toolchain, so napkin and its dependencies (polars, plotters, uom) are
//! compiled once and every later session reuses them.
//!
//! evcxr keeps its crate and `target/` under `EVCXR_TMPDIR`, and one
//! directory serves one live kernel at a time. The kernel takes the first
//! free slot of the pool (`slot-0`, `slot-1`, … under
//! `~/.cache/napkin-kernel/<toolchain>/`), holding an exclusive file lock
//! for its lifetime, so two notebooks open at once each get their own.
//! `napkin-kernel warm` (run by `install`) fills `slot-0`; a new slot starts as a copy of a
//! warm one (`cp -a`, which keeps the timestamps cargo's fingerprints compare), so a second
//! notebook or a pre-warmed spare does not compile polars again. Cargo's
//! fingerprints rebuild whatever changed (napkin's sources, the compiler),
//! so a slot never serves a stale build.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// Slots tried before giving up (more concurrent kernels than this share nothing).
const MAX_SLOTS: usize = 16;

/// A build directory held by this process until dropped.
#[derive(Debug)]
pub struct BuildDir {
    /// The directory to give evcxr as `EVCXR_TMPDIR`.
    pub path: PathBuf,
    /// Whether a previous session left compiled dependencies here.
    pub warm: bool,
    _lock: File,
}

/// The root of the cache: `$NAPKIN_KERNEL_CACHE`, else
/// `$XDG_CACHE_HOME/napkin-kernel`, else `~/.cache/napkin-kernel`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("NAPKIN_KERNEL_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("napkin-kernel")
}

/// The slots' directory for a toolchain, named after its sysroot (`stable-x86_64-unknown-linux-gnu`),
/// so the same compiler finds the same slots however it was selected. (Cargo's fingerprints
/// rebuild on any compiler change anyway; separate directories keep toolchains from
/// trampling each other's builds.)
pub fn toolchain_dir(root: &Path, sysroot: Option<&Path>) -> PathBuf {
    let name = sysroot
        .and_then(Path::file_name)
        .map_or_else(|| "default".into(), |n| n.to_string_lossy().into_owned());
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    root.join(safe)
}

/// Takes the first free slot under `dir`, creating it if needed.
pub fn acquire(dir: &Path) -> io::Result<BuildDir> {
    fs::create_dir_all(dir)?;
    for n in 0..MAX_SLOTS {
        let path = dir.join(format!("slot-{n}"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("slot-{n}.lock")))?;
        match lock.try_lock() {
            Ok(()) => {
                fs::create_dir_all(&path)?;
                let warm = path.join("target").is_dir() || seed(dir, n, &path);
                return Ok(BuildDir {
                    path,
                    warm,
                    _lock: lock,
                });
            }
            Err(fs::TryLockError::WouldBlock) => continue,
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "all {MAX_SLOTS} build directories under {} are in use by other kernels",
        dir.display()
    )))
}

/// Fills the empty slot `to` (number `n`) with a copy of a warm slot; says whether it did.
/// A slot in use may be copied: cargo only writes there while a cell compiles, and its
/// fingerprints rebuild anything a copy caught half-written.
fn seed(dir: &Path, n: usize, to: &Path) -> bool {
    for m in (0..MAX_SLOTS).filter(|&m| m != n) {
        let from = dir.join(format!("slot-{m}"));
        if !from.join("target").is_dir() {
            continue;
        }
        let copied = std::process::Command::new("cp")
            .arg("-a")
            .arg(from.join("."))
            .arg(to)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if copied {
            log!("seeded {} from {}", to.display(), from.display());
            return true;
        }
        let _ = fs::remove_dir_all(to.join("target"));
    }
    false
}

/// The directory of this user's slots for the active toolchain.
pub fn slots_dir() -> PathBuf {
    toolchain_dir(&cache_root(), sysroot().as_deref())
}

/// The active toolchain's sysroot (`rustc --print sysroot`), asked once per process.
pub fn sysroot() -> Option<PathBuf> {
    static SYSROOT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    SYSROOT
        .get_or_init(|| {
            let output = std::process::Command::new("rustc")
                .args(["--print", "sysroot"])
                .output()
                .ok()?;
            let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
            (!path.is_empty()).then(|| PathBuf::from(path))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_holders_get_different_slots() {
        let dir = std::env::temp_dir().join(format!("napkin-slots-{}", std::process::id()));
        let a = acquire(&dir).unwrap();
        let b = acquire(&dir).unwrap();
        assert_ne!(a.path, b.path);
        assert!(a.path.ends_with("slot-0"));
        assert!(!a.warm);
        let a_path = a.path.clone();
        drop(a);
        // A test running in parallel that forks a process at this moment holds a copy of the
        // lock's descriptor until its exec, so the slot can take a moment to come free.
        let mut c = acquire(&dir).unwrap();
        for _ in 0..100 {
            if c.path == a_path {
                break;
            }
            drop(c);
            std::thread::sleep(std::time::Duration::from_millis(10));
            c = acquire(&dir).unwrap();
        }
        assert_eq!(c.path, a_path, "a released slot is reused");
        drop((b, c));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_new_slot_starts_as_a_copy_of_a_warm_one() {
        let dir = std::env::temp_dir().join(format!("napkin-seed-{}", std::process::id()));
        let a = acquire(&dir).unwrap();
        let built = a.path.join("target/debug/libdep.rlib");
        fs::create_dir_all(built.parent().unwrap()).unwrap();
        fs::write(&built, "compiled").unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        File::options()
            .write(true)
            .open(&built)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let b = acquire(&dir).unwrap();
        assert!(b.warm, "seeded from slot-0");
        let copy = b.path.join("target/debug/libdep.rlib");
        assert_eq!(fs::read_to_string(&copy).unwrap(), "compiled");
        assert_eq!(fs::metadata(&copy).unwrap().modified().unwrap(), old);
        drop((a, b));
        fs::remove_dir_all(&dir).unwrap();
    }
}
