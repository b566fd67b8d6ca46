//! An evaluator in another process, over a Unix socket: the client half ([`RemoteEvaluator`])
//! is an [`Evaluator`] like any other; the server half ([`serve`]) drives a real evaluator for
//! it. This is how a kernel adopts a pre-warmed evaluator process (see `crate::spare`).
//!
//! The protocol is one JSON object per line. The client first sends [`Request::Adopt`] with
//! the stamp of the binary and napkin sources it was built from, and its working directory;
//! the server answers [`Reply::Adopted`] or [`Reply::Refused`] (a stale spare never serves).
//! Then requests are strictly one at a time, as the evaluator thread makes them, except
//! [`Request::Interrupt`], which may arrive while a cell runs. While a cell runs, the server
//! streams [`Reply::Output`]s before the cell's [`Reply::Executed`]. Closing the socket ends
//! the server: the kernel's lifetime is the evaluator's.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    Completions, EvalError, Evaluator, ExecuteOutcome, Interrupt, MimeBundle, Output, OutputSink,
};

/// How long the server may take to answer the handshake and interrupts.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// What the kernel asks of the evaluator process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// The first request: take this kernel on, if built from the same binary and sources.
    Adopt {
        /// See `crate::spare::stamp`.
        stamp: String,
        /// The kernel's working directory (the notebook's), for the cells.
        cwd: PathBuf,
    },
    /// Run a cell.
    Execute {
        /// The cell's code.
        code: String,
    },
    /// Completion candidates.
    Complete {
        /// The cell's code.
        code: String,
        /// The cursor, a byte offset into `code`.
        cursor_byte: usize,
    },
    /// Documentation for the item under the cursor.
    Inspect {
        /// The cell's code.
        code: String,
        /// The cursor, a byte offset into `code`.
        cursor_byte: usize,
    },
    /// Interrupt the running cell.
    Interrupt,
}

/// What the evaluator process answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    /// The handshake succeeded: this process now serves the kernel.
    Adopted {
        /// The evaluator process.
        pid: u32,
    },
    /// The handshake failed; the process exits.
    Refused {
        /// Why, for the log.
        reason: String,
    },
    /// Something the running cell produced.
    Output {
        /// The output.
        output: Output,
    },
    /// A cell finished.
    Executed {
        /// Its outcome.
        outcome: ExecuteOutcome,
    },
    /// Completions.
    Completed {
        /// The candidates.
        completions: Completions,
    },
    /// Documentation.
    Inspected {
        /// The MIME bundle, if any.
        docs: Option<MimeBundle>,
    },
    /// An interrupt was delivered.
    Interrupted {
        /// What it cost, for the user.
        message: Option<String>,
    },
}

/// Why a kernel could not adopt an evaluator process.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// The socket failed or closed before the handshake finished.
    #[error("the evaluator process did not answer: {0}")]
    Io(#[from] io::Error),
    /// The process answered something else than [`Reply::Adopted`].
    #[error("the evaluator process refused: {0}")]
    Refused(String),
}

/// Writes one message as a JSON line.
fn send(stream: &Mutex<UnixStream>, message: &impl Serialize) -> io::Result<()> {
    let mut line = serde_json::to_vec(message).map_err(io::Error::other)?;
    line.push(b'\n');
    let mut stream = stream.lock().unwrap_or_else(PoisonError::into_inner);
    stream.write_all(&line)?;
    stream.flush()
}

/// Reads one JSON line; `Ok(None)` at end of stream.
fn receive<T: for<'de> Deserialize<'de>>(reader: &mut impl BufRead) -> io::Result<Option<T>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    serde_json::from_str(&line)
        .map(Some)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
}

/// The kernel's side: an [`Evaluator`] whose cells run in the process at the other end.
pub struct RemoteEvaluator {
    writer: Arc<Mutex<UnixStream>>,
    /// Answers to execute, complete and inspect, in order.
    answers: mpsc::Receiver<Reply>,
    /// Where the running cell's outputs go.
    sink: Arc<Mutex<Option<OutputSink>>>,
    interrupt: Arc<RemoteInterrupt>,
    /// The evaluator process's id, for the log.
    pid: u32,
}

/// Interrupts the remote cell: one request, one answer.
struct RemoteInterrupt {
    writer: Arc<Mutex<UnixStream>>,
    answers: Mutex<mpsc::Receiver<Option<String>>>,
}

