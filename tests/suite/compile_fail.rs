//! Dimension mistakes do not compile, and the compiler's message names
//! napkin's types (snapshots in tests/compile_fail/*.stderr).

#[test]
fn dimension_mistakes_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
