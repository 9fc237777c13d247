"use strict";
/*
 * The dashboard's script: a file, not inline, so the Content-Security-Policy allows scripts from this origin alone.
 * A pure client of the REST API (openapi.json). Every POLL_MS it reads /checkpoints, the metrics of checkpoints still
 * aggregating, the trend of the selected model, and once per complete checkpoint (their results never change) its
 * key regions, neuron types and similarity maps. Data reaches the page only through textContent, canvas drawing or
 * esc() (chart tooltips are HTML).
 *
 * For tests: every panel has data-panel; once it has drawn data it sets data-ready="true", data-checkpoints (the
 * checkpoints it shows) and data-points (what it drew: list entries, series points, bars, or maps: the thumbnails and
 * the large map, whose canvas carries data-samples = N); <body data-ready="true"> once every panel is.
 */
const POLL_MS = 2000;
const NAMES = {en: "English", zh: "Chinese", fr: "French", es: "Spanish", pt: "Portuguese", ar: "Arabic", vi: "Vietnamese",
  hi: "Hindi", id: "Indonesian", de: "German", ru: "Russian", ja: "Japanese", ko: "Korean", it: "Italian", sw: "Swahili",
  ur: "Urdu", bn: "Bengali", ta: "Tamil", te: "Telugu", th: "Thai", tr: "Turkish", el: "Greek", he: "Hebrew", fa: "Persian",
  eu: "Basque", ca: "Catalan", yo: "Yoruba", nl: "Dutch", pl: "Polish", uk: "Ukrainian", my: "Burmese"};
const displayNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], {type: "language"}) : null;
function langName(code) {
  if (NAMES[code]) return NAMES[code];
  try { return (displayNames && displayNames.of(code)) || code; } catch (e) { return code; }
}
const esc = s => String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const fmt = (x, d = 3) => x === null || x === undefined || Number.isNaN(x) ? "–" : (Number.isInteger(x) ? String(x) : x.toFixed(d));
const stepLabel = c => c.step === null || c.step === undefined ? c.checkpointId : "step " + c.step;
const byStep = (a, b) => (a.step ?? Infinity) - (b.step ?? Infinity) || (a.checkpointId < b.checkpointId ? -1 : a.checkpointId > b.checkpointId ? 1 : 0);

// ColorBrewer RdBu (11 classes, blue negative), the fixed [-1, 1] scale of similarity.png (analysis SimilarityPng)
const RD_BU = [0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f];
function rdbu(v) {
  if (v === null || Number.isNaN(v)) return [128, 128, 128];
  const t = (Math.max(-1, Math.min(1, v)) + 1) / 2 * (RD_BU.length - 1);
  const k = Math.min(Math.floor(t), RD_BU.length - 2), f = t - k, a = RD_BU[k], b = RD_BU[k + 1];
  return [16, 8, 0].map(s => Math.round((a >> s & 255) * (1 - f) + (b >> s & 255) * f));
}
// checkpoints coloured from light (earliest step) to dark (latest)
const RAMP = [[158, 202, 225], [66, 146, 198], [8, 81, 156], [8, 29, 88]];
function rampColour(t) {
  const x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1), k = Math.min(Math.floor(x), RAMP.length - 2), f = x - k;
  return "rgb(" + RAMP[k].map((a, i) => Math.round(a * (1 - f) + RAMP[k + 1][i] * f)).join(",") + ")";
}

const state = {
  list: [], selected: null, userSelected: false, metrics: new Map(), keyRegions: new Map(), neuronTypes: new Map(),
  maps: new Map(), trend: null, mapShown: null, drawn: new Map()
};

async function get(path) {
  const r = await fetch(path, {cache: "no-store"});
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || "HTTP " + r.status);
  return body;
}
const enc = encodeURIComponent;

function markPanel(name, checkpoints, points) {
  const el = document.querySelector(`[data-panel="${name}"]`);
  el.dataset.checkpoints = String(checkpoints);
  el.dataset.points = String(points);
  el.dataset.ready = points > 0 ? "true" : "false";
  const all = [...document.querySelectorAll("[data-panel]")];
  document.body.dataset.ready = all.every(p => p.dataset.ready === "true") ? "true" : "false";
}

// ------------------------------------------------------------------ polling

