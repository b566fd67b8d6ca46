//! The wire: ZeroMQ sockets, message signing and framing. The only module that touches them.
//!
//! Binds the five Jupyter sockets on the connection file's address and ports only:
//!
//! * **heartbeat** (REP): echoes every message back, on its own task;
//! * **shell**, **control** (ROUTER): each read on its own task, so control requests are
//!   received while a cell runs; incoming messages are HMAC-verified (constant-time, by
//!   `jupyter-zmq-client` with ring) and parsed into typed messages;
//! * **stdin** (ROUTER): bound so clients can connect; input requests are not supported yet;
//! * **iopub** (XPUB): publishes broadcasts and answers each subscription with
//!   `iopub_welcome` (JEP 65), so clients know when they will start receiving.
//!
//! A message that fails verification or parsing is logged (never with the key or signature)
//! and dropped; nothing a client sends can stop the wire.

use std::time::Duration;

use jupyter_protocol::{
    ConnectionInfo, Header, IoPubWelcome, JupyterMessage, JupyterMessageContent,
};
use jupyter_zmq_client::{
    Connection, RawMessage, RouterRecvConnection, RouterSendConnection, RuntimeError,
    SubscriptionEvent, create_kernel_control_connection, create_kernel_heartbeat_connection,
    create_kernel_iopub_xpub_connection, create_kernel_shell_connection,
    create_kernel_stdin_connection,
};
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use zeromq::{SocketRecv, SocketSend};

use crate::transport::WireEnd;

/// Pause after a socket-level receive error, so a broken socket cannot spin a core.
const ERROR_BACKOFF: Duration = Duration::from_millis(10);

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
        source: RuntimeError,
    },
}

/// The running socket tasks.
pub struct Wire {
    readers: Vec<JoinHandle<()>>,
    writers: Vec<JoinHandle<()>>,
}

impl Wire {
    /// Binds all sockets and starts moving messages between them and `end`.
    pub async fn bind(
        info: &ConnectionInfo,
        session_id: &str,
        end: WireEnd,
    ) -> Result<Self, WireError> {
        let bind_error = |channel: &'static str, url: String| {
            move |source| WireError::Bind {
                channel,
                url,
                source,
            }
        };
        let heartbeat = create_kernel_heartbeat_connection(info)
            .await
            .map_err(bind_error("heartbeat", info.hb_url()))?;
        let shell = create_kernel_shell_connection(info, session_id)
            .await
            .map_err(bind_error("shell", info.shell_url()))?;
        let control = create_kernel_control_connection(info, session_id)
            .await
            .map_err(bind_error("control", info.control_url()))?;
        let stdin = create_kernel_stdin_connection(info, session_id)
            .await
            .map_err(bind_error("stdin", info.stdin_url()))?;
        let iopub = create_kernel_iopub_xpub_connection(info, session_id)
            .await
            .map_err(bind_error("iopub", info.iopub_url()))?;

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
            tokio::spawn(echo_heartbeats(heartbeat.socket)),
            tokio::spawn(receive("shell", shell_recv, shell_in)),
            tokio::spawn(receive("control", control_recv, control_in)),
            tokio::spawn(ignore_stdin(stdin)),
        ];
        let writers = vec![
            tokio::spawn(send("shell", shell_send, shell_out)),
            tokio::spawn(send("control", control_send, control_out)),
            tokio::spawn(publish(iopub, iopub_out)),
        ];
        Ok(Self { readers, writers })
    }

    /// Stops receiving, then waits (up to `grace`) for queued outgoing messages to be sent.
    /// Outgoing queues end when every [`crate::transport::Outbox`] has been dropped.
    pub async fn close(self, grace: Duration) {
        for reader in &self.readers {
            reader.abort();
        }
        let flushed = async {
            for writer in self.writers {
                let _ = writer.await;
            }
        };
        if tokio::time::timeout(grace, flushed).await.is_err() {
            log!("gave up flushing outgoing messages after {grace:?}");
        }
    }
}

/// Heartbeat: send back whatever arrives.
async fn echo_heartbeats(mut socket: zeromq::RepSocket) {
    loop {
        match socket.recv().await {
            Ok(ping) => {
                if let Err(error) = socket.send(ping).await {
                    log!("heartbeat: cannot reply: {error}");
                }
            }
            Err(error) => {
                log!("heartbeat: receive failed: {error}");
                tokio::time::sleep(ERROR_BACKOFF).await;
            }
        }
    }
}

/// Reads, verifies and parses requests from a ROUTER socket into `inbox`.
async fn receive(
    channel: &'static str,
    mut connection: RouterRecvConnection,
    inbox: UnboundedSender<JupyterMessage>,
) {
    loop {
        match read_request(&mut connection).await {
            Ok(message) => {
                if inbox.send(message).is_err() {
                    return;
                }
            }
            Err(error) => reject(channel, &error).await,
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

/// Logs why an incoming message was dropped (without the key or the signature).
async fn reject(channel: &'static str, error: &RuntimeError) {
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
            log!("{channel}: receive failed: {source}");
            tokio::time::sleep(ERROR_BACKOFF).await;
            return;
        }
        other => other.to_string(),
    };
    log!("{channel}: dropped an incoming message because {reason}");
}

/// Sends replies from `outbox` on a ROUTER socket (routed by the request's identities).
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

/// Publishes broadcasts and welcomes new subscribers on the XPUB socket.
async fn publish(
    mut iopub: Connection<zeromq::XPubSocket>,
    mut outbox: UnboundedReceiver<JupyterMessage>,
) {
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
                Err(error) => {
                    log!("iopub: subscription message ignored: {error}");
                    tokio::time::sleep(ERROR_BACKOFF).await;
                }
            },
        }
    }
}

/// Keeps the stdin socket bound; nothing is expected on it until input requests exist.
async fn ignore_stdin(mut stdin: jupyter_zmq_client::KernelStdinConnection) {
    loop {
        match stdin.read().await {
            Ok(message) => log!("stdin: ignoring unexpected {}", message.header.msg_type),
            Err(error) => reject("stdin", &error).await,
        }
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
