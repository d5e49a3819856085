// Page 1: draw a digit; the int8 MNIST CNN (/model.tlet, its file's summary in /model.json) predicts it live.
import {
  arenaText, el, errorArea, fact, fetchOk, formatBytes, formatCount, formatMs, loadModel, messageOf, modelBackend,
  operatorRows, precisionOf, setupBackendPicker,
} from "./app.js";
import { SIZE, mnistPixels, normalize } from "./preprocess.js";

const $ = (id) => document.getElementById(id);
const pad = $("pad");
const ink = pad.getContext("2d", { willReadFrequently: true });
const seen = $("seen").getContext("2d");
const error = errorArea($("error"));
const BRUSH = 0.06; // brush width, as a fraction of the pad: MNIST-like strokes for a digit drawn at 2/3 of its height

let model = null;
let modelBytes = null;
let strokes = []; // each stroke: [[x, y], ...] in 0..1 pad coordinates
let current = null;
let scheduled = false;

// ---- drawing ----

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
}

function strokeStyle() {
  ink.lineCap = "round";
  ink.lineJoin = "round";
  ink.lineWidth = BRUSH * pad.width;
  ink.strokeStyle = "#000";
  ink.fillStyle = "#000";
}

function drawSegment(stroke, from) {
  strokeStyle();
  const [w, h] = [pad.width, pad.height];
  if (stroke.length === 1) {
    ink.beginPath();
    ink.arc(stroke[0][0] * w, stroke[0][1] * h, ink.lineWidth / 2, 0, 2 * Math.PI);
    ink.fill();
    return;
  }
  ink.beginPath();
  ink.moveTo(stroke[from - 1][0] * w, stroke[from - 1][1] * h);
  for (let i = from; i < stroke.length; i++) ink.lineTo(stroke[i][0] * w, stroke[i][1] * h);
  ink.stroke();
}

function redraw() {
  ink.clearRect(0, 0, pad.width, pad.height);
  for (const stroke of strokes) {
    drawSegment(stroke.slice(0, 1), 0);
    if (stroke.length > 1) drawSegment(stroke, 1);
  }
}

pad.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  current = [point(event)];
  strokes.push(current);
  drawSegment(current, 0);
  changed();
});

pad.addEventListener("pointermove", (event) => {
  if (!current) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  const from = current.length;
  for (const e of events.length ? events : [event]) current.push(point(e));
  drawSegment(current, from);
  changed();
});

for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, () => {
    current = null;
  });
}

pad.addEventListener("keydown", (event) => {
  if (event.key === "Escape" || event.key === "Delete") clear();
  else if ((event.ctrlKey || event.metaKey) && event.key === "z") undo();
  else return;
  event.preventDefault();
});

function undo() {
  strokes.pop();
  current = null;
  redraw();
  changed();
}

function clear() {
  strokes = [];
  current = null;
  redraw();
  changed();
}

$("undo").addEventListener("click", undo);
$("clear").addEventListener("click", clear);

// ---- predicting ----

// Something changed: predict at the next frame (once per frame however many pointer events came).
function changed() {
  $("undo").disabled = $("clear").disabled = strokes.length === 0;
  $("placeholder").hidden = strokes.length > 0;
  $("verdict").setAttribute("aria-busy", "true");
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(predict);
  }
}

let running = false;
let stale = false;

