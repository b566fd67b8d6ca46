// Dollars and gigabytes do not add.
use napkin::prelude::*;

fn main() {
    let _ = dollars(5.0) + gb(1.0);
}
