//! The process tree below the evaluator, read from `/proc`: which compilers to stop on an
//! interrupt, which processes an adopted pre-warmed evaluator must re-prioritise.

use std::collections::HashMap;

/// A process id.
pub type Pid = libc::pid_t;

/// Every process's children with their names (`comm`), as `/proc` lists them now.
fn children_by_parent() -> HashMap<Pid, Vec<(Pid, String)>> {
    let mut children: HashMap<Pid, Vec<(Pid, String)>> = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return children;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<Pid>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let Some(ppid) = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
        else {
            continue;
        };
        children.entry(ppid).or_default().push((pid, comm));
    }
    children
}

/// The children of `parent` accepted by `keep` (by name), and everything below them.
pub fn descendants(parent: Pid, keep: impl Fn(&str) -> bool) -> Vec<Pid> {
    let children = children_by_parent();
    let mut found: Vec<Pid> = children
        .get(&parent)
        .into_iter()
        .flatten()
        .filter(|(_, comm)| keep(comm))
        .map(|(pid, _)| *pid)
        .collect();
    let mut next = 0;
    while next < found.len() {
        let below = found[next];
        found.extend(
            children
                .get(&below)
                .into_iter()
                .flatten()
                .map(|(pid, _)| *pid),
        );
        next += 1;
    }
    found
}

/// This process's id.
pub fn me() -> Pid {
    std::process::id() as Pid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_child_and_its_child_by_name() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & wait"])
            .spawn()
            .unwrap();
        let pid = child.id() as Pid;
        let mut below = Vec::new();
        for _ in 0..200 {
            below = descendants(me(), |comm| comm == "sh");
            if below.len() >= 2 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(below.first(), Some(&pid), "{below:?}");
        assert!(below.len() >= 2, "the sleep below sh: {below:?}");
        assert!(descendants(me(), |comm| comm == "no-such-process").is_empty());
    }
}