async function tick() {
  const live = document.getElementById("live");
  try {
    state.list = (await get("/checkpoints")).sort(byStep);
    chooseSelected();
    renderList();
    await loadResults();
    renderAll();
    live.textContent = "live · updated " + new Date().toLocaleTimeString();
    live.classList.remove("stale");
  } catch (e) {
    live.textContent = "waiting for the API: " + e.message;
    live.classList.add("stale");
  }
  setTimeout(tick, POLL_MS);
}

/** Until the user picks one: the latest complete checkpoint, else the latest with results. */
function chooseSelected() {
  if (state.userSelected && state.list.some(c => c.checkpointId === state.selected)) return;
  const withResults = state.list.filter(c => c.layersReported > 0);
  const complete = withResults.filter(c => c.status === "COMPLETE");
  const pick = complete.length ? complete[complete.length - 1] : withResults[withResults.length - 1];
  state.selected = pick ? pick.checkpointId : null;
}
const selectedEntry = () => state.list.find(c => c.checkpointId === state.selected) || null;
/** The checkpoints with results of the selected checkpoint's model, by step: what the charts compare. */
function modelCheckpoints() {
  const sel = selectedEntry();
  return sel ? state.list.filter(c => c.model === sel.model && c.layersReported > 0 && state.metrics.has(c.checkpointId)) : [];
}

async function loadResults() {
  const jobs = [];
  for (const c of state.list.filter(c => c.layersReported > 0)) {
    const id = c.checkpointId, known = state.metrics.get(id);
    if (!known || !known.complete) {
      jobs.push(get(`/checkpoints/${enc(id)}/metrics`).then(m => state.metrics.set(id, m)).catch(() => {}));
    }
    if (c.status === "COMPLETE" && known && known.complete) {
      if (!state.keyRegions.has(id)) {
        jobs.push(Promise.all(known.languages.map(l => get(`/checkpoints/${enc(id)}/key-regions/${enc(l)}`)))
          .then(rs => state.keyRegions.set(id, Object.fromEntries(rs.map(r => [r.lang, r.perLayerCounts])))).catch(() => {}));
      }
      if (!state.neuronTypes.has(id)) {
        jobs.push(get(`/checkpoints/${enc(id)}/neuron-types`).then(t => state.neuronTypes.set(id, t))
          .catch(() => state.neuronTypes.set(id, null)));
      }
    }
  }
  const sel = selectedEntry();
  if (sel && sel.model) {
    jobs.push(get(`/models/${enc(sel.model)}/trend`).then(t => { state.trend = t; }).catch(() => {}));
  }
  await Promise.all(jobs);
  await loadMaps();
}

/** Whole-model maps of complete checkpoints (thumbnails) and the selected map; each fetched once. */
async function loadMaps() {
  const jobs = [];
  for (const c of modelCheckpoints().filter(c => c.status === "COMPLETE")) {
    jobs.push(map(c.checkpointId, ""));
  }
  const sel = selectedEntry();
  if (sel && sel.status === "COMPLETE") jobs.push(map(sel.checkpointId, document.getElementById("map-layer").value));
  await Promise.all(jobs);
}
function map(id, layer) {
  const key = id + "|" + layer;
  if (!state.maps.has(key)) {
    const q = layer === "" ? "" : "?layer=" + enc(layer);
    state.maps.set(key, get(`/checkpoints/${enc(id)}/similarity.json${q}`).then(decodeMap).catch(e => {
      state.maps.delete(key); // retried at the next poll (e.g. 503 during a rebalance)
      return {error: e.message};
    }));
  }
  return state.maps.get(key);
}
function decodeMap(m) {
  const n = m.samples.length, s = new Float32Array(n * n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++, k++) {
      const v = m.values[k] === null ? NaN : m.values[k];
      s[i * n + j] = v;
      s[j * n + i] = v;
    }
  }
  const langs = m.samples.map(id => id.slice(0, id.indexOf("|")));
  const runs = [];
  langs.forEach((l, i) => {
    if (!runs.length || runs[runs.length - 1].lang !== l) runs.push({lang: l, from: i, to: i + 1});
    else runs[runs.length - 1].to = i + 1;
  });
  return {n, s, ids: m.samples, texts: m.texts, langs, runs, layer: m.layer};
}

