//! The real evaluator: evcxr's `CommandContext` behind the [`Evaluator`] trait.
//!
//! evcxr compiles each cell into a shared library and runs it in a child process. The child's
//! stdout and stderr lines arrive on channels; two reader threads forward them to whichever
//! cell is running, as they arrive. On top of evcxr this evaluator:
//!
//! - compiles cells in a directory of the session's own ([`cache::SessionDir`]) and links them
//!   against the shared, read-only dependency cache ([`cache::DepCache`]: napkin, polars,
//!   plotters, uom as one shared library, built once per toolchain), so a new session compiles
//!   nothing but its cells, and loads napkin (`use napkin::prelude::*;`) before the first cell;
//! - names each kept variable's type from what the compiled cell itself reports at run time
//!   (`std::any::type_name`, made writable by [`types::writable`]), so variables need neither
//!   rust-analyzer nor a second compile;
//! - answers `:dep` of a crate napkin already builds (uom, polars, serde…) with napkin's own
//!   copy, so nothing is downloaded or built twice and its types are napkin's;
//! - turns napkin's one-line display markers into `display_data` as they arrive, and flushes a
//!   `print!` without a newline at the end of the cell's statements;
//! - shows cargo's `Compiling …` progress in the cell ([`progress`]).
//!
//! evcxr catches panics itself (so variables survive them) and reports success, so a panic is
//! recognised from its `thread '…' panicked at` line on stderr and turned into an error for
//! the cell. Interrupting a cell while it compiles stops cargo and rustc: the cell does not
//! run and every variable is kept. Interrupting a running cell kills the child process, which
//! evcxr restarts on the next use; the variables defined so far are lost, and the cell's
//! output says which of the two happened.
//!
//! This is the one file that knows about evcxr.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use evcxr::{CommandContext, EvalCallbacks, EvalContextOutputs};

use super::cache::{self, DepCache, SessionDir};
use super::procs;
use super::{
    Completions, EvalError, Evaluator, ExecuteOutcome, Interrupt, MimeBundle, Output, OutputSink,
    StreamName, complete, progress, types,
};

/// Marks the end of a cell's statements on stdout, so a `print!` without a newline is flushed.
const EOL_MARKER: &str = "\u{1}NAPKIN_EOL";
/// napkin's one-line rich output (see `napkin::display::DISPLAY_MARKER`).
const DISPLAY_MARKER: &str = "\u{1}NAPKIN_DISPLAY ";
/// A live view's description (see `napkin::widget::WIDGET_MARKER`).
const WIDGET_MARKER: &str = "\u{1}NAPKIN_WIDGET ";
/// The optimisation level of the dependencies (cells: [`CELL_OPT_LEVEL`]).
const OPT_LEVEL: &str = "1";
/// The cell crate's own opt-level. Below 2 rustc shares generic instances with upstream
/// crates, and to do so builds, in every cell, a map of every generic instance napkin's shared
/// library exports (~60 ms of a ~0.25 s compile); at 3 it does not, and a cell's small body
/// costs LLVM little more.
const CELL_OPT_LEVEL: &str = "3";
/// What the cell crate's rustc command gets beyond its profile. Above opt-level 0 rustc runs
/// ThinLTO across a crate's codegen units, which for a cell re-reads the summaries of every
/// unit of the session's code (~25 ms of a ~0.19 s compile) to speed up code that runs once.
const CELL_RUSTC_ARGS: &[&str] = &["-Clto=off"];
/// The variable napkin's `display` checks to print one-line markers.
const KERNEL_ENV: &str = "NAPKIN_KERNEL";

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
    /// The crates a cell can name: the cache's and each `:dep` the session added.
    crates: Arc<Mutex<BTreeSet<String>>>,
    /// Writes the types of kept variables (see [`types`]).
    resolver: Arc<Mutex<types::Resolver>>,
    /// The dependency cache, once napkin is loaded.
    cache: Option<DepCache>,
    /// Things to tell the user once, in the first cell's output.
    notes: Vec<String>,
    /// Dropped after `context` (whose child process uses it): removes the directory.
    session: Option<SessionDir>,
    /// What completion and inspection know of napkin's API and the standard library.
    completer: complete::Completer,
}

