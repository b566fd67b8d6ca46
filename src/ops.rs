//! The arithmetic of napkin's quantities: one trait per quantity and operator, so that a
//! dimension mistake is a compiler error whose first line says what the quantity does
//! combine with (`cannot multiply `Rate` by `Rate`: multiply `Rate` by `Bytes` (→
//! `Bandwidth`), `Duration` (→ `Requests`) or a number`), not a list of uom's generics.
//!
//! `Rate * x` is `std::ops::Mul` for every `x` with a [`RateMul`] implementation, and so on
//! for each quantity and `*`, `/`, `+`, `-`; each trait also takes a [`Guess`] of what it
//! takes (`kb(1.0) + between(…)`). Code never names these traits; the operators are the
//! interface.

use std::ops::{Add, Div, Mul, Sub};

use crate::guess::{Amount, Guess, sorted};
use crate::quantity::{
    Area, Bandwidth, Bytes, Density, Duration, Items, Length, Money, PerUser, Rate, Requests,
    Spend, UserRate, UserTime, Users,
};

/// For each quantity, its four traits (with the compiler's message when one is missing) and
/// the `std::ops` implementations that forward to them.
macro_rules! arithmetic {
    ($($t:ident {
        $mul:ident $mul_msg:literal,
        $div:ident $div_msg:literal,
        $add:ident $add_msg:literal,
        $sub:ident $sub_msg:literal $(,)?
    })*) => {$(
        arithmetic!(@op $t, Mul mul, $mul, $mul_msg, "*");
        arithmetic!(@op $t, Div div, $div, $div_msg, "/");
        arithmetic!(@op $t, Add add, $add, $add_msg, "+");
        arithmetic!(@op $t, Sub sub, $sub, $sub_msg, "-");
    )*};
    (@op $t:ident, $std:ident $method:ident, $tr:ident, $msg:literal, $sym:literal) => {
        #[doc = concat!("What `", stringify!($t), " ", $sym, " R` means, for each `R` napkin allows; [`", stringify!($t), "`]'s `std::ops::", stringify!($std), "` forwards here.")]
        #[diagnostic::on_unimplemented(message = $msg, label = "napkin has no such arithmetic")]
        pub trait $tr<R> {
            /// The quantity the operation gives.
            type Output;
            #[doc = concat!("`self ", $sym, " rhs`.")]
            fn $method(self, rhs: R) -> Self::Output;
        }

        impl<R> $std<R> for $t
        where
            $t: $tr<R>,
        {
            type Output = <$t as $tr<R>>::Output;
            #[inline]
            fn $method(self, rhs: R) -> Self::Output {
                <$t as $tr<R>>::$method(self, rhs)
            }
        }

        /// A quantity and a guess: the operation at the guess's low, likely and high. Besides
        /// meaning what it says, for `+` and `-` this second implementation makes rustc report
        /// `rate + bandwidth` through the trait's message rather than inferring `Rate` and
        /// saying only "mismatched types".
        impl<B> $tr<Guess<B>> for $t
        where
            B: Amount,
            $t: $std<B>,
            <$t as $std<B>>::Output: Amount,
        {
            type Output = Guess<<$t as $std<B>>::Output>;
            fn $method(self, rhs: Guess<B>) -> Self::Output {
                sorted(
                    <$t as $std<B>>::$method(self, rhs.high),
                    <$t as $std<B>>::$method(self, rhs.likely),
                    <$t as $std<B>>::$method(self, rhs.low),
                )
            }
        }
    };
}

