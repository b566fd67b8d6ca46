//! The system of quantities behind napkin, built with uom's macros.
//!
//! uom's own SI system treats information as dimensionless, so there a byte
//! rate and a request rate are the same kind of thing and can be added. Here
//! time, information, requests, users and money are five independent base
//! dimensions, so the compiler keeps them apart. Learners rarely touch these
//! types directly: the named newtypes in [`crate::quantity`] wrap them.
//!
//! Base units: second (`s`), byte (`B`), request (`req`), user, US dollar.

#![allow(missing_docs)] // uom's macros generate items without doc comments.

/// Time: durations and the denominators of rates.
#[macro_use]
pub mod time {
    quantity! {
        /// Time (base unit second, s).
        quantity: Time; "time";
        /// Time dimension: T.
        dimension: Q<P1, Z0, Z0, Z0, Z0>;
        units {
            @nanosecond: 1.0E-9; "ns", "nanosecond", "nanoseconds";
            @microsecond: 1.0E-6; "µs", "microsecond", "microseconds";
            @millisecond: 1.0E-3; "ms", "millisecond", "milliseconds";
            @second: 1.0; "s", "second", "seconds";
            @minute: 60.0; "min", "minute", "minutes";
            @hour: 3_600.0; "h", "hour", "hours";
            @day: 86_400.0; "d", "day", "days";
            @week: 604_800.0; "wk", "week", "weeks";
            @month: 2_628_000.0; "month", "month", "months";
            @year: 31_536_000.0; "y", "year", "years";
        }
    }
}

/// Information: sizes of items, storage, memory.
#[macro_use]
pub mod information {
    quantity! {
        /// Information (base unit byte, B).
        quantity: Information; "information";
        /// Information dimension: I.
        dimension: Q<Z0, P1, Z0, Z0, Z0>;
        units {
            @bit: 0.125; "bit", "bit", "bits";
            @byte: 1.0; "B", "byte", "bytes";
            @kilobyte: 1.0E3; "KB", "kilobyte", "kilobytes";
            @megabyte: 1.0E6; "MB", "megabyte", "megabytes";
            @gigabyte: 1.0E9; "GB", "gigabyte", "gigabytes";
            @terabyte: 1.0E12; "TB", "terabyte", "terabytes";
            @petabyte: 1.0E15; "PB", "petabyte", "petabytes";
            @kibibyte: 1024.0; "KiB", "kibibyte", "kibibytes";
            @mebibyte: 1_048_576.0; "MiB", "mebibyte", "mebibytes";
            @gibibyte: 1_073_741_824.0; "GiB", "gibibyte", "gibibytes";
            @tebibyte: 1_099_511_627_776.0; "TiB", "tebibyte", "tebibytes";
        }
    }
}

/// Requests: counts of requests, actions, events, operations.
#[macro_use]
pub mod requests {
    quantity! {
        /// A count of requests (base unit request, req).
        quantity: Requests; "requests";
        /// Request dimension: R.
        dimension: Q<Z0, Z0, P1, Z0, Z0>;
        units {
            @request: 1.0; "req", "request", "requests";
        }
    }
}

/// Users: counts of people (DAU, MAU).
#[macro_use]
pub mod users {
    quantity! {
        /// A count of users (base unit user).
        quantity: Users; "users";
        /// User dimension: U.
        dimension: Q<Z0, Z0, Z0, P1, Z0>;
        units {
            @user: 1.0; "user", "user", "users";
        }
    }
}

/// Money, in US dollars.
#[macro_use]
pub mod money {
    quantity! {
        /// Money (base unit US dollar, $).
        quantity: Money; "money";
        /// Money dimension: M.
        dimension: Q<Z0, Z0, Z0, Z0, P1>;
        units {
            @dollar: 1.0; "$", "dollar", "dollars";
        }
    }
}

/// Requests per unit of time.
#[macro_use]
pub mod request_rate {
    quantity! {
        /// Request rate (base unit request per second, req/s).
        quantity: RequestRate; "request rate";
        /// Request rate dimension: R T⁻¹.
        dimension: Q<N1, Z0, P1, Z0, Z0>;
        units {
            @request_per_second: 1.0; "req/s", "request per second", "requests per second";
        }
    }
}

/// Requests per user per unit of time.
#[macro_use]
pub mod user_rate {
    quantity! {
        /// Request rate of one user (base unit request per user per second).
        quantity: UserRate; "request rate per user";
        /// Per-user request rate dimension: R U⁻¹ T⁻¹.
        dimension: Q<N1, Z0, P1, N1, Z0>;
        units {
            @request_per_user_second: 1.0; "req/user/s", "request per user per second",
                "requests per user per second";
        }
    }
}

/// Information per unit of time.
#[macro_use]
pub mod data_rate {
    quantity! {
        /// Bandwidth (base unit byte per second, B/s).
        quantity: DataRate; "data rate";
        /// Data rate dimension: I T⁻¹.
        dimension: Q<N1, P1, Z0, Z0, Z0>;
        units {
            @byte_per_second: 1.0; "B/s", "byte per second", "bytes per second";
        }
    }
}

/// Money per unit of time.
#[macro_use]
pub mod money_rate {
    quantity! {
        /// Spend rate (base unit dollar per second).
        quantity: MoneyRate; "money rate";
        /// Money rate dimension: M T⁻¹.
        dimension: Q<N1, Z0, Z0, Z0, P1>;
        units {
            @dollar_per_second: 1.0; "$/s", "dollar per second", "dollars per second";
        }
    }
}

/// Dimensionless ratios (a quotient of two like quantities).
#[macro_use]
pub mod ratio {
    quantity! {
        /// Ratio (base unit one).
        quantity: Ratio; "ratio";
        /// Dimensionless.
        dimension: Q<Z0, Z0, Z0, Z0, Z0>;
        units {
            @one: 1.0; "", "one", "ones";
        }
    }
}

system! {
    quantities: Q {
        time: second, T;
        information: byte, I;
        requests: request, R;
        users: user, U;
        money: dollar, M;
    }

    units: U {
        mod time::Time,
        mod information::Information,
        mod requests::Requests,
        mod users::Users,
        mod money::Money,
        mod request_rate::RequestRate,
        mod user_rate::UserRate,
        mod data_rate::DataRate,
        mod money_rate::MoneyRate,
        mod ratio::Ratio,
    }
}

/// The quantities in `f64`, the only storage type napkin uses.
pub mod f64 {
    mod napkin {
        pub use super::super::*;
    }

    Q!(self::napkin, f64);
}
