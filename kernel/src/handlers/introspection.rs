//! Requests about code that has not run: `is_complete`, `complete`, `inspect`.
//!
//! Cursor positions arrive and leave as Unicode code points; the evaluator works in bytes.

use jupyter_protocol::{
    CompleteRequest, InspectReply, InspectRequest, IsCompleteRequest, ReplyStatus,
};

use super::{Flow, Request};
use crate::is_complete::is_complete as judge;
use crate::{offsets, protocol};

/// `is_complete_request`: answered by the lexer, without the evaluator.
pub(super) fn is_complete(request: &Request<'_>, content: &IsCompleteRequest) -> Flow {
    request.reply(protocol::is_complete_reply(judge(&content.code)));
    Flow::Continue
}

/// `complete_request`: candidates from the evaluator.
pub(super) async fn complete(request: &Request<'_>, content: &CompleteRequest) -> Flow {
    let cursor = offsets::byte_offset(&content.code, content.cursor_pos);
    let found = request
        .shared
        .evaluator
        .complete(content.code.clone(), cursor)
        .await;
    request.reply(protocol::complete_reply(&content.code, found));
    Flow::Continue
}

/// `inspect_request`: documentation from the evaluator.
pub(super) async fn inspect(request: &Request<'_>, content: &InspectRequest) -> Flow {
    let cursor = offsets::byte_offset(&content.code, content.cursor_pos);
    let docs = request
        .shared
        .evaluator
        .inspect(content.code.clone(), cursor)
        .await;
    request.reply(InspectReply {
        found: docs.is_some(),
        data: docs.as_ref().map(protocol::media).unwrap_or_default(),
        metadata: Default::default(),
        status: ReplyStatus::Ok,
        error: None,
    });
    Flow::Continue
}
