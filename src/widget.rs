//! Live "what if" in napkin-kernel: sliders bound to a workload's parameters, or to a closure
//! of the learner's, recomputed in the process that runs the cells. Nothing is compiled when a
//! slider moves: the cell that shows the sliders compiles the callback once; the kernel sends
//! each slider value to it over a local socket and shows what it returns.
//!
//! ```no_run
//! use napkin::prelude::*;
//! let day1 = Workload::new(users(100e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));
//! explore(&day1)
//!     .vary(Param::Users, 1e3..=1e9)
//!     .vary(Param::ReadsPerWrite, 1.0..=100.0)
//!     .servers(Server::new(qps(5_000.0), gb(64.0), tb(4.0)))
//! # ;
//! ```
//!
//! How it travels: showing an [`Explorer`] (or a [`WhatIf`]) starts, once per process, a
//! listener on `127.0.0.1` that only answers requests carrying its random token, registers the
//! view's callback, and prints one [`WIDGET_MARKER`] line with the sliders, the first
//! rendering and the listener's address. napkin-kernel turns that line into Jupyter widgets
//! (`@jupyter-widgets/controls` sliders and HTML) and, on each slider move, sends
//! `{"token", "view", "values"}` and shows the answer: the estimate first, then the chart.
//! Outside napkin-kernel the view shows its first rendering as HTML.

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::ops::RangeInclusive;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::{Value, json};

use crate::chart::Chart;
use crate::display::{Bundle, KERNEL_ENV, Rich};
use crate::estimate::{Server, Workload};
use crate::format;
use crate::journey::Stage;
use crate::quantity::Users;
use crate::sweep::Param;
use crate::table::escape_html;

/// Starts a line that describes a live view as JSON, which napkin-kernel turns into widgets.
#[doc(hidden)]
pub const WIDGET_MARKER: &str = "\u{1}NAPKIN_WIDGET ";

/// What a static copy of the notebook shows under a live view.
pub const SNAPSHOT_NOTE: &str =
    "A snapshot of a live view: run the notebook in napkin-kernel to move the sliders.";

/// How a slider's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// A count: `11.6K`.
    Count,
    /// Bytes: `1.00 KB`.
    Bytes,
    /// A plain factor: `3`, `2.5`.
    Factor,
    /// A share: `20.0 %`.
    Percent,
    /// Years: `5 years`.
    Years,
    /// Copies: `1 copy`, `3 copies`.
    Copies,
}

impl Reading {
    fn show(self, v: f64) -> String {
        match self {
            Reading::Count => format::count(v),
            Reading::Bytes => format::bytes(v),
            Reading::Factor => format!("×{}", format::factor(v)),
            Reading::Percent => format::percent(v),
            Reading::Years => format!("{} years", format::factor(v)),
            Reading::Copies => format::counted(v, "copy", "copies"),
        }
    }
}

/// One slider of a live view.
#[derive(Debug, Clone, PartialEq)]
pub struct Slider {
    /// Its label.
    pub name: String,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// The starting value.
    pub value: f64,
    /// Whether it moves in powers of ten (counts over decades) rather than in steps.
    pub log: bool,
    /// How its value reads.
    pub reading: Reading,
    /// Whether it takes whole numbers only (copies, shards).
    pub whole: bool,
    /// For a choice (a dropdown): its options, as labels and the values they stand for.
    pub options: Vec<(String, f64)>,
}

/// A slider named `name` over `range`, starting in the middle (the geometric middle for
/// ranges of more than two decades, which then move in powers of ten).
pub fn slider(name: &str, range: RangeInclusive<f64>) -> Slider {
    let (min, max) = (*range.start(), *range.end());
    let log = min > 0.0 && max / min >= 100.0;
    let value = if log {
        (min * max).sqrt()
    } else {
        (min + max) / 2.0
    };
    Slider {
        name: name.to_string(),
        min,
        max,
        value,
        log,
        reading: Reading::Factor,
        whole: false,
        options: Vec::new(),
    }
}

