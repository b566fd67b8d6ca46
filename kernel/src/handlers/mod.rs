//! Message handlers: one function per request type, behind one dispatch point.
//!
//! [`Dispatcher::serve`] runs three loops over the [`Inbox`]:
//!
//! * **shell router**: requests that need the evaluator (`execute`, `complete`, `inspect`) are
//!   queued, in order, for the execution loop; everything else (`kernel_info`, `is_complete`,
//!   `history`, `comm_info`, and the comm messages of widgets) is answered at once, even
//!   while a cell runs;
//! * **execution loop**: takes queued requests one at a time;
//! * **control loop**: `interrupt`, `shutdown` and `kernel_info`, never blocked by a cell.
//!
//! All three call [`Shared::dispatch`], the single place that publishes `status: busy`, runs
//! the handler and publishes `status: idle`, each with the request as parent.
//!
//! `stop_on_error`: every queued request gets a sequence number; when a cell fails, the
//! execute requests queued up to that moment are answered `aborted` instead of run.
//!
//! Nothing a request triggers can stop serving: a handler that panics is caught in
//! [`Shared::dispatch`] and its request gets an error reply (`InternalError`); at most
//! [`EXECUTION_QUEUE_CAPACITY`] requests wait for the evaluator, and one more is refused with
//! an error reply. If one of the three loops ends anyway, [`Dispatcher::serve`] stops and
//! says which, so the kernel exits instead of accepting requests it will never answer.

mod control;
mod execute;
mod info;
mod introspection;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use jupyter_protocol::{
    ErrorOutput, JupyterMessage, JupyterMessageContent, KernelInfoReply, Status, UnknownMessage,
};
use tokio::sync::Notify;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::{Receiver, Sender, channel};

use crate::eval::EvalError;
use crate::eval::worker::EvalWorker;
use crate::history::History;
use crate::protocol;
use crate::task::{self, TaskEnded};
use crate::transport::{Inbox, Outbox, Route};
use crate::widgets::Widgets;

/// How long a shutdown waits for the evaluator to clean up before giving up on it.
const EVALUATOR_STOP_GRACE: Duration = Duration::from_secs(5);

/// Requests (cells, completions, inspections) that may wait for the evaluator; far more than
/// "Run All" on any notebook queues.
pub const EXECUTION_QUEUE_CAPACITY: usize = 10_000;

/// Serves requests from an [`Inbox`] until a shutdown request (without restart) arrives.
pub struct Dispatcher {
    shared: Arc<Shared>,
}

/// A handle to a running [`Dispatcher`], for signal handlers.
#[derive(Clone)]
pub struct Controller {
    shared: Arc<Shared>,
}

impl Controller {
    /// Interrupts the running cell, if any (as `interrupt_request` would).
    pub fn interrupt(&self) {
        control::interrupt_running(&self.shared);
    }

    /// Makes [`Dispatcher::serve`] return, as a shutdown request would.
    pub fn request_exit(&self) {
        self.shared.exit.notify_one();
    }
}

/// State shared by the three loops.
struct Shared {
    outbox: Outbox,
    kernel_info: KernelInfoReply,
    evaluator: EvalWorker,
    history: Mutex<History>,
    /// The execute request currently running, if any.
    running: Mutex<Option<JupyterMessage>>,
    /// Sequence number of the next queued request.
    enqueued: AtomicU64,
    /// Queued execute requests numbered below this are aborted.
    abort_below: AtomicU64,
    /// Signalled when the kernel should stop serving.
    exit: Notify,
    /// Open comms and the live views behind them.
    widgets: Arc<Widgets>,
}

/// A request waiting for the evaluator, with its arrival number.
struct Queued {
    sequence: u64,
    message: JupyterMessage,
}

/// Whether serving continues after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Exit,
}

/// One request being handled: where it came from and how to answer it.
struct Request<'a> {
    shared: &'a Shared,
    message: &'a JupyterMessage,
    route: Route,
    /// Arrival number, for requests that went through the execution queue.
    sequence: Option<u64>,
}

impl Request<'_> {
    /// Sends `content` as the reply to this request.
    fn reply(&self, content: impl Into<JupyterMessageContent>) {
        let reply = JupyterMessage::new(content.into(), Some(self.message));
        self.shared.outbox.reply(self.route, reply);
    }

    /// Broadcasts `content` on IOPub as a child of this request.
    fn publish(&self, content: impl Into<JupyterMessageContent>) {
        self.shared.publish(self.message, content);
    }

    /// Answers this request with `error`: an `execute_reply` (and, unless silent, an `error`
    /// output) for a cell, a `<type>_reply` with `status: error` for other requests, nothing
    /// for messages that get no reply (comm messages).
    fn fail(&self, error: EvalError) {
        match &self.message.content {
            JupyterMessageContent::ExecuteRequest(content) => {
                let count = self.shared.history().execution_count();
                if !content.silent {
                    self.publish(ErrorOutput {
                        ename: error.ename.clone(),
                        evalue: error.evalue.clone(),
                        traceback: error.traceback.clone(),
                    });
                }
                self.reply(protocol::execute_error(count, &error));
            }
            _ => {
                let Some(kind) = self.message.header.msg_type.strip_suffix("_request") else {
                    return;
                };
                self.reply(UnknownMessage {
                    msg_type: format!("{kind}_reply"),
                    content: serde_json::json!({
                        "status": "error",
                        "ename": error.ename,
                        "evalue": error.evalue,
                        "traceback": error.traceback,
                    }),
                });
            }
        }
    }

    /// Whether an earlier failure means this (queued) request must not run.
    fn is_aborted(&self) -> bool {
        self.sequence
            .is_some_and(|sequence| sequence < self.shared.abort_below.load(Ordering::SeqCst))
    }
}

