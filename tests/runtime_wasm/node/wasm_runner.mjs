// Runs a list of cases through tensorlet.js (driven by tests/runtime_wasm/wasm_support.py:run_node_cases).
// argv[2]: manifest.json { simd, cases: [{ id, model, samples: [[{ path, dtype }]], outputs }] }. Each model is
// loaded once and run on each sample; the outputs of all samples, concatenated, go to the case's `outputs` file.
// Prints { id: { outputs: [{ dtype, shape }] } | { error } }.
import { readFileSync, writeFileSync } from "node:fs";
import { Tensorlet } from "../../../runtime_wasm/tensorlet.js";

const ARRAYS = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array };
const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"));
const report = {};
for (const c of manifest.cases) {
  try {
    const model = await Tensorlet.load(c.model, { simd: manifest.simd });
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
    report[c.id] = { outputs: specs };
    model.dispose();
  } catch (e) {
    report[c.id] = { error: String(e.message ?? e) };
  }
}
process.stdout.write(JSON.stringify(report));
