//! The `napkin-kernel` binary: a Jupyter kernel for Rust with napkin built in.
//!
//! Layers, outermost first (after xeus): [`wire`] owns the ZeroMQ sockets and signatures;
//! [`transport`] is the channel seam between the wire and [`handlers`], which answer each
//! request type behind one dispatch point; [`eval`] is the seam to the language engine
//! (evcxr), driven on its own thread. [`protocol`], [`is_complete`], [`offsets`] and
//! [`history`] are pure helpers of the handlers; [`kernel`] assembles the process;
//! [`install`] writes the kernelspec; [`spare`] keeps a pre-warmed evaluator process for the
//! next session.

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
mod spare;
mod transport;
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
    spare::remember_environment();
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
        Some(Command::Spare(args)) if args.stop => {
            if spare::stop()? {
                println!("Stopped the pre-warmed evaluator");
            }
        }
        Some(Command::Spare(_)) => spare::run()?,
        Some(Command::Uninstall(args)) => {
            match install::uninstall(&args.location())? {
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
            }
            if spare::stop()? {
                println!("Stopped the pre-warmed evaluator");
            }
        }
        None => {
            let path = cli
                .connection_file
                .context("missing --connection-file (see --help)")?;
            let connection = connection::read(&path)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let spares = spare::enabled();
            let factory = Box::new(move || {
                let evaluator: Box<dyn Evaluator> = match spares.then(spare::adopt).flatten() {
                    Some(adopted) => Box::new(adopted),
                    None => Box::new(EvcxrEvaluator::new()?),
                };
                if spares {
                    // The next session adopts this one, ready before it is needed.
                    spare::spawn();
                }
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

/// Compiles napkin and its dependencies into the kernel's build cache, showing cargo's
/// progress, says how long it took, and starts a pre-warmed evaluator for the first notebook.
fn warm() -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    // Decided before the evaluator sets EVCXR_TMPDIR for itself.
    let spares = spare::enabled();
    println!("Warming the napkin-kernel build cache (napkin, polars, plotters, uom)…");
    let fail = |e: EvalError| anyhow::anyhow!("{}: {}", e.ename, e.evalue);
    let mut evaluator = EvcxrEvaluator::new().map_err(fail)?;
    evaluator.warm().map_err(fail)?;
    println!(
        "Build cache ready in {} ({:.0} s).",
        evaluator.build_dir().map_or_else(
            || "a temporary directory".into(),
            |d| d.display().to_string()
        ),
        start.elapsed().as_secs_f64()
    );
    // Free the build slot first: the spare takes it.
    drop(evaluator);
    if spares && spare::spawn() {
        println!(
            "A pre-warmed evaluator is starting in the background, so the first notebook \
             answers in seconds (`napkin-kernel spare --stop` stops it)."
        );
    }
    Ok(())
}
