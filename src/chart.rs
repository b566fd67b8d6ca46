//! Charts with plotters, as in-memory SVG (needing no system fonts) and PNG
//! (drawn with the bundled DejaVu Sans, no fontconfig): the scaling-journey
//! chart (peak QPS and storage per year against DAU on log axes, shaded
//! stage bands, a marker for your scenario), storage growth over the
//! retention period, and a generic line chart from sweep columns. Axis
//! labels use napkin's formatter (`1M`, `10K req/s`, `1.00 TB`).

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use polars::prelude::DataFrame;

use crate::display::{Bundle, Rich};
use crate::error::Error;
use crate::estimate::Bound;
use crate::estimate::{Estimate, Workload};
use crate::figure::Unit;
use crate::format;
use crate::journey::STAGES;
use crate::quantity::Users;
use crate::sweep::{bounded, log_range};

const FONT: &str = "sans-serif";
const WIDTH: u32 = 900;
const BAND_COLORS: [RGBColor; 5] = [
    RGBColor(232, 245, 233),
    RGBColor(227, 242, 253),
    RGBColor(255, 249, 219),
    RGBColor(252, 228, 236),
    RGBColor(243, 229, 245),
];
const LINE: RGBColor = RGBColor(33, 102, 172);
const SECOND_LINE: RGBColor = RGBColor(214, 96, 77);
const MARKER: RGBColor = RGBColor(200, 30, 30);

/// Registers the bundled font once; plotters needs it to measure text.
fn fonts() -> Result<(), Error> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Chart(
            "the bundled chart font could not be loaded".into(),
        ))
    }
}

/// One series of a line chart.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    name: String,
    points: Vec<(f64, f64)>,
    /// The range around the line, low and high at each point's x (a ranged sweep's
    /// `…_low`/`…_high` columns): drawn as a band.
    band: Option<Vec<(f64, f64, f64)>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Journey {
        users: Vec<f64>,
        peak: Vec<f64>,
        storage_per_year: Vec<f64>,
        /// For a ranged workload: peak requests and storage per year at every input's low
        /// and high, per users value.
        bands: Option<[Vec<(f64, f64, f64)>; 2]>,
        marker: Option<(f64, f64, f64)>,
    },
    Lines {
        series: Vec<Series>,
        x: (String, Unit, bool),
        y: (String, Unit, bool),
        area: bool,
    },
}

/// A chart: renders to SVG text and PNG bytes, and displays in notebooks as
/// `image/svg+xml` with an `image/png` fallback.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    title: String,
    height: u32,
    kind: Kind,
}

fn plot_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Chart(e.to_string())
}

fn finite_range(values: impl Iterator<Item = f64>, log: bool) -> Result<Range<f64>, Error> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return Err(Error::NothingToPlot(
            "no finite values (and none > 0 on a log axis)",
        ));
    }
    if log {
        Ok(lo / 1.5..hi * 1.5)
    } else if lo == hi {
        Ok(lo - 1.0..hi + 1.0)
    } else {
        let pad = (hi - lo) * 0.05;
        Ok((lo - pad).min(0.0f64.max(lo - pad))..hi + pad)
    }
}

impl Chart {
    /// The scaling-journey chart for `base`: peak requests and storage per
    /// year against DAU from 1K to 100M (wider if `base` lies outside),
    /// over the seed's five stages, with a marker at `base`'s users.
    pub fn journey(base: &Workload) -> Result<Chart, Error> {
        base.validate()?;
        let here = base.users;
        let lo = here.map_or(1e3, |u| u.min(1e3));
        let hi = here.map_or(1e8, |u| u.max(1e8));
        let users = log_range(lo, hi, 8)?;
        let mut w = *base;
        let mut peak = Vec::with_capacity(users.len());
        let mut storage = Vec::with_capacity(users.len());
        for &u in &users {
            w.users = Some(u);
            let f = w.figures();
            peak.push(f.peak_requests);
            storage.push(f.storage_per_year);
        }
        let bands = base.is_ranged().then(|| {
            let (mut low, mut high) = (base.at(Bound::Low), base.at(Bound::High));
            let mut peak = Vec::with_capacity(users.len());
            let mut storage = Vec::with_capacity(users.len());
            for &u in &users {
                low.users = Some(u);
                high.users = Some(u);
                let (l, h) = (low.figures(), high.figures());
                peak.push((u, l.peak_requests, h.peak_requests));
                storage.push((u, l.storage_per_year, h.storage_per_year));
            }
            [peak, storage]
        });
        let marker = here.map(|u| {
            let f = base.figures();
            (u, f.peak_requests, f.storage_per_year)
        });
        let title = match here {
            Some(u) => format!("Scaling journey — you are at {}", Users::raw(u)),
            None => "Scaling journey".to_string(),
        };
        // Without a size per write there is no storage to plot: one panel.
        let height = if storage.iter().any(|s| *s > 0.0) {
            720
        } else {
            380
        };
        Ok(Chart {
            title,
            height,
            kind: Kind::Journey {
                users,
                peak,
                storage_per_year: storage,
                bands,
                marker,
            },
        })
    }

