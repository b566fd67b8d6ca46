//! The execution counter and the inputs it numbered, for `history_request`.
//!
//! History lives in memory for the life of the process. Each stored cell (an `execute_request`
//! with `store_history` and not `silent`) takes the next execution count as its line number.
//! There is one session (number 1): a restart is a new process with a new history. Query
//! semantics follow IPython's history
//! manager: `range` with `stop == 0` means "to the end", session numbers `<= 0` count back from
//! the current session, and `search` patterns are globs (`*` and `?`).

/// One stored cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Session number (1 for the first session of this process).
    pub session: usize,
    /// Line number within the session, equal to the cell's execution count.
    pub line: usize,
    /// The code as submitted.
    pub input: String,
    /// The cell's `text/plain` result, if it had one.
    pub output: Option<String>,
}

/// The counter and the entries of this process.
#[derive(Debug, Clone)]
pub struct History {
    session: usize,
    execution_count: usize,
    entries: Vec<Entry>,
}

impl Default for History {
    fn default() -> Self {
        Self::new()
    }
}

impl History {
    /// Session 1, count 0, nothing stored.
    pub fn new() -> Self {
        Self {
            session: 1,
            execution_count: 0,
            entries: Vec::new(),
        }
    }

    /// The count of the last stored cell (0 before the first).
    pub fn execution_count(&self) -> usize {
        self.execution_count
    }

    /// Claims the next execution count for a stored cell.
    pub fn next_execution_count(&mut self) -> usize {
        self.execution_count += 1;
        self.execution_count
    }

    /// Stores a finished cell under `line` in the current session.
    pub fn record(&mut self, line: usize, input: String, output: Option<String>) {
        self.entries.push(Entry {
            session: self.session,
            line,
            input,
            output,
        });
    }

    /// The last `n` entries, oldest first.
    pub fn tail(&self, n: i32) -> Vec<&Entry> {
        let n = usize::try_from(n).unwrap_or(0);
        self.entries[self.entries.len().saturating_sub(n)..]
            .iter()
            .collect()
    }

    /// Entries of `session` (`None` or `<= 0`: relative to the current one) with
    /// `start <= line < stop`; `stop == 0` means no upper bound.
    pub fn range(&self, session: Option<i32>, start: i32, stop: i32) -> Vec<&Entry> {
        let session = match session.unwrap_or(0) {
            relative @ ..=0 => {
                let Ok(back) = usize::try_from(-i64::from(relative)) else {
                    return Vec::new();
                };
                match self.session.checked_sub(back) {
                    Some(session) => session,
                    None => return Vec::new(),
                }
            }
            absolute => usize::try_from(absolute).unwrap_or(0),
        };
        self.entries
            .iter()
            .filter(|e| e.session == session)
            .filter(|e| i64::try_from(e.line).is_ok_and(|line| line >= i64::from(start)))
            .filter(|e| stop == 0 || i64::try_from(e.line).is_ok_and(|line| line < i64::from(stop)))
            .collect()
    }

    /// Entries whose input matches the glob `pattern`, oldest first; with `unique`, only the
    /// latest of identical inputs; with `n > 0`, only the last `n`.
    pub fn search(&self, pattern: &str, n: i32, unique: bool) -> Vec<&Entry> {
        let pattern: Vec<char> = pattern.chars().collect();
        let mut found: Vec<&Entry> = Vec::new();
        for entry in self
            .entries
            .iter()
            .filter(|e| glob_matches(&pattern, &e.input.chars().collect::<Vec<_>>()))
        {
            if unique {
                found.retain(|earlier| earlier.input != entry.input);
            }
            found.push(entry);
        }
        match usize::try_from(n) {
            Ok(n) if n > 0 => found.split_off(found.len().saturating_sub(n)),
            _ => found,
        }
    }
}

/// Glob matching with `*` (any run) and `?` (any one character).
fn glob_matches(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::History;

    fn sample() -> History {
        let mut history = History::new();
        for code in ["let a = 1;", "a + 1", "println!(\"{a}\");", "a + 1"] {
            let line = history.next_execution_count();
            history.record(line, code.into(), None);
        }
        history
    }

    fn lines(entries: Vec<&super::Entry>) -> Vec<usize> {
        entries.iter().map(|e| e.line).collect()
    }

    #[test]
    fn counter_numbers_lines_from_one() {
        let history = sample();
        assert_eq!(history.execution_count(), 4);
        assert_eq!(lines(history.tail(100)), vec![1, 2, 3, 4]);
    }

    #[test]
    fn tail_returns_the_last_n() {
        let history = sample();
        assert_eq!(lines(history.tail(2)), vec![3, 4]);
        assert!(history.tail(0).is_empty());
        assert!(history.tail(-3).is_empty());
    }

    #[test]
    fn range_is_half_open_and_zero_stop_means_to_the_end() {
        let history = sample();
        assert_eq!(lines(history.range(None, 2, 4)), vec![2, 3]);
        assert_eq!(lines(history.range(Some(1), 3, 0)), vec![3, 4]);
        assert_eq!(lines(history.range(Some(0), 0, 0)), vec![1, 2, 3, 4]);
        assert!(history.range(Some(-1), 0, 0).is_empty());
        assert!(history.range(Some(7), 0, 0).is_empty());
    }

    #[test]
    fn search_globs_dedups_and_limits() {
        let history = sample();
        assert_eq!(lines(history.search("a + *", 0, false)), vec![2, 4]);
        assert_eq!(lines(history.search("a + *", 0, true)), vec![4]);
        assert_eq!(lines(history.search("*a*", 2, false)), vec![3, 4]);
        assert_eq!(lines(history.search("let ? = 1;", 0, false)), vec![1]);
        assert!(history.search("nothing*", 0, false).is_empty());
    }
}
