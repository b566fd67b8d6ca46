//! `:dep` lines: which crate and version a line asks for, and whether napkin's own build
//! already has it (then cells use napkin's copy: nothing to download, and the same types).

/// A `:dep` line's crate and version requirement.
#[derive(Debug, PartialEq, Eq)]
pub struct Dep {
    pub name: String,
    /// The plain version requirement (`"0.38"`), if the line gives only that.
    pub version: Option<String>,
    /// Whether the line says more than a version (features, a path, git).
    pub detailed: bool,
}

impl Dep {
    /// Whether napkin's copy at `version` satisfies this `:dep`: the requirement's numbers are
    /// a prefix of it (`"0.38"` accepts 0.38.0, `"1"` accepts 1.0.219), or it gives none.
    pub fn accepts(&self, version: &str) -> bool {
        if self.detailed {
            return false;
        }
        let Some(wanted) = &self.version else {
            return true;
        };
        let wanted = wanted.trim_start_matches(['^', '=', '~']);
        if wanted == "*" {
            return true;
        }
        let have: Vec<&str> = version.split('.').collect();
        wanted
            .split('.')
            .enumerate()
            .all(|(i, part)| have.get(i) == Some(&part))
    }
}

/// Reads `name`, `name = "1"`, `name = { version = "1" }` or anything richer.
pub fn parse_dep(rest: &str) -> Dep {
    let (name, spec) = rest.split_once('=').unwrap_or((rest, ""));
    let name = name.trim().to_string();
    let spec = spec.trim();
    let plain = |s: &str| {
        s.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .map(str::to_string)
    };
    let (version, detailed) = if spec.is_empty() {
        (None, false)
    } else if let Some(v) = plain(spec) {
        (Some(v), false)
    } else if let Some(inner) = spec
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .map(str::trim)
        && let Some(v) = inner.strip_prefix("version").map(str::trim_start)
        && let Some(v) = v.strip_prefix('=').map(str::trim).and_then(plain)
        && !v.contains('"')
    {
        (Some(v), false)
    } else {
        (None, true)
    };
    Dep {
        name,
        version,
        detailed,
    }
}

#[cfg(test)]
mod tests {
    use super::{Dep, parse_dep};

    #[test]
    fn dep_lines_are_read_and_matched_against_napkins_copy() {
        let dep = parse_dep(" uom = \"0.38\"");
        assert_eq!(
            dep,
            Dep {
                name: "uom".into(),
                version: Some("0.38".into()),
                detailed: false
            }
        );
        assert!(dep.accepts("0.38.0"));
        assert!(!dep.accepts("0.39.0"));
        assert!(parse_dep("serde").accepts("1.0.219"));
        assert!(parse_dep("serde = \"1\"").accepts("1.0.219"));
        assert!(parse_dep("serde = { version = \"1\" }").accepts("1.0.219"));
        assert!(parse_dep("polars = \"*\"").accepts("0.55.2"));
        let features = parse_dep("serde = { version = \"1\", features = [\"rc\"] }");
        assert!(features.detailed && !features.accepts("1.0.219"));
        assert!(!parse_dep("itoa = { path = \"../itoa\" }").accepts("1.0.0"));
    }
}
