// Runs a list of cases through tensorlet.js (driven by tests/runtime_wasm/wasm_support.py:run_node_manifest).
// argv[2]: manifest.json { options, webgpu, cases: [{ id, model, samples: [[{ path, dtype }]], outputs }] }: each
// model is loaded once with `options` (Tensorlet.load's; with webgpu true, Dawn from the npm package webgpu is
// passed as options.gpu) and run on each sample; the outputs of all samples, concatenated, go to the case's
// `outputs` file. Prints { id: { outputs: [{ dtype, shape }], backend, report } | { error } }.
import { readFileSync, writeFileSync } from "node:fs";
import { Tensorlet } from "../../../runtime_wasm/tensorlet.js";

const ARRAYS = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array };
const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"));
const options = { ...manifest.options };
if (manifest.webgpu) {
  const { create, globals } = await import("webgpu");
  Object.assign(globalThis, globals);
  options.gpu = create([]);
}
const report = {};
for (const c of manifest.cases) {
  try {
    const model = await Tensorlet.load(c.model, options);
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
    report[c.id] = { error: String(e.message ?? e) };
  }
}
process.stdout.write(JSON.stringify(report));
process.exit(0); // Dawn's device may keep the event loop alive