arithmetic! {
    Users {
        UsersMul "cannot multiply `Users` by `{R}`: multiply `Users` by `Bytes` (→ `Bytes`), `Duration` (→ `UserTime`), `PerUser` (→ `Items`), `UserRate` (→ `Rate`) or a number",
        UsersDiv "cannot divide `Users` by `{R}`: divide `Users` by a number or another `Users` (→ a ratio)",
        UsersAdd "cannot add `{R}` to `Users`: only `Users` adds to `Users`; make one with `UserTime` ÷ `Duration`",
        UsersSub "cannot subtract `{R}` from `Users`: only `Users` subtracts from `Users`; make one with `UserTime` ÷ `Duration`",
    }
    Items {
        ItemsMul "cannot multiply `Items` by `{R}`: multiply `Items` by `Bytes` (→ `Bytes`) or a number",
        ItemsDiv "cannot divide `Items` by `{R}`: divide `Items` by `Area` (→ `Density`), `Density` (→ `Area`), `Duration` (→ `Rate`), a number or another `Items` (→ a ratio)",
        ItemsAdd "cannot add `{R}` to `Items`: only `Items` adds to `Items`; make one with `Users` × `PerUser` or `Area` × `Density`",
        ItemsSub "cannot subtract `{R}` from `Items`: only `Items` subtracts from `Items`; make one with `Users` × `PerUser` or `Area` × `Density`",
    }
    PerUser {
        PerUserMul "cannot multiply `PerUser` by `{R}`: multiply `PerUser` by a number",
        PerUserDiv "cannot divide `PerUser` by `{R}`: divide `PerUser` by a number or another `PerUser` (→ a ratio)",
        PerUserAdd "cannot add `{R}` to `PerUser`: only `PerUser` adds to `PerUser`",
        PerUserSub "cannot subtract `{R}` from `PerUser`: only `PerUser` subtracts from `PerUser`",
    }
    Requests {
        RequestsMul "cannot multiply `Requests` by `{R}`: multiply `Requests` by `Bytes` (→ `Bytes`) or a number",
        RequestsDiv "cannot divide `Requests` by `{R}`: divide `Requests` by `Duration` (→ `Rate`), `Rate` (→ `Duration`), a number or another `Requests` (→ a ratio)",
        RequestsAdd "cannot add `{R}` to `Requests`: only `Requests` adds to `Requests`; make one with `Rate` × `Duration` or `UserRate` × `UserTime`",
        RequestsSub "cannot subtract `{R}` from `Requests`: only `Requests` subtracts from `Requests`; make one with `Rate` × `Duration` or `UserRate` × `UserTime`",
    }
    Rate {
        RateMul "cannot multiply `Rate` by `{R}`: multiply `Rate` by `Bytes` (→ `Bandwidth`), `Duration` (→ `Requests`) or a number",
        RateDiv "cannot divide `Rate` by `{R}`: divide `Rate` by `Users` (→ `UserRate`), a number or another `Rate` (→ a ratio)",
        RateAdd "cannot add `{R}` to `Rate`: only `Rate` adds to `Rate`; make one with `Users` × `UserRate`, `Items` ÷ `Duration` or `Requests` ÷ `Duration`",
        RateSub "cannot subtract `{R}` from `Rate`: only `Rate` subtracts from `Rate`; make one with `Users` × `UserRate`, `Items` ÷ `Duration` or `Requests` ÷ `Duration`",
    }
    UserRate {
        UserRateMul "cannot multiply `UserRate` by `{R}`: multiply `UserRate` by `UserTime` (→ `Requests`), `Users` (→ `Rate`) or a number",
        UserRateDiv "cannot divide `UserRate` by `{R}`: divide `UserRate` by a number or another `UserRate` (→ a ratio)",
        UserRateAdd "cannot add `{R}` to `UserRate`: only `UserRate` adds to `UserRate`; make one with `Rate` ÷ `Users`",
        UserRateSub "cannot subtract `{R}` from `UserRate`: only `UserRate` subtracts from `UserRate`; make one with `Rate` ÷ `Users`",
    }
    Bytes {
        BytesMul "cannot multiply `Bytes` by `{R}`: multiply `Bytes` by `Items` (→ `Bytes`), `Rate` (→ `Bandwidth`), `Requests` (→ `Bytes`), `Users` (→ `Bytes`) or a number",
        BytesDiv "cannot divide `Bytes` by `{R}`: divide `Bytes` by `Bandwidth` (→ `Duration`), `Duration` (→ `Bandwidth`), a number or another `Bytes` (→ a ratio)",
        BytesAdd "cannot add `{R}` to `Bytes`: only `Bytes` adds to `Bytes`; make one with `Users` × `Bytes`, `Items` × `Bytes`, `Requests` × `Bytes`, `Bandwidth` ÷ `Rate` or `Bandwidth` × `Duration`",
        BytesSub "cannot subtract `{R}` from `Bytes`: only `Bytes` subtracts from `Bytes`; make one with `Users` × `Bytes`, `Items` × `Bytes`, `Requests` × `Bytes`, `Bandwidth` ÷ `Rate` or `Bandwidth` × `Duration`",
    }
    Bandwidth {
        BandwidthMul "cannot multiply `Bandwidth` by `{R}`: multiply `Bandwidth` by `Duration` (→ `Bytes`) or a number",
        BandwidthDiv "cannot divide `Bandwidth` by `{R}`: divide `Bandwidth` by `Rate` (→ `Bytes`), a number or another `Bandwidth` (→ a ratio)",
        BandwidthAdd "cannot add `{R}` to `Bandwidth`: only `Bandwidth` adds to `Bandwidth`; make one with `Rate` × `Bytes` or `Bytes` ÷ `Duration`",
        BandwidthSub "cannot subtract `{R}` from `Bandwidth`: only `Bandwidth` subtracts from `Bandwidth`; make one with `Rate` × `Bytes` or `Bytes` ÷ `Duration`",
    }
    Duration {
        DurationMul "cannot multiply `Duration` by `{R}`: multiply `Duration` by `Bandwidth` (→ `Bytes`), `Rate` (→ `Requests`), `Users` (→ `UserTime`) or a number",
        DurationDiv "cannot divide `Duration` by `{R}`: divide `Duration` by a number or another `Duration` (→ a ratio)",
        DurationAdd "cannot add `{R}` to `Duration`: only `Duration` adds to `Duration`; make one with `Requests` ÷ `Rate`, `Bytes` ÷ `Bandwidth` or `UserTime` ÷ `Users`",
        DurationSub "cannot subtract `{R}` from `Duration`: only `Duration` subtracts from `Duration`; make one with `Requests` ÷ `Rate`, `Bytes` ÷ `Bandwidth` or `UserTime` ÷ `Users`",
    }
    Money {
        MoneyMul "cannot multiply `Money` by `{R}`: multiply `Money` by a number",
        MoneyDiv "cannot divide `Money` by `{R}`: divide `Money` by `Duration` (→ `Spend`), a number or another `Money` (→ a ratio)",
        MoneyAdd "cannot add `{R}` to `Money`: only `Money` adds to `Money`; make one with `Spend` × `Duration`",
        MoneySub "cannot subtract `{R}` from `Money`: only `Money` subtracts from `Money`; make one with `Spend` × `Duration`",
    }
    Spend {
        SpendMul "cannot multiply `Spend` by `{R}`: multiply `Spend` by `Duration` (→ `Money`) or a number",
        SpendDiv "cannot divide `Spend` by `{R}`: divide `Spend` by a number or another `Spend` (→ a ratio)",
        SpendAdd "cannot add `{R}` to `Spend`: only `Spend` adds to `Spend`; make one with `Money` ÷ `Duration`",
        SpendSub "cannot subtract `{R}` from `Spend`: only `Spend` subtracts from `Spend`; make one with `Money` ÷ `Duration`",
    }
    UserTime {
        UserTimeMul "cannot multiply `UserTime` by `{R}`: multiply `UserTime` by `UserRate` (→ `Requests`) or a number",
        UserTimeDiv "cannot divide `UserTime` by `{R}`: divide `UserTime` by `Duration` (→ `Users`), `Users` (→ `Duration`), a number or another `UserTime` (→ a ratio)",
        UserTimeAdd "cannot add `{R}` to `UserTime`: only `UserTime` adds to `UserTime`; make one with `Users` × `Duration`",
        UserTimeSub "cannot subtract `{R}` from `UserTime`: only `UserTime` subtracts from `UserTime`; make one with `Users` × `Duration`",
    }
    Length {
        LengthMul "cannot multiply `Length` by `{R}`: multiply `Length` by `Length` (→ `Area`) or a number",
        LengthDiv "cannot divide `Length` by `{R}`: divide `Length` by a number or another `Length` (→ a ratio)",
        LengthAdd "cannot add `{R}` to `Length`: only `Length` adds to `Length`; make one with `Area` ÷ `Length`",
        LengthSub "cannot subtract `{R}` from `Length`: only `Length` subtracts from `Length`; make one with `Area` ÷ `Length`",
    }
    Area {
        AreaMul "cannot multiply `Area` by `{R}`: multiply `Area` by `Density` (→ `Items`) or a number",
        AreaDiv "cannot divide `Area` by `{R}`: divide `Area` by `Length` (→ `Length`), a number or another `Area` (→ a ratio)",
        AreaAdd "cannot add `{R}` to `Area`: only `Area` adds to `Area`; make one with `Items` ÷ `Density` or `Length` × `Length`",
        AreaSub "cannot subtract `{R}` from `Area`: only `Area` subtracts from `Area`; make one with `Items` ÷ `Density` or `Length` × `Length`",
    }
    Density {
        DensityMul "cannot multiply `Density` by `{R}`: multiply `Density` by `Area` (→ `Items`) or a number",
        DensityDiv "cannot divide `Density` by `{R}`: divide `Density` by a number or another `Density` (→ a ratio)",
        DensityAdd "cannot add `{R}` to `Density`: only `Density` adds to `Density`; make one with `Items` ÷ `Area`",
        DensitySub "cannot subtract `{R}` from `Density`: only `Density` subtracts from `Density`; make one with `Items` ÷ `Area`",
    }
}

