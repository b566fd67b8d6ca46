//! A scripted stand-in for the Rust evaluator, for fast in-process handler tests.
//!
//! Cells are lines of `command argument`:
//!
//! | line          | effect                                                        |
//! |---------------|---------------------------------------------------------------|
//! | `print X`     | writes `X\n` to stdout                                        |
//! | `eprint X`    | writes `X\n` to stderr                                        |
//! | `display X`   | a `display_data` with `text/html` and `text/plain` `X`        |
//! | `value X`     | the cell's value (`execute_result`) becomes `text/plain` `X`  |
//! | `error X`     | the cell fails with `FakeError: X` (later lines do not run)   |
//! | `sleep N`     | sleeps N milliseconds; an interrupt ends the cell             |
//! | `define NAME` | remembers NAME as a completion candidate                      |
//! | `panic X`     | panics inside the evaluator (tests the worker's guard)        |
//!
//! Completion offers command words and defined names matching the word before the cursor;
//! inspection documents command words.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{
    Completions, EvalError, Evaluator, ExecuteOutcome, Interrupt, MimeBundle, Output, OutputSink,
    StreamName,
};

const COMMANDS: [&str; 8] = [
    "print", "eprint", "display", "value", "error", "sleep", "define", "panic",
];

/// The scripted evaluator; see the module docs for its language.
#[derive(Default)]
pub struct FakeEvaluator {
    defined: Vec<String>,
    interrupt: Arc<FakeInterrupt>,
}

/// Interrupt flag shared between the fake and the kernel.
#[derive(Default)]
struct FakeInterrupt {
    running: AtomicBool,
    requested: AtomicBool,
}

impl Interrupt for FakeInterrupt {
    fn interrupt(&self) -> Option<String> {
        if self.running.load(Ordering::SeqCst) {
            self.requested.store(true, Ordering::SeqCst);
        }
        None
    }
}

impl FakeEvaluator {
    /// A fresh fake with nothing defined.
    pub fn new() -> Self {
        Self::default()
    }

    fn run_line(
        &mut self,
        line: &str,
        out: &OutputSink,
        value: &mut Option<MimeBundle>,
    ) -> Result<(), EvalError> {
        let (command, argument) = line.split_once(' ').unwrap_or((line, ""));
        match command {
            "print" | "eprint" => out.emit(Output::Stream {
                name: if command == "print" {
                    StreamName::Stdout
                } else {
                    StreamName::Stderr
                },
                text: format!("{argument}\n"),
            }),
            "display" => out.emit(Output::Display(MimeBundle::from([
                ("text/html".to_owned(), argument.into()),
                ("text/plain".to_owned(), argument.into()),
            ]))),
            "value" => {
                *value = Some(MimeBundle::from([(
                    "text/plain".to_owned(),
                    argument.into(),
                )]))
            }
            "error" => return Err(EvalError::new("FakeError", argument)),
            "define" => self.defined.push(argument.to_owned()),
            "panic" => panic!("fake evaluator panic: {argument}"),
            "sleep" => {
                let millis: u64 = argument.parse().map_err(|_| {
                    EvalError::new("FakeSyntaxError", format!("bad duration {argument:?}"))
                })?;
                let deadline = Instant::now() + Duration::from_millis(millis);
                while Instant::now() < deadline {
                    if self.interrupt.requested.load(Ordering::SeqCst) {
                        return Err(EvalError::new("Interrupted", "the cell was interrupted"));
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            _ => {
                return Err(EvalError::new(
                    "FakeSyntaxError",
                    format!("unknown command {command:?}"),
                ));
            }
        }
        Ok(())
    }
}

impl Evaluator for FakeEvaluator {
    fn execute(&mut self, code: &str, out: &OutputSink) -> ExecuteOutcome {
        self.interrupt.requested.store(false, Ordering::SeqCst);
        self.interrupt.running.store(true, Ordering::SeqCst);
        let mut value = None;
        let mut result = Ok(());
        for line in code.lines().map(str::trim).filter(|line| !line.is_empty()) {
            result = self.run_line(line, out, &mut value);
            if result.is_err() {
                break;
            }
        }
        self.interrupt.running.store(false, Ordering::SeqCst);
        ExecuteOutcome {
            result: result.map(|()| value),
        }
    }

    fn complete(&mut self, code: &str, cursor_byte: usize) -> Completions {
        let before = &code[..cursor_byte];
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
            .last()
            .map_or(cursor_byte, |(i, _)| i);
        let prefix = &code[start..cursor_byte];
        let matches = COMMANDS
            .iter()
            .map(|c| (*c).to_owned())
            .chain(self.defined.iter().cloned())
            .filter(|candidate| !prefix.is_empty() && candidate.starts_with(prefix))
            .collect();
        Completions {
            matches,
            replace: start..cursor_byte,
        }
    }

    fn inspect(&mut self, code: &str, cursor_byte: usize) -> Option<MimeBundle> {
        let word_start = code[..cursor_byte]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric())
            .last()
            .map_or(cursor_byte, |(i, _)| i);
        let word_end = code[cursor_byte..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(code.len(), |i| cursor_byte + i);
        let word = &code[word_start..word_end];
        COMMANDS.contains(&word).then(|| {
            MimeBundle::from([
                (
                    "text/plain".to_owned(),
                    format!("{word}: a fake command").into(),
                ),
                (
                    "text/markdown".to_owned(),
                    format!("**{word}**: a fake command").into(),
                ),
            ])
        })
    }

    fn interrupter(&self) -> Arc<dyn Interrupt> {
        self.interrupt.clone()
    }
}
