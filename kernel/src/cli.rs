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
    Warm(WarmArgs),
    /// Show where the kernel's compiled-dependency cache is and how much disk it uses, or
    /// free that disk.
    Cache(CacheArgs),
}

/// Arguments of `warm`.
#[derive(Debug, Args)]
pub struct WarmArgs {
    /// Publish the cache into DIR, a class's shared directory that learners' sessions only
    /// read (see `install --shared`), instead of the user's own cache.
    #[arg(long, value_name = "DIR")]
    pub shared: Option<PathBuf>,
}

/// Arguments of `cache`.
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// Print the cache's location, size and sessions (the default).
    #[arg(long, conflicts_with = "clean")]
    pub info: bool,
    /// Remove the compiled dependencies no running session uses, except those of this
    /// napkin and compiler (with --all, those too, and the build directory).
    #[arg(long)]
    pub clean: bool,
    /// With --clean: also the current build, if no session uses it.
    #[arg(long, requires = "clean")]
    pub all: bool,
    /// Look at (or clean) a class's shared cache DIR rather than the user's own.
    #[arg(long, value_name = "DIR")]
    pub shared: Option<PathBuf>,
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
    /// Point every session at a class's shared cache DIR, which learners only read, and
    /// publish it there now (unless --no-warm; then `warm --shared DIR` does).
    #[arg(long, value_name = "DIR")]
    pub shared: Option<PathBuf>,
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
        assert!(args.clean && !args.info && !args.all && args.shared.is_none());
        assert!(parse(&["cache", "--clean", "--info"]).is_err());
        assert!(
            parse(&["cache", "--all"]).is_err(),
            "--all only with --clean"
        );
        let Some(Command::Cache(args)) = parse(&["cache", "--clean", "--all", "--shared", "/c"])
            .unwrap()
            .command
        else {
            panic!("cache --clean --all --shared");
        };
        assert!(args.all && args.shared.unwrap().to_str() == Some("/c"));
        let Some(Command::Warm(args)) = parse(&["warm", "--shared", "/c"]).unwrap().command else {
            panic!("warm --shared");
        };
        assert_eq!(args.shared.unwrap().to_str(), Some("/c"));
        let Some(Command::Install(args)) =
            parse(&["install", "--prefix", "/p", "--shared", "/c", "--no-warm"])
                .unwrap()
                .command
        else {
            panic!("install --shared");
        };
        assert_eq!(args.shared.unwrap().to_str(), Some("/c"));
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