#[cfg(test)]
mod tests {
    /// `(name, lhs, rhs, output)` of every product and quotient of two quantities in
    /// quantity.rs: `("RateMul", "Rate", "Duration", "Requests")`.
    fn operations() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
        let quantities = include_str!("quantity.rs");
        let mut found = Vec::new();
        for block in quantities.split("impl crate::ops::").skip(1) {
            // `RateMul<Duration> for Rate {\n    type Output = Requests;`
            let (head, rest) = block.split_once(" for ").unwrap();
            let (name, rhs) = head.trim_end_matches('>').split_once('<').unwrap();
            let lhs = rest.split([' ', '{']).next().unwrap();
            let output = rest.split("type Output = ").nth(1).unwrap();
            let output = output.split(';').next().unwrap();
            let generic = name.starts_with('$') || rhs.starts_with('$');
            if generic
                || rhs == "f64"
                || output == "f64"
                || !name.ends_with("Mul") && !name.ends_with("Div")
            {
                continue;
            }
            found.push((name, lhs, rhs, output));
        }
        assert!(
            found.len() >= 30,
            "only {} operations found in quantity.rs",
            found.len()
        );
        found
    }

    /// The message of the trait `name` (`RateAdd`).
    fn message(name: &str) -> &'static str {
        include_str!("ops.rs")
            .lines()
            .find(|line| line.trim_start().starts_with(&format!("{name} \"")))
            .unwrap_or_else(|| panic!("no message for {name}"))
    }

    /// Every product and quotient of two quantities that napkin implements is named in its
    /// trait's message, so the compiler's hint never leaves one out.
    #[test]
    fn each_message_names_every_product_and_quotient_its_quantity_has() {
        for (name, _, rhs, output) in operations() {
            let named = format!("`{rhs}` (→ `{output}`)");
            let message = message(name);
            assert!(
                message.contains(&named),
                "{name}'s message does not name {named}: {message}"
            );
        }
    }

    /// Each quantity's `+` and `-` messages list the same ways to make it ("make one with
    /// `Users` × `UserRate`, …"), and those are exactly the products and quotients in
    /// quantity.rs that give it (a product in either order).
    #[test]
    fn each_add_message_lists_exactly_the_operations_that_make_its_quantity() {
        let operations = operations();
        let mut quantities: Vec<&str> = include_str!("ops.rs")
            .lines()
            .filter_map(|line| {
                let (name, _) = line.trim().split_once("Add \"cannot add")?;
                Some(name)
            })
            .collect();
        quantities.dedup();
        assert!(quantities.len() >= 15, "{quantities:?}");
        for q in quantities {
            let made = |message: &str| -> Vec<String> {
                let Some((_, list)) = message.split_once("; make one with ") else {
                    return Vec::new();
                };
                let list = list.trim_end_matches("\",");
                let mut ways: Vec<String> = list
                    .replace(" or ", ", ")
                    .split(", ")
                    .map(str::to_string)
                    .collect();
                ways.sort();
                ways
            };
            let add = made(message(&format!("{q}Add")));
            assert_eq!(
                add,
                made(message(&format!("{q}Sub"))),
                "{q}: + and - differ"
            );
            for (name, lhs, rhs, output) in &operations {
                if *output != q {
                    continue;
                }
                let ways = if name.ends_with("Mul") {
                    vec![format!("`{lhs}` × `{rhs}`"), format!("`{rhs}` × `{lhs}`")]
                } else {
                    vec![format!("`{lhs}` ÷ `{rhs}`")]
                };
                assert!(
                    ways.iter().any(|w| add.contains(w)),
                    "{q}'s `+` message does not say it is made by {}: {add:?}",
                    ways[0]
                );
            }
            for way in &add {
                let listed = operations.iter().any(|(name, lhs, rhs, output)| {
                    let symbol = if name.ends_with("Mul") { "×" } else { "÷" };
                    *output == q
                        && (*way == format!("`{lhs}` {symbol} `{rhs}`")
                            || symbol == "×" && *way == format!("`{rhs}` × `{lhs}`"))
                });
                assert!(
                    listed,
                    "{q}'s `+` message lists {way}, which quantity.rs does not give"
                );
            }
        }
    }
}