    /// Storage growth over the retention period: data held after each year,
    /// one copy and all copies.
    pub fn storage_growth(estimate: &Estimate) -> Result<Chart, Error> {
        let w = &estimate.workload;
        let years = w.retention_years;
        let per_year_all = estimate
            .storage_per_year
            .value_in(crate::convention::Per::Year);
        let per_year_one = per_year_all / w.replication;
        let steps = 48usize;
        let points = |per_year: f64| -> Vec<(f64, f64)> {
            (0..=steps)
                .map(|i| {
                    let t = years * i as f64 / steps as f64;
                    (t, per_year * t)
                })
                .collect()
        };
        let mut series = vec![Series {
            name: "one copy".into(),
            points: points(per_year_one),
            band: None,
        }];
        if w.replication > 1.0 {
            series.push(Series {
                name: format!("{} copies", format::factor(w.replication)),
                points: points(per_year_all),
                band: None,
            });
        }
        Ok(Chart {
            title: format!(
                "Storage over {} years ({} at the end)",
                format::factor(years),
                estimate.storage_total
            ),
            height: 420,
            kind: Kind::Lines {
                series,
                x: ("years".into(), Unit::Plain, false),
                y: ("stored".into(), Unit::Bytes, false),
                area: true,
            },
        })
    }

    /// A line chart of sweep columns `ys` against column `x`, on log axes
    /// where asked. Axis labels follow the units in the column names.
    pub fn lines(
        frame: &DataFrame,
        x: &str,
        ys: &[&str],
        log_x: bool,
        log_y: bool,
    ) -> Result<Chart, Error> {
        let column = |name: &str| -> Result<Vec<f64>, Error> {
            Ok(crate::frame::numbers(frame, name)?
                .into_iter()
                .map(|x| x.unwrap_or(f64::NAN))
                .collect())
        };
        // Names without their unit (`peak_requests`) find their column; the chart's labels
        // and units come from the full names.
        let full = |name: &str| -> Result<String, Error> {
            Ok(crate::frame::find(frame, name)?.name().to_string())
        };
        let x = &full(x)?;
        let ys = ys
            .iter()
            .map(|y| full(y))
            .collect::<Result<Vec<_>, Error>>()?;
        if ys.is_empty() {
            return Err(Error::NothingToPlot("lines needs at least one y column"));
        }
        let xs = column(x)?;
        let mut series = Vec::new();
        for y in &ys {
            let values = column(y)?;
            let mut points: Vec<(f64, f64)> = xs.iter().copied().zip(values).collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            // A ranged sweep's bounds, when the frame has them, draw a band around the line.
            let (low, high) = (bounded(y, "_low"), bounded(y, "_high"));
            let band = if frame.column(&low).is_ok() && frame.column(&high).is_ok() {
                let (low, high) = (column(&low)?, column(&high)?);
                let mut band: Vec<(f64, f64, f64)> =
                    (0..xs.len()).map(|i| (xs[i], low[i], high[i])).collect();
                band.sort_by(|a, b| a.0.total_cmp(&b.0));
                Some(band)
            } else {
                None
            };
            series.push(Series {
                name: y.to_string(),
                points,
                band,
            });
        }
        let y_unit = Unit::of_column(&ys[0]);
        Ok(Chart {
            title: format!("{} by {x}", ys.join(", ")),
            height: 420,
            kind: Kind::Lines {
                series,
                x: (x.to_string(), Unit::of_column(x), log_x),
                y: (ys[0].to_string(), y_unit, log_y),
                area: false,
            },
        })
    }

