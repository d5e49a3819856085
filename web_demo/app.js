// What both pages share: the backend selector, loading a model (and saying why WebGPU was not used), the error
// area, number formatting, fact rows.
import { Tensorlet } from "./runtime/tensorlet.js";

const STORED_BACKEND = "tensorlet-demo.backend";

/** Fill the backend <select>: Auto, WebAssembly (SIMD), and WebGPU where navigator.gpu exists; the last choice is
 * remembered. onChange(backend) runs when the user picks another. Returns the current choice. */
export function setupBackendPicker(select, onChange) {
  const options = [["auto", "Auto"], ["wasm", "WebAssembly (SIMD)"]];
  if (typeof navigator !== "undefined" && navigator.gpu) options.push(["webgpu", "WebGPU"]);
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  const stored = localStorage.getItem(STORED_BACKEND);
  select.value = options.some(([value]) => value === stored) ? stored : "auto";
  select.addEventListener("change", () => {
    localStorage.setItem(STORED_BACKEND, select.value);
    onChange(select.value);
  });
  return select.value;
}

/** Load `bytes` on `backend`. When WebGPU was asked for and the runtime hands the model to WebAssembly (no adapter,
 * a failed setup: a GPU problem never rejects the load), report why with fail(). Rejects for a bad file. */
export async function loadModel(bytes, backend, fail) {
  const model = await Tensorlet.load(bytes, { backend });
  if (backend === "webgpu" && model.backend !== "webgpu") {
    fail(`WebGPU is not available here (${model.backendReport?.reason ?? "no adapter"}); running on WebAssembly `
      + "instead.");
  }
  return model;
}

function backendLabel(backend, simd) {
  if (backend === "wasm") return simd === false ? "WebAssembly (no SIMD)" : "WebAssembly SIMD128";
  if (backend === "webgpu") return "WebGPU";
  return backend === "auto" ? "Auto" : String(backend);
}

/** The backend a loaded model runs on, in words. */
export function modelBackend(model) {
  return backendLabel(model.backend, model.simd);
}

export function messageOf(error) {
  return String(error?.message ?? error);
}

/** The page's error area: show(message) reveals it, clear() hides it. */
export function errorArea(element) {
  return {
    show(message) {
      element.textContent = message;
      element.hidden = false;
    },
    clear() {
      element.textContent = "";
      element.hidden = true;
    },
  };
}

export function formatBytes(n) {
  if (n == null || Number.isNaN(n)) return "–";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/** "15.3 KB activations (the runtime's arena, with its tables: 21.7 KB)": the file's memory plan
 * (model.plannedArenaBytes), then what the runtime holds (model.arenaBytes). */
export function arenaText(planned, runtime) {
  return `${formatBytes(planned)} activations (the runtime's arena, with its tables: ${formatBytes(runtime)})`;
}

/** The operators of `graph` (model.graph) as the pages list them, in execution order: [{ index, op, inputs: shape
 * texts of the activations it reads (not its constant weights; "-" for an absent input), output, dtype (of its first
 * activation) }]. */
export function operatorRows(graph) {
  const tensors = graph.tensors;
  const shape = (i) => (i < 0 ? "-" : `[${tensors[i].shape.join(", ")}]`);
  return graph.operators.map((o, index) => {
    const inputs = o.inputs.filter((i) => i < 0 || !tensors[i].constant);
    const first = inputs.find((i) => i >= 0) ?? o.outputs[0];
    return { index, op: o.op, inputs: inputs.map(shape), output: o.outputs.map(shape).join(", "),
      dtype: tensors[first].dtype };
  });
}

/** The precision of a model's operators (operatorRows): "int8" when one reads int8, else that of the first. */
export function precisionOf(rows) {
  return rows.some((o) => o.dtype === "int8") ? "int8" : rows[0]?.dtype ?? "float32";
}

export function formatCount(n) {
  return n == null ? "–" : Number(n).toLocaleString("en-US");
}

export function formatMs(ms) {
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

export function median(values) {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function quantile(values, q) {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Element helper: el("td", { class: "num" }, "text", child, ...). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value != null) node.setAttribute(key, value);
  }
  node.append(...children.flat().filter((c) => c != null).map((c) => (c instanceof Node ? c : String(c))));
  return node;
}

/** One row of a facts list: <div><dt>term</dt><dd>value</dd></div>. */
export function fact(term, value) {
  return el("div", {}, el("dt", {}, term), el("dd", {}, value));
}

/** fetch(url), rejecting with "url: HTTP status" unless the response is OK. */
export async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}
