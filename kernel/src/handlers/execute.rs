//! `execute_request`: run a cell, stream its outputs, reply.
//!
//! * The execution count starts at 1 and advances only for cells with `store_history` that
//!   are not `silent`; only those cells enter the history.
//! * `silent` cells broadcast nothing on IOPub (no `execute_input`, no outputs, no result,
//!   no error) apart from busy/idle, and never trigger `stop_on_error`.
//! * Outputs are published while the cell runs. Consecutive stream writes that arrive
//!   together are merged into one `stream` message.
//! * A failed cell with `stop_on_error` aborts the execute requests already queued.

use jupyter_protocol::{
    DisplayData, ErrorOutput, ExecuteInput, ExecuteRequest, ExecuteResult, ExecutionCount,
    JupyterMessageContent, Stdio, StreamContent, Transient,
};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::{Flow, Request};
use crate::eval::{ExecuteOutcome, Output, OutputSink, StreamName};
use crate::protocol;

/// At most this many queued outputs are merged into one batch.
const MAX_BATCH: usize = 256;

/// `execute_request`: see the module docs.
pub(super) async fn execute(request: &Request<'_>, content: &ExecuteRequest) -> Flow {
    let shared = request.shared;
    if request.is_aborted() {
        let count = shared.history().execution_count();
        request.reply(protocol::execute_aborted(count));
        return Flow::Continue;
    }
    let silent = content.silent;
    let stored = content.store_history && !silent;
    let count = {
        let mut history = shared.history();
        if stored {
            history.next_execution_count()
        } else {
            history.execution_count()
        }
    };
    if !silent {
        request.publish(ExecuteInput {
            code: content.code.clone(),
            execution_count: ExecutionCount::new(count),
        });
    }
    *shared.running() = Some(request.message.clone());
    let outcome = run(request, &content.code, silent).await;
    *shared.running() = None;

    match outcome.result {
        Ok(value) => {
            if stored {
                let output = value.as_ref().and_then(protocol::plain_text);
                shared.history().record(count, content.code.clone(), output);
            }
            if let Some(bundle) = value.filter(|_| !silent) {
                request.publish(ExecuteResult {
                    execution_count: ExecutionCount::new(count),
                    data: protocol::media(&bundle),
                    metadata: Default::default(),
                    transient: Some(Transient::default()),
                });
            }
            request.reply(protocol::execute_ok(count));
        }
        Err(error) => {
            if stored {
                shared.history().record(count, content.code.clone(), None);
            }
            if !silent {
                request.publish(ErrorOutput {
                    ename: error.ename.clone(),
                    evalue: error.evalue.clone(),
                    traceback: error.traceback.clone(),
                });
                if content.stop_on_error {
                    shared.abort_queued();
                }
            }
            request.reply(protocol::execute_error(count, &error));
        }
    }
    Flow::Continue
}

/// Runs the cell on the evaluator, publishing outputs as they arrive.
async fn run(request: &Request<'_>, code: &str, silent: bool) -> ExecuteOutcome {
    let (sender, mut outputs) = unbounded_channel();
    let sink = OutputSink::new(move |output| {
        // The receiver outlives the cell; a send error only means the kernel is going down.
        let _ = sender.send(output);
    });
    let finished = request.shared.evaluator.execute(code.to_owned(), sink);
    tokio::pin!(finished);
    loop {
        tokio::select! {
            Some(first) = outputs.recv() => publish_batch(request, first, &mut outputs, silent),
            outcome = &mut finished => {
                while let Ok(first) = outputs.try_recv() {
                    publish_batch(request, first, &mut outputs, silent);
                }
                return outcome;
            }
        }
    }
}

/// Publishes `first` and whatever else is already waiting, merging adjacent stream writes.
fn publish_batch(
    request: &Request<'_>,
    first: Output,
    waiting: &mut UnboundedReceiver<Output>,
    silent: bool,
) {
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match waiting.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
    if silent {
        return;
    }
    for content in merge(request, batch) {
        request.publish(content);
    }
}

/// Turns outputs into IOPub contents, merging consecutive writes to the same stream. A live
/// view opens its widgets (published as it goes) and becomes their `display_data`.
fn merge(request: &Request<'_>, batch: Vec<Output>) -> Vec<JupyterMessageContent> {
    let mut merged: Vec<Output> = Vec::with_capacity(batch.len());
    for output in batch {
        match (merged.last_mut(), output) {
            (
                Some(Output::Stream { name, text }),
                Output::Stream {
                    name: next_name,
                    text: next_text,
                },
            ) if *name == next_name => text.push_str(&next_text),
            (_, output) => merged.push(output),
        }
    }
    merged
        .into_iter()
        .map(|output| match output {
            Output::Stream { name, text } => StreamContent {
                name: match name {
                    StreamName::Stdout => Stdio::Stdout,
                    StreamName::Stderr => Stdio::Stderr,
                },
                text,
            }
            .into(),
            Output::Display(bundle) => DisplayData::new(protocol::media(&bundle)).into(),
            // A view that cannot be shown says why, where its widgets would have been.
            Output::Widget(view) => match request.shared.widgets.open(&view, request.message) {
                Ok(shown) => shown.into(),
                Err(why) => StreamContent {
                    name: Stdio::Stderr,
                    text: format!("{why}\n"),
                }
                .into(),
            },
        })
        .collect()
}
