//! The `napkin-kernel` binary: a Jupyter kernel for Rust with napkin built in.
//!
//! Layers, outermost first (after xeus): [`wire`] owns the ZeroMQ sockets and signatures;
//! [`transport`] is the channel seam between the wire and [`handlers`], which answer each
//! request type behind one dispatch point; [`eval`] is the seam to the language engine
//! (evcxr), driven on its own thread. [`protocol`], [`is_complete`], [`offsets`] and
//! [`history`] are pure helpers of the handlers; [`kernel`] assembles the process;
//! [`install`] writes the kernelspec; `cache` (in [`eval`]) is the compiled-dependency cache
//! every session links against.

#[macro_use]
mod log;

mod cli;
mod connection;
mod eval;
mod handlers;
mod history;
mod install;
mod is_complete;
mod kernel;
mod offsets;
mod protocol;
mod task;
mod transport;
mod widgets;
mod wire;

use anyhow::Context as _;
use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::eval::EvalError;
use crate::eval::Evaluator;
use crate::eval::evcxr::EvcxrEvaluator;

fn main() -> anyhow::Result<()> {
    // Must stay first: evcxr re-executes this binary as its evaluation process and as a rustc
    // wrapper; in those roles this call never returns.
    evcxr::runtime_hook();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Install(args)) => {
            let dir = install::install(&args.location.location())?;
            println!(
                "Installed the {} kernelspec in {}",
                install::KERNEL_NAME,
                dir.display()
            );
            if !args.no_warm {
                warm()?;
            }
        }
        Some(Command::Warm) => warm()?,
        Some(Command::Cache(args)) if args.clean => {
            let dir = eval::cache::toolchain_cache();
            let freed = eval::cache::disk_usage(&dir);
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => println!("Removed {} ({})", dir.display(), megabytes(freed)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    println!("Nothing to remove: {} does not exist", dir.display())
                }
                Err(e) => return Err(e).context(format!("cannot remove {}", dir.display())),
            }
        }
        Some(Command::Cache(_)) => {
            let dir = eval::cache::toolchain_cache();
            let deps = eval::cache::DepCache::dir();
            let sessions = dir.join("sessions");
            let running = std::fs::read_dir(&sessions).map_or(0, |d| d.count());
            println!("napkin-kernel cache: {}", dir.display());
            println!(
                "  compiled dependencies (napkin, polars, plotters, uom), shared by every session: {} in {}{}",
                megabytes(eval::cache::disk_usage(&deps)),
                deps.display(),
                if eval::cache::DepCache::looks_warm(&deps) {
                    ""
                } else {
                    " (not built yet)"
                }
            );
            println!(
                "  session directories (one per open notebook, removed when it closes): {running}, {}",
                megabytes(eval::cache::disk_usage(&sessions))
            );
            println!("  `napkin-kernel cache --clean` frees it; NAPKIN_KERNEL_CACHE moves it.");
        }
        Some(Command::Uninstall(args)) => match install::uninstall(&args.location())? {
            Some(dir) => println!(
                "Removed the {} kernelspec from {}",
                install::KERNEL_NAME,
                dir.display()
            ),
            None => println!(
                "No {} kernelspec in {}",
                install::KERNEL_NAME,
                install::kernel_dir(&args.location())?.display()
            ),
        },
        None => {
            let path = cli
                .connection_file
                .context("missing --connection-file (see --help)")?;
            let connection = connection::read(&path)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let factory = Box::new(|| {
                let evaluator: Box<dyn Evaluator> = Box::new(EvcxrEvaluator::new()?);
                Ok(evaluator)
            });
            let result = runtime.block_on(kernel::run(&connection, factory));
            // Do not wait for stuck blocking tasks; the evaluator was already stopped.
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
            result?;
        }
    }
    Ok(())
}

/// Compiles napkin and its dependencies into the kernel's dependency cache, showing each
/// crate compiled, runs a sample cell through it, and says how long it took.
fn warm() -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    println!("Warming the napkin-kernel cache (napkin, polars, plotters, uom)…");
    let fail = |e: EvalError| anyhow::anyhow!("{}: {}", e.ename, e.evalue);
    EvcxrEvaluator::warm().map_err(fail)?;
    println!(
        "\nCache ready in {} ({:.0} s); every session links against it.",
        eval::cache::DepCache::dir().display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `bytes` in MiB, for people.
fn megabytes(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}
