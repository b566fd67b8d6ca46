// Items (things stored) and requests (things done) do not add.
use napkin::prelude::*;

fn main() {
    let _ = items(5.0) + requests(5.0);
}
