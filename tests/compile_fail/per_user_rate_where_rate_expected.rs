// Requests per user per day is not requests per day: multiply by the users first.
use napkin::prelude::*;

fn main() {
    let actions = per_user_per_day(10.0);
    let _traffic: Rate = actions;
}
