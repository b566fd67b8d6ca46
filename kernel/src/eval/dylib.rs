//! napkin and all its dependencies as one shared library per build directory, so a cell links
//! against it instead of statically re-linking polars, plotters and uom into every cell.
//!
//! evcxr compiles each cell into its own shared object. With napkin as an ordinary dependency
//! the linker pulls the parts of ~140 static libraries a cell uses into that object: ~0.3 s of
//! a ~0.5 s compile for a chart or DataFrame cell here. The kernel therefore writes, in the
//! build directory, a tiny crate of type `dylib` that depends on napkin, and adds it to the
//! session (`:dep` plus `use napkin_dylib as _;`). rustc then finds napkin and everything below
//! it already inside `libnapkin_dylib.so` and links the cell against that (the way Bevy's
//! `dynamic_linking` feature works): the cell's object is a few tens of kilobytes, every cell
//! shares one copy of polars' code and statics, and cells still name `napkin::…` as before.
//!
//! The crate also holds the trait that shows standard types' values (see [`super::show`]), so
//! its impls are compiled once instead of with every cell.
//!
//! Cargo compiles the crate with the rest of the session, so a changed napkin or toolchain
//! relinks it (a few seconds) and it is never stale.

use super::show;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The crate's name, as cells (and `:dep`) spell it.
pub const CRATE: &str = "napkin_dylib";

/// Writes the crate into `build_dir/napkin_dylib` for napkin at `napkin`, returning its
/// directory. Files whose content is unchanged are left alone, so cargo does not relink.
pub fn write_crate(build_dir: &Path, napkin: &Path) -> io::Result<PathBuf> {
    let dir = build_dir.join(CRATE);
    fs::create_dir_all(&dir)?;
    write_if_changed(&dir.join("Cargo.toml"), &manifest(napkin))?;
    write_if_changed(&dir.join("lib.rs"), &lib_rs())?;
    Ok(dir)
}

/// Where cargo puts the crate's shared library (and the cells'), for the dynamic loader.
pub fn library_dir(build_dir: &Path, target: &str) -> PathBuf {
    build_dir.join("target").join(target).join("debug/deps")
}

/// The session commands that add the crate: a `:dep`, then a `use` of its display trait
/// (which also makes rustc link the crate).
pub fn session_commands(dir: &Path) -> [String; 2] {
    [
        format!(
            ":dep {CRATE} = {{ path = {:?} }}",
            dir.display().to_string()
        ),
        format!("use {CRATE}::{};", show::TRAIT),
    ]
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
        "# Written by napkin-kernel: napkin and its dependencies as one shared library,\n\
         # which the session's cells link against.\n\
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
         napkin = {{ path = {:?} }}\n",
        napkin.display().to_string()
    )
}

fn write_if_changed(path: &Path, content: &str) -> io::Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crate_is_a_dylib_over_napkin_and_rewrites_nothing_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = write_crate(tmp.path(), Path::new("/src/napkin \"x\"")).unwrap();
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"napkin_dylib\""), "{manifest}");
        assert!(manifest.contains("crate-type = [\"dylib\"]"), "{manifest}");
        assert!(
            manifest.contains(r#"napkin = { path = "/src/napkin \"x\"" }"#),
            "{manifest}"
        );
        let lib = fs::read_to_string(dir.join("lib.rs")).unwrap();
        assert!(lib.contains("pub use napkin;"), "{lib}");
        assert!(lib.contains("pub trait NapkinKernelShow"), "{lib}");

        let modified = || {
            fs::metadata(dir.join("Cargo.toml"))
                .unwrap()
                .modified()
                .unwrap()
        };
        let before = modified();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_crate(tmp.path(), Path::new("/src/napkin \"x\"")).unwrap();
        assert_eq!(before, modified(), "an unchanged manifest keeps its mtime");

        write_crate(tmp.path(), Path::new("/elsewhere")).unwrap();
        assert!(
            fs::read_to_string(dir.join("Cargo.toml"))
                .unwrap()
                .contains(r#"napkin = { path = "/elsewhere" }"#)
        );
        let [dep, use_line] = session_commands(&dir);
        assert_eq!(
            dep,
            format!(
                ":dep napkin_dylib = {{ path = {:?} }}",
                dir.display().to_string()
            )
        );
        assert_eq!(use_line, "use napkin_dylib::NapkinKernelShow;");
    }
}
