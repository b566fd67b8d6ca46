//! Compile errors in plain words: uom's dimension types, spelled by rustc as
//! typenum integers (`Quantity<dyn Dimension<L = Z0, T = NInt<UInt<UTerm, B1>>, …>, …>`),
//! become the units they mean (`a velocity (m·s⁻¹)`), and napkin's quantities lose the module
//! path rustc sometimes gives them (`napkin::quantity::Bytes` is the prelude's `Bytes`).

/// Rewrites uom types in `message` in words: every `Quantity<…>` as its
/// dimension, and a bare typenum exponent (`` `PInt<UInt<UTerm, B1>>` ``, what
/// rustc names when two dimensions differ) as its number, with a hint.
pub fn humanize(message: &str) -> String {
    // rustc spells a type by its full path when another crate has one of the same name
    // (`Bytes`, `Duration`); a cell names napkin's through the prelude.
    let message = message.replace("napkin::quantity::", "");
    let quantities = humanize_quantities(&message);
    let mut out = String::with_capacity(quantities.len());
    let mut exponents = Vec::new();
    let mut pieces = quantities.split('`');
    if let Some(first) = pieces.next() {
        out.push_str(first);
    }
    for (i, piece) in pieces.enumerate() {
        out.push('`');
        // Odd pieces (0-based even here) are inside backticks.
        match (i % 2 == 0).then(|| integer(&strip_paths(piece))).flatten() {
            Some(e) => {
                exponents.push(e);
                out.push_str(&format!("dimension exponent {e}"));
            }
            None => out.push_str(piece),
        }
    }
    if exponents.len() >= 2 {
        out.push_str(
            " (the two quantities have different dimensions: uom only adds, subtracts and \
             compares quantities of the same kind)",
        );
    }
    out
}

