//! Records the target triple, so the kernel can find the toolchain's `lib/rustlib/<target>/lib`.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "x86_64-unknown-linux-gnu".into());
    println!("cargo:rustc-env=NAPKIN_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
