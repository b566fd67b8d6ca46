//! Shared helpers for the integration tests: spawn the real `napkin-kernel` binary on free
//! local ports and talk to it as a Jupyter client over real ZeroMQ sockets.

#![allow(dead_code)] // Each test file uses a different subset.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use jupyter_protocol::{
    ConnectionInfo, ExecuteRequest, ExecutionState, JupyterMessage, JupyterMessageContent,
    Transport,
};
use jupyter_zmq_client::{
    ClientControlConnection, ClientIoPubConnection, ClientShellConnection,
    create_client_control_connection, create_client_iopub_connection,
    create_client_shell_connection_with_identity, peek_ports, peer_identity_for_session,
    wait_for_iopub_welcome,
};
use serde_json::Value;

/// Generous: a first evaluation may wait for a busy machine.
pub const FIRST_EVAL: Duration = Duration::from_secs(300);
/// Later evaluations.
pub const EVAL: Duration = Duration::from_secs(120);
/// Requests that never touch the evaluator.
pub const QUICK: Duration = Duration::from_secs(10);

/// A running kernel process and its connection file.
pub struct KernelProcess {
    /// The kernel process.
    pub child: tokio::process::Child,
    /// What its connection file says.
    pub connection: ConnectionInfo,
    /// When it was spawned, for start-up timings.
    pub spawned_at: Instant,
    stderr_log: PathBuf,
    _dir: tempfile::TempDir,
}

/// Held for its whole run by a test that builds into the shared test cache's build directory
/// (an upgrade of napkin, `cache --clean`) and by one that checks that nothing does: the two
/// would otherwise race, as tests of one binary run in parallel.
pub static BUILD_DIR: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The kernel cache every test kernel uses (`NAPKIN_KERNEL_CACHE`): emptied when the test
/// binary first needs it, then warmed once with `napkin-kernel warm`, as a new user's setup
/// does. Tests therefore start from an empty cache, whatever the developer's machine holds,
/// and share one build of the dependencies, as sessions do.
pub fn fresh_cache() -> PathBuf {
    static CACHE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CACHE
        .get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("napkin-kernel-cache");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let started = Instant::now();
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_napkin-kernel"))
                .arg("warm")
                .env("NAPKIN_KERNEL_CACHE", &dir)
                .output()
                .expect("run napkin-kernel warm");
            assert!(
                output.status.success(),
                "napkin-kernel warm failed:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            println!(
                "warmed a fresh kernel cache in {:.0} s",
                started.elapsed().as_secs_f64()
            );
            dir
        })
        .clone()
}

/// A crate `name` in a temporary directory, with `lib_rs` as its source, for `:dep` by path.
pub fn path_crate(name: &str, lib_rs: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), lib_rs).unwrap();
    dir
}

/// The `matches` of a `complete_reply`'s content.
pub fn completion_matches(reply: &Value) -> Vec<&str> {
    reply["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// An empty directory standing in for the `rust-src` component: a new user's rustup
/// (default profile) has none. The kernel must not need it; pointing `RUST_SRC_PATH` here
/// hides the developer's copy from anything that would look.
pub fn no_rust_src() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

impl KernelProcess {
    /// Writes a connection file for free ports on 127.0.0.1 and starts the kernel binary.
    pub async fn spawn() -> Self {
        Self::spawn_with_env(&[]).await
    }

    /// [`KernelProcess::spawn`] with extra environment variables.
    pub async fn spawn_with_env(env: &[(&str, &std::ffi::OsStr)]) -> Self {
        Self::spawn_in(None, env).await
    }

    /// [`KernelProcess::spawn`] in working directory `cwd` (default: this process's), with
    /// extra environment variables, on the tests' [`fresh_cache`] and without `rust-src`.
    pub async fn spawn_in(cwd: Option<&std::path::Path>, env: &[(&str, &std::ffi::OsStr)]) -> Self {
        let cache = tokio::task::spawn_blocking(fresh_cache).await.unwrap();
        let dir = tempfile::tempdir().expect("temp dir");
        let stderr_log = dir.path().join("kernel-stderr.log");
        let cwd = cwd.map_or_else(|| std::env::current_dir().unwrap(), Into::into);
        // Ports are free when chosen but nothing holds them until the kernel binds; on a busy
        // machine another process can take one first. The kernel then exits ("cannot bind"),
        // and the next attempt picks new ports, as a notebook server's restart would.
        let mut attempt = 1;
        loop {
            let (connection, path) = connection_file(dir.path()).await;
            let stderr = std::fs::File::create(&stderr_log).unwrap();
            let spawned_at = Instant::now();
            let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_napkin-kernel"))
                .arg("--connection-file")
                .arg(&path)
                .env("NAPKIN_KERNEL_CACHE", &cache)
                .env("RUST_SRC_PATH", no_rust_src())
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .kill_on_drop(true)
                .current_dir(&cwd)
                .spawn()
                .expect("spawn napkin-kernel");
            let bound = wait_until_bound(&mut child, &connection).await;
            let port_taken = !bound
                && std::fs::read_to_string(&stderr_log)
                    .is_ok_and(|log| log.contains("cannot bind"));
            if port_taken && attempt < 3 {
                attempt += 1;
                continue;
            }
            return Self {
                child,
                connection,
                spawned_at,
                stderr_log,
                _dir: dir,
            };
        }
    }

    /// Connects a client (shell, IOPub after its welcome, control).
    pub async fn connect(&self) -> Client {
        Client::connect(&self.connection).await
    }

    /// The kernel's stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// Waits for the process to exit and returns whether it exited successfully.
    pub async fn wait_for_exit(&mut self, within: Duration) -> bool {
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .expect("kernel process exits in time")
            .expect("wait for kernel");
        status.success()
    }
}

impl Drop for KernelProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("---- napkin-kernel stderr ----\n{}", self.stderr());
        }
    }
}

