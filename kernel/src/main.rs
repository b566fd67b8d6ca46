//! The `napkin-kernel` binary: a Jupyter kernel for Rust with napkin built in.

fn main() -> anyhow::Result<()> {
    evcxr::runtime_hook();
    println!("napkin-kernel {}", env!("CARGO_PKG_VERSION"));
    Ok(())
}