// ------------------------------------------------------------------ checkpoints

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function renderList() {
  const ul = document.getElementById("checkpoint-list");
  ul.replaceChildren(...state.list.map(c => {
    const li = el("li", c.checkpointId === state.selected ? "selected" : "");
    li.dataset.checkpoint = c.checkpointId;
    li.dataset.status = c.status;
    const head = el("div", "cp-head");
    head.append(el("span", "cp-step", (c.step === null ? "no step" : "step " + c.step) + (c.layers === null ? "" : " · " + c.layers + " layers")),
      el("span", "badge s-" + c.status, c.status));
    const frac = c.samplesExpected > 0 ? Math.min(1, c.samplesSeen / c.samplesExpected) : 0;
    const bar = el("div", "bar" + (c.status === "FAILED" ? " failed" : c.status === "COMPLETE" ? "" : " agg"));
    const fill = el("div");
    fill.style.width = (100 * frac).toFixed(1) + "%";
    bar.append(fill);
    bar.title = (100 * frac).toFixed(1) + "% of the samples aggregated in every layer";
    li.append(el("div", "cp-id", c.checkpointId), head, bar, el("div", "cp-counts", `${c.samplesSeen} / ${c.samplesExpected} samples · ${c.layersReported} / ${c.layers ?? "?"} layers reported`));
    if (c.message) li.append(el("div", "cp-msg" + (c.status === "FAILED" ? " failed" : ""), c.message));
    li.onclick = () => { state.selected = c.checkpointId; state.userSelected = true; renderList(); renderAll(); loadMaps().then(renderMaps); };
    return li;
  }));
  document.getElementById("checkpoints-empty").style.display = state.list.length ? "none" : "";
  markPanel("checkpoints", state.list.length, state.list.length);
  renderSummary();
}

function renderSummary() {
  const box = document.getElementById("summary"), m = state.metrics.get(state.selected);
  if (!m) { box.replaceChildren(); return; }
  const t = el("table");
  const rows = [["LRDS", fmt(m.lrds)], ["SADS", fmt(m.sads)], ["mean S, same language", fmt(m.meanSameLangDiffMeaning)],
    ["mean S, same meaning", fmt(m.meanDiffLangSameMeaning)], ["mean S, neither", fmt(m.meanDiffLangDiffMeaning)],
    ["SKLR (key neurons)", fmt(m.sklr)], ["SKLR fraction", fmt(m.sklrFraction, 5)], ["neurons per layer", fmt(m.neuronsPerLayer)]];
  for (const [k, v] of rows) {
    const tr = el("tr");
    tr.append(el("th", "", k), el("td", "", v));
    t.append(tr);
  }
  const h = el("h2", "", state.selected + (m.complete ? "" : " (interim)"));
  box.replaceChildren(h, t, ...m.warnings.map(w => el("p", "error", w)));
}

// ------------------------------------------------------------------ charts

const charts = {};
function chart(id) {
  if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, {renderer: "canvas"});
  return charts[id];
}
window.addEventListener("resize", () => Object.values(charts).forEach(c => c.resize()));
/** Sets an option only when its data changed: a poll that brings nothing new leaves the chart (and its hover) alone. */
function setChart(id, option, signature) {
  if (state.drawn.get(id) === signature) return;
  state.drawn.set(id, signature);
  chart(id).setOption(option, true);
}
const BASE = {animation: false, textStyle: {fontFamily: "system-ui, sans-serif"}};
const AXIS_NAME = {nameLocation: "middle", nameTextStyle: {color: "#57606a"}};

function renderAll() {
  renderSummary();
  renderTrend();
  const cps = modelCheckpoints();
  const colours = new Map(cps.map((c, i) => [c.checkpointId, rampColour(cps.length < 2 ? 1 : i / (cps.length - 1))]));
  renderLayers(cps, colours);
  renderKeyLayers(cps, colours);
  renderKeyLanguages(cps, colours);
  renderNeuronTypes(cps);
  renderMaps();
}

