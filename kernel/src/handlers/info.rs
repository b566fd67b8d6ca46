//! Requests answered from kernel state alone: `kernel_info`, `comm_info`, `history`.

use jupyter_protocol::{CommInfoReply, CommInfoRequest, HistoryReply, HistoryRequest};

use super::{Flow, Request};
use crate::protocol;

/// `kernel_info_request` (shell or control): who we are, answered at once.
pub(super) fn kernel_info(request: &Request<'_>) -> Flow {
    request.reply(request.shared.kernel_info.clone());
    Flow::Continue
}

/// `comm_info_request`: the open comms (widget models and the control comm), of the
/// requested target if one is given.
pub(super) fn comm_info(request: &Request<'_>, content: &CommInfoRequest) -> Flow {
    let reply: CommInfoReply = request
        .shared
        .widgets
        .comm_info(content.target_name.as_deref());
    request.reply(reply);
    Flow::Continue
}

/// `history_request`: this process's stored inputs (`tail`, `range` or `search`).
pub(super) fn history(request: &Request<'_>, content: &HistoryRequest) -> Flow {
    let history = request.shared.history();
    let (entries, output) = match content {
        HistoryRequest::Tail { n, output, .. } => (history.tail(*n), *output),
        HistoryRequest::Range {
            session,
            start,
            stop,
            output,
            ..
        } => (history.range(*session, *start, *stop), *output),
        HistoryRequest::Search {
            pattern,
            unique,
            output,
            n,
            ..
        } => (history.search(pattern, *n, *unique), *output),
    };
    let reply = HistoryReply::new(protocol::history_entries(&entries, output));
    drop(history);
    request.reply(reply);
    Flow::Continue
}
