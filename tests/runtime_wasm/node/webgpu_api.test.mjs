// The WebGPU backend's behaviour under Node's test runner on Dawn + SwiftShader (driven by test_webgpu_node.py,
// which writes the models and expected outputs into $TLW_FIXTURES): backend choice and backendReport, no adapter,
// a lost device (before and during a run), "auto" on a software adapter, runSync, dispose, bad options.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { create, globals } from "webgpu";
import { Tensorlet, TensorletError } from "../../../runtime_wasm/tensorlet.js";

Object.assign(globalThis, globals);
const gpu = create([]);
const dir = process.env.TLW_FIXTURES;
const fixtures = JSON.parse(readFileSync(join(dir, "fixtures.json"), "utf8"));
const mixedPath = join(dir, "mixed.tlet");
const x = Float32Array.from(fixtures.mixed.x);

// Outputs within 1e-4 of the largest reference magnitude (floats) or equal (ints).
function assertClose(outputs, expected) {
  assert.equal(outputs.length, expected.length);
  outputs.forEach((o, k) => {
    const e = expected[k];
    const scale = Math.max(...e.map(Math.abs));
    o.data.forEach((v, j) => {
      if (Math.abs(v - e[j]) > 1e-4 * scale) assert.fail(`output ${k}[${j}] = ${v}, reference ${e[j]}`);
    });
  });
}

test("webgpu: operators on the GPU, the one it lacks in wasm; backendReport and model.ops say so", async () => {
  const model = await Tensorlet.load(mixedPath, { backend: "webgpu", gpu });
  assert.equal(model.backend, "webgpu");
  assert.deepEqual(model.ops, fixtures.mixed.ops);
  assert.ok(model.arenaBytes > 0);
  const placed = model.backendReport.ops.map((o) => `${o.op}:${o.backend}`);
  assert.deepEqual(placed, fixtures.mixed.placement);
  assert.match(model.backendReport.ops.find((o) => o.op === "QUANTIZE").reason, /float32 -> int8 runs in wasm/);
  assert.match(model.backendReport.reason, /operators on WebGPU, \d+ in wasm/);
  assert.match(model.backendReport.adapter, /swiftshader/i);
  for (let round = 0; round < 3; round++) assertClose(await model.run(x), fixtures.mixed.y);
  assertClose(model.runSync(x), fixtures.mixed.y); // runSync runs on the wasm instance
  const runs = await Promise.all([model.run(x), model.run(x)]); // queued, one at a time
  for (const outputs of runs) assertClose(outputs, fixtures.mixed.y);
  model.dispose();
  await assert.rejects(model.run(x), /disposed/);
});

test("no adapter: a clear reason and the wasm backend runs the model", async () => {
  const none = { requestAdapter: async () => null };
  const model = await Tensorlet.load(mixedPath, { backend: "webgpu", gpu: none });
  assert.equal(model.backend, "wasm");
  assert.match(model.backendReport.reason, /no WebGPU adapter is available: the wasm backend runs the model/);
  assert.ok(model.backendReport.ops.every((o) => o.backend === "wasm"));
  assertClose(await model.run(x), fixtures.mixed.y);
  const failing = { requestAdapter: async () => { throw new Error("adapter blew up"); } };
  const other = await Tensorlet.load(mixedPath, { backend: "webgpu", gpu: failing });
  assert.equal(other.backend, "wasm");
  assert.match(other.backendReport.reason, /adapter blew up/);
  const bare = await Tensorlet.load(mixedPath, { backend: "webgpu" }); // Node has no navigator.gpu
  assert.equal(bare.backend, "wasm");
  assert.match(bare.backendReport.reason, /no navigator\.gpu/);
});

test("a lost device: the wasm backend takes over, before or during a run; nothing hangs", async () => {
  const device = await (await gpu.requestAdapter()).requestDevice();
  const model = await Tensorlet.load(mixedPath, { backend: "webgpu", gpuDevice: device });
  assert.equal(model.backend, "webgpu");
  assertClose(await model.run(x), fixtures.mixed.y);
  device.destroy();
  assertClose(await model.run(x), fixtures.mixed.y);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertClose(await model.run(x), fixtures.mixed.y);
  assert.equal(model.backend, "wasm");
  assert.match(model.backendReport.reason, /WebGPU device was lost .*wasm backend took over/);

  const device2 = await (await gpu.requestAdapter()).requestDevice(); // an adapter makes one device
  const model2 = await Tensorlet.load(mixedPath, { backend: "webgpu", gpuDevice: device2 });
  const pending = model2.run(x);
  device2.destroy(); // while the run is in flight
  assertClose(await pending, fixtures.mixed.y);
  assertClose(await model2.run(x), fixtures.mixed.y);
  assert.equal(model2.backend, "wasm");
});

test("auto: wasm on a software adapter and for small models, with the reason", async () => {
  const model = await Tensorlet.load(join(dir, "big.tlet"), { backend: "auto", gpu });
  assert.equal(model.backend, "wasm");
  assert.match(model.backendReport.reason, /software fallback/);
  const small = await Tensorlet.load(mixedPath, { gpu });
  assert.equal(small.backend, "wasm");
  assert.match(small.backendReport.reason, /multiply-accumulates per inference, under/);
  const plain = await Tensorlet.load(mixedPath);
  assert.equal(plain.backend, "wasm");
  assert.match(plain.backendReport.reason, /no WebGPU/);
  const wasm = await Tensorlet.load(mixedPath, { backend: "wasm", gpu });
  assert.equal(wasm.backendReport.reason, "the wasm backend was asked for");
});

test("an int8 model runs on the GPU bit for bit; a GPU without a lost device keeps it there", async () => {
  const model = await Tensorlet.load(join(dir, "int8.tlet"), { backend: "webgpu", gpu });
  assert.equal(model.backend, "webgpu");
  assert.equal(model.backendReport.reason, "every operator on WebGPU");
  for (let round = 0; round < 3; round++) {
    const [y] = await model.run(Int8Array.from(fixtures.int8.x));
    assert.deepEqual(Array.from(y.data), fixtures.int8.y);
  }
  model.dispose();
});

test("bad options reject", async () => {
  await assert.rejects(Tensorlet.load(mixedPath, { backend: "cuda" }), (e) => e instanceof TensorletError
    && /unknown backend 'cuda'; this build has "auto", "wasm" and "webgpu"/.test(e.message));
});