/// Routing state for the child's output: which cell it belongs to, and any panic seen.
#[derive(Default)]
struct CellOutput {
    sink: Option<OutputSink>,
    panic: Option<Vec<String>>,
    last_stderr: Option<Instant>,
    /// The Rust process said that the last run's stderr is complete ([`evcxr::STDERR_DONE`]).
    stderr_done: bool,
    /// Blank stderr lines not yet forwarded: Rust prints one before a panic message.
    held_blank_lines: usize,
    /// Crates compiled during this cell (for a `:dep`).
    compiled: usize,
}

/// Stops a running cell: while it compiles, by stopping the compiler (the Rust process and
/// its variables stay); while it runs, by killing evcxr's child process.
struct EvcxrInterrupt {
    process: Arc<Mutex<std::process::Child>>,
    /// A cell is being evaluated (shared with the thread that keeps stopping compiles).
    running: Arc<AtomicBool>,
    interrupted: AtomicBool,
    /// The interrupt stopped a compile rather than the Rust process.
    stopped_compiler: AtomicBool,
}

/// What an interrupt stopped, as [`describe`] needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stopped {
    /// Nothing: the cell ended on its own.
    Nothing,
    /// cargo and rustc, before the cell ran: every variable is kept.
    Compiler,
    /// The Rust process, with the variables it held.
    Process,
}

impl Interrupt for EvcxrInterrupt {
    fn interrupt(&self) -> Option<String> {
        if !self.running.load(Ordering::SeqCst) {
            return None;
        }
        self.interrupted.store(true, Ordering::SeqCst);
        if stop_compilers() {
            self.stopped_compiler.store(true, Ordering::SeqCst);
            // evcxr retries a failed build (to check, to fix errors); stop each retry too,
            // until the cell gives up.
            let running = Arc::clone(&self.running);
            std::thread::spawn(move || {
                while running.load(Ordering::SeqCst) {
                    stop_compilers();
                    std::thread::sleep(Duration::from_millis(20));
                }
            });
            return Some(
                "Interrupted while compiling: the cell did not run, and every variable is kept.\n"
                    .into(),
            );
        }
        let mut child = self.process.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(error) = child.kill() {
            log!("could not kill the evaluation process: {error}");
        }
        Some("Interrupted: the Rust process was restarted, so all variables were lost.\n".into())
    }
}

impl EvcxrEvaluator {
    /// Starts evcxr in a directory of this session's own and, when the dependency cache is
    /// already built, loads napkin (a check of the cache and two small compiles).
    pub fn new() -> Result<Self, EvalError> {
        Self::start(true)
    }

    /// Like [`Self::new`]; `tap_stderr` puts cargo's progress into the running cell (for a
    /// kernel; `warm` prints to a terminal and must not lose its last lines to the tap).
    fn start(tap_stderr: bool) -> Result<Self, EvalError> {
        let mut notes = Vec::new();
        let session = prepare_environment(&mut notes);
        let (mut context, outputs) = CommandContext::new()
            .map_err(|error| EvalError::new("EvaluatorUnavailable", error.to_string()))?;
        // Dependencies a `:dep` adds at 1: it compiles much faster than evcxr's default 2.
        // The cell crate has its own level (patched evcxr).
        context
            .set_opt_level(OPT_LEVEL)
            .and_then(|()| context.set_cell_opt_level(CELL_OPT_LEVEL))
            .map_err(|error| EvalError::new("EvaluatorUnavailable", error.to_string()))?;
        context.set_cell_rustc_args(cell_rustc_args(None));
        context.set_allow_question_mark(true);
        let crates = Arc::new(Mutex::new(BTreeSet::new()));
        let resolver = Arc::new(Mutex::new(types::Resolver::default()));
        let (known, namer) = (Arc::clone(&crates), Arc::clone(&resolver));
        context.set_type_namer(Arc::new(move |type_name: &str| {
            let known = lock_set(&known);
            namer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .writable(type_name, &known)
        }));
        let EvalContextOutputs { stdout, stderr } = outputs;
        let cell = Arc::new(Mutex::new(CellOutput::default()));
        forward(move || stdout.recv().ok(), StreamName::Stdout, &cell)?;
        forward(move || stderr.recv().ok(), StreamName::Stderr, &cell)?;
        let progress_cell = Arc::clone(&cell);
        if tap_stderr
            && let Err(error) = progress::tap_stderr(move |name| {
                show_progress(&progress_cell, name);
            })
        {
            log!("compile progress will only reach the server log: {error}");
        }
        let interrupt = Arc::new(EvcxrInterrupt {
            process: context.process_handle(),
            running: Arc::new(AtomicBool::new(false)),
            interrupted: AtomicBool::new(false),
            stopped_compiler: AtomicBool::new(false),
        });
        let mut evaluator = Self {
            context,
            cell,
            interrupt,
            crates,
            resolver,
            cache: None,
            notes,
            session,
            completer: complete::Completer::new(&napkin_path(), cache::sysroot().as_deref()),
        };
        // With a warm cache, load napkin now, while the user opens the notebook; a cold one
        // waits for the first cell, so the compile progress shows there.
        if DepCache::looks_warm(&DepCache::dir())
            && let Err(error) = evaluator.load_napkin()
        {
            log!(
                "loading napkin failed ({}); the first cell will retry",
                error.evalue
            );
        }
        Ok(evaluator)
    }

