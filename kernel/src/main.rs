//! The `napkin-kernel` binary: a Jupyter kernel for Rust with napkin built in.
//!
//! Layers, outermost first (after xeus): [`wire`] owns the ZeroMQ sockets and signatures;
//! [`transport`] is the channel seam between the wire and [`handlers`], which answer each
//! request type behind one dispatch point; [`eval`] is the seam to the language engine
//! (evcxr), driven on its own thread. [`protocol`], [`is_complete`], [`offsets`] and
//! [`history`] are pure helpers of the handlers; [`kernel`] assembles the process;
//! [`install`] writes the kernelspec; `cache` (in [`eval`]) is the compiled-dependency cache
//! every session links against, which [`admin`]'s commands build, publish and clean.

#[macro_use]
mod log;

mod admin;
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
use crate::eval::Evaluator;
use crate::eval::evcxr::EvcxrEvaluator;

fn main() -> anyhow::Result<()> {
    // Must stay first: evcxr re-executes this binary as its evaluation process and as a rustc
    // wrapper; in those roles this call never returns.
    evcxr::runtime_hook();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Install(args)) => {
            let shared = args.shared.as_deref().map(admin::shared_dir).transpose()?;
            let dir = install::install(&args.location.location(), shared.as_deref())?;
            println!(
                "Installed the {} kernelspec in {}",
                install::KERNEL_NAME,
                dir.display()
            );
            if let Some(shared) = &shared {
                println!("Its sessions read the shared cache {}", shared.display());
            }
            if !args.no_warm {
                admin::warm(shared.as_deref())?;
            }
        }
        Some(Command::Warm(args)) => {
            let shared = args.shared.as_deref().map(admin::shared_dir).transpose()?;
            admin::warm(shared.as_deref())?;
        }
        Some(Command::Cache(args)) if args.clean => admin::clean(args.shared.as_deref(), args.all)?,
        Some(Command::Cache(args)) => admin::info(args.shared.as_deref()),
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
