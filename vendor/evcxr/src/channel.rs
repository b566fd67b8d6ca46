// napkin patch (see NAPKIN.md at the crate root). Licensed as the rest of this crate.

//! The evaluation process's private channel to evcxr.
//!
//! Upstream, the process that runs cells speaks to evcxr through marker lines in the cell's own
//! stdout (`EVCXR_EXECUTION_COMPLETE`, `EVCXR_VARIABLE_CHANGED_TYPE:…`), so anything a cell
//! prints can speak that protocol too. Here the process keeps its real stdout for itself and
//! gives the cell new stdout and stderr pipes ([`install`]); a forwarder thread reads those and a
//! third, private pipe (its file descriptor is in [`CHANNEL_FD_ENV`]) and writes everything to
//! the real stdout as frames: one tag byte, a little-endian `u32` length, the payload.
//!
//! * `o` / `e`: bytes the cell wrote to stdout / stderr, exactly as written;
//! * `c`: one control message, `NAME` or `NAME rest` (see the constants below); anything that
//!   is not evcxr's own (an embedder's `MESSAGE …`) is handed to the embedder unread.
//!
//! Control messages are written to the private pipe as a `u32` length and the payload, after
//! the writer flushes its stdout; the writer then waits for the forwarder's one-byte
//! acknowledgement on a fourth pipe. So when the forwarder reads a message, everything its
//! writer printed before it is already in the stdout and stderr pipes, and nothing printed
//! after it is: the forwarder drains both pipes, then forwards the message, then acknowledges
//! it, and each message takes its place in the text. What a cell prints is therefore only ever
//! text: no printed line is read as an instruction. (Messages sent at the same moment from two
//! threads are ordered by the pipe; a message over `PIPE_BUF` bytes is not atomic, so
//! concurrent large messages from threads that do not share a writer are not supported.)

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};

use crate::eval_context::ChildOutput;

/// The environment variable that holds the private pipes' file descriptors in the evaluation
/// process, `SEND,ACK`: code running there writes control messages to `/dev/fd/<SEND>` and
/// reads each acknowledgement from `/dev/fd/<ACK>`.
pub(crate) const CHANNEL_FD_ENV: &str = "EVCXR_CHANNEL_FD";
/// The largest frame either side accepts: beyond it the frame is dropped (or, read by evcxr,
/// the channel is taken as broken).
pub(crate) const MAX_FRAME: usize = 256 << 20;

/// The cell's code returned; every byte it wrote has been forwarded.
pub(crate) const EXECUTION_COMPLETE: &str = "EVCXR_EXECUTION_COMPLETE";
/// The cell panicked (caught: its variables are handled as upstream).
pub(crate) const PANIC: &str = "EVCXR_PANIC";
/// `?` returned an error from the cell; the rest of the message is the error as formatted.
pub(crate) const USER_ERROR: &str = crate::evcxr_internal_runtime::USER_ERROR_OCCURRED;
/// `NAME:TYPE`: the type the compiler gave a new variable.
pub(crate) const VARIABLE_TYPE: &str = crate::evcxr_internal_runtime::VARIABLE_TYPE;
/// `NAME`: a stored variable's type changed, so it was lost.
pub(crate) const VARIABLE_CHANGED_TYPE: &str = crate::evcxr_internal_runtime::VARIABLE_CHANGED_TYPE;
/// What the cell shows next (content blocks) is its final value, not a mid-cell display.
pub(crate) const RESULT: &str = "EVCXR_RESULT";
/// The rest of the message is the embedder's, passed on as [`crate::ChildOutput::Message`].
pub(crate) const MESSAGE: &str = "MESSAGE";

/// What the forwarder wrote for evcxr to read.
#[derive(Debug)]
pub(crate) enum Frame {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Control(String),
}

/// Reads one frame. `Ok(None)` at a clean end of stream; an error for a malformed frame.
pub(crate) fn read_frame(from: &mut impl Read) -> std::io::Result<Option<Frame>> {
    let mut head = [0u8; 5];
    match from.read_exact(&mut head[..1]) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(error) => return Err(error),
    }
    from.read_exact(&mut head[1..])?;
    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
    let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    if len > MAX_FRAME {
        return Err(bad(format!(
            "a frame of {len} bytes (the limit is {MAX_FRAME})"
        )));
    }
    let mut payload = vec![0; len];
    from.read_exact(&mut payload)?;
    Ok(Some(match head[0] {
        b'o' => Frame::Stdout(payload),
        b'e' => Frame::Stderr(payload),
        b'c' => Frame::Control(String::from_utf8_lossy(&payload).into_owned()),
        tag => return Err(bad(format!("a frame tagged {tag:#x}"))),
    }))
}

