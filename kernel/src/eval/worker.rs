//! The evaluator's thread: a blocking [`Evaluator`] driven from async handlers.
//!
//! evcxr blocks for seconds while it compiles, so the evaluator lives on its own
//! `std::thread`, fed one job at a time through a channel; each job answers on a oneshot
//! channel the async side can await. The evaluator is constructed *on* that thread, after the
//! sockets are already answering, so `kernel_info` never waits for a slow first compile. If
//! construction fails the worker stays up and answers every cell with the startup error; a
//! A panicking evaluator becomes an error for that one request.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

use super::{Completions, EvalError, Evaluator, ExecuteOutcome, Interrupt, MimeBundle, OutputSink};

/// Builds an evaluator; called once, on the worker thread.
pub type EvaluatorFactory = Box<dyn FnMut() -> Result<Box<dyn Evaluator>, EvalError> + Send>;

/// Errors starting the worker thread.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The operating system refused to create the thread.
    #[error("could not start the evaluator thread: {0}")]
    Spawn(#[from] std::io::Error),
}

/// One request for the worker thread.
enum Job {
    Execute {
        code: String,
        out: OutputSink,
        done: oneshot::Sender<ExecuteOutcome>,
    },
    Complete {
        code: String,
        cursor_byte: usize,
        done: oneshot::Sender<Completions>,
    },
    Inspect {
        code: String,
        cursor_byte: usize,
        done: oneshot::Sender<Option<MimeBundle>>,
    },
    Stop {
        done: oneshot::Sender<()>,
    },
}

/// The slot holding the current evaluator's interrupt handle (empty until it has started).
type InterruptSlot = Arc<Mutex<Option<Arc<dyn Interrupt>>>>;

/// Async handle to the evaluator thread. Requests are served strictly one at a time.
pub struct EvalWorker {
    jobs: mpsc::Sender<Job>,
    interrupter: InterruptSlot,
    /// Set once the first construction attempt has finished (successfully or not).
    started: Arc<AtomicBool>,
}

impl EvalWorker {
    /// Starts the worker thread, which immediately begins constructing the evaluator.
    pub fn spawn(factory: EvaluatorFactory) -> Result<Self, WorkerError> {
        let (jobs, inbox) = mpsc::channel();
        let interrupter: InterruptSlot = Arc::new(Mutex::new(None));
        let started = Arc::new(AtomicBool::new(false));
        let slot = Arc::clone(&interrupter);
        let done_starting = Arc::clone(&started);
        std::thread::Builder::new()
            .name("napkin-evaluator".into())
            .spawn(move || serve(factory, &inbox, &slot, &done_starting))?;
        Ok(Self {
            jobs,
            interrupter,
            started,
        })
    }

    /// Runs a cell, streaming its outputs into `out`.
    pub async fn execute(&self, code: String, out: OutputSink) -> ExecuteOutcome {
        let (done, answer) = oneshot::channel();
        self.submit(Job::Execute { code, out, done });
        answer
            .await
            .unwrap_or_else(|_| ExecuteOutcome::error(worker_gone()))
    }

    /// Completion candidates at byte offset `cursor_byte`.
    pub async fn complete(&self, code: String, cursor_byte: usize) -> Completions {
        let (done, answer) = oneshot::channel();
        self.submit(Job::Complete {
            code,
            cursor_byte,
            done,
        });
        answer
            .await
            .unwrap_or_else(|_| Completions::none(cursor_byte))
    }

    /// Documentation for the item at byte offset `cursor_byte`.
    pub async fn inspect(&self, code: String, cursor_byte: usize) -> Option<MimeBundle> {
        let (done, answer) = oneshot::channel();
        self.submit(Job::Inspect {
            code,
            cursor_byte,
            done,
        });
        answer.await.ok().flatten()
    }

    /// Drops the evaluator (cleaning up its child process and temporary files) and ends the
    /// thread. Returns once that is done (queued jobs ahead of it run first), or at once if
    /// the evaluator is still starting: there is nothing worth waiting for yet.
    pub async fn stop(&self) {
        let (done, answer) = oneshot::channel();
        self.submit(Job::Stop { done });
        if self.started.load(Ordering::SeqCst) {
            let _ = answer.await;
        } else {
            log!("the evaluator is still starting; not waiting for it");
        }
    }

    /// Interrupts the running cell from any thread; see [`Interrupt::interrupt`].
    pub fn interrupt(&self) -> Option<String> {
        let handle = self
            .interrupter
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        handle.and_then(|handle| handle.interrupt())
    }

    fn submit(&self, job: Job) {
        // If the thread is gone the job (and its `done` sender) is dropped here, which the
        // awaiting side turns into an error.
        if self.jobs.send(job).is_err() {
            log!("evaluator thread is not running; request dropped");
        }
    }
}

fn worker_gone() -> EvalError {
    EvalError::new(
        "EvaluatorGone",
        "the evaluator thread has stopped; restart the kernel",
    )
}

/// The worker thread's loop.
fn serve(
    mut factory: EvaluatorFactory,
    inbox: &mpsc::Receiver<Job>,
    slot: &InterruptSlot,
    started: &AtomicBool,
) {
    let mut evaluator = start(&mut factory, slot);
    started.store(true, Ordering::SeqCst);
    for job in inbox {
        match job {
            Job::Execute { code, out, done } => {
                let outcome = match &mut evaluator {
                    Ok(ev) => {
                        guarded(|| ev.execute(&code, &out)).unwrap_or_else(ExecuteOutcome::error)
                    }
                    Err(startup) => ExecuteOutcome::error(startup.clone()),
                };
                drop(out);
                let _ = done.send(outcome);
            }
            Job::Complete {
                code,
                cursor_byte,
                done,
            } => {
                let completions = match &mut evaluator {
                    Ok(ev) => guarded(|| ev.complete(&code, cursor_byte)).ok(),
                    Err(_) => None,
                };
                let _ = done.send(completions.unwrap_or_else(|| Completions::none(cursor_byte)));
            }
            Job::Inspect {
                code,
                cursor_byte,
                done,
            } => {
                let docs = match &mut evaluator {
                    Ok(ev) => guarded(|| ev.inspect(&code, cursor_byte)).ok().flatten(),
                    Err(_) => None,
                };
                let _ = done.send(docs);
            }
            Job::Stop { done } => {
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
                drop(evaluator);
                let _ = done.send(());
                return;
            }
        }
    }
}

/// Constructs the evaluator and publishes its interrupt handle.
fn start(
    factory: &mut EvaluatorFactory,
    slot: &InterruptSlot,
) -> Result<Box<dyn Evaluator>, EvalError> {
    match guarded(&mut *factory).and_then(|built| built) {
        Ok(evaluator) => {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(evaluator.interrupter());
            Ok(evaluator)
        }
        Err(error) => {
            log!("the evaluator failed to start: {}", error.evalue);
            Err(EvalError {
                ename: "EvaluatorUnavailable".into(),
                evalue: format!(
                    "the Rust evaluator failed to start ({}); restart the kernel to retry",
                    error.evalue
                ),
                traceback: error.traceback,
            })
        }
    }
}

/// Runs `f`, turning a panic into an [`EvalError`] so one bad request cannot kill the thread.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, EvalError> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        log!("the evaluator panicked: {message}");
        EvalError::new(
            "InternalError",
            format!("the evaluator panicked: {message}"),
        )
    })
}
