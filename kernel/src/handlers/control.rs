//! Control requests: `interrupt` and `shutdown`.
//!
//! A shutdown with `restart: false` replies and ends serving (the process then exits). With
//! `restart: true` the kernel restarts in place: the running cell is interrupted, queued
//! cells are aborted, the evaluator forgets everything, history starts a new session, and
//! the reply is sent once the evaluator is fresh.

use jupyter_protocol::{
    InterruptReply, ReplyError, ReplyStatus, ShutdownReply, ShutdownRequest, StreamContent,
};

use super::{Flow, Request, Shared};

/// `interrupt_request`: stops the running cell, if any.
pub(super) fn interrupt(request: &Request<'_>) -> Flow {
    interrupt_running(request.shared);
    request.reply(InterruptReply::new());
    Flow::Continue
}

/// Interrupts the running cell; if that cost something, tells the user in that cell's output.
pub(super) fn interrupt_running(shared: &Shared) {
    let Some(note) = shared.evaluator.interrupt() else {
        return;
    };
    let running = shared.running().clone();
    match running {
        Some(cell) => shared.publish(&cell, StreamContent::stderr(&note)),
        None => log!("{}", note.trim_end()),
    }
}

/// `shutdown_request`: see the module docs.
pub(super) async fn shutdown(request: &Request<'_>, content: &ShutdownRequest) -> Flow {
    let shared = request.shared;
    interrupt_running(shared);
    if !content.restart {
        request.reply(ShutdownReply {
            restart: false,
            status: ReplyStatus::Ok,
            error: None,
        });
        return Flow::Exit;
    }
    shared.abort_queued();
    let restarted = shared.evaluator.restart().await;
    shared.history().new_session();
    request.reply(match restarted {
        Ok(()) => ShutdownReply {
            restart: true,
            status: ReplyStatus::Ok,
            error: None,
        },
        Err(error) => ShutdownReply {
            restart: true,
            status: ReplyStatus::Error,
            error: Some(Box::new(ReplyError {
                ename: error.ename,
                evalue: error.evalue,
                traceback: error.traceback,
            })),
        },
    });
    Flow::Continue
}
