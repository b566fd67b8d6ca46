//! The compiled-dependency cache: napkin and everything below it (polars, plotters, uom),
//! compiled once into one shared library that the cells of every session link against.
//!
//! Two parts, so a cache can be shared read-only by a class:
//!
//! - **Snapshots** (`<store>/deps-<key>/`): immutable, content-addressed copies of a build's
//!   libraries. The key hashes everything the build depends on: the compiler (`rustc -vV`),
//!   the target, napkin's sources and `Cargo.lock`, and the project this kernel writes. A
//!   session finds its snapshot by key without running cargo, and holds a shared lock on it
//!   for as long as it runs, so `cache --clean` never removes one in use. A changed napkin or
//!   compiler gives a new key and a new snapshot beside the old one; running sessions keep
//!   theirs. The store is the user's own cache, or the class's shared directory
//!   (`NAPKIN_SHARED_CACHE`, published by `napkin-kernel warm --shared DIR`), which a session
//!   only reads.
//! - **The user's own directory** (`NAPKIN_KERNEL_CACHE`, else the XDG cache directory), mode
//!   0700: the cargo project that builds snapshots (`build/<toolchain>/`, only without a shared
//!   cache), the sessions' directories ([`SessionDir`]) and the type-path memo. A session
//!   writes nowhere else.
//!
//! The build is a small cargo project, `napkin_dylib`, of crate type `dylib` over napkin,
//! built with napkin's committed `Cargo.lock`, so cells link exactly the versions CI tested.
//! The crate also holds the trait that shows standard values (see [`super::show`]) and
//! evcxr's runtime ([`RUNTIME_MODULE`]), so cells compile neither.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::show;

/// The shared library crate's name, as cells spell it.
pub const CRATE: &str = "napkin_dylib";

/// The module of the shared library that holds evcxr's runtime, which cells use instead of
/// compiling their own copy (see `EvcxrEvaluator::load_napkin`).
pub const RUNTIME_MODULE: &str = "evcxr_internal_runtime";

/// The environment variable naming a class's shared, read-only cache directory (the
/// kernelspec sets it when installed with `--shared DIR`).
pub const SHARED_ENV: &str = "NAPKIN_SHARED_CACHE";

/// Cells link std dynamically (evcxr's `-Cprefer-dynamic`); so must their library.
const RUSTFLAGS: &str = "-Cprefer-dynamic";

/// A snapshot's description of itself; its presence marks the snapshot complete.
const SNAPSHOT_MANIFEST: &str = "cache.json";

/// Bumped when the snapshot layout changes, so old kernels and new never share one.
const FORMAT: &str = "napkin-kernel dependency cache, format 2";

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
    /// The shared cache has no snapshot for this napkin and this compiler.
    #[error(
        "the shared napkin cache {} has no build for this napkin and Rust (key {key}); \
         whoever installed napkin-kernel runs: napkin-kernel warm --shared {}",
        dir.display(),
        dir.display()
    )]
    SharedMissing {
        /// The shared directory.
        dir: PathBuf,
        /// The key that was looked for.
        key: String,
    },
    /// napkin's sources changed while they were being compiled.
    #[error("napkin's sources in {} changed while they were compiled; run the cell again", .0.display())]
    SourcesChanged(PathBuf),
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
    /// The `.rlib` (or, for [`CRATE`], the shared library) cells are given with `--extern`.
    pub path: PathBuf,
}

/// A published snapshot, ready for cells to link against. Holding it keeps a shared lock on
/// the snapshot, so `cache --clean` leaves it alone.
#[derive(Debug, Clone)]
pub struct DepCache {
    /// Library crates by crate name (`polars_core`), one per name.
    pub libraries: BTreeMap<String, Library>,
    /// Where the target's and the host's (proc macros) compiled crates are.
    pub lib_dirs: Vec<PathBuf>,
    /// How many crates this build compiled (0 when the snapshot already existed).
    pub compiled: usize,
    /// The snapshot's key.
    pub key: String,
    /// The snapshot's directory.
    pub dir: PathBuf,
    _in_use: Arc<File>,
}

