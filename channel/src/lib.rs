//! The private, typed channel between the code a napkin-kernel cell runs and the kernel.
//!
//! A cell's code runs in a process of its own (evcxr's evaluation process). What it *prints*
//! is the learner's output and nothing else. What it needs to *tell the kernel* — show this
//! rich output now, turn this live view into widgets, this is where the cell panicked — travels
//! as a [`Message`] on a pipe that only that process holds (patched evcxr, `channel.rs`: the
//! pipes' file descriptors are in [`CHANNEL_FD_ENV`], each message a little-endian `u32` length
//! and `MESSAGE <json>`, acknowledged with one byte). The process forwards the cell's stdout, its stderr and these messages
//! to the kernel in the order they were written, so a display appears between the lines
//! printed before and after it.
//!
//! Live views answer slider moves over a Unix socket in the session's private directory
//! ([`DIR_ENV`], mode 0700), with a token from the operating system's random source that the
//! kernel must present ([`ViewRequest`], [`ViewAnswer`]).
//!
//! Both `napkin` (which sends) and napkin-kernel (which receives) depend on this crate; the
//! kernel does not link napkin. Outside napkin-kernel [`send`] does nothing and says so, and
//! napkin falls back to evcxr's display protocol on stdout.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Serialize};

/// Set (to any value) by napkin-kernel for the process that runs cells.
pub const KERNEL_ENV: &str = "NAPKIN_KERNEL";
/// The private pipes' file descriptors, `SEND,ACK`, set by (patched) evcxr in the process that
/// runs cells: a message goes to `SEND`, and its one-byte acknowledgement comes back on `ACK`.
pub const CHANNEL_FD_ENV: &str = "EVCXR_CHANNEL_FD";
/// The session's private directory (mode 0700), where live views listen.
pub const DIR_ENV: &str = "NAPKIN_KERNEL_DIR";
/// What starts a message for the embedder on evcxr's private channel.
pub const MESSAGE_PREFIX: &str = "MESSAGE ";
/// The largest message either side accepts, in bytes of JSON.
pub const MAX_MESSAGE: usize = 64 << 20;
/// The longest request line a live view reads.
pub const MAX_REQUEST: usize = 64 << 10;

/// What the code a cell runs tells the kernel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Message {
    /// A rich output to show now (`display_data`): MIME type → content, as Jupyter's `data`.
    Display {
        /// The renderings, e.g. `text/plain` and `text/html`.
        data: BTreeMap<String, String>,
    },
    /// A live view to turn into widgets.
    View(View),
    /// A panic, reported by the hook [`install_panic_hook`] sets.
    Panic(Panic),
}

/// A live view: its sliders, its first rendering and where it answers slider moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// The Unix socket the view's process listens on.
    pub socket: PathBuf,
    /// What a connection must present first (see [`ViewRequest`]).
    pub token: String,
    /// The view's number in its process.
    pub id: u64,
    /// Its sliders, in order.
    pub sliders: Vec<Slider>,
    /// The first rendering of the main part (HTML).
    pub html: String,
    /// The first chart (SVG; empty for none).
    pub chart: String,
    /// A static HTML snapshot for exports that cannot run widgets.
    pub snapshot: String,
}

/// One slider or choice of a live view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slider {
    /// Its label.
    pub name: String,
    /// The least value.
    pub min: f64,
    /// The greatest value (at least `min`).
    pub max: f64,
    /// The starting value, within `min..=max`.
    pub value: f64,
    /// Whether it moves on a logarithmic scale.
    pub log: bool,
    /// Whether it takes whole numbers only.
    pub whole: bool,
    /// For a choice: each option's label and value (empty for a slider).
    pub options: Vec<(String, f64)>,
    /// The starting value as the view shows it (`1.00M`).
    pub label: String,
}

/// Where and why a cell panicked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panic {
    /// The panic's message.
    pub message: String,
    /// The source file the panic points at (`src/lib.rs` for the cell's own code).
    pub file: String,
    /// Its line, from 1.
    pub line: u32,
    /// Its column, from 1.
    pub column: u32,
    /// The panicking thread's name, if it has one.
    pub thread: Option<String>,
}

/// The kernel asks a live view for its rendering at slider values (one JSON line). A
/// connection's first line is the view's token, alone; a wrong one closes the connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewRequest {
    /// Which view.
    pub view: u64,
    /// One value per slider.
    pub values: Vec<f64>,
}

