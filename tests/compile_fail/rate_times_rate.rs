// Two rates do not multiply: req/s × req/s means nothing.
use napkin::prelude::*;

fn main() {
    let _ = per_second(10.0) * per_second(2.0);
}