/// A choice among labelled values, shown as a dropdown, starting at the first:
/// `choice("replication", [("one copy", 1.0), ("three copies", 3.0)])`.
pub fn choice<S: Into<String>>(name: &str, options: impl IntoIterator<Item = (S, f64)>) -> Slider {
    let options: Vec<(String, f64)> = options.into_iter().map(|(l, v)| (l.into(), v)).collect();
    let values = options.iter().map(|(_, v)| *v);
    let min = values.clone().fold(f64::INFINITY, f64::min);
    let max = values.fold(f64::NEG_INFINITY, f64::max);
    Slider {
        name: name.to_string(),
        min,
        max,
        value: options.first().map_or(0.0, |(_, v)| *v),
        log: false,
        reading: Reading::Factor,
        whole: false,
        options,
    }
}

impl Slider {
    /// The same slider starting at `value`.
    pub fn value(mut self, value: f64) -> Slider {
        self.value = value;
        self
    }

    /// The same slider reading its value as `reading`.
    pub fn reading(mut self, reading: Reading) -> Slider {
        self.reading = reading;
        self
    }

    /// The same slider over whole numbers only, in steps of one.
    pub fn whole(mut self) -> Slider {
        self.whole = true;
        self.log = false;
        self
    }

    fn check(&self) -> Result<(), String> {
        if !self.options.is_empty() {
            return if self.options.iter().all(|(_, v)| v.is_finite()) {
                Ok(())
            } else {
                Err(format!(
                    "choice {:?}: every option needs a finite value",
                    self.name
                ))
            };
        }
        let ok = self.min.is_finite()
            && self.max.is_finite()
            && self.min < self.max
            && (!self.log || self.min > 0.0);
        if ok {
            Ok(())
        } else {
            Err(format!(
                "slider {:?}: expected finite min < max{} (got {}..={})",
                self.name,
                if self.log {
                    ", both > 0 on a log scale"
                } else {
                    ""
                },
                self.min,
                self.max
            ))
        }
    }

    fn clamp(&self, v: f64) -> f64 {
        if v.is_nan() {
            self.value
        } else if !self.options.is_empty() {
            // The nearest option.
            self.options
                .iter()
                .map(|(_, o)| *o)
                .min_by(|a, b| (a - v).abs().total_cmp(&(b - v).abs()))
                .unwrap_or(self.value)
        } else if self.whole {
            v.clamp(self.min, self.max).round()
        } else {
            v.clamp(self.min, self.max)
        }
    }

    fn show(&self, v: f64) -> String {
        match self.options.iter().find(|(_, o)| *o == v) {
            Some((label, _)) => label.clone(),
            None => self.reading.show(v),
        }
    }

    fn spec(&self) -> Value {
        json!({
            "name": self.name,
            "min": self.min,
            "max": self.max,
            "value": self.clamp(self.value),
            "log": self.log,
            "whole": self.whole,
            "options": self.options.iter().map(|(l, v)| json!([l, v])).collect::<Vec<_>>(),
            "label": self.show(self.clamp(self.value)),
        })
    }
}

/// What a view shows for one set of slider values: the main part (an estimate, or the
/// learner's value) and, computed after it, a chart.
type Render = dyn Fn(&[f64], Part) -> Result<String, String> + Send + Sync;

/// The part of a view to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The estimate or value, as HTML.
    Main,
    /// The chart, as SVG (empty for none).
    Chart,
}

/// A view's sliders and its callback, ready to show.
struct View {
    sliders: Vec<Slider>,
    render: Arc<Render>,
}

impl View {
    fn values(&self, given: &[f64]) -> Vec<f64> {
        self.sliders
            .iter()
            .enumerate()
            .map(|(i, s)| s.clamp(given.get(i).copied().unwrap_or(s.value)))
            .collect()
    }

