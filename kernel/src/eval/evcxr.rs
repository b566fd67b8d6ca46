//! The real evaluator: evcxr's `CommandContext` behind the [`Evaluator`] trait.
//!
//! evcxr compiles each cell into a shared library and runs it in a child process. The child's
//! stdout and stderr lines arrive on channels; two reader threads forward them to whichever
//! cell is running, as they arrive. On top of evcxr this evaluator:
//!
//! - compiles cells in a directory of the session's own ([`cache::SessionDir`], in the user's
//!   private cache) and links them against a read-only snapshot of the dependency cache
//!   ([`cache::DepCache`]: napkin, polars, plotters, uom as one shared library, the user's own
//!   or a class's shared one), found by an rpath rather than the loader's environment, so a
//!   new session compiles nothing but its cells, and loads napkin (`use napkin::prelude::*;`)
//!   before the first cell;
//! - names each kept variable's type from what the compiled cell itself reports at run time
//!   (`std::any::type_name`, made writable by [`types::writable`]), so variables need neither
//!   rust-analyzer nor a second compile;
//! - answers `:dep` of a crate napkin already builds (uom, polars, serde…) with napkin's own
//!   copy, so nothing is downloaded or built twice and its types are napkin's;
//! - receives what the running cell writes as one ordered stream (patched evcxr's private
//!   channel): its stdout and stderr, which are only ever shown as text; evcxr's content blocks
//!   (`EVCXR_BEGIN_CONTENT`), which are only ever shown as displays; and napkin's typed
//!   [`napkin_channel::Message`]s (displays, live views, panics), which no printed text can
//!   forge;
//! - shows cargo's `Compiling …` progress in the cell ([`progress`]).
//!
//! evcxr catches panics itself (so variables survive them) and says so on the channel; the
//! panic hook napkin-kernel installs reports where, so the error points at the cell's line.
//! Interrupting a cell while it compiles stops cargo and rustc: the cell does not run and
//! every variable is kept. Interrupting a running cell kills the child process, which evcxr
//! restarts on the next use; the variables defined so far are lost, and the cell's output says
//! which of the two happened.
//!
//! This is the one file that knows about evcxr.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use evcxr::{ChildOutput, CommandContext, EvalCallbacks, EvalContextOutputs};

use super::cache::{self, DepCache, SessionDir};
use super::dep::parse_dep;
use super::output::{self, CellOutput, lock};
use super::{
    Completions, EvalError, Evaluator, ExecuteOutcome, Interrupt, MimeBundle, Output, OutputSink,
    StreamName, complete, progress, types,
};

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
/// evcxr's runtime (variable store, private channel), which the dependency cache compiles
/// into its library ([`cache::RUNTIME_MODULE`]).
pub(super) const RUNTIME_SOURCE: &str = evcxr::RUNTIME_SOURCE;
/// What a session runs once napkin is loaded, and again after the Rust process restarts: the
/// hook that reports panics on the private channel.
const PANIC_HOOK: &str = "napkin::napkin_channel::install_panic_hook();";

/// Runs Rust cells with evcxr.
pub struct EvcxrEvaluator {
    context: CommandContext,
    cell: Arc<Mutex<CellOutput>>,
    interrupt: Arc<EvcxrInterrupt>,
    /// The crates a cell can name: the cache's and each `:dep` the session added.
    crates: Arc<Mutex<BTreeSet<String>>>,
    /// Writes the types of kept variables (see [`types`]).
    resolver: Arc<Mutex<types::Resolver>>,
    /// Where the dependency cache is read from and the session writes.
    layout: cache::Layout,
    /// The key of this session's dependency snapshot (`None`: not known, because napkin's
    /// sources could not be read or changed during the build; loading napkin hashes them again).
    key: Option<String>,
    /// The dependency cache, once napkin is loaded (held: `cache --clean` keeps it).
    cache: Option<DepCache>,
    /// Things to tell the user once, in the first cell's output.
    notes: Vec<String>,
    /// The Rust process was restarted: its panic hook must be installed again.
    hook_lost: bool,
    /// Dropped after `context` (whose child process uses it): removes the directory.
    session: Option<SessionDir>,
    /// What completion and inspection know of napkin's API and the standard library.
    completer: complete::Completer,
}