    /// Builds the dependency cache without a notebook (what `napkin-kernel warm` runs),
    /// printing each crate compiled, then runs a sample cell through it.
    pub fn warm() -> Result<(), EvalError> {
        let mut evaluator = Self::start(false)?;
        let sample = "let w = Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));\n\
                      let e = w.estimate()?;\n\
                      let f = Sweep::new(w).vary(Param::Users, [1e3, 1e6]).run()?;\n\
                      let c = Chart::journey(&w)?.to_svg()?.len();\n\
                      println!(\"{} {} rows, chart {c} bytes\", e.peak_writes, f.height());";
        let sink = OutputSink::new(|output| match output {
            Output::Stream { text, .. } => {
                print!("{text}");
                let _ = std::io::Write::flush(&mut std::io::stdout());
            }
            Output::Display(_) | Output::Widget(_) => {}
        });
        evaluator.execute(sample, &sink).result.map(|_| ())
    }

    /// Checks (and if needed builds) the dependency cache, gives the cell crate its crates and
    /// loads `napkin::prelude::*`, once.
    fn load_napkin(&mut self) -> Result<(), EvalError> {
        if self.cache.is_some() {
            return Ok(());
        }
        let started = Instant::now();
        let cell = Arc::clone(&self.cell);
        let dir = DepCache::dir();
        let mut compiled = 0;
        let built = DepCache::ensure(&dir, &napkin_path(), |cache::Progress::Compiled(name)| {
            compiled += 1;
            if let Some(sink) = &lock(&cell).sink {
                sink.emit(Output::Stream {
                    name: StreamName::Stderr,
                    text: format!("\rCompiling {name} ({compiled} crates so far)"),
                });
            }
        })
        .map_err(|error| EvalError::new("DependencyBuildFailed", error.to_string()))?;
        if built.compiled > 0
            && let Some(sink) = &lock(&self.cell).sink
        {
            sink.emit(Output::Stream {
                name: StreamName::Stderr,
                text: format!(
                    "\rCompiled napkin and {} crates into {} ({:.0} s); every later session \
                     reuses them.\n",
                    built.compiled,
                    dir.display(),
                    started.elapsed().as_secs_f64()
                ),
            });
        }
        log!(
            "dependency cache ready in {:.2} s ({} crates compiled)",
            started.elapsed().as_secs_f64(),
            built.compiled
        );
        self.context
            .set_cell_rustc_args(cell_rustc_args(Some(&built)));
        lock_set(&self.crates).extend(built.libraries.keys().cloned());
        let rustc = cache::sysroot().map_or_else(|| "rustc".into(), |s| s.join("bin/rustc"));
        let scratch = self
            .session
            .as_ref()
            .map_or_else(std::env::temp_dir, |s| s.path.clone());
        *self.resolver.lock().unwrap_or_else(PoisonError::into_inner) =
            types::Resolver::new(rustc, built.rustc_args(), scratch)
                .remembering(DepCache::type_paths(&dir));
        self.run(&format!(
            "use napkin::prelude::*;\nuse {}::{};",
            cache::CRATE,
            super::show::TRAIT
        ))?;
        self.cache = Some(built);
        Ok(())
    }