    /// The chart's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The chart as an SVG document.
    pub fn to_svg(&self) -> Result<String, Error> {
        fonts()?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, self.height)).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(plot_error)?;
        }
        Ok(svg)
    }

    /// The chart as PNG bytes.
    pub fn to_png(&self) -> Result<Vec<u8>, Error> {
        fonts()?;
        let (w, h) = (WIDTH, self.height);
        let mut rgb = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(plot_error)?;
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| Error::Chart(format!("PNG encoding failed: {e}")))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| Error::Chart(format!("PNG encoding failed: {e}")))?;
        writer
            .finish()
            .map_err(|e| Error::Chart(format!("PNG encoding failed: {e}")))?;
        Ok(out)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), Error>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(plot_error)?;
        let root = root
            .titled(&self.title, (FONT, 22).into_font().style(FontStyle::Bold))
            .map_err(plot_error)?;
        match &self.kind {
            Kind::Journey {
                users,
                peak,
                storage_per_year,
                bands,
                marker,
            } => {
                let two_panels = storage_per_year.iter().any(|s| *s > 0.0);
                let (top, bottom) = if two_panels {
                    root.split_vertically(self.height / 2 + 10)
                } else {
                    root.split_vertically(self.height)
                };
                let x = users[0]..users[users.len() - 1];
                let m = marker.map(|(u, p, _)| (u, p));
                journey_panel(
                    &top,
                    x.clone(),
                    users,
                    peak,
                    bands.as_ref().map(|b| b[0].as_slice()),
                    "peak requests [req/s]",
                    Unit::RequestsPerSecond,
                    m,
                    true,
                )?;
                if !two_panels {
                    return Ok(());
                }
                let m = marker.map(|(u, _, s)| (u, s));
                journey_panel(
                    &bottom,
                    x,
                    users,
                    storage_per_year,
                    bands.as_ref().map(|b| b[1].as_slice()),
                    "storage per year",
                    Unit::Bytes,
                    m,
                    false,
                )?;
            }
            Kind::Lines { series, x, y, area } => {
                lines_panel(&root, series, x, y, *area)?;
            }
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn journey_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: Range<f64>,
    users: &[f64],
    values: &[f64],
    band: Option<&[(f64, f64, f64)]>,
    what: &str,
    unit: Unit,
    marker: Option<(f64, f64)>,
    labels: bool,
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    let bounds = band
        .into_iter()
        .flatten()
        .flat_map(|&(_, low, high)| [low, high]);
    let y = finite_range(
        values
            .iter()
            .copied()
            .chain(marker.map(|m| m.1))
            .chain(bounds),
        true,
    )?;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(90)
        .build_cartesian_2d(x.clone().log_scale(), y.clone().log_scale())
        .map_err(plot_error)?;
    for (i, stage) in STAGES.iter().enumerate() {
        let start = stage.from_users.max(x.start);
        let end = STAGES.get(i + 1).map_or(x.end, |s| s.from_users).min(x.end);
        if start >= end {
            continue;
        }
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(start, y.start), (end, y.end)],
                BAND_COLORS[i].filled(),
            )))
            .map_err(plot_error)?;
        if labels {
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{} · {}", stage.number, stage.short),
                    (start * 1.15, y.end / 1.6),
                    (FONT, 13).into_font().color(&BLACK.mix(0.75)),
                )))
                .map_err(plot_error)?;
        }
    }
    chart
        .configure_mesh()
        .x_desc("daily active users")
        .y_desc(what)
        .x_label_formatter(&|v| Unit::Count.label(*v))
        .y_label_formatter(&|v| unit.label(*v))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.12))
        .draw()
        .map_err(plot_error)?;
    if let Some(band) = band {
        chart
            .draw_series(std::iter::once(band_polygon(band, LINE)))
            .map_err(plot_error)?;
    }
    chart
        .draw_series(LineSeries::new(
            users.iter().copied().zip(values.iter().copied()),
            LINE.stroke_width(3),
        ))
        .map_err(plot_error)?;
    if let Some((u, v)) = marker {
        chart
            .draw_series(std::iter::once(Circle::new((u, v), 7, MARKER.filled())))
            .map_err(plot_error)?;
        let label = format!("{} users: {}", format::compact(u), unit.label(v));
        // Near the right edge the label goes to the left of the marker.
        let at = if u * 40.0 > x.end {
            (u / 10f64.powf(0.044 * label.len() as f64), v / 2.2)
        } else {
            (u * 1.2, v / 1.35)
        };
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                at,
                (FONT, 14).into_font().color(&MARKER),
            )))
            .map_err(plot_error)?;
    }
    Ok(())
}

