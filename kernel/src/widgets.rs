//! Jupyter widgets for napkin's live views (`explore`, `what_if`): comms both ways and the
//! widget messaging protocol 2.1 (`jupyter.widget`, `jupyter.widget.control`, and the
//! `jupyter.widget.version` handshake older frontends open), with models from
//! `@jupyter-widgets/controls` 2.0.
//!
//! A cell that shows a live view sends a [`napkin_channel::View`] on the private channel (see
//! `napkin::widget`): the sliders, the first rendering, and the Unix socket and token of the
//! view's listener in the process that runs the cells. [`Widgets::open`] checks it and turns
//! it into models — a slider and a label
//! per parameter, an HTML model for the estimate and one for the chart, in boxes — and the
//! `display_data` that shows them, with a static HTML snapshot for exports.
//!
//! When the frontend moves a slider, [`Widgets::comm_msg`] stores the value (clamped to the
//! slider's range), echoes it (`echo_update`) and hands it to the view's worker thread, which
//! sends it to the listener and publishes what comes back: labels and estimate first, the
//! chart after. Nothing is compiled. The worker keeps only the latest value: a fast drag
//! never queues up. If the listener is gone (the Rust process was restarted), the view is
//! disabled and says so; a shutdown or restart of the kernel does the same for every view.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use napkin_channel::ViewAnswer;

use jupyter_protocol::{
    CommClose, CommId, CommInfo, CommInfoReply, CommMsg, CommOpen, DisplayData, JupyterMessage,
    JupyterMessageContent,
};
use serde_json::{Map, Value, json};

use crate::transport::Outbox;

/// The widget messaging protocol this kernel speaks (ipywidgets 8).
pub const PROTOCOL_VERSION: &str = "2.1.0";
/// The comm target of widget models.
pub const WIDGET_TARGET: &str = "jupyter.widget";
/// The comm target a frontend opens to fetch every model's state at once.
pub const CONTROL_TARGET: &str = "jupyter.widget.control";
/// The version handshake of protocol 1 frontends: the kernel answers with the range of
/// frontend versions it speaks to (protocol 2 frontends no longer open it).
pub const VERSION_TARGET: &str = "jupyter.widget.version";
/// The MIME type that displays a widget.
pub const VIEW_MIME: &str = "application/vnd.jupyter.widget-view+json";

const CONTROLS: &str = "@jupyter-widgets/controls";
const BASE: &str = "@jupyter-widgets/base";
const MODULE_VERSION: &str = "2.0.0";

/// What a view shows once its Rust process is gone.
const INERT: &str = "The kernel's Rust process restarted, so these sliders are inert: run the \
                     cell again.";
/// The least time between publishing an estimate and its chart: a frame of a 60 Hz display
/// and a little more, so the estimate is painted first.
const CHART_AFTER: Duration = Duration::from_millis(20);
/// How long the worker waits for its listener to answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest answer line read from a listener (a chart is the largest).
const MAX_ANSWER: u64 = napkin_channel::MAX_MESSAGE as u64;

/// Every comm this kernel has open, and the live views behind them.
pub struct Widgets {
    outbox: Outbox,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    comms: HashMap<String, Comm>,
    views: Vec<Arc<LiveView>>,
}

/// One open comm.
struct Comm {
    target: String,
    /// A widget model's state (none for the control comm).
    model: Option<Map<String, Value>>,
    /// The slider this comm is, if it is one.
    slider: Option<(Arc<LiveView>, usize)>,
}

/// A view's slider: its comm, its label's comm and its range.
struct SliderLink {
    comm: String,
    label: String,
    name: String,
    min: f64,
    max: f64,
    /// A dropdown's option values, in order (empty for a slider).
    options: Vec<f64>,
    /// Whole numbers only.
    whole: bool,
}

/// What the worker should do next.
#[derive(Default)]
struct Pending {
    values: Vec<f64>,
    parent: Option<JupyterMessage>,
    dirty: bool,
    /// A note to show once above the next rendering (a clamped value).
    note: Option<String>,
    /// Whether a clamped value has been noted already (it is said once per view).
    noted: bool,
    dead: bool,
    stop: bool,
}

/// One live view: where its callback listens, and the comms it updates.
struct LiveView {
    socket: std::path::PathBuf,
    token: String,
    view: u64,
    sliders: Vec<SliderLink>,
    main: String,
    chart: String,
    pending: Mutex<Pending>,
    wake: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    /// Stores `changes` in model `comm`'s state, if it is a model.
    fn keep(&mut self, comm: &str, changes: &Map<String, Value>) {
        if let Some(model) = self.comms.get_mut(comm).and_then(|c| c.model.as_mut()) {
            model.extend(changes.clone());
        }
    }
}