    fn run(&self, values: &[f64], part: Part) -> Result<String, String> {
        let render = Arc::clone(&self.render);
        catch_unwind(AssertUnwindSafe(|| render(values, part))).unwrap_or_else(|payload| {
            Err(payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "the callback panicked".into()))
        })
    }

    /// Shows the view: a marker line for napkin-kernel, HTML elsewhere.
    fn show(self) {
        if let Err(problem) = self.sliders.iter().try_for_each(Slider::check) {
            crate::display::emit(&[
                ("text/plain", problem.clone()),
                ("text/html", error_html(&problem)),
            ]);
            return;
        }
        let First {
            main,
            chart,
            snapshot,
        } = self.first();
        let served = std::env::var_os(KERNEL_ENV)
            .is_some()
            .then(server)
            .flatten();
        match served {
            Some(server) => {
                let specs: Vec<Value> = self.sliders.iter().map(Slider::spec).collect();
                let id = server.register(self);
                let marker = json!({
                    "addr": server.addr,
                    "token": server.token,
                    "view": id,
                    "sliders": specs,
                    "html": main,
                    "chart": chart,
                    "snapshot": snapshot,
                });
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{WIDGET_MARKER}{marker}");
                let _ = out.flush();
            }
            None => crate::display::emit(&First::bundle(main, snapshot)),
        }
    }

    /// The rendering at the sliders' starting values.
    fn first(&self) -> First {
        let values = self.values(&[]);
        let main = self.run(&values, Part::Main);
        let chart = self.run(&values, Part::Chart).unwrap_or_default();
        First {
            snapshot: snapshot_html(&self.sliders, &values, &main, &chart),
            main: main_html(&main),
            chart,
        }
    }
}

/// A view's first rendering: the main part and the chart, and the static snapshot of both.
struct First {
    main: String,
    chart: String,
    snapshot: String,
}

impl First {
    /// What a kernel without widgets shows: the snapshot, and its text.
    fn bundle(main: String, snapshot: String) -> Bundle {
        vec![("text/plain", strip_tags(&main)), ("text/html", snapshot)]
    }
}

fn main_html(main: &Result<String, String>) -> String {
    match main {
        Ok(html) => html.clone(),
        Err(message) => error_html(message),
    }
}

fn error_html(message: &str) -> String {
    format!(
        "<pre style=\"color:#b00020;white-space:pre-wrap\">{}</pre>",
        escape_html(message)
    )
}

/// The static rendering kept in the notebook: the sliders' values, the output, and a note.
fn snapshot_html(
    sliders: &[Slider],
    values: &[f64],
    main: &Result<String, String>,
    chart: &str,
) -> String {
    let settings: Vec<String> = sliders
        .iter()
        .zip(values)
        .map(|(s, v)| {
            format!(
                "<b>{}</b> = {}",
                escape_html(&s.name),
                escape_html(&s.show(*v))
            )
        })
        .collect();
    format!(
        "<div class=\"napkin-what-if\"><p>{}</p>{}{}<p><i>{}</i></p></div>",
        settings.join(" · "),
        main_html(main),
        chart,
        SNAPSHOT_NOTE
    )
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

// ------------------------------------------------------------------ explore

/// Sliders over a workload's parameters, with the live estimate (and its work), the servers
/// needed and the scaling-journey chart. Make one with [`explore`].
#[derive(Debug, Clone)]
pub struct Explorer {
    workload: Workload,
    axes: Vec<(Param, f64, f64)>,
    server: Option<Server>,
}

/// Sliders over `workload`'s parameters: add them with [`Explorer::vary`].
pub fn explore(workload: &Workload) -> Explorer {
    Explorer {
        workload: *workload,
        axes: Vec::new(),
        server: None,
    }
}

impl Explorer {
    /// A slider for `param` over `range` (counts and sizes spanning two decades or more move
    /// in powers of ten). It starts at the workload's own value, kept within the range.
    /// Varying a parameter again replaces its range.
    pub fn vary(mut self, param: Param, range: RangeInclusive<f64>) -> Explorer {
        let (lo, hi) = (*range.start(), *range.end());
        match self.axes.iter_mut().find(|(p, _, _)| *p == param) {
            Some(axis) => *axis = (param, lo, hi),
            None => self.axes.push((param, lo, hi)),
        }
        self
    }

    /// Also size a fleet of `server`s for each setting.
    pub fn servers(mut self, server: Server) -> Explorer {
        self.server = Some(server);
        self
    }

    fn view(&self) -> View {
        let sliders = self
            .axes
            .iter()
            .map(|(param, lo, hi)| {
                let current = param.value(&self.workload);
                let s = slider(&param.column(&self.workload), *lo..=*hi)
                    .value(current)
                    .reading(reading_of(*param));
                if *param == Param::Replication {
                    s.whole()
                } else {
                    s
                }
            })
            .collect();
        let (base, axes, server) = (self.workload, self.axes.clone(), self.server);
        let render = move |values: &[f64], part: Part| {
            let mut w = base;
            for ((param, _, _), v) in axes.iter().zip(values) {
                param.set(&mut w, *v);
            }
            match part {
                Part::Main => estimate_card(&w, server.as_ref()),
                Part::Chart => Chart::journey(&w)
                    .and_then(|c| c.to_svg())
                    .map_err(|e| e.to_string()),
            }
        };
        View {
            sliders,
            render: Arc::new(render),
        }
    }

    /// Shows the sliders and the live view in napkin-kernel (a cell's final value).
    pub fn evcxr_display(&self) {
        self.view().show();
    }
}

impl Rich for Explorer {
    /// The view's first rendering, for other kernels and exports.
    fn mime_bundle(&self) -> Bundle {
        let First { main, snapshot, .. } = self.view().first();
        First::bundle(main, snapshot)
    }
}

impl fmt::Display for Explorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "explore ({} sliders)", self.axes.len())
    }
}

