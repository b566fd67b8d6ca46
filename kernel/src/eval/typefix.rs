//! Naming a variable's type when evcxr's rust-analyzer cannot.
//!
//! evcxr persists a cell's `let` bindings by naming their types, which it asks
//! rust-analyzer for. rust-analyzer gives up on types it cannot infer (uom's
//! generic arithmetic, or anything through std when the `rust-src` component
//! is missing), and evcxr then refuses the cell. The compiler always knows the
//! type, so the kernel asks it: a probe cell wraps the user's code in a closure
//! that is never called (so nothing runs twice) and prints
//! `std::any::type_name` of the variables it returns. The name is then made
//! nameable from a cell (`alloc::` → `std::`, crates napkin re-exports) and
//! written into the user's `let` as an annotation.

use std::collections::BTreeSet;

/// The line prefix the probe prints its answer behind.
pub const PROBE_MARKER: &str = "\u{1}NAPKIN_TYPES ";

/// The variable named in evcxr's "Couldn't automatically determine type of
/// variable `x`" error, if that is what `message` is.
pub fn untyped_variable(message: &str) -> Option<&str> {
    let rest = message.split("determine type of variable `").nth(1)?;
    rest.split('`').next().filter(|name| !name.is_empty())
}

/// Code of a probe cell that type-checks `code` without running it and prints
/// the type names of `targets`. `existing` are the session's variables and
/// their types, passed to the closure as parameters so it captures nothing.
pub fn probe(code: &str, existing: &[(String, String)], targets: &[&str]) -> String {
    let body: String = code
        .lines()
        .filter(|line| !line.trim_start().starts_with(':'))
        .collect::<Vec<_>>()
        .join("\n");
    let (patterns, types): (Vec<String>, Vec<String>) = existing
        .iter()
        .map(|(name, ty)| (format!("mut {name}"), ty.clone()))
        .unzip();
    let returned: String = targets.iter().map(|t| format!("{t},")).collect();
    format!(
        "{{\n\
         #[allow(unused, unused_mut, unreachable_code, clippy::all)]\n\
         fn __napkin_types<P, R>(_: &impl FnOnce(P) -> Result<R, Box<dyn std::error::Error>>) -> &'static str {{\n\
             std::any::type_name::<R>()\n\
         }}\n\
         #[allow(unused, unused_mut, unreachable_code, clippy::all)]\n\
         let __napkin_probe = move |({pats}): ({tys})| -> Result<_, Box<dyn std::error::Error>> {{\n\
         {body}\n\
         ;\n\
         Ok(({returned}))\n\
         }};\n\
         println!(\"{marker}{{}}\", __napkin_types(&__napkin_probe));\n\
         }}",
        pats = patterns.iter().map(|p| format!("{p},")).collect::<String>(),
        tys = types.iter().map(|t| format!("{t},")).collect::<String>(),
        marker = PROBE_MARKER.escape_default(),
    )
}

