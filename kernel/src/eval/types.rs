//! Writing a kept variable's type in the cells after the one that defined it.
//!
//! A cell stores each variable it keeps through a generic function that reports
//! `std::any::type_name` of the value when the cell runs (evcxr, patched: see
//! `vendor/evcxr/NAPKIN.md`), so the compiler types every variable in the cell's own compile.
//! The next cell must write that type down to take the value back. `type_name` gives
//! definition paths, which are not always what code can write: `alloc::vec::Vec`,
//! `std::collections::hash::map::HashMap` (a private module), `ctx::Point` (the cell crate's
//! own item), `polars_core::frame::dataframe::DataFrame` (a private module of a dependency).
//! [`writable`] rewrites std's and the cell crate's paths; a [`Resolver`] finds, for paths
//! through a dependency, the shortest public path to the same item by asking the compiler
//! once per path (a metadata-only check of a few `use` lines, ~0.1 s), and remembers the
//! answers in the dependency cache, for every later session (until the cache is rebuilt). Both answer `None` for types no code can write (closures, items only reachable
//! through private modules, crates a cell cannot reach), and the variable is then not kept,
//! with a message that says so.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::Command;

/// Standard-library types whose `type_name` path goes through a private module, and their
/// public path.
const STD_PUBLIC: &[(&str, &str)] = &[
    ("HashMap", "std::collections::HashMap"),
    ("HashSet", "std::collections::HashSet"),
    ("BTreeMap", "std::collections::BTreeMap"),
    ("BTreeSet", "std::collections::BTreeSet"),
    ("VecDeque", "std::collections::VecDeque"),
    ("BinaryHeap", "std::collections::BinaryHeap"),
    ("LinkedList", "std::collections::LinkedList"),
    ("RandomState", "std::hash::RandomState"),
    ("Range", "std::ops::Range"),
    ("RangeInclusive", "std::ops::RangeInclusive"),
    ("Duration", "std::time::Duration"),
    ("Instant", "std::time::Instant"),
    ("SystemTime", "std::time::SystemTime"),
    ("Rc", "std::rc::Rc"),
    ("Arc", "std::sync::Arc"),
    ("Mutex", "std::sync::Mutex"),
    ("RwLock", "std::sync::RwLock"),
    ("Cell", "std::cell::Cell"),
    ("RefCell", "std::cell::RefCell"),
    ("PathBuf", "std::path::PathBuf"),
    ("Ordering", "std::cmp::Ordering"),
];

/// Modules of std (as `type_name` shows them) that are private, for types not in
/// [`STD_PUBLIC`]: their items are reachable one level up.
const STD_PRIVATE_MODULES: &[(&str, &str)] = &[
    ("std::ops::function::", "std::ops::"),
    ("std::ops::range::", "std::ops::"),
    ("std::ops::arith::", "std::ops::"),
    ("std::fmt::rt::", "std::fmt::"),
];

/// `type_name` rewritten so a cell can write it, or `None` when no cell can: a closure, an
/// async block, or a path through a crate that is neither std nor in `crates` (the crates a
/// cell can name: the dependency cache's and the session's `:dep`s).
pub fn writable(type_name: &str, crates: &BTreeSet<String>) -> Option<String> {
    if is_fn_item(type_name)
        || type_name.contains("{{closure}}")
        || type_name.contains("{closure")
        || type_name.contains("{async")
        || type_name.contains("{{")
    {
        return None;
    }
    let mut out = String::with_capacity(type_name.len());
    let mut rest = type_name;
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| c.is_alphanumeric() || c == '_')
            .unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.is_empty() {
            break;
        }
        // A path: identifiers joined by `::`.
        let mut end = 0;
        let bytes = rest.as_bytes();
        while end < bytes.len() {
            let c = bytes[end] as char;
            if c.is_alphanumeric() || c == '_' {
                end += 1;
            } else if rest[end..].starts_with("::") {
                end += 2;
            } else {
                break;
            }
        }
        // A path right after `<Name as ` or a keyword is still a path; `dyn`, `mut`, `const`
        // and primitives have no `::`.
        out.push_str(&rename(&rest[..end], crates)?);
        rest = &rest[end..];
    }
    Some(out)
}

/// Whether `type_name` is a function item's (`napkin::quantity::users`,
/// `core::f64::<impl f64>::sqrt`): a type of its own that no code can write. Its path ends in a
/// function's lower-case name, where a type's ends in a type's name.
pub fn is_fn_item(type_name: &str) -> bool {
    if type_name.contains("<impl ") {
        return true;
    }
    let path = type_name.split('<').next().unwrap_or(type_name);
    path.contains("::")
        && !path.starts_with(['&', '*', '(', '[', '<'])
        && !path.starts_with("dyn ")
        && !path.starts_with("fn(")
        && path
            .rsplit("::")
            .next()
            .is_some_and(|last| last.starts_with(|c: char| c.is_lowercase()))
}

