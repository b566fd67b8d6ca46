//! Reply contents, built by pure functions: no I/O, no state, easy to test.
//!
//! Handlers decide *what* to answer; this module knows *how* each answer is spelled in the
//! Jupyter messaging protocol (typed contents from `jupyter-protocol`).

use jupyter_protocol::{
    CodeMirrorMode, CompleteReply, ExecuteReply, ExecutionCount, HelpLink, HistoryEntry,
    IsCompleteReply, IsCompleteReplyStatus, KernelInfoReply, LanguageInfo, Media, ReplyError,
    ReplyStatus,
};

use crate::eval::{Completions, EvalError, MimeBundle};
use crate::history::Entry;
use crate::is_complete::Completeness;
use crate::offsets;

/// The messaging protocol version this kernel speaks (matches the message headers).
pub const PROTOCOL_VERSION: &str = "5.3";

/// The Rust version reported when `rustc --version` cannot be run.
pub const FALLBACK_RUST_VERSION: &str = "1.95";

/// The `kernel_info_reply` content; `rust_version` is e.g. `1.95.0`.
pub fn kernel_info(rust_version: &str) -> KernelInfoReply {
    let version = env!("CARGO_PKG_VERSION");
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: PROTOCOL_VERSION.into(),
        implementation: "napkin".into(),
        implementation_version: version.into(),
        language_info: LanguageInfo {
            name: "rust".into(),
            version: rust_version.into(),
            mimetype: Some("text/rust".into()),
            file_extension: Some(".rs".into()),
            pygments_lexer: Some("rust".into()),
            codemirror_mode: Some(CodeMirrorMode::Simple("rust".into())),
            nbconvert_exporter: None,
        },
        banner: format!(
            "napkin {version}: Rust {rust_version} with units-aware back-of-envelope estimation"
        ),
        help_links: vec![
            link("Rust standard library", "https://doc.rust-lang.org/std/"),
            link("The Rust book", "https://doc.rust-lang.org/book/"),
            link("napkin", env!("CARGO_PKG_REPOSITORY")),
            link("evcxr", "https://github.com/evcxr/evcxr"),
        ],
        debugger: false,
        error: None,
    }
}

fn link(text: &str, url: &str) -> HelpLink {
    HelpLink {
        text: text.into(),
        url: url.into(),
    }
}

/// Parses `rustc --version` output (`rustc 1.95.0 (59807616e 2026-04-14)`) into `1.95.0`.
pub fn parse_rustc_version(output: &str) -> Option<String> {
    let version = output.split_whitespace().nth(1)?;
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| version.to_owned())
}

/// Converts an evaluator's MIME bundle to the protocol's typed [`Media`]. Entries whose payload
/// does not fit their MIME type (e.g. a number under `text/plain`) are dropped and logged.
pub fn media(bundle: &MimeBundle) -> Media {
    let mut media = Media::default();
    for (mime, data) in bundle {
        let single = serde_json::Map::from_iter([(mime.clone(), data.clone())]);
        match serde_json::from_value::<Media>(serde_json::Value::Object(single)) {
            Ok(parsed) => media.content.extend(parsed.content),
            Err(error) => log!("dropping {mime} output: {error}"),
        }
    }
    media
}

