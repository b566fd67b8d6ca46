//! Handler tests: the real dispatcher and worker, the fake evaluator, no sockets.

use std::sync::Arc;
use std::time::Duration;

use jupyter_protocol::{
    CommInfoRequest, CompleteRequest, ExecuteRequest, ExecutionState, HistoryEntry, HistoryRequest,
    InspectRequest, InterruptRequest, IsCompleteReplyStatus, IsCompleteRequest, JupyterMessage,
    JupyterMessageContent, KernelInfoRequest, ReplyStatus, ShutdownRequest, Stdio, UnknownMessage,
};
use serde_json::json;
use tokio::task::JoinHandle;

use super::Dispatcher;
use crate::eval::fake::FakeEvaluator;
use crate::eval::worker::EvalWorker;
use crate::eval::{
    Completions, EvalError, Evaluator, ExecuteOutcome, Interrupt, MimeBundle, Output, OutputSink,
};
use crate::task::TaskEnded;
use crate::transport::{self, WireEnd};

const PATIENCE: Duration = Duration::from_secs(5);

/// A dispatcher on the fake evaluator, driven through its channels.
struct Harness {
    wire: WireEnd,
    serving: JoinHandle<Result<(), TaskEnded>>,
    /// IOPub messages received but not yet claimed by a test.
    iopub: Vec<JupyterMessage>,
}

impl Harness {
    fn start() -> Self {
        Self::with_evaluator(|| Ok(Box::new(FakeEvaluator::new())))
    }

    fn with_evaluator(
        factory: impl FnMut() -> Result<Box<dyn Evaluator>, EvalError> + Send + 'static,
    ) -> Self {
        let (inbox, outbox, wire) = transport::channels();
        let worker = EvalWorker::spawn(Box::new(factory)).expect("worker thread");
        let dispatcher = Dispatcher::new(outbox, worker, "1.95.0");
        let serving = tokio::spawn(dispatcher.serve(inbox));
        Self {
            wire,
            serving,
            iopub: Vec::new(),
        }
    }

    fn shell(&self, content: impl Into<JupyterMessageContent>) -> JupyterMessage {
        let message = JupyterMessage::new(content.into(), None);
        self.wire
            .shell_in
            .try_send(message.clone())
            .expect("shell open");
        message
    }

    fn control(&self, content: impl Into<JupyterMessageContent>) -> JupyterMessage {
        let message = JupyterMessage::new(content.into(), None);
        self.wire
            .control_in
            .try_send(message.clone())
            .expect("control open");
        message
    }

    fn execute(&self, code: &str) -> JupyterMessage {
        self.shell(ExecuteRequest::new(code.into()))
    }

    async fn shell_reply(&mut self) -> JupyterMessage {
        tokio::time::timeout(PATIENCE, self.wire.shell_out.recv())
            .await
            .expect("shell reply in time")
            .expect("shell open")
    }

    async fn control_reply(&mut self) -> JupyterMessage {
        tokio::time::timeout(PATIENCE, self.wire.control_out.recv())
            .await
            .expect("control reply in time")
            .expect("control open")
    }

    /// IOPub messages whose parent is `request`, from `busy` up to and including `idle`.
    async fn iopub_for(&mut self, request: &JupyterMessage) -> Vec<JupyterMessage> {
        let id = &request.header.msg_id;
        let is_child =
            |m: &JupyterMessage| m.parent_header.as_ref().is_some_and(|p| &p.msg_id == id);
        loop {
            let idle = self.iopub.iter().position(|m| {
                is_child(m)
                    && matches!(&m.content, JupyterMessageContent::Status(s) if s.execution_state == ExecutionState::Idle)
            });
            if let Some(idle) = idle {
                let (mine, others): (Vec<_>, Vec<_>) =
                    self.iopub.drain(..=idle).partition(|m| is_child(m));
                let rest = std::mem::take(&mut self.iopub);
                self.iopub = others.into_iter().chain(rest).collect();
                return mine;
            }
            let next = tokio::time::timeout(PATIENCE, self.wire.iopub_out.recv())
                .await
                .expect("iopub message in time")
                .expect("iopub open");
            self.iopub.push(next);
        }
    }
}

fn types(messages: &[JupyterMessage]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| m.header.msg_type.as_str())
        .collect()
}

