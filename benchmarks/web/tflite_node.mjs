// @tensorflow/tfjs-tflite in Node (the benchmark's worker thread, or a cold-start child process).
//
// tfjs-tflite 0.0.1-alpha.10 is browser code: it loads its Emscripten runtime by appending a <script> to the
// document and fetches the .wasm next to it. Here a few browser globals are faked (`window`, `self`, `location`,
// `document` whose <script> elements evaluate the file from disk) and the Emscripten factory is handed the .wasm
// bytes read from disk. It uses its own @tensorflow/tfjs-core 4.9.0 (which it pins) from benchmarks/web/tflite/.
// The non-threaded SIMD build is always the one loaded (one thread, as the other runtimes), whatever its feature
// probe says. Call it only where faking those globals harms nothing: a worker thread or a process of its own.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(HERE, "tflite", "package.json"));
let tflite = null;
let wasmDir = null;
let loadedScript = null;

function fakeBrowser() {
  const scriptFor = (src) => join(wasmDir, src.replace(/^.*\//, "").replace(/_simd_threaded\.js$/, "_simd.js")
    .replace(/_threaded\.js$/, ".js"));
  const head = {
    appendChild(el) { el._attached = true; if (el._src) el._load(); },
    removeChild() {},
  };
  const document = {
    currentScript: null,
    head,
    querySelector: () => null,
    createElement(tag) {
      const el = {
        tag, _attrs: {}, _attached: false, _src: null, onload: null, onerror: null,
        setAttribute(k, v) {
          this._attrs[k] = v;
          if (k === "src") { this._src = v; if (this._attached) this._load(); }
        },
        getAttribute(k) { return this._attrs[k] ?? null; },
        _load() {
          queueMicrotask(() => {
            try {
              const file = scriptFor(this._src);
              vm.runInThisContext(readFileSync(file, "utf8"), { filename: file });
              const factory = globalThis.tflite_web_api_ModuleFactory;
              const wasmFile = file.replace(/\.js$/, ".wasm");
              const wasmBinary = readFileSync(wasmFile);
              globalThis.tflite_web_api_ModuleFactory = (opts = {}) => factory({ ...opts, wasmBinary });
              loadedScript = { js: file, wasm: wasmFile };
              this.onload?.();
            } catch (e) {
              console.error(`tfjs-tflite loader: ${e.stack ?? e}`);
              this.onerror?.(e);
            }
          });
        },
      };
      return el;
    },
  };
  globalThis.window = globalThis;
  globalThis.self = globalThis;
  globalThis.document = document;
  globalThis.location = { href: `file://${wasmDir}/`, origin: "file://", protocol: "file:" };
  if (typeof globalThis.navigator === "undefined") globalThis.navigator = { hardwareConcurrency: 1, userAgent: "node" };
}

export async function init() {
  wasmDir = join(dirname(require.resolve("@tensorflow/tfjs-tflite/package.json")), "wasm");
  fakeBrowser();
  require("@tensorflow/tfjs-backend-cpu");
  tflite = require("@tensorflow/tfjs-tflite");
  tflite.setWasmPath(`${wasmDir}/`);
  return { version: require("@tensorflow/tfjs-tflite/package.json").version };
}

const ARRAYS = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array };

export async function load(bytes, input) {
  const t0 = performance.now();
  const model = await tflite.loadTFLiteModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    { numThreads: 1 });
  const t1 = performance.now();
  const runner = model.modelRunner;
  const ins = runner.getInputs();
  const outs = runner.getOutputs();
  const want = ARRAYS[ins[0].dataType];
  if (!want || input[Symbol.toStringTag] !== want.name) {
    runner.cleanUp();
    throw new Error(`the model's input is ${ins[0].dataType}; got a ${input[Symbol.toStringTag]}`);
  }
  const x = input;
  const run = () => {
    ins[0].data().set(x);
    if (!runner.infer()) throw new Error("tfjs-tflite: infer() failed");
    return outs[0].data().slice();
  };
  const first = run();
  const t2 = performance.now();
  return { run, dispose: () => runner.cleanUp(), load_ms: t1 - t0, first_run_ms: t2 - t1, output: first,
    script: loadedScript, input: { dtype: ins[0].dataType, shape: ins[0].shape } };
}