    /// Runs code through evcxr with the current sink, mapping its errors.
    fn run(&mut self, code: &str) -> Result<evcxr::EvalOutputs, EvalError> {
        lock(&self.cell).stderr_done = false;
        self.interrupt.interrupted.store(false, Ordering::SeqCst);
        self.interrupt
            .stopped_compiler
            .store(false, Ordering::SeqCst);
        self.interrupt.running.store(true, Ordering::SeqCst);
        let started = Instant::now();
        let result = self
            .context
            .execute_with_callbacks(code, &mut EvalCallbacks::default());
        log!(
            "evcxr took {:.2} s for: {}",
            started.elapsed().as_secs_f64(),
            code.lines().next().unwrap_or_default()
        );
        self.interrupt.running.store(false, Ordering::SeqCst);
        let interrupted = self.interrupt.interrupted.swap(false, Ordering::SeqCst);
        let stopped = match (
            interrupted,
            self.interrupt
                .stopped_compiler
                .swap(false, Ordering::SeqCst),
        ) {
            (false, _) => Stopped::Nothing,
            (true, true) => Stopped::Compiler,
            (true, false) => Stopped::Process,
        };
        result.map_err(|error| describe(error, stopped, code))
    }

    /// The session's kept variables and the types cells write them with.
    fn variables(&self) -> Vec<(String, String)> {
        self.context
            .variables_and_types()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    /// Takes out of `code` each `:dep` of a crate the dependency cache already has (cells use
    /// napkin's copy: nothing to download or build, and the same types napkin uses), and notes
    /// the other crates a `:dep` adds, so their types can be named. Returns the code for evcxr
    /// and what to tell the user.
    fn take_known_deps(&mut self, code: &str) -> (String, Vec<String>) {
        let mut kept = Vec::new();
        let mut notes = Vec::new();
        for line in code.lines() {
            let Some(dep) = line.trim_start().strip_prefix(":dep ").map(parse_dep) else {
                kept.push(line);
                continue;
            };
            let known = self.cache.as_ref().and_then(|c| {
                c.version_of(&dep.name)
                    .filter(|v| dep.accepts(v))
                    .map(str::to_string)
            });
            match known {
                Some(version) => {
                    notes.push(format!(
                        "`{}` {version} is part of napkin's build: cells use that copy (nothing \
                         to download, and its types are the ones napkin uses).\n",
                        dep.name
                    ));
                    kept.push("");
                }
                None => {
                    lock_set(&self.crates).insert(dep.name.replace('-', "_"));
                    kept.push(line);
                }
            }
        }
        (kept.join("\n"), notes)
    }

    /// Waits until the Rust process has said that the last run's stderr is complete, or, when
    /// it says nothing (a cell that did not run, a crash), until stderr has been quiet for
    /// [`STDERR_QUIET`] (bounded by [`STDERR_MAX_WAIT`]).
    fn settle_stderr(&self) {
        let start = Instant::now();
        loop {
            let (done, last) = {
                let cell = lock(&self.cell);
                (cell.stderr_done, cell.last_stderr)
            };
            let last = last.map_or(start, |t| t.max(start));
            if done || last.elapsed() >= STDERR_QUIET || start.elapsed() >= STDERR_MAX_WAIT {
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
        for note in self.notes.drain(..) {
            out.emit(Output::Stream {
                name: StreamName::Stderr,
                text: note,
            });
        }
        let result = self.load_napkin().and_then(|()| {
            let (code, notes) = self.take_known_deps(code);
            for note in notes {
                out.emit(Output::Stream {
                    name: StreamName::Stderr,
                    text: note,
                });
            }
            self.run(&instrument(&code))
        });
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
            if cell.compiled > 0 {
                out.emit(Output::Stream {
                    name: StreamName::Stderr,
                    text: format!(
                        "\rCompiled {} for this session's `:dep`.\n",
                        if cell.compiled == 1 {
                            "1 crate".to_string()
                        } else {
                            format!("{} crates", cell.compiled)
                        }
                    ),
                });
            }
            cell.sink = None;
            cell.panic.take()
        };
        let result = match result {
            Ok(outputs) if panic.is_none() && !outputs.not_kept.is_empty() => {
                Err(not_kept_error(&outputs.not_kept))
            }
            Ok(outputs) if panic.is_none() => Ok((!outputs.is_empty()).then(|| {
                outputs
                    .content_by_mime_type
                    .into_iter()
                    .map(|(mime, data)| (mime, data.into()))
                    .collect()
            })),
            Ok(_) => {
                let generated = self
                    .session
                    .as_ref()
                    .and_then(|s| std::fs::read_to_string(s.path.join("src/lib.rs")).ok());
                Err(panic_error_at(
                    panic.unwrap_or_default(),
                    generated.as_deref(),
                    code,
                ))
            }
            Err(error) => Err(error),
        };
        ExecuteOutcome { result }
    }

    fn complete(&mut self, code: &str, cursor_byte: usize) -> Completions {
        let variables = self.variables();
        let items: Vec<String> = self
            .context
            .defined_item_names()
            .map(str::to_string)
            .collect();
        self.completer
            .complete(code, cursor_byte, &variables, &items)
    }

    fn inspect(&mut self, code: &str, cursor_byte: usize) -> Option<MimeBundle> {
        let variables = self.variables();
        self.completer.inspect(code, cursor_byte, &variables)
    }

    fn interrupter(&self) -> Arc<dyn Interrupt> {
        self.interrupt.clone()
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
                    if line == evcxr::STDERR_DONE {
                        cell.stderr_done = true;
                        continue;
                    }
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
                    Some(sink) if name == StreamName::Stdout => {
                        for output in stdout_outputs(&line) {
                            sink.emit(output);
                        }
                    }
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

/// [`panic_error`], with the panic's place in the generated crate (`panicked at
/// src/lib.rs:119:9`) turned into the line of the cell it came from, when the generated
/// source shows that line: `panicked at line 2 of the cell: let b = users(f64::NAN);`.
fn panic_error_at(lines: Vec<String>, generated: Option<&str>, code: &str) -> EvalError {
    let mut error = panic_error(lines);
    let place = error.traceback.first().and_then(|header| {
        let at = header.split(" panicked at src/lib.rs:").nth(1)?;
        let line: usize = at.split(':').next()?.parse().ok()?;
        let text = generated?.lines().nth(line.checked_sub(1)?)?;
        let flush = flush_statement();
        let wanted = text.replace(&flush, "");
        let wanted = wanted.trim();
        if wanted.is_empty() {
            return None;
        }
        code.lines()
            .position(|l| l.replace(&flush, "").trim() == wanted)
            .map(|i| (i + 1, wanted.to_string()))
    });
    if let Some((line, text)) = place {
        error.traceback[0] = format!("panicked at line {line} of the cell: {text}");
    }
    error
}

/// Translates an evcxr error into what the user sees: compile errors with the user's own
/// line and a caret under the span, not evcxr's generated wrapper.
fn describe(error: evcxr::Error, stopped: Stopped, code: &str) -> EvalError {
    match error {
        // cargo killed mid-build fails in whatever way it fails; the cell never ran.
        error
            if stopped == Stopped::Compiler
                && !matches!(error, evcxr::Error::SubprocessTerminated(_)) =>
        {
            log!("compile stopped by an interrupt: {error}");
            EvalError::new(
                "Interrupted",
                "the cell was interrupted while compiling, so it did not run; every variable is kept",
            )
        }
        evcxr::Error::CompilationErrors(errors) => {
            let human = super::diagnostics::humanize;
            let evalue = errors
                .iter()
                .map(|e| human(&e.message()))
                .collect::<Vec<_>>()
                .join("\n");
            // Show the user's lines without the kernel's end-of-statements marker.
            let flush = flush_statement();
            let lines: Vec<String> = code.lines().map(|l| l.replace(&flush, "")).collect();
            let mut traceback = Vec::new();
            for e in &errors {
                let code_tag = e.code().map(|c| format!("[{c}]")).unwrap_or_default();
                traceback.push(format!(
                    "\x1b[1;31m{}{code_tag}\x1b[0m\x1b[1m: {}\x1b[0m",
                    e.level(),
                    human(&e.message())
                ));
                for spanned in e.spanned_messages() {
                    let Some(span) = spanned.span else {
                        if !spanned.label.is_empty() {
                            traceback.push(format!("  = {}", human(&spanned.label)));
                        }
                        continue;
                    };
                    let Some(source) = lines.get(span.start_line.saturating_sub(1)) else {
                        continue;
                    };
                    let number = span.start_line.to_string();
                    let pad = " ".repeat(number.len());
                    let width = if span.end_line == span.start_line {
                        span.end_column.saturating_sub(span.start_column).max(1)
                    } else {
                        source
                            .chars()
                            .count()
                            .saturating_sub(span.start_column - 1)
                            .max(1)
                    };
                    traceback.push(format!("{pad} |"));
                    traceback.push(format!("{number} | {source}"));
                    traceback.push(format!(
                        "{pad} | {}\x1b[1;31m{} {}\x1b[0m",
                        " ".repeat(span.start_column.saturating_sub(1)),
                        "^".repeat(width),
                        human(&spanned.label)
                    ));
                }
                traceback.extend(
                    e.help()
                        .into_iter()
                        .map(|help| format!("  = help: {}", human(&help))),
                );
            }
            EvalError {
                ename: "CompileError".into(),
                evalue,
                traceback,
            }
        }
        evcxr::Error::SubprocessTerminated(message) if stopped != Stopped::Nothing => {
            EvalError::new(
                "Interrupted",
                format!("the cell was interrupted; all variables were lost ({message})"),
            )
        }
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

/// Kills every process building a cell; says whether there was one.
fn stop_compilers() -> bool {
    let compilers = compiler_processes();
    for &pid in &compilers {
        // SAFETY: kill(2) on a process id read from /proc just now; the worst case is a
        // process that has already exited, which kill reports as an error we ignore.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    !compilers.is_empty()
}

/// The processes building a cell: every `cargo` or `rustc` this process started (evcxr runs
/// rustc without cargo when nothing but the cell changed), and everything those started in
/// turn (rustc, the linker).
fn compiler_processes() -> Vec<libc::pid_t> {
    procs::descendants(procs::me(), |comm| comm == "cargo" || comm == "rustc")
}

/// The error for a cell that ran but defined variables later cells cannot have: it names each
/// one, why, and what to do; every other variable of the cell is kept.
fn not_kept_error(not_kept: &[(String, String)]) -> EvalError {
    let lines: Vec<String> = not_kept
        .iter()
        .map(|(name, why)| format!("`{name}` is not kept for later cells: {why}."))
        .collect();
    let mut evalue = lines.join("\n");
    evalue.push_str(
        "\nThe cell ran and its other variables are kept. To keep such a value, store what it \
         computes instead (`let n = v.iter().count();`, an owned `.to_vec()` or `.clone()`), box \
         a closure (`let f: Box<dyn Fn(f64) -> f64> = Box::new(|x| x * 2.0);`), or wrap the \
         code in braces so the value is not kept.",
    );
    EvalError::new("VariableNotKept", evalue)
}

/// A `:dep` line's crate and version requirement.
#[derive(Debug, PartialEq, Eq)]
struct Dep {
    name: String,
    /// The plain version requirement (`"0.38"`), if the line gives only that.
    version: Option<String>,
    /// Whether the line says more than a version (features, a path, git).
    detailed: bool,
}

impl Dep {
    /// Whether napkin's copy at `version` satisfies this `:dep`: the requirement's numbers are
    /// a prefix of it (`"0.38"` accepts 0.38.0, `"1"` accepts 1.0.219), or it gives none.
    fn accepts(&self, version: &str) -> bool {
        if self.detailed {
            return false;
        }
        let Some(wanted) = &self.version else {
            return true;
        };
        let wanted = wanted.trim_start_matches(['^', '=', '~']);
        if wanted == "*" {
            return true;
        }
        let have: Vec<&str> = version.split('.').collect();
        wanted
            .split('.')
            .enumerate()
            .all(|(i, part)| have.get(i) == Some(&part))
    }
}

/// Reads `name`, `name = "1"`, `name = { version = "1" }` or anything richer.
fn parse_dep(rest: &str) -> Dep {
    let (name, spec) = rest.split_once('=').unwrap_or((rest, ""));
    let name = name.trim().to_string();
    let spec = spec.trim();
    let plain = |s: &str| {
        s.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .map(str::to_string)
    };
    let (version, detailed) = if spec.is_empty() {
        (None, false)
    } else if let Some(v) = plain(spec) {
        (Some(v), false)
    } else if let Some(inner) = spec
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .map(str::trim)
        && let Some(v) = inner.strip_prefix("version").map(str::trim_start)
        && let Some(v) = v.strip_prefix('=').map(str::trim).and_then(plain)
        && !v.contains('"')
    {
        (Some(v), false)
    } else {
        (None, true)
    };
    Dep {
        name,
        version,
        detailed,
    }
}

/// Splits one stdout line into outputs: text, napkin's one-line displays, and the
/// end-of-statements marker that flushes a `print!` without a newline.
fn stdout_outputs(line: &str) -> Vec<Output> {
    let mut outputs = Vec::new();
    let text = |t: &str| Output::Stream {
        name: StreamName::Stdout,
        text: t.to_string(),
    };
    let Some(first_marker) = line.find('\u{1}') else {
        outputs.push(text(&format!("{line}\n")));
        return outputs;
    };
    if first_marker > 0 {
        outputs.push(text(&line[..first_marker]));
    }
    for piece in line[first_marker..]
        .split('\u{1}')
        .filter(|p| !p.is_empty())
    {
        let piece = format!("\u{1}{piece}");
        if let Some(json) = piece.strip_prefix(DISPLAY_MARKER) {
            match serde_json::from_str::<MimeBundle>(json) {
                Ok(bundle) => outputs.push(Output::Display(bundle)),
                Err(error) => log!("unreadable display marker: {error}"),
            }
        } else if let Some(json) = piece.strip_prefix(WIDGET_MARKER) {
            match serde_json::from_str::<serde_json::Value>(json) {
                Ok(spec) => outputs.push(Output::Widget(spec)),
                Err(error) => log!("unreadable widget marker: {error}"),
            }
        } else if let Some(rest) = piece.strip_prefix(EOL_MARKER) {
            if !rest.is_empty() {
                outputs.push(text(&format!("{rest}\n")));
            }
        } else {
            outputs.push(text(&format!("{piece}\n")));
        }
    }
    outputs
}

/// Inserts the end-of-statements marker after the cell's last top-level `;` (after any
/// leading `:command` lines), so text a `print!` left without a newline is flushed before the
/// cell's value is shown.
fn instrument(code: &str) -> String {
    let commands_end = code
        .lines()
        .take_while(|l| l.trim_start().starts_with(':') || l.trim().is_empty())
        .map(|l| l.len() + 1)
        .sum::<usize>()
        .min(code.len());
    if code[commands_end..].trim().is_empty() {
        return code.to_string();
    }
    let at = crate::is_complete::after_last_top_level_semicolon(code)
        .unwrap_or(0)
        .max(commands_end);
    format!("{}{}{}", &code[..at], flush_statement(), &code[at..])
}

/// The statement [`instrument`] inserts.
fn flush_statement() -> String {
    format!(" print!(\"{}\\n\");", EOL_MARKER.escape_default())
}

/// Shows one `Compiling <crate>` line (a `:dep` being built) in the running cell, overwriting
/// the last one.
fn show_progress(cell: &Mutex<CellOutput>, name: &str) {
    let mut cell = lock(cell);
    if cell.sink.is_none() {
        return;
    }
    cell.compiled += 1;
    let count = cell.compiled;
    if let Some(sink) = &cell.sink {
        sink.emit(Output::Stream {
            name: StreamName::Stderr,
            text: format!("\rCompiling {name} ({count} crates so far)"),
        });
    }
}

/// Where napkin's sources are: `$NAPKIN_PATH`, else the repository this kernel was built from.
pub fn napkin_path() -> PathBuf {
    std::env::var_os("NAPKIN_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

/// The cell crate's rustc arguments: [`CELL_RUSTC_ARGS`], then the dependency cache's.
fn cell_rustc_args(cache: Option<&DepCache>) -> Vec<String> {
    let mut args: Vec<String> = CELL_RUSTC_ARGS.iter().map(|a| a.to_string()).collect();
    if let Some(cache) = cache {
        args.extend(cache.rustc_args());
    }
    args
}

/// Sets up the process environment evcxr and the cells see, before evcxr starts: the
/// session's own directory (unless `EVCXR_TMPDIR` is set), napkin's kernel marker, and where
/// the dynamic loader finds std and napkin's shared library.
fn prepare_environment(notes: &mut Vec<String>) -> Option<SessionDir> {
    let sysroot = cache::sysroot();
    let session = if std::env::var_os("EVCXR_TMPDIR").is_some() {
        None
    } else {
        match SessionDir::create(&cache::toolchain_cache().join("sessions")) {
            Ok(dir) => Some(dir),
            Err(error) => {
                log!("no session directory in the cache ({error}); using a temporary one");
                None
            }
        }
    };
    if let Some(session) = &session
        && let Err(error) = std::fs::copy(
            napkin_path().join("Cargo.lock"),
            session.path.join("Cargo.lock"),
        )
    {
        // Only `:dep` crates resolve through it; cargo makes its own if it is missing.
        log!("cannot pin the session's lockfile to napkin's: {error}");
    }
    if !DepCache::looks_warm(&DepCache::dir()) {
        notes.push(
            "napkin-kernel: first use of this cache — compiling napkin and its dependencies \
             once (a few minutes); every later session reuses them. `napkin-kernel warm` does \
             this ahead of time.\n"
                .into(),
        );
    }
    // SAFETY: called on the evaluator thread before evcxr starts; the kernel's other threads
    // (tokio's) read no environment variables, and evcxr's child and cargo inherit these.
    unsafe {
        std::env::set_var(KERNEL_ENV, "1");
        if let Some(session) = &session {
            std::env::set_var("EVCXR_TMPDIR", &session.path);
        }
        // Cells link std and napkin's shared library dynamically; tell the loader where both
        // are (evcxr's relative rpath misses the toolchain for directories below $HOME).
        let mut paths = Vec::new();
        if let Some(sysroot) = &sysroot {
            paths.push(
                sysroot
                    .join("lib/rustlib")
                    .join(env!("NAPKIN_TARGET"))
                    .join("lib"),
            );
        }
        paths.push(cache::library_dir(&DepCache::dir()));
        paths.extend(std::env::split_paths(
            &std::env::var_os("LD_LIBRARY_PATH").unwrap_or_default(),
        ));
        if let Ok(joined) = std::env::join_paths(paths) {
            std::env::set_var("LD_LIBRARY_PATH", joined);
        }
    }
    session
}

fn lock_set(set: &Mutex<BTreeSet<String>>) -> MutexGuard<'_, BTreeSet<String>> {
    set.lock().unwrap_or_else(PoisonError::into_inner)
}

fn lock(cell: &Mutex<CellOutput>) -> MutexGuard<'_, CellOutput> {
    cell.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::{Dep, is_panic_header, panic_error, panic_error_at, parse_dep};

    #[test]
    fn dep_lines_are_read_and_matched_against_napkins_copy() {
        let dep = parse_dep(" uom = \"0.38\"");
        assert_eq!(
            dep,
            Dep {
                name: "uom".into(),
                version: Some("0.38".into()),
                detailed: false
            }
        );
        assert!(dep.accepts("0.38.0"));
        assert!(!dep.accepts("0.39.0"));
        assert!(parse_dep("serde").accepts("1.0.219"));
        assert!(parse_dep("serde = \"1\"").accepts("1.0.219"));
        assert!(parse_dep("serde = { version = \"1\" }").accepts("1.0.219"));
        assert!(parse_dep("polars = \"*\"").accepts("0.55.2"));
        let features = parse_dep("serde = { version = \"1\", features = [\"rc\"] }");
        assert!(features.detailed && !features.accepts("1.0.219"));
        assert!(!parse_dep("itoa = { path = \"../itoa\" }").accepts("1.0.0"));
    }

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

    #[test]
    fn a_panic_names_the_line_of_the_cell() {
        let generated = "fn run() {\nlet x = 2.0; \nlet b = users(f64::NAN); \n}\n";
        let lines = [
            "thread '<unnamed>' (1) panicked at src/lib.rs:3:9:",
            "users(NaN): NaN is not a number",
        ]
        .map(String::from)
        .to_vec();
        let code = "let x = 2.0;\nlet b = users(f64::NAN);\nb";
        let error = panic_error_at(lines.clone(), Some(generated), code);
        assert_eq!(
            error.traceback[0],
            "panicked at line 2 of the cell: let b = users(f64::NAN);"
        );
        assert_eq!(error.evalue, "users(NaN): NaN is not a number");
        // Without the generated source, the header stays as the compiler wrote it.
        let error = panic_error_at(lines, None, code);
        assert!(error.traceback[0].contains("src/lib.rs:3:9"));
    }
}
