//! End-to-end tests: the real `napkin-kernel` binary, the real evcxr evaluator, a Jupyter
//! client over real ZeroMQ sockets on 127.0.0.1.
//!
//! Real evaluations cost a compile each (the first one much more), so one test runs a whole
//! notebook session on one kernel, and another checks everything that needs no evaluation.

mod util;

use std::time::{Duration, Instant};

use jupyter_protocol::{
    CommInfoRequest, CompleteRequest, HistoryRequest, InterruptRequest, IsCompleteRequest,
    JupyterMessageContent, KernelInfoRequest, ShutdownRequest,
};
use serde_json::json;
use zeromq::{SocketRecv, SocketSend};

use util::{EVAL, Execution, FIRST_EVAL, KernelProcess, QUICK};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_requests_are_answered_without_waiting_for_the_evaluator() {
    let mut kernel = KernelProcess::spawn().await;
    let mut client = kernel.connect().await;

    let request = client.send_shell(KernelInfoRequest {}).await;
    let reply = client.shell_reply(&request, QUICK).await;
    println!(
        "spawn → kernel_info_reply: {:?}",
        kernel.spawned_at.elapsed()
    );
    let info = serde_json::to_value(&reply.content).unwrap();
    assert_eq!(info["implementation"], "napkin");
    assert_eq!(info["protocol_version"], "5.3");
    assert_eq!(info["language_info"]["name"], "rust");
    assert_eq!(info["language_info"]["file_extension"], ".rs");
    assert!(
        info["language_info"]["version"]
            .as_str()
            .unwrap()
            .starts_with("1.")
    );
    let status = client.iopub_until_idle(&request, QUICK).await;
    assert_eq!(
        status.first().map(|m| m.header.msg_type.as_str()),
        Some("status")
    );

    // Heartbeat echoes exactly what it receives.
    let mut heartbeat = jupyter_zmq_client::create_client_heartbeat_connection(&kernel.connection)
        .await
        .unwrap();
    heartbeat
        .socket
        .send(zeromq::ZmqMessage::from(b"napkin-ping".to_vec()))
        .await
        .unwrap();
    let echo = tokio::time::timeout(QUICK, heartbeat.socket.recv())
        .await
        .expect("heartbeat in time")
        .unwrap();
    assert_eq!(
        echo.get(0).map(|frame| frame.to_vec()),
        Some(b"napkin-ping".to_vec())
    );

    let request = client.send_control(KernelInfoRequest {}).await;
    let reply = client.control_reply(&request, QUICK).await;
    assert_eq!(reply.header.msg_type, "kernel_info_reply");

    for (code, status, indent) in [
        ("let x = 1;", "complete", ""),
        ("fn main() {", "incomplete", "    "),
        ("let s = r#\"unterminated", "incomplete", ""),
        ("let x =", "incomplete", "    "),
        ("foo(]", "invalid", ""),
    ] {
        let request = client
            .send_shell(IsCompleteRequest { code: code.into() })
            .await;
        let reply =
            serde_json::to_value(client.shell_reply(&request, QUICK).await.content).unwrap();
        assert_eq!(
            (reply["status"].as_str(), reply["indent"].as_str()),
            (Some(status), Some(indent)),
            "{code:?}"
        );
    }

    let request = client
        .send_shell(CommInfoRequest { target_name: None })
        .await;
    let reply = serde_json::to_value(client.shell_reply(&request, QUICK).await.content).unwrap();
    assert_eq!(reply["status"], "ok");
    assert_eq!(reply["comms"], json!({}));

    let request = client
        .send_shell(HistoryRequest::Tail {
            n: 10,
            output: false,
            raw: true,
        })
        .await;
    let reply = serde_json::to_value(client.shell_reply(&request, QUICK).await.content).unwrap();
    assert_eq!(reply["history"], json!([]));

    let request = client
        .send_control(ShutdownRequest { restart: false })
        .await;
    let reply = serde_json::to_value(client.control_reply(&request, QUICK).await.content).unwrap();
    assert_eq!(reply["status"], "ok");
    assert_eq!(reply["restart"], false);
    assert!(
        kernel.wait_for_exit(Duration::from_secs(30)).await,
        "clean exit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notebook_session_runs_rust() {
    let mut kernel = KernelProcess::spawn().await;
    let mut client = kernel.connect().await;

    // The first evaluation waits for evcxr to finish starting.
    let started = Instant::now();
    let cell = client.execute("1 + 1", FIRST_EVAL).await;
    println!(
        "first evaluation (including evcxr start-up): {:?}",
        started.elapsed()
    );
    assert_eq!(cell.status(), "ok", "{}", cell.reply);
    assert_eq!(cell.reply["execution_count"], 1);
    assert_eq!(cell.result_text().as_deref(), Some("2"));
    // (A cold build cache adds a note and compile progress on stderr before the result.)
    let types: Vec<String> = cell.types().into_iter().filter(|t| t != "stream").collect();
    assert_eq!(
        types,
        ["status", "execute_input", "execute_result", "status"]
    );

    // Streams arrive in order within each stream.
    let cell = client
        .execute("println!(\"a\"); eprintln!(\"b\"); println!(\"c\");", EVAL)
        .await;
    assert_eq!(cell.status(), "ok", "{}", cell.reply);
    assert_eq!(cell.stream("stdout"), "a\nc\n");
    assert_eq!(cell.stream("stderr"), "b\n");

    let cell = client.execute("let abc_def = 1;", EVAL).await;
    assert_eq!(cell.status(), "ok", "{}", cell.reply);

    // A compile error is an error reply with the compiler's message.
    let cell = client.execute("let wrong: i32 = \"text\";", EVAL).await;
    assert_eq!(cell.status(), "error");
    assert_eq!(cell.reply["ename"], "CompileError");
    assert!(
        cell.reply["evalue"]
            .as_str()
            .unwrap()
            .contains("mismatched types"),
        "{}",
        cell.reply
    );
    assert!(cell.types().contains(&"error".to_owned()));

    // A panic is an error, and earlier variables survive it.
    let cell = client.execute("panic!(\"boom\");", EVAL).await;
    assert_eq!(
        cell.status(),
        "error",
        "{} {:?} stderr={:?} stdout={:?}",
        cell.reply,
        cell.types(),
        cell.stream("stderr"),
        cell.stream("stdout")
    );
    assert_eq!(cell.reply["ename"], "Panic");
    assert!(
        cell.reply["evalue"].as_str().unwrap().contains("boom"),
        "{}",
        cell.reply
    );
    let cell = client.execute("abc_def + 41", EVAL).await;
    assert_eq!(cell.result_text().as_deref(), Some("42"), "{}", cell.reply);

    // Completion of a variable defined in an earlier cell.
    let request = client
        .send_shell(CompleteRequest {
            code: "abc_".into(),
            cursor_pos: 4,
        })
        .await;
    let reply = serde_json::to_value(client.shell_reply(&request, EVAL).await.content).unwrap();
    assert_eq!(reply["status"], "ok");
    assert_eq!(reply["cursor_end"], 4);
    let matches = util::completion_matches(&reply);
    assert!(matches.contains(&"abc_def"), "{reply}");
    assert_eq!(reply["cursor_start"], 0);

    // History lists this session's cells.
    let request = client
        .send_shell(HistoryRequest::Tail {
            n: 100,
            output: false,
            raw: true,
        })
        .await;
    let reply = serde_json::to_value(client.shell_reply(&request, QUICK).await.content).unwrap();
    let history = reply["history"].as_array().unwrap();
    assert_eq!(history.len(), 6, "{reply}");
    assert_eq!(history[0], json!([1, 1, "1 + 1"]));
    assert_eq!(history[5], json!([1, 6, "abc_def + 41"]));

    // An endless loop is interrupted; the kernel is idle again within seconds.
    interrupt_an_endless_loop(&mut client).await;

    // A cell interrupted while it compiles (here: a constant that takes forever to evaluate)
    // never runs, and the variables defined before it are kept.
    let cell = client.execute("let kept = 41;", EVAL).await;
    assert_eq!(cell.status(), "ok", "{}", cell.reply);
    let slow = client
        .send_shell(jupyter_protocol::ExecuteRequest::new(
            "#[allow(long_running_const_eval)]\n\
             const SLOW: u64 = { let mut i = 0u64; let mut x = 0u64; \
             while i < 50_000_000_000 { x = x.wrapping_add(i ^ (x >> 3)); i += 1; } x };\n\
             SLOW"
                .into(),
        ))
        .await;
    let kernel_pid = kernel.child.id().expect("the kernel is running");
    let compiling_since = Instant::now();
    while !rustc_running_under(kernel_pid) {
        assert!(
            compiling_since.elapsed() < EVAL,
            "the slow cell never started compiling"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let request = client.send_control(InterruptRequest {}).await;
    client.control_reply(&request, QUICK).await;
    let cell = client.collect(&slow, QUICK).await;
    assert_eq!(cell.reply["ename"], "Interrupted", "{}", cell.reply);
    assert!(
        cell.stream("stderr").contains("every variable is kept"),
        "{}",
        cell.stream("stderr")
    );
    let cell = client.execute("kept + 1", EVAL).await;
    assert_eq!(cell.result_text().as_deref(), Some("42"), "{}", cell.reply);

    // Cells compile by re-running the rustc command cargo last ran for the cell crate
    // (vendor/evcxr/NAPKIN.md) while nothing cargo decides on has changed; a path dependency
    // edited between two cells is still rebuilt.
    // The command carries the cell crate's own arguments (ThinLTO off), which cargo's
    // profiles cannot give one package.
    let build_dir = build_dir_under(kernel_pid).expect("an evaluator with EVCXR_TMPDIR");
    let recorded = std::fs::read_to_string(build_dir.join(".evcxr-rustc-command.json"))
        .unwrap_or_else(|e| panic!("no rustc command recorded in {}: {e}", build_dir.display()));
    assert!(
        recorded.contains("\"--crate-name\",\"ctx\"") && recorded.contains("\"-Clto=off\""),
        "{recorded}"
    );
    let dep = util::path_crate("edited_dep", "pub fn value() -> u32 { 1 }\n");
    let source = dep.path().join("src/lib.rs");
    let cell = client
        .execute(
            &format!(
                ":dep edited_dep = {{ path = {:?} }}",
                dep.path().display().to_string()
            ),
            EVAL,
        )
        .await;
    assert_eq!(cell.status(), "ok", "{}", cell.reply);
    for _ in 0..2 {
        let cell = client.execute("edited_dep::value()", EVAL).await;
        assert_eq!(cell.result_text().as_deref(), Some("1"), "{}", cell.reply);
    }
    std::fs::write(&source, "pub fn value() -> u32 { 2 }\n").unwrap();
    let cell = client.execute("edited_dep::value()", EVAL).await;
    assert_eq!(cell.result_text().as_deref(), Some("2"), "{}", cell.reply);

    // A request signed with the wrong key is dropped; a correctly signed one runs.
    let marker = std::env::temp_dir().join(format!("napkin-kernel-test-{}", uuid::Uuid::new_v4()));
    let forged_path = marker.with_extension("forged");
    let genuine_path = marker.with_extension("genuine");
    let mut forged_connection = kernel.connection.clone();
    forged_connection.key = "not-the-key".into();
    let mut forger = jupyter_zmq_client::create_client_shell_connection_with_identity(
        &forged_connection,
        &client.session,
        jupyter_zmq_client::peer_identity_for_session("forger").unwrap(),
    )
    .await
    .unwrap();
    let forged = jupyter_protocol::ExecuteRequest::new(format!(
        "std::fs::write({:?}, \"x\").unwrap();",
        forged_path.display().to_string()
    ));
    forger.send(forged.into()).await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_secs(2), forger.read())
            .await
            .is_err(),
        "a forged request must get no reply"
    );
    let cell = client
        .execute(
            &format!(
                "std::fs::write({:?}, \"x\").unwrap();",
                genuine_path.display().to_string()
            ),
            EVAL,
        )
        .await;
    assert_eq!(cell.status(), "ok", "{}", cell.reply);
    assert!(genuine_path.exists(), "the signed request ran");
    assert!(!forged_path.exists(), "the forged request must not run");
    assert!(
        kernel.stderr().contains("signature does not match"),
        "{}",
        kernel.stderr()
    );
    let _ = std::fs::remove_file(&genuine_path);

    let request = client
        .send_control(ShutdownRequest { restart: false })
        .await;
    let reply = client.control_reply(&request, QUICK).await;
    assert!(matches!(
        reply.content,
        JupyterMessageContent::ShutdownReply(_)
    ));
    assert!(
        kernel.wait_for_exit(Duration::from_secs(30)).await,
        "clean exit"
    );
}

/// Sessions share the one dependency cache read-only: after the single warm-up, a restart and
/// a second and third notebook each answer their first cell without compiling a dependency,
/// run lets, a sweep and a chart side by side, and leave the cache exactly as it was.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_share_the_dependency_cache() {
    let cache = tokio::task::spawn_blocking(util::fresh_cache)
        .await
        .unwrap();
    // The class test below rebuilds napkin in this cache's build directory.
    let _build_dir = util::BUILD_DIR.lock().await;
    let build = std::fs::read_dir(cache.join("build"))
        .unwrap()
        .flatten()
        .map(|toolchain| toolchain.path())
        .find(|d| d.join("Cargo.toml").is_file())
        .expect("the warm-up built a dependency cache");
    assert_lockfile_is_napkins(&build);
    // Every file but the sessions' own: the build, the published snapshot.
    let cache_files = || {
        let mut files = snapshot(&cache);
        files.retain(|path, _| {
            !path.starts_with(cache.join("sessions"))
                && !path.to_string_lossy().contains("type-paths-")
        });
        files
    };
    let before = cache_files();
    assert!(before.len() > 100, "{} files", before.len());

    let work = "let w = Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));\n\
                let e = w.estimate()?;\n\
                let df = Sweep::new(w).vary(Param::Users, [1e3, 1e6]).run()?;\n\
                let chart = Chart::journey(&w)?;\n\
                df";
    let mut first = KernelProcess::spawn().await;
    let mut first_client = first.connect().await;
    let cell = first_client.execute("1 + 1", FIRST_EVAL).await;
    println!(
        "new session → first result: {:?}",
        first.spawned_at.elapsed()
    );
    assert_eq!(cell.result_text().as_deref(), Some("2"), "{}", cell.reply);
    shut_down(&mut first, &mut first_client).await;

    // A restart: a new kernel process on the same cache.
    let mut first = KernelProcess::spawn().await;
    let mut first_client = first.connect().await;
    let cell = first_client.execute("1 + 1", FIRST_EVAL).await;
    println!("restart → first result: {:?}", first.spawned_at.elapsed());
    assert_eq!(cell.result_text().as_deref(), Some("2"), "{}", cell.reply);

    // A second notebook while the first is open; both work, in turn and at once.
    let mut second = KernelProcess::spawn().await;
    let mut second_client = second.connect().await;
    let (a, b) = tokio::join!(
        first_client.execute(work, EVAL),
        second_client.execute(work, EVAL)
    );
    println!(
        "second notebook → first result: {:?}",
        second.spawned_at.elapsed()
    );
    for cell in [&a, &b] {
        assert_eq!(cell.status(), "ok", "{}", cell.reply);
        let data = cell.result_data().expect("the DataFrame");
        assert!(data["text/html"].to_string().contains("<table"), "{data}");
    }
    for client in [&mut first_client, &mut second_client] {
        let cell = client.execute("chart", EVAL).await;
        let data = cell.result_data().expect("the chart");
        assert!(data.get("image/svg+xml").is_some(), "{data}");
        let cell = client.execute("e.peak_writes", EVAL).await;
        assert_eq!(cell.result_text().as_deref(), Some("347 req/s"));
    }
    // Each session compiles its cells in a directory of its own, named after its kernel.
    let sessions = cache.join("sessions");
    let session_of = |kernel: &KernelProcess| {
        let pid = kernel.child.id().expect("running");
        std::fs::read_dir(&sessions)
            .unwrap()
            .flatten()
            .find(|d| {
                d.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{pid}-"))
            })
            .map(|d| d.path())
    };
    let session_dirs = [
        session_of(&first).expect("the first session's directory"),
        session_of(&second).expect("the second session's directory"),
    ];
    assert_ne!(session_dirs[0], session_dirs[1]);

    // A third, right after.
    let mut third = KernelProcess::spawn().await;
    let mut third_client = third.connect().await;
    let cell = third_client.execute(work, FIRST_EVAL).await;
    println!(
        "third notebook → lets, sweep, chart: {:?}",
        third.spawned_at.elapsed()
    );
    assert_eq!(cell.status(), "ok", "{}", cell.reply);

    for (kernel, client) in [
        (&mut first, &mut first_client),
        (&mut second, &mut second_client),
        (&mut third, &mut third_client),
    ] {
        let log = kernel.stderr();
        assert!(log.contains("(0 crates compiled)"), "{log}");
        assert!(!log.contains("Compiling"), "{log}");
        shut_down(kernel, client).await;
    }
    let after = cache_files();
    let changed: Vec<_> = after
        .iter()
        .filter(|(path, state)| before.get(*path) != Some(state))
        .map(|(path, _)| path)
        .chain(before.keys().filter(|path| !after.contains_key(*path)))
        .collect();
    assert!(
        changed.is_empty(),
        "no session may rebuild or rewrite a dependency: {changed:?}"
    );
    for dir in session_dirs {
        assert!(
            !dir.exists(),
            "a session removes its directory: {}",
            dir.display()
        );
    }
}

