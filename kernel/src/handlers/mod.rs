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

mod control;
mod execute;
mod info;
mod introspection;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use jupyter_protocol::{JupyterMessage, JupyterMessageContent, KernelInfoReply, Status};
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::eval::worker::EvalWorker;
use crate::history::History;
use crate::protocol;
use crate::transport::{Inbox, Outbox, Route};
use crate::widgets::Widgets;

/// How long a shutdown waits for the evaluator to clean up before giving up on it.
const EVALUATOR_STOP_GRACE: Duration = Duration::from_secs(5);

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
    /// evaluator so it can clean up its child process and temporary files.
    pub async fn serve(self, inbox: Inbox) {
        let Inbox { shell, control } = inbox;
        self.shared.outbox.publish(Status::starting().into());
        let (queue, queued) = unbounded_channel();
        let router = tokio::spawn(route_shell(Arc::clone(&self.shared), shell, queue));
        let executor = tokio::spawn(execute_queued(Arc::clone(&self.shared), queued));
        let mut controller = tokio::spawn(serve_control(Arc::clone(&self.shared), control));
        let control_ended = tokio::select! {
            () = self.shared.exit.notified() => false,
            _ = &mut controller => true,
        };
        let mut tasks = vec![router, executor];
        if !control_ended {
            tasks.push(controller);
        }
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
        control::interrupt_running(&self.shared);
        if tokio::time::timeout(EVALUATOR_STOP_GRACE, self.shared.evaluator.stop())
            .await
            .is_err()
        {
            log!("the evaluator did not stop within {EVALUATOR_STOP_GRACE:?}; leaving it");
        }
    }
}

/// Answers shell requests that need no evaluator, and queues the rest.
async fn route_shell(
    shared: Arc<Shared>,
    mut shell: UnboundedReceiver<JupyterMessage>,
    queue: UnboundedSender<Queued>,
) {
    while let Some(message) = shell.recv().await {
        let needs_evaluator = matches!(
            message.content,
            JupyterMessageContent::ExecuteRequest(_)
                | JupyterMessageContent::CompleteRequest(_)
                | JupyterMessageContent::InspectRequest(_)
        );
        if needs_evaluator {
            let sequence = shared.enqueued.fetch_add(1, Ordering::SeqCst);
            if queue.send(Queued { sequence, message }).is_err() {
                return;
            }
        } else if shared.dispatch(Route::Shell, &message, None).await == Flow::Exit {
            shared.exit.notify_one();
            return;
        }
    }
}

/// Runs queued requests one at a time.
async fn execute_queued(shared: Arc<Shared>, mut queued: UnboundedReceiver<Queued>) {
    while let Some(Queued { sequence, message }) = queued.recv().await {
        shared
            .dispatch(Route::Shell, &message, Some(sequence))
            .await;
    }
}

/// Answers control requests as they come.
async fn serve_control(shared: Arc<Shared>, mut control: UnboundedReceiver<JupyterMessage>) {
    while let Some(message) = control.recv().await {
        if shared.dispatch(Route::Control, &message, None).await == Flow::Exit {
            return;
        }
    }
}

impl Shared {
    /// The dispatch point: `busy`, the request's handler, `idle`.
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
        let flow = match &message.content {
            JupyterMessageContent::KernelInfoRequest(_) => info::kernel_info(&request),
            JupyterMessageContent::CommInfoRequest(content) => info::comm_info(&request, content),
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
            JupyterMessageContent::HistoryRequest(content) => info::history(&request, content),
            JupyterMessageContent::IsCompleteRequest(content) => {
                introspection::is_complete(&request, content)
            }
            JupyterMessageContent::CompleteRequest(content) => {
                introspection::complete(&request, content).await
            }
            JupyterMessageContent::InspectRequest(content) => {
                introspection::inspect(&request, content).await
            }
            JupyterMessageContent::ExecuteRequest(content) => {
                execute::execute(&request, content).await
            }
            JupyterMessageContent::InterruptRequest(_) => control::interrupt(&request),
            JupyterMessageContent::ShutdownRequest(content) => {
                control::shutdown(&request, content).await
            }
            _ => {
                log!(
                    "ignoring unsupported {} on {route}",
                    message.header.msg_type
                );
                Flow::Continue
            }
        };
        self.publish(message, Status::idle());
        flow
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
