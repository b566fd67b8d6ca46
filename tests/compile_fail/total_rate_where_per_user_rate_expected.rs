// A total rate where the workload wants requests per user.
use napkin::prelude::*;

fn main() {
    let _ = Workload::new(users(1e6), per_second(10.0));
}