impl Widgets {
    /// No comms yet; messages go out through `outbox`.
    pub fn new(outbox: Outbox) -> Widgets {
        Widgets {
            outbox,
            state: Mutex::new(State::default()),
        }
    }

    fn publish(&self, parent: Option<&JupyterMessage>, content: impl Into<JupyterMessageContent>) {
        self.outbox
            .publish(JupyterMessage::new(content.into(), parent));
    }

    /// Opens a model with `state` as a child of `parent`; returns its comm id.
    fn open_model(
        &self,
        state: &mut State,
        parent: &JupyterMessage,
        model: Map<String, Value>,
    ) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut data = Map::new();
        data.insert("state".into(), Value::Object(model.clone()));
        data.insert("buffer_paths".into(), json!([]));
        let open = CommOpen {
            comm_id: CommId(id.clone()),
            target_name: WIDGET_TARGET.into(),
            data,
            target_module: None,
        };
        self.outbox.publish(
            JupyterMessage::new(JupyterMessageContent::from(open), Some(parent))
                .with_metadata(json!({"version": PROTOCOL_VERSION})),
        );
        state.comms.insert(
            id.clone(),
            Comm {
                target: WIDGET_TARGET.into(),
                model: Some(model),
                slider: None,
            },
        );
        id
    }

    /// Turns a live view into widget models, opened as children of `parent`, and returns the
    /// `display_data` that shows them, or why it cannot (a slider without a finite range, a
    /// choice without options).
    pub fn open(
        self: &Arc<Self>,
        spec: &napkin_channel::View,
        parent: &JupyterMessage,
    ) -> Result<DisplayData, String> {
        for s in &spec.sliders {
            let finite = s.min.is_finite() && s.max.is_finite() && s.value.is_finite();
            if !finite || s.min > s.max || s.options.iter().any(|(_, v)| !v.is_finite()) {
                return Err(format!(
                    "slider {:?} cannot be shown: it needs finite values with min <= max \
                     (got {}..={}, starting at {})",
                    s.name, s.min, s.max, s.value
                ));
            }
        }
        let sliders = &spec.sliders;
        let mut state = lock(&self.state);
        let layout = |width: &str| model(BASE, "Layout", json!({"width": width}));
        let mut rows = Vec::new();
        let mut links = Vec::new();
        for s in sliders {
            let name = s.name.clone();
            let (min, max, value) = (s.min, s.max, s.value);
            let (log, whole) = (s.log && min > 0.0, s.whole);
            let options = s.options.clone();
            let style = self.open_model(
                &mut state,
                parent,
                model(
                    CONTROLS,
                    "SliderStyle",
                    json!({"description_width": "initial"}),
                ),
            );
            let slider_layout = self.open_model(&mut state, parent, layout("460px"));
            let (kind, bounds) = if !options.is_empty() {
                let index = options.iter().position(|(_, v)| *v == value).unwrap_or(0);
                let labels: Vec<&str> = options.iter().map(|(l, _)| l.as_str()).collect();
                (
                    "Dropdown",
                    json!({"_options_labels": labels, "index": index}),
                )
            } else if whole {
                (
                    "IntSlider",
                    json!({"min": min.round(), "max": max.round(), "step": 1}),
                )
            } else if log {
                (
                    "FloatLogSlider",
                    json!({"min": min.log10(), "max": max.log10(), "base": 10.0, "step": 0.01}),
                )
            } else {
                (
                    "FloatSlider",
                    json!({"min": min, "max": max, "step": nice_step(min, max)}),
                )
            };
            let mut slider_state = model(
                CONTROLS,
                kind,
                json!({
                    "description": name,
                    "disabled": false,
                    "style": reference(&style),
                    "layout": reference(&slider_layout),
                }),
            );
            if options.is_empty() {
                slider_state.extend(Map::from_iter([
                    (
                        "value".to_string(),
                        if whole {
                            json!(value.round())
                        } else {
                            json!(value)
                        },
                    ),
                    ("readout".to_string(), json!(false)),
                    ("continuous_update".to_string(), json!(true)),
                ]));
            }
            if let Value::Object(b) = bounds {
                slider_state.extend(b);
            }
            let slider = self.open_model(&mut state, parent, slider_state);
            let label = self.html(&mut state, parent, &s.label);
            let row_layout = self.open_model(&mut state, parent, layout("auto"));
            rows.push(self.open_model(
                &mut state,
                parent,
                model(
                    CONTROLS,
                    "HBox",
                    json!({"children": [reference(&slider), reference(&label)],
                           "layout": reference(&row_layout)}),
                ),
            ));
            links.push(SliderLink {
                comm: slider,
                label,
                name,
                min,
                max,
                options: options.iter().map(|(_, v)| *v).collect(),
                whole,
            });
        }
        let main = self.html(&mut state, parent, &spec.html);
        let chart = self.html(&mut state, parent, &spec.chart);
        let mut children: Vec<Value> = rows.iter().map(|r| reference(r)).collect();
        children.push(reference(&main));
        children.push(reference(&chart));
        let box_layout = self.open_model(&mut state, parent, layout("auto"));
        let root = self.open_model(
            &mut state,
            parent,
            model(
                CONTROLS,
                "VBox",
                json!({"children": children, "layout": reference(&box_layout)}),
            ),
        );
        let live = Arc::new(LiveView {
            socket: spec.socket.clone(),
            token: spec.token.clone(),
            view: spec.id,
            sliders: links,
            main,
            chart,
            pending: Mutex::new(Pending::default()),
            wake: Condvar::new(),
        });
        for (index, link) in live.sliders.iter().enumerate() {
            if let Some(comm) = state.comms.get_mut(&link.comm) {
                comm.slider = Some((Arc::clone(&live), index));
            }
        }
        {
            let mut pending = lock(&live.pending);
            pending.values = sliders.iter().map(|s| s.value).collect();
        }
        state.views.push(Arc::clone(&live));
        drop(state);
        let widgets = Arc::clone(self);
        let worker = Arc::clone(&live);
        if let Err(error) = std::thread::Builder::new()
            .name("napkin-widget-view".into())
            .spawn(move || widgets.serve(&worker))
        {
            log!("could not start a widget worker: {error}");
        }
        let mut data = Map::new();
        data.insert(
            VIEW_MIME.into(),
            json!({"version_major": 2, "version_minor": 0, "model_id": root}),
        );
        data.insert("text/html".into(), Value::String(spec.snapshot.clone()));
        data.insert(
            "text/plain".into(),
            Value::String(format!(
                "A live view with {} sliders (widgets of napkin-kernel)",
                live.sliders.len()
            )),
        );
        let media = serde_json::from_value(Value::Object(data)).map_err(|e| e.to_string())?;
        Ok(DisplayData::new(media))
    }

    /// Opens an HTML model showing `html`.
    fn html(&self, state: &mut State, parent: &JupyterMessage, html: &str) -> String {
        let style = self.open_model(state, parent, model(CONTROLS, "HTMLStyle", json!({})));
        let layout = self.open_model(state, parent, model(BASE, "Layout", json!({})));
        self.open_model(
            state,
            parent,
            model(
                CONTROLS,
                "HTML",
                json!({"value": html, "style": reference(&style), "layout": reference(&layout)}),
            ),
        )
    }

    /// Sends `changes` of model `comm` to the frontend (and keeps them).
    fn update(&self, parent: Option<&JupyterMessage>, comm: &str, changes: Value) {
        let Value::Object(changes) = changes else {
            return;
        };
        lock(&self.state).keep(comm, &changes);
        self.publish(
            parent,
            CommMsg {
                comm_id: CommId(comm.into()),
                data: method("update", changes),
            },
        );
    }

    /// `comm_open` from the frontend: the control comm, a model it re-opens, or an unknown
    /// target (closed at once, as the protocol asks).
    pub fn comm_open(&self, request: &JupyterMessage, open: &CommOpen) {
        let mut state = lock(&self.state);
        match open.target_name.as_str() {
            CONTROL_TARGET => {
                state.comms.insert(
                    open.comm_id.0.clone(),
                    Comm {
                        target: CONTROL_TARGET.into(),
                        model: None,
                        slider: None,
                    },
                );
            }
            VERSION_TARGET => {
                state.comms.insert(
                    open.comm_id.0.clone(),
                    Comm {
                        target: VERSION_TARGET.into(),
                        model: None,
                        slider: None,
                    },
                );
                drop(state);
                self.publish(
                    Some(request),
                    CommMsg {
                        comm_id: open.comm_id.clone(),
                        data: Map::from_iter([("version".to_string(), json!("~2.1.0"))]),
                    },
                );
            }
            WIDGET_TARGET if state.comms.contains_key(&open.comm_id.0) => {}
            target => {
                drop(state);
                log!("comm_open for unknown target {target:?}: closed");
                self.publish(
                    Some(request),
                    CommClose {
                        comm_id: open.comm_id.clone(),
                        data: Map::new(),
                    },
                );
            }
        }
    }

    /// `comm_msg` from the frontend: state requests, slider updates; anything else is logged
    /// and dropped.
    pub fn comm_msg(&self, request: &JupyterMessage, message: &CommMsg) {
        let id = message.comm_id.0.as_str();
        let method_name = message.data.get("method").and_then(Value::as_str);
        let mut state = lock(&self.state);
        let Some(comm) = state.comms.get(id) else {
            log!("comm_msg for unknown comm {id}: dropped");
            return;
        };
        match (comm.target.as_str(), method_name) {
            (CONTROL_TARGET, Some("request_states")) => {
                let states: Map<String, Value> = state
                    .comms
                    .iter()
                    .filter_map(|(id, c)| Some((id.clone(), Value::Object(c.model.clone()?))))
                    .collect();
                drop(state);
                self.publish(
                    Some(request),
                    CommMsg {
                        comm_id: CommId(id.into()),
                        data: Map::from_iter([
                            ("method".to_string(), json!("update_states")),
                            ("states".to_string(), Value::Object(states)),
                            ("buffer_paths".to_string(), json!({})),
                        ]),
                    },
                );
            }
            (WIDGET_TARGET, Some("request_state")) => {
                let full = comm.model.clone().unwrap_or_default();
                drop(state);
                self.publish(
                    Some(request),
                    CommMsg {
                        comm_id: CommId(id.into()),
                        data: method("update", full),
                    },
                );
            }
            (WIDGET_TARGET, Some("update")) => {
                let Some(Value::Object(changes)) = message.data.get("state") else {
                    log!("comm_msg update without a state object for {id}: dropped");
                    return;
                };
                let slider = comm.slider.clone();
                let mut changes = changes.clone();
                if let Some((view, index)) = &slider {
                    let link = &view.sliders[*index];
                    // A dropdown sends the chosen option's index.
                    if !link.options.is_empty()
                        && let Some(i) = changes.get("index").and_then(Value::as_f64)
                    {
                        let last = link.options.len() - 1;
                        let i = (i.max(0.0) as usize).min(last);
                        changes.insert("index".into(), json!(i));
                        changes.insert("value".into(), json!(link.options[i]));
                    }
                    let Some(given) = changes.get("value").and_then(Value::as_f64) else {
                        // Not a value change (focus, a layout): keep it, nothing to compute.
                        state.keep(id, &changes);
                        return;
                    };
                    let mut value = given.clamp(link.min, link.max);
                    if link.whole {
                        value = value.round();
                    }
                    if link.options.is_empty() {
                        changes.insert("value".into(), json!(value));
                    } else {
                        // The model keeps its index; the value is for the callback only.
                        changes.remove("value");
                    }
                    state.keep(id, &changes);
                    drop(state);
                    // 2.1: echo what was taken, so every frontend shows the same value.
                    self.publish(
                        Some(request),
                        CommMsg {
                            comm_id: CommId(id.into()),
                            data: method("echo_update", changes.clone()),
                        },
                    );
                    let mut pending = lock(&view.pending);
                    if (given < link.min || given > link.max) && !pending.noted {
                        pending.noted = true;
                        pending.note = Some(format!(
                            "{} = {} is outside {} … {}: using {}.",
                            link.name,
                            short(given),
                            short(link.min),
                            short(link.max),
                            short(value)
                        ));
                        log!("widget value {given} clamped to {value}");
                    }
                    if let Some(slot) = pending.values.get_mut(*index) {
                        *slot = value;
                    }
                    pending.parent = Some(request.clone());
                    pending.dirty = true;
                    view.wake.notify_one();
                } else {
                    state.keep(id, &changes);
                }
            }
            (VERSION_TARGET, _) => {
                let validated = message.data.get("validated").and_then(Value::as_bool);
                if validated == Some(false) {
                    log!(
                        "the frontend's widgets do not speak protocol 2: {:?}",
                        message.data
                    );
                }
            }
            (_, other) => log!("comm_msg {other:?} on {id}: not handled, dropped"),
        }
    }

    /// `comm_close` from the frontend.
    pub fn comm_close(&self, close: &CommClose) {
        lock(&self.state).comms.remove(&close.comm_id.0);
    }

    /// `comm_info_request`: the open comms, of `target` if given.
    pub fn comm_info(&self, target: Option<&str>) -> CommInfoReply {
        let state = lock(&self.state);
        let comms = state
            .comms
            .iter()
            .filter(|(_, c)| target.is_none_or(|t| t == c.target))
            .map(|(id, c)| {
                (
                    CommId(id.clone()),
                    CommInfo {
                        target_name: c.target.clone(),
                    },
                )
            })
            .collect();
        CommInfoReply {
            comms,
            ..CommInfoReply::default()
        }
    }

    /// Disables every view and says why (the kernel is shutting down or restarting).
    pub fn retire_all(&self, parent: &JupyterMessage) {
        let views = std::mem::take(&mut lock(&self.state).views);
        for view in views {
            self.retire(Some(parent), &view, INERT);
            let mut pending = lock(&view.pending);
            pending.stop = true;
            view.wake.notify_one();
        }
    }

    fn retire(&self, parent: Option<&JupyterMessage>, view: &LiveView, why: &str) {
        for link in &view.sliders {
            self.update(parent, &link.comm, json!({"disabled": true}));
        }
        self.update(
            parent,
            &view.main,
            json!({"value": format!("<p style=\"color:#b00020\"><b>{why}</b></p>")}),
        );
        lock(&view.pending).dead = true;
    }

    /// The view's worker: waits for slider values, asks the listener, publishes the answers.
    fn serve(&self, view: &LiveView) {
        let mut connection: Option<Connection> = None;
        loop {
            let (values, parent, note) = {
                let mut pending = lock(&view.pending);
                while !pending.dirty && !pending.stop {
                    pending = view
                        .wake
                        .wait(pending)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if pending.stop || pending.dead {
                    return;
                }
                pending.dirty = false;
                (
                    pending.values.clone(),
                    pending.parent.clone(),
                    pending.note.take(),
                )
            };
            match self.ask(view, &mut connection, &values, parent.as_ref(), note) {
                Ok(()) => {}
                Err(error) => {
                    log!("widget view {} lost its listener: {error}", view.view);
                    self.retire(parent.as_ref(), view, INERT);
                    return;
                }
            }
        }
    }

    /// One round trip: send the values, publish each answer as it arrives.
    fn ask(
        &self,
        view: &LiveView,
        connection: &mut Option<Connection>,
        values: &[f64],
        parent: Option<&JupyterMessage>,
        note: Option<String>,
    ) -> std::io::Result<()> {
        if connection.is_none() {
            *connection = Some(Connection::open(view)?);
        }
        let Some(Connection { stream, reader }) = connection.as_mut() else {
            return Ok(());
        };
        let request = napkin_channel::ViewRequest {
            view: view.view,
            values: values.to_vec(),
        };
        serde_json::to_writer(&mut *stream, &request)?;
        stream.write_all(b"\n")?;
        stream.flush()?;
        let mut note = note;
        let mut estimate_shown: Option<std::time::Instant> = None;
        loop {
            let mut line = Vec::new();
            let read = reader
                .by_ref()
                .take(MAX_ANSWER)
                .read_until(b'\n', &mut line)?;
            if read == 0 || !line.ends_with(b"\n") {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the listener closed the connection or sent too long an answer",
                ));
            }
            let answer = match serde_json::from_slice::<ViewAnswer>(&line) {
                Ok(answer) => answer,
                Err(error) => {
                    log!("an unreadable answer from live view {}: {error}", view.view);
                    continue;
                }
            };
            match answer {
                ViewAnswer::Main { labels, html, .. } => {
                    for (link, label) in view.sliders.iter().zip(labels) {
                        self.update(parent, &link.label, json!({"value": label}));
                    }
                    let html = match note.take() {
                        Some(note) => format!(
                            "<p><i>{}</i></p>{html}",
                            note.replace('&', "&amp;").replace('<', "&lt;")
                        ),
                        None => html,
                    };
                    self.update(parent, &view.main, json!({"value": html}));
                    estimate_shown = Some(std::time::Instant::now());
                }
                ViewAnswer::Chart { html } => {
                    // A frame between the two: a browser handles messages that arrive together
                    // in one go, so the estimate would otherwise wait for the chart to be drawn.
                    if let Some(shown) = estimate_shown {
                        std::thread::sleep(CHART_AFTER.saturating_sub(shown.elapsed()));
                    }
                    self.update(parent, &view.chart, json!({"value": html}));
                }
                ViewAnswer::Done => return Ok(()),
                ViewAnswer::Refused { reason } => {
                    log!("live view {} refused a request: {reason}", view.view);
                    return Ok(());
                }
                other => log!("an answer this kernel does not handle: {other:?}"),
            }
        }
    }
}

