// Page 2: open or drop any .tlet model; show its inputs, outputs, metadata and operators; run it on random or
// .npy inputs; benchmark it (median latency over N runs). A bad file shows an error and the page keeps working.
import {
  arenaText, el, errorArea, fact, fetchOk, formatBytes, formatMs, loadModel, median, messageOf, modelBackend,
  operatorRows, precisionOf, quantile, setupBackendPicker,
} from "./app.js";
import { parseNpy } from "./npy.js";

const $ = (id) => document.getElementById(id);
const error = errorArea($("error"));
const RANGES = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], int32: [-1000, 1000] };

let model = null;
let bytes = null;
let fileName = "";
let uploaded = []; // per model input: { data, name } from an .npy file

// ---- opening ----

async function open(buffer, name) {
  error.clear();
  $("file-name").textContent = `Loading ${name}…`;
  let next;
  try {
    next = await loadModel(buffer, $("backend").value, (message) => error.show(message));
  } catch (e) {
    $("file-name").textContent = model ? `Still showing ${fileName}.` : "";
    error.show(`${name} is not a usable .tlet model: ${messageOf(e)}`);
    return;
  }
  model?.dispose();
  model = next;
  bytes = buffer;
  fileName = name;
  uploaded = [];
  $("file-name").textContent = `${name} · ${formatBytes(buffer.byteLength)}`;
  showModel();
}

$("model-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (file) await open(await file.arrayBuffer(), file.name);
  event.target.value = "";
});

$("demo-model").addEventListener("click", async () => {
  try {
    await open(await (await fetchOk("model.tlet")).arrayBuffer(), "model.tlet (the demo's MNIST CNN)");
  } catch (e) {
    error.show(`The demo model could not be fetched: ${messageOf(e)}`);
  }
});

const drop = $("drop");
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
}
for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
drop.addEventListener("drop", async (event) => {
  event.preventDefault();
  const file = event.dataTransfer.files[0];
  if (file) await open(await file.arrayBuffer(), file.name);
});

setupBackendPicker($("backend"), () => {
  if (bytes) open(bytes, fileName);
});

// ---- describing ----

function table(element, head, rows) {
  element.replaceChildren(
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, cell))))));
}

function quantText(q) {
  if (!q) return "–";
  if (q.scales.length > 1) return `per-channel (axis ${q.axis}, ${q.scales.length} scales)`;
  return `scale ${q.scale.toPrecision(4)}, zero point ${q.zeroPoint}`;
}

function showModel() {
  const ops = operatorRows(model.graph);
  $("facts").replaceChildren(
    fact("File", `${fileName} · ${formatBytes(bytes.byteLength)}`),
    fact("Backend", [modelBackend(model), model.backendReport?.reason].filter(Boolean).join(": ")),
    fact("Arena", arenaText(model.plannedArenaBytes, model.arenaBytes)),
    fact("Memory held", formatBytes(model.memoryBytes)),
    fact("Operators", `${ops.length} (${precisionOf(ops)})`),
  );
  const info = (t) => [t.name || "–", `[${t.shape.join(", ")}]`, t.dtype, quantText(t.quantization)];
  table($("inputs"), ["Name", "Shape", "Type", "Quantization"], model.inputs.map(info));
  table($("outputs-info"), ["Name", "Shape", "Type", "Quantization"], model.outputs.map(info));
  const m = model.metadata;
  const p = m.preprocessing;
  const meta = [
    ["Producer", [m.producer, m.producerVersion].filter(Boolean).join(" ")],
    ["Description", m.description],
    ["Labels", m.labels.join(", ")],
    ["Preprocessing", p && `x' = (x · ${p.scale.toPrecision(4)} − [${p.mean.map((v) => v.toPrecision(4))}]) / `
      + `[${p.std.map((v) => v.toPrecision(4))}]${p.layout ? `, ${p.layout}` : ""}`],
    ...Object.entries(m.extra),
  ].filter(([, v]) => v);
  $("metadata").replaceChildren(...(meta.length ? meta.map(([k, v]) => fact(k, v)) : [fact("None", "no metadata")]));
  $("op-count").textContent = String(ops.length);
  const placement = model.backendReport?.ops ?? [];
  table($("ops"), ["#", "Op", "Inputs", "Output", "Type", "Runs on"],
    ops.map((o) => [o.index, o.op, o.inputs.join(", "), o.output, o.dtype, placementText(placement[o.index])]));
  showNpyInputs();
  $("results").replaceChildren();
  $("bench-result").hidden = true;
  $("model-card").hidden = $("run-card").hidden = false;
}

function placementText(placement) {
  if (!placement) return modelBackend(model);
  const where = placement.backend === "webgpu" ? "WebGPU" : "WebAssembly";
  return placement.reason ? `${where} (${placement.reason})` : where;
}

// ---- inputs ----

function showNpyInputs() {
  $("npy-inputs").replaceChildren(...model.inputs.map((t, i) => el("label", {},
    `${t.name || `input ${i}`} (${t.dtype} [${t.shape.join(", ")}])`,
    npyPicker(i))));
}

