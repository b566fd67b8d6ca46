//! The wire: ZeroMQ sockets, message signing and framing. The only module that touches them.
//!
//! Binds the five Jupyter sockets on the connection file's address and ports only:
//!
//! * **heartbeat** (ROUTER, as in ipykernel): echoes every message back to its sender;
//! * **shell**, **control** (ROUTER): each read on its own task, so control requests are
//!   received while a cell runs; incoming messages are HMAC-verified (constant-time, by
//!   `jupyter-zmq-client` with ring) and parsed into typed messages;
//! * **stdin** (ROUTER): bound so clients can connect; input requests are not supported yet;
//! * **iopub** (XPUB): publishes broadcasts and answers each subscription with
//!   `iopub_welcome` (JEP 65), so clients know when they will start receiving.
//!
//! A message that fails verification or parsing is logged (never with the key or signature)
//! and dropped; nothing a client sends can stop the wire. Any local process can connect, so
//! what a peer can make the kernel hold is bounded before anything is authenticated (by the
//! patched `zeromq`, `vendor/zeromq/NAPKIN.md`): a message larger than its socket's limit
//! ([`MAX_REQUEST_SIZE`], [`MAX_PING_SIZE`], [`MAX_SUBSCRIPTION_SIZE`]) closes that peer's
//! connection before it is read; a peer that does not complete the ZMTP handshake within 30 s
//! is dropped; and at most [`SEND_HIGH_WATER_MARK`] messages wait for any one peer, beyond
//! which that peer (a subscriber that stopped reading, say) misses messages while the others
//! and the kernel go on, as with libzmq. Drops and closed connections are logged at
//! increasing intervals (the 1st, 2nd, 4th, 8th, …), so a flood cannot fill the log either.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use jupyter_protocol::{
    ConnectionInfo, Header, IoPubWelcome, JupyterMessage, JupyterMessageContent,
};
use jupyter_zmq_client::{
    Connection, RawMessage, RouterRecvConnection, RouterSendConnection, RuntimeError,
    SubscriptionEvent,
};
use serde_json::Value;
use tokio::sync::mpsc::{Sender, UnboundedReceiver};
use tokio::task::JoinHandle;
use zeromq::{SocketOptions, SocketRecv, SocketSend};

use crate::task::{self, TaskEnded};
use crate::transport::WireEnd;

/// Pause after a socket-level receive error, so a broken socket cannot spin a core.
const ERROR_BACKOFF: Duration = Duration::from_millis(10);

/// The largest message a client may send on shell, control or stdin: 256 MiB, all frames
/// together. A cell's code, a comm message with data (a widget's binary buffers) or a
/// history search fits many times over; Jupyter's own server refuses websocket messages over
/// 100 MiB by default (`websocket_max_message_size`), and a frame that could not be kept in
/// memory is the thing this limit stops.
pub const MAX_REQUEST_SIZE: usize = 256 * 1024 * 1024;

/// The largest heartbeat ping: clients send a few bytes (`jupyter_client` sends `ping`).
pub const MAX_PING_SIZE: usize = 4 * 1024;

/// The largest message an IOPub subscriber may send: a subscription is a topic (Jupyter's are
/// short, usually empty).
pub const MAX_SUBSCRIPTION_SIZE: usize = 64 * 1024;

/// Messages that may wait for one peer before it misses some: libzmq's default `ZMQ_SNDHWM`.
pub const SEND_HIGH_WATER_MARK: usize = 1000;

/// Problems binding the sockets.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// A socket could not be bound (e.g. the port is taken).
    #[error("cannot bind the {channel} socket to {url}")]
    Bind {
        /// Which socket.
        channel: &'static str,
        /// The address it should have listened on.
        url: String,
        /// Why.
        source: zeromq::ZmqError,
    },
}

