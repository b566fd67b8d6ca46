// Bytes over a request rate mean nothing: bytes over a bandwidth are a time.
use napkin::prelude::*;

fn main() {
    let _ = gb(1.0) / per_second(5.0);
}
