// A day times a size: a duration multiplies a bandwidth (or a rate) into bytes.
use napkin::prelude::*;

fn main() {
    let _ = days(1.0) * gb(1.0);
}
