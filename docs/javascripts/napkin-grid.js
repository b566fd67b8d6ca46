// Live sliders on a static page, with no kernel behind them. A napkin view (`explore`,
// `what_if`) executed with NAPKIN_GRID=1 carries, in its HTML snapshot, its renderings at a
// grid of slider stops: `<script type="application/json" class="napkin-grid">`, written by
// napkin's src/widget.rs (module `grid`). This script turns each grid into controls — a range
// input stepping from stop to stop, a dropdown for a choice — and, as one moves, shows the
// estimate and chart precomputed for that setting. Every position of a control is a stop, so
// what the page shows is always what the view rendered there. The page reads the same without
// this script: the snapshot at the starting values, and its note.
(() => {
  let views = 0;

  // A rendering, whole again from its pieces.
  const whole = (grid, answer) => grid.answers[answer].map((p) => grid.pieces[p]).join("");

  // A rendering's nodes, parsed once and kept: coming back to a setting moves them in again.
  function nodes(grid, cache, answer) {
    let parsed = cache.get(answer);
    if (!parsed) {
      const template = document.createElement("template");
      template.innerHTML = whole(grid, answer);
      parsed = [...template.content.childNodes];
      cache.set(answer, parsed);
    }
    return parsed;
  }

  function italic(text) {
    const p = document.createElement("p");
    const i = document.createElement("i");
    i.textContent = text;
    p.appendChild(i);
    return p;
  }

  function wire(script) {
    const view = script.closest(".napkin-what-if");
    if (!view || view.dataset.napkinLive) return;
    const main = view.querySelector(".napkin-main");
    const chart = view.querySelector(".napkin-chart");
    if (!main || !chart) return;
    let grid;
    try {
      grid = JSON.parse(script.textContent);
    } catch (error) {
      console.warn("napkin-grid: unreadable grid", error);
      return;
    }
    const id = `napkin-grid-${views++}`;
    const at = grid.sliders.map((s) => s.start);
    // Settings go in order of the sliders' stops, the last slider's changing fastest.
    const strides = [];
    let stride = 1;
    for (let i = grid.sliders.length - 1; i >= 0; i--) {
      strides[i] = stride;
      stride *= grid.sliders[i].values.length;
    }
    const controls = document.createElement("div");
    controls.className = "napkin-controls";
    const readouts = [];
    const inputs = [];
    grid.sliders.forEach((s, i) => {
      const row = document.createElement("div");
      row.className = "napkin-slider";
      row.style.cssText = "display:flex;align-items:center;gap:0.8em;margin:0.15em 0";
      const name = document.createElement("label");
      name.textContent = s.name;
      name.htmlFor = `${id}-${i}`;
      name.style.cssText = "min-width:12em";
      let input;
      if (s.choice) {
        input = document.createElement("select");
        s.labels.forEach((label, j) => input.add(new Option(label, String(j))));
        input.selectedIndex = s.start;
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = "0";
        input.max = String(s.values.length - 1);
        input.step = "1";
        input.value = String(s.start);
        input.style.cssText = "width:22em;max-width:50vw";
        // Tick marks at the stops.
        const ticks = document.createElement("datalist");
        ticks.id = `${id}-${i}-stops`;
        s.values.forEach((_, j) => ticks.appendChild(new Option("", String(j))));
        row.appendChild(ticks);
        input.setAttribute("list", ticks.id);
      }
      input.id = `${id}-${i}`;
      input.dataset.slider = String(i);
      const readout = document.createElement("output");
      readout.htmlFor = input.id;
      readout.style.cssText = "font-weight:600";
      // A dropdown shows its choice itself.
      readout.hidden = Boolean(s.choice);
      input.addEventListener("input", () => {
        at[i] = Number(input.value);
        show();
      });
      row.append(name, input, readout);
      controls.appendChild(row);
      readouts.push(readout);
      inputs.push(input);
    });
    // Apart: an estimate and a chart may be the same rendering (one error), each needs its own nodes.
    const parsedMain = new Map();
    const parsedChart = new Map();
    // The number of the setting the controls are at.
    const setting = () => at.reduce((n, j, i) => n + j * strides[i], 0);
    const start = setting();
    let shownMain = -1;
    let shownChart;
    function show() {
      const n = setting();
      grid.sliders.forEach((s, i) => {
        readouts[i].textContent = s.labels[at[i]];
        if (!s.choice) inputs[i].setAttribute("aria-valuetext", s.labels[at[i]]);
      });
      // Only what changed is swapped: a chart stays while no slider it follows moves.
      if (grid.main[n] !== shownMain) {
        shownMain = grid.main[n];
        main.replaceChildren(...nodes(grid, parsedMain, shownMain));
      }
      if (grid.chart[n] !== shownChart) {
        shownChart = grid.chart[n];
        if (shownChart === null) chart.replaceChildren(italic(grid.chart_note));
        else chart.replaceChildren(...nodes(grid, parsedChart, shownChart));
      }
      view.dataset.napkinSetting = String(n);
    }
    const settings = view.querySelector(".napkin-settings");
    if (settings) settings.hidden = true;
    main.before(controls);
    const note = italic(`${grid.note} ${grid.detail}`);
    note.className = "napkin-note";
    const snapshotNote = view.querySelector(".napkin-note");
    if (snapshotNote) snapshotNote.replaceWith(note);
    else chart.after(note);
    view.dataset.napkinLive = "true";
    show();
    // While the page is idle, parse the renderings along the first slider (the others at
    // their start), so that its first drag is as quick as the next.
    const first = grid.sliders[0];
    const line = first.values.map((_, j) => start + (j - first.start) * strides[0]);
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 50));
    let next = 0;
    const warm = () => {
      for (const until = performance.now() + 8; next < line.length && performance.now() < until; next++) {
        nodes(grid, parsedMain, grid.main[line[next]]);
        if (grid.chart[line[next]] !== null) nodes(grid, parsedChart, grid.chart[line[next]]);
      }
      if (next < line.length) idle(warm);
    };
    idle(warm);
  }

  function wireAll() {
    document.querySelectorAll("script.napkin-grid").forEach(wire);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireAll);
  else wireAll();
})();