async function predict() {
  scheduled = false;
  if (!model) return; // predicted once the model is there
  if (running) {
    stale = true; // predicted again when the current run ends
    return;
  }
  running = true;
  const { data } = ink.getImageData(0, 0, pad.width, pad.height);
  const alpha = new Uint8ClampedArray(pad.width * pad.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = data[4 * i + 3];
  const pixels = mnistPixels(alpha, pad.width, pad.height);
  showSeen(pixels);
  if (!pixels) {
    showResult(null, null);
  } else {
    const input = normalize(pixels, model.metadata.preprocessing);
    const runner = model;
    try {
      const start = performance.now();
      const [logits] = await runner.run(input);
      const ms = performance.now() - start;
      showResult(softmax(logits.data), ms);
    } catch (e) {
      if (runner === model) error.show(`The model failed to run: ${messageOf(e)}`); // else: swapped for another
    }
  }
  running = false;
  if (stale) {
    stale = false;
    changed();
  } else if (!scheduled) {
    $("verdict").setAttribute("aria-busy", "false");
  }
}

function softmax(values) {
  const max = Math.max(...values);
  const exps = Array.from(values, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function showSeen(pixels) {
  const image = seen.createImageData(SIZE, SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) {
    const v = 255 - (pixels ? pixels[i] : 0);
    image.data.set([v, v, v, 255], 4 * i);
  }
  seen.putImageData(image, 0, 0);
}

function showResult(probabilities, ms) {
  const bars = $("bars");
  if (!probabilities) {
    $("prediction").textContent = "";
    $("confidence").textContent = "";
    bars.replaceChildren();
    return;
  }
  const labels = model.metadata.labels.length ? model.metadata.labels : probabilities.map((_, i) => String(i));
  const top = probabilities.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, 3);
  $("prediction").textContent = labels[top[0][1]];
  $("confidence").textContent = `${(100 * top[0][0]).toFixed(1)}% sure`;
  bars.replaceChildren(...top.map(([p, i], rank) => el("li", { class: rank === 0 ? "bar first" : "bar" },
    el("span", { class: "label" }, labels[i]),
    el("span", { class: "track" }, el("span", { class: "fill", style: `width: ${(100 * p).toFixed(1)}%` })),
    el("span", { class: "pct" }, `${(100 * p).toFixed(1)}%`))));
  $("latency").textContent = formatMs(ms);
}

// ---- the model ----

// What the model says of itself (model.graph, the arenas), then the file's summary (/model.json, from `tensorlet
// inspect --json`): its size, parameters, MACs and test accuracy.
async function showFacts() {
  const ops = operatorRows(model.graph);
  const rows = [
    fact("Backend", modelBackend(model)),
    fact("Arena", arenaText(model.plannedArenaBytes, model.arenaBytes)),
    fact("Precision", `${precisionOf(ops)} weights and activations, ${model.inputs[0].dtype} in/out`),
    fact("Ops", `${ops.length}: ${[...new Set(ops.map((o) => o.op))].join(", ")}`),
  ];
  try {
    const summary = await (await fetchOk("model.json")).json();
    const accuracy = Number(summary.metadata.extra?.test_accuracy);
    rows.unshift(fact("File", `${summary.file_name} · ${formatBytes(summary.totals.file_bytes)}`));
    rows.push(fact("Parameters", formatCount(summary.totals.parameters)),
      fact("MACs", formatCount(summary.totals.macs)));
    if (accuracy) rows.push(fact("Test accuracy", `${(100 * accuracy).toFixed(2)}% on held-out MNIST digits`));
  } catch (e) {
    rows.push(fact("Details", `unavailable (${messageOf(e)})`));
  }
  rows.push(fact("Status", `ready in ${formatMs(readyMs)} ms`));
  rows.at(-1).querySelector("dd").dataset.testid = "status";
  $("facts").replaceChildren(...rows);
}

let readyMs = 0;

async function start(backend) {
  error.clear();
  $("backend-used").textContent = "loading…";
  try {
    modelBytes ??= await (await fetchOk("model.tlet")).arrayBuffer();
    const next = await loadModel(modelBytes, backend, (message) => error.show(message));
    model?.dispose();
    model = next;
    readyMs = performance.now();
    $("backend-used").textContent = modelBackend(model);
    await showFacts();
    document.body.dataset.ready = "true"; // (the tests wait for it: the facts are shown by then)
    changed();
  } catch (e) {
    error.show(`The demo model could not be loaded: ${messageOf(e)}`);
    $("status").textContent = "failed";
  }
}

start(setupBackendPicker($("backend"), start));
