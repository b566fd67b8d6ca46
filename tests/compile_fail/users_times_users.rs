// Users times users is no quantity napkin knows.
use napkin::prelude::*;

fn main() {
    let _ = users(1e6) * users(2.0);
}
