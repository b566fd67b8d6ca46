// A size and a user count do not add.
use napkin::prelude::*;

fn main() {
    let _ = kb(1.0) + users(5.0);
}