fn reading_of(param: Param) -> Reading {
    match param {
        Param::Users | Param::Writes => Reading::Count,
        Param::BytesPerWrite | Param::BytesPerRead => Reading::Bytes,
        Param::CacheFraction => Reading::Percent,
        Param::RetentionYears => Reading::Years,
        Param::Replication => Reading::Copies,
        _ => Reading::Factor,
    }
}

/// The live estimate: the key figures with their work, servers when asked, the stage.
fn estimate_card(w: &Workload, server: Option<&Server>) -> Result<String, String> {
    let e = w.estimate().map_err(|e| e.to_string())?;
    let mut rows: Vec<[String; 3]> = Vec::new();
    for name in [
        "writes",
        "reads",
        "peak_requests",
        "storage_per_day",
        "storage_total",
        "egress",
        "cache",
    ] {
        if let Some(work) = e.work(name) {
            let value = work.rsplit_once(" = ").map_or("", |(_, v)| v);
            rows.push([name.replace('_', " "), value.to_string(), work.to_string()]);
        }
    }
    for s in &e.streams {
        rows.push([
            s.name.to_string(),
            s.rate.to_string(),
            e.work(s.name).unwrap_or_default().to_string(),
        ]);
    }
    if let Some(server) = server {
        let sizing = e.servers(server).map_err(|e| e.to_string())?;
        let work = sizing
            .steps
            .iter()
            .map(|s| s.work.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        rows.push([
            "servers".into(),
            format!(
                "{} ({} binds)",
                format::counted(sizing.servers as f64, "server", "servers"),
                sizing.binding
            ),
            work,
        ]);
    }
    let mut title = "Estimate".to_string();
    if let Some(users) = w.users {
        let stage = Stage::for_users(Users::raw(users));
        title = format!(
            "Estimate — {} users, stage {} · {}",
            format::count(users),
            stage.number,
            stage.name
        );
    }
    Ok(card(&title, &rows))
}

/// The estimate as a compact card: each figure's value, bold and right-aligned, and its work
/// in grey; styled inline, so it reads the same inside a widget, in JupyterLab and exported.
fn card(title: &str, rows: &[[String; 3]]) -> String {
    let mut html = format!(
        "<div style=\"font-size:13px;line-height:1.35\"><div style=\"font-weight:600;\
         margin:4px 0\">{}</div><table style=\"border-collapse:collapse\">",
        escape_html(title)
    );
    for [name, value, work] in rows {
        html.push_str(&format!(
            "<tr><td style=\"padding:2px 10px 2px 0;white-space:nowrap\">{}</td>\
             <td style=\"padding:2px 10px;text-align:right;font-weight:600;\
             white-space:nowrap\">{}</td><td style=\"padding:2px 0 2px 10px;color:#666\">\
             {}</td></tr>",
            escape_html(name),
            escape_html(value),
            escape_html(work)
        ));
    }
    html.push_str("</table></div>");
    html
}

// ------------------------------------------------------------------ what_if

/// Sliders over any values, feeding a closure of the learner's that returns anything napkin
/// can show. Make one with [`what_if`].
pub struct WhatIf {
    sliders: Vec<Slider>,
    render: Arc<Render>,
}

/// Sliders feeding `f`, which gets their values in order and returns anything [`Rich`]: an
/// estimate, a chart, a quantity, a table.
///
/// ```no_run
/// use napkin::prelude::*;
/// what_if(
///     [slider("DAU", 1e3..=1e9), slider("actions per user a day", 1.0..=100.0)],
///     |v| (users(v[0]) * per_user_per_day(v[1])).shown_per(Per::Second),
/// )
/// # ;
/// ```
pub fn what_if<R, F>(sliders: impl IntoIterator<Item = Slider>, f: F) -> WhatIf
where
    R: Rich,
    F: Fn(&[f64]) -> R + Send + Sync + 'static,
{
    let render = move |values: &[f64], part: Part| {
        let bundle = f(values).mime_bundle();
        let find = |mime: &str| {
            bundle
                .iter()
                .find(|(m, _)| *m == mime)
                .map(|(_, c)| c.clone())
        };
        Ok(match part {
            Part::Main => find("text/html").unwrap_or_else(|| {
                if find("image/svg+xml").is_some() {
                    String::new()
                } else {
                    format!(
                        "<pre>{}</pre>",
                        escape_html(&find("text/plain").unwrap_or_default())
                    )
                }
            }),
            Part::Chart => find("image/svg+xml").unwrap_or_default(),
        })
    };
    WhatIf {
        sliders: sliders.into_iter().collect(),
        render: Arc::new(render),
    }
}

impl WhatIf {
    /// Shows the sliders and the live value in napkin-kernel (a cell's final value).
    pub fn evcxr_display(&self) {
        View {
            sliders: self.sliders.clone(),
            render: Arc::clone(&self.render),
        }
        .show();
    }
}

impl fmt::Debug for WhatIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhatIf")
            .field("sliders", &self.sliders)
            .finish_non_exhaustive()
    }
}