/// A range as a shaded polygon: along the lows, back along the highs.
fn band_polygon(band: &[(f64, f64, f64)], color: RGBColor) -> Polygon<(f64, f64)> {
    let finite = |p: &&(f64, f64, f64)| p.0.is_finite() && p.1.is_finite() && p.2.is_finite();
    let lows = band.iter().filter(finite).map(|&(x, low, _)| (x, low));
    let highs = band
        .iter()
        .rev()
        .filter(finite)
        .map(|&(x, _, high)| (x, high));
    Polygon::new(
        lows.chain(highs).collect::<Vec<_>>(),
        color.mix(0.18).filled(),
    )
}

fn lines_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series],
    (x_name, x_unit, log_x): &(String, Unit, bool),
    (y_name, y_unit, log_y): &(String, Unit, bool),
    fill: bool,
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let bounds = series.iter().flat_map(|s| {
        s.band
            .iter()
            .flatten()
            .flat_map(|&(_, low, high)| [low, high])
    });
    let ys = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(bounds);
    let x = finite_range(xs, *log_x)?;
    let y = finite_range(ys, *log_y)?;
    let colors = [
        LINE,
        SECOND_LINE,
        RGBColor(27, 158, 119),
        RGBColor(117, 112, 179),
    ];
    macro_rules! plot {
        ($xr:expr, $yr:expr) => {{
            let mut chart = ChartBuilder::on(area)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(90)
                .build_cartesian_2d($xr, $yr)
                .map_err(plot_error)?;
            chart
                .configure_mesh()
                .x_desc(x_name.as_str())
                .y_desc(y_name.as_str())
                .x_label_formatter(&|v| x_unit.label(*v))
                .y_label_formatter(&|v| y_unit.label(*v))
                .label_style((FONT, 13))
                .axis_desc_style((FONT, 14))
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.12))
                .draw()
                .map_err(plot_error)?;
            for (i, s) in series.iter().enumerate() {
                let color = colors[i % colors.len()];
                if let Some(band) = &s.band {
                    chart
                        .draw_series(std::iter::once(band_polygon(band, color)))
                        .map_err(plot_error)?;
                }
                let points = s
                    .points
                    .iter()
                    .copied()
                    .filter(|(a, b)| a.is_finite() && b.is_finite());
                if fill {
                    chart
                        .draw_series(
                            AreaSeries::new(points, y.start, color.mix(0.2))
                                .border_style(color.stroke_width(3)),
                        )
                        .map_err(plot_error)?
                        .label(s.name.as_str())
                        .legend(move |(a, b)| {
                            PathElement::new([(a, b), (a + 20, b)], color.stroke_width(3))
                        });
                } else {
                    chart
                        .draw_series(LineSeries::new(points, color.stroke_width(3)))
                        .map_err(plot_error)?
                        .label(s.name.as_str())
                        .legend(move |(a, b)| {
                            PathElement::new([(a, b), (a + 20, b)], color.stroke_width(3))
                        });
                }
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .label_font((FONT, 13))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.2))
                .draw()
                .map_err(plot_error)?;
        }};
    }
    match (log_x, log_y) {
        (true, true) => plot!(x.clone().log_scale(), y.clone().log_scale()),
        (true, false) => plot!(x.clone().log_scale(), y.clone()),
        (false, true) => plot!(x.clone(), y.clone().log_scale()),
        (false, false) => plot!(x.clone(), y.clone()),
    }
    Ok(())
}

impl Rich for Chart {
    fn mime_bundle(&self) -> Bundle {
        let mut bundle = vec![("text/plain", self.to_string())];
        match self.to_svg() {
            Ok(svg) => bundle.push(("image/svg+xml", svg)),
            Err(e) => bundle[0].1 = format!("{self}: {e}"),
        }
        if let Ok(png) = self.to_png() {
            use base64::Engine;
            bundle.push((
                "image/png",
                base64::engine::general_purpose::STANDARD.encode(png),
            ));
        }
        bundle
    }
}

impl Chart {
    /// Shows the chart in an evcxr-based Jupyter kernel (SVG, PNG fallback).
    pub fn evcxr_display(&self) {
        crate::display::emit(&crate::display::Rich::mime_bundle(self));
    }
}

impl fmt::Display for Chart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Chart: {}", self.title)
    }
}
