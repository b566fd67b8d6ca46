//! DataFrames that read well: [`Frame`] wraps a polars `DataFrame` (a sweep's
//! result, or any frame a learner builds) and renders it as an HTML,
//! Markdown or plain-text table, numbers formatted by napkin's formatter
//! according to the unit in each column's name.

use std::fmt;
use std::ops::{Deref, DerefMut};

use polars::prelude::{AnyValue, BooleanChunked, DataFrame, DataType};

use crate::Error;
use crate::display::{Bundle, Rich};
use crate::format;
use crate::journey::STAGES;
use crate::table::{Align, Column, Table};

/// Rows shown from the top and from the bottom of a long frame.
const HEAD_ROWS: usize = 10;
const TAIL_ROWS: usize = 5;

/// A polars `DataFrame` that displays as a formatted table in notebooks.
///
/// Derefs to the `DataFrame`, so every polars method is there; [`Frame::rows_where`] and
/// [`Frame::pick`] filter and select by a column's name with or without its unit, and
/// [`Frame::into_inner`] takes the frame out.
#[derive(Clone)]
pub struct Frame {
    df: DataFrame,
}

impl From<DataFrame> for Frame {
    fn from(df: DataFrame) -> Frame {
        Frame { df }
    }
}

impl Deref for Frame {
    type Target = DataFrame;
    fn deref(&self) -> &DataFrame {
        &self.df
    }
}

impl DerefMut for Frame {
    fn deref_mut(&mut self) -> &mut DataFrame {
        &mut self.df
    }
}

impl Frame {
    /// The `DataFrame`.
    pub fn into_inner(self) -> DataFrame {
        self.df
    }

    /// The rows whose value in `column` passes `keep`, as a new frame:
    /// `sweep.rows_where("peak_requests", |qps| qps > 10_000.0)?`.
    ///
    /// `column` is a column's name with its unit (`"peak_requests [req/s]"`) or without it
    /// (`"peak_requests"`). Its values are read as numbers; a row with no value is left out.
    /// An unknown column is an [`Error::NoColumn`] listing the frame's columns; a column that
    /// is not numbers, an [`Error::NotNumeric`].
    pub fn rows_where(&self, column: &str, keep: impl Fn(f64) -> bool) -> Result<Frame, Error> {
        let mask: BooleanChunked = numbers(&self.df, column)?
            .into_iter()
            .map(|x| x.is_some_and(&keep))
            .collect();
        let df = self.df.filter(&mask)?;
        Ok(Frame { df })
    }

    /// The named columns, in the order given, as a new frame:
    /// `sweep.pick(["users", "peak_requests", "stage"])?`. Each name is a column's name with
    /// or without its unit; an unknown one is an [`Error::NoColumn`] listing the columns.
    pub fn pick<'a>(&self, columns: impl IntoIterator<Item = &'a str>) -> Result<Frame, Error> {
        let names = columns
            .into_iter()
            .map(|name| Ok(find(&self.df, name)?.name().clone()))
            .collect::<Result<Vec<_>, Error>>()?;
        let df = self.df.select(names)?;
        Ok(Frame { df })
    }

    /// The frame as a [`Table`], at most `max_rows` rows (the first and last
    /// ones, with a `…` row between).
    pub fn to_table(&self, max_rows: usize) -> Table {
        frame_table(&self.df, max_rows)
    }
}

