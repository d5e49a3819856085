// Runs a list of cases through tensorlet.js's WebGPU backend on Dawn (the npm package webgpu; driven by
// tests/runtime_wasm/webgpu_support.py). argv[2]: manifest.json { backend, cases: [{ id, model, samples:
// [[{ path, dtype }]], outputs }] } as wasm_runner.mjs. Prints { id: { outputs, backend, report } | { error } }.
import { readFileSync, writeFileSync } from "node:fs";
import { create, globals } from "webgpu";
import { Tensorlet } from "../../../runtime_wasm/tensorlet.js";

Object.assign(globalThis, globals);
const ARRAYS = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array };
const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"));
const gpu = create([]);
const report = {};
for (const c of manifest.cases) {
  try {
    const model = await Tensorlet.load(c.model, { backend: manifest.backend ?? "webgpu", gpu });
    const chunks = [];
    let specs = null;
    for (const sample of c.samples) {
      const inputs = sample.map(({ path, dtype }) => {
        const raw = readFileSync(path);
        const bytes = new Uint8Array(raw.byteLength);
        bytes.set(raw);
        return new ARRAYS[dtype](bytes.buffer);
      });
      const outputs = await model.run(inputs);
      specs = outputs.map((o) => ({ dtype: o.dtype, shape: o.shape }));
      for (const o of outputs) chunks.push(Buffer.from(o.data.buffer, o.data.byteOffset, o.data.byteLength));
    }
    writeFileSync(c.outputs, Buffer.concat(chunks));
    report[c.id] = { outputs: specs, backend: model.backend, report: model.backendReport };
    model.dispose();
  } catch (e) {
    report[c.id] = { error: String(e.stack ?? e.message ?? e) };
  }
}
process.stdout.write(JSON.stringify(report));
process.exit(0);