/// Splits the probe's printed tuple type `(A, B<C, D>,)` into `["A", "B<C, D>"]`.
pub fn parse_tuple(printed: &str) -> Vec<String> {
    let inner = printed
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(printed);
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in inner.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

/// Standard-library types whose `type_name` path is private, and their public path.
const STD_PUBLIC: &[(&str, &str)] = &[
    ("HashMap", "std::collections::HashMap"),
    ("HashSet", "std::collections::HashSet"),
    ("BTreeMap", "std::collections::BTreeMap"),
    ("BTreeSet", "std::collections::BTreeSet"),
    ("VecDeque", "std::collections::VecDeque"),
    ("BinaryHeap", "std::collections::BinaryHeap"),
    ("LinkedList", "std::collections::LinkedList"),
    ("RandomState", "std::hash::RandomState"),
];

/// Rewrites the paths in a `type_name` so a cell can name them: `alloc::` and
/// private std paths to public `std::` ones, and the crates napkin re-exports
/// (polars, uom and uom's typenum) through `napkin::` unless the session has
/// them as direct dependencies (`direct`). `None` for closures and other
/// types no code can name.
pub fn nameable(type_name: &str, direct: &BTreeSet<String>) -> Option<String> {
    if type_name.contains("{{closure}}") || type_name.contains("{closure") {
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
        out.push_str(&rename(&rest[..end], direct));
        rest = &rest[end..];
    }
    Some(out)
}

fn rename(path: &str, direct: &BTreeSet<String>) -> String {
    let mut segments = path.split("::");
    let root = segments.next().unwrap_or_default();
    let last = path.rsplit("::").next().unwrap_or(path);
    let tail = || path[root.len()..].to_string();
    let via_napkin = |krate: &str, tail: &str| {
        if direct.contains(krate) {
            format!("{krate}{tail}")
        } else {
            format!("napkin::{krate}{tail}")
        }
    };
    match root {
        "alloc" | "std" | "core" if path.contains("::") => STD_PUBLIC
            .iter()
            .find(|(name, _)| *name == last)
            .map(|(_, public)| public.to_string())
            .unwrap_or_else(|| format!("std{}", tail())),
        "typenum" if !direct.contains("typenum") => {
            via_napkin("uom", &format!("::typenum{}", tail()))
        }
        "uom" => via_napkin("uom", &tail()),
        "polars_core" if !direct.contains("polars_core") => via_napkin("polars", &tail()),
        "polars_lazy" if !direct.contains("polars_lazy") => {
            via_napkin("polars", &format!("::lazy{}", tail()))
        }
        "polars" => via_napkin("polars", &tail()),
        _ => path.to_string(),
    }
}

/// Writes `: ty` into the last top-level `let name =` (or `let mut name =`)
/// of `code`. `None` if there is no such binding (destructuring patterns,
/// already annotated, or only inside blocks).
pub fn annotate(code: &str, name: &str, ty: &str) -> Option<String> {
    let mut found = None;
    let bytes = code.as_bytes();
    let mut i = 0;
    let mut depth = 0i32;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => depth -= 1,
            b'"' => {
                // Skip a string literal.
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'l' if depth == 0
                && code[i..].starts_with("let")
                && (i == 0 || !is_ident(bytes[i - 1])) =>
            {
                let after = code[i + 3..].trim_start();
                let after = after
                    .strip_prefix("mut ")
                    .map(str::trim_start)
                    .unwrap_or(after);
                if let Some(rest) = after.strip_prefix(name) {
                    let rest_trim = rest.trim_start();
                    if !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                        && rest_trim.starts_with('=')
                        && !rest_trim.starts_with("==")
                    {
                        let at = code.len() - rest.len();
                        found = Some(at);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    let at = found?;
    Some(format!("{}: {ty}{}", &code[..at], &code[at..]))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_untyped_variable() {
        let msg = "Couldn't automatically determine type of variable `peak`.\nPlease give it an explicit type.";
        assert_eq!(untyped_variable(msg), Some("peak"));
        assert_eq!(untyped_variable("something else"), None);
    }

    #[test]
    fn probe_wraps_the_code_in_an_uncalled_closure() {
        let p = probe(
            ":dep foo\nlet peak = qps * 3.0;",
            &[("qps".into(), "Frequency".into())],
            &["peak"],
        );
        assert!(p.contains("move |(mut qps,): (Frequency,)|"));
        assert!(p.contains("let peak = qps * 3.0;"));
        assert!(!p.contains(":dep"));
        assert!(p.contains("Ok((peak,))"));
        assert!(p.contains("\\u{1}NAPKIN_TYPES"));
    }

    #[test]
    fn parses_tuples_of_generic_types() {
        assert_eq!(
            parse_tuple("(napkin::quantity::Rate, alloc::vec::Vec<(u8, i32)>,)"),
            ["napkin::quantity::Rate", "alloc::vec::Vec<(u8, i32)>"]
        );
        assert_eq!(parse_tuple("(usize,)"), ["usize"]);
    }

    #[test]
    fn makes_paths_nameable() {
        let direct = BTreeSet::from(["napkin".to_string()]);
        let n = |t| nameable(t, &direct).unwrap();
        assert_eq!(
            n("alloc::vec::Vec<alloc::string::String>"),
            "std::vec::Vec<std::string::String>"
        );
        assert_eq!(
            n("std::collections::hash::map::HashMap<i32, usize>"),
            "std::collections::HashMap<i32, usize>"
        );
        assert_eq!(
            n("polars_core::frame::DataFrame"),
            "napkin::polars::frame::DataFrame"
        );
        assert_eq!(
            n("uom::si::Quantity<dyn uom::si::Dimension<L = typenum::int::Z0>, f64>"),
            "napkin::uom::si::Quantity<dyn napkin::uom::si::Dimension<L = napkin::uom::typenum::int::Z0>, f64>"
        );
        let with_uom = BTreeSet::from(["uom".to_string()]);
        assert_eq!(
            nameable("typenum::int::Z0", &with_uom).unwrap(),
            "uom::typenum::int::Z0"
        );
        assert_eq!(nameable("ctx::run::{{closure}}", &direct), None);
        assert_eq!(n("napkin::quantity::Rate"), "napkin::quantity::Rate");
        assert_eq!(n("usize"), "usize");
    }

    #[test]
    fn annotates_the_last_top_level_binding() {
        let code = "let x = 1;\nlet peak = qps * 3.0;\n{ let peak = 2; }\npeak";
        assert_eq!(
            annotate(code, "peak", "Rate").unwrap(),
            "let x = 1;\nlet peak: Rate = qps * 3.0;\n{ let peak = 2; }\npeak"
        );
        assert_eq!(
            annotate("let mut n = v.len();", "n", "usize").unwrap(),
            "let mut n: usize = v.len();"
        );
        assert_eq!(annotate("let (a, b) = f();", "a", "i32"), None);
        assert_eq!(annotate("let peaked = 1;", "peak", "i32"), None);
        assert_eq!(annotate("let s = \"let peak = 1\";", "peak", "i32"), None);
    }
}
