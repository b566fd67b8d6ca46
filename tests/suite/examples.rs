//! The examples' output, snapshot-tested with insta, so a change to napkin's formatting shows
//! up in review as a diff of what a learner sees. `cargo test` builds the examples; these
//! tests run the binaries it built. After an intended change: `INSTA_UPDATE=always cargo
//! test` (or `cargo insta review`), then read the diff.

use std::path::PathBuf;
use std::process::Command;

/// The built example `name`, next to this test binary (`target/debug/examples/name`).
fn example(name: &str) -> Command {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path: PathBuf = debug.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is not built; `cargo test` builds the examples",
        path.display()
    );
    Command::new(path)
}

fn stdout(mut command: Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        command,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn day1() {
    let text = stdout(example("day1"));
    // The seed's figures, as the issue that made these snapshots requires.
    for figure in ["11.6K req/s", "34.7K req/s", "1.00 TB/day", "365 TB/year"] {
        assert!(text.contains(figure), "{figure} missing from:\n{text}");
    }
    insta::assert_snapshot!("day1", text);
}

#[test]
fn scaling_journey() {
    let dir = std::env::temp_dir().join(format!("napkin-example-{}", std::process::id()));
    let mut command = example("scaling_journey");
    command.arg(&dir);
    let text = stdout(command).replace(&dir.display().to_string(), "OUT_DIR");
    insta::assert_snapshot!("scaling_journey", text);
    let html = std::fs::read_to_string(dir.join("sweep.html")).unwrap();
    insta::assert_snapshot!("scaling_journey_sweep_html", html);
    let svg = std::fs::read_to_string(dir.join("scaling_journey.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cost() {
    let text = stdout(example("cost"));
    for line in [
        "  storage  1.83 PB at 5 years × 3 replicas × $0.023/GB-month = $126K/month",
        "  total    $3.85K/month + $126K/month + $27.4K/month = $157K/month",
        "Total: $75.6K/month ($907K a year)",
        "  100M users: $157K/month",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
}

#[test]
fn ranges() {
    let text = stdout(example("ranges"));
    for needle in [
        "Ranges (low–high)",
        "63.2M users (50.0M–80.0M) × 10 req/user/day",
        "Total: $",
        "peak_requests_low [req/s]",
        "cost_per_month_high [$/month]",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    insta::assert_snapshot!("ranges", text);
}