function renderTrend() {
  const sel = selectedEntry();
  const pts = state.trend && sel && state.trend.model === sel.model ? state.trend.checkpoints.filter(p => p.step !== null) : [];
  const series = (name, key, colour, axis) => ({
    name, type: "line", yAxisIndex: axis, color: colour, symbolSize: 8, lineStyle: {width: 2, type: axis ? "dashed" : "solid"},
    symbol: (value, params) => params.data.p.complete ? "circle" : "emptyCircle",
    data: pts.map(p => ({value: [p.step, p[key]], p}))
  });
  const option = Object.assign({}, BASE, {
    grid: {left: 56, right: 64, top: 30, bottom: 44},
    legend: {top: 0},
    tooltip: {trigger: "axis", formatter: ps => {
      const p = ps[0].data.p;
      return `<b>${esc(p.checkpointId)}</b> (step ${esc(p.step)}${p.complete ? "" : ", interim"})<br>` +
        ps.map(s => `${s.marker}${esc(s.seriesName)}: ${esc(fmt(s.data.value[1], s.seriesName === "SKLR" ? 0 : 4))}`).join("<br>");
    }},
    xAxis: Object.assign({type: "value", name: "training step", nameGap: 26, min: "dataMin", max: "dataMax"}, AXIS_NAME),
    yAxis: [Object.assign({type: "value", name: "score", nameGap: 40, scale: true}, AXIS_NAME),
      Object.assign({type: "value", name: "SKLR (key neurons)", nameGap: 48, scale: true, splitLine: {show: false}}, AXIS_NAME)],
    series: [series("LRDS", "lrds", "#cf222e", 0), series("SADS", "sads", "#0969da", 0), series("SKLR", "sklr", "#6e7781", 1)]
  });
  setChart("chart-trend", option, JSON.stringify(pts));
  markPanel("trend", pts.length, pts.length * 3);
}

function lineSeries(c, colour, data, extra) {
  const sel = c.checkpointId === state.selected;
  return Object.assign({name: stepLabel(c), type: "line", color: colour, data, symbolSize: sel ? 6 : 4,
    lineStyle: {width: sel ? 3.5 : 1.5}, z: sel ? 3 : 2}, extra);
}
const layerAxis = (n, extra) => Object.assign({type: "category", data: [...Array(n).keys()].map(String), name: "layer", nameGap: 24},
  AXIS_NAME, extra);

function renderLayers(cps, colours) {
  const layers = Math.max(0, ...cps.map(c => state.metrics.get(c.checkpointId).layers));
  const series = [];
  let points = 0;
  for (const c of cps) {
    const m = state.metrics.get(c.checkpointId);
    points += 2 * m.perLayer.length;
    series.push(lineSeries(c, colours.get(c.checkpointId), m.perLayer.map(l => l.lrds), {xAxisIndex: 0, yAxisIndex: 0}));
    series.push(lineSeries(c, colours.get(c.checkpointId), m.perLayer.map(l => l.sads), {xAxisIndex: 1, yAxisIndex: 1}));
  }
  const option = Object.assign({}, BASE, {
    title: [{text: "LRDS", left: "22%", top: 22, textStyle: {fontSize: 12}}, {text: "SADS", left: "74%", top: 22, textStyle: {fontSize: 12}}],
    legend: {top: 0, type: "scroll"},
    tooltip: {trigger: "axis", formatter: ps => `layer ${esc(ps[0].axisValue)}<br>` +
      ps.map(s => `${s.marker}${esc(s.seriesName)}: ${esc(fmt(s.value, 4))}`).join("<br>")},
    grid: [{left: 50, right: "53%", top: 46, bottom: 40}, {left: "56%", right: 12, top: 46, bottom: 40}],
    xAxis: [layerAxis(layers, {gridIndex: 0}), layerAxis(layers, {gridIndex: 1})],
    yAxis: [Object.assign({type: "value", gridIndex: 0, scale: true, name: "score", nameGap: 36}, AXIS_NAME),
      {type: "value", gridIndex: 1, scale: true}],
    series
  });
  setChart("chart-layers", option, JSON.stringify([state.selected, series.map(s => s.data)]));
  markPanel("layers", cps.length, points);
}

function renderKeyLayers(cps, colours) {
  const select = document.getElementById("key-lang");
  const langs = cps.length ? state.metrics.get(cps[cps.length - 1].checkpointId).languages : [];
  if (select.options.length !== langs.length + 1) {
    const keep = select.value;
    select.replaceChildren(new Option("all languages", ""), ...langs.map(l => new Option(langName(l), l)));
    select.value = langs.includes(keep) ? keep : "";
  }
  const lang = select.value;
  const series = [];
  let points = 0, layers = 0;
  for (const c of cps) {
    const id = c.checkpointId, m = state.metrics.get(id);
    // all languages: the per-layer totals of the metrics (interim too); one language: its key region (complete checkpoints)
    const counts = lang === "" ? m.perLayer.map(l => l.keyNeurons) : (state.keyRegions.get(id) || {})[lang];
    if (!counts) continue;
    layers = Math.max(layers, counts.length);
    points += counts.length;
    series.push(lineSeries(c, colours.get(id), counts));
  }
  const option = Object.assign({}, BASE, {
    legend: {top: 0, type: "scroll"},
    tooltip: {trigger: "axis", formatter: ps => `layer ${esc(ps[0].axisValue)}, ${esc(lang === "" ? "all languages" : langName(lang))}<br>` +
      ps.map(s => `${s.marker}${esc(s.seriesName)}: ${esc(s.value)}`).join("<br>")},
    grid: {left: 56, right: 16, top: 30, bottom: 40},
    xAxis: layerAxis(layers),
    yAxis: Object.assign({type: "value", name: "key neurons", nameGap: 42, minInterval: 1}, AXIS_NAME),
    series
  });
  setChart("chart-key-layers", option, JSON.stringify([lang, state.selected, series.map(s => s.data)]));
  markPanel("key-layers", series.length, points);
}

