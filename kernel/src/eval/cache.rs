//! The compiled-dependency cache: napkin and everything below it (polars, plotters, uom),
//! built once per toolchain into one shared library that the cells of every session link
//! against, read-only.
//!
//! The cache is a small cargo project, `napkin_dylib`, of crate type `dylib` over napkin
//! (`<cache>/<toolchain>/deps/`). It is built with napkin's committed `Cargo.lock`, so a
//! learner's cells link exactly the versions CI tested. Cargo's no-op build (a fraction of a
//! second) runs at every session start, under an exclusive file lock, so a changed napkin or
//! compiler rebuilds once, visibly, and a stale build is never served. The build's artifact list
//! gives every library crate's compiled file; a session passes them to rustc as `--extern`
//! arguments for its cell crate, which cargo then compiles alone, in the session's own
//! directory (see [`SessionDir`]). No copies: disk use does not grow with the number of
//! sessions.
//!
//! The crate also holds the trait that shows standard values (see [`super::show`]).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::show;

/// The shared library crate's name, as cells spell it.
pub const CRATE: &str = "napkin_dylib";

/// What went wrong preparing the cache, in words a user can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// A file or directory of the cache could not be written or read.
    #[error("cannot prepare the napkin-kernel cache in {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// cargo could not be started.
    #[error("cannot run cargo ({0}); is Rust installed (https://rustup.rs)?")]
    Cargo(io::Error),
    /// cargo failed; `output` is everything it said, the full cause included.
    #[error(
        "compiling napkin and its dependencies failed (cargo exit {code}).\n{output}\n\
         Fix the cause above and run the cell again, or run `napkin-kernel warm` to retry \
         ahead of time."
    )]
    Build {
        /// cargo's exit code.
        code: i32,
        /// cargo's diagnostics and messages.
        output: String,
    },
    /// The build finished but did not produce the shared library.
    #[error("cargo built the cache but produced no {CRATE} library")]
    NoLibrary,
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> CacheError + '_ {
    move |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One compiled library crate of the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    /// The package version, e.g. `0.38.0`.
    pub version: String,
    /// The `.rlib` (or, for [`CRATE`], the `.so`) cells are given with `--extern`.
    pub path: PathBuf,
}

/// A built cache, ready for cells to link against.
#[derive(Debug, Clone)]
pub struct DepCache {
    /// Library crates by crate name (`polars_core`), one per name.
    pub libraries: BTreeMap<String, Library>,
    /// Where the target's and the host's (proc macros) compiled crates are.
    pub lib_dirs: Vec<PathBuf>,
    /// How many crates this build compiled (0 when everything was fresh).
    pub compiled: usize,
}

/// Progress of a cache build, for the cell that waits on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// cargo finished compiling one crate.
    Compiled(String),
}

/// The root of the cache: `$NAPKIN_KERNEL_CACHE`, else `$XDG_CACHE_HOME/napkin-kernel`, else
/// `~/.cache/napkin-kernel`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("NAPKIN_KERNEL_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("napkin-kernel")
}

/// The cache's directory for a toolchain, named after its sysroot
/// (`stable-x86_64-unknown-linux-gnu`), so toolchains never trample each other's builds.
pub fn toolchain_dir(root: &Path, sysroot: Option<&Path>) -> PathBuf {
    let name = sysroot
        .and_then(Path::file_name)
        .map_or_else(|| "default".into(), |n| n.to_string_lossy().into_owned());
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    root.join(safe)
}

/// The active toolchain's sysroot (`rustc --print sysroot`), asked once per process.
pub fn sysroot() -> Option<PathBuf> {
    static SYSROOT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    SYSROOT
        .get_or_init(|| {
            let output = Command::new("rustc")
                .args(["--print", "sysroot"])
                .output()
                .ok()?;
            let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
            (!path.is_empty()).then(|| PathBuf::from(path))
        })
        .clone()
}

/// This toolchain's directory under the cache root.
pub fn toolchain_cache() -> PathBuf {
    toolchain_dir(&cache_root(), sysroot().as_deref())
}