/// A worker's connection to its view's listener, past the token.
struct Connection {
    stream: Stream,
    reader: BufReader<Stream>,
}

#[cfg(unix)]
type Stream = UnixStream;
#[cfg(not(unix))]
type Stream = std::net::TcpStream;

impl Connection {
    /// Connects to `view`'s listener and presents its token.
    #[cfg(unix)]
    fn open(view: &LiveView) -> std::io::Result<Self> {
        let mut stream = UnixStream::connect(&view.socket)?;
        stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
        writeln!(stream, "{}", view.token)?;
        let reader = BufReader::new(stream.try_clone()?);
        Ok(Self { stream, reader })
    }

    /// Live views need Unix sockets.
    #[cfg(not(unix))]
    fn open(_: &LiveView) -> std::io::Result<Self> {
        Err(std::io::Error::other("live views need Unix sockets"))
    }
}

/// A model's state: its module, name and view, and `extra`.
fn model(module: &str, name: &str, extra: Value) -> Map<String, Value> {
    let view = if module == BASE {
        json!({"_view_module": BASE, "_view_name": "LayoutView"})
    } else if name.ends_with("Style") {
        json!({"_view_module": BASE, "_view_name": "StyleView"})
    } else {
        json!({"_view_module": CONTROLS, "_view_name": format!("{name}View")})
    };
    let mut state = Map::new();
    state.insert("_model_module".into(), json!(module));
    state.insert("_model_module_version".into(), json!(MODULE_VERSION));
    state.insert("_model_name".into(), json!(format!("{name}Model")));
    state.insert("_view_module_version".into(), json!(MODULE_VERSION));
    if let Value::Object(view) = view {
        state.extend(view);
    }
    if let Value::Object(extra) = extra {
        state.extend(extra);
    }
    state
}