/// A class: an admin publishes the cache into a shared directory; a learner's sessions only
/// read it (every file they write is in the learner's own directory). Then napkin changes and
/// a second cache is published beside the first: the open session keeps its libraries, a new
/// session gets the new ones, and `cache --clean` removes the old cache only once the open
/// session has ended.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_reads_a_shared_cache_and_upgrades_leave_open_sessions_alone() {
    use std::ffi::OsStr;
    let admin = tokio::task::spawn_blocking(util::fresh_cache)
        .await
        .unwrap();
    // It rebuilds napkin in the shared build directory, which the test above checks is left
    // alone.
    let _build_dir = util::BUILD_DIR.lock().await;
    let class = tempfile::tempdir().unwrap();
    let shared = class.path().join("shared");
    let kernel = |napkin: &std::path::Path, args: &[&OsStr]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_napkin-kernel"))
            .args(args)
            .env("NAPKIN_KERNEL_CACHE", &admin)
            .env("NAPKIN_PATH", napkin)
            .env("RUST_SRC_PATH", util::no_rust_src())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{args:?}: {text}");
        text
    };
    let napkin = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap();
    let warm = [
        OsStr::new("warm"),
        OsStr::new("--shared"),
        shared.as_os_str(),
    ];
    let said = kernel(&napkin, &warm);
    assert!(said.contains("Published"), "{said}");
    let published = |dir: &std::path::Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let first_cache = published(&shared);
    assert_eq!(first_cache.len(), 1, "{first_cache:?}");
    assert!(first_cache[0].starts_with("deps-"), "{first_cache:?}");
    let before = snapshot(&shared);

    // A learner's session: lets, a sweep, a struct, with the learner's own directory.
    let learner = class.path().join("learner");
    let session_env = |napkin: &std::path::Path| {
        vec![
            ("NAPKIN_KERNEL_CACHE", learner.clone().into_os_string()),
            ("NAPKIN_SHARED_CACHE", shared.clone().into_os_string()),
            ("NAPKIN_PATH", napkin.as_os_str().to_owned()),
        ]
    };
    let env = session_env(&napkin);
    let env: Vec<(&str, &OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    let mut a = KernelProcess::spawn_with_env(&env).await;
    let mut a_client = a.connect().await;
    let cell = a_client
        .execute(
            "let w = Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));\n\
             let df = Sweep::new(w).vary(Param::Users, [1e3, 1e6]).run()?;\n\
             w.estimate()?.peak_writes",
            FIRST_EVAL,
        )
        .await;
    assert_eq!(
        cell.result_text().as_deref(),
        Some("347 req/s"),
        "{}",
        cell.reply
    );
    let cell = run_ok(
        &mut a_client,
        "struct Shard { name: String }\nlet s = Shard { name: \"a\".into() };\ndf.height()",
    )
    .await;
    assert_eq!(cell.result_text().as_deref(), Some("2"), "{}", cell.reply);
    assert_eq!(
        snapshot(&shared),
        before,
        "a session writes nothing in the shared cache"
    );
    let mine = published(&learner);
    assert!(mine.contains(&"sessions".to_string()), "{mine:?}");
    assert!(
        !mine.iter().any(|n| n == "build" || n.starts_with("deps-")),
        "nothing is built in the learner's directory: {mine:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&learner).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the learner's directory is private");
    }

    // napkin changes (a copy of its sources with one function more); the admin publishes it.
    let next = tempfile::tempdir().unwrap();
    for item in ["Cargo.toml", "Cargo.lock", "src", "channel"] {
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(napkin.join(item))
            .arg(next.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let lib = next.path().join("src/lib.rs");
    let mut source = std::fs::read_to_string(&lib).unwrap();
    source.push_str("\n/// Which release this is.\npub fn napkin_release() -> u32 { 2 }\n");
    std::fs::write(&lib, source).unwrap();
    kernel(next.path(), &warm);
    let both = published(&shared);
    assert_eq!(both.len(), 2, "{both:?}");

    // The open session keeps its libraries; a new session has the new ones.
    let cell = a_client.execute("users(5.0)", EVAL).await;
    assert_eq!(
        cell.result_text().as_deref(),
        Some("5 users"),
        "{}",
        cell.reply
    );
    let cell = a_client.execute("napkin::napkin_release()", EVAL).await;
    assert_eq!(
        cell.status(),
        "error",
        "the old session links the old napkin"
    );
    let env = session_env(next.path());
    let env: Vec<(&str, &OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    let mut b = KernelProcess::spawn_with_env(&env).await;
    let mut b_client = b.connect().await;
    let cell = b_client
        .execute("napkin::napkin_release()", FIRST_EVAL)
        .await;
    assert_eq!(cell.result_text().as_deref(), Some("2"), "{}", cell.reply);
    shut_down(&mut b, &mut b_client).await;

    // Cleaning keeps the old cache while a session uses it, and removes it after.
    let clean = [
        OsStr::new("cache"),
        OsStr::new("--clean"),
        OsStr::new("--shared"),
        shared.as_os_str(),
    ];
    let said = kernel(next.path(), &clean);
    assert!(said.contains("(a session uses it)"), "{said}");
    assert_eq!(published(&shared).len(), 2);
    shut_down(&mut a, &mut a_client).await;
    let said = kernel(next.path(), &clean);
    assert!(said.contains("Removed"), "{said}");
    let left = published(&shared);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_ne!(left, first_cache, "the new cache stays");
}

/// Every package of the dependency cache's lockfile has the version napkin's committed
/// `Cargo.lock` pins: cells link what CI tested.
fn assert_lockfile_is_napkins(deps: &std::path::Path) {
    let packages = |path: std::path::PathBuf| -> std::collections::BTreeSet<(String, String)> {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut found = std::collections::BTreeSet::new();
        let mut name = None;
        for line in text.lines() {
            if let Some(n) = line.strip_prefix("name = ") {
                name = Some(n.trim_matches('"').to_string());
            } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
                found.insert((n, v.trim_matches('"').to_string()));
            }
        }
        found
    };
    let napkin = packages(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"));
    let cache = packages(deps.join("Cargo.lock"));
    assert!(cache.len() > 100, "{} packages", cache.len());
    let unpinned: Vec<_> = cache
        .iter()
        .filter(|(name, _)| name != "napkin_dylib")
        .filter(|p| !napkin.contains(*p))
        .collect();
    assert!(unpinned.is_empty(), "not napkin's versions: {unpinned:?}");
}

/// Every file under `dir` with its size and modification time; for the dep-info files cargo
/// rewrites on every build, fresh or not (`libnapkin_dylib.d`), their content instead.
fn snapshot(
    dir: &std::path::Path,
) -> std::collections::BTreeMap<std::path::PathBuf, (u64, Option<std::time::SystemTime>, String)> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                let path = entry.path();
                let state = if path.extension().is_some_and(|e| e == "d") {
                    (meta.len(), None, std::fs::read_to_string(&path).unwrap())
                } else {
                    (meta.len(), Some(meta.modified().unwrap()), String::new())
                };
                files.insert(path, state);
            }
        }
    }
    files
}

