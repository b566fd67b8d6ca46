//! The commands that look after the compiled-dependency cache: `warm` (build it, or publish
//! it into a class's shared directory), `cache --info` and `cache --clean`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use crate::eval::EvalError;
use crate::eval::cache::{self, DepCache, Layout};
use crate::eval::evcxr::{EvcxrEvaluator, napkin_path};

/// The shared directory `dir` as sessions will name it: created if missing (readable by
/// everyone, as a class's cache must be) and made absolute.
pub fn shared_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        #[cfg(unix)]
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .with_context(|| format!("cannot make {} readable", dir.display()))?;
    }
    dir.canonicalize()
        .with_context(|| format!("cannot resolve {}", dir.display()))
}

/// Compiles napkin and its dependencies (showing each crate compiled), publishes the result
/// into the user's cache or into `shared`, runs a sample cell against it, and says how long it
/// took.
pub fn warm(shared: Option<&Path>) -> anyhow::Result<()> {
    let start = Instant::now();
    println!("Warming the napkin-kernel cache (napkin, polars, plotters, uom)…");
    let napkin = napkin_path();
    let key = cache::key(&napkin)?;
    if let Some(shared) = shared {
        // Built in this user's own build directory, published into the shared one.
        let layout = Layout::from_env();
        let mut compiled = 0;
        let built = DepCache::build(&layout.build_dir(), shared, &napkin, &key, |progress| {
            let cache::Progress::Compiled(name) = progress;
            compiled += 1;
            print!("\rCompiling {name} ({compiled} crates so far)");
            let _ = std::io::Write::flush(&mut std::io::stdout());
        })?;
        if built.compiled > 0 {
            println!();
        }
        println!("Published {}", built.dir.display());
        // SAFETY: single-threaded here; the sample session below reads it.
        unsafe { std::env::set_var(cache::SHARED_ENV, shared) };
    }
    let fail = |e: EvalError| anyhow::anyhow!("{}: {}", e.ename, e.evalue);
    EvcxrEvaluator::warm().map_err(fail)?;
    let layout = Layout::from_env();
    println!(
        "\nCache ready in {} ({:.0} s); every session links against it.",
        cache::snapshot_dir(layout.store(), &key).display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The layout `cache` looks at: the user's, or with `shared` that directory as the store.
fn layout(shared: Option<&Path>) -> Layout {
    let mut layout = Layout::from_env();
    if let Some(shared) = shared {
        layout.shared = Some(shared.to_path_buf());
    }
    layout
}

/// `cache --info`: where the cache is, its snapshots (which is current, which are in use),
/// the build directory and the sessions, with their sizes.
pub fn info(shared: Option<&Path>) {
    let layout = layout(shared);
    let current = cache::key(&napkin_path()).ok();
    println!("napkin-kernel cache");
    println!(
        "  compiled dependencies (napkin, polars, plotters, uom), read by every session: {}",
        layout.store().display()
    );
    let snapshots = cache::snapshots(layout.store());
    if snapshots.is_empty() {
        match &layout.shared {
            Some(dir) => println!(
                "    none yet: `napkin-kernel warm --shared {}` publishes one",
                dir.display()
            ),
            None => println!("    none yet: `napkin-kernel warm` builds one"),
        }
    }
    for (key, dir, in_use) in &snapshots {
        let mut notes = Vec::new();
        if current.as_deref() == Some(key.as_str()) {
            notes.push("current");
        }
        if *in_use {
            notes.push("in use");
        }
        println!(
            "    {} {}{}",
            dir.file_name().unwrap_or_default().to_string_lossy(),
            megabytes(cache::disk_usage(dir)),
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join(", "))
            }
        );
    }
    if let Some(key) = &current
        && !snapshots.iter().any(|(k, _, _)| k == key)
    {
        println!("    (nothing yet for this napkin and compiler: key {key})");
    }
    if layout.shared.is_none() {
        let build = layout.build_dir();
        println!(
            "  build directory: {} {}",
            build.display(),
            megabytes(cache::disk_usage(&build))
        );
    }
    let sessions = layout.sessions();
    let running = std::fs::read_dir(&sessions).map_or(0, |d| d.count());
    println!(
        "  this user's session directories (one per open notebook, removed when it closes): {running}, {} in {}",
        megabytes(cache::disk_usage(&sessions)),
        sessions.display()
    );
    println!(
        "  `napkin-kernel cache --clean` frees what no session uses; NAPKIN_KERNEL_CACHE moves it."
    );
}

/// `cache --clean`: removes the snapshots no running session holds, except the current one
/// (with `all`, that one too, and the build directory).
pub fn clean(shared: Option<&Path>, all: bool) -> anyhow::Result<()> {
    let layout = layout(shared);
    let current = cache::key(&napkin_path()).ok();
    let keep: Vec<&str> = current.as_deref().filter(|_| !all).into_iter().collect();
    let removed = cache::remove_unused(layout.store(), &keep);
    for (dir, bytes) in &removed {
        println!("Removed {} ({})", dir.display(), megabytes(*bytes));
    }
    for (_, dir, in_use) in cache::snapshots(layout.store()) {
        if in_use {
            println!("Kept {} (a session uses it)", dir.display());
        }
    }
    if all && layout.shared.is_none() {
        let build = layout.user.join("build");
        let bytes = cache::disk_usage(&build);
        match std::fs::remove_dir_all(&build) {
            Ok(()) => println!("Removed {} ({})", build.display(), megabytes(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context(format!("cannot remove {}", build.display())),
        }
    }
    if removed.is_empty() && !all {
        println!("Nothing unused to remove in {}", layout.store().display());
    }
    Ok(())
}

/// `bytes` in MiB, for people.
fn megabytes(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}
