//! `install` / `uninstall`: the kernelspec through which Jupyter finds and launches this binary.
//!
//! The kernelspec is the folder `<data dir>/kernels/napkin/` holding `kernel.json` and two
//! logos, all embedded in the binary from `kernel/kernelspec/`. Installing renders the
//! template with the absolute path of the running executable as `argv[0]`, so the spec keeps
//! working without the binary on `PATH`.
//!
//! Where `<data dir>` is:
//! * `--user`: `$JUPYTER_DATA_DIR` if set, else Jupyter's per-user data directory
//!   (`~/.local/share/jupyter` on Linux, `~/Library/Jupyter` on macOS);
//! * `--sys-prefix`: `<prefix>/share/jupyter`, where `<prefix>` is `$VIRTUAL_ENV`, else the
//!   `sys.prefix` of `python3`;
//! * `--prefix DIR`: `DIR/share/jupyter`;
//! * no flag: `--sys-prefix` inside an activated virtualenv, `--user` otherwise.

use std::path::{Path, PathBuf};

/// The kernel's name: the kernelspec folder, and what `jupyter --kernel=` expects.
pub const KERNEL_NAME: &str = "napkin";

const KERNEL_JSON: &str = include_str!("../kernelspec/kernel.json");
const LOGO_32: &[u8] = include_bytes!("../kernelspec/logo-32x32.png");
const LOGO_64: &[u8] = include_bytes!("../kernelspec/logo-64x64.png");

/// Which Jupyter data directory to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The current user's Jupyter data directory.
    User,
    /// The active Python environment's prefix.
    SysPrefix,
    /// An explicit prefix.
    Prefix(PathBuf),
}

impl Location {
    /// The location used when no flag is given: the virtualenv if one is active, else the user.
    pub fn default_for_environment() -> Self {
        if std::env::var_os("VIRTUAL_ENV").is_some_and(|v| !v.is_empty()) {
            Location::SysPrefix
        } else {
            Location::User
        }
    }
}

/// Problems installing or uninstalling.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The user data directory could not be determined.
    #[error("cannot find the Jupyter user data directory: {0}")]
    UserDataDir(String),
    /// The Python prefix could not be determined.
    #[error(
        "cannot determine the Python prefix (activate a virtualenv or put python3 on PATH): {0}"
    )]
    SysPrefix(String),
    /// The running executable's path could not be determined.
    #[error("cannot determine the path of this executable: {0}")]
    CurrentExe(std::io::Error),
    /// The executable's path cannot be written into kernel.json.
    #[error("the executable path {0} is not valid UTF-8")]
    NonUtf8Path(PathBuf),
    /// The embedded template is broken (a build problem, not a user one).
    #[error("the embedded kernel.json template is invalid: {0}")]
    Template(String),
    /// A file could not be written or removed.
    #[error("cannot {action} {path}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// On what.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The kernelspec folder for `location`.
pub fn kernel_dir(location: &Location) -> Result<PathBuf, InstallError> {
    Ok(data_dir(location)?.join("kernels").join(KERNEL_NAME))
}

/// Installs the kernelspec for the running executable; returns the folder written. With
/// `shared`, every session reads the dependency cache from that class-wide directory and
/// napkin's sources from where this installer found them.
pub fn install(location: &Location, shared: Option<&Path>) -> Result<PathBuf, InstallError> {
    let executable = std::env::current_exe().map_err(InstallError::CurrentExe)?;
    let executable = executable.canonicalize().unwrap_or(executable);
    let dir = kernel_dir(location)?;
    let mut env = Vec::new();
    if let Some(shared) = shared {
        env.push((crate::eval::cache::SHARED_ENV, path_text(shared)?));
        env.push((
            "NAPKIN_PATH",
            path_text(&crate::eval::evcxr::napkin_path())?,
        ));
    }
    write_kernelspec(&dir, &executable, &env)?;
    Ok(dir)
}

fn path_text(path: &Path) -> Result<String, InstallError> {
    path.to_str()
        .map(str::to_string)
        .ok_or_else(|| InstallError::NonUtf8Path(path.to_owned()))
}

/// Removes the kernelspec; returns the folder removed, or `None` if there was none.
pub fn uninstall(location: &Location) -> Result<Option<PathBuf>, InstallError> {
    let dir = kernel_dir(location)?;
    if !dir.exists() {
        return Ok(None);
    }
    std::fs::remove_dir_all(&dir).map_err(|source| InstallError::Io {
        action: "remove",
        path: dir.clone(),
        source,
    })?;
    Ok(Some(dir))
}