/// One path, rewritten; `None` if no cell can reach it.
fn rename(path: &str, crates: &BTreeSet<String>) -> Option<String> {
    let Some((root, tail)) = path.split_once("::") else {
        // A primitive (`f64`, `str`), a keyword (`dyn`, `mut`) or an associated type name.
        return Some(path.to_string());
    };
    let last = path.rsplit("::").next().unwrap_or(path);
    match root {
        "alloc" | "std" | "core" => {
            if let Some((_, public)) = STD_PUBLIC.iter().find(|(name, _)| *name == last) {
                return Some(public.to_string());
            }
            let std_path = format!("std::{tail}");
            Some(
                STD_PRIVATE_MODULES
                    .iter()
                    .find(|(private, _)| std_path.starts_with(private))
                    .map_or(std_path.clone(), |(private, public)| {
                        format!("{public}{}", &std_path[private.len()..])
                    }),
            )
        }
        // The cell crate's own items (a learner's struct).
        "ctx" => Some(format!("crate::{tail}")),
        _ if crates.contains(root) => Some(path.to_string()),
        _ => None,
    }
}

/// Finds public paths for items of the dependency cache's crates, with the compiler.
#[derive(Debug, Default)]
pub struct Resolver {
    /// rustc and the arguments that make the cache's crates nameable (`-L`, `--extern`);
    /// `None` until napkin is loaded: paths are then taken as they are.
    compiler: Option<(PathBuf, Vec<String>)>,
    /// The crates those arguments reach; paths through other crates (a session's own `:dep`)
    /// are taken as they are.
    checkable: BTreeSet<String>,
    /// Where the check's source and output go.
    scratch: PathBuf,
    /// Answers so far: a `type_name` path → its public path, or `None` if it has none.
    known: HashMap<String, Option<String>>,
    /// Where answers are kept for later sessions (`path<TAB>public path`, one per line).
    store: Option<PathBuf>,
}

impl Resolver {
    /// A resolver that compiles its checks with `rustc` and `args` (the cell crate's `-L` and
    /// `--extern` arguments), writing into `scratch`.
    pub fn new(rustc: PathBuf, args: Vec<String>, scratch: PathBuf) -> Self {
        let checkable = args
            .iter()
            .filter_map(|arg| arg.split_once('=').map(|(name, _)| name))
            .filter(|name| !name.contains('/') && *name != "dependency")
            .map(str::to_string)
            .collect();
        Self {
            compiler: Some((rustc, args)),
            checkable,
            scratch,
            known: HashMap::new(),
            store: None,
        }
    }

    /// Keeps answers in `store` and starts from those already there.
    pub fn remembering(mut self, store: PathBuf) -> Self {
        if let Ok(text) = std::fs::read_to_string(&store) {
            for line in text.lines() {
                if let Some((path, public)) = line.split_once('\t') {
                    let public = (!public.is_empty()).then(|| public.to_string());
                    self.known.insert(path.to_string(), public);
                }
            }
        }
        self.store = Some(store);
        self
    }

