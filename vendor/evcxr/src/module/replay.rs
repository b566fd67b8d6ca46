// napkin patch (see NAPKIN.md at the crate root). Licensed as the rest of this crate.

//! Compiles a cell by running again the rustc command cargo last ran for the cell crate,
//! when nothing cargo would decide on has changed since.
//!
//! With heavy dependencies in the graph (polars: ~220 packages), `cargo build` spends ~0.2 s
//! per cell loading manifests and checking fingerprints before it starts rustc, although only
//! the cell crate's source changed. When a cargo build runs, a rustc wrapper (this binary, as
//! for evcxr's cache) records the cell crate's rustc command: program, arguments, environment
//! and directory. A later compile runs that command directly if the cargo command it would have
//! run (arguments and environment), `Cargo.toml`, `.cargo/config.toml` and `Cargo.lock` are
//! unchanged, and so are the modification times of the artifacts named by `--extern` and of the
//! sources listed in their dep-info files (a changed path dependency). Otherwise cargo runs.

use serde::Deserialize;
use serde::Serialize;
use std::fs;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use std::time::SystemTime;

/// Tells the rustc wrapper where to record the cell crate's rustc command.
pub(crate) const RECORD_ENV: &str = "EVCXR_RECORD_RUSTC";
const RECORD_FILE: &str = ".evcxr-rustc-command.json";

/// Variables of the wrapper's environment that belong to the wrapper or to cargo's jobserver
/// (whose file descriptors are gone once cargo exits), not to rustc.
const NOT_REPLAYED: &[&str] = &[
    RECORD_ENV,
    crate::runtime::WRAP_RUSTC_ENV,
    super::EXECUTION_SO_PATH_ENV,
    super::CELL_RUSTC_ARGS_ENV,
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
];

#[derive(Serialize, Deserialize)]
struct Recorded {
    program: String,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    cwd: String,
}

/// A recorded rustc command for the cell crate and what it was valid for.
pub(crate) struct Replay {
    key: String,
    recorded: Recorded,
    inputs: Vec<(PathBuf, Option<SystemTime>)>,
}

/// What cargo's decisions depend on apart from dependency files: the cargo command (program,
/// arguments, environment changes, directory) and the crate's manifest, config and lockfile.
pub(crate) fn key(cargo: &Command, crate_dir: &Path) -> String {
    let mut key = format!("{cargo:?}");
    for file in ["Cargo.toml", ".cargo/config.toml", "Cargo.lock"] {
        key.push('\0');
        key.push_str(&fs::read_to_string(crate_dir.join(file)).unwrap_or_default());
    }
    key
}

/// Makes `cargo` record the cell crate's rustc command through the wrapper. Returns false, and
/// changes nothing, when a rustc wrapper is already in use (sccache, evcxr's cache, the user's).
pub(crate) fn prepare(cargo: &mut Command, crate_dir: &Path, wrapper: &Path) -> bool {
    let file = crate_dir.join(RECORD_FILE);
    let _ = fs::remove_file(&file);
    let wrapped = cargo
        .get_envs()
        .any(|(name, _)| name == "RUSTC_WRAPPER" || name == "RUSTC_WORKSPACE_WRAPPER")
        || std::env::var_os("RUSTC_WRAPPER").is_some_and(|w| !w.is_empty())
        || std::env::var_os("RUSTC_WORKSPACE_WRAPPER").is_some_and(|w| !w.is_empty());
    if wrapped {
        return false;
    }
    cargo
        .env("RUSTC_WRAPPER", wrapper)
        .env(crate::runtime::WRAP_RUSTC_ENV, "1")
        .env(RECORD_ENV, &file);
    true
}

/// In the rustc wrapper: records `rustc` (the cell crate's command) where [`RECORD_ENV`] says.
/// Anything not UTF-8 is not recorded, and then every compile runs cargo.
pub(crate) fn record(rustc: &Command) {
    let Some(file) = std::env::var_os(RECORD_ENV) else {
        return;
    };
    let recorded = (|| {
        Some(Recorded {
            program: rustc.get_program().to_str()?.to_owned(),
            args: rustc
                .get_args()
                .map(|arg| arg.to_str().map(str::to_owned))
                .collect::<Option<_>>()?,
            envs: std::env::vars_os()
                .filter(|(name, _)| !NOT_REPLAYED.iter().any(|n| name == n))
                .map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
                .collect::<Option<_>>()?,
            cwd: std::env::current_dir().ok()?.to_str()?.to_owned(),
        })
    })();
    if let Some(json) = recorded.and_then(|r| serde_json::to_string(&r).ok()) {
        let _ = fs::write(file, json);
    }
}

impl Replay {
    /// Reads what the wrapper recorded during the cargo build that just ran, noting the
    /// current state of the files the command depends on.
    pub(crate) fn load(crate_dir: &Path, key: String) -> Option<Replay> {
        let text = fs::read_to_string(crate_dir.join(RECORD_FILE)).ok()?;
        let recorded: Recorded = serde_json::from_str(&text).ok()?;
        let inputs = inputs(&recorded.args)
            .into_iter()
            .map(|path| {
                let time = modified(&path);
                (path, time)
            })
            .collect();
        Some(Replay {
            key,
            recorded,
            inputs,
        })
    }

    /// Whether running the recorded command gives what cargo would.
    pub(crate) fn is_current(&self, key: &str) -> bool {
        self.key == key
            && self
                .inputs
                .iter()
                .all(|(path, time)| modified(path) == *time)
    }

    /// The recorded rustc command, in its recorded environment.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(&self.recorded.program);
        command
            .args(&self.recorded.args)
            .env_clear()
            .envs(self.recorded.envs.iter().map(|(n, v)| (n, v)))
            .current_dir(&self.recorded.cwd);
        command
    }

    /// The shared object the command writes.
    pub(crate) fn so_file(&self) -> Option<PathBuf> {
        let mut args = self.recorded.args.iter();
        let out_dir = args.find(|arg| *arg == "--out-dir").and(args.next())?;
        Some(Path::new(out_dir).join(super::shared_object_name_from_crate_name(super::CRATE_NAME)))
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The artifacts named by `--extern` and the sources listed in their dep-info files.
fn inputs(args: &[String]) -> Vec<PathBuf> {
    let mut inputs = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg != "--extern" {
            continue;
        }
        let Some((_, artifact)) = args.next().and_then(|a| a.split_once('=')) else {
            continue;
        };
        let artifact = PathBuf::from(artifact);
        if let Some(dep_info) = dep_info_file(&artifact) {
            inputs.extend(dep_info_sources(&dep_info));
        }
        inputs.push(artifact);
    }
    inputs
}

/// `deps/libfoo-1234.rlib` → `deps/foo-1234.d`.
fn dep_info_file(artifact: &Path) -> Option<PathBuf> {
    let stem = artifact.file_stem()?.to_str()?;
    let stem = stem.strip_prefix(super::rlib_prefix()).unwrap_or(stem);
    Some(artifact.with_file_name(format!("{stem}.d")))
}

/// The files of a rustc dep-info file: rustc writes one `path:` line per source.
fn dep_info_sources(dep_info: &Path) -> Vec<PathBuf> {
    let Ok(text) = fs::read_to_string(dep_info) else {
        return Vec::new();
    };
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.strip_suffix(':'))
        .map(|path| PathBuf::from(path.replace("\\ ", " ")))
        .collect()
}
