// Latency of .tlet models on tensorlet.js in Node: median (and p10/p90) of N runs after a warm-up long enough for
// V8 to tier the module up to TurboFan, SIMD128 and MVP builds. node tools/bench.mjs [--runs N] [--json] MODEL...
import { load } from "../tensorlet.js";

const args = process.argv.slice(2);
let runs = 300, json = false;
const models = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runs") runs = Number(args[++i]);
  else if (args[i] === "--json") json = true;
  else models.push(args[i]);
}
const ARRAYS = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array };

function randomInput(spec, seed) {
  const data = new ARRAYS[spec.dtype](spec.size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    data[i] = spec.dtype === "float32" ? (s / 2 ** 32) : (s & 0xff) - 128;
  }
  return data;
}

const results = [];
for (const path of models) {
  for (const simd of [true, false]) {
    const model = await load(path, { simd });
    const inputs = model.inputs.map((spec, k) => randomInput(spec, 12345 + k));
    const warmUntil = performance.now() + 400;
    let warm = 0;
    while (performance.now() < warmUntil || warm < 20) { model.runSync(inputs); warm++; }
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      model.runSync(inputs);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const q = (f) => times[Math.min(times.length - 1, Math.floor(f * times.length))];
    results.push({ model: path.split("/").pop(), simd, median_ms: q(0.5), p10_ms: q(0.1), p90_ms: q(0.9), runs,
      memory_bytes: model.memoryBytes, arena_bytes: model.arenaBytes });
    model.dispose();
  }
}
if (json) {
  console.log(JSON.stringify(results, null, 1));
} else {
  for (const r of results) {
    console.log(`${r.model.padEnd(32)} ${r.simd ? "simd  " : "nosimd"} median ${r.median_ms.toFixed(3)} ms  `
      + `p10 ${r.p10_ms.toFixed(3)}  p90 ${r.p90_ms.toFixed(3)}  memory ${r.memory_bytes}`);
  }
}
