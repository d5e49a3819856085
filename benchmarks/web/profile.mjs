// Where Tensorlet's time goes in wasm: V8's sampling CPU profiler (node:inspector) over many runs of each model,
// self time by function. The shipped tensorlet.wasm has no names section (--strip-all); for function names, link a
// copy that keeps it, outside the source tree:
//
//   make -C runtime_wasm OUT=/tmp/tlprof BUILD=/tmp/tlprof/build \
//        LDFLAGS="--no-entry --stack-first -z stack-size=65536 --gc-sections" /tmp/tlprof/tensorlet.wasm
//   node benchmarks/web/profile.mjs --wasm /tmp/tlprof/tensorlet.wasm benchmarks/web/models/vww_int8.tlet ...
//
// Options: --seconds S (3 per model), --top N (12), --wasm FILE (default: runtime_wasm/tensorlet.wasm).
import { readFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
let seconds = 3, top = 12, wasmFile = join(ROOT, "runtime_wasm", "tensorlet.wasm");
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--seconds") seconds = Number(args[++i]);
  else if (args[i] === "--top") top = Number(args[++i]);
  else if (args[i] === "--wasm") wasmFile = args[++i];
  else files.push(args[i]);
}
if (!files.length) {
  console.error("usage: node profile.mjs [--seconds S] [--top N] [--wasm FILE] MODEL.tlet ...");
  process.exit(2);
}

const { load } = await import(pathToFileURL(join(ROOT, "runtime_wasm", "tensorlet.js")).href);
const module = await WebAssembly.compile(readFileSync(wasmFile));
const ARRAYS = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array };

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });

for (const file of files) {
  const model = await load(new Uint8Array(readFileSync(file)), { wasm: module });
  const inputs = model.inputs.map((s) => {
    const a = new ARRAYS[s.dtype](s.size);
    for (let i = 0; i < a.length; i++) a[i] = s.dtype === "float32" ? Math.sin(i) : ((i * 37) % 255) - 128;
    return a;
  });
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) model.runSync(inputs);
  await session.post("Profiler.start");
  const until = performance.now() + seconds * 1000;
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() < until) { model.runSync(inputs); runs++; }
  const elapsed = performance.now() - t0;
  const { profile } = await session.post("Profiler.stop");
  model.dispose();

  const self = new Map();
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  for (const node of profile.nodes) {
    const us = dt.get(node.id) ?? 0;
    const name = node.callFrame.functionName || `(${node.callFrame.url.split("/").pop() || "anonymous"})`;
    self.set(name, (self.get(name) ?? 0) + us);
    total += us;
  }
  console.log(`\n${file.split("/").pop()}: ${runs} runs, ${(elapsed / runs).toFixed(4)} ms per run; self time:`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${(100 * us / total).toFixed(1).padStart(5)} %  ${((us / 1000) / runs).toFixed(4)} ms/run  ${name}`);
  }
}
session.disconnect();
