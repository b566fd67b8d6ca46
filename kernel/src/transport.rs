//! The in-process seam between the wire and the handlers: typed messages through channels.
//!
//! The handlers never see a socket. They read requests from an [`Inbox`] and write replies and
//! broadcasts to an [`Outbox`]; [`crate::wire`] connects the other ends ([`WireEnd`]) to ZeroMQ.
//! Tests connect them to nothing at all and inspect the messages directly.
//!
//! Incoming queues are bounded ([`INBOX_CAPACITY`]): when the handlers fall behind, the wire
//! stops reading that socket and clients wait, as with libzmq's receive high-water mark.
//! Outgoing queues are filled only by the handlers and drained by wire tasks that never wait
//! for a peer (ROUTER and XPUB drop a message for a peer whose own queue is full), so no
//! client can make them grow.

use jupyter_protocol::JupyterMessage;
use tokio::sync::mpsc::{
    Receiver, Sender, UnboundedReceiver, UnboundedSender, channel, unbounded_channel,
};

/// Verified requests that may wait for the handlers, per socket.
pub const INBOX_CAPACITY: usize = 1000;

/// The socket a request arrived on, which is where its reply must go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The shell socket: execution, introspection, history.
    Shell,
    /// The control socket: interrupt, shutdown, and anything urgent.
    Control,
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Route::Shell => "shell",
            Route::Control => "control",
        })
    }
}

/// Verified, parsed requests for the handlers, one queue per socket.
pub struct Inbox {
    /// Requests from the shell socket, in arrival order.
    pub shell: Receiver<JupyterMessage>,
    /// Requests from the control socket, in arrival order.
    pub control: Receiver<JupyterMessage>,
}

/// Where handlers send replies (to the requester's socket) and broadcasts (to IOPub).
#[derive(Clone)]
pub struct Outbox {
    shell: UnboundedSender<JupyterMessage>,
    control: UnboundedSender<JupyterMessage>,
    iopub: UnboundedSender<JupyterMessage>,
}

impl Outbox {
    /// Sends a reply on the socket its request came from.
    pub fn reply(&self, route: Route, message: JupyterMessage) {
        let queue = match route {
            Route::Shell => &self.shell,
            Route::Control => &self.control,
        };
        if queue.send(message).is_err() {
            log!("{route} socket is closed; reply dropped");
        }
    }

    /// Broadcasts a message on IOPub.
    pub fn publish(&self, message: JupyterMessage) {
        if self.iopub.send(message).is_err() {
            log!("iopub socket is closed; message dropped");
        }
    }
}

/// The wire's side of the channels: it feeds requests in and drains replies out.
pub struct WireEnd {
    /// Feeds the handlers' shell queue.
    pub shell_in: Sender<JupyterMessage>,
    /// Feeds the handlers' control queue.
    pub control_in: Sender<JupyterMessage>,
    /// Replies to send on the shell socket.
    pub shell_out: UnboundedReceiver<JupyterMessage>,
    /// Replies to send on the control socket.
    pub control_out: UnboundedReceiver<JupyterMessage>,
    /// Messages to publish on IOPub.
    pub iopub_out: UnboundedReceiver<JupyterMessage>,
}

/// Creates connected channels: the handlers' [`Inbox`] and [`Outbox`], and the [`WireEnd`].
pub fn channels() -> (Inbox, Outbox, WireEnd) {
    let (shell_in, shell) = channel(INBOX_CAPACITY);
    let (control_in, control) = channel(INBOX_CAPACITY);
    let (shell_tx, shell_out) = unbounded_channel();
    let (control_tx, control_out) = unbounded_channel();
    let (iopub_tx, iopub_out) = unbounded_channel();
    (
        Inbox { shell, control },
        Outbox {
            shell: shell_tx,
            control: control_tx,
            iopub: iopub_tx,
        },
        WireEnd {
            shell_in,
            control_in,
            shell_out,
            control_out,
            iopub_out,
        },
    )
}