/// The `text/plain` payload of a bundle, if any.
pub fn plain_text(bundle: &MimeBundle) -> Option<String> {
    bundle
        .get("text/plain")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// A successful `execute_reply`.
pub fn execute_ok(count: usize) -> ExecuteReply {
    ExecuteReply {
        status: ReplyStatus::Ok,
        execution_count: ExecutionCount::new(count),
        payload: Vec::new(),
        user_expressions: Some(Default::default()),
        error: None,
    }
}

/// A failed `execute_reply` carrying the error.
pub fn execute_error(count: usize, error: &EvalError) -> ExecuteReply {
    ExecuteReply {
        status: ReplyStatus::Error,
        error: Some(Box::new(ReplyError {
            ename: error.ename.clone(),
            evalue: error.evalue.clone(),
            traceback: error.traceback.clone(),
        })),
        ..execute_ok(count)
    }
}

/// The `execute_reply` for a request skipped because an earlier cell failed.
pub fn execute_aborted(count: usize) -> ExecuteReply {
    ExecuteReply {
        status: ReplyStatus::Aborted,
        ..execute_ok(count)
    }
}

/// The `is_complete_reply` for a verdict.
pub fn is_complete_reply(verdict: Completeness) -> IsCompleteReply {
    match verdict {
        Completeness::Complete => {
            IsCompleteReply::new(IsCompleteReplyStatus::Complete, String::new())
        }
        Completeness::Incomplete { indent } => {
            IsCompleteReply::new(IsCompleteReplyStatus::Incomplete, indent)
        }
        Completeness::Invalid => {
            IsCompleteReply::new(IsCompleteReplyStatus::Invalid, String::new())
        }
    }
}

/// The `complete_reply` for `completions` found in `code`, converting the byte range the
/// evaluator reports into the code-point offsets the protocol uses.
pub fn complete_reply(code: &str, completions: Completions) -> CompleteReply {
    CompleteReply {
        matches: completions.matches,
        cursor_start: offsets::code_point_offset(code, completions.replace.start),
        cursor_end: offsets::code_point_offset(code, completions.replace.end),
        metadata: Default::default(),
        status: ReplyStatus::Ok,
        error: None,
    }
}

/// History entries as `(session, line, input)` or, with `output`, `(session, line, (input,
/// output))`.
pub fn history_entries(entries: &[&Entry], output: bool) -> Vec<HistoryEntry> {
    entries
        .iter()
        .map(|e| {
            if output {
                HistoryEntry::InputOutput(
                    e.session,
                    e.line,
                    (e.input.clone(), e.output.clone().unwrap_or_default()),
                )
            } else {
                HistoryEntry::Input(e.session, e.line, e.input.clone())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kernel_info_describes_rust() {
        let info = serde_json::to_value(kernel_info("1.95.0")).unwrap();
        assert_eq!(info["implementation"], "napkin");
        assert_eq!(info["protocol_version"], "5.3");
        let language = &info["language_info"];
        assert_eq!(language["name"], "rust");
        assert_eq!(language["version"], "1.95.0");
        assert_eq!(language["mimetype"], "text/rust");
        assert_eq!(language["file_extension"], ".rs");
        assert_eq!(language["pygments_lexer"], "rust");
        assert_eq!(language["codemirror_mode"], "rust");
        assert!(!info["help_links"].as_array().unwrap().is_empty());
    }

    #[test]
    fn rustc_version_is_parsed() {
        assert_eq!(
            parse_rustc_version("rustc 1.95.0 (59807616e 2026-04-14)\n").as_deref(),
            Some("1.95.0")
        );
        assert_eq!(parse_rustc_version("error: no toolchain"), None);
        assert_eq!(parse_rustc_version(""), None);
    }

    #[test]
    fn media_keeps_valid_entries_and_drops_bad_ones() {
        let bundle = MimeBundle::from([
            ("text/plain".to_owned(), json!("2")),
            ("text/html".to_owned(), json!(7)),
            ("application/json".to_owned(), json!({"a": 1})),
            ("application/x-custom".to_owned(), json!("raw")),
        ]);
        let wire = serde_json::to_value(media(&bundle)).unwrap();
        assert_eq!(
            wire,
            json!({"text/plain": "2", "application/json": {"a": 1}, "application/x-custom": "raw"})
        );
    }

    #[test]
    fn error_reply_carries_the_error() {
        let reply = serde_json::to_value(execute_error(3, &EvalError::new("E", "bad"))).unwrap();
        assert_eq!(reply["status"], "error");
        assert_eq!(reply["execution_count"], 3);
        assert_eq!(reply["ename"], "E");
        assert_eq!(reply["evalue"], "bad");
        assert_eq!(reply["traceback"], json!(["E: bad"]));
    }

    #[test]
    fn complete_reply_counts_code_points() {
        let code = "let café = 1; caf";
        let start = code.rfind("caf").unwrap();
        let reply = complete_reply(
            code,
            Completions {
                matches: vec!["café".into()],
                replace: start..code.len(),
            },
        );
        assert_eq!(reply.cursor_start, 14);
        assert_eq!(reply.cursor_end, 17);
    }
}