// ------------------------------------------------------------------ the listener

/// The process's listener: its address, its token and the views it serves.
struct ViewServer {
    addr: String,
    token: String,
    views: Mutex<HashMap<u64, Arc<View>>>,
    next: Mutex<u64>,
}

/// The listener, started on first use; `None` if no local socket can be opened.
fn server() -> Option<&'static ViewServer> {
    static SERVER: OnceLock<Option<&'static ViewServer>> = OnceLock::new();
    *SERVER.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").ok()?;
        let addr = listener.local_addr().ok()?.to_string();
        let server: &'static ViewServer = Box::leak(Box::new(ViewServer {
            addr,
            token: token(),
            views: Mutex::new(HashMap::new()),
            next: Mutex::new(1),
        }));
        quiet_widget_panics();
        std::thread::Builder::new()
            .name("napkin-widget-listener".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    let _ = std::thread::Builder::new()
                        .name("napkin-widget".into())
                        .spawn(move || server.serve(stream));
                }
            })
            .ok()?;
        Some(server)
    })
}

impl ViewServer {
    fn register(&self, view: View) -> u64 {
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let id = *next;
        *next += 1;
        self.views
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::new(view));
        id
    }

    /// Answers one connection's requests, a line each, until it closes.
    fn serve(&self, stream: TcpStream) {
        let Ok(write) = stream.try_clone() else {
            return;
        };
        let mut write = std::io::BufWriter::new(write);
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            let Ok(request) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if request["token"].as_str() != Some(self.token.as_str()) {
                return;
            }
            let id = request["view"].as_u64().unwrap_or(0);
            let given: Vec<f64> = request["values"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            // Each answer is written as soon as it is ready: the estimate before the chart is
            // drawn.
            let sent = self.answer(id, &given, &mut |answer| {
                writeln!(write, "{answer}")
                    .and_then(|()| write.flush())
                    .is_ok()
            });
            if !sent {
                return;
            }
        }
    }

    /// Answers one request through `send`: labels and the main part, then the chart, then
    /// done. False if `send` failed.
    fn answer(&self, id: u64, given: &[f64], send: &mut dyn FnMut(Value) -> bool) -> bool {
        let view = self
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned();
        let Some(view) = view else {
            return send(json!({"view": id, "error": "no such view", "done": true}));
        };
        let values = view.values(given);
        let labels: Vec<String> = view
            .sliders
            .iter()
            .zip(&values)
            .map(|(s, v)| s.show(*v))
            .collect();
        let main = view.run(&values, Part::Main);
        let first = json!({
            "view": id,
            "values": values,
            "labels": labels,
            "html": main_html(&main),
            "error": main.err(),
        });
        if !send(first) {
            return false;
        }
        let chart = match view.run(&values, Part::Chart) {
            Ok(svg) => json!({"view": id, "chart": svg}),
            Err(message) => json!({"view": id, "chart": error_html(&message)}),
        };
        send(chart) && send(json!({"view": id, "done": true}))
    }
}

