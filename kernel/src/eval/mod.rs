//! The evaluator seam: everything the kernel needs from a language engine.
//!
//! The protocol layers never talk to evcxr directly. They talk to an [`Evaluator`], a
//! deliberately synchronous trait (evcxr blocks while it compiles and runs a cell), which the
//! kernel drives from a dedicated thread through a [`worker::EvalWorker`]. Output produced while
//! a cell runs flows back through an [`OutputSink`] as [`Output`] events, so frontends see
//! `println!` lines as they happen rather than when the cell finishes.
//!
//! Two implementations exist: [`evcxr::EvcxrEvaluator`] (the real one) and, in test builds
//! only, `fake::FakeEvaluator`, which understands a tiny scripting language so handler tests
//! run in milliseconds without a compiler.

pub mod cache;
pub mod complete;
pub mod dep;
pub mod diagnostics;
pub mod evcxr;
#[cfg(test)]
pub mod fake;
pub mod output;
pub mod progress;
pub mod show;
pub mod types;
pub mod worker;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// A MIME bundle: MIME type → payload, exactly as it appears in a Jupyter `data` field
/// (strings for text and base64 images, JSON values for `application/*+json`).
pub type MimeBundle = BTreeMap<String, serde_json::Value>;

/// Which standard stream a piece of text was written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamName {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Something a cell produced while it was running.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Text written to stdout or stderr. `text` carries its own newlines.
    Stream {
        /// The stream written to.
        name: StreamName,
        /// The text, including any trailing newline.
        text: String,
    },
    /// A rich display (`display_data`), e.g. an HTML table or an SVG chart.
    Display(MimeBundle),
    /// A live view, sent by napkin on the private channel, which the kernel turns into
    /// widgets.
    Widget(napkin_channel::View),
}

/// A failed cell: a compile error, a panic, an interruption, or a dead evaluator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// Short error class, e.g. `CompileError` or `Panic`.
    pub ename: String,
    /// The one-line message.
    pub evalue: String,
    /// Lines to show the user (may contain ANSI colour codes).
    pub traceback: Vec<String>,
}

impl EvalError {
    /// An error whose traceback is just `ename: evalue`.
    pub fn new(ename: impl Into<String>, evalue: impl Into<String>) -> Self {
        let ename = ename.into();
        let evalue = evalue.into();
        let traceback = vec![format!("{ename}: {evalue}")];
        Self {
            ename,
            evalue,
            traceback,
        }
    }
}

/// The result of running one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecuteOutcome {
    /// `Ok(Some(bundle))` is the cell's value (an `execute_result`), `Ok(None)` a cell without
    /// a value, `Err` a failed cell.
    pub result: Result<Option<MimeBundle>, EvalError>,
}

impl ExecuteOutcome {
    /// A failed cell.
    pub fn error(error: EvalError) -> Self {
        Self { result: Err(error) }
    }
}

/// Completion candidates for a cursor position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completions {
    /// The candidate texts, best first.
    pub matches: Vec<String>,
    /// The byte range of the code that a chosen match replaces.
    pub replace: Range<usize>,
}

impl Completions {
    /// No candidates; the (empty) replacement range sits at `cursor_byte`.
    pub fn none(cursor_byte: usize) -> Self {
        Self {
            matches: Vec::new(),
            replace: cursor_byte..cursor_byte,
        }
    }
}

/// Stops the cell that is currently running, from another thread.
pub trait Interrupt: Send + Sync {
    /// Interrupts the running cell, if any. Returns a message for the user when the
    /// interruption cost something (e.g. "all variables were lost"), `None` if nothing ran or
    /// nothing was lost.
    fn interrupt(&self) -> Option<String>;
}

/// Where a running cell sends its [`Output`]s. Cheap to clone and usable from any thread, so an
/// evaluator can hand it to the threads that read its child process's pipes.
#[derive(Clone)]
pub struct OutputSink(Arc<dyn Fn(Output) + Send + Sync>);

impl OutputSink {
    /// A sink that calls `deliver` for every output.
    pub fn new(deliver: impl Fn(Output) + Send + Sync + 'static) -> Self {
        Self(Arc::new(deliver))
    }

    /// Delivers one output.
    pub fn emit(&self, output: Output) {
        (self.0)(output);
    }
}

impl std::fmt::Debug for OutputSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutputSink")
    }
}

/// A language engine the kernel can drive. All methods are blocking and are called from one
/// dedicated thread, one at a time. Offsets are byte offsets into `code` and always fall on
/// `char` boundaries.
pub trait Evaluator: Send + 'static {
    /// Runs one cell, streaming outputs to `out` while it runs.
    fn execute(&mut self, code: &str, out: &OutputSink) -> ExecuteOutcome;

    /// Completion candidates for the cursor at byte offset `cursor_byte`.
    fn complete(&mut self, code: &str, cursor_byte: usize) -> Completions;

    /// Documentation for the item at byte offset `cursor_byte`: a MIME bundle with at least
    /// `text/plain`, or `None` when there is nothing to show.
    fn inspect(&mut self, code: &str, cursor_byte: usize) -> Option<MimeBundle>;

    /// A handle that interrupts this evaluator's running cell from another thread. Called once,
    /// right after construction.
    fn interrupter(&self) -> Arc<dyn Interrupt>;
}