/// Writes `kernel.json` (launching `executable` with the environment `env`) and the logos
/// into `dir`.
pub fn write_kernelspec(
    dir: &Path,
    executable: &Path,
    env: &[(&str, String)],
) -> Result<(), InstallError> {
    let kernel_json = render_kernel_json(executable, env)?;
    std::fs::create_dir_all(dir).map_err(|source| InstallError::Io {
        action: "create",
        path: dir.to_owned(),
        source,
    })?;
    for (name, contents) in [
        ("kernel.json", kernel_json.as_bytes()),
        ("logo-32x32.png", LOGO_32),
        ("logo-64x64.png", LOGO_64),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, contents).map_err(|source| InstallError::Io {
            action: "write",
            path,
            source,
        })?;
    }
    Ok(())
}

/// The embedded `kernel.json` with `argv[0]` set to `executable` and `env` added.
pub fn render_kernel_json(
    executable: &Path,
    env: &[(&str, String)],
) -> Result<String, InstallError> {
    let executable = executable
        .to_str()
        .ok_or_else(|| InstallError::NonUtf8Path(executable.to_owned()))?;
    let mut spec: serde_json::Value =
        serde_json::from_str(KERNEL_JSON).map_err(|e| InstallError::Template(e.to_string()))?;
    let program = spec
        .get_mut("argv")
        .and_then(|argv| argv.get_mut(0))
        .ok_or_else(|| InstallError::Template("argv is empty".into()))?;
    *program = executable.into();
    for (name, value) in env {
        spec["env"][*name] = value.clone().into();
    }
    serde_json::to_string_pretty(&spec).map_err(|e| InstallError::Template(e.to_string()))
}

fn data_dir(location: &Location) -> Result<PathBuf, InstallError> {
    match location {
        Location::User => match std::env::var_os("JUPYTER_DATA_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => Ok(PathBuf::from(dir)),
            None => jupyter_zmq_client::user_data_dir()
                .map_err(|e| InstallError::UserDataDir(e.to_string())),
        },
        Location::SysPrefix => Ok(sys_prefix()?.join("share").join("jupyter")),
        Location::Prefix(prefix) => Ok(prefix.join("share").join("jupyter")),
    }
}

fn sys_prefix() -> Result<PathBuf, InstallError> {
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(venv));
    }
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .map_err(|e| InstallError::SysPrefix(format!("cannot run python3: {e}")))?;
    let prefix = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() || prefix.is_empty() {
        return Err(InstallError::SysPrefix(format!(
            "python3 exited with {}",
            output.status
        )));
    }
    Ok(PathBuf::from(prefix))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use jupyter_protocol::JupyterKernelspec;

    use super::{Location, kernel_dir, render_kernel_json, write_kernelspec};

    #[test]
    fn kernel_json_launches_the_given_executable() {
        let json = render_kernel_json(Path::new("/opt/napkin/bin/napkin-kernel"), &[]).unwrap();
        let spec: JupyterKernelspec = serde_json::from_str(&json).unwrap();
        assert_eq!(
            spec.argv,
            [
                "/opt/napkin/bin/napkin-kernel",
                "--connection-file",
                "{connection_file}"
            ]
        );
        assert_eq!(spec.display_name, "Rust (napkin)");
        assert_eq!(spec.language, "rust");
        assert_eq!(spec.interrupt_mode.as_deref(), Some("message"));
        // Jupyter rejects `null` for these; they must be objects.
        let raw: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(raw["env"].is_object());
        assert!(raw["metadata"].is_object());
    }

    #[test]
    fn a_class_install_points_sessions_at_the_shared_cache() {
        let env = [
            ("NAPKIN_SHARED_CACHE", "/opt/napkin-cache".to_string()),
            ("NAPKIN_PATH", "/opt/napkin".to_string()),
        ];
        let json = render_kernel_json(Path::new("/bin/napkin-kernel"), &env).unwrap();
        let spec: JupyterKernelspec = serde_json::from_str(&json).unwrap();
        let env = spec.env.unwrap();
        assert_eq!(env["NAPKIN_SHARED_CACHE"], "/opt/napkin-cache");
        assert_eq!(env["NAPKIN_PATH"], "/opt/napkin");
    }

    #[test]
    fn the_kernelspec_folder_is_complete() {
        let dir = tempfile::tempdir().unwrap();
        let spec_dir = dir.path().join("kernels").join("napkin");
        write_kernelspec(&spec_dir, Path::new("/bin/napkin-kernel"), &[]).unwrap();
        for name in ["kernel.json", "logo-32x32.png", "logo-64x64.png"] {
            assert!(spec_dir.join(name).is_file(), "{name}");
        }
        let logo = std::fs::read(spec_dir.join("logo-64x64.png")).unwrap();
        assert!(logo.starts_with(b"\x89PNG\r\n\x1a\n"));
    }

    #[test]
    fn prefix_installs_under_share_jupyter() {
        assert_eq!(
            kernel_dir(&Location::Prefix("/usr/local".into())).unwrap(),
            Path::new("/usr/local/share/jupyter/kernels/napkin")
        );
    }
}