/// Stops a running cell: while it compiles, by stopping the compiler (the Rust process and
/// its variables stay); while it runs, by killing evcxr's child process.
struct EvcxrInterrupt {
    process: Arc<Mutex<std::process::Child>>,
    /// A cell is being evaluated (shared with the thread that keeps stopping compiles).
    running: Arc<AtomicBool>,
    /// Counts runs, so that the thread that keeps stopping one run's compiles stops with it
    /// and never touches the next run's.
    run: Arc<AtomicU64>,
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
        // Kills the cell build's process group (cargo, rustc, the linker), if one runs.
        if evcxr::stop_cell_build() {
            self.stopped_compiler.store(true, Ordering::SeqCst);
            // evcxr retries a failed build (to check, to fix errors); stop each retry too,
            // until the cell gives up.
            let (running, run) = (Arc::clone(&self.running), Arc::clone(&self.run));
            let this_run = run.load(Ordering::SeqCst);
            std::thread::spawn(move || {
                while running.load(Ordering::SeqCst) && run.load(Ordering::SeqCst) == this_run {
                    evcxr::stop_cell_build();
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
        let layout = cache::Layout::from_env();
        // Hashing napkin's sources once per process: the key names this session's snapshot.
        let key = cache::key(&napkin_path()).ok();
        let published = key
            .as_deref()
            .is_some_and(|key| DepCache::is_published(layout.store(), key));
        let session = prepare_environment(&layout, published, &mut notes);
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
        // A running cell's output reaches the cell through `run`'s callback; what evcxr's own
        // runs (outside any cell) write is only logged.
        let EvalContextOutputs { stdout, stderr } = outputs;
        output::log_lines("stdout", stdout)?;
        output::log_lines("stderr", stderr)?;
        let cell = Arc::new(Mutex::new(CellOutput::default()));
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
            run: Arc::new(AtomicU64::new(0)),
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
            layout,
            key,
            notes,
            hook_lost: false,
            session,
            completer: complete::Completer::new(&napkin_path(), cache::sysroot().as_deref()),
        };
        // With a warm cache, load napkin now, while the user opens the notebook; a cold one
        // waits for the first cell, so the compile progress shows there.
        if published && let Err(error) = evaluator.load_napkin() {
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
        let mut compiled = 0;
        let napkin = napkin_path();
        let key = match &self.key {
            Some(key) => key.clone(),
            // Hashing failed at start (again, for its error), or the sources changed since.
            None => cache::key(&napkin)
                .map_err(|error| EvalError::new("DependencyBuildFailed", error.to_string()))?,
        };
        let built = DepCache::ensure(
            &self.layout,
            &napkin,
            &key,
            |cache::Progress::Compiled(name)| {
                compiled += 1;
                if let Some(sink) = &lock(&cell).sink {
                    sink.emit(Output::Stream {
                        name: StreamName::Stderr,
                        text: format!("\rCompiling {name} ({compiled} crates so far)"),
                    });
                }
            },
        )
        .map_err(|error| {
            if let cache::CacheError::SourcesChanged(_) = error {
                // The next cell hashes and builds what the sources are now, as the message says.
                self.key = None;
            }
            EvalError::new("DependencyBuildFailed", error.to_string())
        })?;
        if built.compiled > 0
            && let Some(sink) = &lock(&self.cell).sink
        {
            sink.emit(Output::Stream {
                name: StreamName::Stderr,
                text: format!(
                    "\rCompiled napkin and {} crates into {} ({:.0} s); every later session \
                     reuses them.\n",
                    built.compiled,
                    built.dir.display(),
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
        // The variable store and channel code, compiled once into the cache's library: a cell
        // then compiles only its own code (patched evcxr).
        self.context
            .set_runtime_path(Some(format!("{}::{}", cache::CRATE, cache::RUNTIME_MODULE)));
        lock_set(&self.crates).extend(built.libraries.keys().cloned());
        let rustc = cache::sysroot().map_or_else(|| "rustc".into(), |s| s.join("bin/rustc"));
        let scratch = self
            .session
            .as_ref()
            .map_or_else(std::env::temp_dir, |s| s.path.clone());
        *self.resolver.lock().unwrap_or_else(PoisonError::into_inner) =
            types::Resolver::new(rustc, built.rustc_args(), scratch)
                .remembering(self.layout.type_paths(&built.key));
        self.run(&format!(
            "use napkin::prelude::*;\nuse {}::{};\n{PANIC_HOOK}",
            cache::CRATE,
            super::show::TRAIT
        ))?;
        self.cache = Some(built);
        Ok(())
    }

    /// Runs code through evcxr with the current sink, mapping its errors.
    fn run(&mut self, code: &str) -> Result<evcxr::EvalOutputs, EvalError> {
        self.interrupt.interrupted.store(false, Ordering::SeqCst);
        self.interrupt
            .stopped_compiler
            .store(false, Ordering::SeqCst);
        self.interrupt.run.fetch_add(1, Ordering::SeqCst);
        self.interrupt.running.store(true, Ordering::SeqCst);
        let started = Instant::now();
        let cell = Arc::clone(&self.cell);
        let deliver = move |child: ChildOutput| output::deliver(&cell, child);
        let result = self.context.execute_with_callbacks(
            code,
            &mut EvalCallbacks {
                output: Some(&deliver),
                ..EvalCallbacks::default()
            },
        );
        // Where the time went, for benches/kernel.py: evcxr's phases (the final compile is
        // cargo or the replayed rustc, link included; execution is loading the cell library
        // and running it, output included).
        let phases = match &result {
            Ok(outputs) => outputs
                .phases
                .iter()
                .map(|p| {
                    format!(
                        " {}={:.3}",
                        p.name.replace(' ', "_"),
                        p.duration.as_secs_f64()
                    )
                })
                .collect::<String>(),
            Err(_) => " failed".into(),
        };
        log!(
            "evcxr took {:.2} s for: {}",
            started.elapsed().as_secs_f64(),
            code.lines().next().unwrap_or_default()
        );
        log!(
            "timing: evcxr={:.3}{phases}",
            started.elapsed().as_secs_f64()
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
        if stopped == Stopped::Process
            || matches!(result, Err(evcxr::Error::SubprocessTerminated(_)))
        {
            self.hook_lost = true;
        }
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
            if std::mem::take(&mut self.hook_lost)
                && let Err(error) = self.run(PANIC_HOOK)
            {
                log!("could not reinstall the panic hook: {}", error.evalue);
            }
            self.run(&code)
        });
        let panic = {
            let mut cell = lock(&self.cell);
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
            Ok(outputs) if outputs.panicked => {
                let generated = self
                    .session
                    .as_ref()
                    .and_then(|s| std::fs::read_to_string(s.path.join("src/lib.rs")).ok());
                Err(output::panic_error(panic, generated.as_deref(), code))
            }
            Ok(outputs) => {
                if let Some(panic) = panic {
                    // A thread of the cell's panicked; the cell itself went on.
                    out.emit(Output::Stream {
                        name: StreamName::Stderr,
                        text: format!("{}\n", output::describe_panic(&panic, None)),
                    });
                }
                if !outputs.not_kept.is_empty() {
                    out.emit(Output::Stream {
                        name: StreamName::Stderr,
                        text: output::not_kept_note(&outputs.not_kept),
                    });
                }
                match outputs.user_error {
                    Some(error) => Err(EvalError::new("Error", error)),
                    None => Ok((!outputs.content_by_mime_type.is_empty()).then(|| {
                        outputs
                            .content_by_mime_type
                            .into_iter()
                            .map(|(mime, data)| (mime, data.into()))
                            .collect()
                    })),
                }
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
            let lines: Vec<&str> = code.lines().collect();
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

/// The cell crate's rustc arguments: [`CELL_RUSTC_ARGS`], then the dependency cache's, and
/// an rpath to std's and napkin's shared libraries, so the cell library finds both wherever
/// the cache and the toolchain are, with no loader environment (macOS would strip it).
fn cell_rustc_args(cache: Option<&DepCache>) -> Vec<String> {
    let mut args: Vec<String> = CELL_RUSTC_ARGS.iter().map(|a| a.to_string()).collect();
    let mut rpaths: Vec<PathBuf> = cache::std_library_dir().into_iter().collect();
    if let Some(cache) = cache {
        args.extend(cache.rustc_args());
        rpaths.extend(cache.lib_dirs.first().cloned());
    }
    for dir in rpaths {
        args.push(format!("-Clink-arg=-Wl,-rpath,{}", dir.display()));
    }
    args
}

/// Sets up the process environment evcxr and the cells see, before evcxr starts: the
/// session's own directory in the user's private cache (unless `EVCXR_TMPDIR` is set) and
/// napkin's kernel marker.
fn prepare_environment(
    layout: &cache::Layout,
    published: bool,
    notes: &mut Vec<String>,
) -> Option<SessionDir> {
    let session = if std::env::var_os("EVCXR_TMPDIR").is_some() {
        None
    } else {
        match layout
            .create_user_dir()
            .and_then(|()| SessionDir::create(&layout.sessions()))
        {
            Ok(dir) => Some(dir),
            Err(error) => {
                log!(
                    "no session directory in {} ({error}); using a temporary one",
                    layout.user.display()
                );
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
    if !published && layout.shared.is_none() {
        notes.push(
            "napkin-kernel: first use of this cache — compiling napkin and its dependencies \
             once (a few minutes); every later session reuses them. `napkin-kernel warm` does \
             this ahead of time.\n"
                .into(),
        );
    }
    // `:dep` downloads into cargo's home; a class's may be read-only (an image's, the admin's).
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let own_cargo_home = cargo_home
        .filter(|home| home.exists() && !writable(home))
        .map(|_| layout.user.join("cargo-home"));
    // SAFETY: called on the evaluator thread before evcxr starts; the kernel's other threads
    // (tokio's) read no environment variables, and evcxr's child and cargo inherit these.
    unsafe {
        if let Some(home) = &own_cargo_home {
            log!(
                "cargo's home is read-only; `:dep` downloads go to {}",
                home.display()
            );
            std::env::set_var("CARGO_HOME", home);
        }
        std::env::set_var(napkin_channel::KERNEL_ENV, "1");
        if let Some(session) = &session {
            std::env::set_var("EVCXR_TMPDIR", &session.path);
            std::env::set_var(napkin_channel::DIR_ENV, &session.path);
        }
    }
    session
}

/// Whether this process may write in `dir`.
fn writable(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: access(2) on a NUL-terminated path we own.
        unsafe { libc::access(path.as_ptr(), libc::W_OK) == 0 }
    }
    #[cfg(not(unix))]
    {
        !std::fs::metadata(dir).is_ok_and(|m| m.permissions().readonly())
    }
}

fn lock_set(set: &Mutex<BTreeSet<String>>) -> MutexGuard<'_, BTreeSet<String>> {
    set.lock().unwrap_or_else(PoisonError::into_inner)
}