function renderKeyLanguages(cps, colours) {
  const langs = cps.length ? state.metrics.get(cps[cps.length - 1].checkpointId).languages : [];
  const series = cps.map(c => {
    const m = state.metrics.get(c.checkpointId);
    return {name: stepLabel(c), type: "bar", color: colours.get(c.checkpointId), data: langs.map(l => m.keyNeuronCounts[l] ?? null),
      barMaxWidth: 14};
  });
  const option = Object.assign({}, BASE, {
    legend: {top: 0, type: "scroll"},
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, formatter: ps => `${esc(ps[0].axisValue)}<br>` +
      ps.map(s => `${s.marker}${esc(s.seriesName)}: ${esc(fmt(s.value))}`).join("<br>")},
    grid: {left: 56, right: 12, top: 30, bottom: 62},
    xAxis: Object.assign({type: "category", data: langs.map(langName), name: "language", nameGap: 48,
      axisLabel: {interval: 0, fontSize: 11, rotate: langs.length > 7 ? 25 : 0}}, AXIS_NAME),
    yAxis: Object.assign({type: "value", name: "key neurons", nameGap: 42, minInterval: 1}, AXIS_NAME),
    series
  });
  setChart("chart-key-languages", option, JSON.stringify([langs, series.map(s => s.data)]));
  markPanel("key-languages", series.length, series.length * langs.length);
}

function renderNeuronTypes(cps) {
  const typed = cps.filter(c => state.neuronTypes.get(c.checkpointId));
  const layers = Math.max(0, ...typed.map(c => state.neuronTypes.get(c.checkpointId).layers));
  const TYPES = [["language-specific", "specificPerLayer", "203,34,46"], ["language-related", "relatedPerLayer", "212,167,44"],
    ["general", "generalPerLayer", "9,105,218"]];
  const series = [];
  typed.forEach((c, i) => {
    const t = state.neuronTypes.get(c.checkpointId), opacity = typed.length < 2 ? 1 : 0.4 + 0.6 * i / (typed.length - 1);
    for (const [name, key, rgb] of TYPES) {
      series.push({name, type: "bar", stack: c.checkpointId, data: t[key], step: stepLabel(c), barMaxWidth: 18,
        color: `rgba(${rgb},${opacity})`});
    }
  });
  const option = Object.assign({}, BASE, {
    legend: {top: 0, data: TYPES.map(t => ({name: t[0], itemStyle: {color: `rgb(${t[2]})`}}))},
    tooltip: {trigger: "item", formatter: p => {
      const s = series[p.seriesIndex];
      return `layer ${esc(p.name)}, ${esc(typed[Math.floor(p.seriesIndex / 3)].checkpointId)} (${esc(s.step)})<br>${esc(s.name)}: ${esc(p.value)}`;
    }},
    grid: {left: 56, right: 12, top: 30, bottom: 40},
    xAxis: layerAxis(layers),
    yAxis: Object.assign({type: "value", name: "neurons", nameGap: 42, minInterval: 1}, AXIS_NAME),
    series
  });
  setChart("chart-neuron-types", option, JSON.stringify(series.map(s => s.data)));
  markPanel("neuron-types", typed.length, typed.length * layers);
}

// ------------------------------------------------------------------ similarity maps (canvas)

const MAP = {size: 330, left: 92, top: 6, right: 62, bottom: 70};

