// Tensorlet's web benchmark: Tensorlet's WebAssembly runtime (int8 and float) against onnxruntime-web (wasm, SIMD,
// one thread), TF.js with @tensorflow/tfjs-backend-wasm, and @tensorflow/tfjs-tflite (float and int8), on the MLPerf
// Tiny models and an MNIST CNN. One Node process, one thread per runtime, batch 1, the same models and inputs for
// every runtime; each is warmed up, then timed run by run over several rounds (the runtimes take turns), and the
// median is reported. Load time, first run and cold start (a fresh process: import, init, load, first result), the
// outputs' agreement, and the runtimes' wasm/JS bytes (raw, gzip -9, brotli -11) are reported too.
//
//   python benchmarks/web/build_models.py        # the models and inputs (benchmarks/web/models/)
//   node benchmarks/web/bench.mjs [options]      # or: make bench-web
//
// Options: --models kws,vww,...   --engines tensorlet-int8,ort-f32,...   --rounds N (8)   --time-ms MS (200 per
// round)   --warm-ms MS (300)   --cold-repeats N (3; 0 skips the cold starts)   --out FILE (results.json here)
// --json (print the JSON too)   --quick (1 round, short timings, 1 cold start)
//
// tfjs-tflite runs in a worker thread of this process (see tflite_node.mjs); a runtime or model that fails to load
// is reported as such and the others go on.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { brotliCompressSync, constants as zc, gzipSync } from "node:zlib";
import { measure, summarize } from "./timing.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const MODELS_DIR = join(HERE, "models");
const TFLITE_DIR = join(HERE, "tflite");
// An installed package's folder (their "exports" maps may hide package.json from require.resolve).
const pkgDir = (base, name) => join(base, "node_modules", name);
const pkgVersion = (base, name) => JSON.parse(readFileSync(join(pkgDir(base, name), "package.json"), "utf8")).version;
const TENSORLET_JS = join(ROOT, "runtime_wasm", "tensorlet.js");

// ---- options ----

