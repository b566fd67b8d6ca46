// A request rate and a bandwidth are different dimensions: they do not add.
use napkin::prelude::*;

fn main() {
    let qps = per_second(100.0);
    let bandwidth = bytes_per_second(1e6);
    let _nonsense = qps + bandwidth;
}
