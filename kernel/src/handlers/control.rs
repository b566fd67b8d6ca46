//! Control requests: `interrupt` and `shutdown`.
//!
//! A shutdown interrupts the running cell, aborts queued ones, replies and ends serving; the
//! process then exits. With `restart: true` as well, like ipykernel: Jupyter's kernel manager
//! starts a fresh process, which is what a user who restarts expects (nothing kept).

use jupyter_protocol::{
    InterruptReply, ReplyStatus, ShutdownReply, ShutdownRequest, StreamContent,
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
        Some(cell) => {
            shared.publish(&cell, StreamContent::stderr(&note));
            // A restarted Rust process took the live views' callbacks with it: say so now,
            // not at their next slider move.
            if note.contains("process was restarted") {
                shared.widgets.retire_all(&cell);
            }
        }
        None => log!("{}", note.trim_end()),
    }
}

/// `shutdown_request`: see the module docs.
pub(super) async fn shutdown(request: &Request<'_>, content: &ShutdownRequest) -> Flow {
    // Live views cannot outlive this process: say so in each before going.
    request.shared.widgets.retire_all(request.message);
    interrupt_running(request.shared);
    request.shared.abort_queued();
    request.reply(ShutdownReply {
        restart: content.restart,
        status: ReplyStatus::Ok,
        error: None,
    });
    Flow::Exit
}