function parseArgs(argv) {
  const o = { models: null, engines: null, rounds: 8, timeMs: 200, warmMs: 300, coldRepeats: 3,
    out: join(HERE, "results.json"), json: false, cold: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--models") o.models = next().split(",");
    else if (a === "--engines") o.engines = next().split(",");
    else if (a === "--rounds") o.rounds = Number(next());
    else if (a === "--time-ms") o.timeMs = Number(next());
    else if (a === "--warm-ms") o.warmMs = Number(next());
    else if (a === "--cold-repeats") o.coldRepeats = Number(next());
    else if (a === "--out") o.out = next();
    else if (a === "--json") o.json = true;
    else if (a === "--quick") Object.assign(o, { rounds: 1, timeMs: 200, warmMs: 150, coldRepeats: 1 });
    else if (a === "--cold") o.cold = { engine: next(), model: next() }; // internal: one cold start, JSON out
    else if (a === "-h" || a === "--help") {
      console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").filter((l) => l.startsWith("//"))
        .map((l) => l.slice(3)).join("\n"));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  return o;
}

// ---- models and inputs ----

function loadManifest() {
  const file = join(MODELS_DIR, "manifest.json");
  if (!existsSync(file)) {
    throw new Error(`${relative(process.cwd(), file)} is missing: run python benchmarks/web/build_models.py first `
      + "(make bench-web does)");
  }
  return JSON.parse(readFileSync(file, "utf8"));
}

const modelPath = (p) => (isAbsolute(p) ? p : join(MODELS_DIR, p));
const readBytes = (p) => new Uint8Array(readFileSync(modelPath(p)));

function floatInput(m) {
  const b = readFileSync(modelPath(m.input));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function quantize(x, q, Array = Int8Array) {
  const [lo, hi] = Array === Uint8Array ? [0, 255] : [-128, 127];
  const out = new Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(hi, Math.max(lo, Math.round(x[i] / q.scale) + q.zero_point));
  return out;
}

function dequantize(y, q) {
  return Float64Array.from(y, (v) => (v - q.zero_point) * q.scale);
}

// ---- the engines: one runtime x one precision ----

const ONNX_ARRAYS = { 1: Float32Array, 3: Int8Array, 2: Uint8Array };

const FAMILIES = {
  tensorlet: {
    label: "Tensorlet",
    async init(state) {
      state.mod = await import(pathToFileURL(TENSORLET_JS).href);
      // Compile the runtime once, as the module's own cache does for a URL: model loads then time the model only.
      state.compiled = await WebAssembly.compile(readFileSync(join(ROOT, "runtime_wasm", "tensorlet.wasm")));
      return { version: state.mod.version, simd: state.mod.simdSupported() };
    },
  },
  ort: {
    label: "onnxruntime-web",
    async init(state, manifest) {
      state.ort = await import("onnxruntime-web");
      state.ort.env.wasm.numThreads = 1;
      state.ort.env.wasm.proxy = false;
      state.ort.env.logLevel = "error";
      // The first session instantiates the 13.6 MiB wasm: do it here, on MNIST, so model loads time the model only.
      const warm = manifest.models.find((m) => m.name === "mnist") ?? manifest.models[0];
      const s = await state.ort.InferenceSession.create(readBytes(warm.onnx_f32), { executionProviders: ["wasm"] });
      await s.release();
      return { version: state.ort.env.versions?.web ?? pkgVersion(HERE, "onnxruntime-web"),
        numThreads: state.ort.env.wasm.numThreads };
    },
  },
  tfjs: {
    label: "TF.js (wasm)",
    async init(state) {
      state.tf = await import("@tensorflow/tfjs-core");
      await import("@tensorflow/tfjs-backend-wasm");
      state.tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // the single-threaded SIMD build
      if (!(await state.tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
      await state.tf.ready();
      state.graph = await import("./tfjs_graph.mjs");
      return { version: state.tf.version_core, backend: state.tf.getBackend(),
        simd: await state.tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") };
    },
  },
  tflite: {
    label: "tfjs-tflite",
    async init(state, manifest) {
      state.worker = new TfliteWorker();
      const info = await state.worker.call({ cmd: "init" });
      // The first model instantiates the wasm: do it here so model loads time the model only.
      const warm = manifest.models.find((m) => m.name === "mnist") ?? manifest.models[0];
      const r = await state.worker.call({ cmd: "load", id: "warm", bytes: readBytes(warm.tflite_f32),
        input: floatInput(warm) });
      await state.worker.call({ cmd: "dispose", id: "warm" });
      return { ...info, wasm: r.script?.wasm ? relative(HERE, r.script.wasm) : null };
    },
  },
};

const ENGINES = [
  { key: "tensorlet-int8", family: "tensorlet", precision: "int8", label: "Tensorlet int8",
    has: (m) => m.tlet_int8, load: tensorletLoad("tlet_int8") },
  { key: "tensorlet-f32", family: "tensorlet", precision: "f32", label: "Tensorlet f32",
    has: (m) => m.tlet_f32, load: tensorletLoad("tlet_f32") },
  { key: "ort-f32", family: "ort", precision: "f32", label: "ORT-web f32", has: (m) => m.onnx_f32,
    load: ortLoad("onnx_f32") },
  { key: "ort-qdq", family: "ort", precision: "int8", label: "ORT-web QDQ", has: (m) => m.onnx_qdq, extra: true,
    load: ortLoad("onnx_qdq") },
  { key: "tfjs-f32", family: "tfjs", precision: "f32", label: "TF.js f32", has: (m) => m.tfjs, load: tfjsLoad },
  { key: "tflite-f32", family: "tflite", precision: "f32", label: "tfjs-tflite f32", has: (m) => m.tflite_f32,
    load: tfliteLoad("tflite_f32") },
  { key: "tflite-int8", family: "tflite", precision: "int8", label: "tfjs-tflite int8", has: (m) => m.tflite_int8,
    load: tfliteLoad("tflite_int8") },
];

// Each load returns { run, measure(options), dispose, load_ms, first_run_ms, output, outputQuant, note }.

function tensorletLoad(field) {
  return async (state, m, x) => {
    const bytes = readBytes(m[field]);
    const t0 = performance.now();
    const model = await state.mod.load(bytes, { wasm: state.compiled });
    const t1 = performance.now();
    const spec = model.inputs[0];
    const input = spec.dtype === "float32" ? x : quantize(x, { scale: spec.quantization.scale,
      zero_point: spec.quantization.zeroPoint }, spec.dtype === "uint8" ? Uint8Array : Int8Array);
    const run = async () => (await model.run(input))[0].data;
    const output = await run();
    const t2 = performance.now();
    const oq = model.outputs[0].quantization;
    return { run, dispose: () => model.dispose(), load_ms: t1 - t0, first_run_ms: t2 - t1, output,
      outputQuant: oq ? { scale: oq.scale, zero_point: oq.zeroPoint } : null,
      note: `${model.simd ? "SIMD128" : "MVP"}, memory ${model.memoryBytes} B` };
  };
}

function ortLoad(field) {
  return async (state, m, x) => {
    const io = m[`${field}_io`];
    const spec = io.inputs[0];
    const Arr = ONNX_ARRAYS[spec.elem_type];
    if (!Arr) throw new Error(`ONNX input type ${spec.elem_type} is not handled`);
    const bytes = readBytes(m[field]);
    const t0 = performance.now();
    const session = await state.ort.InferenceSession.create(bytes, { executionProviders: ["wasm"],
      graphOptimizationLevel: "all" });
    const t1 = performance.now();
    const data = Arr === Float32Array ? x : quantize(x, m.tflite_int8_io.input, Arr);
    const type = { Float32Array: "float32", Int8Array: "int8", Uint8Array: "uint8" }[Arr.name];
    const feeds = { [session.inputNames[0]]: new state.ort.Tensor(type, data, spec.shape) };
    const outName = session.outputNames[0];
    const run = async () => {
      const out = await session.run(feeds);
      const y = out[outName].data.slice();
      for (const k in out) out[k].dispose?.();
      return y;
    };
    const output = await run();
    const t2 = performance.now();
    return { run, dispose: () => session.release(), load_ms: t1 - t0, first_run_ms: t2 - t1, output,
      outputQuant: output instanceof Float32Array ? null : m.tflite_int8_io.output };
  };
}

async function tfjsLoad(state, m, x) {
  const graph = JSON.parse(readFileSync(modelPath(m.tfjs), "utf8"));
  const weights = readBytes(m.tfjs_weights);
  const t0 = performance.now();
  const g = state.graph.buildGraph(state.tf, graph, weights);
  const t1 = performance.now();
  const run = async () => g.run(x);
  const output = await run();
  const t2 = performance.now();
  return { run, dispose: () => g.dispose(), load_ms: t1 - t0, first_run_ms: t2 - t1, output, outputQuant: null };
}

function tfliteLoad(field) {
  return async (state, m, x) => {
    const id = `${m.name}:${field}`;
    const input = field === "tflite_int8" ? quantize(x, m.tflite_int8_io.input) : x;
    const r = await state.worker.call({ cmd: "load", id, bytes: readBytes(m[field]), input });
    return { measure: (options) => state.worker.call({ cmd: "measure", id, options }),
      dispose: () => state.worker.call({ cmd: "dispose", id }), load_ms: r.load_ms, first_run_ms: r.first_run_ms,
      output: r.output, outputQuant: field === "tflite_int8" ? m.tflite_int8_io.output : null };
  };
}

class TfliteWorker {
  constructor() {
    this.seq = 0;
    this.pending = new Map();
    this.dead = null;
    this.worker = new Worker(new URL("./tflite_worker.mjs", import.meta.url), { stdout: false, stderr: true });
    this.worker.stderr.on("data", (d) => {
      const text = String(d).trim();
      if (text && !/XNNPACK delegate/.test(text)) process.stderr.write(`[tfjs-tflite] ${text}\n`);
    });
    this.worker.on("message", (msg) => {
      const p = this.pending.get(msg.seq);
      if (!p) return;
      this.pending.delete(msg.seq);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result); else p.reject(new Error(msg.error.split("\n")[0]));
    });
    const fail = (e) => {
      this.dead = e instanceof Error ? e : new Error(String(e));
      for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(this.dead); }
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`the tfjs-tflite worker exited (${code})`)));
  }

  call(msg, timeoutMs = 120000) {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const seq = ++this.seq;
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`the tfjs-tflite worker did not answer ${msg.cmd} in ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer });
      this.worker.postMessage({ ...msg, seq });
    });
  }

  terminate() {
    this.worker.removeAllListeners("exit");
    return this.worker.terminate();
  }
}

// ---- one cold start, in a process of its own ----

async function coldStart(engineKey, modelName) {
  const manifest = loadManifest();
  const m = manifest.models.find((x) => x.name === modelName);
  const engine = ENGINES.find((e) => e.key === engineKey);
  if (!m || !engine) throw new Error(`unknown engine or model: ${engineKey} ${modelName}`);
  const x = floatInput(m);
  const field = { "tensorlet-int8": "tlet_int8", "tensorlet-f32": "tlet_f32", "ort-f32": "onnx_f32",
    "ort-qdq": "onnx_qdq", "tflite-f32": "tflite_f32", "tflite-int8": "tflite_int8" }[engineKey];
  const bytes = field ? readBytes(m[field]) : null;
  const tfjsGraph = engineKey === "tfjs-f32" ? JSON.parse(readFileSync(modelPath(m.tfjs), "utf8")) : null;
  const tfjsWeights = engineKey === "tfjs-f32" ? readBytes(m.tfjs_weights) : null;
  // Marks: start, after the import, after the runtime's init, after the model's load, after the first result.
  const t0 = performance.now();
  let tImport, tInit, tLoad, tFirst;
  if (engine.family === "tensorlet") {
    const mod = await import(pathToFileURL(TENSORLET_JS).href);
    tImport = tInit = performance.now(); // no separate init: load() reads and compiles tensorlet.wasm
    const model = await mod.load(bytes);
    tLoad = performance.now();
    const spec = model.inputs[0];
    const input = spec.dtype === "float32" ? x
      : quantize(x, { scale: spec.quantization.scale, zero_point: spec.quantization.zeroPoint });
    await model.run(input);
    tFirst = performance.now();
  } else if (engine.family === "ort") {
    const ort = await import("onnxruntime-web");
    tImport = performance.now();
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = "error";
    tInit = performance.now(); // the wasm is instantiated by the first session: it counts in the load
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    tLoad = performance.now();
    const spec = m[`${field}_io`].inputs[0];
    const Arr = ONNX_ARRAYS[spec.elem_type];
    const data = Arr === Float32Array ? x : quantize(x, m.tflite_int8_io.input, Arr);
    const type = { Float32Array: "float32", Int8Array: "int8", Uint8Array: "uint8" }[Arr.name];
    await session.run({ [session.inputNames[0]]: new ort.Tensor(type, data, spec.shape) });
    tFirst = performance.now();
  } else if (engine.family === "tfjs") {
    const tf = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-backend-wasm");
    const { buildGraph } = await import("./tfjs_graph.mjs");
    tImport = performance.now();
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    await tf.setBackend("wasm");
    await tf.ready();
    tInit = performance.now();
    const g = buildGraph(tf, tfjsGraph, tfjsWeights);
    tLoad = performance.now();
    g.run(x);
    tFirst = performance.now();
  } else {
    const tfl = await import("./tflite_node.mjs");
    tImport = performance.now();
    await tfl.init();
    tInit = performance.now(); // the wasm is instantiated by the first model: it counts in the load
    const input = engineKey === "tflite-int8" ? quantize(x, m.tflite_int8_io.input) : x;
    const r = await tfl.load(bytes, input); // loads, then runs once
    tFirst = performance.now();
    tLoad = tFirst - r.first_run_ms;
  }
  return { import_ms: tImport - t0, init_ms: tInit - tImport, load_ms: tLoad - tInit, first_run_ms: tFirst - tLoad,
    total_ms: tFirst - t0 };
}

function runColdStarts(manifest, engines, models, repeats) {
  const results = {};
  for (const m of models) {
    results[m.name] = {};
    for (const e of engines) {
      if (!e.has(m)) continue;
      const samples = [];
      let error = null;
      for (let r = 0; r < repeats && !error; r++) {
        const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--cold", e.key, m.name],
          { encoding: "utf8", timeout: 120000 });
        const line = (p.stdout || "").trim().split("\n").pop();
        try {
          const parsed = JSON.parse(line);
          if (parsed.error) error = parsed.error; else samples.push(parsed);
        } catch {
          error = `exit ${p.status}${p.signal ? ` (${p.signal})` : ""}: ${(p.stderr || "").trim().split("\n").pop()}`;
        }
      }
      if (samples.length === 0) { results[m.name][e.key] = { error }; continue; }
      const med = (k) => summarize(samples.map((s) => s[k])).median_ms;
      results[m.name][e.key] = { import_ms: med("import_ms"), init_ms: med("init_ms"), load_ms: med("load_ms"),
        first_run_ms: med("first_run_ms"), total_ms: med("total_ms"), repeats: samples.length };
    }
  }
  return results;
}

// ---- sizes ----

function sizeFiles() {
  const ortDist = join(pkgDir(HERE, "onnxruntime-web"), "dist");
  const tfCore = pkgDir(HERE, "@tensorflow/tfjs-core");
  const tfWasm = pkgDir(HERE, "@tensorflow/tfjs-backend-wasm");
  const tflite = pkgDir(TFLITE_DIR, "@tensorflow/tfjs-tflite");
  const tfCore49 = pkgDir(TFLITE_DIR, "@tensorflow/tfjs-core");
  const tfCpu49 = pkgDir(TFLITE_DIR, "@tensorflow/tfjs-backend-cpu");
  return {
    tensorlet: { wasm: [join(ROOT, "runtime_wasm/tensorlet.wasm")], js: [TENSORLET_JS] },
    ort: { wasm: [join(ortDist, "ort-wasm-simd-threaded.wasm")],
      js: [join(ortDist, "ort.wasm.min.mjs"), join(ortDist, "ort-wasm-simd-threaded.mjs")] },
    tfjs: { wasm: [join(tfWasm, "dist/tfjs-backend-wasm-simd.wasm")],
      js: [join(tfCore, "dist/tf-core.min.js"), join(tfWasm, "dist/tf-backend-wasm.min.js")] },
    tflite: { wasm: [join(tflite, "wasm/tflite_web_api_cc_simd.wasm")],
      js: [join(tflite, "wasm/tflite_web_api_cc_simd.js"), join(tflite, "dist/tf-tflite.min.js"),
        join(tfCore49, "dist/tf-core.min.js"), join(tfCpu49, "dist/tf-backend-cpu.min.js")] },
  };
}

function compressedSizes(files, cache) {
  const total = { raw: 0, gzip: 0, brotli: 0, files: [] };
  for (const f of files) {
    if (!existsSync(f)) { total.missing = (total.missing ?? []).concat(relative(ROOT, f)); continue; }
    const bytes = readFileSync(f);
    const key = createHash("sha256").update(bytes).digest("hex");
    if (!cache[key]) {
      cache[key] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length,
        brotli: brotliCompressSync(bytes, { params: { [zc.BROTLI_PARAM_QUALITY]: 11,
          [zc.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length };
    }
    total.raw += cache[key].raw;
    total.gzip += cache[key].gzip;
    total.brotli += cache[key].brotli;
    total.files.push(relative(ROOT, f));
  }
  return total;
}

function measureSizes(engineFamilies) {
  const cacheFile = join(MODELS_DIR, ".sizes-cache.json");
  let cache = {};
  try { cache = JSON.parse(readFileSync(cacheFile, "utf8")); } catch { /* first run */ }
  const out = {};
  let files;
  try {
    files = sizeFiles();
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
  for (const [family, sets] of Object.entries(files)) {
    if (!engineFamilies.has(family)) continue;
    try {
      out[family] = { wasm: compressedSizes(sets.wasm, cache), js: compressedSizes(sets.js, cache) };
    } catch (e) {
      out[family] = { error: String(e.message ?? e) };
    }
  }
  try { writeFileSync(cacheFile, JSON.stringify(cache)); } catch { /* read-only checkout: fine */ }
  return out;
}

// ---- agreement of the outputs ----

function agreement(model, loaded) {
  const float = (k) => loaded[k]?.output && !loaded[k].outputQuant ? Float64Array.from(loaded[k].output) : null;
  const refKey = ["ort-f32", "tflite-f32", "tfjs-f32", "tensorlet-f32"].find((k) => float(k));
  const ref = refKey ? float(refKey) : null;
  const argmax = (a) => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);
  const out = { reference: refKey ?? null };
  for (const [k, r] of Object.entries(loaded)) {
    if (!r.output) continue;
    const y = r.outputQuant ? dequantize(r.output, r.outputQuant) : Float64Array.from(r.output);
    const e = {};
    if (ref && y.length === ref.length) {
      let d = 0;
      for (let i = 0; i < y.length; i++) d = Math.max(d, Math.abs(y[i] - ref[i]));
      e.max_abs_diff = d;
      if (model.name !== "ad") e.top1_agrees = argmax(y) === argmax(ref);
    }
    out[k] = e;
  }
  // The int8 models that are one and the same file (the MLPerf .tflite): Tensorlet against TFLite, in LSBs.
  const a = loaded["tensorlet-int8"]?.output, b = loaded["tflite-int8"]?.output;
  if (a && b && a.length === b.length && model.name !== "mnist") {
    let differ = 0, max = 0;
    for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); if (d) differ++; max = Math.max(max, d); }
    out.tensorlet_vs_tflite_int8 = { differing: differ, of: a.length, max_lsb: max };
  }
  return out;
}

// ---- the report ----

const fmt = (v, digits = 3) => (v == null ? "-" : v < 0.1 ? v.toFixed(4) : v.toFixed(digits));
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const kib = (n) => (n == null ? "-" : n >= 1048576 ? `${(n / 1048576).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

function ratios(row, field = "median_ms") {
  const med = (k) => row.engines[k]?.[field];
  const competitors = ["ort-f32", "ort-qdq", "tfjs-f32", "tflite-f32", "tflite-int8"];
  const best = (keys) => {
    let bestKey = null;
    for (const k of keys) if (med(k) != null && (bestKey == null || med(k) < med(bestKey))) bestKey = k;
    return bestKey;
  };
  const r = {};
  const bestAll = best(competitors);
  const bestOrtTfjs = best(["ort-f32", "tfjs-f32"]);
  if (med("tensorlet-int8") != null && bestAll) {
    r.int8_vs_best = { ratio: med("tensorlet-int8") / med(bestAll), best: bestAll };
  }
  if (med("tensorlet-f32") != null && bestOrtTfjs) {
    r.f32_vs_ort_tfjs = { ratio: med("tensorlet-f32") / med(bestOrtTfjs), best: bestOrtTfjs };
  }
  if (med("tensorlet-f32") != null && bestAll) {
    r.f32_vs_best = { ratio: med("tensorlet-f32") / med(bestAll), best: bestAll };
  }
  return r;
}

function printReport(results) {
  const engines = results.engines;
  const lines = [];
  const w0 = 22, w = 12;
  lines.push(`\nLatency, median ms (batch 1, one thread; ${results.machine.cpu}, Node ${results.machine.node})`);
  lines.push(pad("model", w0) + engines.map((e) => lpad(e.label.replace("tfjs-tflite", "tflite"), w + 2)).join("")
    + lpad("int8/best", 11) + lpad("f32/ort,tfjs", 14) + lpad("f32/best", 10));
  for (const row of results.models) {
    let line = pad(row.label, w0);
    for (const e of engines) {
      const r = row.engines[e.key];
      line += lpad(r?.median_ms != null ? fmt(r.median_ms) : r?.error ? "failed" : "n/a", w + 2);
    }
    const q = row.ratios;
    line += lpad(q.int8_vs_best ? q.int8_vs_best.ratio.toFixed(2) : "-", 11);
    line += lpad(q.f32_vs_ort_tfjs ? q.f32_vs_ort_tfjs.ratio.toFixed(2) : "-", 14);
    line += lpad(q.f32_vs_best ? q.f32_vs_best.ratio.toFixed(2) : "-", 10);
    lines.push(line);
  }
  lines.push("ratios: Tensorlet / the fastest competitor (int8/best, f32/best: over every competitor column; "
    + "f32/ort,tfjs: over ORT-web f32 and TF.js). Below 1 = Tensorlet is faster. ORT-web QDQ is the MLPerf QDQ "
    + ".onnx (informational).");
  lines.push("\nThe least disturbed round (the lowest of the per-round medians), ms, and its ratios:");
  for (const row of results.models) {
    const q = row.ratios_best_round;
    lines.push(pad(row.label, w0) + engines.map((e) => {
      const r = row.engines[e.key];
      return lpad(r?.best_round_median_ms != null ? fmt(r.best_round_median_ms) : "", w + 2);
    }).join("") + lpad(q.int8_vs_best ? q.int8_vs_best.ratio.toFixed(2) : "-", 11)
      + lpad(q.f32_vs_ort_tfjs ? q.f32_vs_ort_tfjs.ratio.toFixed(2) : "-", 14)
      + lpad(q.f32_vs_best ? q.f32_vs_best.ratio.toFixed(2) : "-", 10));
  }
  lines.push("\nSpread, p10-p90 ms:");
  for (const row of results.models) {
    lines.push(pad(row.label, w0) + engines.map((e) => {
      const r = row.engines[e.key];
      return lpad(r?.p10_ms != null ? `${fmt(r.p10_ms, 2)}-${fmt(r.p90_ms, 2)}` : "", w + 2);
    }).join(""));
  }
  lines.push("\nLoad (runtime already initialized) + first run, ms:");
  for (const row of results.models) {
    lines.push(pad(row.label, w0) + engines.map((e) => {
      const r = row.engines[e.key];
      return lpad(r?.load_ms != null ? `${fmt(r.load_ms, 1)}+${fmt(r.first_run_ms, 1)}` : "", w + 2);
    }).join(""));
  }
  if (results.cold_start) {
    lines.push("\nCold start, time to first result in a fresh process (import + init + load + first run), median ms:");
    for (const row of results.models) {
      const c = results.cold_start[row.name] ?? {};
      lines.push(pad(row.label, w0) + engines.map((e) => {
        const r = c[e.key];
        return lpad(r?.total_ms != null ? fmt(r.total_ms, 1) : r?.error ? "failed" : "", w + 2);
      }).join(""));
    }
    const k = results.models[0]?.name;
    if (k && results.cold_start[k]) {
      lines.push(`  ${results.models[0].label} split (import / init / load / first run):`);
      for (const e of engines) {
        const r = results.cold_start[k][e.key];
        if (r?.total_ms != null) {
          lines.push(`    ${pad(e.label, 18)} ${r.import_ms.toFixed(1)} / ${r.init_ms.toFixed(1)} / `
            + `${r.load_ms.toFixed(1)} / ${r.first_run_ms.toFixed(1)}`);
        }
      }
    }
  }
  lines.push("\nOutputs: max |difference| from the float reference (dequantized for int8), top-1 agreement:");
  for (const row of results.models) {
    const a = row.agreement;
    let line = pad(row.label, w0);
    for (const e of engines) {
      const r = a[e.key];
      line += lpad(r?.max_abs_diff != null ? `${r.max_abs_diff.toExponential(1)}${r.top1_agrees === false ? "!" : ""}`
        : "", w + 2);
    }
    if (a.tensorlet_vs_tflite_int8) {
      const t = a.tensorlet_vs_tflite_int8;
      line += `  int8 vs TFLite: ${t.differing}/${t.of} differ (max ${t.max_lsb} LSB)`;
    }
    lines.push(line + `  [ref ${a.reference}]`);
  }
  lines.push("(! = top-1 class differs from the reference)");
  lines.push("\nRuntime bytes (wasm | JS needed to run it), raw / gzip -9 / brotli -11:");
  for (const [family, s] of Object.entries(results.sizes)) {
    const label = FAMILIES[family].label;
    if (s.error) { lines.push(`  ${pad(label, 16)} ${s.error}`); continue; }
    if (s.wasm.missing || s.js.missing) {
      lines.push(`  ${pad(label, 16)} not installed: ${[...(s.wasm.missing ?? []), ...(s.js.missing ?? [])].join(", ")}`);
      continue;
    }
    lines.push(`  ${pad(label, 16)} wasm ${kib(s.wasm.raw)} / ${kib(s.wasm.gzip)} / ${kib(s.wasm.brotli)}`
      + `   | JS ${kib(s.js.raw)} / ${kib(s.js.gzip)} / ${kib(s.js.brotli)}`
      + `   (${s.wasm.files.map((f) => f.split("/").pop()).join(", ")})`);
  }
  for (const row of results.models) for (const note of row.notes ?? []) lines.push(`note: ${row.label}: ${note}`);
  const failures = Object.entries(results.runtimes).filter(([, r]) => r.error);
  for (const [family, r] of failures) lines.push(`\n${FAMILIES[family].label} failed to initialize: ${r.error}`);
  for (const row of results.models) {
    for (const [k, r] of Object.entries(row.engines)) {
      if (r.error) lines.push(`${row.label} / ${k}: ${r.error}`);
    }
  }
  const goals = results.goals;
  lines.push(`\nGoal: Tensorlet int8 faster than every competitor on every model: ${goals.int8 ? "MET" : "NOT MET"}; `
    + `Tensorlet f32 faster than ORT-web and TF.js on every model: ${goals.f32 ? "MET" : "NOT MET"}.`);
  console.log(lines.join("\n"));
}

// ---- main ----

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.cold) {
    try {
      console.log(JSON.stringify(await coldStart(opts.cold.engine, opts.cold.model)));
    } catch (e) {
      console.log(JSON.stringify({ error: String(e?.message ?? e) }));
    }
    process.exit(0);
  }
  const manifest = loadManifest();
  const models = manifest.models.filter((m) => !opts.models || opts.models.includes(m.name));
  const engines = ENGINES.filter((e) => !opts.engines || opts.engines.includes(e.key));
  const os = await import("node:os");
  const results = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model ?? "?", cores: os.cpus().length, node: process.versions.node,
      v8: process.versions.v8, platform: `${os.platform()} ${os.arch()}` },
    options: { rounds: opts.rounds, time_ms: opts.timeMs, warm_ms: opts.warmMs, cold_repeats: opts.coldRepeats },
    engines: engines.map((e) => ({ key: e.key, label: e.label, family: e.family, precision: e.precision,
      informational: Boolean(e.extra) })),
    runtimes: {},
    models: [],
  };

  // Initialize each runtime once (its wasm instantiated); a failure leaves its engines out, not the benchmark.
  const states = {};
  for (const family of new Set(engines.map((e) => e.family))) {
    const state = {};
    const t0 = performance.now();
    try {
      const info = await FAMILIES[family].init(state, manifest);
      results.runtimes[family] = { ...info, init_ms: performance.now() - t0 };
      states[family] = state;
    } catch (e) {
      results.runtimes[family] = { error: String(e?.message ?? e) };
      process.stderr.write(`${FAMILIES[family].label}: failed to initialize: ${e?.message ?? e}\n`);
    }
  }

  for (const m of models) {
    process.stderr.write(`${m.label}: `);
    const x = floatInput(m);
    const row = { name: m.name, label: m.label, notes: m.notes ?? [], engines: {}, agreement: {}, ratios: {} };
    const loaded = {};
    for (const e of engines) {
      if (!e.has(m)) continue;
      if (!states[e.family]) { row.engines[e.key] = { error: "runtime failed to initialize" }; continue; }
      try {
        loaded[e.key] = await e.load(states[e.family], m, x);
        row.engines[e.key] = { load_ms: loaded[e.key].load_ms, first_run_ms: loaded[e.key].first_run_ms,
          note: loaded[e.key].note };
      } catch (err) {
        row.engines[e.key] = { error: `load failed: ${String(err?.message ?? err).split("\n")[0]}` };
      }
    }
    row.agreement = agreement(m, loaded);
    // Rounds: every loaded engine in turn (the order rotates), samples pooled per engine.
    const keys = Object.keys(loaded);
    const samples = Object.fromEntries(keys.map((k) => [k, []]));
    const roundMedians = Object.fromEntries(keys.map((k) => [k, []]));
    for (let round = 0; round < opts.rounds; round++) {
      const order = keys.slice(round % Math.max(1, keys.length)).concat(keys.slice(0, round % Math.max(1, keys.length)));
      for (const k of order) {
        if (!loaded[k]) continue;
        const timing = { warmMs: round === 0 ? opts.warmMs : Math.min(100, opts.warmMs), timeMs: opts.timeMs };
        try {
          const times = loaded[k].measure ? await loaded[k].measure(timing) : await measure(loaded[k].run, timing);
          samples[k].push(...times);
          roundMedians[k].push(summarize(times).median_ms);
        } catch (err) {
          row.engines[k].error = `run failed: ${String(err?.message ?? err).split("\n")[0]}`;
          loaded[k] = null;
        }
      }
      process.stderr.write(".");
    }
    for (const k of keys) {
      if (samples[k].length && !row.engines[k].error) {
        Object.assign(row.engines[k], summarize(samples[k]), { best_round_median_ms: Math.min(...roundMedians[k]),
          round_medians_ms: roundMedians[k] });
      }
      try { await loaded[k]?.dispose(); } catch { /* ignore */ }
    }
    row.ratios = ratios(row);
    row.ratios_best_round = ratios(row, "best_round_median_ms");
    results.models.push(row);
    process.stderr.write(" done\n");
  }
  if (states.tflite?.worker) await states.tflite.worker.terminate();

  if (opts.coldRepeats > 0) {
    process.stderr.write("cold starts...\n");
    results.cold_start = runColdStarts(manifest, engines, models, opts.coldRepeats);
  }
  process.stderr.write("sizes...\n");
  results.sizes = measureSizes(new Set(engines.map((e) => e.family)));
  results.goals = {
    int8: results.models.every((r) => r.ratios.int8_vs_best && r.ratios.int8_vs_best.ratio < 1),
    f32: results.models.every((r) => r.ratios.f32_vs_ort_tfjs && r.ratios.f32_vs_ort_tfjs.ratio < 1),
  };
  printReport(results);
  writeFileSync(opts.out, JSON.stringify(results, null, 1));
  console.log(`\nwrote ${relative(process.cwd(), opts.out)}`);
  if (opts.json) console.log(JSON.stringify(results, null, 1));
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
