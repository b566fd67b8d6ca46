//! The real evaluator: evcxr's `CommandContext` behind the [`Evaluator`] trait.
//!
//! evcxr compiles each cell into a shared library and runs it in a child process. The child's
//! stdout and stderr lines arrive on channels; two reader threads forward them to whichever
//! cell is running, as they arrive. evcxr catches panics itself (so variables survive them) and
//! reports success, so a panic is recognised from its `thread '…' panicked at` line on stderr
//! and turned into an error for the cell. Interrupting kills the child process, which evcxr
//! restarts on the next use; the variables defined so far are lost.
//!
//! This is deliberately minimal; it is the one file that knows about evcxr.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use evcxr::{CommandContext, EvalCallbacks, EvalContextOutputs};

use super::{
    Completions, EvalError, Evaluator, ExecuteOutcome, Interrupt, MimeBundle, Output, OutputSink,
    StreamName,
};

/// How long stderr must stay silent after a cell before its output is considered complete
/// (stderr is read on its own thread, so its last lines can trail the end of the cell).
const STDERR_QUIET: Duration = Duration::from_millis(30);
/// Upper bound on that wait.
const STDERR_MAX_WAIT: Duration = Duration::from_millis(500);

/// Runs Rust cells with evcxr.
pub struct EvcxrEvaluator {
    context: CommandContext,
    cell: Arc<Mutex<CellOutput>>,
    interrupt: Arc<EvcxrInterrupt>,
}

/// Routing state for the child's output: which cell it belongs to, and any panic seen.
#[derive(Default)]
struct CellOutput {
    sink: Option<OutputSink>,
    panic: Option<Vec<String>>,
    last_stderr: Option<Instant>,
    /// Blank stderr lines not yet forwarded: Rust prints one before a panic message.
    held_blank_lines: usize,
}

/// Kills evcxr's child process to stop a running cell.
struct EvcxrInterrupt {
    process: Arc<Mutex<std::process::Child>>,
    running: AtomicBool,
    interrupted: AtomicBool,
}

impl Interrupt for EvcxrInterrupt {
    fn interrupt(&self) -> Option<String> {
        if !self.running.load(Ordering::SeqCst) {
            return None;
        }
        self.interrupted.store(true, Ordering::SeqCst);
        let mut child = self.process.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(error) = child.kill() {
            log!("could not kill the evaluation process: {error}");
        }
        Some("Interrupted: the Rust process was restarted, so all variables were lost.\n".into())
    }
}

impl EvcxrEvaluator {
    /// Starts evcxr (this compiles a first trivial cell, which takes a few seconds).
    pub fn new() -> Result<Self, EvalError> {
        let (context, outputs) = CommandContext::new()
            .map_err(|error| EvalError::new("EvaluatorUnavailable", error.to_string()))?;
        let EvalContextOutputs { stdout, stderr } = outputs;
        let cell = Arc::new(Mutex::new(CellOutput::default()));
        forward(move || stdout.recv().ok(), StreamName::Stdout, &cell)?;
        forward(move || stderr.recv().ok(), StreamName::Stderr, &cell)?;
        let interrupt = Arc::new(EvcxrInterrupt {
            process: context.process_handle(),
            running: AtomicBool::new(false),
            interrupted: AtomicBool::new(false),
        });
        Ok(Self {
            context,
            cell,
            interrupt,
        })
    }