impl DepCache {
    /// The cache's cargo project for this toolchain.
    pub fn dir() -> PathBuf {
        toolchain_cache().join("deps")
    }

    /// Whether a previous build left the shared library (the next build is then a check).
    pub fn looks_warm(dir: &Path) -> bool {
        library_dir(dir)
            .join(format!("lib{CRATE}{}", std::env::consts::DLL_SUFFIX))
            .is_file()
    }

    /// Writes the project for napkin at `napkin` into `dir`, builds it (a no-op when nothing
    /// changed) under an exclusive lock, and returns what cells link against. `progress` hears
    /// of each crate compiled.
    pub fn ensure(
        dir: &Path,
        napkin: &Path,
        mut progress: impl FnMut(Progress),
    ) -> Result<DepCache, CacheError> {
        write_project(dir, napkin)?;
        let lock_path = dir.join(".build.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error(&lock_path))?;
        lock.lock().map_err(io_error(&lock_path))?;
        let mut child = cargo_build(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(CacheError::Cargo)?;
        // Drain stderr on a thread so cargo never blocks on a full pipe.
        let mut stderr = child.stderr.take().expect("piped");
        let diagnostics = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut libraries: BTreeMap<String, Library> = BTreeMap::new();
        let mut compiled = 0;
        let mut messages = String::new();
        let target_deps = library_dir(dir);
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        for line in stdout.lines() {
            let line = line.map_err(CacheError::Cargo)?;
            let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            match message["reason"].as_str() {
                Some("compiler-artifact") => {
                    if message["fresh"] == false {
                        compiled += 1;
                        progress(Progress::Compiled(artifact_name(&message)));
                    }
                    if let Some((name, library)) = library_of(&message, &target_deps) {
                        keep_newest(&mut libraries, name, library);
                    }
                }
                Some("compiler-message") => {
                    if let Some(rendered) = message["message"]["rendered"].as_str() {
                        messages.push_str(rendered);
                    }
                }
                _ => {}
            }
        }
        let status = child.wait().map_err(CacheError::Cargo)?;
        let diagnostics = diagnostics.join().unwrap_or_default();
        drop(lock);
        if !status.success() {
            return Err(CacheError::Build {
                code: status.code().unwrap_or(-1),
                output: format!("{messages}{}", diagnostics.trim_end()),
            });
        }
        if !libraries.contains_key(CRATE) {
            return Err(CacheError::NoLibrary);
        }
        if compiled > 0 {
            // Paths found in the previous build may not hold in this one.
            let _ = fs::remove_file(Self::type_paths(dir));
        }
        Ok(DepCache {
            libraries,
            lib_dirs: vec![target_deps, dir.join("target/debug/deps")],
            compiled,
        })
    }

    /// The rustc arguments that let a cell name and link every crate of the cache:
    /// `-L dependency=…` for the target's and the host's crates, and one `--extern` per
    /// library crate.
    pub fn rustc_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        for dir in &self.lib_dirs {
            args.push("-L".to_string());
            args.push(format!("dependency={}", dir.display()));
        }
        for (name, library) in &self.libraries {
            args.push("--extern".to_string());
            args.push(format!("{name}={}", library.path.display()));
        }
        args
    }

    /// Where sessions remember the public paths of the cache's types (see
    /// [`super::types::Resolver`]); emptied whenever the cache is rebuilt.
    pub fn type_paths(dir: &Path) -> PathBuf {
        dir.join("type-paths.tsv")
    }

    /// The version of library crate `name` (`uom` → `0.38.0`), if the cache has it.
    pub fn version_of(&self, name: &str) -> Option<&str> {
        self.libraries
            .get(&name.replace('-', "_"))
            .map(|l| l.version.as_str())
    }
}

/// Where the target's compiled crates (and [`CRATE`]'s shared library) are, for `-L` and the
/// dynamic loader.
pub fn library_dir(dir: &Path) -> PathBuf {
    dir.join("target")
        .join(env!("NAPKIN_TARGET"))
        .join("debug/deps")
}

/// The cargo command that builds the cache.
fn cargo_build(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args([
            "build",
            "--message-format=json-render-diagnostics",
            "--target",
        ])
        .arg(env!("NAPKIN_TARGET"))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        // Cells link std dynamically (evcxr's -Cprefer-dynamic); so must their library.
        .env("RUSTFLAGS", "-Cprefer-dynamic")
        .env("CARGO_NET_RETRY", "5")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_BUILD_BUILD_DIR");
    command
}

/// The library a `compiler-artifact` message describes, if it is one cells can link: a
/// target (not host) `lib`/`rlib`, or the shared library itself.
fn library_of(message: &serde_json::Value, target_deps: &Path) -> Option<(String, Library)> {
    let kinds = message["target"]["kind"].as_array()?;
    let is_lib = kinds
        .iter()
        .any(|k| matches!(k.as_str(), Some("lib" | "rlib" | "dylib")));
    if !is_lib {
        return None;
    }
    let name = message["target"]["name"].as_str()?.replace('-', "_");
    let wanted = if name == CRATE { ".so" } else { ".rlib" };
    let path = message["filenames"]
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .map(PathBuf::from)
        .find(|p| {
            // Dependencies' rlibs stay in `deps/`; the dylib is uplifted beside it.
            p.to_string_lossy().ends_with(wanted)
                && (name == CRATE || p.parent().is_some_and(|d| d == target_deps))
        })?;
    let version = package_version(message["package_id"].as_str()?);
    Some((name, Library { version, path }))
}

/// What a `compiler-artifact` message built, for progress: the crate, or for a build script
/// `<package> (build script)`.
fn artifact_name(message: &serde_json::Value) -> String {
    let target = message["target"]["name"].as_str().unwrap_or("?");
    if target != "build-script-build" {
        return target.to_string();
    }
    let id = message["package_id"].as_str().unwrap_or_default();
    let fragment = id.rsplit('#').next().unwrap_or(id);
    let package = match fragment.split_once('@') {
        Some((name, _)) => name,
        None => id
            .rsplit('#')
            .nth(1)
            .and_then(|url| url.rsplit('/').next())
            .unwrap_or("?"),
    };
    format!("{package} (build script)")
}

/// The version in a cargo package id: `registry+https://…#uom@0.38.0` → `0.38.0`,
/// `path+file:///src/napkin#0.1.0` → `0.1.0`.
fn package_version(id: &str) -> String {
    let fragment = id.rsplit('#').next().unwrap_or(id);
    fragment.rsplit('@').next().unwrap_or(fragment).to_string()
}

/// Keeps the newest version when a crate name appears twice (two major versions in the graph).
fn keep_newest(libraries: &mut BTreeMap<String, Library>, name: String, library: Library) {
    let newer = |a: &str, b: &str| {
        let parse = |v: &str| -> Vec<u64> {
            v.split(['.', '-', '+'])
                .map(|p| p.parse().unwrap_or(0))
                .collect()
        };
        parse(a) > parse(b)
    };
    match libraries.get(&name) {
        Some(old) if !newer(&library.version, &old.version) => {}
        _ => {
            libraries.insert(name, library);
        }
    }
}

/// Writes the cache's cargo project: manifest, `lib.rs` and napkin's lockfile. Unchanged files
/// keep their modification times, so cargo rebuilds nothing.
pub fn write_project(dir: &Path, napkin: &Path) -> Result<(), CacheError> {
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    write_if_changed(&dir.join("Cargo.toml"), &manifest(napkin))?;
    write_if_changed(&dir.join("lib.rs"), &lib_rs())?;
    // The lockfile is napkin's, so cells link the versions CI tested. Cargo trims it to this
    // project's graph; it is copied again only when napkin's changes.
    let napkin_lock = napkin.join("Cargo.lock");
    if let Ok(lock) = fs::read_to_string(&napkin_lock) {
        let source = dir.join("Cargo.lock.napkin");
        if fs::read_to_string(&source).ok().as_deref() != Some(lock.as_str()) {
            fs::write(dir.join("Cargo.lock"), &lock).map_err(io_error(dir))?;
            fs::write(&source, &lock).map_err(io_error(&source))?;
        }
    }
    Ok(())
}

fn lib_rs() -> String {
    format!(
        "//! Written by napkin-kernel: napkin and its dependencies as one shared library, and the\n\
         //! trait that shows the values of cells ending in a standard type.\n\
         pub use napkin;\n\n{}",
        show::items()
    )
}

fn manifest(napkin: &Path) -> String {
    format!(
        "# Written by napkin-kernel: napkin and its dependencies as one shared library, which the\n\
         # cells of every session link against.\n\
         [package]\n\
         name = \"{CRATE}\"\n\
         version = \"0.0.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         [lib]\n\
         crate-type = [\"dylib\"]\n\
         path = \"lib.rs\"\n\
         \n\
         [dependencies]\n\
         napkin = {{ path = {:?} }}\n\
         \n\
         [profile.dev]\n\
         opt-level = 1\n\
         debug = false\n\
         strip = \"debuginfo\"\n\
         rpath = true\n\
         panic = \"unwind\"\n\
         \n\
         # The sweep's inner loop.\n\
         [profile.dev.package.napkin]\n\
         opt-level = 3\n",
        napkin.display().to_string()
    )
}

fn write_if_changed(path: &Path, content: &str) -> Result<(), CacheError> {
    if fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    fs::write(path, content).map_err(io_error(path))
}

/// A session's own directory, where evcxr writes and compiles its cell crate; removed when
/// the session ends; mode 0700, since live views listen on a socket in it. Directories left by
/// sessions that died are removed by the next one.
#[derive(Debug)]
pub struct SessionDir {
    /// The directory (evcxr's `EVCXR_TMPDIR`).
    pub path: PathBuf,
    _lock: File,
}

impl SessionDir {
    /// Creates a new session directory under `sessions`, after removing those whose kernel
    /// is gone.
    pub fn create(sessions: &Path) -> io::Result<SessionDir> {
        fs::create_dir_all(sessions)?;
        remove_abandoned(sessions);
        for attempt in 0..100u32 {
            let path = sessions.join(format!("{}-{attempt}", std::process::id()));
            match fs::create_dir(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
            // Private: the cell's live views listen on a socket here.
            #[cfg(unix)]
            fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
            let lock = File::create(path.join(".session.lock"))?;
            lock.lock()?;
            return Ok(SessionDir { path, _lock: lock });
        }
        Err(io::Error::other("no free session directory name"))
    }
}

impl Drop for SessionDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Removes session directories whose lock no process holds.
fn remove_abandoned(sessions: &Path) {
    let Ok(entries) = fs::read_dir(sessions) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(lock) = File::options().write(true).open(path.join(".session.lock")) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            log!(
                "removing the directory of a session that ended: {}",
                path.display()
            );
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Bytes used under `dir`, counting each file once.
pub fn disk_usage(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                total += meta.len();
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_ids_give_versions() {
        assert_eq!(
            package_version("registry+https://github.com/rust-lang/crates.io-index#uom@0.38.0"),
            "0.38.0"
        );
        assert_eq!(package_version("path+file:///src/napkin#0.1.0"), "0.1.0");
        assert_eq!(
            package_version("path+file:///x/napkin_dylib#napkin_dylib@0.0.0"),
            "0.0.0"
        );
    }

    #[test]
    fn progress_names_build_scripts_by_their_package() {
        let message = |target: &str, id: &str| serde_json::json!({"target": {"name": target}, "package_id": id});
        assert_eq!(
            artifact_name(&message("polars_core", "x#polars-core@0.55.2")),
            "polars_core"
        );
        assert_eq!(
            artifact_name(&message(
                "build-script-build",
                "registry+https://x#serde@1.0.0"
            )),
            "serde (build script)"
        );
    }

    #[test]
    fn the_newest_of_two_versions_is_kept() {
        let lib = |v: &str| Library {
            version: v.into(),
            path: PathBuf::from(v),
        };
        let mut libs = BTreeMap::new();
        keep_newest(&mut libs, "hashbrown".into(), lib("0.15.2"));
        keep_newest(&mut libs, "hashbrown".into(), lib("0.14.5"));
        assert_eq!(libs["hashbrown"].version, "0.15.2");
        keep_newest(&mut libs, "hashbrown".into(), lib("0.16.0"));
        assert_eq!(libs["hashbrown"].version, "0.16.0");
    }

    #[test]
    fn only_target_libraries_are_linked() {
        let deps = Path::new("/c/target/x86_64-unknown-linux-gnu/debug/deps");
        let message = |kind: &str, file: &str| {
            serde_json::json!({
                "reason": "compiler-artifact",
                "package_id": "registry+https://x#uom@0.38.0",
                "target": {"name": "uom", "kind": [kind]},
                "filenames": [file],
            })
        };
        let rlib = "/c/target/x86_64-unknown-linux-gnu/debug/deps/libuom-1.rlib";
        let (name, lib) = library_of(&message("lib", rlib), deps).unwrap();
        assert_eq!((name.as_str(), lib.version.as_str()), ("uom", "0.38.0"));
        assert_eq!(lib.path, PathBuf::from(rlib));
        assert!(library_of(&message("proc-macro", rlib), deps).is_none());
        let host = "/c/target/debug/deps/libuom-2.rlib";
        assert!(library_of(&message("lib", host), deps).is_none());
    }

    #[test]
    fn the_project_pins_napkins_lockfile_and_rewrites_nothing_unchanged() {
        let napkin = tempfile::tempdir().unwrap();
        fs::write(napkin.path().join("Cargo.lock"), "version = 4\n").unwrap();
        let cache = tempfile::tempdir().unwrap();
        write_project(cache.path(), napkin.path()).unwrap();
        let manifest = fs::read_to_string(cache.path().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("crate-type = [\"dylib\"]"), "{manifest}");
        assert!(manifest.contains("napkin = { path = "), "{manifest}");
        assert_eq!(
            fs::read_to_string(cache.path().join("Cargo.lock")).unwrap(),
            "version = 4\n"
        );
        let lib = fs::read_to_string(cache.path().join("lib.rs")).unwrap();
        assert!(lib.contains("pub use napkin;"), "{lib}");
        assert!(lib.contains("pub trait NapkinKernelShow"), "{lib}");

        // Cargo trims the lockfile to its graph; it is not overwritten until napkin's changes.
        fs::write(cache.path().join("Cargo.lock"), "trimmed").unwrap();
        let modified = |p: &Path| fs::metadata(p).unwrap().modified().unwrap();
        let before = modified(&cache.path().join("Cargo.toml"));
        write_project(cache.path(), napkin.path()).unwrap();
        assert_eq!(
            fs::read_to_string(cache.path().join("Cargo.lock")).unwrap(),
            "trimmed"
        );
        assert_eq!(before, modified(&cache.path().join("Cargo.toml")));
        fs::write(napkin.path().join("Cargo.lock"), "version = 4\n# new\n").unwrap();
        write_project(cache.path(), napkin.path()).unwrap();
        assert_eq!(
            fs::read_to_string(cache.path().join("Cargo.lock")).unwrap(),
            "version = 4\n# new\n"
        );
    }

    #[test]
    fn abandoned_session_directories_are_removed_live_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        let live = SessionDir::create(root.path()).unwrap();
        let dead = root.path().join("999999-0");
        fs::create_dir_all(&dead).unwrap();
        File::create(dead.join(".session.lock")).unwrap();
        let other = SessionDir::create(root.path()).unwrap();
        assert!(!dead.exists(), "an unlocked session directory is removed");
        assert!(live.path.exists() && other.path.exists());
        assert_ne!(live.path, other.path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&live.path).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o777,
                0o700,
                "only its user can enter a session directory"
            );
        }
        let path = live.path.clone();
        drop(live);
        assert!(
            !path.exists(),
            "a session removes its directory when it ends"
        );
    }
}
