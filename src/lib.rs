//! napkin: units-aware back-of-envelope estimation for system design.
//!
//! A learner writes a few lines and gets correct, readable numbers whose
//! units the compiler has checked: users, requests, bytes, time and money
//! are separate dimensions, rates keep their time base, and every derived
//! figure can show the arithmetic that produced it.
//!
//! ```
//! use napkin::prelude::*;
//!
//! let dau = users(100e6);
//! let avg = (dau * per_user_per_day(10.0)).shown_per(Per::Second);
//! let peak = avg * 3.0;
//! let per_day = avg * kb(1.0) * days(1.0);
//! assert_eq!(avg.to_string(), "11.6K req/s");
//! assert_eq!(peak.to_string(), "34.7K req/s");
//! assert_eq!(per_day.to_string(), "1.00 TB");
//! ```
//!
//! A constructor takes an amount: `users(f64::NAN)` or `kb(-1.0)` stops at that line with
//! `users(NaN): NaN is not a number …` (as `std::time::Duration::from_secs_f64` does), so a
//! bad input never travels on as "NaN users". A negative quantity only arises as a difference
//! (`users(5.0) - users(10.0)` is `-5 users`).
//!
//! Mixing dimensions does not compile:
//!
//! ```compile_fail
//! use napkin::prelude::*;
//! let bytes_needed: Bytes = users(100e6); // expected `Bytes`, found `Users`
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

/// uom, re-exported: the units library under napkin's quantities.
#[macro_use]
pub extern crate uom;

pub mod chart;
pub mod convention;
pub mod cost;
mod dimension;
pub mod display;
pub mod error;
pub mod estimate;
pub mod figure;
pub mod format;
pub mod frame;
pub mod guess;
pub mod journey;
pub mod ops;
mod parse;
pub mod quantity;
pub mod reference;
pub mod sweep;
pub mod table;
pub mod widget;

pub use error::Error;
/// The kernel's private channel (napkin-kernel installs its panic hook through it).
#[doc(hidden)]
pub use napkin_channel;
/// polars, re-exported so notebooks and scripts use the same version napkin does.
pub use polars;

/// Everything a notebook cell or script needs: `use napkin::prelude::*;`.
pub mod prelude {
    pub use crate::chart::Chart;
    pub use crate::convention::{Conventions, Per};
    pub use crate::cost::{MonthlyCost, Pricing};
    pub use crate::display::{Rich, display};
    pub use crate::error::Error;
    pub use crate::estimate::{
        CacheRule, Constraint, Estimate, Server, Sizing, Traffic, Workload, per_write,
    };
    pub use crate::frame::Frame;
    pub use crate::guess::{Guess, between};
    pub use crate::journey::{STAGES, Stage};
    pub use crate::quantity::*;
    pub use crate::reference::power_of_two;
    pub use crate::sweep::{Output, Param, Sweep, log_range};
    pub use crate::widget::{Reading, choice, explore, slider, what_if};
}