impl Interrupt for RemoteInterrupt {
    fn interrupt(&self) -> Option<String> {
        let answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        while answers.try_recv().is_ok() {}
        if let Err(error) = send(&self.writer, &Request::Interrupt) {
            log!("could not interrupt the evaluator process: {error}");
            return None;
        }
        answers.recv_timeout(ANSWER_WITHIN).ok().flatten()
    }
}

impl RemoteEvaluator {
    /// Performs the handshake on a connected socket and starts routing the server's replies.
    pub fn adopt(stream: UnixStream, stamp: &str, cwd: &Path) -> Result<Self, AdoptError> {
        stream.set_read_timeout(Some(ANSWER_WITHIN))?;
        let writer = Arc::new(Mutex::new(stream.try_clone()?));
        send(
            &writer,
            &Request::Adopt {
                stamp: stamp.to_owned(),
                cwd: cwd.to_owned(),
            },
        )?;
        let mut reader = BufReader::new(stream);
        let pid = match receive::<Reply>(&mut reader)? {
            Some(Reply::Adopted { pid }) => pid,
            Some(Reply::Refused { reason }) => return Err(AdoptError::Refused(reason)),
            Some(other) => return Err(AdoptError::Refused(format!("unexpected {other:?}"))),
            None => return Err(AdoptError::Io(io::ErrorKind::UnexpectedEof.into())),
        };
        reader.get_ref().set_read_timeout(None)?;
        let (answer_tx, answers) = mpsc::channel();
        let (interrupt_tx, interrupt_answers) = mpsc::channel();
        let sink: Arc<Mutex<Option<OutputSink>>> = Arc::new(Mutex::new(None));
        let cell_sink = Arc::clone(&sink);
        std::thread::Builder::new()
            .name("remote-replies".into())
            .spawn(move || {
                loop {
                    match receive::<Reply>(&mut reader) {
                        Ok(Some(Reply::Output { output })) => {
                            let sink = cell_sink.lock().unwrap_or_else(PoisonError::into_inner);
                            match sink.as_ref() {
                                Some(sink) => sink.emit(output),
                                None => log!("evaluator output outside a cell: {output:?}"),
                            }
                        }
                        Ok(Some(Reply::Interrupted { message })) => {
                            let _ = interrupt_tx.send(message);
                        }
                        Ok(Some(reply)) => {
                            if answer_tx.send(reply).is_err() {
                                return;
                            }
                        }
                        Ok(None) => {
                            log!("the evaluator process closed the connection");
                            return;
                        }
                        Err(error) => {
                            log!("lost the evaluator process: {error}");
                            return;
                        }
                    }
                }
            })?;
        Ok(Self {
            interrupt: Arc::new(RemoteInterrupt {
                writer: Arc::clone(&writer),
                answers: Mutex::new(interrupt_answers),
            }),
            writer,
            answers,
            sink,
            pid,
        })
    }

    /// The evaluator process's id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Sends `request` and waits for its answer; `None` if the process is gone.
    fn ask(&self, request: &Request) -> Option<Reply> {
        if let Err(error) = send(&self.writer, request) {
            log!("could not reach the evaluator process: {error}");
            return None;
        }
        self.answers.recv().ok()
    }
}

/// The error for a cell when the evaluator process is gone.
fn process_gone() -> EvalError {
    EvalError::new(
        "EvaluatorGone",
        "the Rust evaluator process of this kernel has stopped; restart the kernel",
    )
}

impl Evaluator for RemoteEvaluator {
    fn execute(&mut self, code: &str, out: &OutputSink) -> ExecuteOutcome {
        *self.sink.lock().unwrap_or_else(PoisonError::into_inner) = Some(out.clone());
        let reply = self.ask(&Request::Execute {
            code: code.to_owned(),
        });
        *self.sink.lock().unwrap_or_else(PoisonError::into_inner) = None;
        match reply {
            Some(Reply::Executed { outcome }) => outcome,
            _ => ExecuteOutcome::error(process_gone()),
        }
    }

    fn complete(&mut self, code: &str, cursor_byte: usize) -> Completions {
        match self.ask(&Request::Complete {
            code: code.to_owned(),
            cursor_byte,
        }) {
            Some(Reply::Completed { completions }) => completions,
            _ => Completions::none(cursor_byte),
        }
    }