fn reply_to(reply: &JupyterMessage, request: &JupyterMessage) {
    assert_eq!(
        reply.parent_header.as_ref().map(|p| p.msg_id.as_str()),
        Some(request.header.msg_id.as_str()),
        "reply {} is not for {}",
        reply.header.msg_type,
        request.header.msg_type
    );
}

fn execute_reply(message: &JupyterMessage) -> (ReplyStatus, usize, serde_json::Value) {
    match &message.content {
        JupyterMessageContent::ExecuteReply(reply) => (
            reply.status.clone(),
            reply.execution_count.0,
            serde_json::to_value(reply).unwrap(),
        ),
        other => panic!("expected execute_reply, got {}", other.message_type()),
    }
}

fn assert_busy_idle(messages: &[JupyterMessage]) {
    let states: Vec<_> = messages
        .iter()
        .filter_map(|m| match &m.content {
            JupyterMessageContent::Status(s) => Some(s.execution_state.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        vec![ExecutionState::Busy, ExecutionState::Idle],
        "{:?}",
        types(messages)
    );
    assert_eq!(types(messages).first(), Some(&"status"));
    assert_eq!(types(messages).last(), Some(&"status"));
}

#[tokio::test]
async fn every_request_is_wrapped_in_busy_and_idle() {
    let mut kernel = Harness::start();
    let shell_requests: Vec<JupyterMessageContent> = vec![
        KernelInfoRequest {}.into(),
        IsCompleteRequest { code: "1".into() }.into(),
        HistoryRequest::Tail {
            n: 3,
            output: false,
            raw: true,
        }
        .into(),
        CommInfoRequest { target_name: None }.into(),
        ExecuteRequest::new("print hi".into()).into(),
        CompleteRequest {
            code: "pri".into(),
            cursor_pos: 3,
        }
        .into(),
        InspectRequest {
            code: "print".into(),
            cursor_pos: 1,
            detail_level: Some(0),
        }
        .into(),
    ];
    for content in shell_requests {
        let request = kernel.shell(content);
        let reply = kernel.shell_reply().await;
        reply_to(&reply, &request);
        assert_busy_idle(&kernel.iopub_for(&request).await);
    }
    for content in [
        KernelInfoRequest {}.into(),
        JupyterMessageContent::from(InterruptRequest {}),
    ] {
        let request = kernel.control(content);
        let reply = kernel.control_reply().await;
        reply_to(&reply, &request);
        assert_busy_idle(&kernel.iopub_for(&request).await);
    }
}

#[tokio::test]
async fn kernel_info_describes_the_kernel() {
    let mut kernel = Harness::start();
    kernel.shell(KernelInfoRequest {});
    let reply = kernel.shell_reply().await;
    let JupyterMessageContent::KernelInfoReply(info) = reply.content else {
        panic!("expected kernel_info_reply");
    };
    assert_eq!(info.implementation, "napkin");
    assert_eq!(info.language_info.name, "rust");
    assert_eq!(info.language_info.version, "1.95.0");
}

#[tokio::test]
async fn execution_count_starts_at_one_and_counts_only_stored_cells() {
    let mut kernel = Harness::start();

    let first = kernel.execute("value 1");
    let (status, count, _) = execute_reply(&kernel.shell_reply().await);
    assert_eq!((status, count), (ReplyStatus::Ok, 1));
    let iopub = kernel.iopub_for(&first).await;
    assert_eq!(
        types(&iopub),
        vec!["status", "execute_input", "execute_result", "status"]
    );
    for message in &iopub[1..3] {
        assert_eq!(
            serde_json::to_value(&message.content).unwrap()["execution_count"],
            1
        );
    }

    let unstored = kernel.shell(ExecuteRequest {
        store_history: false,
        ..ExecuteRequest::new("value 2".into())
    });
    assert_eq!(execute_reply(&kernel.shell_reply().await).1, 1);
    let iopub = kernel.iopub_for(&unstored).await;
    assert_eq!(
        serde_json::to_value(&iopub[1].content).unwrap()["execution_count"],
        1
    );

    kernel.shell(ExecuteRequest {
        silent: true,
        ..ExecuteRequest::new("value 3".into())
    });
    assert_eq!(execute_reply(&kernel.shell_reply().await).1, 1);

    kernel.execute("value 4");
    assert_eq!(execute_reply(&kernel.shell_reply().await).1, 2);
}

#[tokio::test]
async fn silent_cells_broadcast_only_status_and_never_abort_the_queue() {
    let mut kernel = Harness::start();
    let silent = kernel.shell(ExecuteRequest {
        silent: true,
        ..ExecuteRequest::new("print a\ndisplay b\nvalue c\nerror d".into())
    });
    let queued = kernel.execute("value after");
    let (status, _, reply) = execute_reply(&kernel.shell_reply().await);
    assert_eq!(status, ReplyStatus::Error);
    assert_eq!(reply["evalue"], "d");
    assert_eq!(
        types(&kernel.iopub_for(&silent).await),
        vec!["status", "status"]
    );
    assert_eq!(
        execute_reply(&kernel.shell_reply().await).0,
        ReplyStatus::Ok
    );
    assert!(types(&kernel.iopub_for(&queued).await).contains(&"execute_result"));
}

#[tokio::test]
async fn outputs_are_published_in_order_while_the_cell_runs() {
    let mut kernel = Harness::start();
    let request = kernel.execute("print a\neprint b\nprint c\ndisplay <b>d</b>\nvalue 42");
    let (status, _, _) = execute_reply(&kernel.shell_reply().await);
    assert_eq!(status, ReplyStatus::Ok);
    let iopub = kernel.iopub_for(&request).await;
    assert_eq!(
        types(&iopub),
        vec![
            "status",
            "execute_input",
            "stream",
            "stream",
            "stream",
            "display_data",
            "execute_result",
            "status"
        ]
    );
    let streams: Vec<(String, String)> = iopub
        .iter()
        .filter_map(|m| match &m.content {
            JupyterMessageContent::StreamContent(s) => Some((
                match s.name {
                    Stdio::Stdout => "stdout".to_owned(),
                    Stdio::Stderr => "stderr".to_owned(),
                },
                s.text.clone(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        streams,
        vec![
            ("stdout".into(), "a\n".into()),
            ("stderr".into(), "b\n".into()),
            ("stdout".into(), "c\n".into())
        ]
    );
    let display = serde_json::to_value(&iopub[5].content).unwrap();
    assert_eq!(display["data"]["text/html"], "<b>d</b>");
    let result = serde_json::to_value(&iopub[6].content).unwrap();
    assert_eq!(result["data"], json!({"text/plain": "42"}));
}

#[tokio::test]
async fn consecutive_writes_to_one_stream_are_merged() {
    let mut kernel = Harness::start();
    let request = kernel.execute("print a\nprint b\nprint c");
    kernel.shell_reply().await;
    let text: String = kernel
        .iopub_for(&request)
        .await
        .iter()
        .filter_map(|m| match &m.content {
            JupyterMessageContent::StreamContent(s) => Some(s.text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(text, "a\nb\nc\n");
}

#[tokio::test]
async fn a_failed_cell_aborts_the_cells_already_queued() {
    let mut kernel = Harness::start();
    let failing = kernel.execute("sleep 100\nerror boom");
    let aborted = [
        kernel.execute("print never"),
        kernel.execute("print never again"),
    ];
    let (status, count, reply) = execute_reply(&kernel.shell_reply().await);
    assert_eq!((status, count), (ReplyStatus::Error, 1));
    assert_eq!(reply["ename"], "FakeError");
    assert_eq!(reply["evalue"], "boom");
    let iopub = kernel.iopub_for(&failing).await;
    assert_eq!(
        types(&iopub),
        vec!["status", "execute_input", "error", "status"]
    );
    for request in &aborted {
        let reply = kernel.shell_reply().await;
        reply_to(&reply, request);
        assert_eq!(execute_reply(&reply).0, ReplyStatus::Aborted);
        assert_eq!(
            types(&kernel.iopub_for(request).await),
            vec!["status", "status"]
        );
    }

    // Once the queue has drained, new cells run again.
    kernel.execute("value fresh");
    let (status, count, _) = execute_reply(&kernel.shell_reply().await);
    assert_eq!((status, count), (ReplyStatus::Ok, 2));
}

#[tokio::test]
async fn without_stop_on_error_queued_cells_still_run() {
    let mut kernel = Harness::start();
    kernel.shell(ExecuteRequest {
        stop_on_error: false,
        ..ExecuteRequest::new("sleep 50\nerror boom".into())
    });
    kernel.execute("value next");
    assert_eq!(
        execute_reply(&kernel.shell_reply().await).0,
        ReplyStatus::Error
    );
    assert_eq!(
        execute_reply(&kernel.shell_reply().await).0,
        ReplyStatus::Ok
    );
}

#[tokio::test]
async fn history_lists_this_sessions_stored_inputs() {
    let mut kernel = Harness::start();
    for request in [
        ExecuteRequest::new("value 1".into()),
        ExecuteRequest {
            store_history: false,
            ..ExecuteRequest::new("print hidden".into())
        },
        ExecuteRequest::new("print shown".into()),
        ExecuteRequest::new("value 3".into()),
    ] {
        kernel.shell(request);
        kernel.shell_reply().await;
    }
    let history = |reply: JupyterMessage| match reply.content {
        JupyterMessageContent::HistoryReply(h) => serde_json::to_value(h.history).unwrap(),
        other => panic!("expected history_reply, got {}", other.message_type()),
    };

    kernel.shell(HistoryRequest::Tail {
        n: 10,
        output: false,
        raw: true,
    });
    assert_eq!(
        history(kernel.shell_reply().await),
        json!([[1, 1, "value 1"], [1, 2, "print shown"], [1, 3, "value 3"]])
    );

    kernel.shell(HistoryRequest::Range {
        session: Some(0),
        start: 2,
        stop: 0,
        output: false,
        raw: true,
    });
    assert_eq!(
        history(kernel.shell_reply().await),
        json!([[1, 2, "print shown"], [1, 3, "value 3"]])
    );

    kernel.shell(HistoryRequest::Search {
        pattern: "value*".into(),
        unique: true,
        output: true,
        raw: true,
        n: 1,
    });
    assert_eq!(
        history(kernel.shell_reply().await),
        json!([[1, 3, ["value 3", "3"]]])
    );

    let entries = kernel.shell(HistoryRequest::Tail {
        n: 1,
        output: false,
        raw: true,
    });
    let reply = kernel.shell_reply().await;
    reply_to(&reply, &entries);
    let JupyterMessageContent::HistoryReply(h) = reply.content else {
        panic!("expected history_reply");
    };
    assert!(matches!(&h.history[..], [HistoryEntry::Input(1, 3, input)] if input == "value 3"));
}

#[tokio::test]
async fn is_complete_judges_rust_code() {
    let mut kernel = Harness::start();
    for (code, status, indent) in [
        ("let x = 1;", IsCompleteReplyStatus::Complete, ""),
        ("fn main() {", IsCompleteReplyStatus::Incomplete, "    "),
        ("let s = \"{", IsCompleteReplyStatus::Incomplete, ""),
        ("let x =", IsCompleteReplyStatus::Incomplete, "    "),
        ("let c = '}';", IsCompleteReplyStatus::Complete, ""),
        ("foo())", IsCompleteReplyStatus::Invalid, ""),
    ] {
        kernel.shell(IsCompleteRequest { code: code.into() });
        match kernel.shell_reply().await.content {
            JupyterMessageContent::IsCompleteReply(reply) => {
                assert_eq!(
                    (reply.status, reply.indent.as_str()),
                    (status, indent),
                    "{code:?}"
                );
            }
            other => panic!("expected is_complete_reply, got {}", other.message_type()),
        }
    }
}

#[tokio::test]
async fn completion_cursor_positions_are_code_points() {
    let mut kernel = Harness::start();
    kernel.execute("define naïve_value");
    kernel.shell_reply().await;

    let code = "display «é» naï";
    let cursor = code.chars().count();
    kernel.shell(CompleteRequest {
        code: code.into(),
        cursor_pos: cursor,
    });
    let JupyterMessageContent::CompleteReply(reply) = kernel.shell_reply().await.content else {
        panic!("expected complete_reply");
    };
    assert_eq!(reply.matches, vec!["naïve_value".to_owned()]);
    assert_eq!(reply.cursor_start, "display «é» ".chars().count());
    assert_eq!(reply.cursor_end, cursor);

    // A cursor in the middle of the text, after a multi-byte character.
    kernel.shell(CompleteRequest {
        code: "naï rest".into(),
        cursor_pos: 3,
    });
    let JupyterMessageContent::CompleteReply(reply) = kernel.shell_reply().await.content else {
        panic!("expected complete_reply");
    };
    assert_eq!(reply.matches, vec!["naïve_value".to_owned()]);
    assert_eq!((reply.cursor_start, reply.cursor_end), (0, 3));

    // A cursor past the end is clamped rather than trusted.
    kernel.shell(CompleteRequest {
        code: "pri".into(),
        cursor_pos: 99,
    });
    let JupyterMessageContent::CompleteReply(reply) = kernel.shell_reply().await.content else {
        panic!("expected complete_reply");
    };
    assert_eq!(reply.matches, vec!["print".to_owned()]);
    assert_eq!((reply.cursor_start, reply.cursor_end), (0, 3));
}

#[tokio::test]
async fn inspect_returns_documentation() {
    let mut kernel = Harness::start();
    kernel.shell(InspectRequest {
        code: "é print x".into(),
        cursor_pos: 4,
        detail_level: Some(0),
    });
    let reply = serde_json::to_value(kernel.shell_reply().await.content).unwrap();
    assert_eq!(reply["found"], true);
    assert_eq!(reply["data"]["text/plain"], "print: a fake command");
    assert_eq!(reply["data"]["text/markdown"], "**print**: a fake command");

    kernel.shell(InspectRequest {
        code: "nothing".into(),
        cursor_pos: 3,
        detail_level: Some(0),
    });
    let reply = serde_json::to_value(kernel.shell_reply().await.content).unwrap();
    assert_eq!(reply["found"], false);
    assert_eq!(reply["data"], json!({}));
}

#[tokio::test]
async fn kernel_info_and_interrupt_are_answered_while_a_cell_runs() {
    let mut kernel = Harness::start();
    let long = kernel.execute("print started\nsleep 10000\nprint never");
    let started = tokio::time::Instant::now();
    let iopub_started = tokio::time::timeout(PATIENCE, async {
        loop {
            let message = kernel.wire.iopub_out.recv().await.expect("iopub open");
            let is_stream = message.header.msg_type == "stream";
            kernel.iopub.push(message);
            if is_stream {
                break;
            }
        }
    });
    iopub_started.await.expect("the cell started");

    answers_kernel_info(&mut kernel).await;

    kernel.control(InterruptRequest {});
    assert_eq!(
        kernel.control_reply().await.header.msg_type,
        "interrupt_reply"
    );
    let (status, _, reply) = execute_reply(&kernel.shell_reply().await);
    assert_eq!(status, ReplyStatus::Error);
    assert_eq!(reply["ename"], "Interrupted");
    assert!(started.elapsed() < Duration::from_secs(5));
    let iopub = kernel.iopub_for(&long).await;
    assert!(types(&iopub).contains(&"error"));

    kernel.execute("value alive");
    assert_eq!(
        execute_reply(&kernel.shell_reply().await).0,
        ReplyStatus::Ok
    );
}

#[tokio::test]
async fn restart_replies_then_stops_serving_for_a_fresh_process() {
    let mut kernel = Harness::start();
    let restart = kernel.control(ShutdownRequest { restart: true });
    let reply = kernel.control_reply().await;
    reply_to(&reply, &restart);
    let JupyterMessageContent::ShutdownReply(reply) = reply.content else {
        panic!("expected shutdown_reply");
    };
    assert!(reply.restart);
    assert_eq!(reply.status, ReplyStatus::Ok);
    tokio::time::timeout(PATIENCE, kernel.serving)
        .await
        .expect("serving stops")
        .expect("no panic")
        .expect("a requested exit");
}

#[tokio::test]
async fn shutdown_replies_then_stops_serving() {
    let mut kernel = Harness::start();
    let request = kernel.control(ShutdownRequest { restart: false });
    let reply = kernel.control_reply().await;
    reply_to(&reply, &request);
    let JupyterMessageContent::ShutdownReply(reply) = reply.content else {
        panic!("expected shutdown_reply");
    };
    assert!(!reply.restart);
    tokio::time::timeout(PATIENCE, kernel.serving)
        .await
        .expect("serving stops")
        .expect("no panic")
        .expect("a requested exit");
}

#[tokio::test]
async fn an_evaluator_panic_fails_only_that_cell() {
    let mut kernel = Harness::start();
    kernel.execute("panic oops");
    let (status, _, reply) = execute_reply(&kernel.shell_reply().await);
    assert_eq!(status, ReplyStatus::Error);
    assert_eq!(reply["ename"], "InternalError");
    kernel.execute("value still here");
    assert_eq!(
        execute_reply(&kernel.shell_reply().await).0,
        ReplyStatus::Ok
    );
}

#[tokio::test]
async fn an_evaluator_that_cannot_start_reports_why_on_execute() {
    let mut kernel =
        Harness::with_evaluator(|| Err(EvalError::new("Broken", "no compiler on PATH")));
    kernel.shell(KernelInfoRequest {});
    assert_eq!(
        kernel.shell_reply().await.header.msg_type,
        "kernel_info_reply"
    );
    kernel.execute("value 1");
    let (status, _, reply) = execute_reply(&kernel.shell_reply().await);
    assert_eq!(status, ReplyStatus::Error);
    assert_eq!(reply["ename"], "EvaluatorUnavailable");
    assert!(
        reply["evalue"]
            .as_str()
            .unwrap()
            .contains("no compiler on PATH")
    );
}

#[tokio::test]
async fn unknown_requests_get_status_but_no_reply() {
    let mut kernel = Harness::start();
    let request = kernel.shell(UnknownMessage {
        msg_type: "comm_open".into(),
        content: json!({"comm_id": "x", "target_name": "nope", "data": {}}),
    });
    assert_busy_idle(&kernel.iopub_for(&request).await);
    kernel.shell(KernelInfoRequest {});
    assert_eq!(
        kernel.shell_reply().await.header.msg_type,
        "kernel_info_reply"
    );
}

/// The fake evaluator with two additions for the tests below: `slider MIN MAX` shows a live
/// view with one slider (as napkin's `explore` does), and interrupting panics.
struct Hazardous(FakeEvaluator);

/// An interrupter with a bug.
struct PanickingInterrupt;

impl Interrupt for PanickingInterrupt {
    fn interrupt(&self) -> Option<String> {
        panic!("the interrupter has a bug")
    }
}

impl Evaluator for Hazardous {
    fn execute(&mut self, code: &str, out: &OutputSink) -> ExecuteOutcome {
        let Some(bounds) = code.strip_prefix("slider ") else {
            return self.0.execute(code, out);
        };
        let (min, max) = bounds.split_once(' ').expect("slider MIN MAX");
        let (min, max): (f64, f64) = (min.parse().unwrap(), max.parse().unwrap());
        out.emit(Output::Widget(napkin_channel::View {
            // Nothing listens there: the view's worker fails to connect, which is logged.
            socket: "/nonexistent/views.sock".into(),
            token: "t".into(),
            id: 1,
            sliders: vec![napkin_channel::Slider {
                name: "users".into(),
                min,
                max,
                value: min,
                log: false,
                whole: false,
                options: Vec::new(),
                label: String::new(),
            }],
            html: "<b>estimate</b>".into(),
            chart: String::new(),
            snapshot: "<b>estimate</b>".into(),
        }));
        ExecuteOutcome { result: Ok(None) }
    }

    fn complete(&mut self, code: &str, cursor_byte: usize) -> Completions {
        self.0.complete(code, cursor_byte)
    }

    fn inspect(&mut self, code: &str, cursor_byte: usize) -> Option<MimeBundle> {
        self.0.inspect(code, cursor_byte)
    }

    fn interrupter(&self) -> Arc<dyn Interrupt> {
        Arc::new(PanickingInterrupt)
    }
}

fn hazardous() -> Harness {
    Harness::with_evaluator(|| Ok(Box::new(Hazardous(FakeEvaluator::new()))))
}

/// Both loops answer `kernel_info`: the shell and the control socket.
async fn answers_kernel_info(kernel: &mut Harness) {
    kernel.shell(KernelInfoRequest {});
    assert_eq!(
        kernel.shell_reply().await.header.msg_type,
        "kernel_info_reply"
    );
    kernel.control(KernelInfoRequest {});
    assert_eq!(
        kernel.control_reply().await.header.msg_type,
        "kernel_info_reply"
    );
}

/// Both loops still answer: `kernel_info` on shell and control, and a cell runs.
async fn assert_still_serving(kernel: &mut Harness) {
    answers_kernel_info(kernel).await;
    kernel.execute("value still here");
    assert_eq!(
        execute_reply(&kernel.shell_reply().await).0,
        ReplyStatus::Ok
    );
    assert!(!kernel.serving.is_finished());
}

#[tokio::test]
async fn a_handler_that_panics_fails_its_request_with_an_error_reply() {
    let mut kernel = hazardous();
    // Once a cell has run, the evaluator (and its interrupter) exists.
    kernel.execute("value 1");
    kernel.shell_reply().await;
    let request = kernel.control(InterruptRequest {});
    let reply = kernel.control_reply().await;
    reply_to(&reply, &request);
    assert_eq!(reply.header.msg_type, "interrupt_reply");
    let content = serde_json::to_value(&reply.content).unwrap();
    assert_eq!(content["status"], "error");
    assert_eq!(content["ename"], "InternalError");
    let evalue = content["evalue"].as_str().unwrap();
    assert!(
        evalue.contains("interrupt_request") && evalue.contains("the interrupter has a bug"),
        "{evalue}"
    );
    assert_busy_idle(&kernel.iopub_for(&request).await);
    assert_still_serving(&mut kernel).await;
}

#[tokio::test]
async fn a_slider_whose_min_exceeds_its_max_is_refused_and_the_shell_goes_on() {
    // `f64::clamp` panics when min > max: such a view is refused when it is opened, with a
    // note saying why, and no widget is made.
    let mut kernel = hazardous();
    let cell = kernel.execute("slider 10 1");
    assert_eq!(
        execute_reply(&kernel.shell_reply().await).0,
        ReplyStatus::Ok
    );
    let iopub = kernel.iopub_for(&cell).await;
    assert!(
        !iopub
            .iter()
            .any(|m| matches!(m.content, JupyterMessageContent::CommOpen(_))),
        "{:?}",
        types(&iopub)
    );
    let note = iopub.iter().find_map(|m| match &m.content {
        JupyterMessageContent::StreamContent(s) => Some(s.text.clone()),
        _ => None,
    });
    let note = note.expect("a note about the slider");
    assert!(
        note.contains("slider \"users\" cannot be shown") && note.contains("10..=1"),
        "{note}"
    );
    assert_still_serving(&mut kernel).await;
}

#[tokio::test]
async fn hostile_comm_messages_are_dropped_and_the_shell_goes_on() {
    // A live view whose worker has nothing to talk to; its slider's comm is real.
    let mut kernel = hazardous();
    let cell = kernel.execute("slider 1 10");
    kernel.shell_reply().await;
    let slider = kernel
        .iopub_for(&cell)
        .await
        .into_iter()
        .find_map(|m| match m.content {
            JupyterMessageContent::CommOpen(open)
                if open.data["state"]["_model_name"] == "FloatSliderModel" =>
            {
                Some(open.comm_id)
            }
            _ => None,
        })
        .expect("the live view opens a FloatSlider");
    let megabyte = "x".repeat(1 << 20);
    let hostile = [
        // An unknown comm, with a megabyte of state.
        (
            jupyter_protocol::CommId("no-such-comm".into()),
            json!({"method": "update", "state": {"value": megabyte}}),
        ),
        // The real slider: a megabyte string, a value that is not a number, no state, no
        // method, an unknown method, a number beyond f64.
        (
            slider.clone(),
            json!({"method": "update", "state": {"value": megabyte}}),
        ),
        (
            slider.clone(),
            json!({"method": "update", "state": {"value": {"nested": [1, 2]}}}),
        ),
        (slider.clone(), json!({"method": "update"})),
        (slider.clone(), json!({"state": {"value": 2.0}})),
        (
            slider.clone(),
            json!({"method": "custom", "content": megabyte}),
        ),
        (
            slider.clone(),
            json!({"method": "update", "state": {"value": 1e308}}),
        ),
    ];
    for (comm_id, data) in hostile {
        let request = kernel.shell(jupyter_protocol::CommMsg {
            comm_id,
            data: serde_json::from_value(data).unwrap(),
        });
        let iopub = kernel.iopub_for(&request).await;
        assert_eq!(types(&iopub).first(), Some(&"status"));
        assert_eq!(types(&iopub).last(), Some(&"status"));
    }
    assert_still_serving(&mut kernel).await;
}
