//! Pre-warmed evaluators ("spares"), so that a new session answers in seconds.
//!
//! A fresh evcxr session spends most of a minute in rust-analyzer, loading napkin's
//! dependencies (uom's SI system, polars) before the first cell can run; compiled artifacts do
//! not help with that. So once a kernel's own evaluator is ready, it starts a spare: a
//! detached `napkin-kernel spare` process, at a lower priority, that takes a build slot, loads
//! napkin exactly as a kernel would and then waits on a Unix socket. The next kernel to start
//! adopts it ([`crate::eval::remote`]): its cells run there, in the notebook's directory, and
//! the spare's lifetime becomes the kernel's. A kernel that finds a spare still warming up
//! waits for it, which is never slower than starting over.
//!
//! One spare at a time per user and toolchain (`spare.lock`, beside the build slots). A spare
//! refuses a kernel built from another binary or other napkin sources, exits when either
//! changes, after an hour without a kernel, or on `napkin-kernel spare --stop`.
//! `NAPKIN_KERNEL_SPARE=0` turns spares off; so does `EVCXR_TMPDIR` (no build slots).

use std::fs::{self, File};
use std::io::{self, Read as _, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;

use crate::eval::build_dir;
use crate::eval::evcxr::{EvcxrEvaluator, napkin_path};
use crate::eval::remote::{self, AdoptError, RemoteEvaluator};

/// Set to `0` to turn spares off.
pub const ENV: &str = "NAPKIN_KERNEL_SPARE";
/// How long a spare waits for a kernel before it exits.
const IDLE: Duration = Duration::from_secs(3600);
/// How long a starting kernel waits for a spare that is still warming up.
const WAIT_FOR_WARMING: Duration = Duration::from_secs(300);
/// How often a waiting spare checks that its binary and napkin's sources are unchanged.
const RECHECK: Duration = Duration::from_secs(30);
/// The spare's scheduling priority (nice value): it must not slow the kernels in use.
const NICENESS: libc::c_int = 10;

/// The environment the process started with, before the evaluator changed it.
static ORIGINAL_ENV: OnceLock<Vec<(std::ffi::OsString, std::ffi::OsString)>> = OnceLock::new();

/// Remembers the process's environment for the spares it starts; call first thing in `main`.
pub fn remember_environment() {
    ORIGINAL_ENV.get_or_init(|| std::env::vars_os().collect());
}

/// Whether spares are in use: not turned off, and build slots in use.
pub fn enabled() -> bool {
    std::env::var_os("EVCXR_TMPDIR").is_none()
        && std::env::var(ENV).map_or(true, |value| value.trim() != "0")
}

/// The files of the spare, beside the build slots.
struct Paths {
    lock: PathBuf,
    socket: PathBuf,
    log: PathBuf,
}

impl Paths {
    fn new() -> Self {
        let dir = build_dir::slots_dir();
        Self {
            lock: dir.join("spare.lock"),
            socket: dir.join("spare.sock"),
            log: dir.join("spare.log"),
        }
    }
}

/// Whether a spare holds `lock` (it is warming up or waiting for a kernel).
fn spare_alive(lock: &Path) -> bool {
    File::open(lock).is_ok_and(|file| matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock)))
}

/// What a spare must have been built from to serve this kernel: this binary and napkin's
/// sources, as their paths, sizes and modification times.
pub fn stamp() -> String {
    let mut stamp = String::new();
    if let Ok(exe) = std::env::current_exe() {
        stamp.push_str(&describe(&exe));
    }
    let napkin = napkin_path();
    let mut files = vec![napkin.join("Cargo.toml")];
    collect_files(&napkin.join("src"), &mut files);
    files.sort();
    for file in files {
        stamp.push('|');
        stamp.push_str(&describe(&file));
    }
    stamp
}

/// `path:size:mtime` of one file.
fn describe(path: &Path) -> String {
    let (size, modified) = fs::metadata(path).map_or((0, 0), |meta| {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        (meta.len(), modified)
    });
    format!("{}:{size}:{modified}", path.display())
}

fn collect_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, into);
        } else {
            into.push(path);
        }
    }
}