fn humanize_quantities(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find("Quantity<") {
        let (before, from) = rest.split_at(start);
        // Keep any path before `Quantity` out of the readable form.
        let before = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or("", |i| &before[..=i]);
        out.push_str(before);
        let Some(end) = matching_angle(from, "Quantity".len()) else {
            out.push_str(from);
            return out;
        };
        let ty = &from[..=end];
        match describe_quantity(ty) {
            Some(words) => out.push_str(&words),
            None => out.push_str(ty),
        }
        rest = &from[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Index of the `>` closing the `<` at `open`.
fn matching_angle(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '<' => depth += 1,
            '>' if i > 0 && s[..i].ends_with('-') => {}
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `Quantity<dyn Dimension<…>, …>` → `a velocity (m·s⁻¹)`.
fn describe_quantity(ty: &str) -> Option<String> {
    let start = ty.find("Dimension<")?;
    let end = matching_angle(&ty[start..], "Dimension".len())? + start;
    let args = strip_paths(&ty[start + "Dimension<".len()..end]);
    let mut exponents: Vec<(String, i64)> = Vec::new();
    for arg in split_top_level(&args) {
        let Some((name, value)) = arg.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name == "Kind" {
            continue;
        }
        exponents.push((name.to_string(), integer(value.trim())?));
    }
    let napkin = exponents.iter().any(|(n, _)| n == "R" || n == "U");
    let symbol = |name: &str| -> String {
        match (napkin, name) {
            (true, "T") => "s",
            (true, "I") => "B",
            (true, "R") => "req",
            (true, "U") => "user",
            (true, "M") => "$",
            (false, "L") => "m",
            (false, "M") => "kg",
            (false, "T") => "s",
            (false, "I") => "A",
            (false, "Th") => "K",
            (false, "N") => "mol",
            (false, "J") => "cd",
            (_, other) => other,
        }
        .to_string()
    };
    let mut parts: Vec<String> = exponents
        .iter()
        .filter(|(_, e)| *e > 0)
        .chain(exponents.iter().filter(|(_, e)| *e < 0))
        .map(|(n, e)| match e {
            1 => symbol(n),
            e => format!("{}{}", symbol(n), superscript(*e)),
        })
        .collect();
    if parts.is_empty() {
        parts.push("1".into());
    }
    let unit = parts.join("·");
    let nonzero: Vec<(&str, i64)> = exponents
        .iter()
        .filter(|(_, e)| *e != 0)
        .map(|(n, e)| (n.as_str(), *e))
        .collect();
    let name = known_name(napkin, &nonzero);
    Some(match name {
        Some(name) => format!("{name} ({unit})"),
        None => format!("a quantity in {unit}"),
    })
}

fn known_name(napkin: bool, dims: &[(&str, i64)]) -> Option<&'static str> {
    let mut dims = dims.to_vec();
    dims.sort();
    let is = |want: &[(&str, i64)]| {
        let mut want = want.to_vec();
        want.sort();
        want == dims
    };
    let table: &[(&[(&str, i64)], &str)] = if napkin {
        &[
            (&[("R", 1), ("T", -1)], "a request rate"),
            (&[("I", 1), ("T", -1)], "a bandwidth"),
            (&[("I", 1)], "an amount of information"),
            (&[("R", 1)], "a request count"),
            (&[("U", 1)], "a user count"),
            (&[("R", 1), ("U", -1), ("T", -1)], "a per-user request rate"),
            (&[("M", 1)], "an amount of money"),
            (&[("T", 1)], "a duration"),
            (&[], "a ratio"),
        ]
    } else {
        &[
            (&[("T", -1)], "a frequency"),
            (&[("L", 1), ("T", -1)], "a velocity"),
            (&[("L", 1), ("T", -2)], "an acceleration"),
            (&[("L", 1)], "a length"),
            (&[("L", 2)], "an area"),
            (&[("L", 3)], "a volume"),
            (&[("T", 1)], "a time"),
            (&[("M", 1)], "a mass"),
            (&[("I", 1)], "an electric current"),
            (&[("M", 1), ("L", 1), ("T", -2)], "a force"),
            (&[("M", 1), ("L", 2), ("T", -2)], "an energy"),
            (&[("M", 1), ("L", 2), ("T", -3)], "a power"),
            (&[], "a ratio"),
        ]
    };
    table.iter().find(|(d, _)| is(d)).map(|(_, n)| *n)
}

fn superscript(e: i64) -> String {
    e.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// Drops `a::b::` path prefixes: `typenum::int::Z0` → `Z0`.
fn strip_paths(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            word.clear();
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            out.push_str(&word);
            word.clear();
            out.push(c);
        }
    }
    out.push_str(&word);
    out
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// A typenum integer: `Z0`, `PInt<U>`, `NInt<U>`, or one of the aliases `P1`…, `N1`….
fn integer(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "Z0" {
        return Some(0);
    }
    if let Some(n) = s.strip_prefix('P').and_then(|n| n.parse::<i64>().ok()) {
        return Some(n);
    }
    if let Some(n) = s.strip_prefix('N').and_then(|n| n.parse::<i64>().ok()) {
        return Some(-n);
    }
    let inner = |p: &str| s.strip_prefix(p).and_then(|r| r.strip_suffix('>'));
    if let Some(u) = inner("PInt<") {
        return unsigned(u).map(|v| v as i64);
    }
    if let Some(u) = inner("NInt<") {
        return unsigned(u).map(|v| -(v as i64));
    }
    None
}

/// A typenum unsigned: `UTerm` or `UInt<U, B0|B1>`.
fn unsigned(s: &str) -> Option<u64> {
    let s = s.trim();
    if s == "UTerm" {
        return Some(0);
    }
    let body = s.strip_prefix("UInt<")?.strip_suffix('>')?;
    let (high, bit) = body.rsplit_once(',')?;
    let bit = match bit.trim() {
        "B0" => 0,
        "B1" => 1,
        _ => return None,
    };
    Some(unsigned(high)? * 2 + bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FREQUENCY: &str = "Quantity<dyn Dimension<Kind = dyn Kind, L = Z0, M = Z0, T = NInt<UInt<UTerm, B1>>, I = Z0, Th = Z0, N = Z0, J = Z0>, dyn Units<f64, length = meter>, f64>";
    const VELOCITY: &str = "uom::si::Quantity<dyn uom::si::Dimension<Kind = dyn uom::Kind, L = typenum::int::PInt<typenum::uint::UInt<typenum::uint::UTerm, typenum::bit::B1>>, M = typenum::int::Z0, T = typenum::int::NInt<typenum::uint::UInt<typenum::uint::UTerm, typenum::bit::B1>>, I = Z0, Th = Z0, N = Z0, J = Z0>, dyn Units<f64>, f64>";

    #[test]
    fn decodes_typenum_integers() {
        assert_eq!(integer("Z0"), Some(0));
        assert_eq!(integer("PInt<UInt<UInt<UTerm, B1>, B0>>"), Some(2));
        assert_eq!(integer("NInt<UInt<UInt<UTerm, B1>, B1>>"), Some(-3));
        assert_eq!(integer("P2"), Some(2));
    }

    #[test]
    fn names_si_dimensions() {
        assert_eq!(humanize(FREQUENCY), "a frequency (s⁻¹)");
        assert_eq!(humanize(VELOCITY), "a velocity (m·s⁻¹)");
        let message = format!("expected `{FREQUENCY}`, found `{VELOCITY}`");
        assert_eq!(
            humanize(&message),
            "expected `a frequency (s⁻¹)`, found `a velocity (m·s⁻¹)`"
        );
    }

    #[test]
    fn names_napkin_dimensions() {
        let rate = "Quantity<dyn Dimension<T = N1, I = Z0, R = P1, U = Z0, M = Z0, Kind = dyn Kind>, dyn Units<f64>, f64>";
        let bandwidth = "Quantity<dyn Dimension<T = N1, I = P1, R = Z0, U = Z0, M = Z0, Kind = dyn Kind>, dyn Units<f64>, f64>";
        assert_eq!(humanize(rate), "a request rate (req·s⁻¹)");
        assert_eq!(humanize(bandwidth), "a bandwidth (B·s⁻¹)");
    }

    #[test]
    fn names_bare_exponents() {
        let shown = humanize("expected `Z0`, found `PInt<UInt<UTerm, B1>>`");
        assert!(
            shown.starts_with("expected `dimension exponent 0`, found `dimension exponent 1`"),
            "{shown}"
        );
        assert!(shown.contains("different dimensions"));
        assert!(!shown.contains("UInt<"));
    }

    #[test]
    fn leaves_other_text_alone() {
        assert_eq!(
            humanize("expected `Rate`, found `Bandwidth`"),
            "expected `Rate`, found `Bandwidth`"
        );
        assert_eq!(humanize("Quantity<broken"), "Quantity<broken");
    }

    #[test]
    fn napkin_quantities_are_named_as_the_prelude_names_them() {
        assert_eq!(
            humanize(
                "cannot add `napkin::quantity::Bytes` to `Users`: only `Users` adds to `Users`"
            ),
            "cannot add `Bytes` to `Users`: only `Users` adds to `Users`"
        );
        assert_eq!(
            humanize("the trait `Given<napkin::quantity::Bytes>` is not implemented"),
            "the trait `Given<Bytes>` is not implemented"
        );
    }
}
