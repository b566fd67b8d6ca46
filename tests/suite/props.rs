//! The configuration every property test runs with: the same verdict on every run.
//!
//! By default each property test draws its cases from one fixed seed, so CI (and
//! `scripts/test`, which unsets `CI`) gives a commit the same verdict every time, and the
//! cases in `tests/proptest-regressions/` run first. `NAPKIN_PROPTEST_EXPLORE=1` draws from a
//! new random seed each run, to find new failures locally; `PROPTEST_RNG_SEED=<n>` replays a
//! run. Each test prints its seed, which `cargo test` shows when the test fails:
//! `proptest seed 7809847782465536322: replay with PROPTEST_RNG_SEED=…`.

use std::hash::{BuildHasher, Hasher};

use proptest::test_runner::{Config, RngSeed};

/// The seed of every run that does not explore ("napkin" in ASCII).
pub const FIXED_SEED: u64 = 0x6e61_706b_696e;

/// True when `NAPKIN_PROPTEST_EXPLORE` asks for new cases (set, and neither empty nor `0`).
fn explore() -> bool {
    std::env::var("NAPKIN_PROPTEST_EXPLORE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The seed this run uses: `PROPTEST_RNG_SEED` if set (proptest reads it too), a random one
/// when exploring, else [`FIXED_SEED`].
pub fn seed() -> u64 {
    if let Some(seed) = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        return seed;
    }
    if explore() {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    } else {
        FIXED_SEED
    }
}

/// proptest's default configuration with this run's seed, which it prints (shown when the
/// test fails).
pub fn config() -> Config {
    let seed = seed();
    eprintln!(
        "proptest seed {seed}: replay with PROPTEST_RNG_SEED={seed} \
         (NAPKIN_PROPTEST_EXPLORE=1 draws a new seed each run)"
    );
    Config {
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    }
}

/// Two runs with the fixed seed draw the same cases.
#[test]
fn a_fixed_seed_draws_the_same_cases() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let draw = || {
        let mut runner = TestRunner::new(Config {
            rng_seed: RngSeed::Fixed(FIXED_SEED),
            ..Config::default()
        });
        (0..16)
            .map(|_| (-1e9f64..1e9).new_tree(&mut runner).unwrap().current())
            .collect::<Vec<f64>>()
    };
    assert_eq!(draw(), draw());
}
