// A size per write is bytes, not bytes per second.
use napkin::prelude::*;

fn main() {
    let _ = Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(mbps(5.0));
}