async function renderMaps() {
  const sel = selectedEntry(), layerSelect = document.getElementById("map-layer");
  const m = sel && state.metrics.get(sel.checkpointId);
  if (m && layerSelect.options.length !== m.layers + 1) {
    const keep = layerSelect.value;
    layerSelect.replaceChildren(new Option("whole model", ""), ...[...Array(m.layers).keys()].map(l => new Option("layer " + l, String(l))));
    layerSelect.value = keep !== "" && Number(keep) < m.layers ? keep : "";
  }
  const layer = layerSelect.value, q = layer === "" ? "" : "?layer=" + enc(layer);
  const error = document.getElementById("map-error");
  document.getElementById("map-title").textContent = sel ? `${sel.checkpointId}, ${layer === "" ? "whole model" : "layer " + layer + " (per-layer normalisation)"}` : "";
  if (sel) {
    document.getElementById("map-csv").href = `/checkpoints/${enc(sel.checkpointId)}/similarity.csv${q}`;
    document.getElementById("map-png").href = `/checkpoints/${enc(sel.checkpointId)}/similarity.png${q}`;
  }
  await renderThumbs();
  if (!sel || sel.status !== "COMPLETE") {
    error.textContent = sel ? "the map is served once the checkpoint is complete" : "";
    drawMainMap(null);
    return;
  }
  const key = sel.checkpointId + "|" + layer;
  if (!state.maps.has(key)) return; // fetched by the next poll
  const data = await state.maps.get(key);
  if (data.error) { error.textContent = data.error; return; }
  error.textContent = "";
  if (state.mapShown !== key) {
    state.mapShown = key;
    drawMainMap(data);
  }
  markMapPanel();
}

function markMapPanel() {
  const thumbs = document.querySelectorAll("#thumbs figure[data-drawn]").length;
  const shown = state.mapShown ? state.mapShown.slice(0, state.mapShown.lastIndexOf("|")) : null;
  const ids = new Set([...document.querySelectorAll("#thumbs figure[data-drawn]")].map(f => f.dataset.checkpoint));
  if (shown) ids.add(shown);
  markPanel("similarity", ids.size, thumbs + (shown ? 1 : 0));
}

function drawMainMap(data) {
  const canvas = document.getElementById("map-canvas"), dpr = window.devicePixelRatio || 1;
  const W = MAP.left + MAP.size + MAP.right, H = MAP.top + MAP.size + MAP.bottom;
  canvas.width = W * dpr; canvas.height = H * dpr;
  canvas.style.width = W + "px"; canvas.style.height = H + "px";
  const g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, W, H);
  canvas.dataset.samples = data ? String(data.n) : "0";
  canvas._map = data;
  if (!data) { state.mapShown = null; markMapPanel(); return; }
  g.imageSmoothingEnabled = data.n > MAP.size; // averaging when there are more samples than pixels
  g.drawImage(mapImage(data), MAP.left, MAP.top, MAP.size, MAP.size);
  const px = i => MAP.size * i / data.n;
  g.strokeStyle = "#111"; g.lineWidth = 1;
  g.font = "11px system-ui, sans-serif"; g.fillStyle = "#1f2328";
  for (const r of data.runs) {
    if (r.from > 0) {
      g.beginPath();
      g.moveTo(MAP.left + px(r.from), MAP.top); g.lineTo(MAP.left + px(r.from), MAP.top + MAP.size);
      g.moveTo(MAP.left, MAP.top + px(r.from)); g.lineTo(MAP.left + MAP.size, MAP.top + px(r.from));
      g.stroke();
    }
    const mid = (px(r.from) + px(r.to)) / 2, name = langName(r.lang);
    g.textAlign = "right"; g.textBaseline = "middle";
    g.fillText(name, MAP.left - 5, MAP.top + mid);
    g.save();
    g.translate(MAP.left + mid, MAP.top + MAP.size + 5);
    g.rotate(-Math.PI / 4);
    g.textAlign = "right";
    g.fillText(name, 0, 0);
    g.restore();
  }
  g.strokeRect(MAP.left, MAP.top, MAP.size, MAP.size);
  // colour bar: fixed [-1, 1]
  const bx = MAP.left + MAP.size + 12, bw = 12;
  for (let y = 0; y < MAP.size; y++) {
    const [r, gr, b] = rdbu(1 - 2 * y / (MAP.size - 1));
    g.fillStyle = `rgb(${r},${gr},${b})`;
    g.fillRect(bx, MAP.top + y, bw, 1);
  }
  g.strokeStyle = "#57606a"; g.strokeRect(bx, MAP.top, bw, MAP.size);
  g.fillStyle = "#1f2328"; g.textAlign = "left"; g.textBaseline = "middle";
  for (const v of [1, 0.5, 0, -0.5, -1]) {
    const y = MAP.top + (1 - v) / 2 * MAP.size;
    g.beginPath(); g.moveTo(bx + bw, y); g.lineTo(bx + bw + 4, y); g.stroke();
    g.fillText((v > 0 ? "+" : v < 0 ? "−" : "") + Math.abs(v), bx + bw + 6, y);
  }
  g.save();
  g.translate(10, MAP.top + MAP.size / 2); g.rotate(-Math.PI / 2); g.textAlign = "center"; g.fillStyle = "#57606a";
  g.fillText("sample i (language)", 0, 0);
  g.restore();
  markMapPanel();
}

