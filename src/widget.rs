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
//! listener on a Unix socket in a private directory (mode 0700) that only answers a connection
//! whose first line is its random token, registers the view's callback, and sends the kernel a
//! [`napkin_channel::View`] (the sliders, the first rendering, the socket and the token) on its
//! private channel — never through stdout. napkin-kernel turns it into Jupyter widgets
//! (`@jupyter-widgets/controls` sliders and HTML) and, on each slider move, sends a
//! [`napkin_channel::ViewRequest`] and shows the answers: the estimate first, then the chart.
//! The listener bounds what it reads (connections, request length, time to finish a request).
//! Outside napkin-kernel the view shows its first rendering as HTML.

use std::fmt;
use std::ops::RangeInclusive;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::chart::Chart;
use crate::display::{Bundle, Rich};
use crate::estimate::{Server, Workload};
use crate::format;
use crate::journey::Stage;
use crate::quantity::Users;
use crate::sweep::Param;
use crate::table::escape_html;

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

    /// What the kernel needs to draw the slider.
    fn spec(&self) -> napkin_channel::Slider {
        let value = self.clamp(self.value);
        napkin_channel::Slider {
            name: self.name.clone(),
            min: self.min,
            max: self.max,
            value,
            log: self.log,
            whole: self.whole,
            options: self.options.clone(),
            label: self.show(value),
        }
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

    /// Shows the view: live widgets in napkin-kernel (a message on its private channel), HTML
    /// elsewhere.
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
        let served = napkin_channel::in_kernel().then(listener::server).flatten();
        let sent = served.is_some_and(|server| {
            let sliders = self.sliders.iter().map(Slider::spec).collect();
            let (socket, token) = (server.socket.clone(), server.token.clone());
            let id = server.register(self);
            napkin_channel::send(&napkin_channel::Message::View(napkin_channel::View {
                socket,
                token,
                id,
                sliders,
                html: main.clone(),
                chart,
                snapshot: snapshot.clone(),
            }))
        });
        if !sent {
            crate::display::emit(&First::bundle(main, snapshot));
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
        // The figures the workload defines; the peak requests always, the card's headline
        // (the peak writes when there is nothing else).
        if name != "peak_requests" && !e.defines(name) {
            continue;
        }
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
        self.view().show();
    }

    fn view(&self) -> View {
        View {
            sliders: self.sliders.clone(),
            render: Arc::clone(&self.render),
        }
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

#[cfg(not(unix))]
mod listener {
    //! Without Unix sockets, views show their first rendering only.
    pub(super) struct ViewServer {
        pub(super) socket: std::path::PathBuf,
        pub(super) token: String,
    }
    impl ViewServer {
        pub(super) fn register(&self, _: super::View) -> u64 {
            0
        }
    }
    pub(super) fn server() -> Option<&'static ViewServer> {
        None
    }
}

#[cfg(unix)]
mod listener {
    //! The process's listener: a Unix socket in a private directory, bounded in every way a
    //! peer could stretch it.

    use std::collections::HashMap;
    use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
    use std::os::unix::fs::DirBuilderExt;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex, OnceLock, PoisonError};
    use std::time::{Duration, Instant};

    use napkin_channel::{MAX_REQUEST, ViewAnswer, ViewRequest};

    use super::{Part, View, main_html};

    /// Connections served at once; more are closed at once.
    pub(super) const MAX_CONNECTIONS: usize = 32;
    /// How long a request may take to arrive once it has started, and the token after
    /// connecting.
    const REQUEST_TIME: Duration = Duration::from_secs(10);
    /// How often a waiting read checks the time.
    const POLL: Duration = Duration::from_secs(1);
    /// The longest socket path the operating system takes (`sun_path`, less a margin).
    const MAX_SOCKET_PATH: usize = 100;

    /// The listener: its socket, its token and the views it serves.
    pub(super) struct ViewServer {
        pub(super) socket: PathBuf,
        pub(super) token: String,
        views: Mutex<HashMap<u64, Arc<View>>>,
        next: Mutex<u64>,
        active: AtomicUsize,
    }

    /// The listener, started on first use; `None` if no private socket can be opened.
    pub(super) fn server() -> Option<&'static ViewServer> {
        static SERVER: OnceLock<Option<&'static ViewServer>> = OnceLock::new();
        *SERVER.get_or_init(|| {
            let token = napkin_channel::new_token().ok()?;
            let socket = socket_path(&token)?;
            let _ = std::fs::remove_file(&socket);
            let listener = UnixListener::bind(&socket).ok()?;
            let server: &'static ViewServer = Box::leak(Box::new(ViewServer {
                socket,
                token,
                views: Mutex::new(HashMap::new()),
                next: Mutex::new(1),
                active: AtomicUsize::new(0),
            }));
            super::quiet_widget_panics();
            std::thread::Builder::new()
                .name("napkin-widget-listener".into())
                .spawn(move || {
                    for stream in listener.incoming().flatten() {
                        server.accept(stream);
                    }
                })
                .ok()?;
            Some(server)
        })
    }

    /// A socket path in the session's private directory when it is short enough, else in a
    /// new private directory under the system's temporary directory.
    fn socket_path(token: &str) -> Option<PathBuf> {
        let name = format!("views-{}.sock", std::process::id());
        let fits = |dir: &Path| dir.join(&name).as_os_str().len() <= MAX_SOCKET_PATH;
        if let Some(dir) = napkin_channel::private_dir().filter(|d| fits(d)) {
            return Some(dir.join(name));
        }
        let dir = std::env::temp_dir().join(format!("napkin-views-{}", &token[..16]));
        std::fs::DirBuilder::new().mode(0o700).create(&dir).ok()?;
        fits(&dir).then(|| dir.join(name))
    }

    impl ViewServer {
        pub(super) fn register(&self, view: View) -> u64 {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let id = *next;
            *next += 1;
            self.views
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, Arc::new(view));
            id
        }

        /// Serves `stream` on a thread of its own, unless [`MAX_CONNECTIONS`] are open.
        fn accept(&'static self, stream: UnixStream) {
            if self.active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                self.active.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            let spawned = std::thread::Builder::new()
                .name("napkin-widget".into())
                .spawn(move || {
                    self.serve(stream);
                    self.active.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                self.active.fetch_sub(1, Ordering::SeqCst);
            }
        }

        /// Checks the token (the first line), then answers requests, a line each, until the
        /// connection closes or breaks a limit.
        pub(super) fn serve(&self, stream: UnixStream) {
            let Ok(write) = stream.try_clone() else {
                return;
            };
            let mut write = std::io::BufWriter::new(write);
            let mut read = BufReader::new(stream);
            match read_line(&mut read, 64, true) {
                Some(line) if napkin_channel::same_token(line.trim_end(), &self.token) => {}
                _ => return,
            }
            while let Some(line) = read_line(&mut read, MAX_REQUEST, false) {
                let request = match serde_json::from_str::<ViewRequest>(&line) {
                    Ok(request) => request,
                    Err(error) => {
                        let reason = format!("unreadable request: {error}");
                        let _ = send(&mut write, &ViewAnswer::Refused { reason });
                        return;
                    }
                };
                // Each answer is written as soon as it is ready: the estimate before the chart
                // is drawn.
                if !self.answer(&request, &mut |answer| send(&mut write, &answer)) {
                    return;
                }
            }
        }

        /// Answers one request through `send`: labels and the main part, then the chart, then
        /// done. False if `send` failed.
        pub(super) fn answer(
            &self,
            request: &ViewRequest,
            send: &mut dyn FnMut(ViewAnswer) -> bool,
        ) -> bool {
            let view = self
                .views
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&request.view)
                .cloned();
            let Some(view) = view else {
                let reason = format!("no view {}", request.view);
                return send(ViewAnswer::Refused { reason });
            };
            let values = view.values(&request.values);
            let labels = view
                .sliders
                .iter()
                .zip(&values)
                .map(|(s, v)| s.show(*v))
                .collect();
            let main = view.run(&values, Part::Main);
            let first = ViewAnswer::Main {
                values: values.clone(),
                labels,
                html: main_html(&main),
                error: main.err(),
            };
            if !send(first) {
                return false;
            }
            let html = match view.run(&values, Part::Chart) {
                Ok(svg) => svg,
                Err(message) => super::error_html(&message),
            };
            send(ViewAnswer::Chart { html }) && send(ViewAnswer::Done)
        }
    }

    /// One line of at most `limit` bytes. A longer line, one still arriving [`REQUEST_TIME`]
    /// after it started (or, for the `first`, after the connection opened), or the end of the
    /// stream is `None`; between requests a connection may stay idle.
    fn read_line(read: &mut BufReader<UnixStream>, limit: usize, first: bool) -> Option<String> {
        let mut line = Vec::new();
        let mut started = first.then(Instant::now);
        read.get_ref().set_read_timeout(Some(POLL)).ok()?;
        loop {
            let room = (limit + 1).saturating_sub(line.len()) as u64;
            match read.by_ref().take(room).read_until(b'\n', &mut line) {
                Ok(0) => return None,
                Ok(_) if line.ends_with(b"\n") => return String::from_utf8(line).ok(),
                Ok(_) if line.len() > limit => return None,
                Ok(_) => {}
                Err(error)
                    if matches!(
                        error.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(_) => return None,
            }
            if !line.is_empty() && started.is_none() {
                started = Some(Instant::now());
            }
            if started.is_some_and(|t| t.elapsed() > REQUEST_TIME) {
                return None;
            }
        }
    }

    fn send(write: &mut impl Write, answer: &ViewAnswer) -> bool {
        serde_json::to_writer(&mut *write, answer).is_ok()
            && write.write_all(b"\n").is_ok()
            && write.flush().is_ok()
    }
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

    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixStream;

    use napkin_channel::{ViewAnswer, ViewRequest};

    use super::listener::{MAX_CONNECTIONS, ViewServer, server};

    /// The live card shows the figures the workload defines, and always the peak requests.
    #[test]
    fn the_card_shows_the_defined_figures() {
        let w = Workload::new(users(1e6), per_user_per_day(10.0));
        let card = estimate_card(&w, None).unwrap();
        assert!(card.contains(">peak requests<"), "{card}");
        for hidden in [">reads<", ">egress<", ">storage total<", ">cache<", "0 B"] {
            assert!(!card.contains(hidden), "{hidden} in {card}");
        }
        let card = estimate_card(&w.reads_per_write(10.0).bytes_per_write(kb(1.0)), None).unwrap();
        for shown in [">reads<", ">egress<", ">storage total<", ">cache<"] {
            assert!(card.contains(shown), "{shown} not in {card}");
        }
    }

    /// Connects as the kernel does: the token first, then one request.
    fn ask(server: &ViewServer, view: u64, values: &[f64]) -> Vec<ViewAnswer> {
        let mut stream = UnixStream::connect(&server.socket).unwrap();
        writeln!(stream, "{}", server.token).unwrap();
        let request = ViewRequest {
            view,
            values: values.to_vec(),
        };
        writeln!(stream, "{}", serde_json::to_string(&request).unwrap()).unwrap();
        let mut answers = Vec::new();
        for line in BufReader::new(stream).lines() {
            let answer: ViewAnswer = serde_json::from_str(&line.unwrap()).unwrap();
            let done = matches!(answer, ViewAnswer::Done | ViewAnswer::Refused { .. });
            answers.push(answer);
            if done {
                break;
            }
        }
        answers
    }

    /// What a connection gets back for `lines`: its first answer line, or `None` if closed.
    fn first_answer(server: &ViewServer, lines: &[&[u8]]) -> Option<String> {
        let mut stream = UnixStream::connect(&server.socket).unwrap();
        for line in lines {
            if stream.write_all(line).is_err() {
                return None;
            }
        }
        let mut answer = String::new();
        match BufReader::new(stream).read_line(&mut answer) {
            Ok(n) if n > 0 => Some(answer),
            _ => None,
        }
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
        let answers = ask(server, id, &[1e6, 3.0]);
        assert_eq!(answers.len(), 3);
        let ViewAnswer::Main {
            labels,
            html,
            values,
            ..
        } = &answers[0]
        else {
            panic!("{answers:?}");
        };
        assert_eq!(labels[0], "1.00M");
        assert_eq!(values, &[1e6, 3.0]);
        assert!(html.contains("1.00M users"), "{html}");
        let ViewAnswer::Chart { html } = &answers[1] else {
            panic!("{answers:?}");
        };
        assert!(html.starts_with("<svg"));
        // Out of range is clamped; an unknown view is refused.
        let answers = ask(server, id, &[1e12, -5.0]);
        let ViewAnswer::Main { values, .. } = &answers[0] else {
            panic!("{answers:?}");
        };
        assert_eq!(values, &[1e9, 1.0]);
        assert!(matches!(
            &ask(server, 9999, &[1.0])[0],
            ViewAnswer::Refused { .. }
        ));
    }

    #[test]
    fn the_listener_answers_only_its_token_and_bounds_what_it_reads() {
        let server = server().unwrap();
        let id =
            server.register(what_if([slider("x", 0.0..=10.0)], |v: &[f64]| users(v[0])).view());
        let request = format!("{{\"view\":{id},\"values\":[2.0]}}\n");
        // A wrong token, a missing one and a token sent after the request get nothing.
        assert_eq!(
            first_answer(server, &[b"guess\n", request.as_bytes()]),
            None
        );
        assert_eq!(first_answer(server, &[request.as_bytes()]), None);
        // The right token and garbage: refused, and said why.
        let token = format!("{}\n", server.token);
        let garbage = first_answer(server, &[token.as_bytes(), b"{not json\n"]).unwrap();
        assert!(garbage.contains("refused"), "{garbage}");
        // A request line longer than the limit closes the connection.
        let long = vec![b'x'; napkin_channel::MAX_REQUEST + 10];
        assert_eq!(first_answer(server, &[token.as_bytes(), &long]), None);
        // Idle connections beyond the limit are closed; the listener still answers after.
        let idle: Vec<UnixStream> = (0..MAX_CONNECTIONS + 20)
            .filter_map(|_| UnixStream::connect(&server.socket).ok())
            .collect();
        drop(idle);
        std::thread::sleep(std::time::Duration::from_millis(100));
        let answers = ask(server, id, &[2.0]);
        assert!(matches!(&answers[0], ViewAnswer::Main { html, .. } if html.contains("2 users")));
    }

    #[test]
    fn choices_and_whole_numbers_take_what_they_offer() {
        let c = choice("copies", [("one", 1.0), ("three", 3.0)]);
        assert_eq!(c.value, 1.0);
        assert_eq!(c.clamp(2.6), 3.0);
        assert_eq!(c.show(3.0), "three");
        assert_eq!(c.spec().options[1], ("three".to_string(), 3.0));
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
        let id = server.register(view.view());
        let answers = ask(server, id, &[7.0]);
        assert!(
            matches!(&answers[0], ViewAnswer::Main { error: Some(e), .. } if e == "too big: 7"),
            "{answers:?}"
        );
        let answers = ask(server, id, &[2.0]);
        assert!(matches!(&answers[0], ViewAnswer::Main { html, .. } if html.contains("2 users")));
    }
}
