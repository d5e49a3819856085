// Tensorlet for JavaScript: run a .tlet model in a browser, a Web Worker or Node >= 18 on Tensorlet's WebAssembly
// runtime (the portable C core, compiled freestanding for wasm32). No dependencies, no SharedArrayBuffer.
//
//   import { Tensorlet } from "tensorlet";
//   const model = await Tensorlet.load("model.tlet");            // URL, path (Node), ArrayBuffer, typed array, Blob
//   model.inputs;   // [{ name, shape, dtype, quantization }]
//   const [y] = await model.run(new Float32Array(784));          // or { inputName: array }
//   y.data; y.shape; y.dtype;
//   model.dispose();
//
// Tensorlet.load(source, { backend: "webgpu" }) runs the model on the GPU (runtime_wasm/webgpu/, imported only
// then, or by "auto" for a model it runs there); the wasm instance stays next to it for the ops the GPU lacks and
// takes over when there is no adapter or the device is lost. model.backendReport says what ran where; model.graph
// lists the verified graph (tensors and operators).
//
// Each model owns one instance of the module and so its own WebAssembly.Memory: the file and the arena it asks for
// are allocated once at load, runs never allocate, and dispose() lets the whole memory go.

const VERSION = "0.1.0";

const DTYPES = [
  { name: "float32", array: Float32Array },
  { name: "int8", array: Int8Array },
  { name: "uint8", array: Uint8Array },
  { name: "int16", array: Int16Array },
  { name: "int32", array: Int32Array },
  { name: "float16", array: Uint16Array }, // raw IEEE half bits
];

// Metadata fields of wasm_api.c (TLW_META_*).
const META = {
  PRODUCER: 0, PRODUCER_VERSION: 1, DESCRIPTION: 2, INPUT_NAMES: 3, OUTPUT_NAMES: 4, LABELS: 5,
  EXTRA_KEYS: 6, EXTRA_VALUES: 7, PREPROCESSING: 8, LAYOUT: 9, MEAN: 10, STD: 11, SCALE: 12,
};

// The smallest module using a SIMD128 instruction (i32.const 0; i8x16.splat): valid only where SIMD128 is.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b,
]);

/** "auto" runs a model on the GPU from this many multiply-accumulates per inference (below, wasm is faster). */
const AUTO_MIN_MACS = 20e6;

const isNode = typeof process !== "undefined" && process.versions != null && process.versions.node != null;
const decoder = new TextDecoder("utf-8", { fatal: false });

/** An error of the runtime: `status` names the C status (e.g. "TL_ERROR_NOT_TLET") where there is one. */
export class TensorletError extends Error {
  constructor(message, status = "", detail = "") {
    super(message);
    this.name = "TensorletError";
    this.status = status;
    this.detail = detail;
  }
}

/** Whether this JavaScript engine runs WebAssembly SIMD128. */
export function simdSupported() {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// ---- fetching bytes ----

function hasScheme(s) {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && !/^[a-zA-Z]:[\\/]/.test(s); // "C:\..." is a Windows path
}

async function nodeReadFile(pathOrUrl) {
  const fsName = "node:fs/promises";
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ fsName);
  return new Uint8Array(await fs.readFile(pathOrUrl));
}