/// Runs an endless loop, interrupts it, and checks the cell says the variables were lost and
/// the kernel answers the next cell.
async fn interrupt_an_endless_loop(client: &mut util::Client) -> Execution {
    let looping = client
        .send_shell(jupyter_protocol::ExecuteRequest::new(
            "println!(\"looping\"); loop {}".into(),
        ))
        .await;
    client
        .wait_iopub(&looping, EVAL, |m| m.header.msg_type == "stream")
        .await;
    let interrupted_at = Instant::now();
    let request = client.send_control(InterruptRequest {}).await;
    let reply = client.control_reply(&request, QUICK).await;
    assert_eq!(reply.header.msg_type, "interrupt_reply");
    let cell = client.collect(&looping, QUICK).await;
    println!("interrupt → idle: {:?}", interrupted_at.elapsed());
    assert_eq!(cell.status(), "error");
    assert_eq!(cell.reply["ename"], "Interrupted", "{}", cell.reply);
    assert!(
        cell.stream("stderr").contains("variables were lost"),
        "{:?}",
        cell.types()
    );
    let after = client.execute("2 + 3", EVAL).await;
    assert_eq!(after.result_text().as_deref(), Some("5"), "{}", after.reply);
    cell
}

/// Asks the kernel to shut down and waits for a clean exit.
async fn shut_down(kernel: &mut KernelProcess, client: &mut util::Client) {
    let request = client
        .send_control(ShutdownRequest { restart: false })
        .await;
    client.control_reply(&request, QUICK).await;
    assert!(
        kernel.wait_for_exit(Duration::from_secs(30)).await,
        "clean exit"
    );
}