/// The column called `name`, or whose name before its unit is `name` (`peak_requests` finds
/// `peak_requests [req/s]`); an [`Error::NoColumn`] listing the columns otherwise.
pub(crate) fn find<'a>(
    df: &'a DataFrame,
    name: &str,
) -> Result<&'a polars::prelude::Column, Error> {
    df.column(name)
        .ok()
        .or_else(|| {
            df.columns().iter().find(|c| {
                c.name()
                    .split_once(" [")
                    .is_some_and(|(base, _)| base == name)
            })
        })
        .ok_or_else(|| Error::NoColumn {
            name: name.to_string(),
            available: df
                .get_column_names()
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The values of column `name` (see [`find`]) as numbers, `None` where a row has none; an
/// [`Error::NotNumeric`] when the column is not numbers.
pub(crate) fn numbers(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, Error> {
    let not_numeric = |e: polars::prelude::PolarsError| Error::NotNumeric {
        name: name.to_string(),
        reason: e.to_string(),
    };
    let column = find(df, name)?;
    if !column.dtype().is_primitive_numeric() {
        return Err(Error::NotNumeric {
            name: name.to_string(),
            reason: format!("its values are {}", column.dtype()),
        });
    }
    let column = column.cast(&DataType::Float64).map_err(not_numeric)?;
    Ok(column.f64().map_err(not_numeric)?.iter().collect())
}

/// Formats one cell according to its column's unit.
fn cell(name: &str, value: &AnyValue<'_>) -> String {
    let x = match value {
        AnyValue::Null => return "—".to_string(),
        AnyValue::String(s) => return (*s).to_string(),
        AnyValue::StringOwned(s) => return s.to_string(),
        AnyValue::Boolean(b) => return b.to_string(),
        AnyValue::Float64(x) => *x,
        AnyValue::Float32(x) => f64::from(*x),
        AnyValue::Int32(x) => f64::from(*x),
        AnyValue::Int64(x) => *x as f64,
        AnyValue::UInt32(x) => f64::from(*x),
        AnyValue::UInt64(x) => *x as f64,
        other => return other.to_string(),
    };
    if name == "stage" {
        let n = x as usize;
        return match STAGES.get(n.wrapping_sub(1)) {
            Some(stage) => format!("{n} · {}", stage.name),
            None => format::grouped(x),
        };
    }
    crate::figure::Unit::of_column(name).cell(x)
}

/// Renders any `DataFrame` as a [`Table`] with napkin's number formatting:
/// `[B]` columns as bytes (`1.00 TB`), `[req/s]` and `users` as counts
/// (`11.6K`), `stage` with its name, numbers right-aligned.
pub fn frame_table(df: &DataFrame, max_rows: usize) -> Table {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            let numeric = c.dtype().is_primitive_numeric();
            if numeric && c.name().as_str() != "stage" {
                Column::new(c.name().to_string(), Align::Right)
            } else {
                Column::new(c.name().to_string(), Align::Left)
            }
        })
        .collect();
    let mut table = Table::with_columns(columns);
    let height = df.height();
    let max_rows = max_rows.max(2);
    let (head, tail) = if height <= max_rows {
        (height, 0)
    } else {
        let tail = (max_rows / 3).min(TAIL_ROWS.max(1));
        (max_rows - tail, tail)
    };
    let row = |i: usize| -> Vec<String> {
        df.columns()
            .iter()
            .zip(&names)
            .map(|(c, name)| match c.get(i) {
                Ok(v) => cell(name, &v),
                Err(_) => "—".to_string(),
            })
            .collect()
    };
    for i in 0..head {
        table.push_row(row(i));
    }
    if tail > 0 {
        table.push_row(vec!["…".to_string(); names.len()]);
        for i in height - tail..height {
            table.push_row(row(i));
        }
    }
    table.note(format!(
        "{} rows × {} columns",
        format::grouped(height as f64),
        names.len()
    ))
}

impl Rich for DataFrame {
    fn mime_bundle(&self) -> Bundle {
        let t = frame_table(self, HEAD_ROWS + TAIL_ROWS);
        crate::display::table_bundle(t.to_text(), &t)
    }
}

impl Rich for Frame {
    fn mime_bundle(&self) -> Bundle {
        self.df.mime_bundle()
    }
}

impl Frame {
    /// Shows the frame as a formatted table in an evcxr-based Jupyter kernel.
    pub fn evcxr_display(&self) {
        crate::display::emit(&crate::display::Rich::mime_bundle(self));
    }
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&frame_table(&self.df, HEAD_ROWS + TAIL_ROWS).to_text())
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.df, f)
    }
}
