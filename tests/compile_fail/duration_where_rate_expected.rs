// A workload's total is a rate, not a time.
use napkin::prelude::*;

fn main() {
    let _ = Workload::total(days(1.0));
}
