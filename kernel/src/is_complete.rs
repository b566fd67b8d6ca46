//! Is a cell finished? The answer to `is_complete_request`, from a small Rust lexer.
//!
//! Consoles ask this before running what was typed at the prompt: `complete` runs it,
//! `incomplete` continues on a new line (pre-filled with the returned indent), `invalid`
//! runs it so the error shows. The lexer understands just enough Rust not to be fooled by
//! brackets inside literals and comments: strings with escapes, byte and C strings, raw
//! strings `r#"…"#`, character literals versus lifetimes and labels (`'a'` vs `'a`), line
//! comments and nested block comments.
//!
//! The verdict:
//! * an unmatched or mismatched closing bracket is `invalid`;
//! * an unterminated string or character literal is `incomplete` with no indent (indenting
//!   would change the literal);
//! * an unterminated block comment or unclosed brackets are `incomplete`, indented four
//!   spaces per open bracket;
//! * a cell ending in an operator that needs a right-hand side (`let x =`, `a +`, `foo.`,
//!   `->`), in a keyword that cannot end a statement (`let`, `else`, `impl`, …) or in an outer
//!   attribute (`#[derive(Debug)]`) is `incomplete`, indented one level deeper;
//! * anything else is `complete`. Bracket-balanced but unfinished items such as `fn f()` are
//!   reported complete; the compiler's error explains them better than a guess would.

/// The verdict on a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completeness {
    /// Ready to run.
    Complete,
    /// Needs more lines; the next line should start with `indent`.
    Incomplete {
        /// Whitespace to pre-fill the next line with.
        indent: String,
    },
    /// Can never become valid by adding lines (e.g. an unmatched `)`).
    Invalid,
}

/// One level of indentation.
const INDENT: &str = "    ";

/// Operators after which a statement cannot end.
const TRAILING_OPERATORS: &[&str] = &[
    "=", "+", "-", "*", "/", "%", "^", "!", "&", "|", "&&", "||", "<", "<<", "<=", ">=", "==",
    "!=", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<=", ">>=", ".", "..=", ":", "::",
    "->", "=>", "@", "#", "#!",
];

/// Multi-character punctuation, longest first so matching is greedy.
const PUNCTUATION: &[&str] = &[
    "<<=", ">>=", "...", "..=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>", "..", "#!",
];

/// Keywords after which a statement cannot end.
const CONTINUATION_KEYWORDS: &[&str] = &[
    "as", "async", "const", "dyn", "else", "enum", "extern", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "static", "struct", "trait",
    "type", "unsafe", "use", "where", "while",
];

/// Judges whether `code` is a finished cell.
pub fn is_complete(code: &str) -> Completeness {
    let chars: Vec<char> = code.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        pos: 0,
        open: Vec::new(),
        last: Last::Nothing,
    };
    match lexer.run() {
        Err(Stop::Invalid) => Completeness::Invalid,
        Err(Stop::UnterminatedLiteral) => Completeness::Incomplete {
            indent: String::new(),
        },
        Err(Stop::UnterminatedComment) => Completeness::Incomplete {
            indent: INDENT.repeat(lexer.open.len()),
        },
        Ok(()) if !lexer.open.is_empty() => Completeness::Incomplete {
            indent: INDENT.repeat(lexer.open.len()),
        },
        Ok(()) => match lexer.last {
            Last::Punctuation(op) if TRAILING_OPERATORS.contains(&op.as_str()) => {
                Completeness::Incomplete {
                    indent: INDENT.into(),
                }
            }
            Last::Keyword => Completeness::Incomplete {
                indent: INDENT.into(),
            },
            Last::OuterAttribute => Completeness::Incomplete {
                indent: String::new(),
            },
            _ => Completeness::Complete,
        },
    }
}

/// The last significant token seen.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Last {
    Nothing,
    /// An identifier, literal, lifetime or closing bracket.
    Value,
    Keyword,
    Punctuation(String),
    /// The `]` closing an outer attribute `#[…]`.
    OuterAttribute,
}

/// Why lexing stopped early.
enum Stop {
    Invalid,
    UnterminatedLiteral,
    UnterminatedComment,
}

/// An open bracket: its character and whether it opened an outer attribute `#[`.
struct Open {
    bracket: char,
    attribute: bool,
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    open: Vec<Open>,
    last: Last,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn run(&mut self) -> Result<(), Stop> {
        while let Some(c) = self.peek(0) {
            match c {
                c if c.is_whitespace() => self.pos += 1,
                '/' if self.peek(1) == Some('/') => self.line_comment(),
                '/' if self.peek(1) == Some('*') => self.block_comment()?,
                '"' => {
                    self.pos += 1;
                    self.string()?;
                }
                '\'' => self.quote()?,
                c if is_ident_start(c) => self.word()?,
                c if c.is_ascii_digit() => self.number(),
                '(' | '[' | '{' => {
                    let attribute = c == '[' && self.last == Last::Punctuation("#".into());
                    self.open.push(Open {
                        bracket: c,
                        attribute,
                    });
                    self.last = Last::Punctuation(c.into());
                    self.pos += 1;
                }
                ')' | ']' | '}' => {
                    let opened = self.open.pop().ok_or(Stop::Invalid)?;
                    if closing(opened.bracket) != c {
                        return Err(Stop::Invalid);
                    }
                    self.last = if opened.attribute {
                        Last::OuterAttribute
                    } else {
                        Last::Value
                    };
                    self.pos += 1;
                }
                _ => self.punctuation(),
            }
        }
        Ok(())
    }

