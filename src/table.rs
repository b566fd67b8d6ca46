//! Tables that render well everywhere: plain text for terminals and
//! `Display`, GitHub-flavoured Markdown for docs, and self-contained HTML for
//! Jupyter notebooks and MkDocs.
//!
//! This module owns the [`Table`] type and its renderers. Cells are plain
//! strings: format numbers first (see [`crate::format`]), then put them in a
//! table. The HTML renderer uses no `<style>` blocks and no CSS classes, only
//! inline `style="text-align:…"` attributes, and its output is well-formed
//! XML, so it survives sanitisers and can be checked with an XML parser.
//! [`Table::evcxr_display`] prints the three renderings as evcxr rich-output
//! blocks without this crate depending on evcxr.

use std::fmt;

/// Horizontal alignment of a column.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Align {
    /// Left-aligned: the default, for text.
    #[default]
    Left,
    /// Right-aligned: for numbers, so that magnitudes line up.
    Right,
    /// Centred.
    Center,
}

impl Align {
    /// The CSS `text-align` value: `left`, `right` or `center`.
    pub fn css(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Right => "right",
            Align::Center => "center",
        }
    }
}

/// A column: its header text and its alignment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Column {
    /// Header text.
    pub header: String,
    /// Alignment of the header and of every cell in the column.
    pub align: Align,
}

impl Column {
    /// A column with the given header and alignment.
    pub fn new(header: impl Into<String>, align: Align) -> Self {
        Column {
            header: header.into(),
            align,
        }
    }

    /// A left-aligned (text) column.
    pub fn left(header: impl Into<String>) -> Self {
        Column::new(header, Align::Left)
    }

    /// A right-aligned (numeric) column.
    pub fn right(header: impl Into<String>) -> Self {
        Column::new(header, Align::Right)
    }
}

/// Why a row could not be added to a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The row has a different number of cells than the table has columns.
    #[error("row has {cells} cells but the table has {columns} columns")]
    RowLength {
        /// Number of cells in the rejected row.
        cells: usize,
        /// Number of columns in the table.
        columns: usize,
    },
}

