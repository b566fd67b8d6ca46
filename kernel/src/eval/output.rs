//! What a running cell writes, as the kernel shows it: text as text, content blocks as
//! displays, napkin's typed messages (displays, live views, panic reports) as what they are;
//! and the cell's panic and not-kept variables as the user reads them.

use std::sync::{Mutex, MutexGuard, PoisonError};

use evcxr::ChildOutput;
use napkin_channel::Message;

use super::{EvalError, Output, OutputSink, StreamName};

/// Logs what evcxr's own runs (outside any cell) write, on a thread of its own.
pub fn log_lines(
    name: &'static str,
    lines: impl IntoIterator<Item = String> + Send + 'static,
) -> Result<(), EvalError> {
    std::thread::Builder::new()
        .name(format!("evcxr-{name}"))
        .spawn(move || {
            for line in lines {
                log!("evaluation process ({name}, no cell running): {line}");
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

/// Hands one piece of the running cell's output to its sink: text as text, content blocks as
/// a display, napkin's messages as what they are. A panic report is kept for the cell's error.
pub fn deliver(cell: &Mutex<CellOutput>, output: ChildOutput) {
    let mut cell = lock(cell);
    let emitted = match output {
        ChildOutput::Stdout(text) => Output::Stream {
            name: StreamName::Stdout,
            text,
        },
        ChildOutput::Stderr(text) => Output::Stream {
            name: StreamName::Stderr,
            text,
        },
        ChildOutput::Display(blocks) => Output::Display(
            blocks
                .into_iter()
                .map(|(mime, content)| (mime, content.into()))
                .collect(),
        ),
        ChildOutput::Message(json) => match Message::decode(&json) {
            Ok(Message::Display { data }) => Output::Display(
                data.into_iter()
                    .map(|(mime, content)| (mime, content.into()))
                    .collect(),
            ),
            Ok(Message::View(view)) => Output::Widget(view),
            Ok(Message::Panic(panic)) => {
                cell.panic = Some(panic);
                return;
            }
            Ok(other) => {
                log!("a message this kernel does not handle: {other:?}");
                return;
            }
            Err(error) => {
                log!("an unreadable message from the Rust process: {error}");
                return;
            }
        },
        other => {
            log!("evaluation output this kernel does not handle: {other:?}");
            return;
        }
    };
    match &cell.sink {
        Some(sink) => sink.emit(emitted),
        None => log!("evaluation output with no cell running: {emitted:?}"),
    }
}

/// The error for a cell that panicked: the message, and where — the cell's own line when the
/// panic points into the cell's code (`src/lib.rs` of the generated crate, whose source is
/// `generated`), else the file the panic names.
pub fn panic_error(
    panic: Option<napkin_channel::Panic>,
    generated: Option<&str>,
    code: &str,
) -> EvalError {
    let Some(panic) = panic else {
        return EvalError::new("Panic", "the cell panicked");
    };
    log!(
        "the cell panicked at {}:{}:{}",
        panic.file,
        panic.line,
        panic.column
    );
    let place = (panic.file == "src/lib.rs")
        .then(|| cell_line(generated?, panic.line as usize, code))
        .flatten();
    EvalError {
        ename: "Panic".into(),
        evalue: panic.message.clone(),
        traceback: vec![describe_panic(&panic, place), panic.message.clone()],
    }
}

/// The first line of a panic's description: the cell's line when known.
pub fn describe_panic(panic: &napkin_channel::Panic, place: Option<(usize, String)>) -> String {
    let thread = panic
        .thread
        .as_deref()
        .filter(|t| *t != "main")
        .map(|t| format!("thread '{t}' "))
        .unwrap_or_default();
    match place {
        Some((line, text)) => format!("{thread}panicked at line {line} of the cell: {text}"),
        None if panic.file == "src/lib.rs" => format!("{thread}panicked in the cell"),
        None => format!(
            "{thread}panicked at {}:{}:{}",
            panic.file, panic.line, panic.column
        ),
    }
}

/// The line of `code` that line `line` of the generated crate came from: the cell line whose
/// text the generated line holds (evcxr copies a cell's statements, sometimes wrapped).
fn cell_line(generated: &str, line: usize, code: &str) -> Option<(usize, String)> {
    let mut generated = generated.lines().skip(line.checked_sub(1)?);
    let mut text = generated.next()?.trim();
    // evcxr wraps a cell's final expression in `match &(` … `)`; a panic may point at the
    // opening parenthesis.
    if text == "match &(" {
        text = generated.next()?.trim();
    }
    if text.is_empty() {
        return None;
    }
    let lines: Vec<&str> = code.lines().map(str::trim).collect();
    let found = lines
        .iter()
        .position(|l| *l == text)
        .or_else(|| lines.iter().position(|l| !l.is_empty() && text.contains(l)))?;
    Some((found + 1, lines[found].to_string()))
}

/// The note for a cell that ran but defined variables later cells cannot have: it names each
/// one, why, and what to do. The cell's value is shown and its other variables are kept.
pub fn not_kept_note(not_kept: &[(String, String)]) -> String {
    let mut note: String = not_kept
        .iter()
        .map(|(name, why)| format!("note: `{name}` is not kept for later cells: {why}.\n"))
        .collect();
    note.push_str(
        "To keep such a value, store what it computes instead (`let n = v.iter().count();`, \
         an owned `.to_vec()` or `.clone()`), box a closure (`let f: Box<dyn Fn(f64) -> f64> = \
         Box::new(|x| x * 2.0);`), or wrap the code in braces so the value is not kept.\n",
    );
    note
}

/// Routing state for the child's output: which cell it belongs to, and any panic reported.
#[derive(Default)]
pub struct CellOutput {
    pub sink: Option<OutputSink>,
    /// The last panic the hook reported during this cell.
    pub panic: Option<napkin_channel::Panic>,
    /// Crates compiled during this cell (for a `:dep`).
    pub compiled: usize,
}

pub fn lock(cell: &Mutex<CellOutput>) -> MutexGuard<'_, CellOutput> {
    cell.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::{not_kept_note, panic_error};

    fn panic(file: &str, line: u32, thread: Option<&str>) -> napkin_channel::Panic {
        napkin_channel::Panic {
            message: "users(NaN): NaN is not a number".into(),
            file: file.into(),
            line,
            column: 9,
            thread: thread.map(str::to_string),
        }
    }

    #[test]
    fn a_panic_names_the_line_of_the_cell() {
        let generated = "fn run() {\nlet x = 2.0; \nlet b = users(f64::NAN); \nmatch &(\nusers(f64::NAN)\n) {}\n}\n";
        let code = "let x = 2.0;\nlet b = users(f64::NAN);\nb";
        let error = panic_error(Some(panic("src/lib.rs", 3, None)), Some(generated), code);
        assert_eq!(error.ename, "Panic");
        assert_eq!(error.evalue, "users(NaN): NaN is not a number");
        assert_eq!(
            error.traceback[0],
            "panicked at line 2 of the cell: let b = users(f64::NAN);"
        );
        // A cell's final expression, which evcxr wraps to display it.
        let error = panic_error(
            Some(panic("src/lib.rs", 4, None)),
            Some(generated),
            "users(f64::NAN)",
        );
        assert_eq!(
            error.traceback[0],
            "panicked at line 1 of the cell: users(f64::NAN)"
        );
        // Elsewhere: the file the panic names; a thread by its name.
        let error = panic_error(
            Some(panic("/src/napkin/lib.rs", 7, Some("worker"))),
            Some(generated),
            code,
        );
        assert_eq!(
            error.traceback[0],
            "thread 'worker' panicked at /src/napkin/lib.rs:7:9"
        );
        assert_eq!(panic_error(None, None, code).evalue, "the cell panicked");
    }

    #[test]
    fn a_not_kept_note_names_each_variable_and_what_to_do() {
        let note = not_kept_note(&[("f".into(), "it is a closure".into())]);
        assert!(note.starts_with("note: `f` is not kept for later cells: it is a closure.\n"));
        assert!(note.contains("box a closure"));
    }
}
