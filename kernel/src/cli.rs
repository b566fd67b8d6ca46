//! The command line: run a kernel for Jupyter, or install/uninstall its kernelspec.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::install::Location;

/// A Jupyter kernel for Rust with napkin built in.
#[derive(Debug, Parser)]
#[command(name = "napkin-kernel", version, arg_required_else_help = true)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Run the kernel with this connection file (what Jupyter passes via kernel.json).
    #[arg(short = 'f', long = "connection-file", value_name = "FILE")]
    pub connection_file: Option<PathBuf>,

    /// Install or uninstall the kernelspec instead of running.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install the "napkin" kernelspec so Jupyter can launch this binary, and warm its
    /// build cache.
    Install(InstallArgs),
    /// Remove the "napkin" kernelspec.
    Uninstall(LocationArgs),
    /// Compile napkin and its dependencies into the kernel's build cache now, so the first
    /// notebook does not wait for them (install does this unless given --no-warm).
    Warm,
    /// Show where the kernel's compiled-dependency cache is and how much disk it uses, or
    /// free that disk.
    Cache(CacheArgs),
}

/// Arguments of `cache`.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct CacheArgs {
    /// Print the cache's location, size and sessions (the default).
    #[arg(long)]
    pub info: bool,
    /// Remove the compiled dependencies (the next session or `warm` compiles them again).
    #[arg(long)]
    pub clean: bool,
}

/// Where the kernelspec lives (default: the active virtualenv if any, else the user).
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct LocationArgs {
    /// The current user's Jupyter data directory ($JUPYTER_DATA_DIR if set).
    #[arg(long)]
    pub user: bool,
    /// The active Python environment ($VIRTUAL_ENV or python3's sys.prefix).
    #[arg(long)]
    pub sys_prefix: bool,
    /// DIR/share/jupyter.
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,
}

/// Arguments of `install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Where to install.
    #[command(flatten)]
    pub location: LocationArgs,
    /// Do not compile the build cache now (the first cell will).
    #[arg(long)]
    pub no_warm: bool,
}

impl LocationArgs {
    /// The location these flags select.
    pub fn location(&self) -> Location {
        match (&self.prefix, self.user, self.sys_prefix) {
            (Some(prefix), _, _) => Location::Prefix(prefix.clone()),
            (None, true, _) => Location::User,
            (None, false, true) => Location::SysPrefix,
            (None, false, false) => Location::default_for_environment(),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command};
    use crate::install::Location;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("napkin-kernel").chain(args.iter().copied()))
    }

    #[test]
    fn connection_file_has_a_long_and_a_short_form() {
        for args in [["--connection-file", "/tmp/k.json"], ["-f", "/tmp/k.json"]] {
            let cli = parse(&args).unwrap();
            assert_eq!(cli.connection_file.unwrap().to_str(), Some("/tmp/k.json"));
            assert!(cli.command.is_none());
        }
    }

    #[test]
    fn install_locations_are_exclusive() {
        let cli = parse(&["install", "--prefix", "/p"]).unwrap();
        let Some(Command::Install(args)) = cli.command else {
            panic!("expected install");
        };
        assert_eq!(args.location.location(), Location::Prefix("/p".into()));
        assert!(!args.no_warm);
        let Some(Command::Install(args)) = parse(&["install", "--sys-prefix", "--no-warm"])
            .unwrap()
            .command
        else {
            panic!("expected install");
        };
        assert!(args.no_warm);
        let Some(Command::Cache(args)) = parse(&["cache", "--clean"]).unwrap().command else {
            panic!("cache --clean");
        };
        assert!(args.clean && !args.info);
        assert!(parse(&["cache", "--clean", "--info"]).is_err());
        let Some(Command::Uninstall(args)) = parse(&["uninstall", "--user"]).unwrap().command
        else {
            panic!("expected uninstall");
        };
        assert_eq!(args.location(), Location::User);
        assert!(parse(&["install", "--user", "--sys-prefix"]).is_err());
    }

    #[test]
    fn nothing_to_do_is_an_error() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["-f", "k.json", "install"]).is_err());
    }
}