fn write_frame(to: &mut impl Write, tag: u8, payload: &[u8]) -> std::io::Result<()> {
    let mut frame = Vec::with_capacity(payload.len() + 5);
    frame.push(tag);
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(payload);
    to.write_all(&frame)?;
    to.flush()
}

/// Sends a control message from the evaluation process itself (after [`install`]): the same
/// code the cells use, from `evcxr_internal_runtime`.
pub(crate) fn send(message: &str) {
    crate::evcxr_internal_runtime::control(message);
}

/// Gives the cell fresh stdout and stderr pipes and starts the forwarder (see the module
/// docs). Called once, first thing in the evaluation process.
#[cfg(unix)]
pub(crate) fn install() -> std::io::Result<()> {
    use std::os::fd::{FromRawFd, RawFd};

    fn check(result: libc::c_int) -> std::io::Result<libc::c_int> {
        if result < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(result)
        }
    }
    // A pipe whose ends are not inherited by processes a cell starts.
    fn pipe() -> std::io::Result<(RawFd, RawFd)> {
        let mut fds = [0; 2];
        // SAFETY: pipe(2) writes two descriptors into the array it is given.
        check(unsafe { libc::pipe(fds.as_mut_ptr()) })?;
        for fd in fds {
            // SAFETY: fcntl(2) on descriptors this function owns.
            check(unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) })?;
        }
        Ok((fds[0], fds[1]))
    }
    fn nonblocking(fd: RawFd) -> std::io::Result<()> {
        // SAFETY: fcntl(2) on a descriptor this module owns.
        let flags = check(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
        check(unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) }).map(|_| ())
    }

    // SAFETY: descriptors 1 and 2 exist (evcxr starts this process with both piped); every
    // other descriptor used here was just created and is owned by this function, then by the
    // `File`s made from it.
    unsafe {
        let real_stdout = check(libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3))?;
        let (stdout_read, stdout_write) = pipe()?;
        check(libc::dup2(stdout_write, 1))?;
        libc::close(stdout_write);
        let (stderr_read, stderr_write) = pipe()?;
        check(libc::dup2(stderr_write, 2))?;
        libc::close(stderr_write);
        let (control_read, control_write) = pipe()?;
        let (ack_read, ack_write) = pipe()?;
        nonblocking(stdout_read)?;
        nonblocking(stderr_read)?;
        // SAFETY (set_var): the evaluation process has started no other thread yet.
        std::env::set_var(CHANNEL_FD_ENV, format!("{control_write},{ack_read}"));
        let forwarder = Forwarder {
            out: File::from_raw_fd(real_stdout),
            stdout: File::from_raw_fd(stdout_read),
            stderr: File::from_raw_fd(stderr_read),
            control: File::from_raw_fd(control_read),
            ack: File::from_raw_fd(ack_write),
        };
        std::thread::Builder::new()
            .name("evcxr-forwarder".into())
            .spawn(move || forwarder.run())?;
    }
    Ok(())
}

#[cfg(unix)]
struct Forwarder {
    out: File,
    stdout: File,
    stderr: File,
    control: File,
    ack: File,
}

#[cfg(unix)]
impl Forwarder {
    fn run(mut self) {
        use std::os::fd::AsRawFd;
        let mut buffer = vec![0u8; 64 << 10];
        let (mut stdout_open, mut stderr_open, mut control_open) = (true, true, true);
        while stdout_open || stderr_open || control_open {
            let watch = |open: bool, file: &File| libc::pollfd {
                fd: if open { file.as_raw_fd() } else { -1 },
                events: libc::POLLIN,
                revents: 0,
            };
            let mut fds = [
                watch(stdout_open, &self.stdout),
                watch(stderr_open, &self.stderr),
                watch(control_open, &self.control),
            ];
            // SAFETY: poll(2) on an array of three pollfd structures.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), 3, -1) };
            if ready < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
            let readable = |i: usize| fds[i].revents & (libc::POLLIN | libc::POLLHUP) != 0;
            // Text in the pipes when a control message is readable was written before it (its
            // writer waits for the acknowledgement before it writes on).
            if readable(2) || readable(0) {
                stdout_open &= self.drain(b'o', &mut buffer);
            }
            if readable(2) || readable(1) {
                stderr_open &= self.drain(b'e', &mut buffer);
            }
            if readable(2) {
                control_open &= self.forward_control();
            }
        }
    }