/// Progress of a cache build, for the cell that waits on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// cargo finished compiling one crate.
    Compiled(String),
}

/// The root of the user's own cache: `$NAPKIN_KERNEL_CACHE`, else
/// `$XDG_CACHE_HOME/napkin-kernel`, else `~/.cache/napkin-kernel`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("NAPKIN_KERNEL_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("napkin-kernel")
}

/// A directory for a toolchain, named after its sysroot (`stable-x86_64-unknown-linux-gnu`),
/// so toolchains never trample each other's builds.
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
    static SYSROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
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

/// The active compiler's identity (`rustc -vV`: version, commit, host, LLVM), asked once per
/// process; empty if rustc cannot run.
fn rustc_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        Command::new("rustc")
            .arg("-vV")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    })
}

/// Where the std shared library of the active toolchain is, for the cells' rpath.
pub fn std_library_dir() -> Option<PathBuf> {
    sysroot().map(|s| {
        s.join("lib/rustlib")
            .join(env!("NAPKIN_TARGET"))
            .join("lib")
    })
}

/// Where a session's cache lives: the store its snapshot comes from, and the user's own
/// private directory for everything it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The user's own cache directory.
    pub user: PathBuf,
    /// A class's shared, read-only cache, if the kernelspec names one.
    pub shared: Option<PathBuf>,
}

impl Layout {
    /// The layout the environment gives: [`cache_root`], and [`SHARED_ENV`] if set.
    pub fn from_env() -> Layout {
        Layout {
            user: cache_root(),
            shared: std::env::var_os(SHARED_ENV)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from),
        }
    }

    /// Where snapshots are looked up: the shared cache if there is one, else the user's.
    pub fn store(&self) -> &Path {
        self.shared.as_deref().unwrap_or(&self.user)
    }

    /// Where sessions' own directories are.
    pub fn sessions(&self) -> PathBuf {
        self.user.join("sessions")
    }

    /// The cargo project that builds snapshots for the active toolchain.
    pub fn build_dir(&self) -> PathBuf {
        toolchain_dir(&self.user.join("build"), sysroot().as_deref())
    }

    /// Where sessions remember the public paths of snapshot `key`'s types (see
    /// [`super::types::Resolver`]).
    pub fn type_paths(&self, key: &str) -> PathBuf {
        self.user.join(format!("type-paths-{key}.tsv"))
    }

    /// Creates the user's directory if needed; one this creates is private (0700).
    pub fn create_user_dir(&self) -> io::Result<()> {
        create_private_dir(&self.user)
    }
}

/// Creates `dir` (and its parents) if it does not exist, the last one private (0700).
fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}

