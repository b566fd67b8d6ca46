//! How a cell's final value is shown when its type has no `evcxr_display` of its own: a trait
//! that spares evcxr a second compile on cells such as `1 + 1`.
//!
//! evcxr compiles a cell ending in an expression as `(value).evcxr_display();` first and, when
//! that method does not exist, compiles the cell again printing `{:?}`. The failed compile
//! costs ~0.4 s of a ~1.3 s `1 + 1` here. The kernel therefore gives the standard library's
//! common types an `evcxr_display` that prints `{:?}` exactly as evcxr's fallback does (`()`,
//! as from a final `println!`, prints nothing), and polars' `DataFrame` napkin's HTML table.
//! Any other type still takes evcxr's own way. The trait and its impls live in napkin's shared
//! library crate (see [`super::cache`]), compiled once, and the session imports the trait;
//! without that crate they are the session's own items, compiled with every cell.
//!
//! It is a trait method, so an inherent `evcxr_display` (napkin's types, a learner's own)
//! always wins. evcxr's `:fmt` setting does not apply to these types.

/// The standard types shown with `{:?}`, written as `impl` headers' generics and type.
const DEBUG_TYPES: &[(&str, &str)] = &[
    ("", "i8"),
    ("", "i16"),
    ("", "i32"),
    ("", "i64"),
    ("", "i128"),
    ("", "isize"),
    ("", "u8"),
    ("", "u16"),
    ("", "u32"),
    ("", "u64"),
    ("", "u128"),
    ("", "usize"),
    ("", "f32"),
    ("", "f64"),
    ("", "bool"),
    ("", "char"),
    ("", "str"),
    ("", "String"),
    ("", "std::time::Duration"),
    ("<T: Debug>", "Vec<T>"),
    ("<T: Debug>", "[T]"),
    ("<T: Debug, const N: usize>", "[T; N]"),
    ("<T: Debug>", "Option<T>"),
    ("<T: Debug, E: Debug>", "Result<T, E>"),
    ("<T: Debug + ?Sized>", "Box<T>"),
    ("<T: Debug>", "std::collections::VecDeque<T>"),
    (
        "<K: Debug, V: Debug, S>",
        "std::collections::HashMap<K, V, S>",
    ),
    ("<K: Debug, V: Debug>", "std::collections::BTreeMap<K, V>"),
    ("<T: Debug, S>", "std::collections::HashSet<T, S>"),
    ("<T: Debug>", "std::collections::BTreeSet<T>"),
    ("<T: Debug>", "std::ops::Range<T>"),
    ("<A: Debug, B: Debug>", "(A, B)"),
    ("<A: Debug, B: Debug, C: Debug>", "(A, B, C)"),
    ("<A: Debug, B: Debug, C: Debug, D: Debug>", "(A, B, C, D)"),
];

/// The trait's name (one unlikely to clash with a learner's).
pub const TRAIT: &str = "NapkinKernelShow";

/// The trait and its impls, as items of a crate that depends on napkin.
pub fn items() -> String {
    let mut code = format!(
        "#[doc(hidden)]\npub trait {TRAIT} {{ fn evcxr_display(&self); }}\n\
         impl {TRAIT} for () {{ fn evcxr_display(&self) {{}} }}\n\
         impl {TRAIT} for napkin::polars::prelude::DataFrame {{ fn evcxr_display(&self) {{ \
         napkin::display::emit(&napkin::display::Rich::mime_bundle(self)); }} }}\n"
    );
    for (generics, ty) in DEBUG_TYPES {
        let generics = generics.replace("Debug", "std::fmt::Debug");
        code.push_str(&format!(
            "impl{generics} {TRAIT} for {ty} {{ fn evcxr_display(&self) {{ \
             println!(\"EVCXR_BEGIN_CONTENT text/plain\\n{{:?}}\\nEVCXR_END_CONTENT\", self); }} }}\n"
        ));
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_gets_one_impl_and_unit_prints_nothing() {
        let code = items();
        assert_eq!(
            code.matches(&format!(" {TRAIT} for ")).count(),
            DEBUG_TYPES.len() + 2
        );
        assert!(code.contains(&format!(
            "impl {TRAIT} for () {{ fn evcxr_display(&self) {{}} }}"
        )));
        assert!(code.contains("impl<T: std::fmt::Debug> NapkinKernelShow for Vec<T>"));
        assert!(
            !code.contains(" Debug>"),
            "bounds are written in full: {code}"
        );
    }
}