    fn line_comment(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                return;
            }
            self.pos += 1;
        }
    }

    fn block_comment(&mut self) -> Result<(), Stop> {
        self.pos += 2;
        let mut depth = 1;
        while depth > 0 {
            match (self.peek(0), self.peek(1)) {
                (None, _) => return Err(Stop::UnterminatedComment),
                (Some('/'), Some('*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                (Some('*'), Some('/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
        Ok(())
    }

    /// A string body, the opening `"` already consumed.
    fn string(&mut self) -> Result<(), Stop> {
        loop {
            match self.peek(0) {
                None => return Err(Stop::UnterminatedLiteral),
                Some('\\') => self.pos += 2,
                Some('"') => {
                    self.pos += 1;
                    self.last = Last::Value;
                    return Ok(());
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// A raw string starting at `"` after `hashes` `#`s (the `r`/`br`/`cr` prefix and hashes
    /// already consumed).
    fn raw_string(&mut self, hashes: usize) -> Result<(), Stop> {
        self.pos += 1;
        loop {
            match self.peek(0) {
                None => return Err(Stop::UnterminatedLiteral),
                Some('"') if (1..=hashes).all(|k| self.peek(k) == Some('#')) => {
                    self.pos += 1 + hashes;
                    self.last = Last::Value;
                    return Ok(());
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// A `'`: a character literal, a lifetime or a label.
    fn quote(&mut self) -> Result<(), Stop> {
        match (self.peek(1), self.peek(2)) {
            (None, _) => Err(Stop::UnterminatedLiteral),
            (Some('\\'), _) => {
                // Escaped character: '\n', '\'', '\x7f', '\u{1F600}'.
                self.pos += 3;
                loop {
                    match self.peek(0) {
                        None | Some('\n') => return Err(Stop::UnterminatedLiteral),
                        Some('\'') => {
                            self.pos += 1;
                            self.last = Last::Value;
                            return Ok(());
                        }
                        Some(_) => self.pos += 1,
                    }
                }
            }
            (Some(_), Some('\'')) => {
                self.pos += 3;
                self.last = Last::Value;
                Ok(())
            }
            (Some(c), _) if is_ident_start(c) => {
                // Lifetime or label.
                self.pos += 1;
                self.identifier();
                self.last = Last::Value;
                Ok(())
            }
            (Some(_), _) => {
                self.pos += 1;
                self.last = Last::Punctuation("'".into());
                Ok(())
            }
        }
    }

    fn identifier(&mut self) -> String {
        let start = self.pos;
        while self.peek(0).is_some_and(is_ident_continue) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// An identifier or keyword, or the prefix of a string-like literal.
    fn word(&mut self) -> Result<(), Stop> {
        let word = self.identifier();
        match (word.as_str(), self.peek(0)) {
            ("r" | "br" | "cr", Some('"' | '#')) => {
                let hashes = (0..).take_while(|&k| self.peek(k) == Some('#')).count();
                match self.peek(hashes) {
                    Some('"') => {
                        self.pos += hashes;
                        self.raw_string(hashes)
                    }
                    Some(c) if word == "r" && hashes == 1 && is_ident_start(c) => {
                        // Raw identifier `r#type`: never a keyword.
                        self.pos += 1;
                        self.identifier();
                        self.last = Last::Value;
                        Ok(())
                    }
                    _ => {
                        self.last = Last::Value;
                        Ok(())
                    }
                }
            }
            ("b" | "c", Some('"')) => {
                self.pos += 1;
                self.string()
            }
            ("b", Some('\'')) => self.quote(),
            _ => {
                self.last = if CONTINUATION_KEYWORDS.contains(&word.as_str()) {
                    Last::Keyword
                } else {
                    Last::Value
                };
                Ok(())
            }
        }
    }

    /// A numeric literal, including a fractional part (`1.5`, `1.`) but not a range (`1..`)
    /// or a method call (`1.max(2)`).
    fn number(&mut self) {
        while self.peek(0).is_some_and(is_ident_continue) {
            self.pos += 1;
        }
        if self.peek(0) == Some('.') && !self.peek(1).is_some_and(|c| c == '.' || is_ident_start(c))
        {
            self.pos += 1;
            while self.peek(0).is_some_and(is_ident_continue) {
                self.pos += 1;
            }
        }
        self.last = Last::Value;
    }

    fn punctuation(&mut self) {
        let rest = &self.chars[self.pos..];
        let op = PUNCTUATION
            .iter()
            .find(|op| rest.iter().copied().take(op.len()).eq(op.chars()))
            .map_or_else(|| rest[0].to_string(), |op| (*op).to_owned());
        self.pos += op.chars().count();
        // `use path::*` ends in a glob, not a multiplication.
        let glob = op == "*" && self.last == Last::Punctuation("::".into());
        self.last = if glob {
            Last::Value
        } else {
            Last::Punctuation(op)
        };
    }
}

fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::{Completeness, is_complete};

    fn incomplete(indent: &str) -> Completeness {
        Completeness::Incomplete {
            indent: indent.into(),
        }
    }

    #[test]
    fn finished_code_is_complete() {
        for code in [
            "",
            "   \n",
            "1 + 1",
            "let x = 1;",
            "fn main() { println!(\"hi\"); }",
            "x.iter().map(|v| v + 1).sum::<i32>()",
            "let v: Vec<Vec<i32>> = vec![]",
            "use std::collections::*",
            "let y = 1.",
            "let r = 0..",
            "1.max(2)",
            "#![allow(unused)]",
            ":dep serde = { version = \"1\", features = [\"derive\"] }",
            "fn f()",
        ] {
            assert_eq!(is_complete(code), Completeness::Complete, "{code:?}");
        }
    }

    #[test]
    fn brackets_inside_literals_and_comments_do_not_count() {
        for code in [
            "let s = \"{\";",
            "let s = \"\\\"{\";",
            "let c = '{';",
            "let c = '\\'';",
            "let c = '\\u{1F600}';",
            "let b = b'\\x7f';",
            "let b = b\"(\";",
            "let s = r\"(\";",
            "let s = r#\"a \"quoted\" ( b\"#;",
            "let s = br##\"x\"# still inside\"##;",
            "// only a comment {",
            "/* a /* nested { */ still a comment ( */ 1",
            "let é = \"naïve {\";",
        ] {
            assert_eq!(is_complete(code), Completeness::Complete, "{code:?}");
        }
    }

    #[test]
    fn lifetimes_and_labels_are_not_characters() {
        for code in [
            "fn f<'a>(x: &'a str) -> &'a str { x }",
            "'outer: loop { break 'outer; }",
            "let s: &'static str = \"x\";",
            "struct S<'a> { r: &'a u8 }",
            "let r#type = 1;",
        ] {
            assert_eq!(is_complete(code), Completeness::Complete, "{code:?}");
        }
    }

    #[test]
    fn open_brackets_are_incomplete_and_indented_by_depth() {
        assert_eq!(is_complete("fn main() {"), incomplete("    "));
        assert_eq!(is_complete("fn f() {\n    if x {"), incomplete("        "));
        assert_eq!(is_complete("foo(1,"), incomplete("    "));
        assert_eq!(is_complete("let v = vec![\n1,"), incomplete("    "));
        assert_eq!(is_complete("match x {\n    1 =>"), incomplete("    "));
    }

    #[test]
    fn unterminated_literals_are_incomplete_without_indent() {
        assert_eq!(is_complete("let s = \"abc"), incomplete(""));
        assert_eq!(is_complete("let s = \"abc\\\""), incomplete(""));
        assert_eq!(is_complete("let s = r#\"abc\" more"), incomplete(""));
        assert_eq!(is_complete("let c = '\\"), incomplete(""));
        assert_eq!(is_complete("let c = '"), incomplete(""));
    }

    #[test]
    fn unterminated_block_comments_are_incomplete() {
        assert_eq!(
            is_complete("/* outer /* inner */ still comment"),
            incomplete("")
        );
        assert_eq!(is_complete("fn f() {\n/* note"), incomplete("    "));
    }

    #[test]
    fn trailing_operators_and_keywords_are_incomplete() {
        for code in [
            "let x =",
            "let x = ",
            "a +",
            "a &&",
            "foo.",
            "std::",
            "let x:",
            "fn f() ->",
            "let y = x as",
            "let",
            "impl Foo for Bar where",
            "let f = |x|",
            "#[derive(Debug)]",
        ] {
            assert!(
                matches!(is_complete(code), Completeness::Incomplete { .. }),
                "{code:?}"
            );
        }
        assert_eq!(is_complete("let x ="), incomplete("    "));
        assert_eq!(is_complete("#[derive(Debug)]"), incomplete(""));
    }

    #[test]
    fn unmatched_closing_brackets_are_invalid() {
        for code in [")", "fn f() { }}", "(]", "let v = [1, 2);", "{ ( }"] {
            assert_eq!(is_complete(code), Completeness::Invalid, "{code:?}");
        }
    }
}