/// A token no other local process can guess: 128 bits from the OS-seeded hasher.
fn token() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let word = || {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.write_u32(std::process::id());
        h.finish()
    };
    format!("{:016x}{:016x}", word(), word())
}

/// A panic in a view's callback is reported in the view; keep it off the cell's stderr.
fn quiet_widget_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_widget = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("napkin-widget"));
        if !in_widget {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    fn ask(server: &ViewServer, request: Value) -> Vec<Value> {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        writeln!(stream, "{request}").unwrap();
        let mut answers = Vec::new();
        for line in BufReader::new(stream).lines() {
            let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
            let done = v["done"] == true;
            answers.push(v);
            if done {
                break;
            }
        }
        answers
    }

    #[test]
    fn a_view_answers_slider_values_over_its_socket() {
        let w = Workload::new(users(100e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));
        let view = explore(&w)
            .vary(Param::Users, 1e3..=1e9)
            .vary(Param::PeakFactor, 1.0..=10.0)
            .view();
        assert!(view.sliders[0].log && !view.sliders[1].log);
        assert_eq!(view.sliders[0].value, 100e6);
        let server = server().unwrap();
        let id = server.register(view);
        let answers = ask(
            server,
            json!({"token": server.token, "view": id, "values": [1e6, 3.0]}),
        );
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[0]["labels"][0], "1.00M");
        let html = answers[0]["html"].as_str().unwrap();
        assert!(html.contains("1.00M users"), "{html}");
        assert!(
            html.contains("34.7 req/s") || html.contains("req/s"),
            "{html}"
        );
        assert!(answers[1]["chart"].as_str().unwrap().starts_with("<svg"));
        // Out of range is clamped; a wrong token gets nothing.
        let answers = ask(
            server,
            json!({"token": server.token, "view": id, "values": [1e12, 3.0]}),
        );
        assert_eq!(answers[0]["values"][0], 1e9);
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        writeln!(
            stream,
            "{}",
            json!({"token": "guess", "view": id, "values": [1.0]})
        )
        .unwrap();
        let mut line = String::new();
        assert_eq!(BufReader::new(stream).read_line(&mut line).unwrap(), 0);
    }

    #[test]
    fn choices_and_whole_numbers_take_what_they_offer() {
        let c = choice("copies", [("one", 1.0), ("three", 3.0)]);
        assert_eq!(c.value, 1.0);
        assert_eq!(c.clamp(2.6), 3.0);
        assert_eq!(c.show(3.0), "three");
        assert_eq!(c.spec()["options"][1], json!(["three", 3.0]));
        let w = slider("shards", 1.0..=64.0).whole();
        assert!(!w.log);
        assert_eq!(w.clamp(7.6), 8.0);
        assert_eq!(w.clamp(100.0), 64.0);
    }

    #[test]
    fn a_panicking_callback_is_an_error_in_the_view_and_the_view_goes_on() {
        let view = what_if([slider("x", 0.0..=10.0)], |v: &[f64]| {
            if v[0] > 5.0 {
                panic!("too big: {}", v[0]);
            }
            users(v[0])
        });
        let server = server().unwrap();
        let id = server.register(View {
            sliders: view.sliders.clone(),
            render: Arc::clone(&view.render),
        });
        let answers = ask(
            server,
            json!({"token": server.token, "view": id, "values": [7.0]}),
        );
        assert_eq!(answers[0]["error"], "too big: 7");
        let answers = ask(
            server,
            json!({"token": server.token, "view": id, "values": [2.0]}),
        );
        assert!(answers[0]["html"].as_str().unwrap().contains("2 users"));
    }
}