/// Adopts the spare, waiting for it if it is still warming up; `None` if there is none or it
/// cannot serve this kernel (the caller then starts its own evaluator).
pub fn adopt() -> Option<RemoteEvaluator> {
    let paths = Paths::new();
    let cwd = std::env::current_dir().ok()?;
    let stamp = stamp();
    let deadline = Instant::now() + WAIT_FOR_WARMING;
    let mut waiting = false;
    loop {
        if let Ok(stream) = UnixStream::connect(&paths.socket) {
            match RemoteEvaluator::adopt(stream, &stamp, &cwd) {
                Ok(remote) => {
                    log!("adopted the pre-warmed evaluator (pid {})", remote.pid());
                    return Some(remote);
                }
                Err(AdoptError::Refused(reason)) => {
                    log!("the pre-warmed evaluator cannot serve this kernel: {reason}");
                    return None;
                }
                // Another kernel took it first.
                Err(error) => log!("{error}"),
            }
        }
        if !spare_alive(&paths.lock) || Instant::now() > deadline {
            return None;
        }
        if !waiting {
            log!("waiting for the pre-warmed evaluator, which is still starting");
            waiting = true;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Starts a spare for the next kernel, unless one exists. Never fails the caller; says
/// whether a spare is now starting or waiting.
pub fn spawn() -> bool {
    let paths = Paths::new();
    if spare_alive(&paths.lock) {
        return true;
    }
    match try_spawn(&paths) {
        Ok(()) => true,
        Err(error) => {
            log!("could not start a pre-warmed evaluator: {error}");
            false
        }
    }
}

fn try_spawn(paths: &Paths) -> io::Result<()> {
    if let Some(dir) = paths.log.parent() {
        fs::create_dir_all(dir)?;
    }
    // Appended to by every spare (one at a time listens, but an adopted one still logs);
    // started afresh once it grows past a megabyte.
    if fs::metadata(&paths.log).is_ok_and(|meta| meta.len() > 1 << 20) {
        let _ = fs::remove_file(&paths.log);
    }
    let log = File::options().create(true).append(true).open(&paths.log)?;
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.arg("spare");
    if let Some(env) = ORIGINAL_ENV.get() {
        command.env_clear().envs(env.iter().cloned());
    }
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log)
        // Its own process group: signals meant for this kernel's group do not reach it.
        .process_group(0)
        .spawn()?;
    log!(
        "started a pre-warmed evaluator for the next session (pid {})",
        child.id()
    );
    // Reap it when it ends (it usually outlives this kernel, and is then init's to reap).
    std::thread::Builder::new()
        .name("spare-reaper".into())
        .spawn(move || child.wait())?;
    Ok(())
}

/// `napkin-kernel spare`: warms an evaluator, waits for a kernel, serves it.
pub fn run() -> anyhow::Result<()> {
    let paths = Paths::new();
    if let Some(dir) = paths.lock.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut lock = File::options()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&paths.lock)
        .with_context(|| format!("cannot open {}", paths.lock.display()))?;
    if lock.try_lock().is_err() {
        log!("another pre-warmed evaluator is running");
        return Ok(());
    }
    lock.set_len(0)?;
    write!(lock, "{}", std::process::id())?;
    // SAFETY: getpriority(2) and setpriority(2) on this process only.
    let kernel_nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, NICENESS);
    }
    let stamp = stamp();
    let started = Instant::now();
    let mut evaluator =
        EvcxrEvaluator::new().map_err(|e| anyhow::anyhow!("{}: {}", e.ename, e.evalue))?;
    if !evaluator.ready() {
        log!("no warm build slot to pre-warm; exiting");
        return Ok(());
    }
    log!(
        "ready after {:.1} s; waiting for a kernel",
        started.elapsed().as_secs_f64()
    );
    let mut listener = listen(&paths.socket)?;
    let ready = Instant::now();
    let mut checked = Instant::now();
    let mut adopted = false;
    let outcome = loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                let on_adopted = || {
                    // From now on the socket and the lock are the next spare's.
                    let _ = fs::remove_file(&paths.socket);
                    let _ = lock.unlock();
                    adopted = true;
                    restore_priority(kernel_nice);
                };
                let served = remote::serve(stream, &mut evaluator, &stamp, on_adopted);
                if adopted {
                    break "the kernel closed the connection";
                }
                match served {
                    Ok(_) => break "refused a kernel built from other sources",
                    Err(error) => log!("a kernel's handshake failed: {error}"),
                }
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                if ready.elapsed() > IDLE {
                    break "no kernel came for an hour";
                }
                if checked.elapsed() > RECHECK {
                    if self::stamp() != stamp {
                        break "napkin-kernel or napkin's sources changed";
                    }
                    if !paths.socket.exists() {
                        log!("{} was removed; listening again", paths.socket.display());
                        listener = listen(&paths.socket)?;
                    }
                    checked = Instant::now();
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(error) => return Err(error.into()),
        }
    };
    if !adopted {
        // Still ours (once adopted, the socket file may already be the next spare's).
        let _ = fs::remove_file(&paths.socket);
    }
    log!("exiting: {outcome}");
    Ok(())
}

/// Gives an adopted spare the priority kernels have (`nice`): every thread of this process and
/// of its children (evcxr's Rust process, a compiler), since Linux keeps a nice value per
/// thread. Lowering a nice value needs privilege (root, or a raised `RLIMIT_NICE`); without
/// it the evaluator keeps the spare's priority, and the log says so.
fn restore_priority(nice: libc::c_int) {
    use crate::eval::procs;
    let mut processes = vec![procs::me()];
    processes.extend(procs::descendants(procs::me(), |_| true));
    let mut refused = 0;
    for pid in processes {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Ok(tid) = task.file_name().to_string_lossy().parse::<libc::id_t>() else {
                continue;
            };
            // SAFETY: setpriority(2) on a thread id read from /proc just now; one that has
            // exited since is reported as an error.
            if unsafe { libc::setpriority(libc::PRIO_PROCESS, tid, nice) } != 0 {
                refused += 1;
            }
        }
    }
    if refused > 0 {
        log!("adopted: {refused} threads keep nice {NICENESS} (lowering it needs privilege)");
    }
}

/// Listens on `socket` (replacing a stale socket file), without blocking on accept.
fn listen(socket: &Path) -> anyhow::Result<UnixListener> {
    let _ = fs::remove_file(socket);
    let listener = UnixListener::bind(socket)
        .with_context(|| format!("cannot listen on {}", socket.display()))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// `napkin-kernel spare --stop`: stops a spare that has not been adopted. Says whether there
/// was one.
pub fn stop() -> anyhow::Result<bool> {
    let paths = Paths::new();
    if !spare_alive(&paths.lock) {
        return Ok(false);
    }
    let mut pid = String::new();
    File::open(&paths.lock)?.read_to_string(&mut pid)?;
    let pid: libc::pid_t = pid
        .trim()
        .parse()
        .with_context(|| format!("no process id in {}", paths.lock.display()))?;
    // SAFETY: kill(2) on the process that holds the spare's lock.
    if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
        return Err(io::Error::last_os_error().into());
    }
    let _ = fs::remove_file(&paths.socket);
    Ok(true)
}
