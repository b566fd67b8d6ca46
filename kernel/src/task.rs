//! The kernel's long-running tasks: a panic is contained where it happens and reported,
//! never silent.
//!
//! [`catch_panic`] turns a panic inside a future into an error value: the handlers use it
//! around each request, so a bug triggered by one request fails that request only. [`spawn`]
//! runs a task that must live as long as the kernel (a socket reader, the shell router) and
//! reports how it ended as a [`TaskEnded`], which the kernel turns into a logged exit: a kernel
//! whose reader died would otherwise accept connections and answer nothing.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::task::Poll;

use tokio::task::JoinHandle;

/// One of the kernel's tasks stopped while the kernel was still serving.
#[derive(Debug, thiserror::Error)]
#[error("the {task} stopped unexpectedly ({why})")]
pub struct TaskEnded {
    /// Which task, e.g. `shell reader`.
    pub task: &'static str,
    /// What happened, e.g. `it panicked: index out of bounds`.
    pub why: String,
}

/// Runs `future` to completion; a panic while polling it becomes `Err` with the panic's
/// message (and the future is not polled again).
pub async fn catch_panic<T>(future: impl Future<Output = T>) -> Result<T, String> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    })
    .await
}

/// Spawns the task called `name`. Its handle yields what `future` returned, or a
/// [`TaskEnded`] if it panicked.
pub fn spawn<T: Send + 'static>(
    name: &'static str,
    future: impl Future<Output = T> + Send + 'static,
) -> JoinHandle<Result<T, TaskEnded>> {
    tokio::spawn(async move {
        catch_panic(future).await.map_err(|message| TaskEnded {
            task: name,
            why: format!("it panicked: {message}"),
        })
    })
}

/// The text a panic was raised with (`panic!("…")` and most std panics carry one).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_its_message_and_a_value_passes_through() {
        assert_eq!(catch_panic(async { 7 }).await, Ok(7));
        let caught = catch_panic(async {
            tokio::task::yield_now().await;
            let bounds = (3.0_f64, 1.0_f64);
            2.0_f64.clamp(bounds.0, bounds.1)
        })
        .await;
        assert!(caught.unwrap_err().contains("min > max"));
        let caught = catch_panic(async { panic!("{} went wrong", "it") }).await;
        assert_eq!(caught, Err::<(), _>("it went wrong".to_owned()));
    }

    #[tokio::test]
    async fn a_spawned_task_that_panics_says_which_it_was() {
        let ended = spawn("shell reader", async { panic!("boom") })
            .await
            .expect("the task is not cancelled");
        let ended: TaskEnded = ended.unwrap_err();
        assert_eq!(ended.task, "shell reader");
        assert_eq!(
            ended.to_string(),
            "the shell reader stopped unexpectedly (it panicked: boom)"
        );
    }
}