/// Like ipykernel, a kernel whose launcher (`JPY_PARENT_PID`) dies shuts itself down instead
/// of lingering as an orphan.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kernel_whose_launcher_dies_shuts_itself_down() {
    use std::io::BufRead;

    let dir = tempfile::tempdir().unwrap();
    let (connection, path) = util::connection_file(dir.path()).await;
    // The shell is the launcher: it starts the kernel in the background, reports its pid,
    // then becomes `sleep` (same pid) until killed.
    let mut launcher = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"JPY_PARENT_PID=$$ "$0" --connection-file "$1" 2>/dev/null & echo $!; exec sleep 600"#)
        .arg(env!("CARGO_BIN_EXE_napkin-kernel"))
        .arg(&path)
        .env("EVCXR_TMPDIR", dir.path().join("evcxr"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(launcher.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let kernel_pid: u32 = line.trim().parse().unwrap();

    let mut client = util::Client::connect(&connection).await;
    let request = client.send_shell(KernelInfoRequest {}).await;
    client.shell_reply(&request, QUICK).await;

    launcher.kill().unwrap();
    launcher.wait().unwrap();
    let gone = || {
        // Exited: no process, or a zombie nobody has reaped yet.
        std::fs::read_to_string(format!("/proc/{kernel_pid}/stat")).map_or(true, |stat| {
            stat.rsplit(')')
                .next()
                .is_some_and(|state| state.trim_start().starts_with('Z'))
        })
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while !gone() {
        assert!(
            Instant::now() < deadline,
            "the orphaned kernel is still running"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// napkin is loaded before the first cell, its values persist across cells whatever their
/// type, and rich output arrives mid-cell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn napkin_values_persist_and_display() {
    let kernel = KernelProcess::spawn().await;
    let mut client = kernel.connect().await;
    let ok = |cell: &Execution| {
        assert_eq!(
            cell.status(),
            "ok",
            "{} {:?}",
            cell.reply,
            cell.stream("stderr")
        );
    };

    let cell = client
        .execute(
            "let s = Workload::new(users(100e6), per_user_per_day(10.0))\n    .bytes_per_write(kb(1.0))\n    .estimate()\n    .unwrap();",
            FIRST_EVAL,
        )
        .await;
    ok(&cell);
    let cell = client.execute("s.peak_writes", EVAL).await;
    ok(&cell);
    assert_eq!(cell.result_text().as_deref(), Some("34.7K req/s"));

    // Raw uom arithmetic, typed by the compiler.
    let cell = client
        .execute(
            "use napkin::uom::si::{f64::Frequency, frequency::hertz};\nlet qps = Frequency::new::<hertz>(11_574.0);\nlet peak = qps * 3.0;",
            EVAL,
        )
        .await;
    ok(&cell);
    let cell = client.execute("peak.get::<hertz>()", EVAL).await;
    ok(&cell);
    assert_eq!(cell.result_text().as_deref(), Some("34722.0"));

    // A polars DataFrame defined in one cell, used in the next.
    let cell = client
        .execute(
            "let df = Sweep::new(s.workload).vary(Param::Users, [1e3, 1e6, 1e9]).run().unwrap().into_inner();",
            EVAL,
        )
        .await;
    ok(&cell);
    let cell = client.execute("df.height()", EVAL).await;
    ok(&cell);
    assert_eq!(cell.result_text().as_deref(), Some("3"));
    // Cells link napkin (and polars) as one shared library rather than each a static copy.
    let kernel_pid = kernel.child.id().expect("the kernel is running");
    assert!(
        descendants(kernel_pid).into_iter().any(|(pid, _)| {
            std::fs::read_to_string(format!("/proc/{pid}/maps"))
                .is_ok_and(|maps| maps.contains("/libnapkin_dylib.so"))
        }),
        "no process of the kernel's has libnapkin_dylib.so loaded"
    );

    // Final values without an `evcxr_display` of their own: std types print `{:?}` in one
    // compile, a DataFrame is napkin's HTML table, `()` shows nothing, a learner's
    // trait-provided `evcxr_display` still wins, and a type without Debug is still an error.
    for (code, shown) in [
        ("1 + 1", "2"),
        ("vec![1.5, 2.0]", "[1.5, 2.0]"),
        ("\"abc\"", "\"abc\""),
        ("(df.height(), Some('x'))", "(3, Some('x'))"),
    ] {
        let cell = client.execute(code, EVAL).await;
        ok(&cell);
        assert_eq!(cell.result_text().as_deref(), Some(shown), "{code}");
    }
    let cell = client.execute("df", EVAL).await;
    ok(&cell);
    let data = cell.result_data().expect("execute_result");
    assert!(
        data["text/html"]
            .as_str()
            .is_some_and(|h| h.contains("<table")),
        "{data}"
    );
    let cell = client.execute("println!(\"hi\")", EVAL).await;
    ok(&cell);
    assert_eq!(cell.stream("stdout"), "hi\n");
    assert_eq!(cell.result_data(), None, "`()` shows nothing");
    let cell = client
        .execute(
            "trait Picture { fn evcxr_display(&self); }\nstruct Dot;\nimpl Picture for Dot { fn evcxr_display(&self) { println!(\"EVCXR_BEGIN_CONTENT text/html\\n<b>dot</b>\\nEVCXR_END_CONTENT\"); } }\nDot",
            EVAL,
        )
        .await;
    ok(&cell);
    assert_eq!(
        cell.result_data().expect("execute_result")["text/html"],
        "<b>dot</b>"
    );
    let cell = client.execute("struct Opaque;\nOpaque", EVAL).await;
    assert_eq!(cell.status(), "error");
    assert!(
        cell.reply["evalue"].to_string().contains("Debug"),
        "{}",
        cell.reply
    );

    // display() mid-cell is a display_data before the text printed after it; a print!
    // without a newline is flushed; the final value keeps all its MIME types.
    let cell = client
        .execute("display(&s.writes);\nprint!(\"after\");\ns.table()", EVAL)
        .await;
    ok(&cell);
    let types = cell.types();
    let display = types
        .iter()
        .position(|t| t == "display_data")
        .expect("display_data");
    let stream = types.iter().position(|t| t == "stream").expect("stream");
    assert!(display < stream, "{types:?}");
    assert_eq!(cell.stream("stdout"), "after");
    let data = cell.result_data().expect("execute_result");
    for mime in ["text/plain", "text/html", "text/markdown"] {
        assert!(data.get(mime).is_some(), "{mime} missing: {data}");
    }

    // A dimension mistake on raw uom quantities reads in units, not typenum.
    let cell = client
        .execute(
            "use napkin::uom::si::{f64::Velocity, velocity::meter_per_second};\nlet nonsense = qps + Velocity::new::<meter_per_second>(1.0);",
            EVAL,
        )
        .await;
    assert_eq!(cell.status(), "error");
    let shown = cell.reply["traceback"].to_string();
    assert!(!shown.contains("UInt<"), "typenum leaked: {shown}");
    assert!(shown.contains("different dimensions"), "{shown}");
    assert!(
        !shown.contains("NAPKIN_EOL"),
        "kernel instrumentation leaked: {shown}"
    );
    assert!(
        shown.contains("let nonsense = qps + Velocity"),
        "the user's line: {shown}"
    );
}

/// The cells a learner writes most, as they write them, on a machine without `rust-src`:
/// every variable is typed by the compiler in the cell's own compile (moved final values,
/// `?`, uom arithmetic, std and user types), `:dep` keeps the session, rich values render from
/// the first cell, and what cannot be kept is named while the rest is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learners_cells_work_without_rust_src() {
    let kernel = KernelProcess::spawn().await;
    let mut client = kernel.connect().await;

    // The first cell: lets, then a chart as the final value, rendered as SVG.
    let cell = run_ok(
        &mut client,
        "let w = Workload::new(users(100e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));\n\
         let e = w.estimate()?;\n\
         Chart::journey(&w)?",
    )
    .await;
    let data = cell.result_data().expect("the chart");
    assert!(data.get("image/svg+xml").is_some(), "{data}");

    // `let x = …?; x` for non-Copy values, each moved into the final expression's display.
    for (code, mime, needle) in [
        (
            "let df = Sweep::new(w).vary(Param::Users, [1e3, 1e6, 1e9]).run()?;\ndf",
            "text/html",
            "<table",
        ),
        (
            "let chart = Chart::journey(&w)?;\nchart",
            "image/svg+xml",
            "<svg",
        ),
        (
            "let sizing = e.servers(&Server::new(qps(10_000.0), gb(64.0), tb(10.0)))?;\nsizing",
            "text/plain",
            "server",
        ),
        (
            "let names: Vec<String> = vec![\"a\".into(), \"b\".into()];\nnames",
            "text/plain",
            "[\"a\", \"b\"]",
        ),
        (
            "let pair = (e.peak_writes, String::from(\"peak\"));\npair",
            "text/plain",
            "peak",
        ),
    ] {
        let cell = run_ok(&mut client, code).await;
        let data = cell
            .result_data()
            .unwrap_or_else(|| panic!("{code}: no value"));
        assert!(
            data[mime].as_str().is_some_and(|t| t.contains(needle)),
            "{code}: {data}"
        );
    }
    // …and each is still there in the next cell.
    let cell = run_ok(
        &mut client,
        "(df.height(), chart.title().len() > 0, names.len(), pair.1.clone())",
    )
    .await;
    assert_eq!(
        cell.result_text().as_deref(),
        Some("(3, true, 2, \"peak\")")
    );

    // Five lets of unit arithmetic: one cell, every variable kept with the compiler's type.
    let cell = run_ok(
        &mut client,
        "let qps = users(100e6) * per_user_per_day(10.0);\n\
         let peak = qps * 3.0;\n\
         let per_day = qps * kb(1.0) * days(1.0);\n\
         let storage = qps * kb(1.0) * years(5.0);\n\
         let replicated = storage * 3.0;\n\
         storage",
    )
    .await;
    assert_eq!(cell.result_text().as_deref(), Some("1.83 PB"));
    let cell = run_ok(&mut client, "(peak, per_day, replicated)").await;
    let shown = cell.result_text().unwrap();
    // napkin's values read as numbers with units inside a tuple too.
    assert_eq!(shown, "(3.00bn req/day, 1.00 TB, 5.48 PB)", "{shown}");

    // A learner's struct and function survive a `:dep` of a new crate (a path crate here)
    // and of crates napkin already builds (served from napkin's copy, no download).
    run_ok(&mut client, "#[derive(Debug, Clone)]\nstruct Shard { name: String, qps: f64 }\nfn busiest(s: &[Shard]) -> f64 { s.iter().map(|s| s.qps).fold(0.0, f64::max) }\nlet shards = vec![Shard { name: \"a\".into(), qps: 10.0 }, Shard { name: \"b\".into(), qps: 30.0 }];").await;
    let dep = util::path_crate(
        "shard_math",
        "pub fn double(x: f64) -> f64 { x * 2.0 }\n\
         pub mod units { pub mod deep { #[derive(Debug)] pub struct Load(pub f64); } }\n",
    );
    run_ok(
        &mut client,
        &format!(
            ":dep shard_math = {{ path = {:?} }}",
            dep.path().display().to_string()
        ),
    )
    .await;
    let cell = run_ok(&mut client, "shard_math::double(busiest(&shards))").await;
    assert_eq!(cell.result_text().as_deref(), Some("60.0"));
    // A value of a `:dep` crate's type is kept like any other.
    run_ok(
        &mut client,
        "let load = shard_math::units::deep::Load(busiest(&shards));",
    )
    .await;
    let cell = run_ok(&mut client, "load.0").await;
    assert_eq!(cell.result_text().as_deref(), Some("30.0"));
    for dep in [
        ":dep uom = \"0.38\"",
        ":dep polars = \"0.55\"",
        ":dep serde = \"1\"",
    ] {
        let cell = run_ok(&mut client, dep).await;
        assert!(
            cell.stream("stderr").contains("part of napkin's build"),
            "{dep}: {}",
            cell.stream("stderr")
        );
    }
    let cell = run_ok(&mut client, "use uom::si::{f64::Length, length::meter};\nlet l = Length::new::<meter>(2.0);\n(shards[1].name.clone(), df.height(), l.get::<meter>(), peak)").await;
    let shown = cell.result_text().unwrap();
    assert!(shown.starts_with("(\"b\", 3, 2.0, "), "{shown}");

    // What cannot be kept is named in a note, with what to do; the cell ran, its value is
    // shown and its other variables are kept.
    let cell = run_ok(
        &mut client,
        "let double = |x: f64| x * 2.0;\nlet v = vec![1, 2, 3];\nlet first = v.iter();\nlet kept = double(21.0);\nkept",
    )
    .await;
    assert_eq!(cell.result_text().as_deref(), Some("42.0"));
    let message = cell.stream("stderr");
    assert!(
        message.contains("note: `double` is not kept") && message.contains("`first`"),
        "{message}"
    );
    assert!(
        !message.contains("`v`") && !message.contains("`kept`"),
        "{message}"
    );
    let cell = run_ok(&mut client, "(kept, v.len())").await;
    assert_eq!(cell.result_text().as_deref(), Some("(42.0, 3)"));

    // A panic loses nothing defined before it.
    let cell = client
        .execute("let doomed = 1;\npanic!(\"boom\")", EVAL)
        .await;
    assert_eq!(cell.reply["ename"], "Panic", "{}", cell.reply);
    let cell = run_ok(&mut client, "(kept, df.height())").await;
    assert_eq!(cell.result_text().as_deref(), Some("(42.0, 3)"));

    // A bad input to a constructor is an error at its line of the cell, naming the call.
    let cell = client
        .execute("let fine = users(5.0);\nlet bad = users(f64::NAN);", EVAL)
        .await;
    assert_eq!(cell.reply["ename"], "Panic", "{}", cell.reply);
    assert!(
        cell.reply["evalue"]
            .as_str()
            .unwrap()
            .starts_with("users(NaN): NaN is not a number"),
        "{}",
        cell.reply
    );
    assert_eq!(
        cell.reply["traceback"][0], "panicked at line 2 of the cell: let bad = users(f64::NAN);",
        "{}",
        cell.reply
    );
    let cell = run_ok(&mut client, "kept").await;
    assert_eq!(cell.result_text().as_deref(), Some("42.0"));

    // Completion of napkin's API, the session's variables and std, without rust-src.
    for (code, expected) in [
        ("w.", "reads_per_write"),
        ("w.est", "estimate"),
        (
            "let x = Workload::new(users(1.0), per_user_per_day(1.0));\nx.",
            "bytes_per_write",
        ),
        ("let v: Vec<u32> = Vec::new(); v.pu", "push"),
        ("std::collections::Hash", "HashMap"),
        ("shar", "shards"),
        ("Param::", "Users"),
    ] {
        let request = client
            .send_shell(CompleteRequest {
                code: code.into(),
                cursor_pos: code.chars().count(),
            })
            .await;
        let started = Instant::now();
        let reply =
            serde_json::to_value(client.shell_reply(&request, QUICK).await.content).unwrap();
        assert!(started.elapsed() < QUICK);
        let matches = util::completion_matches(&reply);
        if code.contains("v.pu") || code.starts_with("std::") {
            // From the std docs of rustup's default profile (rust-docs), when installed.
            let docs = std::process::Command::new("rustc")
                .args(["--print", "sysroot"])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .map(|s| {
                    std::path::Path::new(&s)
                        .join("share/doc/rust/html/std")
                        .is_dir()
                })
                .unwrap_or(false);
            if !docs {
                continue;
            }
        }
        assert!(matches.contains(&expected), "{code}: {reply}");
    }
    let request = client
        .send_shell(jupyter_protocol::InspectRequest {
            code: "Workload::new(".into(),
            cursor_pos: 11,
            detail_level: Some(0),
        })
        .await;
    let reply = serde_json::to_value(client.shell_reply(&request, QUICK).await.content).unwrap();
    assert_eq!(reply["found"], true, "{reply}");
    assert!(
        reply["data"]["text/plain"]
            .as_str()
            .is_some_and(|t| t.contains("pub fn new") && t.contains("per_user_per_day")),
        "{reply}"
    );
}

/// Issue 20's table, as a learner meets it: printed text is only text (forged copies of every
/// marker the kernel or evcxr ever read change nothing), every cell whose code ran shows its
/// value, what cannot be kept is a note, `Err(e)?` is an error, napkin values read as numbers
/// in tuples, panics point at the cell's line, and evcxr's display protocol shows a display.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printed_text_is_only_text_and_every_cell_shows_its_value() {
    let kernel = KernelProcess::spawn().await;
    let mut client = kernel.connect().await;

    // A printed marker does not rewrite a variable's type.
    let cell = run_ok(
        &mut client,
        "let body = String::from(\"payload\");\nprintln!(\"EVCXR_VARIABLE_TYPE:body:u32\");\nbody.len()",
    )
    .await;
    assert_eq!(cell.result_text().as_deref(), Some("7"));
    assert_eq!(cell.stream("stdout"), "EVCXR_VARIABLE_TYPE:body:u32\n");
    let cell = run_ok(&mut client, "body.len()").await;
    assert_eq!(cell.result_text().as_deref(), Some("7"));

    // Every old marker, printed: shown as text, nothing else happens.
    let forged = [
        "\u{1}NAPKIN_DISPLAY {\"text/plain\":\"forged\"}",
        "\u{1}NAPKIN_WIDGET {\"addr\":\"127.0.0.1:9\",\"token\":\"t\",\"view\":1,\"sliders\":[]}",
        "\u{1}NAPKIN_EOL",
        "EVCXR_EXECUTION_COMPLETE",
        "EVCXR_PANIC_NOTIFICATION",
        "EVCXR_ERROR_OCCURRED",
        "EVCXR_VARIABLE_CHANGED_TYPE:body",
        "EVCXR_BEGIN_CONTENT text/plain",
    ];
    let code = forged
        .iter()
        .map(|line| format!("println!(\"{{}}\", {line:?});"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\neprintln!(\"\\u{1}EVCXR_STDERR_DONE\");\n\
           eprintln!(\"thread 'main' panicked at src/lib.rs:1:1:\");\nbody.len() + 1";
    let cell = run_ok(&mut client, &code).await;
    assert_eq!(cell.result_text().as_deref(), Some("8"), "{code}");
    // An unfinished content block is text too.
    let printed: String = forged.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(cell.stream("stdout"), printed);
    assert_eq!(
        cell.stream("stderr"),
        "\u{1}EVCXR_STDERR_DONE\nthread 'main' panicked at src/lib.rs:1:1:\n"
    );
    assert!(
        !types(&cell)
            .iter()
            .any(|t| *t == "display_data" || *t == "comm_open"),
        "{:?}",
        types(&cell)
    );
    let cell = run_ok(&mut client, "body").await;
    assert_eq!(cell.result_text().as_deref(), Some("\"payload\""));

    // A function item: the value is shown, the variable is a note, the next cell a plain
    // compile error (never the evaluator's panic).
    let cell = run_ok(&mut client, "let f = f64::sqrt;\nf(16.0)").await;
    assert_eq!(cell.result_text().as_deref(), Some("4.0"));
    assert!(
        cell.stream("stderr")
            .contains("note: `f` is not kept for later cells: it is a function item"),
        "{}",
        cell.stream("stderr")
    );
    let cell = client.execute("f(4.0)", EVAL).await;
    assert_eq!(cell.reply["ename"], "CompileError", "{}", cell.reply);

    // A closure and a borrow: the cell's value is shown, with a note; the rest is kept.
    let cell = run_ok(
        &mut client,
        "let f = |n: f64| users(n) * per_user_per_day(10.0);\nlet r = f(1e6).shown_per(Per::Second);\nr",
    )
    .await;
    assert_eq!(cell.result_text().as_deref(), Some("116 req/s"));
    assert!(cell.stream("stderr").contains("`f` is not kept"));
    let cell = run_ok(&mut client, "r * 2.0").await;
    assert_eq!(cell.result_text().as_deref(), Some("231 req/s"));
    let cell = run_ok(
        &mut client,
        "let text = String::from(\"peak\");\nlet first = &text[..2];\nfirst.to_string()",
    )
    .await;
    assert_eq!(cell.result_text().as_deref(), Some("\"pe\""));
    assert!(cell.stream("stderr").contains("`first` is not kept"));

    // `Err(e)?` is an error reply naming `e`.
    let cell = client
        .execute(
            "let bad: Result<u32, String> = Err(\"quota exceeded\".into());\nbad?",
            EVAL,
        )
        .await;
    assert_eq!(cell.status(), "error", "{}", cell.reply);
    assert_eq!(cell.reply["ename"], "Error");
    assert_eq!(cell.reply["evalue"], "quota exceeded");

    // A tuple of napkin values reads as numbers with units.
    let cell = run_ok(
        &mut client,
        "let e = Workload::new(users(100e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0)).estimate()?;\n\
         (e.peak_writes, e.storage_per_year)",
    )
    .await;
    assert_eq!(
        cell.result_text().as_deref(),
        Some("(34.7K req/s, 365 TB/year)")
    );

    // A panic in a cell's final expression points at the cell's line.
    let cell = client.execute("users(f64::NAN)", EVAL).await;
    assert_eq!(cell.reply["ename"], "Panic", "{}", cell.reply);
    assert_eq!(
        cell.reply["traceback"][0],
        "panicked at line 1 of the cell: users(f64::NAN)"
    );

    // evcxr's display protocol shows a display, and only that; text around a display keeps
    // its place, a `print!` without a newline included.
    let cell = run_ok(
        &mut client,
        "println!(\"EVCXR_BEGIN_CONTENT text/html\\n<b>hi</b>\\nEVCXR_END_CONTENT\")",
    )
    .await;
    let shown = displays(&cell);
    assert_eq!(shown.len(), 1, "{:?}", types(&cell));
    assert_eq!(shown[0]["text/html"], "<b>hi</b>");
    assert_eq!(cell.stream("stdout"), "");
    let cell = run_ok(
        &mut client,
        "print!(\"before \");\ndisplay(&users(3.0));\nprintln!(\"after\");\n42",
    )
    .await;
    assert_eq!(
        types(&cell),
        [
            "status",
            "execute_input",
            "stream",
            "display_data",
            "stream",
            "execute_result",
            "status"
        ]
    );
    assert_eq!(cell.stream("stdout"), "before after\n");
    assert_eq!(displays(&cell)[0]["text/plain"], "3 users");
}

/// The IOPub message types of a cell, in order.
fn types(cell: &Execution) -> Vec<&str> {
    cell.iopub
        .iter()
        .map(|m| m.header.msg_type.as_str())
        .collect()
}

/// The cell's `display_data` bundles, in order.
fn displays(cell: &Execution) -> Vec<serde_json::Value> {
    cell.iopub
        .iter()
        .filter_map(|m| match &m.content {
            JupyterMessageContent::DisplayData(d) => serde_json::to_value(&d.data).ok(),
            _ => None,
        })
        .collect()
}

/// Runs `code` and asserts that it succeeded.
async fn run_ok(client: &mut util::Client, code: &str) -> Execution {
    let cell = client.execute(code, FIRST_EVAL).await;
    assert_eq!(
        cell.status(),
        "ok",
        "{code}\n{} {:?}",
        cell.reply,
        cell.stream("stderr")
    );
    cell
}

/// The build directory (`EVCXR_TMPDIR`) of the evaluator below process `root`, read from the
/// environment of the process evcxr runs cells in.
fn build_dir_under(root: u32) -> Option<std::path::PathBuf> {
    descendants(root).into_iter().find_map(|(pid, _)| {
        let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
        environ.split(|&b| b == 0).find_map(|entry| {
            let value = entry.strip_prefix(b"EVCXR_TMPDIR=")?;
            Some(std::path::PathBuf::from(
                String::from_utf8_lossy(value).as_ref(),
            ))
        })
    })
}

/// Whether a `rustc` runs somewhere below process `root`.
fn rustc_running_under(root: u32) -> bool {
    descendants(root).iter().any(|(_, name)| name == "rustc")
}

/// The processes below `root` (children, grandchildren, …), with their names.
fn descendants(root: u32) -> Vec<(u32, String)> {
    let mut parent_of = std::collections::HashMap::new();
    let mut names = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let ppid: u32 = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        parent_of.insert(pid, ppid);
        names.push((pid, stat[open + 1..close].to_string()));
    }
    names.retain(|&(pid, _)| {
        let mut pid = pid;
        while let Some(&parent) = parent_of.get(&pid) {
            if parent == root {
                return true;
            }
            if parent == 0 {
                return false;
            }
            pid = parent;
        }
        false
    });
    names
}

/// The comm messages a kernel published for `request`: (msg_type, comm_id, data, metadata).
fn comms(
    messages: &[jupyter_protocol::JupyterMessage],
) -> Vec<(String, String, serde_json::Value, serde_json::Value)> {
    messages
        .iter()
        .filter_map(|m| {
            let content = serde_json::to_value(&m.content).ok()?;
            let id = content["comm_id"].as_str()?.to_string();
            Some((m.header.msg_type.clone(), id, content, m.metadata.clone()))
        })
        .collect()
}

/// Waits for a `comm_msg` update of `comm` (a child of `request`) whose state satisfies
/// `wanted`, and returns that state.
async fn comm_update(
    client: &mut util::Client,
    request: &jupyter_protocol::JupyterMessage,
    comm: &str,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let matches = |m: &jupyter_protocol::JupyterMessage| {
        let content = serde_json::to_value(&m.content).unwrap_or_default();
        m.header.msg_type == "comm_msg"
            && content["comm_id"] == comm
            && content["data"]["method"] == "update"
            && wanted(&content["data"]["state"])
    };
    client.wait_iopub(request, EVAL, matches).await;
    let messages = client.iopub_until_idle(request, EVAL).await;
    let found = messages
        .iter()
        .rev()
        .find(|m| matches(m))
        .expect("the update");
    serde_json::to_value(&found.content).unwrap()["data"]["state"].clone()
}

/// Live views: a cell opens widget models (protocol 2.1, `@jupyter-widgets/controls` 2.0),
/// a slider update from the client recomputes the estimate and the chart in the evaluator
/// process (no compile) and comes back as model updates; `comm_info` lists the models; bad
/// comm messages are dropped without disturbing the session; a panicking callback shows its
/// error and the view goes on; a restart leaves the views disabled with a note.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_views_speak_the_widget_protocol() {
    let mut kernel = KernelProcess::spawn().await;
    let mut client = kernel.connect().await;
    let cell = run_ok(
        &mut client,
        "let w = Workload::new(users(100e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));\n\
         explore(&w).vary(Param::Users, 1e3..=1e9).vary(Param::PeakFactor, 1.0..=10.0)",
    )
    .await;
    let opened = comms(&cell.iopub);
    assert!(!opened.is_empty(), "{:?}", cell.types());
    for (kind, _, content, metadata) in &opened {
        assert_eq!(kind, "comm_open");
        assert_eq!(content["target_name"], "jupyter.widget");
        assert_eq!(metadata["version"], "2.1.0");
    }
    let model = |name: &str| {
        opened
            .iter()
            .filter(|(_, _, c, _)| c["data"]["state"]["_model_name"] == name)
            .map(|(_, id, c, _)| (id.clone(), c["data"]["state"].clone()))
            .collect::<Vec<_>>()
    };
    let users_slider = model("FloatLogSliderModel");
    assert_eq!(users_slider.len(), 1);
    let (users_id, users_state) = &users_slider[0];
    assert_eq!(users_state["_model_module"], "@jupyter-widgets/controls");
    assert_eq!(users_state["_model_module_version"], "2.0.0");
    assert_eq!(users_state["value"], 100e6);
    assert_eq!(users_state["min"], 3.0);
    assert_eq!(model("FloatSliderModel").len(), 1);
    let html = model("HTMLModel");
    let (main_id, main_state) = html
        .iter()
        .find(|(_, s)| s["value"].as_str().unwrap_or("").contains("peak requests"))
        .expect("the estimate");
    assert!(
        main_state["value"]
            .as_str()
            .unwrap()
            .contains("34.7K req/s")
    );
    let (chart_id, _) = html
        .iter()
        .find(|(_, s)| s["value"].as_str().unwrap_or("").starts_with("<svg"))
        .expect("the chart");
    let root = &model("VBoxModel")[0].0;
    let display = cell
        .iopub
        .iter()
        .find(|m| m.header.msg_type == "display_data")
        .expect("the view's display_data");
    let data = serde_json::to_value(&display.content).unwrap()["data"].clone();
    assert_eq!(
        data["application/vnd.jupyter.widget-view+json"]["model_id"],
        root.as_str()
    );
    assert!(
        data["text/html"].as_str().unwrap().contains("snapshot"),
        "{data}"
    );

    // comm_info lists every model.
    let request = client
        .send_shell(CommInfoRequest {
            target_name: Some("jupyter.widget".into()),
        })
        .await;
    let reply = client.shell_reply(&request, QUICK).await;
    let info = serde_json::to_value(&reply.content).unwrap();
    assert_eq!(info["comms"].as_object().unwrap().len(), opened.len());
    assert_eq!(info["comms"][users_id]["target_name"], "jupyter.widget");

    // Moving the users slider: the estimate and the chart come back, nothing compiles.
    let update = |id: &str, state: serde_json::Value| jupyter_protocol::CommMsg {
        comm_id: jupyter_protocol::CommId(id.into()),
        data: serde_json::from_value(
            json!({"method": "update", "state": state, "buffer_paths": []}),
        )
        .unwrap(),
    };
    let started = Instant::now();
    let request = client
        .send_shell(update(users_id, json!({"value": 1e6})))
        .await;
    let state = comm_update(&mut client, &request, main_id, |s| {
        s["value"]
            .as_str()
            .is_some_and(|v| v.contains("1.00M users"))
    })
    .await;
    println!("slider → estimate: {:?}", started.elapsed());
    assert!(
        state["value"].as_str().unwrap().contains("347 req/s"),
        "{state}"
    );
    let request = client
        .send_shell(update(users_id, json!({"value": 3e6})))
        .await;
    comm_update(&mut client, &request, chart_id, |s| {
        s["value"]
            .as_str()
            .is_some_and(|v| v.starts_with("<svg") && v.contains("3.00M"))
    })
    .await;

    // Out of range is clamped and said once; the echo carries the value taken.
    let request = client
        .send_shell(update(users_id, json!({"value": 1e15})))
        .await;
    let state = comm_update(&mut client, &request, main_id, |s| {
        s["value"].as_str().is_some_and(|v| v.contains("outside"))
    })
    .await;
    assert!(
        state["value"].as_str().unwrap().contains("1.00bn users"),
        "{state}"
    );

    // Bad messages: an unknown comm, a state that is not an object, an unknown method, a
    // comm_open for an unknown target (closed at once). The session carries on.
    for bad in [
        update("no-such-comm", json!({"value": 1.0})),
        jupyter_protocol::CommMsg {
            comm_id: jupyter_protocol::CommId(users_id.clone()),
            data: serde_json::from_value(json!({"method": "update", "state": "nonsense"})).unwrap(),
        },
        jupyter_protocol::CommMsg {
            comm_id: jupyter_protocol::CommId(users_id.clone()),
            data: serde_json::from_value(json!({"method": "explode"})).unwrap(),
        },
    ] {
        let request = client.send_shell(bad).await;
        client.iopub_until_idle(&request, QUICK).await;
    }
    let request = client
        .send_shell(jupyter_protocol::CommOpen {
            comm_id: jupyter_protocol::CommId("stranger".into()),
            target_name: "no.such.target".into(),
            ..Default::default()
        })
        .await;
    let messages = client.iopub_until_idle(&request, QUICK).await;
    assert!(messages.iter().any(|m| m.header.msg_type == "comm_close"));
    let cell = run_ok(&mut client, "w.estimate()?.peak_writes").await;
    assert_eq!(cell.result_text().as_deref(), Some("34.7K req/s"));

    // The version handshake of older frontends: the kernel says which versions it speaks.
    let request = client
        .send_shell(jupyter_protocol::CommOpen {
            comm_id: jupyter_protocol::CommId("version-1".into()),
            target_name: "jupyter.widget.version".into(),
            ..Default::default()
        })
        .await;
    let messages = client.iopub_until_idle(&request, QUICK).await;
    let version = comms(&messages)
        .into_iter()
        .find(|(kind, id, _, _)| kind == "comm_msg" && id == "version-1")
        .expect("the kernel's version message");
    assert_eq!(version.2["data"]["version"], "~2.1.0");

    // The control comm: every model's state at once.
    let request = client
        .send_shell(jupyter_protocol::CommOpen {
            comm_id: jupyter_protocol::CommId("control-1".into()),
            target_name: "jupyter.widget.control".into(),
            ..Default::default()
        })
        .await;
    client.iopub_until_idle(&request, QUICK).await;
    let request = client
        .send_shell(jupyter_protocol::CommMsg {
            comm_id: jupyter_protocol::CommId("control-1".into()),
            data: serde_json::from_value(json!({"method": "request_states"})).unwrap(),
        })
        .await;
    let messages = client.iopub_until_idle(&request, QUICK).await;
    let states = messages
        .iter()
        .find_map(|m| {
            let c = serde_json::to_value(&m.content).ok()?;
            (c["data"]["method"] == "update_states").then(|| c["data"]["states"].clone())
        })
        .expect("update_states");
    assert_eq!(states[users_id.as_str()]["value"], 1e9);

    // A learner's own callback that panics: the error shows in the view, which goes on.
    let cell = run_ok(
        &mut client,
        "what_if([slider(\"x\", 0.0..=10.0), choice(\"in\", [(\"ones\", 1.0), (\"thousands\", 1e3)])],\n\
             |v: &[f64]| {\n\
                 if v[0] > 5.0 { panic!(\"too big: {}\", v[0]) }\n\
                 users(v[0] * v[1])\n\
             })",
    )
    .await;
    let opened = comms(&cell.iopub);
    let slider = opened
        .iter()
        .find(|(_, _, c, _)| c["data"]["state"]["_model_name"] == "FloatSliderModel")
        .map(|(_, id, _, _)| id.clone())
        .unwrap();
    let main = opened
        .iter()
        .find(|(_, _, c, _)| {
            c["data"]["state"]["value"]
                .as_str()
                .is_some_and(|v| v.contains("users"))
        })
        .map(|(_, id, _, _)| id.clone())
        .expect("the value's HTML");
    let request = client
        .send_shell(update(&slider, json!({"value": 7.0})))
        .await;
    comm_update(&mut client, &request, &main, |s| {
        s["value"]
            .as_str()
            .is_some_and(|v| v.contains("too big: 7"))
    })
    .await;
    let request = client
        .send_shell(update(&slider, json!({"value": 2.0})))
        .await;
    comm_update(&mut client, &request, &main, |s| {
        s["value"].as_str().is_some_and(|v| v.contains("2 users"))
    })
    .await;
    // A choice is a dropdown: its index picks the option's value.
    let (dropdown, dropdown_state) = opened
        .iter()
        .find(|(_, _, c, _)| c["data"]["state"]["_model_name"] == "DropdownModel")
        .map(|(_, id, c, _)| (id.clone(), c["data"]["state"].clone()))
        .expect("the choice's dropdown");
    assert_eq!(
        dropdown_state["_options_labels"],
        json!(["ones", "thousands"])
    );
    let request = client
        .send_shell(update(&dropdown, json!({"index": 1})))
        .await;
    comm_update(&mut client, &request, &main, |s| {
        s["value"]
            .as_str()
            .is_some_and(|v| v.contains("2.00K users"))
    })
    .await;

    // An interrupt that restarts the Rust process leaves the views visibly inert at once.
    let cell = interrupt_an_endless_loop(&mut client).await;
    let disabled = comms(&cell.iopub)
        .iter()
        .filter(|(_, _, c, _)| c["data"]["state"]["disabled"] == true)
        .count();
    assert!(disabled >= 3, "{:?}", cell.types());
    let cell = run_ok(
        &mut client,
        "let w = Workload::new(users(1e6), per_user_per_day(10.0));\n\
         explore(&w).vary(Param::Users, 1e3..=1e9)",
    )
    .await;
    assert!(!comms(&cell.iopub).is_empty());

    // A restart leaves the views visibly inert.
    let request = client.send_control(ShutdownRequest { restart: true }).await;
    client.control_reply(&request, QUICK).await;
    let messages = client.iopub_until_idle(&request, QUICK).await;
    let disabled = comms(&messages)
        .iter()
        .filter(|(_, _, c, _)| c["data"]["state"]["disabled"] == true)
        .count();
    assert!(disabled >= 1, "{:?}", comms(&messages));
    assert!(kernel.wait_for_exit(Duration::from_secs(30)).await);
}