/// A table of string cells with an optional title and note, rendered as
/// plain text ([`Table::to_text`], also `Display`), Markdown
/// ([`Table::to_markdown`]) or HTML ([`Table::to_html`]).
///
/// ```
/// use napkin::table::{Align, Table};
///
/// let mut table = Table::new(["Operation", "Latency"])
///     .title("Latency")
///     .note("Source: Jeff Dean (~2012).")
///     .align(1, Align::Right);
/// table.push_row(vec!["L1 cache reference".into(), "0.5 ns".into()]);
///
/// assert_eq!(table.row_count(), 1);
/// assert!(table.to_text().contains("L1 cache reference   0.5 ns"));
/// assert!(table.to_markdown().contains("| ------: |"));
/// assert!(table.to_html().contains(r#"<td style="text-align:right">0.5 ns</td>"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Table {
    title: Option<String>,
    note: Option<String>,
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with left-aligned columns named by `headers`, and no rows.
    pub fn new<I, S>(headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table::with_columns(headers.into_iter().map(Column::left).collect())
    }

    /// A table with the given columns (header and alignment each), and no rows.
    pub fn with_columns(columns: Vec<Column>) -> Self {
        Table {
            title: None,
            note: None,
            columns,
            rows: Vec::new(),
        }
    }

    /// Sets the title, shown above the table (`<caption>` in HTML).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the note (source, caveats), shown below the table (`<tfoot>` in HTML).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Sets the alignment of column `col` (0-based).
    ///
    /// # Panics
    ///
    /// If `col` is not a column of the table.
    pub fn align(mut self, col: usize, align: Align) -> Self {
        let columns = self.columns.len();
        match self.columns.get_mut(col) {
            Some(column) => column.align = align,
            None => panic!("column {col} out of range: the table has {columns} columns"),
        }
        self
    }

    /// Right-aligns every column whose non-empty cells all look like numbers
    /// (they start with a digit, or with a sign, `$`, `≈` or `~` followed by a
    /// digit: `11.6K`, `1.00 TB`, `-3 %`, `$0.023`, `8h 45m 36s`); other
    /// columns keep their alignment. Columns without any non-empty cell are
    /// left alone.
    pub fn auto_align(mut self) -> Self {
        for (index, column) in self.columns.iter_mut().enumerate() {
            let mut cells = self
                .rows
                .iter()
                .map(|row| row[index].trim())
                .filter(|cell| !cell.is_empty())
                .peekable();
            if cells.peek().is_some() && cells.all(looks_numeric) {
                column.align = Align::Right;
            }
        }
        self
    }

    /// Adds a row and returns the table (builder style).
    ///
    /// # Panics
    ///
    /// If the row's length differs from the number of columns.
    pub fn row(mut self, cells: Vec<String>) -> Self {
        self.push_row(cells);
        self
    }

    /// Adds a row.
    ///
    /// # Panics
    ///
    /// If the row's length differs from the number of columns; use
    /// [`Table::try_push_row`] to get an error instead.
    pub fn push_row(&mut self, cells: Vec<String>) -> &mut Self {
        if let Err(error) = self.try_push_row(cells) {
            panic!("{error}");
        }
        self
    }

    /// Adds a row, or reports a length mismatch without changing the table.
    pub fn try_push_row(&mut self, cells: Vec<String>) -> Result<&mut Self, TableError> {
        if cells.len() != self.columns.len() {
            return Err(TableError::RowLength {
                cells: cells.len(),
                columns: self.columns.len(),
            });
        }
        self.rows.push(cells);
        Ok(self)
    }

    /// The title, if any.
    pub fn title_text(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The note, if any.
    pub fn note_text(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The rows, in order; each has one cell per column.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    /// Number of rows (the header is not counted).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Plain text: optional title, a blank line, the header, a rule of `-`
    /// under each column, the rows, and the optional note after a blank line.
    ///
    /// Columns are padded by character count (`µs` is two characters wide)
    /// and separated by two spaces; there are no box-drawing characters and
    /// no trailing spaces. Line breaks inside cells become spaces.
    pub fn to_text(&self) -> String {
        let header: Vec<String> = self.columns.iter().map(|c| one_line(&c.header)).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| one_line(cell)).collect())
            .collect();
        let widths = self.widths(&header, &rows, 1);

        let mut out = String::new();
        if let Some(title) = &self.title {
            out.push_str(&one_line(title));
            out.push_str("\n\n");
        }
        if !self.columns.is_empty() {
            out.push_str(&self.text_line(&header, &widths));
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&self.text_line(&rule, &widths));
            for row in &rows {
                out.push_str(&self.text_line(row, &widths));
            }
        }
        if let Some(note) = &self.note {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(note.trim_end());
            out.push('\n');
        }
        out
    }

    /// A GitHub-flavoured Markdown table, with the title in bold above it and
    /// the note as a paragraph below it.
    ///
    /// Alignment rows use `---` (left), `---:` (right) and `:---:` (centre).
    /// `|` and `\` in cells are escaped, and line breaks inside cells become
    /// `<br>`. Cells are padded so the source is readable too.
    pub fn to_markdown(&self) -> String {
        let header: Vec<String> = self.columns.iter().map(|c| md_cell(&c.header)).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| md_cell(cell)).collect())
            .collect();
        let widths = self.widths(&header, &rows, 3);

        let mut out = String::new();
        if let Some(title) = &self.title {
            out.push_str("**");
            out.push_str(&md_inline(title));
            out.push_str("**\n\n");
        }
        if !self.columns.is_empty() {
            out.push_str(&self.md_line(&header, &widths));
            let rule: Vec<String> = self
                .columns
                .iter()
                .zip(&widths)
                .map(|(column, width)| match column.align {
                    Align::Left => "-".repeat(*width),
                    Align::Right => format!("{}:", "-".repeat(width - 1)),
                    Align::Center => format!(":{}:", "-".repeat(width - 2)),
                })
                .collect();
            out.push_str(&md_row(&rule));
            for row in &rows {
                out.push_str(&self.md_line(row, &widths));
            }
        }
        if let Some(note) = &self.note {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&md_inline(note));
            out.push('\n');
        }
        out
    }

    /// An HTML `<table>` for notebooks and static sites.
    ///
    /// The title is the `<caption>`, the header is in `<thead>`, rows are in
    /// `<tbody>`, and the note is one cell spanning all columns in `<tfoot>`.
    /// Every `<th>` and `<td>` carries an inline `style="text-align:…"`
    /// (Jupyter's stylesheet right-aligns everything otherwise); there are no
    /// classes or `<style>` blocks. `&`, `<`, `>`, `"` and `'` are escaped,
    /// and the markup is well-formed XML with a single `<table>` root.
    pub fn to_html(&self) -> String {
        let mut out = String::from("<table>\n");
        if let Some(title) = &self.title {
            out.push_str(&format!("<caption>{}</caption>\n", escape_html(title)));
        }
        if !self.columns.is_empty() {
            out.push_str("<thead>\n<tr>");
            for column in &self.columns {
                out.push_str(&html_cell("th", column.align, &column.header));
            }
            out.push_str("</tr>\n</thead>\n");
        }
        out.push_str("<tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            for (column, cell) in self.columns.iter().zip(row) {
                out.push_str(&html_cell("td", column.align, cell));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n");
        if let Some(note) = &self.note {
            out.push_str(&format!(
                "<tfoot>\n<tr><td colspan=\"{}\" style=\"text-align:left\">{}</td></tr>\n</tfoot>\n",
                self.columns.len().max(1),
                escape_html(note)
            ));
        }
        out.push_str("</table>");
        out
    }

    /// The text evcxr reads from a cell's stdout as rich output: one
    /// `EVCXR_BEGIN_CONTENT <mime>` … `EVCXR_END_CONTENT` block each for
    /// `text/plain`, `text/markdown` and `text/html`.
    ///
    /// The front end shows the richest type it supports.
    pub fn evcxr_content(&self) -> String {
        let mut out = String::new();
        for (mime, body) in [
            ("text/plain", self.to_text()),
            ("text/markdown", self.to_markdown()),
            ("text/html", self.to_html()),
        ] {
            out.push_str("EVCXR_BEGIN_CONTENT ");
            out.push_str(mime);
            out.push('\n');
            out.push_str(body.trim_end_matches('\n'));
            out.push_str("\nEVCXR_END_CONTENT\n");
        }
        out
    }

    /// Prints [`Table::evcxr_content`] to stdout, which an evcxr-based
    /// Jupyter kernel turns into rich output (an HTML table in notebooks).
    ///
    /// Outside such a kernel this just prints the three renderings.
    pub fn evcxr_display(&self) {
        print!("{}", self.evcxr_content());
    }

    /// Width in characters of each column over `header` and `rows`, at least `min`.
    fn widths(&self, header: &[String], rows: &[Vec<String>], min: usize) -> Vec<usize> {
        (0..self.columns.len())
            .map(|i| {
                rows.iter()
                    .map(|row| width(&row[i]))
                    .chain(std::iter::once(width(&header[i])))
                    .fold(min, usize::max)
            })
            .collect()
    }

    /// One line of the text table, padded per column, without trailing spaces.
    fn text_line(&self, cells: &[String], widths: &[usize]) -> String {
        let padded: Vec<String> = self
            .columns
            .iter()
            .zip(cells.iter().zip(widths))
            .map(|(column, (cell, w))| pad(cell, *w, column.align))
            .collect();
        let mut line = padded.join("  ").trim_end().to_string();
        line.push('\n');
        line
    }

    /// One padded line of the Markdown table.
    fn md_line(&self, cells: &[String], widths: &[usize]) -> String {
        let padded: Vec<String> = self
            .columns
            .iter()
            .zip(cells.iter().zip(widths))
            .map(|(column, (cell, w))| pad(cell, *w, column.align))
            .collect();
        md_row(&padded)
    }
}