/// Writes a connection file for free ports on 127.0.0.1 into `dir`.
pub async fn connection_file(dir: &std::path::Path) -> (ConnectionInfo, PathBuf) {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let ports = peek_ports(ip, 5).await.expect("free ports");
    let connection = ConnectionInfo {
        ip: ip.to_string(),
        transport: Transport::TCP,
        shell_port: ports[0],
        iopub_port: ports[1],
        stdin_port: ports[2],
        control_port: ports[3],
        hb_port: ports[4],
        key: uuid::Uuid::new_v4().to_string(),
        signature_scheme: "hmac-sha256".into(),
        kernel_name: Some("napkin".into()),
    };
    let path = dir.join("connection.json");
    std::fs::write(&path, serde_json::to_string(&connection).unwrap()).unwrap();
    (connection, path)
}

/// Waits until the kernel listens on all five ports (true) or has exited (false).
async fn wait_until_bound(child: &mut tokio::process::Child, connection: &ConnectionInfo) -> bool {
    let ports = [
        connection.shell_port,
        connection.iopub_port,
        connection.stdin_port,
        connection.control_port,
        connection.hb_port,
    ];
    let deadline = Instant::now() + QUICK;
    loop {
        if child.try_wait().expect("poll napkin-kernel").is_some() {
            return false;
        }
        let Some(listening) = listening_ports() else {
            return true; // No /proc/net/tcp: the client's connect retries will tell.
        };
        if ports.iter().all(|port| listening.contains(port)) || Instant::now() > deadline {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The local TCP ports in LISTEN state on this machine, from `/proc/net/tcp`.
fn listening_ports() -> Option<std::collections::HashSet<u16>> {
    const LISTEN: &str = "0A";
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    Some(
        table
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut fields = line.split_whitespace();
                let local = fields.nth(1)?;
                let state = fields.nth(1)?;
                let port = u16::from_str_radix(local.rsplit(':').next()?, 16).ok()?;
                (state == LISTEN).then_some(port)
            })
            .collect(),
    )
}

/// A Jupyter client connected to one kernel.
pub struct Client {
    /// This client's session id.
    pub session: String,
    /// Requests and replies.
    pub shell: ClientShellConnection,
    /// Broadcasts, subscribed to everything.
    pub iopub: ClientIoPubConnection,
    /// Urgent requests.
    pub control: ClientControlConnection,
    /// IOPub messages received but not yet claimed.
    pending: Vec<JupyterMessage>,
}

/// What a cell produced: the reply content and its IOPub messages (busy … idle).
pub struct Execution {
    /// The `execute_reply` content.
    pub reply: Value,
    /// The request's IOPub messages, busy to idle.
    pub iopub: Vec<JupyterMessage>,
}

impl Execution {
    /// The reply's `status`.
    pub fn status(&self) -> &str {
        self.reply["status"].as_str().unwrap_or("")
    }

    /// The `execute_result`'s MIME bundle, if any.
    pub fn result_data(&self) -> Option<Value> {
        self.iopub.iter().find_map(|m| match &m.content {
            JupyterMessageContent::ExecuteResult(result) => serde_json::to_value(&result.data).ok(),
            _ => None,
        })
    }

    /// The `text/plain` of the `execute_result`, if any.
    pub fn result_text(&self) -> Option<String> {
        self.result_data()?["text/plain"]
            .as_str()
            .map(str::to_owned)
    }

    /// Concatenated text written to `stream` ("stdout" or "stderr").
    pub fn stream(&self, stream: &str) -> String {
        self.iopub
            .iter()
            .filter_map(|m| match &m.content {
                JupyterMessageContent::StreamContent(s) => {
                    let name = serde_json::to_value(&s.name).ok()?;
                    (name == stream).then(|| s.text.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// The message types published, in order.
    pub fn types(&self) -> Vec<String> {
        self.iopub
            .iter()
            .map(|m| m.header.msg_type.clone())
            .collect()
    }
}

impl Client {
    /// Connects to `connection` and waits for IOPub's welcome (JEP 65).
    pub async fn connect(connection: &ConnectionInfo) -> Self {
        let session = uuid::Uuid::new_v4().to_string();
        let identity = peer_identity_for_session(&session).unwrap();
        let shell = retry("shell", || {
            create_client_shell_connection_with_identity(connection, &session, identity.clone())
        })
        .await;
        let mut iopub = retry("iopub", || {
            create_client_iopub_connection(connection, "", &session)
        })
        .await;
        let control = retry("control", || {
            create_client_control_connection(connection, &session)
        })
        .await;
        let welcome = wait_for_iopub_welcome(&mut iopub, QUICK)
            .await
            .expect("iopub readable");
        assert_eq!(
            welcome.as_deref(),
            Some(""),
            "iopub_welcome for the empty topic"
        );
        Self {
            session,
            shell,
            iopub,
            control,
            pending: Vec::new(),
        }
    }

    /// Sends `content` on shell and returns the request (for matching replies).
    pub async fn send_shell(
        &mut self,
        content: impl Into<JupyterMessageContent>,
    ) -> JupyterMessage {
        let request = JupyterMessage::new(content.into(), None);
        self.shell.send(request.clone()).await.expect("shell send");
        request
    }

    /// Sends `content` on control and returns the request.
    pub async fn send_control(
        &mut self,
        content: impl Into<JupyterMessageContent>,
    ) -> JupyterMessage {
        let request = JupyterMessage::new(content.into(), None);
        self.control
            .send(request.clone())
            .await
            .expect("control send");
        request
    }

    /// The shell reply to `request`.
    pub async fn shell_reply(
        &mut self,
        request: &JupyterMessage,
        within: Duration,
    ) -> JupyterMessage {
        reply_on(&mut self.shell, "shell", request, within).await
    }

    /// The control reply to `request`.
    pub async fn control_reply(
        &mut self,
        request: &JupyterMessage,
        within: Duration,
    ) -> JupyterMessage {
        reply_on(&mut self.control, "control", request, within).await
    }

    /// Waits for the first IOPub message for `request` satisfying `wanted`.
    pub async fn wait_iopub(
        &mut self,
        request: &JupyterMessage,
        within: Duration,
        wanted: impl Fn(&JupyterMessage) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + within;
        while !self
            .pending
            .iter()
            .any(|m| is_child_of(m, request) && wanted(m))
        {
            let message = tokio::time::timeout_at(deadline, self.iopub.read())
                .await
                .expect("iopub message in time")
                .expect("iopub read");
            self.pending.push(message);
        }
    }

    /// IOPub messages for `request`, from busy up to and including idle.
    pub async fn iopub_until_idle(
        &mut self,
        request: &JupyterMessage,
        within: Duration,
    ) -> Vec<JupyterMessage> {
        self.wait_iopub(request, within, |m| {
            matches!(&m.content, JupyterMessageContent::Status(s) if s.execution_state == ExecutionState::Idle)
        })
        .await;
        let (mine, others) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|m| is_child_of(m, request));
        self.pending = others;
        mine
    }

    /// Runs `code` and collects its reply and IOPub messages.
    pub async fn execute(&mut self, code: &str, within: Duration) -> Execution {
        let request = self.send_shell(ExecuteRequest::new(code.into())).await;
        self.collect(&request, within).await
    }

    /// Collects the reply and IOPub messages of an already sent execute request.
    pub async fn collect(&mut self, request: &JupyterMessage, within: Duration) -> Execution {
        let reply = self.shell_reply(request, within).await;
        let iopub = self.iopub_until_idle(request, QUICK).await;
        Execution {
            reply: serde_json::to_value(&reply.content).unwrap(),
            iopub,
        }
    }
}

/// Retries connecting until the kernel has bound its sockets (as libzmq clients do).
async fn retry<T, F, Fut>(socket: &str, mut connect: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = jupyter_zmq_client::Result<T>>,
{
    let deadline = Instant::now() + QUICK;
    loop {
        match connect().await {
            Ok(connection) => return connection,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => panic!("cannot connect the {socket} socket: {error}"),
        }
    }
}

/// Whether `message` answers `request`.
/// The first message on `socket` (shell or control, both dealers) that answers `request`.
async fn reply_on(
    socket: &mut ClientShellConnection,
    name: &str,
    request: &JupyterMessage,
    within: Duration,
) -> JupyterMessage {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let reply = tokio::time::timeout_at(deadline, socket.read())
            .await
            .unwrap_or_else(|_| panic!("no {} reply within {within:?}", request.header.msg_type))
            .unwrap_or_else(|e| panic!("{name} read: {e}"));
        if is_child_of(&reply, request) {
            return reply;
        }
    }
}

pub fn is_child_of(message: &JupyterMessage, request: &JupyterMessage) -> bool {
    message
        .parent_header
        .as_ref()
        .is_some_and(|parent| parent.msg_id == request.header.msg_id)
}