/// The content key of the cache napkin at `napkin` needs with the active compiler: a hash
/// of everything its build depends on (32 hex digits).
pub fn key(napkin: &Path) -> Result<String, CacheError> {
    let mut hasher = blake3::Hasher::new();
    let mut part = |label: &str, bytes: &[u8]| {
        hasher.update(label.as_bytes());
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part("format", FORMAT.as_bytes());
    part("rustc", rustc_version().as_bytes());
    part("target", env!("NAPKIN_TARGET").as_bytes());
    part("rustflags", RUSTFLAGS.as_bytes());
    part("manifest", manifest(Path::new("NAPKIN")).as_bytes());
    part("lib.rs", lib_rs().as_bytes());
    for relative in source_files(napkin).map_err(io_error(napkin))? {
        let content = fs::read(napkin.join(&relative)).map_err(io_error(&relative))?;
        part(&relative.to_string_lossy(), &content);
    }
    Ok(hasher.finalize().to_hex()[..32].to_string())
}

/// napkin's files that its compiled form depends on, relative and sorted: its manifest and
/// lockfile, and every file under `src/` and `channel/` (napkin-channel, a path dependency).
fn source_files(napkin: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = ["Cargo.toml", "Cargo.lock"]
        .iter()
        .map(PathBuf::from)
        .filter(|f| napkin.join(f).is_file())
        .collect();
    let mut stack: Vec<PathBuf> = ["src", "channel"].iter().map(PathBuf::from).collect();
    while let Some(relative) = stack.pop() {
        let entries = match fs::read_dir(napkin.join(&relative)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            if name == "target" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = relative.join(&name);
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The directory of snapshot `key` in `store`.
pub fn snapshot_dir(store: &Path, key: &str) -> PathBuf {
    store.join(format!("deps-{key}"))
}

/// What a snapshot's [`SNAPSHOT_MANIFEST`] holds.
#[derive(Debug, Serialize, Deserialize)]
struct SnapshotManifest {
    format: String,
    key: String,
    rustc: String,
    napkin: String,
    /// Crate name → version and file, relative to the snapshot.
    libraries: BTreeMap<String, SnapshotLibrary>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SnapshotLibrary {
    version: String,
    file: String,
}

impl DepCache {
    /// Whether snapshot `key` is published in `store`.
    pub fn is_published(store: &Path, key: &str) -> bool {
        snapshot_dir(store, key).join(SNAPSHOT_MANIFEST).is_file()
    }

    /// Snapshot `key` of `store`, if published, held (shared lock) for as long as the value
    /// or a clone of it lives.
    pub fn open(store: &Path, key: &str) -> Result<Option<DepCache>, CacheError> {
        let dir = snapshot_dir(store, key);
        let path = dir.join(SNAPSHOT_MANIFEST);
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path)(e)),
        };
        file.lock_shared().map_err(io_error(&path))?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io_error(&path))?;
        let manifest: SnapshotManifest = serde_json::from_str(&text)
            .map_err(|e| io_error(&path)(io::Error::new(io::ErrorKind::InvalidData, e)))?;
        let libraries = manifest
            .libraries
            .into_iter()
            .map(|(name, lib)| {
                let library = Library {
                    version: lib.version,
                    path: dir.join(lib.file),
                };
                (name, library)
            })
            .collect();
        Ok(Some(DepCache {
            libraries,
            lib_dirs: vec![dir.join("lib"), dir.join("host")],
            compiled: 0,
            key: key.to_string(),
            dir,
            _in_use: Arc::new(file),
        }))
    }

    /// The snapshot this session links against: snapshot `key` (napkin's at `napkin`, see
    /// [`key`]) found in the layout's store, or, with no shared cache, built in the user's
    /// directory first. `progress` hears of each crate compiled. With a shared cache nothing is
    /// written: a missing snapshot is an error naming the command that publishes it.
    pub fn ensure(
        layout: &Layout,
        napkin: &Path,
        key: &str,
        progress: impl FnMut(Progress),
    ) -> Result<DepCache, CacheError> {
        if let Some(found) = Self::open(layout.store(), key)? {
            return Ok(found);
        }
        if let Some(dir) = &layout.shared {
            return Err(CacheError::SharedMissing {
                dir: dir.clone(),
                key: key.to_string(),
            });
        }
        layout.create_user_dir().map_err(io_error(&layout.user))?;
        let build_dir = layout.build_dir();
        adopt_legacy_build(&layout.user, &build_dir);
        let built = Self::build(&build_dir, &layout.user, napkin, key, progress)?;
        // Older snapshots no session uses are only disk; the newest of them stays, so two
        // checkouts used in turn do not rebuild each other's.
        let previous = newest_other(&layout.user, key);
        let keep: Vec<&str> = [Some(key), previous.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        for (dir, _) in remove_unused(&layout.user, &keep) {
            log!("removed an unused dependency cache: {}", dir.display());
        }
        Ok(built)
    }

    /// Builds napkin in the cargo project `build_dir` (under an exclusive lock; a no-op for
    /// crates already built there) and publishes the libraries as snapshot `key` in `store`.
    pub fn build(
        build_dir: &Path,
        store: &Path,
        napkin: &Path,
        key: &str,
        mut progress: impl FnMut(Progress),
    ) -> Result<DepCache, CacheError> {
        fs::create_dir_all(build_dir).map_err(io_error(build_dir))?;
        let lock_path = build_dir.join(".build.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error(&lock_path))?;
        lock.lock().map_err(io_error(&lock_path))?;
        // Another session may have published it while this one waited for the lock.
        if let Some(found) = Self::open(store, key)? {
            return Ok(found);
        }
        write_project(build_dir, napkin)?;
        let mut child = cargo_build(build_dir)
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
        let mut files: Vec<(PathBuf, &'static str)> = Vec::new();
        let mut compiled = 0;
        let mut messages = String::new();
        let places = Places::of(build_dir);
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
                    files.extend(places.files_of(&message));
                    if let Some((name, library)) = library_of(&message, &places.target) {
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
        if !status.success() {
            return Err(CacheError::Build {
                code: status.code().unwrap_or(-1),
                output: format!("{messages}{}", diagnostics.trim_end()),
            });
        }
        if !libraries.contains_key(CRATE) {
            return Err(CacheError::NoLibrary);
        }
        if self::key(napkin)? != key {
            return Err(CacheError::SourcesChanged(napkin.to_path_buf()));
        }
        publish(store, key, &files, &libraries)?;
        drop(lock);
        let mut published = Self::open(store, key)?.ok_or(CacheError::NoLibrary)?;
        published.compiled = compiled;
        Ok(published)
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

    /// The version of library crate `name` (`uom` → `0.38.0`), if the cache has it.
    pub fn version_of(&self, name: &str) -> Option<&str> {
        self.libraries
            .get(&name.replace('-', "_"))
            .map(|l| l.version.as_str())
    }
}

/// Moves the cargo project of napkin-kernel's previous cache layout
/// (`<cache>/<toolchain>/deps/`, built in place) to `build_dir`, so upgrading does not compile
/// every crate again.
fn adopt_legacy_build(user: &Path, build_dir: &Path) {
    let (Some(toolchain), Some(parent)) = (build_dir.file_name(), build_dir.parent()) else {
        return;
    };
    let legacy = user.join(toolchain).join("deps");
    if build_dir.exists() || !legacy.join("Cargo.toml").is_file() {
        return;
    }
    let moved = fs::create_dir_all(parent).and_then(|()| fs::rename(&legacy, build_dir));
    match moved {
        Ok(()) => log!(
            "moved the previous cache's build from {} to {}",
            legacy.display(),
            build_dir.display()
        ),
        Err(error) => log!("cannot reuse the previous cache's build: {error}"),
    }
}

/// Where a build's compiled libraries are, and where each goes in a snapshot.
struct Places {
    /// The target's crates (`target/<triple>/debug/deps`): snapshot `lib/`.
    target: PathBuf,
    /// Where cargo uplifts [`CRATE`]'s shared library: snapshot `lib/`.
    uplifted: PathBuf,
    /// The host's crates (proc macros and what they use): snapshot `host/`.
    host: PathBuf,
}

impl Places {
    fn of(build_dir: &Path) -> Places {
        let target = build_dir
            .join("target")
            .join(env!("NAPKIN_TARGET"))
            .join("debug");
        Places {
            uplifted: target.clone(),
            target: target.join("deps"),
            host: build_dir.join("target/debug/deps"),
        }
    }

    /// The library files a `compiler-artifact` message names, with their snapshot places.
    fn files_of(&self, message: &serde_json::Value) -> Vec<(PathBuf, &'static str)> {
        let Some(kinds) = message["target"]["kind"].as_array() else {
            return Vec::new();
        };
        let library = kinds.iter().any(|k| {
            matches!(
                k.as_str(),
                Some("lib" | "rlib" | "dylib" | "proc-macro" | "cdylib")
            )
        });
        if !library {
            return Vec::new();
        }
        let files = message["filenames"].as_array().cloned().unwrap_or_default();
        files
            .iter()
            .filter_map(|f| f.as_str())
            .map(PathBuf::from)
            .filter_map(|file| {
                let parent = file.parent()?;
                let place = if parent == self.target || parent == self.uplifted {
                    "lib"
                } else if parent == self.host {
                    "host"
                } else {
                    return None;
                };
                Some((file, place))
            })
            .collect()
    }
}

/// Copies a build's library `files` into `store` as snapshot `key`, all at once: the files go
/// into a temporary directory (hard links where the file system allows: rustc writes new
/// files, never into old ones), readable by everyone, which is then renamed into place.
fn publish(
    store: &Path,
    key: &str,
    files: &[(PathBuf, &'static str)],
    libraries: &BTreeMap<String, Library>,
) -> Result<(), CacheError> {
    fs::create_dir_all(store).map_err(io_error(store))?;
    let temporary = store.join(format!(".deps-{key}.{}.tmp", std::process::id()));
    let _ = fs::remove_dir_all(&temporary);
    let mut placed: BTreeMap<PathBuf, String> = BTreeMap::new();
    for (file, place) in files {
        let Some(name) = file.file_name() else {
            continue;
        };
        let relative = format!("{place}/{}", name.to_string_lossy());
        if placed.values().any(|r| *r == relative) {
            // The same library reported twice (cargo's uplifted copy).
            placed.insert(file.clone(), relative);
            continue;
        }
        let destination = temporary.join(&relative);
        if let Some(parent) = destination.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        if fs::hard_link(file, &destination).is_err() {
            fs::copy(file, &destination).map_err(io_error(file))?;
        }
        placed.insert(file.clone(), relative);
    }
    let mut listed = BTreeMap::new();
    for (name, library) in libraries {
        let Some(file) = placed.get(&library.path) else {
            return Err(io_error(&library.path)(io::Error::new(
                io::ErrorKind::NotFound,
                "a library cargo reported is not among the files built",
            )));
        };
        listed.insert(
            name.clone(),
            SnapshotLibrary {
                version: library.version.clone(),
                file: file.clone(),
            },
        );
    }
    let manifest = SnapshotManifest {
        format: FORMAT.into(),
        key: key.into(),
        rustc: rustc_version().lines().next().unwrap_or_default().into(),
        napkin: libraries
            .get("napkin")
            .map(|l| l.version.clone())
            .unwrap_or_default(),
        libraries: listed,
    };
    let text = serde_json::to_string_pretty(&manifest).expect("plain data");
    for dir in ["lib", "host"] {
        fs::create_dir_all(temporary.join(dir)).map_err(io_error(&temporary))?;
    }
    let path = temporary.join(SNAPSHOT_MANIFEST);
    fs::write(&path, text).map_err(io_error(&path))?;
    make_readable(&temporary).map_err(io_error(&temporary))?;
    let destination = snapshot_dir(store, key);
    if let Err(error) = fs::rename(&temporary, &destination) {
        let _ = fs::remove_dir_all(&temporary);
        // Published by someone else meanwhile: theirs is the same.
        if !DepCache::is_published(store, key) {
            return Err(io_error(&destination)(error));
        }
    }
    Ok(())
}

/// Makes `dir` and everything in it readable (and directories enterable) by everyone, and
/// writable by no one but the owner.
fn make_readable(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                make_readable(&entry.path())?;
            } else {
                let mode = entry.metadata()?.permissions().mode();
                let wanted = if mode & 0o100 != 0 { 0o755 } else { 0o644 };
                if mode & 0o777 != wanted {
                    fs::set_permissions(entry.path(), fs::Permissions::from_mode(wanted))?;
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The snapshot directories in `store`, with their keys, sorted by key.
fn published(store: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(store) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key = name.strip_prefix("deps-")?.to_string();
            Some((key, entry.path()))
        })
        .collect();
    found.sort();
    found
}

/// The most recently published snapshot of `store` other than `key`.
fn newest_other(store: &Path, key: &str) -> Option<String> {
    published(store)
        .into_iter()
        .filter(|(k, _)| k != key)
        .filter_map(|(k, dir)| {
            let published = fs::metadata(dir.join(SNAPSHOT_MANIFEST))
                .and_then(|m| m.modified())
                .ok()?;
            Some((published, k))
        })
        .max()
        .map(|(_, k)| k)
}

/// Removes the snapshots in `store` that no running session holds, except those in `keep`;
/// returns each removed directory with the bytes it used.
pub fn remove_unused(store: &Path, keep: &[&str]) -> Vec<(PathBuf, u64)> {
    let mut removed = Vec::new();
    for (key, dir) in published(store) {
        if keep.contains(&key.as_str()) {
            continue;
        }
        let Ok(manifest) = File::open(dir.join(SNAPSHOT_MANIFEST)) else {
            continue;
        };
        // A session holds a shared lock for as long as it runs.
        if manifest.try_lock().is_err() {
            continue;
        }
        let bytes = disk_usage(&dir);
        // Renamed first, so no session finds it half removed.
        let doomed = store.join(format!(".removing-deps-{key}.{}", std::process::id()));
        if fs::rename(&dir, &doomed).is_ok() && fs::remove_dir_all(&doomed).is_ok() {
            removed.push((dir, bytes));
        }
    }
    removed
}

/// The published snapshots in `store`: (key, directory, whether a session uses it now).
pub fn snapshots(store: &Path) -> Vec<(String, PathBuf, bool)> {
    published(store)
        .into_iter()
        .map(|(key, dir)| {
            let in_use = File::open(dir.join(SNAPSHOT_MANIFEST))
                .map(|f| f.try_lock().is_err())
                .unwrap_or(false);
            (key, dir, in_use)
        })
        .collect()
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
        .env("RUSTFLAGS", RUSTFLAGS)
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
    let dylib = format!(
        "{}{CRATE}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let path = message["filenames"]
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .map(PathBuf::from)
        .find(|p| {
            // Dependencies' rlibs stay in `deps/`; the dylib is uplifted beside it.
            if name == CRATE {
                p.file_name().is_some_and(|f| f.to_string_lossy() == dylib)
            } else {
                p.extension().is_some_and(|e| e == "rlib")
                    && p.parent().is_some_and(|d| d == target_deps)
            }
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
        "//! Written by napkin-kernel: napkin and its dependencies as one shared library, the\n\
         //! trait that shows the values of cells ending in a standard type, and evcxr's runtime\n\
         //! (the variable store and the private channel), compiled here once rather than in\n\
         //! every cell.\n\
         pub use napkin;\n\n{}\n\
         #[doc(hidden)]\n\
         pub mod {RUNTIME_MODULE} {{\n{}\n}}\n",
        show::items(),
        super::evcxr::RUNTIME_SOURCE,
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
         # Its own workspace, wherever the cache is (even inside another project's).\n\
         [workspace]\n\
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
        create_private_dir(sessions)?;
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
        // evcxr's runtime, whole: cells `pub use` it rather than compile it.
        assert!(lib.contains("pub mod evcxr_internal_runtime {"), "{lib}");
        assert!(lib.contains("pub fn take_boxed"), "{lib}");

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

    /// A napkin source tree with a manifest, a lockfile and one module.
    fn napkin_tree() -> tempfile::TempDir {
        let napkin = tempfile::tempdir().unwrap();
        fs::write(
            napkin.path().join("Cargo.toml"),
            "[package]\nname = \"napkin\"\n",
        )
        .unwrap();
        fs::write(napkin.path().join("Cargo.lock"), "version = 4\n").unwrap();
        fs::create_dir_all(napkin.path().join("src/estimate")).unwrap();
        fs::write(napkin.path().join("src/lib.rs"), "pub mod estimate;\n").unwrap();
        fs::write(napkin.path().join("src/estimate/mod.rs"), "pub fn f() {}\n").unwrap();
        napkin
    }

    #[test]
    fn the_key_follows_the_sources_and_nothing_else() {
        let napkin = napkin_tree();
        let first = key(napkin.path()).unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(
            key(napkin.path()).unwrap(),
            first,
            "the same sources, the same key"
        );
        // Build products and editor files are not sources.
        fs::create_dir_all(napkin.path().join("channel/target")).unwrap();
        fs::write(napkin.path().join("channel/target/x.rlib"), "x").unwrap();
        fs::write(napkin.path().join("src/.lib.rs.swp"), "x").unwrap();
        assert_eq!(key(napkin.path()).unwrap(), first);
        fs::write(napkin.path().join("src/estimate/mod.rs"), "pub fn g() {}\n").unwrap();
        let changed = key(napkin.path()).unwrap();
        assert_ne!(changed, first, "a changed module is a new cache");
        fs::write(napkin.path().join("Cargo.lock"), "version = 4\n# new\n").unwrap();
        assert_ne!(
            key(napkin.path()).unwrap(),
            changed,
            "so is a changed lockfile"
        );
        // The same sources elsewhere (another checkout, a class's copy) share a cache.
        let copy = tempfile::tempdir().unwrap();
        for file in source_files(napkin.path()).unwrap() {
            let to = copy.path().join(&file);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(napkin.path().join(&file), to).unwrap();
        }
        assert_eq!(key(copy.path()).unwrap(), key(napkin.path()).unwrap());
    }

    /// A build directory holding a fake build's libraries, as cargo reports them.
    fn fake_build(build: &Path) -> (Vec<(PathBuf, &'static str)>, BTreeMap<String, Library>) {
        let places = Places::of(build);
        fs::create_dir_all(&places.target).unwrap();
        fs::create_dir_all(&places.host).unwrap();
        let dylib = format!(
            "{}{CRATE}{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        );
        let files = vec![
            (places.target.join("libuom-1.rlib"), "lib"),
            (places.target.join("libuom-1.rmeta"), "lib"),
            (places.uplifted.join(&dylib), "lib"),
            (places.target.join(&dylib), "lib"),
            (places.host.join("libserde_derive-2.so"), "host"),
        ];
        for (file, _) in &files {
            fs::write(file, file.to_string_lossy().as_bytes()).unwrap();
        }
        let mut libraries = BTreeMap::new();
        libraries.insert(
            "uom".to_string(),
            Library {
                version: "0.38.0".into(),
                path: files[0].0.clone(),
            },
        );
        libraries.insert(
            CRATE.to_string(),
            Library {
                version: "0.0.0".into(),
                path: files[3].0.clone(),
            },
        );
        (files, libraries)
    }

    #[test]
    fn a_snapshot_is_published_whole_readable_and_kept_while_used() {
        let build = tempfile::tempdir().unwrap();
        let store = tempfile::tempdir().unwrap();
        let (files, libraries) = fake_build(build.path());
        assert!(!DepCache::is_published(store.path(), "k1"));
        publish(store.path(), "k1", &files, &libraries).unwrap();
        assert!(DepCache::is_published(store.path(), "k1"));
        let cache = DepCache::open(store.path(), "k1").unwrap().unwrap();
        let dir = snapshot_dir(store.path(), "k1");
        assert_eq!(cache.dir, dir);
        assert_eq!(cache.libraries["uom"].path, dir.join("lib/libuom-1.rlib"));
        assert_eq!(cache.libraries["uom"].version, "0.38.0");
        assert!(cache.libraries[CRATE].path.starts_with(dir.join("lib")));
        assert_eq!(cache.lib_dirs, [dir.join("lib"), dir.join("host")]);
        assert!(dir.join("host/libserde_derive-2.so").is_file());
        assert_eq!(
            fs::read_to_string(dir.join("lib/libuom-1.rlib")).unwrap(),
            files[0].0.to_string_lossy(),
            "the build's file, not another"
        );
        let args = cache.rustc_args();
        assert!(args.contains(&format!("uom={}", dir.join("lib/libuom-1.rlib").display())));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o755, "a class can read a shared snapshot");
            assert_eq!(mode(&dir.join("lib")), 0o755);
            assert_eq!(mode(&dir.join("lib/libuom-1.rlib")), 0o644);
            assert_eq!(mode(&dir.join(SNAPSHOT_MANIFEST)), 0o644);
        }
        // Nothing half-written is left beside it.
        let names: Vec<String> = fs::read_dir(store.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["deps-k1"]);

        // A second snapshot; the first is in use, so cleaning keeps it.
        publish(store.path(), "k2", &files, &libraries).unwrap();
        let age = |key: &str, seconds: u64| {
            let manifest = snapshot_dir(store.path(), key).join(SNAPSHOT_MANIFEST);
            let when = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
            File::options()
                .write(true)
                .open(manifest)
                .unwrap()
                .set_modified(when)
                .unwrap();
        };
        age("k1", 1_000);
        age("k2", 2_000);
        assert_eq!(newest_other(store.path(), "k3").as_deref(), Some("k2"));
        assert_eq!(newest_other(store.path(), "k2").as_deref(), Some("k1"));
        assert!(remove_unused(store.path(), &["k2"]).is_empty());
        assert_eq!(
            snapshots(store.path())
                .iter()
                .map(|(k, _, used)| (k.as_str(), *used))
                .collect::<Vec<_>>(),
            [("k1", true), ("k2", false)]
        );
        let clone = cache.clone();
        drop(cache);
        assert!(
            remove_unused(store.path(), &["k2"]).is_empty(),
            "a clone holds it too"
        );
        drop(clone);
        let removed = remove_unused(store.path(), &["k2"]);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].0, dir);
        assert!(!dir.exists());
        assert!(
            DepCache::is_published(store.path(), "k2"),
            "the kept one stays"
        );
        assert_eq!(remove_unused(store.path(), &[]).len(), 1);
        assert!(snapshots(store.path()).is_empty());
    }

    #[test]
    fn a_missing_shared_snapshot_is_an_error_naming_the_fix_and_writes_nothing() {
        let napkin = napkin_tree();
        let user = tempfile::tempdir().unwrap();
        let shared = tempfile::tempdir().unwrap();
        let layout = Layout {
            user: user.path().join("mine"),
            shared: Some(shared.path().to_path_buf()),
        };
        let key = key(napkin.path()).unwrap();
        let error = DepCache::ensure(&layout, napkin.path(), &key, |_| {}).unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, CacheError::SharedMissing { .. }), "{text}");
        assert!(
            text.contains(&format!(
                "napkin-kernel warm --shared {}",
                shared.path().display()
            )),
            "{text}"
        );
        assert!(!text.contains('\n'), "one line: {text}");
        assert_eq!(
            fs::read_dir(shared.path()).unwrap().count(),
            0,
            "nothing written"
        );
        assert!(!layout.user.exists(), "nor built in the user's directory");
    }

    #[test]
    fn the_users_directory_is_private_and_holds_what_sessions_write() {
        let root = tempfile::tempdir().unwrap();
        let layout = Layout {
            user: root.path().join("cache"),
            shared: Some(PathBuf::from("/opt/napkin-cache")),
        };
        layout.create_user_dir().unwrap();
        let session = SessionDir::create(&layout.sessions()).unwrap();
        assert!(session.path.starts_with(&layout.user));
        assert!(layout.type_paths("k").starts_with(&layout.user));
        assert!(layout.build_dir().starts_with(&layout.user));
        assert_eq!(layout.store(), Path::new("/opt/napkin-cache"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&layout.user), 0o700);
            assert_eq!(mode(&layout.sessions()), 0o700);
        }
    }

    #[test]
    fn the_build_is_its_own_workspace() {
        assert!(manifest(Path::new("/n")).contains("\n[workspace]\n"));
    }
}