    /// Waits until stderr has been quiet for [`STDERR_QUIET`] (bounded by [`STDERR_MAX_WAIT`]).
    fn settle_stderr(&self) {
        let start = Instant::now();
        loop {
            let last = lock(&self.cell).last_stderr.map_or(start, |t| t.max(start));
            if last.elapsed() >= STDERR_QUIET || start.elapsed() >= STDERR_MAX_WAIT {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Evaluator for EvcxrEvaluator {
    fn execute(&mut self, code: &str, out: &OutputSink) -> ExecuteOutcome {
        *lock(&self.cell) = CellOutput {
            sink: Some(out.clone()),
            ..CellOutput::default()
        };
        self.interrupt.interrupted.store(false, Ordering::SeqCst);
        self.interrupt.running.store(true, Ordering::SeqCst);
        let result = self
            .context
            .execute_with_callbacks(code, &mut EvalCallbacks::default());
        self.interrupt.running.store(false, Ordering::SeqCst);
        self.settle_stderr();
        let panic = {
            let mut cell = lock(&self.cell);
            let held = std::mem::take(&mut cell.held_blank_lines);
            if held > 0 && cell.panic.is_none() {
                out.emit(Output::Stream {
                    name: StreamName::Stderr,
                    text: "\n".repeat(held),
                });
            }
            cell.sink = None;
            cell.panic.take()
        };
        let interrupted = self.interrupt.interrupted.swap(false, Ordering::SeqCst);
        let result = match result {
            Ok(outputs) if panic.is_none() => Ok((!outputs.is_empty()).then(|| {
                outputs
                    .content_by_mime_type
                    .into_iter()
                    .map(|(mime, data)| (mime, data.into()))
                    .collect()
            })),
            Ok(_) => Err(panic_error(panic.unwrap_or_default())),
            Err(error) => Err(describe(error, interrupted)),
        };
        ExecuteOutcome { result }
    }

    fn complete(&mut self, code: &str, cursor_byte: usize) -> Completions {
        match self.context.completions(code, cursor_byte) {
            Ok(found) => Completions {
                matches: found.completions.into_iter().map(|c| c.code).collect(),
                replace: found.start_offset..found.end_offset,
            },
            Err(error) => {
                log!("completion failed: {error}");
                Completions::none(cursor_byte)
            }
        }
    }

    fn inspect(&mut self, code: &str, cursor_byte: usize) -> Option<MimeBundle> {
        // evcxr documents the expression ending at the position, so extend it to the end of
        // the identifier under the cursor.
        let end = code[cursor_byte..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(code.len(), |i| cursor_byte + i);
        match self.context.hover_at(code, end) {
            Ok((plain, html)) if plain != "No documentation found" => Some(MimeBundle::from([
                ("text/plain".to_owned(), plain.into()),
                ("text/html".to_owned(), html.into()),
            ])),
            Ok(_) => None,
            Err(error) => {
                log!("inspection failed: {error}");
                None
            }
        }
    }

    fn interrupter(&self) -> Arc<dyn Interrupt> {
        self.interrupt.clone()
    }

    fn restart(&mut self) -> Result<(), EvalError> {
        self.context
            .execute(":clear")
            .map(|_| ())
            .map_err(|error| describe(error, false))
    }
}

/// Starts a thread that forwards lines from `next_line` to the running cell.
fn forward(
    mut next_line: impl FnMut() -> Option<String> + Send + 'static,
    name: StreamName,
    cell: &Arc<Mutex<CellOutput>>,
) -> Result<(), EvalError> {
    let cell = Arc::clone(cell);
    std::thread::Builder::new()
        .name(format!("evcxr-{name:?}").to_lowercase())
        .spawn(move || {
            while let Some(line) = next_line() {
                let mut cell = lock(&cell);
                if name == StreamName::Stderr {
                    cell.last_stderr = Some(Instant::now());
                    if let Some(panic) = &mut cell.panic {
                        panic.push(line);
                        continue;
                    }
                    if cell.sink.is_some() && is_panic_header(&line) {
                        cell.held_blank_lines = 0;
                        cell.panic = Some(vec![line]);
                        continue;
                    }
                    if line.is_empty() {
                        cell.held_blank_lines += 1;
                        continue;
                    }
                    let held = std::mem::take(&mut cell.held_blank_lines);
                    if let (Some(sink), true) = (&cell.sink, held > 0) {
                        sink.emit(Output::Stream {
                            name,
                            text: "\n".repeat(held),
                        });
                    }
                }
                match &cell.sink {
                    Some(sink) => sink.emit(Output::Stream {
                        name,
                        text: line + "\n",
                    }),
                    None => log!("evaluation process ({name:?}, no cell running): {line}"),
                }
            }
        })
        .map(|_| ())
        .map_err(|error| {
            EvalError::new(
                "EvaluatorUnavailable",
                format!("could not start an output thread: {error}"),
            )
        })
}

/// Whether `line` starts a panic message: `thread 'main' (1234) panicked at src/lib.rs:3:1:`.
fn is_panic_header(line: &str) -> bool {
    line.starts_with("thread '") && line.contains(" panicked at ")
}

/// Turns captured panic lines (`thread 'main' panicked at …:`, message, backtrace) into an error.
fn panic_error(lines: Vec<String>) -> EvalError {
    let shown: Vec<String> = lines
        .into_iter()
        .take_while(|line| !line.starts_with("stack backtrace:") && !line.starts_with("note: "))
        .collect();
    let message = shown.iter().skip(1).cloned().collect::<Vec<_>>().join("\n");
    EvalError {
        ename: "Panic".into(),
        evalue: if message.is_empty() {
            "the cell panicked".into()
        } else {
            message
        },
        traceback: shown,
    }
}

/// Translates an evcxr error into what the user sees.
fn describe(error: evcxr::Error, interrupted: bool) -> EvalError {
    match error {
        evcxr::Error::CompilationErrors(errors) => {
            let evalue = errors
                .iter()
                .map(|e| e.message())
                .collect::<Vec<_>>()
                .join("\n");
            let mut traceback = Vec::new();
            for e in &errors {
                let code = e.code().map(|c| format!("[{c}]")).unwrap_or_default();
                traceback.push(format!("{}{code}: {}", e.level(), e.message()));
                for spanned in e.spanned_messages() {
                    if let Some(span) = spanned.span {
                        traceback.push(format!(
                            "  --> line {}, column {}: {}",
                            span.start_line, span.start_column, spanned.label
                        ));
                    }
                }
                traceback.extend(e.help().into_iter().map(|help| format!("help: {help}")));
            }
            EvalError {
                ename: "CompileError".into(),
                evalue,
                traceback,
            }
        }
        evcxr::Error::SubprocessTerminated(message) if interrupted => EvalError::new(
            "Interrupted",
            format!("the cell was interrupted; all variables were lost ({message})"),
        ),
        evcxr::Error::SubprocessTerminated(message) => EvalError::new(
            "ProcessDied",
            format!("the Rust process died; all variables were lost ({message})"),
        ),
        evcxr::Error::TypeRedefinedVariablesLost(names) => EvalError::new(
            "VariablesLost",
            format!(
                "a type was redefined, so these variables were lost: {}",
                names.join(", ")
            ),
        ),
        other => EvalError::new("Error", other.to_string()),
    }
}

fn lock(cell: &Mutex<CellOutput>) -> MutexGuard<'_, CellOutput> {
    cell.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::{is_panic_header, panic_error};

    #[test]
    fn panic_messages_are_recognised_with_or_without_a_thread_id() {
        assert!(is_panic_header(
            "thread '<unnamed>' (30473) panicked at src/lib.rs:97:1:"
        ));
        assert!(is_panic_header("thread 'main' panicked at src/lib.rs:3:5:"));
        assert!(!is_panic_header("the thread 'x' was fine"));
    }

    #[test]
    fn a_panic_error_shows_the_message_without_the_backtrace() {
        let error = panic_error(
            [
                "thread '<unnamed>' (1) panicked at src/lib.rs:97:1:",
                "boom",
                "stack backtrace:",
                "   0: __rustc::rust_begin_unwind",
            ]
            .map(String::from)
            .to_vec(),
        );
        assert_eq!(error.ename, "Panic");
        assert_eq!(error.evalue, "boom");
        assert_eq!(error.traceback.len(), 2);
    }
}
