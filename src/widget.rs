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
//!
//! For a static page (the docs site), a notebook is executed with [`GRID_ENV`] set: each view
//! then also renders itself at a grid of slider stops and carries the answers in its snapshot
//! (see [`GRID_ENV`]), so a small script on the page can move sliders with no kernel.

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

/// Set to `1` when a notebook is executed for a static export (the docs site does this): each
/// live view then also renders its estimate at a grid of slider stops — a slider's own steps
/// when it has few, else about a dozen round values over its range, with its ends and its
/// start — and its chart along the first slider (at every stop when that fits), and carries
/// them in its snapshot as `<script type="application/json" class="napkin-grid">`, which the
/// site's `napkin-grid.js` turns into sliders. Unset, a view shows only its first rendering, so
/// a notebook a learner saves stays small and a cell shows at once.
pub const GRID_ENV: &str = "NAPKIN_GRID";

/// What a static page says under a view whose sliders move over a precomputed grid.
pub const GRID_NOTE: &str = "Precomputed: the sliders stop only at the values shown, each \
     rendered when this page was built, with no kernel behind them. For exact values at any \
     setting, open the notebook in JupyterLab with the Rust (napkin) kernel.";

/// Whether views compute their grid ([`GRID_ENV`] is `1`).
fn grid_wanted() -> bool {
    std::env::var_os(GRID_ENV).is_some_and(|v| v == "1")
}

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
            Reading::Years if v == 1.0 => "1 year".to_string(),
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

    /// The rendering at the sliders' starting values, with the grid when [`GRID_ENV`] asks.
    fn first(&self) -> First {
        let values = self.values(&[]);
        let main = self.run(&values, Part::Main);
        let chart = self.run(&values, Part::Chart).unwrap_or_default();
        let sliders_ok = self.sliders.iter().all(|s| s.check().is_ok());
        let grid =
            (grid_wanted() && sliders_ok && !self.sliders.is_empty()).then(|| grid::Grid::of(self));
        First {
            snapshot: snapshot_html(&self.sliders, &values, &main, &chart, grid.as_ref()),
            main: main_html(&main),
            chart,
        }
    }

    /// The chart at `values`, or what went wrong drawing it.
    fn chart_html(&self, values: &[f64]) -> String {
        match self.run(values, Part::Chart) {
            Ok(svg) => svg,
            Err(message) => error_html(&message),
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

/// The static rendering kept in the notebook: the sliders' values, the output, and a note;
/// with a grid, its answers too (a script's data, which a page without scripts never shows).
/// The classes mark the parts a page's script replaces.
fn snapshot_html(
    sliders: &[Slider],
    values: &[f64],
    main: &Result<String, String>,
    chart: &str,
    grid: Option<&grid::Grid>,
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
    let script = grid.map_or(String::new(), |g| {
        format!(
            "<script type=\"application/json\" class=\"napkin-grid\">{}</script>",
            g.to_json()
        )
    });
    format!(
        "<div class=\"napkin-what-if\"><p class=\"napkin-settings\">{}</p>\
         <div class=\"napkin-main\">{}</div><div class=\"napkin-chart\">{}</div>\
         <p class=\"napkin-note\"><i>{}</i></p>{}</div>",
        settings.join(" · "),
        main_html(main),
        chart,
        SNAPSHOT_NOTE,
        script
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

// ------------------------------------------------------------------ the grid

mod grid {
    //! A view rendered at a grid of slider stops, for a static page (see [`super::GRID_ENV`]):
    //! which stops each slider offers, how many settings in all, and the answers stored
    //! compactly — each rendering cut into pieces before its tags (a table's cells, a chart's
    //! grid lines), each distinct piece and each distinct rendering stored once.

    use std::collections::HashMap;

    use serde::Serialize;

    use super::{GRID_NOTE, Part, Slider, View, main_html};

    /// The most stops a slider offers when it is not whole numbers in small steps.
    const MAX_STOPS: usize = 16;
    /// Whole numbers are offered one by one when there are at most this many.
    const MAX_WHOLE: usize = 20;
    /// The most intervals between a linear slider's round stops (its ends and start added).
    const MAX_INTERVALS: f64 = 12.0;
    /// The most settings a view's grid renders (the product of its sliders' stops).
    pub(super) const MAX_POINTS: usize = 400;
    /// The most bytes of grid one view adds to a page (its JSON): over it, charts are kept
    /// along the first slider only, then the grid gets fewer settings. Three views stay under
    /// the docs site's 2 MB a page.
    pub(super) const MAX_BYTES: usize = 600_000;

    /// A view's answers at every setting of its sliders' stops, ready to embed as JSON.
    #[derive(Debug, Clone, Serialize)]
    pub(super) struct Grid {
        /// The sliders, in order, each with its stops.
        pub(super) sliders: Vec<Axis>,
        /// The distinct pieces the renderings are cut into.
        pub(super) pieces: Vec<String>,
        /// The distinct renderings, each as the numbers of its pieces.
        pub(super) answers: Vec<Vec<u32>>,
        /// For each setting, the estimate's rendering. Settings go in order of the sliders'
        /// stops, the last slider's changing fastest.
        pub(super) main: Vec<u32>,
        /// For each setting, the chart's rendering; none off the first slider's line when
        /// charts are kept along it only.
        pub(super) chart: Vec<Option<u32>>,
        /// What the page says about the grid.
        pub(super) note: String,
        /// The grid's shape: settings, and stops per slider.
        pub(super) detail: String,
        /// What the page shows where a chart was not kept (empty when every one was).
        pub(super) chart_note: String,
    }

    /// One slider of a grid.
    #[derive(Debug, Clone, Serialize)]
    pub(super) struct Axis {
        /// Its label.
        pub(super) name: String,
        /// Its stops.
        pub(super) values: Vec<f64>,
        /// How each stop reads.
        pub(super) labels: Vec<String>,
        /// The stop the view starts at.
        pub(super) start: usize,
        /// Whether it is a choice (a dropdown).
        pub(super) choice: bool,
    }

    impl Grid {
        /// `view`'s grid within [`MAX_POINTS`] and [`MAX_BYTES`].
        pub(super) fn of(view: &View) -> Grid {
            Grid::within(view, MAX_POINTS, MAX_BYTES)
        }

        /// `view`'s grid with at most `max_points` settings and `max_bytes` of JSON (unless a
        /// single setting is larger).
        pub(super) fn within(view: &View, max_points: usize, max_bytes: usize) -> Grid {
            let full: Vec<Vec<f64>> = view.sliders.iter().map(stops).collect();
            let starts: Vec<usize> = full
                .iter()
                .zip(&view.sliders)
                .map(|(stops, s)| nearest(stops, s.clamp(s.value)))
                .collect();
            let mut cap = max_points.max(1);
            loop {
                let counts = fit(full.iter().map(Vec::len).collect(), cap);
                let axes: Vec<Axis> = view
                    .sliders
                    .iter()
                    .zip(&full)
                    .zip(counts.iter().zip(&starts))
                    .map(|((s, stops), (&k, &start))| {
                        let picks = thin(stops.len(), k, start);
                        let values: Vec<f64> = picks.iter().map(|&i| stops[i]).collect();
                        Axis {
                            name: s.name.clone(),
                            labels: values.iter().map(|v| s.show(*v)).collect(),
                            start: picks.iter().position(|&i| i == start).unwrap_or(0),
                            values,
                            choice: !s.options.is_empty(),
                        }
                    })
                    .collect();
                let grid = render(view, axes, max_bytes);
                if grid.bytes() <= max_bytes || cap == 1 {
                    return grid;
                }
                cap /= 2;
            }
        }

        /// The grid as JSON that can sit inside a `<script>` element: no `<` in it, so no
        /// `</script>` ends it early.
        pub(super) fn to_json(&self) -> String {
            serde_json::to_string(self)
                .unwrap_or_default()
                .replace('<', "\\u003c")
        }

        /// The size of [`Grid::to_json`], in bytes.
        pub(super) fn bytes(&self) -> usize {
            self.to_json().len()
        }

        /// The settings' count.
        #[cfg(test)]
        pub(super) fn points(&self) -> usize {
            self.main.len()
        }

        /// The rendering `answer`, whole again.
        #[cfg(test)]
        pub(super) fn answer(&self, answer: u32) -> String {
            self.answers[answer as usize]
                .iter()
                .map(|&p| self.pieces[p as usize].as_str())
                .collect()
        }
    }

    /// Renders `view` at every setting of `axes`: the estimates, and the charts — at every
    /// setting if the grid then stays within `max_bytes`, else along the first slider with the
    /// others at their start.
    fn render(view: &View, axes: Vec<Axis>, max_bytes: usize) -> Grid {
        let settings = settings(&axes);
        let mut table = Table::default();
        let main: Vec<u32> = settings
            .iter()
            .map(|values| table.add(&main_html(&view.run(values, Part::Main))))
            .collect();
        // The first slider's line: the other sliders at their start.
        let on_line = |index: &[usize]| {
            index
                .iter()
                .zip(&axes)
                .skip(1)
                .all(|(i, axis)| *i == axis.start)
        };
        let indices = indices(&axes);
        let mut chart: Vec<Option<u32>> = vec![None; settings.len()];
        for (n, values) in settings.iter().enumerate() {
            if on_line(&indices[n]) {
                chart[n] = Some(table.add(&view.chart_html(values)));
            }
        }
        let mut grid = Grid {
            note: GRID_NOTE.to_string(),
            detail: detail(&axes),
            chart_note: String::new(),
            sliders: axes,
            pieces: Vec::new(),
            answers: Vec::new(),
            main,
            chart: Vec::new(),
        };
        // Every chart, if they fit.
        let mut all = table.clone();
        let mut every = chart.clone();
        for (n, values) in settings.iter().enumerate() {
            if every[n].is_none() {
                every[n] = Some(all.add(&view.chart_html(values)));
            }
        }
        (grid.pieces, grid.answers, grid.chart) = (all.pieces, all.answers, every);
        if grid.bytes() > max_bytes && chart.iter().any(Option::is_none) {
            (grid.pieces, grid.answers, grid.chart) = (table.pieces, table.answers, chart);
            let first = &grid.sliders[0].name;
            grid.chart_note = format!(
                "The chart is precomputed along {first} only, with the other sliders at their \
                 starting values: move them back to see it."
            );
        }
        grid
    }

    /// "351 settings: users at 13 stops, …".
    fn detail(axes: &[Axis]) -> String {
        let points: usize = axes.iter().map(|a| a.values.len()).product();
        let each: Vec<String> = axes
            .iter()
            .map(|a| {
                let n = a.values.len();
                let what = match (a.choice, n) {
                    (true, 1) => "option",
                    (true, _) => "options",
                    (false, 1) => "stop",
                    (false, _) => "stops",
                };
                format!("{} at {n} {what}", a.name)
            })
            .collect();
        format!("{points} settings: {}.", each.join(", "))
    }

    /// Every setting's stop numbers, the last slider's changing fastest.
    fn indices(axes: &[Axis]) -> Vec<Vec<usize>> {
        let mut all = vec![Vec::new()];
        for axis in axes {
            all = all
                .into_iter()
                .flat_map(|prefix: Vec<usize>| {
                    (0..axis.values.len()).map(move |i| {
                        let mut next = prefix.clone();
                        next.push(i);
                        next
                    })
                })
                .collect();
        }
        all
    }

    /// Every setting's values, in the order of [`indices`].
    fn settings(axes: &[Axis]) -> Vec<Vec<f64>> {
        indices(axes)
            .iter()
            .map(|index| index.iter().zip(axes).map(|(&i, a)| a.values[i]).collect())
            .collect()
    }

    /// The distinct pieces and renderings seen so far.
    #[derive(Debug, Clone, Default)]
    struct Table {
        pieces: Vec<String>,
        piece_ids: HashMap<String, u32>,
        answers: Vec<Vec<u32>>,
        answer_ids: HashMap<Vec<u32>, u32>,
    }

    impl Table {
        /// Stores `html` (its new pieces, and it if it is new); returns its number.
        fn add(&mut self, html: &str) -> u32 {
            let answer: Vec<u32> = pieces(html).map(|p| self.piece(p)).collect();
            if let Some(&id) = self.answer_ids.get(&answer) {
                return id;
            }
            let id = self.answers.len() as u32;
            self.answer_ids.insert(answer.clone(), id);
            self.answers.push(answer);
            id
        }

        fn piece(&mut self, piece: &str) -> u32 {
            if let Some(&id) = self.piece_ids.get(piece) {
                return id;
            }
            let id = self.pieces.len() as u32;
            self.piece_ids.insert(piece.to_string(), id);
            self.pieces.push(piece.to_string());
            id
        }
    }

    /// `html` cut before each `<`: `<td style="…">11.6K req/s`, `</td>`, ….
    fn pieces(html: &str) -> impl Iterator<Item = &str> {
        let mut rest = html;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            // `<` is one byte, so the cut is on a character boundary.
            let cut = rest
                .bytes()
                .skip(1)
                .position(|b| b == b'<')
                .map_or(rest.len(), |i| i + 1);
            let (piece, tail) = rest.split_at(cut);
            rest = tail;
            Some(piece)
        })
    }

    /// A slider's stops, in the order it offers them: a choice's options; whole numbers one by
    /// one when there are at most [`MAX_WHOLE`]; else round values (1, 2, 5 or 1, 3 a decade on
    /// a log scale; a round step otherwise), with both ends and the starting value.
    pub(super) fn stops(s: &Slider) -> Vec<f64> {
        if !s.options.is_empty() {
            return s.options.iter().map(|(_, v)| *v).collect();
        }
        let mut stops = if s.whole && s.max.round() - s.min.round() < MAX_WHOLE as f64 {
            let (lo, hi) = (s.min.round() as i64, s.max.round() as i64);
            (lo..=hi).map(|i| i as f64).collect()
        } else if s.log {
            log_stops(s.min, s.max)
        } else {
            linear_stops(s.min, s.max)
        };
        stops.extend([s.min, s.max, s.value]);
        let mut stops: Vec<f64> = stops.into_iter().map(|v| s.clamp(v)).collect();
        stops.sort_by(f64::total_cmp);
        stops.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * a.abs().max(b.abs()));
        stops
    }

    /// Round values over `min..=max` on a log scale: 1, 2, 5 a decade if there are few enough
    /// decades, else 1, 3, else 1, else evenly spread powers.
    fn log_stops(min: f64, max: f64) -> Vec<f64> {
        if !(min > 0.0 && max > min && max.is_finite()) {
            return vec![min, max];
        }
        let (lo, hi) = (min.log10().floor() as i32, max.log10().ceil() as i32);
        for mantissas in [&[1.0, 2.0, 5.0][..], &[1.0, 3.0], &[1.0]] {
            let stops: Vec<f64> = (lo..=hi)
                .flat_map(|e| mantissas.iter().map(move |&m| times_ten_to(m, e)))
                .filter(|v| *v >= min * (1.0 - 1e-9) && *v <= max * (1.0 + 1e-9))
                .collect();
            // Room for the ends and the start.
            if stops.len() + 3 <= MAX_STOPS {
                return stops;
            }
        }
        let n = MAX_STOPS - 3;
        (0..n)
            .map(|i| min * (max / min).powf(i as f64 / (n - 1) as f64))
            .collect()
    }

    /// Multiples of a round step (1, 2, 2.5 or 5 times a power of ten) over `min..=max`, at
    /// most [`MAX_INTERVALS`] of them apart.
    fn linear_stops(min: f64, max: f64) -> Vec<f64> {
        let span = max - min;
        if !(span > 0.0 && span.is_finite()) {
            return vec![min, max];
        }
        // 10^lowest is at most span / MAX_INTERVALS, 10^(lowest + 1) more: one of the steps
        // from the one to the other fits.
        let lowest = (span / MAX_INTERVALS).log10().floor() as i32;
        for e in lowest..=lowest.saturating_add(1) {
            for m in [1.0, 2.0, 2.5, 5.0] {
                let step = times_ten_to(m, e);
                if span / step <= MAX_INTERVALS {
                    let (first, last) = ((min / step).ceil() as i64, (max / step).floor() as i64);
                    return (first..=last)
                        .map(|k| times_ten_to(k as f64 * m, e))
                        .collect();
                }
            }
        }
        vec![min, max]
    }

    /// `m × 10^e` as near as f64 holds it: `0.3`, not `0.30000000000000004`.
    fn times_ten_to(m: f64, e: i32) -> f64 {
        if e >= 0 {
            m * 10f64.powi(e)
        } else {
            m / 10f64.powi(-e)
        }
    }

    /// The stop nearest `v`.
    fn nearest(stops: &[f64], v: f64) -> usize {
        (0..stops.len())
            .min_by(|&a, &b| (stops[a] - v).abs().total_cmp(&(stops[b] - v).abs()))
            .unwrap_or(0)
    }

    /// `k` of `n` stops, evenly spread, with both ends and `keep` among them (`keep` alone
    /// when `k` is 1; `keep` and the farther end when 2).
    pub(super) fn thin(n: usize, k: usize, keep: usize) -> Vec<usize> {
        if k >= n {
            return (0..n).collect();
        }
        if k <= 1 {
            return vec![keep];
        }
        let mut picks: Vec<usize> = (0..k)
            .map(|i| (i * (n - 1) + (k - 1) / 2) / (k - 1))
            .collect();
        if !picks.contains(&keep) {
            // `keep` takes the place of the nearest pick, an end only when there is no other.
            let candidates = if k > 2 { 1..k - 1 } else { 0..k };
            let j = candidates
                .min_by_key(|&j| picks[j].abs_diff(keep))
                .unwrap_or(0);
            picks[j] = keep;
        }
        picks.sort_unstable();
        picks.dedup();
        picks
    }

    /// How many stops each slider keeps so that all settings number at most `cap`: the slider
    /// with the most stops gives one up at a time, the first (the one charts follow) counting
    /// a quarter as many, so it keeps its stops while the others have more than a quarter of
    /// its count; at equal counts the later slider gives way.
    pub(super) fn fit(mut counts: Vec<usize>, cap: usize) -> Vec<usize> {
        let product = |c: &[usize]| c.iter().fold(1usize, |a, &n| a.saturating_mul(n));
        while product(&counts) > cap {
            let weight = |i: usize| if i == 0 { counts[i] } else { 4 * counts[i] };
            let Some(i) = (0..counts.len())
                .filter(|&i| counts[i] > 1)
                .max_by_key(|&i| (weight(i), i))
            else {
                break;
            };
            counts[i] -= 1;
        }
        counts
    }
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
            let html = view.chart_html(&values);
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

    use super::grid::{self, Grid};
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

    /// Every setting of `g`, as values, in the grid's order.
    fn grid_settings(g: &Grid) -> Vec<Vec<f64>> {
        let mut all = vec![Vec::new()];
        for axis in &g.sliders {
            all = all
                .into_iter()
                .flat_map(|prefix: Vec<f64>| {
                    axis.values.iter().map(move |v| {
                        let mut next = prefix.clone();
                        next.push(*v);
                        next
                    })
                })
                .collect();
        }
        all
    }

    #[test]
    fn a_slider_stops_at_round_values_with_its_ends_and_its_start() {
        let users = slider("users", 1e3..=1e9).value(1e8);
        let want: Vec<f64> = (3..=9)
            .flat_map(|e| [1.0, 3.0].map(|m| m * 10f64.powi(e)))
            .collect();
        assert_eq!(grid::stops(&users), want[..13]);
        // A start between round values is a stop too.
        let peak = slider("peak", 1e3..=1e7).value(35e3);
        let stops = grid::stops(&peak);
        assert_eq!(stops.len(), 14);
        assert!(stops.contains(&35e3) && stops.contains(&2e3) && stops.contains(&5e6));
        let hit = slider("hit rate", 0.0..=0.99).value(0.9);
        let tenths: Vec<f64> = (0..=9).map(|k| k as f64 / 10.0).collect();
        assert_eq!(grid::stops(&hit), [&tenths[..], &[0.99]].concat());
        // The middle start of 1..=10 joins its round steps.
        let factor = slider("peak factor", 1.0..=10.0);
        assert_eq!(grid::stops(&factor).len(), 11);
        assert!(grid::stops(&factor).contains(&5.5));
        let years = slider("years", 1.0..=50.0).value(5.0);
        assert_eq!(
            grid::stops(&years),
            [
                1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0
            ]
        );
        // Whole numbers one by one when few, else round ones; a choice offers its options.
        let copies = slider("copies", 1.0..=5.0).whole().value(3.0);
        assert_eq!(grid::stops(&copies), [1.0, 2.0, 3.0, 4.0, 5.0]);
        let shards = slider("shards", 1.0..=64.0).whole().value(7.0);
        let stops = grid::stops(&shards);
        assert!(stops.len() <= 16 && stops.iter().all(|v| v.fract() == 0.0));
        assert!(stops.contains(&1.0) && stops.contains(&7.0) && stops.contains(&64.0));
        let db = choice("database", [("big", 25e3), ("small", 5e3)]);
        assert_eq!(grid::stops(&db), [25e3, 5e3]);
        // Every kind stays within its bounds and its size.
        for s in [users, peak, hit, factor, years, shards] {
            let stops = grid::stops(&s);
            assert!(stops.len() <= 16, "{}: {stops:?}", s.name);
            assert_eq!((stops[0], stops[stops.len() - 1]), (s.min, s.max));
            assert!(stops.windows(2).all(|w| w[0] < w[1]), "{stops:?}");
        }
    }

    #[test]
    fn thinning_keeps_both_ends_and_the_start() {
        for n in 1..24 {
            for k in 1..=n + 1 {
                for keep in 0..n {
                    let picks = grid::thin(n, k, keep);
                    assert!(picks.contains(&keep), "{n} {k} {keep}: {picks:?}");
                    assert_eq!(picks.len(), k.min(n), "{n} {k} {keep}: {picks:?}");
                    assert!(picks.windows(2).all(|w| w[0] < w[1]));
                    if k >= 3 {
                        assert!(picks.contains(&0) && picks.contains(&(n - 1)));
                    }
                }
            }
        }
    }

    #[test]
    fn the_grid_stays_within_its_cap_and_the_first_slider_keeps_its_stops() {
        // The notebook's first view: users, reads per write, peak factor, copies.
        assert_eq!(grid::fit(vec![13, 7, 10, 5], 400), [13, 3, 3, 3]);
        for counts in [
            vec![13, 10, 11],
            vec![14, 11, 2],
            vec![16, 9, 9, 9, 9],
            vec![400, 400],
        ] {
            let fitted = grid::fit(counts.clone(), grid::MAX_POINTS);
            assert!(
                fitted.iter().product::<usize>() <= grid::MAX_POINTS,
                "{fitted:?}"
            );
            assert!(fitted.iter().zip(&counts).all(|(f, c)| f <= c && *f >= 1));
        }
        assert_eq!(grid::fit(vec![14, 11, 2], 400), [14, 11, 2]);
        assert_eq!(grid::fit(vec![13, 10, 11], 400)[0], 13);
    }

    #[test]
    fn the_grid_gives_back_every_rendering_and_stores_each_once() {
        // The answer depends on the first slider only: one rendering per stop of it.
        let view = what_if(
            [slider("x", 1.0..=10.0).value(3.0), slider("y", 0.0..=1.0)],
            |v: &[f64]| users(v[0]),
        )
        .view();
        let g = Grid::of(&view);
        assert_eq!(g.sliders[0].values.len(), 10);
        assert_eq!(g.sliders[0].start, 2);
        assert_eq!(g.points(), 10 * g.sliders[1].values.len());
        let distinct: std::collections::HashSet<u32> = g.main.iter().copied().collect();
        assert_eq!(distinct.len(), 10);
        let pieces: std::collections::HashSet<&String> = g.pieces.iter().collect();
        assert_eq!(pieces.len(), g.pieces.len());
        for (n, values) in grid_settings(&g).iter().enumerate() {
            let want = main_html(&view.run(values, Part::Main));
            assert_eq!(g.answer(g.main[n]), want, "{values:?}");
        }
        assert!(g.chart_note.is_empty() && g.chart.iter().all(Option::is_some));
        // The JSON can sit in a script element, and reads back.
        let json = g.to_json();
        assert!(!json.contains('<'), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["pieces"][0].as_str().unwrap(), g.pieces[0]);
        assert_eq!(back["sliders"][0]["labels"][2], "×3");
    }

    #[test]
    fn a_grid_over_its_budget_keeps_charts_along_the_first_slider_then_fewer_settings() {
        let w = Workload::new(users(100e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));
        let view = explore(&w)
            .vary(Param::Users, 1e3..=1e9)
            .vary(Param::PeakFactor, 1.0..=10.0)
            .view();
        // Every chart, without a budget.
        let all = Grid::within(&view, 60, usize::MAX);
        assert!(all.points() <= 60 && all.chart.iter().all(Option::is_some));
        assert!(all.chart_note.is_empty());
        // A byte less: charts along the first slider only, every estimate still there.
        let budget = all.bytes() - 1;
        let g = Grid::within(&view, 60, budget);
        assert!(g.bytes() <= budget && g.points() == all.points());
        assert_eq!(g.sliders[0].values.len(), 13);
        assert!(
            g.chart_note.contains("along users only"),
            "{}",
            g.chart_note
        );
        let settings = grid_settings(&g);
        for (n, values) in settings.iter().enumerate() {
            let on_line = values[1] == g.sliders[1].values[g.sliders[1].start];
            assert_eq!(g.chart[n].is_some(), on_line, "{values:?}");
            if let Some(chart) = g.chart[n] {
                assert_eq!(g.answer(chart), view.chart_html(values));
            }
            let want = main_html(&view.run(values, Part::Main));
            assert_eq!(g.answer(g.main[n]), want);
        }
        // Smaller still: fewer settings, the start among them.
        let budget = g.bytes() - 1;
        let small = Grid::within(&view, 60, budget);
        assert!(small.points() < g.points() && small.bytes() <= budget);
        assert!(small.sliders[0].values.contains(&100e6));
    }

    #[test]
    fn the_snapshot_carries_its_grid_and_reads_the_same_without_it() {
        let view = what_if([slider("x", 1.0..=10.0).value(3.0)], |v: &[f64]| {
            users(v[0])
        })
        .view();
        let values = view.values(&[]);
        let main = view.run(&values, Part::Main);
        let plain = snapshot_html(&view.sliders, &values, &main, "", None);
        assert!(plain.contains(SNAPSHOT_NOTE) && !plain.contains("<script"));
        let g = Grid::of(&view);
        let with = snapshot_html(&view.sliders, &values, &main, "", Some(&g));
        let script = "<script type=\"application/json\" class=\"napkin-grid\">";
        assert_eq!(with.matches(script).count(), 1);
        assert_eq!(with.matches("</script>").count(), 1);
        // Without scripts the page shows what it showed before.
        let start = with.find(script).unwrap();
        let end = with.find("</script>").unwrap() + "</script>".len();
        assert_eq!(format!("{}{}", &with[..start], &with[end..]), plain);
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