    /// `type_name` as [`writable`] writes it, with every path through a dependency replaced
    /// by a public path to the same item; `None` if some part cannot be written.
    pub fn writable(&mut self, type_name: &str, crates: &BTreeSet<String>) -> Option<String> {
        let written = writable(type_name, crates)?;
        let deep: Vec<String> = paths(&written)
            .into_iter()
            .filter(|p| {
                let root = p.split("::").next().unwrap_or_default();
                self.checkable.contains(root) && p.matches("::").count() >= 2
            })
            .collect();
        let unknown: Vec<String> = deep
            .iter()
            .filter(|p| !self.known.contains_key(*p))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            self.check(&unknown);
        }
        let mut out = written;
        for path in deep {
            match self.known.get(&path).cloned().flatten() {
                Some(public) if public != path => out = replace_path(&out, &path, &public),
                Some(_) => {}
                None => return None,
            }
        }
        Some(out)
    }

    /// Compiles one `use` per candidate of each path and records, per path, the first
    /// candidate that resolves.
    fn check(&mut self, paths: &[String]) {
        let Some((rustc, args)) = &self.compiler else {
            for path in paths {
                self.known.insert(path.clone(), Some(path.clone()));
            }
            return;
        };
        let mut source = String::from("#![allow(unused_imports)]\n");
        let mut lines = Vec::new();
        for path in paths {
            for candidate in candidates(path) {
                lines.push((path.clone(), candidate.clone()));
                source.push_str(&format!("use {candidate} as _N{};\n", lines.len()));
            }
        }
        let file = self.scratch.join("napkin_type_check.rs");
        let failed_lines = std::fs::write(&file, &source)
            .ok()
            .and_then(|()| {
                Command::new(rustc)
                    .args(["--edition", "2024", "--crate-type", "lib"])
                    .args(["--crate-name", "napkin_type_check", "--emit=metadata"])
                    .args(["--error-format=json", "--target", env!("NAPKIN_TARGET")])
                    .arg("-o")
                    .arg(self.scratch.join("napkin_type_check.rmeta"))
                    .args(args)
                    .arg(&file)
                    .output()
                    .ok()
            })
            .map(|output| error_lines(&String::from_utf8_lossy(&output.stderr)));
        let Some(failed_lines) = failed_lines else {
            // No compiler answer: keep the paths as they are; a later cell says if one fails.
            for path in paths {
                self.known.insert(path.clone(), Some(path.clone()));
            }
            return;
        };
        for (i, (path, candidate)) in lines.iter().enumerate() {
            // Line 1 is the attribute; candidate i is on line i + 2.
            if !failed_lines.contains(&(i + 2)) {
                self.known
                    .entry(path.clone())
                    .or_insert(Some(candidate.clone()));
            }
        }
        for path in paths {
            self.known.entry(path.clone()).or_insert(None);
        }
        self.remember(paths);
    }

    /// Appends the answers for `paths` to the store (whole lines, so sessions writing at once
    /// do not mix theirs).
    fn remember(&self, paths: &[String]) {
        let Some(store) = &self.store else { return };
        let lines: String = paths
            .iter()
            .map(|p| {
                let public = self.known.get(p).cloned().flatten().unwrap_or_default();
                format!("{p}\t{public}\n")
            })
            .collect();
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(store)
            .and_then(|mut file| std::io::Write::write_all(&mut file, lines.as_bytes()));
        if let Err(error) = appended {
            log!("cannot remember type paths in {}: {error}", store.display());
        }
    }
}

/// `a::b::c::T` → `a::b::c::T`, `a::b::T`, `a::T`: the item, then the same name one module up,
/// and so on (where crates re-export what a private module defines).
fn candidates(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split("::").collect();
    let (root, name) = (segments[0], segments[segments.len() - 1]);
    (1..segments.len())
        .rev()
        .map(|keep| {
            let mut parts = vec![root];
            parts.extend(&segments[1..keep]);
            parts.push(name);
            parts.join("::")
        })
        .collect()
}