    fn inspect(&mut self, code: &str, cursor_byte: usize) -> Option<MimeBundle> {
        match self.ask(&Request::Inspect {
            code: code.to_owned(),
            cursor_byte,
        }) {
            Some(Reply::Inspected { docs }) => docs,
            _ => None,
        }
    }

    fn interrupter(&self) -> Arc<dyn Interrupt> {
        self.interrupt.clone()
    }
}

impl Drop for RemoteEvaluator {
    fn drop(&mut self) {
        // The server ends when its socket closes.
        let stream = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = stream.shutdown(std::net::Shutdown::Both);
    }
}

/// One job for the serving evaluator's thread.
enum Job {
    Run(Request),
    Stop,
}

/// The evaluator process's side: answers the handshake on `stream`, then serves `evaluator`
/// to that one kernel until it closes the socket. Returns whether the kernel was adopted
/// (`Ok(false)`: refused, e.g. a stale stamp). `on_adopted` runs before the kernel hears
/// that it was adopted.
pub fn serve(
    stream: UnixStream,
    evaluator: &mut dyn Evaluator,
    stamp: &str,
    on_adopted: impl FnOnce(),
) -> io::Result<bool> {
    stream.set_read_timeout(Some(ANSWER_WITHIN))?;
    let writer = Arc::new(Mutex::new(stream.try_clone()?));
    let mut reader = BufReader::new(stream);
    let cwd = match receive::<Request>(&mut reader)? {
        Some(Request::Adopt { stamp: theirs, cwd }) if theirs == stamp => cwd,
        Some(Request::Adopt { .. }) => {
            let reason = "built from another napkin-kernel binary or other napkin sources";
            send(
                &writer,
                &Reply::Refused {
                    reason: reason.into(),
                },
            )?;
            return Ok(false);
        }
        other => {
            let reason = format!("expected a handshake, got {other:?}");
            send(&writer, &Reply::Refused { reason })?;
            return Ok(false);
        }
    };
    reader.get_ref().set_read_timeout(None)?;
    // Before the reply: a kernel starts the next spare as soon as it is adopted, and must
    // find the lock free.
    on_adopted();
    send(
        &writer,
        &Reply::Adopted {
            pid: std::process::id(),
        },
    )?;
    log!("adopted by a kernel in {}", cwd.display());
    move_to(evaluator, &cwd);

    let (jobs, inbox) = mpsc::channel();
    let interrupter = evaluator.interrupter();
    let interrupt_writer = Arc::clone(&writer);
    std::thread::Builder::new()
        .name("remote-requests".into())
        .spawn(move || {
            loop {
                match receive::<Request>(&mut reader) {
                    Ok(Some(Request::Interrupt)) => {
                        let message = interrupter.interrupt();
                        let _ = send(&interrupt_writer, &Reply::Interrupted { message });
                    }
                    Ok(Some(request)) => {
                        if jobs.send(Job::Run(request)).is_err() {
                            return;
                        }
                    }
                    Ok(None) | Err(_) => {
                        // The kernel is gone: stop whatever runs, then end.
                        interrupter.interrupt();
                        let _ = jobs.send(Job::Stop);
                        return;
                    }
                }
            }
        })?;
    for job in inbox {
        let reply = match job {
            Job::Stop => break,
            Job::Run(Request::Execute { code }) => {
                let out_writer = Arc::clone(&writer);
                let sink = OutputSink::new(move |output| {
                    let _ = send(&out_writer, &Reply::Output { output });
                });
                Reply::Executed {
                    outcome: evaluator.execute(&code, &sink),
                }
            }
            Job::Run(Request::Complete { code, cursor_byte }) => Reply::Completed {
                completions: evaluator.complete(&code, cursor_byte),
            },
            Job::Run(Request::Inspect { code, cursor_byte }) => Reply::Inspected {
                docs: evaluator.inspect(&code, cursor_byte),
            },
            Job::Run(other) => {
                log!("ignoring an unexpected request: {other:?}");
                continue;
            }
        };
        if send(&writer, &reply).is_err() {
            break;
        }
    }
    Ok(true)
}