/** One pixel per sample pair (an offscreen canvas), kept with the map. */
function mapImage(data) {
  if (data.image) return data.image;
  const c = document.createElement("canvas");
  c.width = c.height = data.n;
  const g = c.getContext("2d"), img = g.createImageData(data.n, data.n);
  for (let k = 0; k < data.s.length; k++) {
    const [r, gr, b] = rdbu(data.s[k]);
    img.data[4 * k] = r; img.data[4 * k + 1] = gr; img.data[4 * k + 2] = b; img.data[4 * k + 3] = 255;
  }
  g.putImageData(img, 0, 0);
  data.image = c;
  return c;
}

async function renderThumbs() {
  const box = document.getElementById("thumbs"), cps = modelCheckpoints().filter(c => c.status === "COMPLETE");
  const want = cps.map(c => c.checkpointId).join("\n") + "|" + state.selected;
  if (box.dataset.for === want) return;
  const figures = [];
  for (const c of cps) {
    const key = c.checkpointId + "|";
    if (!state.maps.has(key)) continue;
    const data = await state.maps.get(key);
    if (data.error) continue;
    const f = el("figure", c.checkpointId === state.selected ? "selected" : "");
    f.dataset.checkpoint = c.checkpointId;
    f.dataset.drawn = "true";
    const canvas = el("canvas");
    canvas.width = canvas.height = 84;
    const g = canvas.getContext("2d");
    g.imageSmoothingEnabled = true;
    g.drawImage(mapImage(data), 0, 0, 84, 84);
    f.append(canvas, el("figcaption", "", stepLabel(c)));
    f.title = c.checkpointId + ", whole model";
    f.onclick = () => { state.selected = c.checkpointId; state.userSelected = true; renderList(); renderAll(); loadMaps().then(renderMaps); };
    figures.push(f);
  }
  box.replaceChildren(...figures);
  if (figures.length === cps.length) box.dataset.for = want; // complete: no redraw until the set or the selection changes
}

// hover: the pair under the cursor, both texts and the value
(function hover() {
  const canvas = document.getElementById("map-canvas"), tip = document.getElementById("map-tip");
  canvas.addEventListener("mousemove", e => {
    const data = canvas._map, r = canvas.getBoundingClientRect();
    const x = e.clientX - r.left - MAP.left, y = e.clientY - r.top - MAP.top;
    if (!data || x < 0 || y < 0 || x >= MAP.size || y >= MAP.size) { tip.style.display = "none"; return; }
    const i = Math.floor(y * data.n / MAP.size), j = Math.floor(x * data.n / MAP.size);
    const line = (k, label) => {
      const d = el("div");
      d.append(el("b", "", `${label} ${langName(data.langs[k])} · ${data.ids[k]}`), el("div", "t", data.texts[k] ?? "(text unknown)"));
      return d;
    };
    tip.replaceChildren(el("div", "v", "S = " + fmt(data.s[i * data.n + j], 4)), line(i, "i:"), line(j, "j:"));
    tip.style.display = "block";
    const left = e.clientX - r.left + 14;
    tip.style.left = Math.min(left, r.width - 200) + "px";
    tip.style.top = (e.clientY - r.top + 14) + "px";
  });
  canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; });
})();

document.getElementById("map-layer").addEventListener("change", () => loadMaps().then(renderMaps));
document.getElementById("key-lang").addEventListener("change", () => renderAll());
document.querySelectorAll("[data-panel]").forEach(p => { p.dataset.ready = "false"; p.dataset.points = "0"; p.dataset.checkpoints = "0"; });
tick();
