// Users are not bytes: passing a user count where a size is expected fails.
use napkin::prelude::*;

fn main() {
    let dau = users(100e6);
    let _workload = Workload::new(dau, per_user_per_day(10.0)).bytes_per_write(dau);
}