impl Dispatcher {
    /// A dispatcher answering through `outbox`, evaluating with `evaluator`. `rust_version` is
    /// reported in `kernel_info_reply`.
    pub fn new(outbox: Outbox, evaluator: EvalWorker, rust_version: &str) -> Self {
        Self {
            shared: Arc::new(Shared {
                widgets: Arc::new(Widgets::new(outbox.clone())),
                outbox,
                kernel_info: protocol::kernel_info(rust_version),
                evaluator,
                history: Mutex::new(History::new()),
                running: Mutex::new(None),
                enqueued: AtomicU64::new(0),
                abort_below: AtomicU64::new(0),
                exit: Notify::new(),
            }),
        }
    }

    /// A handle for interrupting or stopping the kernel from outside the message flow.
    pub fn controller(&self) -> Controller {
        Controller {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Serves until a shutdown request (or [`Controller::request_exit`]), then stops the
    /// evaluator so it can clean up its child process and temporary files. Returns an error
    /// if one of its loops ended without being asked to (after the same cleanup).
    pub async fn serve(self, inbox: Inbox) -> Result<(), TaskEnded> {
        let Inbox { shell, control } = inbox;
        self.shared.outbox.publish(Status::starting().into());
        let (queue, queued) = channel(EXECUTION_QUEUE_CAPACITY);
        let mut router = task::spawn(
            "shell router",
            route_shell(Arc::clone(&self.shared), shell, queue),
        );
        let mut executor = task::spawn(
            "execution loop",
            execute_queued(Arc::clone(&self.shared), queued),
        );
        let mut controller = task::spawn(
            "control loop",
            serve_control(Arc::clone(&self.shared), control),
        );
        let outcome = tokio::select! {
            () = self.shared.exit.notified() => Ok(()),
            ended = &mut router => expected_end("shell router", ended),
            ended = &mut executor => expected_end("execution loop", ended),
            ended = &mut controller => expected_end("control loop", ended),
        };
        for task in [router, executor, controller] {
            // The one that ended has been awaited already.
            if !task.is_finished() {
                task.abort();
                let _ = task.await;
            }
        }
        control::interrupt_running(&self.shared);
        if tokio::time::timeout(EVALUATOR_STOP_GRACE, self.shared.evaluator.stop())
            .await
            .is_err()
        {
            log!("the evaluator did not stop within {EVALUATOR_STOP_GRACE:?}; leaving it");
        }
        outcome
    }
}

/// How a loop's end counts: [`Flow::Exit`] is a shutdown request; anything else (its queue
/// closed, a panic outside any handler) should not have happened.
fn expected_end(
    task: &'static str,
    ended: Result<Result<Flow, TaskEnded>, tokio::task::JoinError>,
) -> Result<(), TaskEnded> {
    match ended {
        Ok(Ok(Flow::Exit)) => Ok(()),
        Ok(Ok(Flow::Continue)) => Err(TaskEnded {
            task,
            why: "its queue was closed".into(),
        }),
        Ok(Err(ended)) => Err(ended),
        Err(error) => Err(TaskEnded {
            task,
            why: error.to_string(),
        }),
    }
}

/// Answers shell requests that need no evaluator, and queues the rest. Returns
/// [`Flow::Exit`] after a shutdown request.
async fn route_shell(
    shared: Arc<Shared>,
    mut shell: Receiver<JupyterMessage>,
    queue: Sender<Queued>,
) -> Flow {
    while let Some(message) = shell.recv().await {
        let needs_evaluator = matches!(
            message.content,
            JupyterMessageContent::ExecuteRequest(_)
                | JupyterMessageContent::CompleteRequest(_)
                | JupyterMessageContent::InspectRequest(_)
        );
        if needs_evaluator {
            let sequence = shared.enqueued.fetch_add(1, Ordering::SeqCst);
            match queue.try_send(Queued { sequence, message }) {
                Ok(()) => {}
                Err(TrySendError::Full(Queued { message, .. })) => {
                    shared.refuse(&message, EXECUTION_QUEUE_CAPACITY).await;
                }
                Err(TrySendError::Closed(_)) => return Flow::Continue,
            }
        } else if shared.dispatch(Route::Shell, &message, None).await == Flow::Exit {
            shared.exit.notify_one();
            return Flow::Exit;
        }
    }
    Flow::Continue
}

/// Runs queued requests one at a time.
async fn execute_queued(shared: Arc<Shared>, mut queued: Receiver<Queued>) -> Flow {
    while let Some(Queued { sequence, message }) = queued.recv().await {
        shared
            .dispatch(Route::Shell, &message, Some(sequence))
            .await;
    }
    Flow::Continue
}

/// Answers control requests as they come. Returns [`Flow::Exit`] after a shutdown request.
async fn serve_control(shared: Arc<Shared>, mut control: Receiver<JupyterMessage>) -> Flow {
    while let Some(message) = control.recv().await {
        if shared.dispatch(Route::Control, &message, None).await == Flow::Exit {
            return Flow::Exit;
        }
    }
    Flow::Continue
}

impl Shared {
    /// The dispatch point: `busy`, the request's handler, `idle`. A handler that panics fails
    /// its request with an `InternalError` reply; serving goes on.
    async fn dispatch(
        &self,
        route: Route,
        message: &JupyterMessage,
        sequence: Option<u64>,
    ) -> Flow {
        let request = Request {
            shared: self,
            message,
            route,
            sequence,
        };
        self.publish(message, Status::busy());
        let flow = match task::catch_panic(self.handle(&request)).await {
            Ok(flow) => flow,
            Err(panic) => {
                let msg_type = &message.header.msg_type;
                log!(
                    "the {msg_type} handler panicked ({panic}); the request fails, serving goes on"
                );
                let mut running = self.running();
                if running
                    .as_ref()
                    .is_some_and(|cell| cell.header.msg_id == message.header.msg_id)
                {
                    *running = None;
                }
                drop(running);
                request.fail(EvalError::new(
                    "InternalError",
                    format!("the kernel failed while handling this {msg_type}: {panic}"),
                ));
                Flow::Continue
            }
        };
        self.publish(message, Status::idle());
        flow
    }

    /// Refuses `message` because `capacity` requests already wait for the evaluator.
    async fn refuse(&self, message: &JupyterMessage, capacity: usize) {
        log!(
            "refused a {} because {capacity} requests already wait for the evaluator",
            message.header.msg_type
        );
        let request = Request {
            shared: self,
            message,
            route: Route::Shell,
            sequence: None,
        };
        self.publish(message, Status::busy());
        request.fail(EvalError::new(
            "KernelBusy",
            format!(
                "{capacity} requests already wait for this kernel; this one was not queued. \
                 Wait for them, or interrupt the kernel."
            ),
        ));
        self.publish(message, Status::idle());
    }

    /// Runs the handler for `request`'s message type.
    async fn handle(&self, request: &Request<'_>) -> Flow {
        let message = request.message;
        let route = request.route;
        match &message.content {
            JupyterMessageContent::KernelInfoRequest(_) => info::kernel_info(request),
            JupyterMessageContent::CommInfoRequest(content) => info::comm_info(request, content),
            JupyterMessageContent::CommOpen(content) => {
                self.widgets.comm_open(message, content);
                Flow::Continue
            }
            JupyterMessageContent::CommMsg(content) => {
                self.widgets.comm_msg(message, content);
                Flow::Continue
            }
            JupyterMessageContent::CommClose(content) => {
                self.widgets.comm_close(content);
                Flow::Continue
            }
            JupyterMessageContent::HistoryRequest(content) => info::history(request, content),
            JupyterMessageContent::IsCompleteRequest(content) => {
                introspection::is_complete(request, content)
            }
            JupyterMessageContent::CompleteRequest(content) => {
                introspection::complete(request, content).await
            }
            JupyterMessageContent::InspectRequest(content) => {
                introspection::inspect(request, content).await
            }
            JupyterMessageContent::ExecuteRequest(content) => {
                execute::execute(request, content).await
            }
            JupyterMessageContent::InterruptRequest(_) => control::interrupt(request),
            JupyterMessageContent::ShutdownRequest(content) => {
                control::shutdown(request, content).await
            }
            _ => {
                log!(
                    "ignoring unsupported {} on {route}",
                    message.header.msg_type
                );
                Flow::Continue
            }
        }
    }

    /// Broadcasts `content` on IOPub as a child of `parent`.
    fn publish(&self, parent: &JupyterMessage, content: impl Into<JupyterMessageContent>) {
        self.outbox
            .publish(JupyterMessage::new(content.into(), Some(parent)));
    }

    fn history(&self) -> MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn running(&self) -> MutexGuard<'_, Option<JupyterMessage>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks every execute request queued so far as aborted.
    fn abort_queued(&self) {
        self.abort_below
            .store(self.enqueued.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}
