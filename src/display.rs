//! Rich notebook output without a kernel dependency: every napkin value can
//! describe itself as a MIME bundle (`text/plain` always; `text/html`,
//! `text/markdown`, `image/svg+xml`, `image/png` where they help), and
//! prints it as evcxr's content blocks, which any evcxr-based Jupyter kernel
//! turns into `display_data` or `execute_result`.
//!
//! A cell that ends with a napkin value shows it richly through its
//! `evcxr_display` method (content blocks, which the kernel makes the cell's
//! `execute_result`); [`display`] shows more than one value from a cell.
//! A bundle's blocks are printed one after another; napkin-kernel groups
//! consecutive blocks of different MIME types into one output.

use std::io::Write;

use crate::convention::Per;
use crate::estimate::Estimate;
use crate::quantity::{
    Area, Bandwidth, Bytes, Density, Duration, Items, Length, Money, PerUser, Rate, Requests,
    Spend, UserRate, UserTime, Users,
};
use crate::table::{Table, escape_html};

/// One rich output: `(MIME type, content)` pairs, `text/plain` first.
pub type Bundle = Vec<(&'static str, String)>;

/// The bundle of a value shown as a table: `text` as plain text, the table as HTML and
/// Markdown.
pub(crate) fn table_bundle(text: String, table: &Table) -> Bundle {
    vec![
        ("text/plain", text),
        ("text/html", table.to_html()),
        ("text/markdown", table.to_markdown()),
    ]
}

/// A value that can show itself in a notebook.
pub trait Rich {
    /// The value's renderings, `text/plain` first.
    fn mime_bundle(&self) -> Bundle;
}

/// Shows `value` as rich output now (mid-cell), whatever else the cell prints.
///
/// In napkin-kernel each call is its own output, in order with the cell's
/// text, sent on the kernel's private channel (`napkin-channel`), never
/// through stdout. In other evcxr-based kernels it prints evcxr content
/// blocks, which those kernels show.
///
/// ```
/// use napkin::prelude::*;
/// display(&per_second(11_574.0));
/// ```
pub fn display<T: Rich + ?Sized>(value: &T) {
    let bundle = value.mime_bundle();
    let data = bundle
        .iter()
        .map(|(mime, content)| (mime.to_string(), content.clone()))
        .collect();
    if !napkin_channel::send(&napkin_channel::Message::Display { data }) {
        emit(&bundle);
    }
}

/// Prints a bundle as evcxr content blocks on stdout and flushes. Public for the code the
/// napkin kernel generates; a notebook calls [`display`].
#[doc(hidden)]
pub fn emit(bundle: &[(&'static str, String)]) {
    let mut out = std::io::stdout().lock();
    // A failed write to stdout (closed pipe) has nowhere to be reported.
    let _ = out.write_all(content_blocks(bundle).as_bytes());
    let _ = out.flush();
}

/// The text of a bundle as evcxr content blocks.
fn content_blocks(bundle: &[(&'static str, String)]) -> String {
    let mut text = String::new();
    for (mime, body) in bundle {
        text.push_str("EVCXR_BEGIN_CONTENT ");
        text.push_str(mime);
        text.push('\n');
        text.push_str(body.trim_end_matches('\n'));
        text.push_str("\nEVCXR_END_CONTENT\n");
    }
    text
}

/// Quantities show as their formatted text, with the exact value on hover.
macro_rules! rich_quantity {
    ($($t:ty => $exact:expr),* $(,)?) => {$(
        impl Rich for $t {
            fn mime_bundle(&self) -> Bundle {
                let text = self.to_string();
                let exact: String = ($exact)(self);
                vec![
                    ("text/plain", text.clone()),
                    (
                        "text/html",
                        format!(
                            "<span title=\"{}\">{}</span>",
                            escape_html(&exact),
                            escape_html(&text)
                        ),
                    ),
                ]
            }
        }
        impl $t {
            /// Shows the value in an evcxr-based Jupyter kernel (called for
            /// a cell's final value).
            pub fn evcxr_display(&self) {
                crate::display::emit(&crate::display::Rich::mime_bundle(self));
            }
        }
    )*};
}

rich_quantity! {
    Users => |v: &Users| format!("{} users", v.count()),
    Items => |v: &Items| format!("{} {}", v.count(), v.name()),
    UserTime => |v: &UserTime| format!("{} user-seconds", v.user_seconds()),
    Length => |v: &Length| format!("{} metres", v.meters()),
    Area => |v: &Area| format!("{} square metres", v.square_meters()),
    Density => |v: &Density| format!("{} {} per square kilometre", v.per_km2(), v.name()),
    PerUser => |v: &PerUser| format!("{} per user", v.count()),
    Requests => |v: &Requests| format!("{} requests", v.count()),
    Rate => |v: &Rate| format!("{} requests per second", v.per_second()),
    UserRate => |v: &UserRate| format!(
        "{} requests per user per {}",
        v.value_in(v.time_base()),
        v.time_base().label()
    ),
    Bytes => |v: &Bytes| format!("{} bytes", v.bytes()),
    Bandwidth => |v: &Bandwidth| format!("{} bytes per second", v.bytes_per_second()),
    Duration => |v: &Duration| format!("{} seconds", v.seconds()),
    Money => |v: &Money| format!("{} US dollars", v.dollars()),
    Spend => |v: &Spend| format!("{} US dollars per second", v.value_in(Per::Second)),
}

impl Rich for Table {
    fn mime_bundle(&self) -> Bundle {
        vec![
            ("text/plain", self.to_text()),
            ("text/html", self.to_html()),
            ("text/markdown", self.to_markdown()),
        ]
    }
}

impl Estimate {
    /// The estimate as a table: figure, value, work.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["figure", "value", "work"])
            .title("Estimate")
            .note(format!(
                "Conventions — {}. Nothing is rounded before the last step.{}",
                self.workload.conventions.describe(),
                if self.is_ranged() {
                    format!(" {}", crate::estimate::RANGE_NOTE)
                } else {
                    String::new()
                }
            ));
        for step in self.shown_steps() {
            let value = step
                .work
                .rsplit_once(" = ")
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            t.push_row(vec![step.name.replace('_', " "), value, step.work.clone()]);
        }
        t.align(1, crate::table::Align::Right)
    }

    /// Shows the estimate as a card (HTML table with the work) in an
    /// evcxr-based Jupyter kernel.
    pub fn evcxr_display(&self) {
        crate::display::emit(&crate::display::Rich::mime_bundle(self));
    }
}

impl Rich for Estimate {
    fn mime_bundle(&self) -> Bundle {
        table_bundle(self.to_string(), &self.table())
    }
}

impl Rich for crate::estimate::Server {
    fn mime_bundle(&self) -> Bundle {
        vec![("text/plain", self.to_string())]
    }
}

impl crate::estimate::Server {
    /// Shows the server's capacities in an evcxr-based Jupyter kernel.
    pub fn evcxr_display(&self) {
        emit(&self.mime_bundle());
    }
}

impl crate::estimate::Sizing {
    /// Shows the sizing in an evcxr-based Jupyter kernel.
    pub fn evcxr_display(&self) {
        crate::display::emit(&crate::display::Rich::mime_bundle(self));
    }
}

impl Rich for crate::estimate::Sizing {
    fn mime_bundle(&self) -> Bundle {
        let mut t = Table::new(["need", "servers", "work"]).title(format!(
            "{} — {} binds",
            crate::format::counted(self.servers as f64, "server", "servers"),
            self.binding
        ));
        for (step, n) in self.steps.iter().zip(
            [Some(self.by_throughput), self.by_memory, self.by_storage]
                .into_iter()
                .flatten(),
        ) {
            t.push_row(vec![
                step.name.replace('_', " "),
                crate::format::grouped(n as f64),
                step.work.clone(),
            ]);
        }
        table_bundle(self.to_string(), &t.align(1, crate::table::Align::Right))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn quantities_have_plain_and_html() {
        let b = per_second(11_574.07).mime_bundle();
        assert_eq!(b[0], ("text/plain", "11.6K req/s".to_string()));
        assert_eq!(b[1].0, "text/html");
        assert!(b[1].1.contains("title=\"11574.07 requests per second\""));
    }

    #[test]
    fn content_blocks_frame_each_mime_type() {
        let text = content_blocks(&[
            ("text/plain", "a\n".into()),
            ("text/html", "<b>a</b>".into()),
        ]);
        assert_eq!(
            text,
            "EVCXR_BEGIN_CONTENT text/plain\na\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/html\n<b>a</b>\nEVCXR_END_CONTENT\n"
        );
    }

    #[test]
    fn estimate_card_has_every_defined_step() {
        let e = Workload::new(users(100e6), per_user_per_day(10.0))
            .bytes_per_write(kb(1.0))
            .estimate()
            .unwrap();
        let bundle = e.mime_bundle();
        let mimes: Vec<_> = bundle.iter().map(|(m, _)| *m).collect();
        assert_eq!(mimes, ["text/plain", "text/html", "text/markdown"]);
        assert!(bundle[1].1.contains("11.6K req/s"));
        assert_eq!(e.table().row_count(), e.shown_steps().count());
        // Without reads: no reads, requests, egress or cache by reads, and no zeros.
        assert_eq!(e.table().row_count(), 10);
        assert!(!bundle[0].1.contains("0 req/s"), "{}", bundle[0].1);
    }
}