/// A round step giving at least a hundred positions over `min..max` (0.01 for 1–10, 1 for
/// 1–1000), so round starting values such as 3 lie on the slider's grid.
fn nice_step(min: f64, max: f64) -> f64 {
    let span = (max - min).abs();
    if span > 0.0 && span.is_finite() {
        10f64.powf((span / 100.0).log10().floor())
    } else {
        1.0
    }
}

/// A number short enough for a note: `1000`, `2.5`, `1.00e15`.
fn short(x: f64) -> String {
    if x.abs() >= 1e6 || (x != 0.0 && x.abs() < 1e-3) {
        format!("{x:.2e}")
    } else {
        format!("{}", (x * 1000.0).round() / 1000.0)
    }
}

/// A reference to model `id` in another model's state.
fn reference(id: &str) -> Value {
    Value::String(format!("IPY_MODEL_{id}"))
}

/// `{"method": name, "state": state, "buffer_paths": []}`.
fn method(name: &str, state: Map<String, Value>) -> Map<String, Value> {
    Map::from_iter([
        ("method".to_string(), json!(name)),
        ("state".to_string(), Value::Object(state)),
        ("buffer_paths".to_string(), json!([])),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_name_their_modules_and_views() {
        let slider = model(CONTROLS, "FloatLogSlider", json!({"value": 1.0}));
        assert_eq!(slider["_model_name"], "FloatLogSliderModel");
        assert_eq!(slider["_view_name"], "FloatLogSliderView");
        assert_eq!(slider["_model_module_version"], "2.0.0");
        let layout = model(BASE, "Layout", json!({}));
        assert_eq!(layout["_view_name"], "LayoutView");
        let style = model(CONTROLS, "SliderStyle", json!({}));
        assert_eq!(style["_view_module"], BASE);
        assert_eq!(reference("x"), "IPY_MODEL_x");
    }

    #[test]
    fn linear_sliders_step_on_round_numbers() {
        assert_eq!(nice_step(1.0, 10.0), 0.01);
        assert_eq!(nice_step(1.0, 100.0), 0.1);
        assert_eq!(nice_step(0.0, 0.99), 0.001);
        assert_eq!(nice_step(1.0, 50.0), 0.1);
    }
}
