//! The real evaluator: evcxr's `CommandContext` behind the [`Evaluator`] trait.
//!
//! evcxr compiles each cell into a shared library and runs it in a child process. The child's
//! stdout and stderr lines arrive on channels; two reader threads forward them to whichever
//! cell is running, as they arrive. On top of evcxr this evaluator:
//!
//! - builds in a persistent, locked slot of [`build_dir`], so compiled dependencies survive
//!   the session, and loads napkin (`use napkin::prelude::*;`) before the first cell;
//! - turns napkin's one-line display markers into `display_data` as they arrive, and flushes a
//!   `print!` without a newline at the end of the cell's statements;
//! - names a variable's type with the compiler when rust-analyzer cannot ([`typefix`]);
//! - shows cargo's `Compiling …` progress in the cell ([`progress`]);
//! - never lets rust-analyzer run `rustup component add rust-src`: without the component it
//!   points rust-analyzer at an empty source tree and says so in the first cell.
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

use super::build_dir::{self, BuildDir};
use super::dylib;
use super::procs;
use super::{
    Completions, EvalError, Evaluator, ExecuteOutcome, Interrupt, MimeBundle, Output, OutputSink,
    StreamName, progress, typefix,
};

/// Marks the end of a cell's statements on stdout, so a `print!` without a newline is flushed.
const EOL_MARKER: &str = "\u{1}NAPKIN_EOL";
/// napkin's one-line rich output (see `napkin::display::DISPLAY_MARKER`).
const DISPLAY_MARKER: &str = "\u{1}NAPKIN_DISPLAY ";
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
    /// Crates the session depends on directly (`napkin`, and each `:dep`).
    direct_deps: BTreeSet<String>,
    napkin_loaded: bool,
    /// Things to tell the user once, in the first cell's output.
    notes: Vec<String>,
    build_dir: Option<BuildDir>,
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
    /// The answer of a type probe, captured instead of shown.
    probe: Option<String>,
    /// Crates compiled during this cell, and the total if known.
    compiled: usize,
    total: Option<usize>,
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
    /// Starts evcxr in a persistent build directory (this compiles a first trivial cell,
    /// which takes a few seconds).
    pub fn new() -> Result<Self, EvalError> {
        let mut notes = Vec::new();
        let build_dir = prepare_environment(&mut notes);
        let (mut context, outputs) = CommandContext::new()
            .map_err(|error| EvalError::new("EvaluatorUnavailable", error.to_string()))?;
        // Dependencies at 1: it compiles polars much faster than evcxr's default 2 and still
        // runs sweeps and charts quickly. The cell crate has its own level (patched evcxr).
        context
            .set_opt_level(OPT_LEVEL)
            .and_then(|()| context.set_cell_opt_level(CELL_OPT_LEVEL))
            .map_err(|error| EvalError::new("EvaluatorUnavailable", error.to_string()))?;
        context.set_cell_rustc_args(CELL_RUSTC_ARGS.iter().map(|a| a.to_string()).collect());
        let EvalContextOutputs { stdout, stderr } = outputs;
        let cell = Arc::new(Mutex::new(CellOutput::default()));
        forward(move || stdout.recv().ok(), StreamName::Stdout, &cell)?;
        forward(move || stderr.recv().ok(), StreamName::Stderr, &cell)?;
        let progress_cell = Arc::clone(&cell);
        let crate_dir = build_dir.as_ref().map(|d| d.path.clone());
        if let Err(error) = progress::tap_stderr(move |name| {
            show_progress(&progress_cell, name, crate_dir.as_deref());
        }) {
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
            direct_deps: BTreeSet::from(["napkin".to_string()]),
            napkin_loaded: false,
            notes,
            build_dir,
        };
        // With a warm build directory, load napkin now, while the user opens the notebook;
        // a cold one waits for the first cell, so the compile progress shows there.
        if evaluator.build_dir.as_ref().is_some_and(|d| d.warm)
            && let Err(error) = evaluator.load_napkin()
        {
            log!(
                "loading napkin failed ({}); the first cell will retry",
                error.evalue
            );
        }
        Ok(evaluator)
    }

    /// Compiles napkin and its dependencies into this evaluator's build directory without a
    /// notebook (what `napkin-kernel warm` runs), printing the cell's output and cargo's
    /// progress to stderr.
    pub fn warm(&mut self) -> Result<(), EvalError> {
        let sample = "let w = Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));\n\
                      let e = w.estimate().unwrap();\n\
                      let f = Sweep::new(w).vary(Param::Users, [1e3, 1e6]).run().unwrap();\n\
                      let c = Chart::journey(&w).unwrap().to_svg().unwrap().len();\n\
                      println!(\"{} {} rows, chart {c} bytes\", e.peak_writes, f.height());";
        let sink = OutputSink::new(|output| {
            if let Output::Stream { text, .. } = output {
                print!("{text}");
            }
        });
        self.execute(sample, &sink).result.map(|_| ())
    }

    /// Whether napkin is loaded, so the first cell runs without compiling dependencies.
    pub fn ready(&self) -> bool {
        self.napkin_loaded
    }

    /// The build directory, if a persistent one is in use.
    pub fn build_dir(&self) -> Option<&Path> {
        self.build_dir.as_ref().map(|d| d.path.as_path())
    }

    /// `:dep napkin` and `use napkin::prelude::*;`, once.
    fn load_napkin(&mut self) -> Result<(), EvalError> {
        if self.napkin_loaded {
            return Ok(());
        }
        let path = napkin_path();
        let dep = format!(
            ":dep napkin = {{ path = {:?} }}",
            path.display().to_string()
        );
        // evcxr validates a dependency with `cargo metadata`, which goes to the network for
        // the registry index unless offline; napkin's dependencies are all local already.
        self.run(":offline 1")?;
        let added = self.run(&dep).and_then(|_| self.add_dylib(&path));
        self.run(":offline 0")?;
        let dylib = added?;
        self.run("use napkin::prelude::*;")?;
        if !dylib {
            self.run(&super::show::items())?;
        }
        // The first `let` makes rust-analyzer load every dependency's sources (seconds);
        // do it now rather than in the user's first cell.
        self.run("let _napkin_ready = true;")?;
        // The first `let` after that still takes rust-analyzer ~1 s more than later ones.
        self.run("let _napkin_ready = _napkin_ready;")?;
        self.napkin_loaded = true;
        Ok(())
    }

    /// Adds napkin as one shared library the cells link against (see [`dylib`]), when the
    /// build directory is known, and says whether it did; otherwise cells link napkin
    /// statically, which works, slower.
    fn add_dylib(&mut self, napkin: &Path) -> Result<bool, EvalError> {
        let Some(build_dir) = evcxr_tmpdir() else {
            return Ok(false);
        };
        let dir = match dylib::write_crate(&build_dir, napkin) {
            Ok(dir) => dir,
            Err(error) => {
                log!("cells will link napkin statically: cannot write its dylib crate ({error})");
                return Ok(false);
            }
        };
        for command in dylib::session_commands(&dir) {
            self.run(&command)?;
        }
        Ok(true)
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

    /// Asks the compiler for the type of `name` as `code` defines it, in a form a cell can
    /// write (see [`typefix`]).
    fn probe_type(&mut self, code: &str, name: &str) -> Option<String> {
        let existing: Vec<(String, String)> = self
            .context
            .variables_and_types()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let probe = typefix::probe(code, &existing, &[name]);
        let sink = lock(&self.cell).sink.take();
        lock(&self.cell).probe = None;
        let ran = self.run(&probe);
        let answer = {
            let mut cell = lock(&self.cell);
            cell.sink = sink;
            cell.probe.take()
        };
        if let Err(error) = ran {
            log!("type probe for `{name}` failed: {}", error.evalue);
            return None;
        }
        let printed = typefix::parse_tuple(&answer?);
        typefix::nameable(printed.first()?, &self.direct_deps)
    }
    /// Runs a cell; when evcxr cannot name a new variable's type, asks the compiler and runs
    /// it again with the type written in.
    fn run_with_types(&mut self, code: &str) -> Result<evcxr::EvalOutputs, EvalError> {
        let mut current = instrument(code);
        let mut named: Vec<(String, String)> = Vec::new();
        for _ in 0..8 {
            match self.run(&current) {
                Err(error) => {
                    let Some(name) = typefix::untyped_variable(&error.evalue).map(str::to_string)
                    else {
                        return Err(error);
                    };
                    if named.iter().any(|(n, _)| *n == name) {
                        return Err(error);
                    }
                    let Some(ty) = self.probe_type(code, &name) else {
                        return Err(untyped_error(&name, None));
                    };
                    let Some(annotated) = typefix::annotate(&current, &name, &ty) else {
                        return Err(untyped_error(&name, Some(&ty)));
                    };
                    log!("named the type of `{name}`: {ty}");
                    named.push((name, ty));
                    current = annotated;
                }
                ok => return ok,
            }
        }
        Err(EvalError::new(
            "TypeError",
            "napkin-kernel could not name the types of this cell's variables; give them explicit types",
        ))
    }

    /// Notes crates added with `:dep`, so their types are named directly.
    fn remember_deps(&mut self, code: &str) {
        for line in code.lines() {
            if let Some(rest) = line.trim_start().strip_prefix(":dep ") {
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                self.direct_deps.insert(name.replace('-', "_"));
            }
        }
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
        self.remember_deps(code);
        let result = self.load_napkin().and_then(|()| self.run_with_types(code));
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
                        "\rCompiled {} crates; later sessions reuse them.\n",
                        cell.compiled
                    ),
                });
            }
            cell.sink = None;
            cell.panic.take()
        };
        let result = match result {
            Ok(outputs) if panic.is_none() => Ok((!outputs.is_empty()).then(|| {
                outputs
                    .content_by_mime_type
                    .into_iter()
                    .map(|(mime, data)| (mime, data.into()))
                    .collect()
            })),
            Ok(_) => Err(panic_error(panic.unwrap_or_default())),
            Err(error) => Err(error),
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
                if name == StreamName::Stdout
                    && let Some(answer) = line.strip_prefix(typefix::PROBE_MARKER)
                {
                    cell.probe = Some(answer.to_string());
                    continue;
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

/// The error for a variable whose type neither rust-analyzer nor the compiler probe could write.
fn untyped_error(name: &str, compiler_says: Option<&str>) -> EvalError {
    let detail = match compiler_says {
        Some(ty) => format!(
            " (the compiler calls it `{ty}`, but it is bound by a pattern napkin-kernel cannot annotate)"
        ),
        None => String::new(),
    };
    EvalError::new(
        "TypeError",
        format!(
            "napkin-kernel could not name the type of `{name}`{detail}. Give it an explicit type \
             (`let {name}: Type = …;`), or wrap the code in braces so `{name}` is not kept."
        ),
    )
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

/// Shows one `Compiling <crate>` line in the running cell, overwriting the last one.
fn show_progress(cell: &Mutex<CellOutput>, name: &str, crate_dir: Option<&Path>) {
    let mut cell = lock(cell);
    if cell.sink.is_none() {
        return;
    }
    if cell.total.is_none() {
        cell.total = crate_dir.and_then(progress::total_packages);
    }
    cell.compiled += 1;
    let count = match cell.total {
        Some(total) => format!("{}/{total}", cell.compiled),
        None => cell.compiled.to_string(),
    };
    if let Some(sink) = &cell.sink {
        sink.emit(Output::Stream {
            name: StreamName::Stderr,
            text: format!("\rCompiling {name} ({count})"),
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

/// Sets up the process environment evcxr and the cells see, before evcxr starts: a
/// persistent build slot (unless `EVCXR_TMPDIR` is set), cargo profiles for it, napkin's
/// kernel marker, and an empty source tree for rust-analyzer when `rust-src` is missing.
fn prepare_environment(notes: &mut Vec<String>) -> Option<BuildDir> {
    let sysroot = build_dir::sysroot();
    let root = build_dir::toolchain_dir(&build_dir::cache_root(), sysroot.as_deref());
    let dir = if std::env::var_os("EVCXR_TMPDIR").is_some() {
        None
    } else {
        match build_dir::acquire(&root) {
            Ok(dir) => Some(dir),
            Err(error) => {
                log!("no persistent build directory ({error}); dependencies will be rebuilt");
                None
            }
        }
    };
    if let Some(dir) = &dir
        && !dir.warm
    {
        notes.push(
            "napkin-kernel: first use of this build directory — compiling napkin and its \
             dependencies once (a few minutes); later sessions reuse them. \
             `napkin-kernel warm` does this ahead of time.\n"
                .into(),
        );
    }
    let rust_src = sysroot
        .as_ref()
        .is_some_and(|s| s.join("lib/rustlib/src/rust/library/core").is_dir());
    let stub = if std::env::var_os("RUST_SRC_PATH").is_none() && !rust_src {
        let stub = root.join("no-rust-src");
        match std::fs::create_dir_all(stub.join("core")) {
            Ok(()) => {
                notes.push(
                    "napkin-kernel: the `rust-src` component is not installed, so completions \
                     and hover docs for std are limited (types are still found by the compiler). \
                     `rustup component add rust-src` adds them; napkin-kernel will not change \
                     your toolchain for you.\n"
                        .into(),
                );
                Some(stub)
            }
            Err(error) => {
                log!("could not create {}: {error}", stub.display());
                None
            }
        }
    } else {
        None
    };
    // SAFETY: called on the evaluator thread before evcxr starts; the kernel's other threads
    // (tokio's) read no environment variables, and evcxr's child and cargo inherit these.
    unsafe {
        std::env::set_var(KERNEL_ENV, "1");
        if let Some(dir) = &dir {
            std::env::set_var("EVCXR_TMPDIR", &dir.path);
        }
        if let Some(stub) = &stub {
            std::env::set_var("RUST_SRC_PATH", stub);
        }
        // evcxr's cells link std dynamically with a relative rpath computed for `deps/`; once
        // the library is moved up a directory that rpath misses the toolchain for build
        // directories below $HOME. Tell the dynamic loader where std is.
        // The same goes for napkin's shared library (see `dylib`), next to the cells'.
        if let Some(sysroot) = &sysroot {
            let lib = sysroot
                .join("lib/rustlib")
                .join(env!("NAPKIN_TARGET"))
                .join("lib");
            let mut paths = vec![lib];
            paths.extend(evcxr_tmpdir().map(|dir| dylib::library_dir(&dir, env!("NAPKIN_TARGET"))));
            paths.extend(std::env::split_paths(
                &std::env::var_os("LD_LIBRARY_PATH").unwrap_or_default(),
            ));
            if let Ok(joined) = std::env::join_paths(paths) {
                std::env::set_var("LD_LIBRARY_PATH", joined);
            }
        }
    }
    dir
}

/// evcxr's build directory, once `prepare_environment` has chosen it (or the user set it).
fn evcxr_tmpdir() -> Option<PathBuf> {
    std::env::var_os("EVCXR_TMPDIR").map(PathBuf::from)
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