impl fmt::Display for Table {
    /// Same as [`Table::to_text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Display width of a cell, counted in characters.
fn width(s: &str) -> usize {
    s.chars().count()
}

/// Pads `s` with spaces to `width` characters according to `align`.
fn pad(s: &str, width: usize, align: Align) -> String {
    let gap = width.saturating_sub(self::width(s));
    match align {
        Align::Left => format!("{s}{}", " ".repeat(gap)),
        Align::Right => format!("{}{s}", " ".repeat(gap)),
        Align::Center => {
            let left = gap / 2;
            format!("{}{s}{}", " ".repeat(left), " ".repeat(gap - left))
        }
    }
}

/// Joins line breaks (`\r\n`, `\n`, `\r`) into single spaces.
fn one_line(s: &str) -> String {
    s.lines().collect::<Vec<_>>().join(" ")
}

fn md_row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// Escapes a Markdown table cell: `\` and `|`, line breaks as `<br>`.
fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .lines()
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Title and note text outside the table: kept on one line, `*` escaped so
/// it cannot end the bold title early.
fn md_inline(s: &str) -> String {
    one_line(s.trim()).replace('*', "\\*")
}

fn html_cell(tag: &str, align: Align, text: &str) -> String {
    format!(
        "<{tag} style=\"text-align:{}\">{}</{tag}>",
        align.css(),
        escape_html(text)
    )
}

/// Whether a cell looks like a formatted number (see [`Table::auto_align`]).
fn looks_numeric(cell: &str) -> bool {
    let rest = cell.trim_start_matches(['-', '+', '−', '$', '≈', '~', ' ']);
    rest.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Escapes text for HTML/XML element content and attribute values.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn cells(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    fn sample() -> Table {
        let mut table = Table::new(["Operation", "Latency"])
            .title("Latency numbers")
            .note("Source: Jeff Dean (~2012).")
            .align(1, Align::Right);
        table.push_row(cells(&["L1 cache reference", "0.5 ns"]));
        table.push_row(cells(&["Compress 1 KB", "3.00 µs"]));
        table
    }

    #[test]
    fn text_pads_by_characters_and_rules_the_header() {
        let text = sample().to_text();
        let expected = "\
Latency numbers

Operation           Latency
------------------  -------
L1 cache reference   0.5 ns
Compress 1 KB       3.00 µs

Source: Jeff Dean (~2012).
";
        assert_eq!(text, expected);
        assert_eq!(sample().to_string(), expected);
        // µ is one character: both value cells end in the same column.
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[4].chars().count(), lines[5].chars().count());
        assert!(text.lines().all(|line| line == line.trim_end()));
    }

    #[test]
    fn text_without_title_or_note() {
        let table = Table::new(["a", "b"]).row(cells(&["x", "yy"]));
        assert_eq!(table.to_text(), "a  b\n-  --\nx  yy\n");
    }

    #[test]
    fn centred_text() {
        let table = Table::with_columns(vec![Column::new("abcde", Align::Center)])
            .row(cells(&["x"]))
            .row(cells(&["xy"]));
        assert_eq!(table.to_text(), "abcde\n-----\n  x\n xy\n");
    }

    #[test]
    fn markdown_alignment_and_escaping() {
        let mut table = Table::with_columns(vec![
            Column::left("Name"),
            Column::right("Value"),
            Column::new("Mid", Align::Center),
        ])
        .title("A *bold* title")
        .note("Note with | pipe.");
        table.push_row(cells(&["a|b", "1.00 µs", "c\\d"]));
        table.push_row(cells(&["two\nlines", "2", ""]));
        let md = table.to_markdown();
        let expected = "\
**A \\*bold\\* title**

| Name         |   Value | Mid  |
| ------------ | ------: | :--: |
| a\\|b         | 1.00 µs | c\\\\d |
| two<br>lines |       2 |      |

Note with | pipe.
";
        assert_eq!(md, expected);
    }

    #[test]
    fn markdown_narrow_columns_get_three_dashes() {
        let table = Table::with_columns(vec![Column::right("n")]).row(cells(&["1"]));
        assert_eq!(table.to_markdown(), "|   n |\n| --: |\n|   1 |\n");
    }

    #[test]
    fn html_structure_alignment_and_escaping() {
        let mut table = Table::with_columns(vec![Column::left("Name"), Column::right("Value")])
            .title("Tom & Jerry's <table>")
            .note("Source: \"quoted\" & <b>not bold</b>");
        table.push_row(cells(&["a < b", "1.00 µs"]));
        let html = table.to_html();
        let expected = "<table>\n\
<caption>Tom &amp; Jerry&#39;s &lt;table&gt;</caption>\n\
<thead>\n\
<tr><th style=\"text-align:left\">Name</th><th style=\"text-align:right\">Value</th></tr>\n\
</thead>\n\
<tbody>\n\
<tr><td style=\"text-align:left\">a &lt; b</td><td style=\"text-align:right\">1.00 µs</td></tr>\n\
</tbody>\n\
<tfoot>\n\
<tr><td colspan=\"2\" style=\"text-align:left\">Source: &quot;quoted&quot; &amp; &lt;b&gt;not bold&lt;/b&gt;</td></tr>\n\
</tfoot>\n\
</table>";
        assert_eq!(html, expected);
        assert!(!html.contains("<style") && !html.contains("class="));
        assert_well_formed(&html);
    }

    #[test]
    fn html_without_title_note_or_rows() {
        let html = Table::new(["a"]).to_html();
        assert_eq!(
            html,
            "<table>\n<thead>\n<tr><th style=\"text-align:left\">a</th></tr>\n</thead>\n<tbody>\n</tbody>\n</table>"
        );
        assert_well_formed(&html);
        assert_well_formed(&sample().to_html());
    }

    #[test]
    fn evcxr_blocks() {
        let content = sample().evcxr_content();
        for mime in ["text/plain", "text/markdown", "text/html"] {
            assert!(content.contains(&format!("EVCXR_BEGIN_CONTENT {mime}\n")));
        }
        assert_eq!(content.matches("\nEVCXR_END_CONTENT\n").count(), 3);
        assert!(content.contains("\n</table>\nEVCXR_END_CONTENT\n"));
        assert!(content.ends_with("EVCXR_END_CONTENT\n"));
    }

    #[test]
    fn row_length_is_checked() {
        let mut table = Table::new(["a", "b"]);
        assert_eq!(
            table.try_push_row(cells(&["only one"])).unwrap_err(),
            TableError::RowLength {
                cells: 1,
                columns: 2
            }
        );
        assert_eq!(table.row_count(), 0);
        assert!(table.try_push_row(cells(&["1", "2"])).is_ok());
        assert_eq!(table.row_count(), 1);
        assert_eq!(table.column_count(), 2);
    }

    #[test]
    #[should_panic(expected = "row has 3 cells but the table has 2 columns")]
    fn push_row_panics_on_mismatch() {
        Table::new(["a", "b"]).push_row(cells(&["1", "2", "3"]));
    }

    #[test]
    #[should_panic(expected = "column 5 out of range")]
    fn align_panics_out_of_range() {
        let _ = Table::new(["a"]).align(5, Align::Right);
    }

    #[test]
    fn auto_align_right_aligns_numbers() {
        let table = Table::new(["Name", "Size", "Price", "Empty"])
            .row(cells(&["x", "1.00 TB", "$0.023", ""]))
            .row(cells(&["8 cores", "≈ 4 billion", "-3 %", ""]))
            .auto_align();
        let aligns: Vec<Align> = table.columns().iter().map(|c| c.align).collect();
        assert_eq!(
            aligns,
            [Align::Left, Align::Right, Align::Right, Align::Left]
        );
    }

    #[test]
    fn accessors() {
        let table = sample();
        assert_eq!(table.title_text(), Some("Latency numbers"));
        assert_eq!(table.note_text(), Some("Source: Jeff Dean (~2012)."));
        assert_eq!(table.columns()[1], Column::right("Latency"));
        assert_eq!(table.rows()[0][1], "0.5 ns");
    }

    /// Minimal XML well-formedness check (the crate has no XML parser
    /// dependency): tags nest and close in order, attributes are quoted,
    /// entities are known, and there is exactly one root element.
    pub(crate) fn assert_well_formed(xml: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        let mut rest = xml;
        while let Some(start) = rest.find(['<', '&']) {
            let text = &rest[..start];
            assert!(
                !stack.is_empty() || text.trim().is_empty(),
                "text outside the root: {text:?}"
            );
            rest = &rest[start..];
            if rest.starts_with('&') {
                let end = rest.find(';').expect("unterminated entity");
                let entity = &rest[1..end];
                assert!(
                    ["amp", "lt", "gt", "quot", "apos", "#39"].contains(&entity),
                    "unknown entity &{entity};"
                );
                rest = &rest[end + 1..];
                continue;
            }
            let end = rest.find('>').expect("unterminated tag");
            let tag = &rest[1..end];
            assert!(!tag.contains('<'), "'<' inside tag {tag:?}");
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            } else {
                let self_closing = tag.ends_with('/');
                let tag = tag.trim_end_matches('/');
                let name = tag.split_whitespace().next().expect("empty tag");
                let attrs = tag[name.len()..].trim();
                assert_eq!(
                    attrs.matches('"').count() % 2,
                    0,
                    "unbalanced quotes in {tag:?}"
                );
                for attr in attrs.split('"').step_by(2).filter(|a| !a.trim().is_empty()) {
                    assert!(attr.trim().ends_with('='), "unquoted attribute in {tag:?}");
                }
                if stack.is_empty() {
                    roots += 1;
                }
                if !self_closing {
                    stack.push(name.to_string());
                }
            }
        }
        assert!(rest.trim().is_empty(), "text after the root: {rest:?}");
        assert!(stack.is_empty(), "unclosed tags: {stack:?}");
        assert_eq!(roots, 1, "expected exactly one root element");
    }
}