/// Makes `cwd` the working directory of this process and of the cells, as if the kernel had
/// been started there.
fn move_to(evaluator: &mut dyn Evaluator, cwd: &Path) {
    if let Err(error) = std::env::set_current_dir(cwd) {
        log!("cannot enter {}: {error}", cwd.display());
        return;
    }
    let Some(dir) = cwd.to_str() else {
        log!("the cells keep their working directory: it is not UTF-8");
        return;
    };
    let code = format!("std::env::set_current_dir({dir:?}).ok();");
    let quiet = OutputSink::new(|output| log!("while entering the directory: {output:?}"));
    if let Err(error) = evaluator.execute(&code, &quiet).result {
        log!("the cells keep their working directory: {}", error.evalue);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::fake::FakeEvaluator;

    #[test]
    fn messages_are_json_lines_tagged_by_kind() {
        let line = serde_json::to_string(&Request::Complete {
            code: "x.".into(),
            cursor_byte: 2,
        })
        .unwrap();
        assert_eq!(line, r#"{"op":"complete","code":"x.","cursor_byte":2}"#);
        let reply: Reply =
            serde_json::from_str(r#"{"reply":"interrupted","message":null}"#).unwrap();
        assert_eq!(reply, Reply::Interrupted { message: None });
    }

    /// The test process's directory (the server enters it, as it would a notebook's).
    fn here() -> PathBuf {
        std::env::current_dir().unwrap()
    }

    /// A server on one end of a socket pair, serving a fake evaluator.
    /// `adopted` is set when the server runs its `on_adopted`.
    fn server(
        stamp: &'static str,
        adopted: Arc<std::sync::atomic::AtomicBool>,
    ) -> (UnixStream, std::thread::JoinHandle<io::Result<bool>>) {
        let (client, server) = UnixStream::pair().unwrap();
        let handle = std::thread::spawn(move || {
            let mut evaluator = FakeEvaluator::new();
            serve(server, &mut evaluator, stamp, || {
                adopted.store(true, std::sync::atomic::Ordering::SeqCst)
            })
        });
        (client, handle)
    }

    #[test]
    fn an_adopted_evaluator_runs_cells_and_streams_their_output() {
        let adopted = Arc::default();
        let (client, handle) = server("v1", Arc::clone(&adopted));
        let mut remote = RemoteEvaluator::adopt(client, "v1", &here()).unwrap();
        // The spare gives up its lock before the kernel, told it was adopted, starts the next.
        assert!(adopted.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(remote.pid(), std::process::id());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let sink = OutputSink::new(move |output| record.lock().unwrap().push(output));
        let outcome = remote.execute("print hello\nvalue 42", &sink);
        let plain = outcome.result.unwrap().unwrap()["text/plain"].clone();
        assert_eq!(plain, "42");
        assert!(
            seen.lock()
                .unwrap()
                .iter()
                .any(|o| matches!(o, Output::Stream { text, .. } if text.contains("hello"))),
            "{:?}",
            seen.lock().unwrap()
        );
        let failed = remote.execute("error no", &sink);
        assert_eq!(failed.result.unwrap_err().ename, "FakeError");
        // An interrupt from another thread ends a running cell.
        let interrupter = remote.interrupter();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            interrupter.interrupt()
        });
        let started = std::time::Instant::now();
        let slept = remote.execute("sleep 20000", &sink);
        assert!(started.elapsed() < Duration::from_secs(10), "{slept:?}");
        assert_eq!(stopper.join().unwrap(), None);
        drop(remote);
        assert!(
            handle.join().unwrap().unwrap(),
            "served until the socket closed"
        );
    }

    #[test]
    fn a_stale_evaluator_refuses_and_a_dead_one_is_an_error_not_a_hang() {
        let adopted = Arc::default();
        let (client, handle) = server("v1", Arc::clone(&adopted));
        let refused = RemoteEvaluator::adopt(client, "v2", &here());
        assert!(matches!(refused, Err(AdoptError::Refused(_))));
        assert!(!adopted.load(std::sync::atomic::Ordering::SeqCst));
        assert!(!handle.join().unwrap().unwrap());

        let (client, server) = UnixStream::pair().unwrap();
        let handshake = std::thread::spawn(move || {
            let mut reader = BufReader::new(server.try_clone().unwrap());
            let _: Option<Request> = receive(&mut reader).unwrap();
            send(&Mutex::new(server), &Reply::Adopted { pid: 7 }).unwrap();
            // …and the process dies.
        });
        let mut remote = RemoteEvaluator::adopt(client, "v1", &here()).unwrap();
        handshake.join().unwrap();
        let sink = OutputSink::new(|_| {});
        let outcome = remote.execute("value 1", &sink);
        assert_eq!(outcome.result.unwrap_err().ename, "EvaluatorGone");
    }
}