/// A live view's answers to one request, one JSON line each: [`ViewAnswer::Main`], then
/// [`ViewAnswer::Chart`], then [`ViewAnswer::Done`]; or [`ViewAnswer::Refused`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ViewAnswer {
    /// The estimate (or value): what the sliders now read, and the main part.
    Main {
        /// The values used (clamped into each slider's range).
        values: Vec<f64>,
        /// How each value reads.
        labels: Vec<String>,
        /// The main part, as HTML.
        html: String,
        /// What went wrong computing it, if anything.
        error: Option<String>,
    },
    /// The chart (SVG, or HTML saying what went wrong).
    Chart {
        /// The chart's markup.
        html: String,
    },
    /// Nothing more for this request.
    Done,
    /// The request was refused: why.
    Refused {
        /// The reason.
        reason: String,
    },
}

impl Message {
    /// The message as evcxr's private channel carries it (`MESSAGE <json>`).
    pub fn encode(&self) -> String {
        // Serialising these types cannot fail: every map key is a string.
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("{MESSAGE_PREFIX}{json}")
    }

    /// Reads a message's JSON (what follows [`MESSAGE_PREFIX`]).
    pub fn decode(json: &str) -> Result<Self, serde_json::Error> {
        if json.len() > MAX_MESSAGE {
            return Err(serde::de::Error::custom(format!(
                "a message of {} bytes (the limit is {MAX_MESSAGE})",
                json.len()
            )));
        }
        serde_json::from_str(json)
    }
}

/// The pipes to the kernel (messages out, acknowledgements in), opened on first use; `None`
/// outside napkin-kernel.
fn pipes() -> Option<&'static Mutex<(File, File)>> {
    static PIPES: OnceLock<Option<Mutex<(File, File)>>> = OnceLock::new();
    PIPES
        .get_or_init(|| {
            std::env::var_os(KERNEL_ENV)?;
            let fds = std::env::var(CHANNEL_FD_ENV).ok()?;
            let (send, ack) = fds.split_once(',')?;
            let open = |fd: &str, write: bool| {
                let fd: u32 = fd.parse().ok()?;
                File::options()
                    .read(!write)
                    .write(write)
                    .open(format!("/dev/fd/{fd}"))
                    .ok()
            };
            Some(Mutex::new((open(send, true)?, open(ack, false)?)))
        })
        .as_ref()
}

/// Whether this process runs cells for napkin-kernel, with the channel open.
pub fn in_kernel() -> bool {
    pipes().is_some()
}

/// Sends `message` to the kernel, in its place among the text the process prints (stdout is
/// flushed first, and the kernel acknowledges the message before this returns). False outside
/// napkin-kernel, or when the message is over [`MAX_MESSAGE`] or could not be written.
pub fn send(message: &Message) -> bool {
    let Some(pipes) = pipes() else {
        return false;
    };
    let payload = message.encode();
    if payload.len() > MAX_MESSAGE {
        return false;
    }
    let _ = std::io::stdout().flush();
    let mut frame = Vec::with_capacity(payload.len() + 4);
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(payload.as_bytes());
    let mut pipes = pipes.lock().unwrap_or_else(PoisonError::into_inner);
    let (out, ack) = &mut *pipes;
    out.write_all(&frame).is_ok() && ack.read_exact(&mut [0u8]).is_ok()
}

/// Reports every panic to the kernel as a [`Message::Panic`] instead of printing it, so the
/// kernel can point at the cell's line. Outside napkin-kernel it changes nothing. Idempotent.
pub fn install_panic_hook() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if !in_kernel() {
        return;
    }
    INSTALLED.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the cell panicked".into());
            let (file, line, column) = info.location().map_or((String::new(), 0, 0), |l| {
                (l.file().to_string(), l.line(), l.column())
            });
            let report = Message::Panic(Panic {
                message,
                file,
                line,
                column,
                thread: std::thread::current().name().map(str::to_string),
            });
            if !send(&report) {
                previous(info);
            }
        }));
    });
}

/// The session's private directory, where live views listen.
pub fn private_dir() -> Option<PathBuf> {
    std::env::var_os(DIR_ENV).map(PathBuf::from)
}

/// A new token: 128 bits from the operating system's random source, as hex.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares a presented token with the expected one in time that does not depend on where
/// they differ.
pub fn same_token(presented: &str, expected: &str) -> bool {
    let (a, b) = (presented.as_bytes(), expected.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_their_encoding() {
        let message = Message::Display {
            data: BTreeMap::from([("text/plain".into(), "11.6K req/s".into())]),
        };
        let encoded = message.encode();
        let json = encoded.strip_prefix(MESSAGE_PREFIX).unwrap();
        assert_eq!(Message::decode(json).unwrap(), message);
        assert!(Message::decode("{\"kind\":\"unknown\"}").is_err());
        assert!(Message::decode("not json").is_err());
    }

    #[test]
    fn tokens_are_random_hex_and_compared_whole() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a[..31], &a));
        assert!(!same_token("", &a));
    }

    #[test]
    fn outside_the_kernel_nothing_is_sent() {
        // The test process has no channel.
        assert!(!send(&Message::Display {
            data: BTreeMap::new()
        }));
    }
}