/// The lines that compiler errors (JSON diagnostics) point at.
fn error_lines(json: &str) -> BTreeSet<usize> {
    json.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["level"] == "error")
        .flat_map(|message| {
            message["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|span| span["line_start"].as_u64())
                .map(|line| line as usize)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The paths (`a::b::C`) in a written type.
fn paths(ty: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current = String::new();
    let mut chars = ty.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            current.push(c);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            current.push_str("::");
        } else {
            if current.contains("::") {
                found.push(std::mem::take(&mut current));
            }
            current.clear();
        }
    }
    if current.contains("::") {
        found.push(current);
    }
    found
}

/// `ty` with whole-path occurrences of `from` replaced by `to`.
fn replace_path(ty: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(ty.len());
    let mut rest = ty;
    while let Some(at) = rest.find(from) {
        let before_ok = !rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        let after = &rest[at + from.len()..];
        let after_ok = !after
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_paths_become_public_ones() {
        let crates = BTreeSet::new();
        let w = |t| writable(t, &crates).unwrap();
        assert_eq!(
            w("alloc::vec::Vec<alloc::string::String>"),
            "std::vec::Vec<std::string::String>"
        );
        assert_eq!(
            w("std::collections::hash::map::HashMap<&str, i32, std::hash::random::RandomState>"),
            "std::collections::HashMap<&str, i32, std::hash::RandomState>"
        );
        assert_eq!(w("core::ops::range::Range<i32>"), "std::ops::Range<i32>");
        assert_eq!(
            w("alloc::boxed::Box<dyn core::ops::function::Fn(f64) -> f64>"),
            "std::boxed::Box<dyn std::ops::Fn(f64) -> f64>"
        );
        assert_eq!(
            w("(i32, core::option::Option<f64>, [u8; 4])"),
            "(i32, std::option::Option<f64>, [u8; 4])"
        );
        assert_eq!(w("usize"), "usize");
        assert_eq!(w("&str"), "&str");
        assert_eq!(w("fn(f64) -> f64"), "fn(f64) -> f64");
    }

    #[test]
    fn function_items_are_not_writable() {
        let crates = BTreeSet::from(["napkin".to_string()]);
        for item in [
            "core::f64::<impl f64>::sqrt",
            "std::f64::<impl f64>::sqrt",
            "napkin::quantity::users",
            "alloc::string::String::from<&str>",
        ] {
            assert!(is_fn_item(item), "{item}");
            assert_eq!(writable(item, &crates), None, "{item}");
        }
        for ty in [
            "napkin::quantity::Users",
            "f64",
            "&str",
            "fn(f64) -> f64",
            "(f64, u8)",
        ] {
            assert!(!is_fn_item(ty), "{ty}");
        }
    }

    #[test]
    fn cell_items_and_known_crates_are_written_unknown_ones_refused() {
        let crates = BTreeSet::from(["napkin".to_string(), "polars_core".to_string()]);
        assert_eq!(writable("ctx::Point", &crates).unwrap(), "crate::Point");
        assert_eq!(
            writable("alloc::vec::Vec<ctx::Point>", &crates).unwrap(),
            "std::vec::Vec<crate::Point>"
        );
        assert_eq!(
            writable("polars_core::frame::DataFrame", &crates).unwrap(),
            "polars_core::frame::DataFrame"
        );
        assert_eq!(
            writable("napkin::estimate::Estimate", &crates).unwrap(),
            "napkin::estimate::Estimate"
        );
        assert_eq!(writable("hashbrown::map::HashMap<i32, i32>", &crates), None);
    }

    #[test]
    fn candidates_climb_towards_the_crate_root() {
        assert_eq!(
            candidates("polars_core::frame::dataframe::DataFrame"),
            [
                "polars_core::frame::dataframe::DataFrame",
                "polars_core::frame::DataFrame",
                "polars_core::DataFrame"
            ]
        );
        assert_eq!(
            paths("std::vec::Vec<(polars_core::frame::DataFrame, f64)>"),
            ["std::vec::Vec", "polars_core::frame::DataFrame"]
        );
        assert_eq!(
            replace_path("a::b::C<a::b::Cd>", "a::b::C", "a::C"),
            "a::C<a::b::Cd>"
        );
    }

    #[test]
    fn the_compiler_finds_a_public_path_for_a_private_module() {
        let scratch = tempfile::tempdir().unwrap();
        let crate_dir = scratch.path().join("dep");
        std::fs::create_dir_all(&crate_dir).unwrap();
        std::fs::write(
            crate_dir.join("lib.rs"),
            "mod hidden { pub struct Frame; }\npub mod shown { pub use crate::hidden::Frame; pub struct Open; }\n",
        )
        .unwrap();
        let rustc = std::path::PathBuf::from("rustc");
        let built = Command::new(&rustc)
            .args([
                "--edition",
                "2024",
                "--crate-type",
                "rlib",
                "--crate-name",
                "dep",
            ])
            .args(["--target", env!("NAPKIN_TARGET"), "--out-dir"])
            .arg(&crate_dir)
            .arg(crate_dir.join("lib.rs"))
            .status()
            .unwrap();
        assert!(built.success());
        let mut resolver = Resolver::new(
            rustc,
            vec![
                "--extern".into(),
                format!("dep={}", crate_dir.join("libdep.rlib").display()),
            ],
            scratch.path().to_path_buf(),
        );
        let crates = BTreeSet::from(["dep".to_string()]);
        assert_eq!(
            resolver.writable("alloc::vec::Vec<dep::shown::Open>", &crates),
            Some("std::vec::Vec<dep::shown::Open>".into())
        );
        // `dep::hidden` is private and the crate root does not re-export `Frame` (only
        // `dep::shown` does, which is not on the way up from `hidden`): no writable path.
        assert_eq!(resolver.writable("dep::hidden::Frame", &crates), None);
        assert!(resolver.known.contains_key("dep::hidden::Frame"));

        // Answers are kept for the next session, which then asks the compiler nothing.
        let store = scratch.path().join("types.tsv");
        let mut first =
            Resolver::new("rustc".into(), vec![], scratch.path().into()).remembering(store.clone());
        first.known.insert("x::y::Z".into(), Some("x::Z".into()));
        first.remember(&["x::y::Z".to_string()]);
        let extern_x = vec!["--extern".to_string(), "x=/nowhere/libx.rlib".to_string()];
        let mut later = Resolver::new("no-such-rustc".into(), extern_x, scratch.path().into())
            .remembering(store);
        let crates = BTreeSet::from(["x".to_string()]);
        assert_eq!(later.writable("x::y::Z", &crates), Some("x::Z".into()));
        // A session's own `:dep` crate is not one the check can reach: taken as it is.
        let crates = BTreeSet::from(["x".to_string(), "own".to_string()]);
        assert_eq!(
            later.writable("own::deep::Thing", &crates),
            Some("own::deep::Thing".into())
        );
    }

    #[test]
    fn closures_cannot_be_written() {
        let crates = BTreeSet::new();
        assert_eq!(writable("ctx::run_user_code_3::{{closure}}", &crates), None);
        assert_eq!(
            writable(
                "core::iter::adapters::map::Map<core::ops::range::Range<i32>, ctx::f::{{closure}}>",
                &crates
            ),
            None
        );
    }
}
