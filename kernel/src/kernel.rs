//! The kernel process: wire, evaluator and handlers put together, from start to clean exit.
//!
//! Startup order matters for responsiveness: the evaluator thread starts first (evcxr's first
//! compile takes seconds and runs in the background), then the sockets are bound and requests
//! are served at once; cells simply queue until the evaluator is ready. On shutdown the
//! evaluator is dropped properly (so evcxr removes its temporary build directory) and queued
//! replies are flushed before the process exits. SIGTERM shuts down the same way; SIGINT
//! interrupts the running cell instead of killing the kernel. Like ipykernel, the kernel also
//! shuts down when the process that launched it (`JPY_PARENT_PID`) goes away, so a crashed
//! Jupyter server does not leave kernels behind.
//!
//! If a task that serves the kernel stops (a socket reader, the shell router: see
//! [`crate::task`]), the kernel logs which and why, cleans up the same way and exits with an
//! error, so Jupyter sees a dead kernel and can restart it: never one that accepts connections
//! and answers nothing. At startup the kernel raises its soft limit on open files to the hard
//! limit, so connections left open by other local processes cannot use up the descriptors
//! it needs for its own clients.

use std::time::Duration;

use jupyter_protocol::ConnectionInfo;

use crate::eval::worker::{EvalWorker, EvaluatorFactory, WorkerError};
use crate::handlers::{Controller, Dispatcher};
use crate::protocol;
use crate::task::TaskEnded;
use crate::transport;
use crate::wire::{Wire, WireError};

/// How long outgoing messages may take to flush at exit.
const FLUSH_GRACE: Duration = Duration::from_secs(2);

/// Why the kernel could not start.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// A socket could not be bound.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The evaluator thread could not be created.
    #[error(transparent)]
    Worker(#[from] WorkerError),
    /// A task that serves the kernel stopped; the kernel exited rather than go on without it.
    #[error("{0}; the kernel exited so that Jupyter can restart it")]
    TaskEnded(#[from] TaskEnded),
}

/// Runs a kernel on `connection` until it is told to shut down.
pub async fn run(
    connection: &ConnectionInfo,
    evaluator: EvaluatorFactory,
) -> Result<(), KernelError> {
    raise_file_limit();
    let evaluator = EvalWorker::spawn(evaluator)?;
    let rust_version = tokio::task::spawn_blocking(detect_rust_version);
    let (inbox, outbox, wire_end) = transport::channels();
    let session_id = uuid::Uuid::new_v4().to_string();
    let mut wire = Wire::bind(connection, &session_id, wire_end).await?;
    let rust_version = rust_version
        .await
        .unwrap_or_else(|_| protocol::FALLBACK_RUST_VERSION.into());
    log!(
        "listening on {} (shell port {}), Rust {rust_version}",
        connection.ip,
        connection.shell_port
    );
    let dispatcher = Dispatcher::new(outbox, evaluator, &rust_version);
    let controller = dispatcher.controller();
    let watchers = [
        tokio::spawn(handle_signals(dispatcher.controller())),
        tokio::spawn(watch_parent(dispatcher.controller())),
    ];
    let serving = dispatcher.serve(inbox);
    tokio::pin!(serving);
    let outcome = tokio::select! {
        served = &mut serving => served,
        ended = wire.ended() => {
            controller.request_exit();
            // The dispatcher stops the evaluator; its own outcome says nothing new.
            let _ = serving.await;
            Err(ended)
        }
    };
    drop(controller);
    for watcher in watchers {
        watcher.abort();
        let _ = watcher.await;
    }
    wire.close(FLUSH_GRACE).await;
    match outcome {
        Ok(()) => {
            log!("shut down");
            Ok(())
        }
        Err(ended) => {
            log!("{ended}: exiting with an error");
            Err(ended.into())
        }
    }
}

/// Raises the soft limit on open files to the hard limit (often 1,024 → 500,000 or more):
/// every connection costs a descriptor, and idle ones from other local processes should not
/// leave none for Jupyter's. Failure is logged; the kernel runs with the limit it has.
#[cfg(unix)]
fn raise_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write only the struct passed to them.
    let raised = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            false
        } else if limit.rlim_cur >= limit.rlim_max {
            true
        } else {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0
        }
    };
    if !raised {
        log!(
            "cannot raise the open-file limit: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// Other systems keep their limits.
#[cfg(not(unix))]
fn raise_file_limit() {}

/// `rustc --version`'s version number, or a fallback if rustc cannot be run.
fn detect_rust_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| protocol::parse_rustc_version(&String::from_utf8_lossy(&output.stdout)))
        .unwrap_or_else(|| protocol::FALLBACK_RUST_VERSION.into())
}

/// SIGINT interrupts the running cell; SIGTERM shuts down cleanly.
#[cfg(unix)]
async fn handle_signals(controller: Controller) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupts), Ok(mut terminations)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        log!("cannot install signal handlers; SIGINT and SIGTERM keep their default effect");
        return;
    };
    loop {
        tokio::select! {
            Some(()) = interrupts.recv() => {
                log!("SIGINT: interrupting the running cell");
                controller.interrupt();
            }
            Some(()) = terminations.recv() => {
                log!("SIGTERM: shutting down");
                controller.request_exit();
                return;
            }
            else => return,
        }
    }
}

/// Requests exit once the launching process is gone: its pid (`JPY_PARENT_PID`, set by
/// jupyter_client) is no longer our parent, or, if it never was (a wrapper in between), we
/// have been reparented to init.
#[cfg(unix)]
async fn watch_parent(controller: Controller) {
    let Some(launcher) = std::env::var("JPY_PARENT_PID")
        .ok()
        .and_then(|pid| pid.trim().parse::<u32>().ok())
        .filter(|&pid| pid > 1)
    else {
        return;
    };
    let direct_child = std::os::unix::process::parent_id() == launcher;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let parent = std::os::unix::process::parent_id();
        let gone = if direct_child {
            parent != launcher
        } else {
            parent == 1
        };
        if gone {
            log!("the process that launched this kernel ({launcher}) is gone; shutting down");
            controller.request_exit();
            return;
        }
    }
}

/// Parent watching relies on Unix process semantics.
#[cfg(not(unix))]
async fn watch_parent(_controller: Controller) {}

/// Without Unix signals, Ctrl-C interrupts the running cell.
#[cfg(not(unix))]
async fn handle_signals(controller: Controller) {
    while tokio::signal::ctrl_c().await.is_ok() {
        controller.interrupt();
    }
}