async function fetchBytes(source, what) {
  const url = source instanceof URL ? source : null;
  if (isNode && (url ? url.protocol === "file:" : !hasScheme(source) || source.startsWith("file:"))) {
    const target = url ?? (source.startsWith("file:") ? new URL(source) : source);
    try {
      return await nodeReadFile(target);
    } catch (e) {
      throw new TensorletError(`cannot read ${what} ${String(source)}: ${e.message}`);
    }
  }
  let response;
  try {
    response = await fetch(source);
  } catch (e) {
    throw new TensorletError(`cannot fetch ${what} ${String(source)}: ${e.message}`);
  }
  if (!response.ok) {
    throw new TensorletError(`cannot fetch ${what} ${String(source)}: HTTP ${response.status}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function modelBytes(source) {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof source === "string" || source instanceof URL) return fetchBytes(source, "model");
  if (source != null && typeof source.arrayBuffer === "function") {
    return new Uint8Array(await source.arrayBuffer()); // Blob, File, Response
  }
  throw new TensorletError("Tensorlet.load takes a URL, a path (Node), an ArrayBuffer, a typed array, a Blob or a "
    + `Response; got ${describe(source)}`);
}

// ---- the compiled modules (one per flavour and source, shared by every model) ----

const compiled = new Map();

function defaultWasmUrl(simd) {
  return new URL(simd ? "./tensorlet.wasm" : "./tensorlet-nosimd.wasm", import.meta.url);
}

async function compileModule(simd, options) {
  const source = options.wasm ?? (options.wasmPath != null
    ? new URL(simd ? "tensorlet.wasm" : "tensorlet-nosimd.wasm", new URL(String(options.wasmPath), baseUrl()))
    : defaultWasmUrl(simd));
  if (source instanceof WebAssembly.Module) return source;
  const key = source instanceof URL || typeof source === "string" ? `${simd}:${String(source)}` : null;
  if (key && compiled.has(key)) return compiled.get(key);
  const pending = (async () => {
    const bytes = source instanceof ArrayBuffer || ArrayBuffer.isView(source) ? source
      : await fetchBytes(source, "the runtime");
    return WebAssembly.compile(bytes);
  })();
  if (key) {
    compiled.set(key, pending);
    pending.catch(() => compiled.delete(key));
  }
  return pending;
}

function baseUrl() {
  if (typeof location !== "undefined" && location.href) return location.href;
  if (isNode) return `file://${process.cwd()}/`;
  return import.meta.url;
}

// ---- helpers ----

function describe(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.length ?? value.byteLength} values`;
  if (Array.isArray(value)) return `an Array of ${value.length} values`;
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `a ${typeof value}`;
}

function shapeText(shape) {
  return `[${shape.join(",")}]`;
}

// Multiply-accumulates of operator `op` (a record of #readGraph) over `tensors` (elementwise ops count one per output
// element): the work "auto" weighs.
function operatorMacs(op, tensors) {
  const out = tensors[op.outputs[0]].elements;
  const input = op.inputs[0] >= 0 ? tensors[op.inputs[0]] : null;
  const w = op.inputs[1] >= 0 ? tensors[op.inputs[1]].shape : [];
  switch (op.name) {
    case "CONV_2D": return out * w[1] * w[2] * w[3];
    case "DEPTHWISE_CONV_2D": return out * w[1] * w[2];
    case "TRANSPOSE_CONV": return input.elements * w[0] * w[1] * w[2];
    case "FULLY_CONNECTED": return out * w[1];
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": return out * op.optionWords[0] * op.optionWords[1]; // Pool2DOptions: filter_h, filter_w
    default: return Math.max(out, input?.elements ?? 0);
  }
}

// ---- the model ----

/** A loaded model: its own WebAssembly instance and memory. Create it with Tensorlet.load. */
export class TensorletModel {
  #exports;
  #memory;
  #model;
  #info;
  #slots = [[], []]; // per input / output: { at, bytes, array } in this model's memory
  #records = null; // the graph as #readGraph reads it, once asked for
  #publicGraph = null;
  #disposed = false;
  #gpu = null; // the WebGPU backend (runtime_wasm/webgpu/backend.js) when one runs this model
  #queue = Promise.resolve(); // runs on the GPU are asynchronous: one at a time, in call order

  /** @internal */
  constructor(instance, simd) {
    this.#exports = instance.exports;
    this.#memory = instance.exports.memory;
    this.backend = "wasm";
    this.simd = simd;
  }

  /** @internal: load and bind `bytes`; throws TensorletError. */
  _open(bytes) {
    return this.#guard("load", () => this.#open(bytes));
  }

  // A trap is never expected (the core verifies every file before use); if one happens, the instance is dropped
  // and the caller gets a TensorletError instead of a WebAssembly.RuntimeError.
  #guard(step, body) {
    try {
      return body();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        this.dispose();
        throw new TensorletError(`the WebAssembly runtime trapped during ${step}: ${e.message}`, "TL_TRAP");
      }
      throw e;
    }
  }

  #open(bytes) {
    const x = this.#exports;
    const infoWords = x.tlw_info_words();
    const maxRank = x.tlw_max_rank();
    this.#info = { words: infoWords, dtype: 3 + maxRank };
    const model = x.tlw_model_new();
    const file = model ? x.tlw_alloc(bytes.length) : 0;
    if (!model || !file) {
      throw new TensorletError(`out of memory: a ${bytes.length}-byte model does not fit in WebAssembly memory`,
        "TL_ERROR_LIMIT");
    }
    new Uint8Array(this.#memory.buffer, file, bytes.length).set(bytes);
    this.#model = model;
    this.#check(x.tlw_load(model, file, bytes.length), "the model was rejected");
    this.#check(x.tlw_bind(model), "the model cannot be prepared");
    this.inputs = this.#describe(0, x.tlw_input_count(model));
    this.outputs = this.#describe(1, x.tlw_output_count(model));
    this.metadata = this.#readMetadata();
    this.arenaBytes = x.tlw_arena_size(model);
    this.plannedArenaBytes = x.tlw_activation_bytes(model);
    this.ops = Object.freeze(Array.from({ length: x.tlw_operator_count(model) },
      (_, n) => this.#string(x.tlw_opcode_name(this.#word(x.tlw_operator_info(model, n), 0)))));
    this.backendReport = wasmReport(this.ops, "the wasm backend was asked for");
    return this;
  }

  #word(at, k) {
    return new Int32Array(this.#memory.buffer, at, k + 1)[k];
  }

  #int32s(at, count) {
    return count ? Array.from(new Int32Array(this.#memory.buffer, at, count)) : [];
  }

  // The graph as the core verified it, read once from the wasm exports (tlw_tensor_at, tlw_operator_info, ...): every
  // tensor (shape, dtype, quantization, arena offset or constant bytes) and every operator (opcode, tensor ids,
  // options and quant params as raw words, multiply-accumulates). model.graph, "auto" and the GPU backend read it.
  #readGraph() {
    if (this.#records) return this.#records;
    const x = this.#exports, m = this.#model, d = this.#info.dtype;
    const tensors = Array.from({ length: x.tlw_tensor_count(m) }, (_, i) => {
      const at = x.tlw_tensor_at(m, i);
      const words = new Uint32Array(this.#memory.buffer, at, this.#info.words).slice();
      const arenaOffset = x.tlw_tensor_arena_offset(m, i);
      const quantCount = words[d + 5];
      return {
        index: i,
        name: this.#string(words[1]) ?? "",
        shape: Array.from(words.subarray(3, 3 + words[2])),
        dtype: DTYPES[words[d]]?.name ?? `dtype${words[d]}`,
        bytes: words[d + 1],
        elements: words[d + 2],
        constant: arenaOffset < 0,
        arenaOffset,
        data: words[0], // offset in this module's memory (the file for a constant, the arena for an activation)
        scales: quantCount ? Array.from(new Float32Array(this.#memory.buffer, words[d + 7], quantCount)) : [],
        zeroPoints: this.#int32s(words[d + 8], quantCount),
      };
    });
    const operators = Array.from({ length: x.tlw_operator_count(m) }, (_, n) => {
      const at = x.tlw_operator_info(m, n);
      const w = new Int32Array(this.#memory.buffer, at, 6).slice(); // TLW_OP_* of wasm_api.c
      const optionWords = this.#int32s(x.tlw_operator_options(m, n), x.tlw_operator_options_count());
      const quantWords = this.#int32s(x.tlw_operator_quant_params(m, n), x.tlw_operator_options_count());
      const op = { index: n, name: this.ops[n], inputs: this.#int32s(w[1], w[2]),
        outputs: this.#int32s(w[3], w[4]), optionsType: w[5], optionWords, quantWords };
      op.macs = operatorMacs(op, tensors);
      return op;
    });
    this.#records = { tensors, operators, activationBytes: x.tlw_activation_bytes(m) };
    return this.#records;
  }

  /** The graph as the runtime verified it: tensors [{ name, shape, dtype, constant }] and operators in execution
   * order [{ op, inputs, outputs }] (tensor ids; -1 for an absent optional input). Read on first use (a
   * TensorletError once the model is disposed), then kept. */
  get graph() {
    if (this.#publicGraph) return this.#publicGraph;
    this.#alive();
    const { tensors, operators } = this.#readGraph();
    this.#publicGraph = Object.freeze({
      tensors: Object.freeze(tensors.map((t) => Object.freeze({ name: t.name, shape: Object.freeze(t.shape.slice()),
        dtype: t.dtype, constant: t.constant }))),
      operators: Object.freeze(operators.map((op) => Object.freeze({ op: op.name,
        inputs: Object.freeze(op.inputs.slice()), outputs: Object.freeze(op.outputs.slice()) }))),
    });
    return this.#publicGraph;
  }

  // What the GPU backend needs of this model: its graph, its memory, and running one operator in wasm.
  #host() {
    return {
      graph: () => this.#readGraph(),
      memory: () => this.#memory.buffer,
      int32s: (at, count) => this.#int32s(at, count),
      int8s: (at, count) => (count ? Array.from(new Int8Array(this.#memory.buffer, at, count)) : []),
      slots: this.#slots,
      invokeOp: (n) => this.#check(this.#exports.tlw_invoke_op(this.#model, n),
        `operator ${n} (${this.ops[n]}) failed in wasm`),
    };
  }

  /** @internal: put the GPU backend in front of the wasm instance (see load). "auto" first decides what it can
   * without the GPU modules (the model's work, then the adapter), so that they are imported only to run the model;
   * "webgpu" imports them at once (its report then says why a model stays on wasm). */
  async _attachGpu(options, wanted) {
    let adapter = null; // the adapter "auto" found: the backend opens it instead of asking for another
    if (wanted === "auto") {
      const verdict = await autoVerdict(this.#readGraph().operators.reduce((sum, op) => sum + op.macs, 0), options);
      if (verdict.reason) {
        this.backendReport = wasmReport(this.ops, verdict.reason);
        return this;
      }
      adapter = verdict.adapter ?? null;
    }
    let webgpu;
    try {
      webgpu = await import("./webgpu/backend.js");
    } catch (e) {
      this.backendReport = wasmReport(this.ops, "the WebGPU backend (webgpu/backend.js next to tensorlet.js) could "
        + `not be loaded (${e.message}): the wasm backend runs the model`);
      return this;
    }
    let result;
    try {
      result = await webgpu.createGpuBackend(this.#host(), options, adapter);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw e;
      this.backendReport = wasmReport(this.ops, `the WebGPU backend failed to set up (${e.message}): the wasm `
        + "backend runs the model");
      return this;
    }
    this.backendReport = result.report;
    if (result.gpu) {
      this.#gpu = result.gpu;
      this.backend = "webgpu";
      result.gpu.onLost((message) => this.#lost(message));
    }
    return this;
  }

  #lost(message) {
    if (!this.#gpu) return;
    this.#gpu = null;
    this.backend = "wasm";
    this.backendReport = wasmReport(this.ops, `the WebGPU device was lost (${message}); the wasm backend took over`);
  }

  #string(ptr) {
    if (!ptr) return null;
    const bytes = new Uint8Array(this.#memory.buffer);
    let end = ptr;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return decoder.decode(bytes.subarray(ptr, end));
  }

  #check(status, what) {
    if (status === 0) return;
    const x = this.#exports;
    const name = this.#string(x.tlw_status_name(status));
    const sentence = this.#string(x.tlw_status_string(status));
    const detail = this.#model ? this.#string(x.tlw_detail(this.#model)) : "";
    const said = !detail || detail === sentence ? sentence : `${sentence}: ${detail}`;
    throw new TensorletError(`${what}: ${said} (${name})`, name, detail);
  }

  #describe(isOutput, count) {
    const x = this.#exports;
    const out = [];
    for (let i = 0; i < count; i++) {
      const at = x.tlw_tensor_info(this.#model, isOutput, i);
      const words = new Uint32Array(this.#memory.buffer, at, this.#info.words);
      const ints = new Int32Array(this.#memory.buffer, at, this.#info.words);
      const d = this.#info.dtype;
      const rank = words[2];
      const shape = Array.from(words.subarray(3, 3 + rank));
      const dtype = DTYPES[words[d]];
      const quantCount = words[d + 5];
      let quantization = null;
      if (quantCount > 0) {
        const view = new DataView(this.#memory.buffer);
        const scales = [], zeroPoints = [];
        for (let k = 0; k < quantCount; k++) {
          scales.push(view.getFloat32(words[d + 7] + 4 * k, true));
          zeroPoints.push(view.getInt32(words[d + 8] + 4 * k, true));
        }
        quantization = { scale: scales[0], zeroPoint: zeroPoints[0], scales, zeroPoints, axis: ints[d + 6] };
      }
      this.#slots[isOutput].push({ at: words[0], bytes: words[d + 1], array: dtype ? dtype.array : Uint8Array,
        tensor: words[d + 9] });
      out.push(Object.freeze({
        name: this.#string(words[1]) ?? "",
        shape: Object.freeze(shape),
        dtype: dtype ? dtype.name : `dtype${words[d]}`,
        size: words[d + 2],
        quantization: quantization && Object.freeze(quantization),
      }));
    }
    return Object.freeze(out);
  }

  #readMetadata() {
    const x = this.#exports, m = this.#model;
    const str = (field, index = 0) => this.#string(x.tlw_meta_string(m, field, index));
    const list = (field) => Array.from({ length: x.tlw_meta_count(m, field) }, (_, i) => str(field, i));
    const floats = (field) => {
      const at = x.tlw_meta_floats(m, field);
      const count = x.tlw_meta_floats_count();
      if (!at) return [];
      const view = new DataView(this.#memory.buffer);
      return Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i, true));
    };
    const extra = {};
    const keys = list(META.EXTRA_KEYS), values = list(META.EXTRA_VALUES);
    keys.forEach((k, i) => { extra[k] = values[i]; });
    const preprocessing = x.tlw_meta_count(m, META.PREPROCESSING) ? {
      scale: floats(META.SCALE)[0] ?? 1,
      mean: floats(META.MEAN),
      std: floats(META.STD),
      layout: str(META.LAYOUT) ?? "",
    } : null;
    return {
      producer: str(META.PRODUCER) ?? "",
      producerVersion: str(META.PRODUCER_VERSION) ?? "",
      description: str(META.DESCRIPTION) ?? "",
      inputNames: list(META.INPUT_NAMES),
      outputNames: list(META.OUTPUT_NAMES),
      labels: list(META.LABELS),
      preprocessing,
      extra,
    };
  }

  #alive() {
    if (this.#disposed) throw new TensorletError("the model was disposed: load it again to run it");
  }

  // The input values in model-input order (the messages are built only on failure: runs allocate little).
  #ordered(inputs) {
    const specs = this.inputs;
    const names = () => specs.map((t) => `'${t.name}'`).join(", ");
    if (ArrayBuffer.isView(inputs) || (inputs != null && ArrayBuffer.isView(inputs.data))) {
      if (specs.length !== 1) {
        throw new TensorletError(`the model takes ${specs.length} inputs (${names()}): pass an array or an object by `
          + "name");
      }
      return [inputs];
    }
    if (Array.isArray(inputs)) {
      if (inputs.length !== specs.length) {
        throw new TensorletError(`the model takes ${specs.length} input(s) (${names()}); got ${inputs.length}`);
      }
      return inputs;
    }
    if (inputs != null && typeof inputs === "object") {
      const given = Object.keys(inputs);
      for (const key of given) {
        if (!specs.some((t) => t.name === key)) {
          throw new TensorletError(`the model has no input named '${key}'; its inputs are ${names()}`);
        }
      }
      return specs.map((t) => {
        if (!(t.name in inputs)) {
          throw new TensorletError(`input '${t.name}' is missing; the model's inputs are ${names()}`);
        }
        return inputs[t.name];
      });
    }
    throw new TensorletError("run takes a typed array, an array of them or an object by input name; got "
      + describe(inputs));
  }

  /** Run one inference synchronously, on the wasm backend whatever model.backend is; see run(). */
  runSync(inputs) {
    this.#alive();
    return this.#guard("run", () => {
      this.#writeInputs(inputs);
      this.#check(this.#exports.tlw_invoke(this.#model), "the run failed");
      return this.#readOutputs();
    });
  }

  // Check the inputs and copy them into their tensors in this model's memory.
  #writeInputs(inputs) {
    const values = this.#ordered(inputs);
    for (let i = 0; i < values.length; i++) {
      const value = values[i], spec = this.inputs[i], slot = this.#slots[0][i];
      const data = value != null && !ArrayBuffer.isView(value) && ArrayBuffer.isView(value.data) ? value.data : value;
      // The tag, not instanceof: typed arrays from another realm (an iframe, a vm context) are accepted too.
      if (!ArrayBuffer.isView(data) || data[Symbol.toStringTag] !== slot.array.name || data.length !== spec.size) {
        const expected = `${slot.array.name} of ${spec.size} values (${spec.dtype}, shape ${shapeText(spec.shape)})`;
        throw new TensorletError(`input '${spec.name}' takes a ${expected}; got ${describe(data)}`);
      }
      if (data !== value && value.shape != null) {
        const shape = Array.from(value.shape);
        if (shape.length !== spec.shape.length || shape.some((d, k) => d !== spec.shape[k])) {
          throw new TensorletError(`input '${spec.name}' has shape ${shapeText(spec.shape)}; got ${shapeText(shape)}`);
        }
      }
      new Uint8Array(this.#memory.buffer, slot.at, slot.bytes).set(new Uint8Array(data.buffer, data.byteOffset,
        slot.bytes));
    }
  }

  // The outputs: fresh copies of their bytes (from this model's memory, or `gpuBytes` read back from the GPU).
  #readOutputs(gpuBytes = null) {
    return this.outputs.map((spec, i) => {
      const slot = this.#slots[1][i];
      const bytes = gpuBytes ? gpuBytes[i] : new Uint8Array(this.#memory.buffer, slot.at, slot.bytes).slice();
      return { name: spec.name, dtype: spec.dtype, shape: spec.shape.slice(), data: new slot.array(bytes.buffer) };
    });
  }

  async #runGpu(inputs) {
    this.#alive();
    this.#writeInputs(inputs);
    if (!this.#gpu) return this.runSync(inputs);
    let bytes;
    try {
      bytes = await this.#gpu.run();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) return this.#guard("run", () => { throw e; });
      if (e instanceof TensorletError) throw e; // an operator run in wasm failed: the core's status and detail
      this.#lost(e.message); // the device went away during the run: this run and the next ones go to wasm
      return this.runSync(inputs);
    }
    return this.#readOutputs(bytes);
  }

  /** Run one inference: `inputs` is a typed array (one-input models), an array of them in model-input order, or an
   * object by input name; each may also be { data, shape }. Resolves to the outputs in model-output order, each
   * { name, dtype, shape, data } with data a fresh typed array. */
  async run(inputs) {
    if (!this.#gpu) return this.runSync(inputs);
    const next = this.#queue.then(() => this.#runGpu(inputs));
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Bytes of WebAssembly memory this model holds (file, arena, runtime tables, stack). */
  get memoryBytes() {
    return this.#disposed ? 0 : this.#memory.buffer.byteLength;
  }

  /** Let go of the model's instance and memory; later runs reject. */
  dispose() {
    this.#gpu?.dispose();
    this.#gpu = null;
    this.#disposed = true;
    this.#exports = null;
    this.#memory = null;
  }

  get disposed() {
    return this.#disposed;
  }
}

// What "auto" tells before importing the GPU modules for a model of `macs` multiply-accumulates per inference: why
// the wasm backend runs it ({ reason }: too little work, no adapter, a failing requestAdapter, a software fallback,
// slower than wasm), or the adapter the GPU backend is to open ({ adapter }; {} when options.gpuDevice is given).
async function autoVerdict(macs, options) {
  if (macs < AUTO_MIN_MACS) {
    return { reason: `auto: ${(macs / 1e6).toFixed(2)} M multiply-accumulates per inference, under the `
      + `${AUTO_MIN_MACS / 1e6} M where WebGPU gains: the wasm backend runs it` };
  }
  if (options.gpuDevice) return {};
  let adapter;
  try {
    adapter = await (options.gpu ?? globalThis.navigator.gpu).requestAdapter({ powerPreference: "high-performance" });
  } catch (e) {
    return { reason: `requestAdapter failed: ${e.message}: the wasm backend runs the model` };
  }
  if (!adapter) return { reason: "no WebGPU adapter is available: the wasm backend runs the model" };
  const info = adapter.info ?? {};
  if (adapter.isFallbackAdapter ?? info.isFallbackAdapter) {
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ") || "unnamed adapter";
    return { reason: `auto: the adapter (${name}) is a software fallback, slower than wasm: the wasm backend runs it` };
  }
  return { adapter };
}

function wasmReport(ops, reason) {
  return Object.freeze({ backend: "wasm", reason, ops: Object.freeze(ops.map((op, index) =>
    Object.freeze({ index, op, backend: "wasm", reason: "" }))) });
}

const BACKENDS = ["auto", "wasm", "webgpu"];

/** Load a .tlet model. options.backend: "auto" (default: WebGPU where a hardware adapter is and the model does at
 * least 20 M multiply-accumulates per inference, else wasm; decided before any GPU module is imported), "wasm" or
 * "webgpu" (wasm when no adapter is found); options.gpu: the GPU object to ask for an adapter (default
 * navigator.gpu; in Node e.g. create() of the npm package webgpu); options.gpuDevice: a GPUDevice to use;
 * options.simd: true, false or "auto" (default: SIMD128 where WebAssembly.validate accepts it); options.wasmPath:
 * the folder holding tensorlet.wasm and tensorlet-nosimd.wasm (default: next to this module); options.wasm: the
 * runtime's bytes or a compiled WebAssembly.Module to use instead. */
export async function load(source, options = {}) {
  const backend = options.backend ?? "auto";
  if (!BACKENDS.includes(backend)) {
    throw new TensorletError(`unknown backend '${backend}'; this build has "auto", "wasm" and "webgpu"`);
  }
  if (typeof WebAssembly !== "object") {
    throw new TensorletError("this JavaScript engine has no WebAssembly");
  }
  const wantSimd = options.simd ?? "auto";
  const simd = wantSimd === "auto" ? simdSupported() : Boolean(wantSimd);
  if (simd && !simdSupported()) {
    throw new TensorletError("options.simd is true but this engine does not run WebAssembly SIMD128");
  }
  const [bytes, module] = await Promise.all([modelBytes(source), compileModule(simd, options)]);
  const instance = await WebAssembly.instantiate(module, {});
  const model = new TensorletModel(instance, Boolean(instance.exports.tlw_simd()))._open(bytes);
  if (backend === "wasm") return model;
  const gpu = options.gpuDevice ?? options.gpu ?? globalThis.navigator?.gpu;
  if (gpu == null) {
    model.backendReport = wasmReport(model.ops, backend === "webgpu"
      ? "WebGPU was asked for, but this engine has no navigator.gpu (and no options.gpu): the wasm backend runs it"
      : "this engine has no WebGPU");
    return model;
  }
  return model._attachGpu(options, backend);
}

export const Tensorlet = Object.freeze({ load, simdSupported, version: VERSION, TensorletError, TensorletModel });
export { VERSION as version };
export default Tensorlet;