    /// Forwards what `tag`'s pipe holds now; false once it is closed.
    fn drain(&mut self, tag: u8, buffer: &mut [u8]) -> bool {
        loop {
            let pipe = if tag == b'o' {
                &mut self.stdout
            } else {
                &mut self.stderr
            };
            match pipe.read(buffer) {
                Ok(0) => return false,
                Ok(n) => {
                    if write_frame(&mut self.out, tag, &buffer[..n]).is_err() {
                        return false;
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return true,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
    }

    /// Forwards one control message and acknowledges it; false once the pipe is closed or
    /// broken.
    fn forward_control(&mut self) -> bool {
        let forwarded = self.forward_message();
        forwarded && self.ack.write_all(&[1]).is_ok()
    }

    fn forward_message(&mut self) -> bool {
        let mut len = [0u8; 4];
        if self.control.read_exact(&mut len).is_err() {
            return false;
        }
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_FRAME {
            // Skip it: the next message starts after its bytes.
            let skipped = std::io::copy(
                &mut (&mut self.control).take(len as u64),
                &mut std::io::sink(),
            );
            let note = format!("evcxr: a control message of {len} bytes was dropped\n");
            let _ = write_frame(&mut self.out, b'e', note.as_bytes());
            return skipped.is_ok_and(|n| n == len as u64);
        }
        let mut payload = vec![0u8; len];
        if self.control.read_exact(&mut payload).is_err() {
            return false;
        }
        write_frame(&mut self.out, b'c', &payload).is_ok()
    }
}

/// The longest line kept whole: longer text is shown in pieces of this size.
const MAX_LINE: usize = 1 << 20;

/// Turns a running cell's frames into [`ChildOutput`]s, in order: whole lines of text; content
/// blocks (`EVCXR_BEGIN_CONTENT mime` … `EVCXR_END_CONTENT`) grouped into one display each, or,
/// after [`RESULT`], into the cell's value; a line's start flushed at each control message and
/// at the end. Content blocks can only ever show something: they are evcxr's display protocol,
/// which crates written for evcxr print.
pub(crate) struct OutputSink<'a> {
    callback: Option<&'a dyn Fn(ChildOutput)>,
    stdout_sender: &'a crossbeam_channel::Sender<String>,
    stderr_sender: &'a crossbeam_channel::Sender<String>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// An open content block: its MIME type and content so far.
    block: Option<(String, String)>,
    /// Finished blocks not shown yet (one display).
    group: Vec<(String, String)>,
    /// Blocks from here on are the cell's value.
    pub(crate) result_follows: bool,
    /// The cell's value, by MIME type.
    pub(crate) result: HashMap<String, String>,
}

impl<'a> OutputSink<'a> {
    pub(crate) fn new(
        callback: Option<&'a dyn Fn(ChildOutput)>,
        stdout_sender: &'a crossbeam_channel::Sender<String>,
        stderr_sender: &'a crossbeam_channel::Sender<String>,
    ) -> Self {
        Self {
            callback,
            stdout_sender,
            stderr_sender,
            stdout: Vec::new(),
            stderr: Vec::new(),
            block: None,
            group: Vec::new(),
            result_follows: false,
            result: HashMap::new(),
        }
    }

    pub(crate) fn stdout(&mut self, bytes: &[u8]) {
        self.stdout.extend_from_slice(bytes);
        while let Some(end) = self.stdout.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.stdout.drain(..=end).collect();
            self.stdout_line(String::from_utf8_lossy(&line[..end]).into_owned());
        }
        if self.stdout.len() > MAX_LINE {
            let text = String::from_utf8_lossy(&std::mem::take(&mut self.stdout)).into_owned();
            self.show_group();
            self.emit(ChildOutput::Stdout(text));
        }
    }

    fn stdout_line(&mut self, line: String) {
        if let Some((_, content)) = &mut self.block {
            if line == "EVCXR_END_CONTENT" {
                let (mime, content) = self.block.take().unwrap_or_default();
                self.finish_block(mime, content);
            } else if content.len() + line.len() < MAX_FRAME {
                if !content.is_empty() {
                    content.push('\n');
                }
                content.push_str(&line);
            }
            return;
        }
        if let Some(mime) = line.strip_prefix("EVCXR_BEGIN_CONTENT ")
            && !mime.is_empty()
            && !mime.contains(char::is_whitespace)
        {
            self.block = Some((mime.to_owned(), String::new()));
            return;
        }
        self.show_group();
        self.emit(ChildOutput::Stdout(line + "\n"));
    }

    fn finish_block(&mut self, mime: String, content: String) {
        if self.result_follows {
            self.result.insert(mime, content);
            return;
        }
        if self.group.iter().any(|(m, _)| *m == mime) {
            self.show_group();
        }
        self.group.push((mime, content));
    }

    fn show_group(&mut self) {
        if !self.group.is_empty() {
            let group = std::mem::take(&mut self.group);
            self.emit(ChildOutput::Display(group));
        }
    }

    pub(crate) fn stderr(&mut self, bytes: &[u8]) {
        self.stderr.extend_from_slice(bytes);
        let whole = match self.stderr.iter().rposition(|&b| b == b'\n') {
            Some(end) => end + 1,
            None if self.stderr.len() > MAX_LINE => self.stderr.len(),
            None => return,
        };
        let text: Vec<u8> = self.stderr.drain(..whole).collect();
        self.emit(ChildOutput::Stderr(
            String::from_utf8_lossy(&text).into_owned(),
        ));
    }

    /// Shows everything held back: called before each control message and at the end.
    pub(crate) fn flush(&mut self) {
        if let Some((mime, content)) = self.block.take() {
            // An unfinished block is only text.
            self.show_group();
            let mut text = format!("EVCXR_BEGIN_CONTENT {mime}\n");
            if !content.is_empty() {
                text.push_str(&content);
                text.push('\n');
            }
            self.emit(ChildOutput::Stdout(text));
        }
        self.show_group();
        if !self.stdout.is_empty() {
            let text = String::from_utf8_lossy(&std::mem::take(&mut self.stdout)).into_owned();
            self.emit(ChildOutput::Stdout(text));
        }
        if !self.stderr.is_empty() {
            let text = String::from_utf8_lossy(&std::mem::take(&mut self.stderr)).into_owned();
            self.emit(ChildOutput::Stderr(text));
        }
    }

    pub(crate) fn emit(&self, output: ChildOutput) {
        if let Some(callback) = self.callback {
            callback(output);
            return;
        }
        // Upstream's way: lines on the output channels (errors mean nobody listens).
        match output {
            ChildOutput::Stdout(text) => {
                for line in text.lines() {
                    let _ = self.stdout_sender.send(line.to_owned());
                }
            }
            ChildOutput::Stderr(text) => {
                for line in text.lines() {
                    let _ = self.stderr_sender.send(line.to_owned());
                }
            }
            ChildOutput::Display(_) | ChildOutput::Message(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_bad_ones_are_refused() {
        let mut bytes = Vec::new();
        write_frame(&mut bytes, b'o', b"hello\n").unwrap();
        write_frame(&mut bytes, b'c', b"EVCXR_RESULT").unwrap();
        let mut reader = &bytes[..];
        assert!(
            matches!(read_frame(&mut reader).unwrap(), Some(Frame::Stdout(b)) if b == b"hello\n")
        );
        assert!(matches!(read_frame(&mut reader).unwrap(), Some(Frame::Control(c)) if c == RESULT));
        assert!(read_frame(&mut reader).unwrap().is_none());
        let huge = [b'o', 0xff, 0xff, 0xff, 0xff];
        assert!(read_frame(&mut &huge[..]).is_err());
        let untagged = [b'x', 0, 0, 0, 0];
        assert!(read_frame(&mut &untagged[..]).is_err());
    }

    #[test]
    fn printed_text_is_text_and_content_blocks_only_display() {
        let shown = std::cell::RefCell::new(Vec::new());
        let record = |output: ChildOutput| shown.borrow_mut().push(output);
        let (stdout, _a) = crossbeam_channel::unbounded();
        let (stderr, _b) = crossbeam_channel::unbounded();
        let mut sink = OutputSink::new(Some(&record), &stdout, &stderr);
        sink.stdout(b"EVCXR_VARIABLE_TYPE:body:u32\nEVCXR_EXECUTION_COMPLETE\nhal");
        sink.stdout(b"f\nEVCXR_BEGIN_CONTENT text/html\n<b>hi</b>\nEVCXR_END_CONTENT\n");
        sink.stdout(b"EVCXR_BEGIN_CONTENT text/plain\nhi\nEVCXR_END_CONTENT\ntail");
        sink.flush();
        sink.result_follows = true;
        sink.stdout(b"EVCXR_BEGIN_CONTENT text/plain\n42\nEVCXR_END_CONTENT\n");
        sink.flush();
        let text = |t: &str| ChildOutput::Stdout(t.to_owned());
        assert_eq!(
            *shown.borrow(),
            vec![
                text("EVCXR_VARIABLE_TYPE:body:u32\n"),
                text("EVCXR_EXECUTION_COMPLETE\n"),
                text("half\n"),
                ChildOutput::Display(vec![
                    ("text/html".into(), "<b>hi</b>".into()),
                    ("text/plain".into(), "hi".into())
                ]),
                text("tail"),
            ]
        );
        assert_eq!(
            sink.result.get("text/plain").map(String::as_str),
            Some("42")
        );
    }
}