/// A socket task and its name.
type Running = (&'static str, JoinHandle<Result<(), TaskEnded>>);

/// The running socket tasks.
pub struct Wire {
    readers: Vec<Running>,
    writers: Vec<Running>,
}

/// Spawns the socket task `name`.
fn named(name: &'static str, future: impl Future<Output = ()> + Send + 'static) -> Running {
    (name, task::spawn(name, future))
}

/// Options for a kernel socket whose peers may send messages of up to `max_message_size`.
fn options(max_message_size: usize) -> SocketOptions {
    let mut options = SocketOptions::default();
    options
        .max_message_size(Some(max_message_size))
        .send_high_water_mark(Some(SEND_HIGH_WATER_MARK));
    options
}

/// A socket of type `S` with [`options`], bound to `url`.
async fn bind<S: zeromq::Socket>(
    channel: &'static str,
    url: String,
    max_message_size: usize,
) -> Result<S, WireError> {
    let mut socket = S::with_options(options(max_message_size));
    match socket.bind(&url).await {
        Ok(_) => Ok(socket),
        Err(source) => Err(WireError::Bind {
            channel,
            url,
            source,
        }),
    }
}

impl Wire {
    /// Binds all sockets and starts moving messages between them and `end`.
    pub async fn bind(
        info: &ConnectionInfo,
        session_id: &str,
        end: WireEnd,
    ) -> Result<Self, WireError> {
        forward_zeromq_warnings();
        let signed = |socket| Connection::new(socket, &info.key, session_id);
        let heartbeat: zeromq::RouterSocket =
            bind("heartbeat", info.hb_url(), MAX_PING_SIZE).await?;
        let router = |channel, url| bind::<zeromq::RouterSocket>(channel, url, MAX_REQUEST_SIZE);
        let shell = signed(router("shell", info.shell_url()).await?);
        let control = signed(router("control", info.control_url()).await?);
        let stdin = signed(router("stdin", info.stdin_url()).await?);
        let iopub = Connection::new(
            bind("iopub", info.iopub_url(), MAX_SUBSCRIPTION_SIZE).await?,
            &info.key,
            session_id,
        );

        let WireEnd {
            shell_in,
            control_in,
            shell_out,
            control_out,
            iopub_out,
        } = end;
        let (shell_send, shell_recv) = shell.split();
        let (control_send, control_recv) = control.split();
        let readers = vec![
            named("heartbeat", echo_heartbeats(heartbeat)),
            named("shell reader", receive("shell", shell_recv, shell_in)),
            named(
                "control reader",
                receive("control", control_recv, control_in),
            ),
            named("stdin reader", ignore_stdin(stdin)),
        ];
        let writers = vec![
            named("shell writer", send("shell", shell_send, shell_out)),
            named("control writer", send("control", control_send, control_out)),
            named("iopub publisher", publish(iopub, iopub_out)),
        ];
        Ok(Self { readers, writers })
    }

    /// Completes when one of the socket tasks ends, which none should while the kernel
    /// serves: a reader ends only when the handlers have dropped its queue, a writer when
    /// every [`crate::transport::Outbox`] has been dropped. Await it at most once to the end.
    pub async fn ended(&mut self) -> TaskEnded {
        std::future::poll_fn(|cx| {
            for (name, handle) in self.readers.iter_mut().chain(self.writers.iter_mut()) {
                if let Poll::Ready(ended) = Pin::new(handle).poll(cx) {
                    return Poll::Ready(match ended {
                        Ok(Ok(())) => TaskEnded {
                            task: name,
                            why: "its queue was closed".into(),
                        },
                        Ok(Err(ended)) => ended,
                        Err(error) => TaskEnded {
                            task: name,
                            why: error.to_string(),
                        },
                    });
                }
            }
            Poll::Pending
        })
        .await
    }

    /// Stops receiving, then waits (up to `grace`) for queued outgoing messages to be sent.
    /// Outgoing queues end when every [`crate::transport::Outbox`] has been dropped.
    pub async fn close(self, grace: Duration) {
        for (_, reader) in &self.readers {
            reader.abort();
        }
        let flushed = async {
            for (_, writer) in self.writers {
                // One that ended early has been awaited by `ended` already.
                if !writer.is_finished() {
                    let _ = writer.await;
                }
            }
        };
        if tokio::time::timeout(grace, flushed).await.is_err() {
            log!("gave up flushing outgoing messages after {grace:?}");
        }
    }
}

/// Heartbeat: send back whatever arrives, to whoever sent it (a ROUTER, as ipykernel's is:
/// a client that stops reading misses its own echoes and delays no one else's).
async fn echo_heartbeats(mut socket: zeromq::RouterSocket) {
    let mut dropped = Dropped::new("heartbeat");
    loop {
        match socket.recv().await {
            Ok(ping) => {
                if let Err(error) = socket.send(ping).await {
                    dropped.log(format_args!("its echo could not be sent: {error}"));
                }
            }
            Err(error) => {
                log!("heartbeat: receive failed: {error}");
                tokio::time::sleep(ERROR_BACKOFF).await;
            }
        }
    }
}

/// Reads, verifies and parses requests from a ROUTER socket into `inbox`, waiting while it is
/// full (the socket then stops reading, and clients wait).
async fn receive(
    channel: &'static str,
    mut connection: RouterRecvConnection,
    inbox: Sender<JupyterMessage>,
) {
    let mut dropped = Dropped::new(channel);
    loop {
        match read_request(&mut connection).await {
            Ok(message) => {
                if inbox.send(message).await.is_err() {
                    return;
                }
            }
            Err(error) => reject(&mut dropped, &error).await,
        }
    }
}

/// Receives one request: verifies its signature, then parses it with [`decode`].
async fn read_request(
    connection: &mut RouterRecvConnection,
) -> Result<JupyterMessage, RuntimeError> {
    let multipart = connection.socket.recv().await?;
    decode(RawMessage::from_multipart(multipart, &connection.mac)?)
}

/// Parses a verified message into a typed one, first repairing content that real clients send
/// but `jupyter-protocol` cannot parse: `jupyter_client` sends `history_request` with
/// `"n": null` (meaning "no limit") and may leave out `output`, `raw` or `unique`.
fn decode(raw: RawMessage) -> Result<JupyterMessage, RuntimeError> {
    let [header, parent_header, metadata, content, buffers @ ..] = &raw.jparts[..] else {
        return Err(RuntimeError::InsufficientMessageParts(raw.jparts.len()));
    };
    let header: Header = serde_json::from_slice(header)?;
    let mut content: Value = serde_json::from_slice(content)?;
    if header.msg_type == "history_request" {
        repair_history_request(&mut content);
    }
    let content = JupyterMessageContent::from_type_and_content(&header.msg_type, content).map_err(
        |source| RuntimeError::ParseError {
            msg_type: header.msg_type.clone(),
            source,
        },
    )?;
    Ok(JupyterMessage {
        zmq_identities: raw.zmq_identities.clone(),
        header,
        // An empty parent header is sent as `{}`, which is no header at all.
        parent_header: serde_json::from_slice(parent_header).ok(),
        metadata: serde_json::from_slice(metadata)?,
        content,
        buffers: buffers.to_vec(),
        channel: None,
    })
}

/// Fills what the protocol lets clients omit in a history request with the documented
/// defaults; a missing or null `n` becomes "no limit".
fn repair_history_request(content: &mut Value) {
    let Some(fields) = content.as_object_mut() else {
        return;
    };
    if fields.get("n").is_none_or(Value::is_null) {
        fields.insert("n".into(), i32::MAX.into());
    }
    for flag in ["output", "raw", "unique"] {
        if fields.get(flag).is_none_or(Value::is_null) {
            fields.insert(flag.into(), false.into());
        }
    }
    if fields.get("pattern").is_none_or(Value::is_null) {
        fields.insert("pattern".into(), "*".into());
    }
}

/// Counts the incoming messages a socket drops and logs the 1st, 2nd, 4th, 8th, … with the
/// count so far: every kind of problem shows up, and a flood of them cannot flood the log.
struct Dropped {
    channel: &'static str,
    count: u64,
}

impl Dropped {
    fn new(channel: &'static str) -> Self {
        Self { channel, count: 0 }
    }

    /// Counts one dropped message, and logs `reason` if this count is a power of two.
    fn log(&mut self, reason: impl Display) {
        self.count += 1;
        if self.count.is_power_of_two() {
            let channel = self.channel;
            let count = self.count;
            log!("{channel}: dropped an incoming message because {reason} ({count} so far)");
        }
    }
}

/// Logs why an incoming message was dropped (without the key or the signature).
async fn reject(dropped: &mut Dropped, error: &RuntimeError) {
    let reason = match error {
        RuntimeError::VerifyError(_) => "its signature does not match the connection key".into(),
        RuntimeError::DecodeError(_) => "its signature is not valid hex".into(),
        RuntimeError::MissingHmac | RuntimeError::MissingDelimiter => {
            "it is not framed as a Jupyter message".into()
        }
        RuntimeError::InsufficientMessageParts(parts) => {
            format!("it has {parts} parts instead of at least 4")
        }
        RuntimeError::ParseError { msg_type, source } => {
            format!("its {msg_type} content does not parse: {source}")
        }
        RuntimeError::SerdeError(source) => format!("its header is not valid JSON: {source}"),
        RuntimeError::ZmqError(source) => {
            log!("{}: receive failed: {source}", dropped.channel);
            tokio::time::sleep(ERROR_BACKOFF).await;
            return;
        }
        other => other.to_string(),
    };
    dropped.log(reason);
}

/// Sends replies from `outbox` on a ROUTER socket (routed by the request's identities). A
/// reply for a client whose queue is full is dropped by the socket, so this never waits for
/// a client.
async fn send(
    channel: &'static str,
    mut connection: RouterSendConnection,
    mut outbox: UnboundedReceiver<JupyterMessage>,
) {
    while let Some(message) = outbox.recv().await {
        if let Err(error) = connection.send(message).await {
            log!("{channel}: cannot send a reply: {error}");
        }
    }
}

/// Publishes broadcasts and welcomes new subscribers on the XPUB socket. Sending never waits
/// for a subscriber: one whose queue is full misses the message.
async fn publish(
    mut iopub: Connection<zeromq::XPubSocket>,
    mut outbox: UnboundedReceiver<JupyterMessage>,
) {
    let mut dropped = Dropped::new("iopub");
    loop {
        tokio::select! {
            outgoing = outbox.recv() => {
                let Some(mut message) = outgoing else { return };
                // Routing identities of the parent request mean nothing on a PUB socket.
                message.zmq_identities.clear();
                if let Err(error) = iopub.send(message).await {
                    log!("iopub: cannot publish: {error}");
                }
            }
            event = iopub.recv_subscription() => match event {
                Ok(SubscriptionEvent::Subscribe(topic)) => {
                    if let Err(error) = iopub.send(IoPubWelcome::new(topic).into()).await {
                        log!("iopub: cannot send iopub_welcome: {error}");
                    }
                }
                Ok(SubscriptionEvent::Unsubscribe(_)) => {}
                // The socket has no subscriber left to read from: do not spin.
                Err(RuntimeError::ZmqError(zeromq::ZmqError::NoMessage)) => {
                    tokio::time::sleep(ERROR_BACKOFF).await;
                }
                // A subscriber's connection broke the protocol (and was closed), or it sent
                // something other than a subscription.
                Err(RuntimeError::ZmqError(error)) => {
                    dropped.log(format_args!("its subscriber's connection was closed: {error}"));
                }
                Err(error) => dropped.log(format_args!("it is not a subscription: {error}")),
            },
        }
    }
}

/// Keeps the stdin socket bound; nothing is expected on it until input requests exist.
async fn ignore_stdin(mut stdin: jupyter_zmq_client::KernelStdinConnection) {
    let mut dropped = Dropped::new("stdin");
    loop {
        match stdin.read().await {
            Ok(message) => dropped.log(format_args!(
                "input requests are not supported (it was a {})",
                message.header.msg_type
            )),
            Err(error) => reject(&mut dropped, &error).await,
        }
    }
}

/// Sends `zeromq`'s warnings (a connection closed for an oversized frame, a failed
/// handshake) to the kernel log, at the same increasing intervals as [`Dropped`]. Other
/// crates' `log` records and lower levels are ignored.
fn forward_zeromq_warnings() {
    struct Forward;
    static SEEN: AtomicU64 = AtomicU64::new(0);
    impl ::log::Log for Forward {
        fn enabled(&self, metadata: &::log::Metadata<'_>) -> bool {
            metadata.level() <= ::log::Level::Warn && metadata.target().starts_with("zeromq")
        }
        fn log(&self, record: &::log::Record<'_>) {
            if !self.enabled(record.metadata()) {
                return;
            }
            let count = SEEN.fetch_add(1, Ordering::Relaxed) + 1;
            if count.is_power_of_two() {
                log!("zeromq: {} ({count} so far)", record.args());
            }
        }
        fn flush(&self) {}
    }
    static FORWARD: Forward = Forward;
    // Only the first call installs it; a later one (a second kernel in tests) keeps it.
    if ::log::set_logger(&FORWARD).is_ok() {
        ::log::set_max_level(::log::LevelFilter::Warn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::HistoryRequest;
    use serde_json::json;

    fn raw(msg_type: &str, content: Value) -> RawMessage {
        let header = json!({
            "msg_id": "m1", "session": "s", "username": "u", "date": "2026-11-27T00:00:00Z",
            "msg_type": msg_type, "version": "5.4"
        });
        RawMessage {
            zmq_identities: vec![b"peer".to_vec().into()],
            jparts: [header, json!({}), json!({}), content]
                .iter()
                .map(|part| serde_json::to_vec(part).unwrap().into())
                .collect(),
        }
    }

    #[test]
    fn history_search_with_null_n_means_no_limit() {
        // What jupyter_client's KernelClient.history(hist_access_type="search", pattern=...) sends.
        let content = json!({"hist_access_type": "search", "pattern": "let*", "n": null,
                             "unique": false, "output": false, "raw": true});
        let message = decode(raw("history_request", content)).unwrap();
        match message.content {
            JupyterMessageContent::HistoryRequest(HistoryRequest::Search {
                n, pattern, ..
            }) => {
                assert_eq!(n, i32::MAX);
                assert_eq!(pattern, "let*");
            }
            other => panic!("parsed as {other:?}"),
        }
        assert_eq!(message.zmq_identities.len(), 1);
        assert_eq!(&message.zmq_identities[0][..], b"peer");
        assert!(message.parent_header.is_none());
    }

    #[test]
    fn history_tail_without_flags_gets_defaults() {
        let content = json!({"hist_access_type": "tail", "n": 3});
        let message = decode(raw("history_request", content)).unwrap();
        assert!(matches!(
            message.content,
            JupyterMessageContent::HistoryRequest(HistoryRequest::Tail {
                n: 3,
                output: false,
                raw: false
            })
        ));
    }

    #[test]
    fn other_messages_parse_unchanged_and_bad_content_is_an_error() {
        let message = decode(raw("kernel_info_request", json!({}))).unwrap();
        assert_eq!(message.header.msg_type, "kernel_info_request");
        let error = decode(raw("execute_request", json!({"code": 1}))).unwrap_err();
        assert!(
            matches!(error, RuntimeError::ParseError { .. }),
            "{error:?}"
        );
        let mut short = raw("kernel_info_request", json!({}));
        short.jparts.truncate(3);
        assert!(matches!(
            decode(short),
            Err(RuntimeError::InsufficientMessageParts(3))
        ));
    }
}