function npyPicker(index) {
  const input = el("input", { type: "file", accept: ".npy", "data-testid": `input-file-${index}` });
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    error.clear();
    try {
      uploaded[index] = { data: fitInput(parseNpy(await file.arrayBuffer()), model.inputs[index]), name: file.name };
      $("source-file").checked = true;
      $("npy-inputs").hidden = false;
    } catch (e) {
      uploaded[index] = undefined;
      error.show(`${file.name}: ${messageOf(e)}`);
    }
  });
  return input;
}

// An .npy array as the input `spec` takes it: same element count (or the first sample of a batch), float arrays
// converted to float32 for float32 inputs, integer ones only of the input's own type.
function fitInput(npy, spec) {
  let data = npy.data;
  if (data.length !== spec.size) {
    if (data.length % spec.size !== 0 || data.length === 0) {
      throw new Error(`holds ${data.length} values of shape [${npy.shape}]; input '${spec.name}' takes ${spec.size}`
        + ` (shape [${spec.shape.join(", ")}])`);
    }
    data = data.subarray(0, spec.size);
  }
  if (spec.dtype === "float32" && (data instanceof Float64Array || data instanceof Float32Array)) {
    return Float32Array.from(data);
  }
  const wanted = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float16: Uint16Array };
  if (wanted[spec.dtype] && data instanceof wanted[spec.dtype]) return data.slice();
  throw new Error(`has dtype ${npy.dtype}; input '${spec.name}' takes ${spec.dtype}`);
}

function randomInput(spec) {
  const types = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array };
  const Type = types[spec.dtype] ?? Uint16Array;
  const data = new Type(spec.size);
  if (spec.dtype === "float32") {
    for (let i = 0; i < data.length; i++) data[i] = 2 * Math.random() - 1;
  } else if (spec.dtype === "float16") {
    for (let i = 0; i < data.length; i++) data[i] = 0x3800 + Math.floor(Math.random() * 0x400); // [0.5, 1)
  } else {
    const [lo, hi] = RANGES[spec.dtype];
    for (let i = 0; i < data.length; i++) data[i] = lo + Math.floor(Math.random() * (hi - lo + 1));
  }
  return data;
}

document.querySelectorAll("input[name=source]").forEach((radio) => radio.addEventListener("change", () => {
  $("npy-inputs").hidden = !$("source-file").checked;
}));

function currentInputs() {
  if (!$("source-file").checked) return model.inputs.map(randomInput);
  return model.inputs.map((spec, i) => {
    if (!uploaded[i]) throw new Error(`choose an .npy file for input '${spec.name}' (or pick random values)`);
    return uploaded[i].data;
  });
}

// ---- running ----

function valuesText(data) {
  return Array.from(data, (v) => String(v)).join(" ");
}

function showOutputs(outputs, ms) {
  const labels = model.metadata.labels;
  $("results").replaceChildren(
    el("p", { class: "muted" }, `One run: ${formatMs(ms)} ms`),
    ...outputs.map((out) => {
      const values = Array.from(out.data, Number);
      const top = values.indexOf(Math.max(...values));
      const num = (v) => (out.dtype === "float32" ? v.toPrecision(4) : String(v));
      const stats = `min ${num(Math.min(...values))} · max ${num(Math.max(...values))}`
        + ` · argmax ${top}${labels.length === values.length ? ` (${labels[top]})` : ""}`;
      return el("div", { class: "output" },
        el("h3", {}, `${out.name || "output"} `,
          el("span", { class: "muted" }, `${out.dtype} [${out.shape.join(", ")}]`)),
        el("p", { class: "muted" }, stats),
        el("pre", { "data-testid": "output-values", "data-name": out.name, tabindex: "0" }, valuesText(out.data)));
    }));
}

$("run").addEventListener("click", async () => {
  if (!model) return;
  error.clear();
  try {
    const inputs = currentInputs();
    const start = performance.now();
    const outputs = await model.run(inputs);
    showOutputs(outputs, performance.now() - start);
  } catch (e) {
    error.show(`The run failed: ${messageOf(e)}`);
  }
});

// ---- benchmarking ----

$("bench").addEventListener("click", async () => {
  if (!model) return;
  error.clear();
  const runs = Math.max(1, Math.min(10000, Math.floor(Number($("runs").value) || 100)));
  $("bench").disabled = true;
  $("bench").textContent = "Running…";
  try {
    const inputs = currentInputs();
    for (let i = 0; i < Math.min(5, runs); i++) await model.run(inputs); // warm up
    const times = [];
    let last = performance.now();
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await model.run(inputs);
      times.push(performance.now() - start);
      if (performance.now() - last > 100) { // keep the page responsive on long runs
        await new Promise((resolve) => setTimeout(resolve, 0));
        last = performance.now();
      }
    }
    const mid = median(times);
    $("bench-median").textContent = formatMs(mid);
    $("bench-spread").textContent = `${formatMs(quantile(times, 0.1))} – ${formatMs(quantile(times, 0.9))} ms`;
    $("bench-rate").textContent = `${Math.round(1000 / Math.max(mid, 1e-3)).toLocaleString("en-US")} runs/s `
      + `(${runs} runs, ${modelBackend(model)})`;
    $("bench-result").hidden = false;
  } catch (e) {
    error.show(`The benchmark failed: ${messageOf(e)}`);
  } finally {
    $("bench").disabled = false;
    $("bench").textContent = "Benchmark";
  }
});
