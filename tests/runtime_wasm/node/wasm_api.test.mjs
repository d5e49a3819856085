// API behaviour of tensorlet.js under Node's test runner (driven by test_wasm_node.py, which writes the models and
// expected outputs into $TLW_FIXTURES): loading from bytes, paths, file URLs and Blobs; descriptions and metadata;
// model.graph and the planned arena; "auto" without a GPU; several models at once; dispose; a thousand runs in a
// fixed memory; a Worker; every error path.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import Tensorlet, { TensorletError, load, simdSupported } from "../../../runtime_wasm/tensorlet.js";

const dir = process.env.TLW_FIXTURES;
const fixtures = JSON.parse(readFileSync(join(dir, "fixtures.json"), "utf8"));
const fcPath = join(dir, "fc.tlet");
const fcX = Int8Array.from(fixtures.fc.x);
const fcY = Int8Array.from(fixtures.fc.y);

async function rejects(promise, pattern) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof TensorletError, `not a TensorletError: ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test("loads from a path, a file URL (object and string), bytes, an ArrayBuffer and a Blob", async () => {
  const bytes = readFileSync(fcPath);
  const sources = [fcPath, pathToFileURL(fcPath), pathToFileURL(fcPath).href, new Uint8Array(bytes),
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), new Blob([bytes])];
  for (const source of sources) {
    const model = await Tensorlet.load(source);
    const [y] = await model.run(fcX);
    assert.deepEqual(y.data, fcY);
    model.dispose();
  }
});

test("describes inputs, outputs and metadata", async () => {
  const model = await load(fcPath);
  assert.equal(model.backend, "wasm");
  assert.equal(model.simd, simdSupported());
  assert.equal(model.simd, true); // Node 20 runs SIMD128
  assert.deepEqual(model.inputs.map((t) => [t.name, t.shape, t.dtype, t.size]), [["features", [1, 8], "int8", 8]]);
  assert.deepEqual(model.outputs.map((t) => [t.name, t.shape, t.dtype]), [["scores", [1, 3], "int8"]]);
  const q = model.inputs[0].quantization;
  assert.equal(q.zeroPoint, -4);
  assert.equal(Math.fround(q.scale), Math.fround(0.1));
  assert.equal(q.axis, -1);
  const m = model.metadata;
  assert.deepEqual(m.labels, ["cat", "dog", "émeu"]);
  assert.equal(m.producer, "tests");
  assert.equal(m.description, "a tiny classifier");
  assert.deepEqual(m.inputNames, ["features"]);
  assert.deepEqual(m.extra, { license: "CC0", k: "v" });
  assert.equal(m.preprocessing.layout, "NHWC");
  assert.deepEqual(m.preprocessing.mean, [0.5, 0.25]);
  assert.equal(m.preprocessing.scale, Math.fround(1 / 255));
  const bare = await load(join(dir, "add.tlet"));
  assert.equal(bare.metadata.preprocessing, null);
  assert.deepEqual(bare.metadata.labels, []);
});

test("model.graph and model.plannedArenaBytes: the verified graph and the file's memory plan", async () => {
  const fc = await load(fcPath);
  // fc_model() of wasm_support.py: FULLY_CONNECTED(features [1,8] int8, w [3,8] int8, b [3] int32) -> scores [1,3]
  assert.deepEqual(fc.graph.tensors, [
    { name: "features", shape: [1, 8], dtype: "int8", constant: false },
    { name: "w", shape: [3, 8], dtype: "int8", constant: true },
    { name: "b", shape: [3], dtype: "int32", constant: true },
    { name: "scores", shape: [1, 3], dtype: "int8", constant: false },
  ]);
  assert.deepEqual(fc.graph.operators, [{ op: "FULLY_CONNECTED", inputs: [0, 1, 2], outputs: [3] }]);
  assert.equal(fc.graph, fc.graph); // built once
  assert.ok(Object.isFrozen(fc.graph.tensors[0].shape) && Object.isFrozen(fc.graph.operators[0]));
  // The planner puts each activation at a 16-byte boundary: features at 0, scores at 16.
  assert.equal(fc.plannedArenaBytes, 32);
  assert.ok(fc.arenaBytes >= fc.plannedArenaBytes, `${fc.arenaBytes} < ${fc.plannedArenaBytes}`);
  const add = await load(join(dir, "add.tlet"), { simd: false });
  assert.deepEqual(add.graph.operators, [{ op: "ADD", inputs: [0, 1], outputs: [2] }]);
  assert.deepEqual(add.graph.tensors.map((t) => [t.name, t.dtype, t.constant]),
    [["a", "float32", false], ["b", "float32", false], ["sum", "float32", false]]);
  assert.equal(add.plannedArenaBytes, 48); // three live float32 [1,4] tensors
  assert.deepEqual(add.graph.operators.map((o) => o.op), add.ops);
  assert.deepEqual((await fc.run(fcX))[0].data, fcY); // reading the graph leaves the model runnable
  const unread = await load(fcPath);
  unread.dispose();
  assert.throws(() => unread.graph, (e) => e instanceof TensorletError && /disposed/.test(e.message));
  assert.equal(fc.graph.tensors.length, 4); // still there after another model's dispose
  fc.dispose();
  assert.equal(fc.graph.operators[0].op, "FULLY_CONNECTED"); // read before dispose: kept
});

test("auto: no navigator.gpu, or a small model (no adapter asked for): wasm with the reason; webgpu without an "
  + "adapter: wasm", async () => {
  const plain = await load(fcPath);
  assert.equal(plain.backend, "wasm");
  assert.equal(plain.backendReport.reason, "this engine has no WebGPU");
  const asked = [];
  const gpu = { requestAdapter: async (options) => { asked.push(options); return null; } };
  const small = await load(fcPath, { gpu });
  assert.equal(small.backend, "wasm");
  assert.match(small.backendReport.reason, /^auto: 0\.00 M multiply-accumulates per inference, under the 20 M/);
  assert.equal(asked.length, 0, "a model under the threshold asks for no adapter");
  assert.deepEqual(small.backendReport.ops.map((o) => [o.op, o.backend]), [["FULLY_CONNECTED", "wasm"]]);
  const none = await load(fcPath, { backend: "webgpu", gpu });
  assert.equal(none.backend, "wasm");
  assert.equal(none.backendReport.reason, "no WebGPU adapter is available: the wasm backend runs the model");
  assert.deepEqual(asked, [{ powerPreference: "high-performance" }]);
  const failing = { requestAdapter: async () => { throw new Error("adapter blew up"); } };
  const failed = await load(fcPath, { backend: "webgpu", gpu: failing });
  assert.equal(failed.backendReport.reason, "requestAdapter failed: adapter blew up: the wasm backend runs the model");
  assert.deepEqual((await failed.run(fcX))[0].data, fcY);
});

test("runs with arrays, objects by name and {data, shape}; outputs are fresh typed arrays", async () => {
  const add = await load(join(dir, "add.tlet"));
  const a = Float32Array.from([1, 2, 3, 4]), b = Float32Array.from([10, 20, 30, 40]);
  const [s1] = await add.run([a, b]);
  const [s2] = await add.run({ b, a });
  const [s3] = await add.run([{ data: a, shape: [1, 4] }, b]);
  for (const s of [s1, s2, s3]) {
    assert.ok(s.data instanceof Float32Array);
    assert.deepEqual(Array.from(s.data), [11, 22, 33, 44]);
    assert.deepEqual(s.shape, [1, 4]);
    assert.equal(s.name, "sum");
  }
  await add.run([b, b]);
  assert.deepEqual(Array.from(s1.data), [11, 22, 33, 44]); // not a view of the model's memory
  assert.deepEqual(add.runSync([a, a])[0].data, Float32Array.from([2, 4, 6, 8]));
});

test("several models at once, each in its own memory; SIMD and MVP builds agree", async () => {
  const models = await Promise.all([load(fcPath), load(fcPath, { simd: false }), load(join(dir, "add.tlet")),
    load(fcPath, { backend: "wasm" })]);
  assert.equal(models[1].simd, false);
  for (let round = 0; round < 3; round++) {
    for (const m of [models[0], models[1], models[3]]) assert.deepEqual((await m.run(fcX))[0].data, fcY);
    const [s] = await models[2].run([Float32Array.of(1, 1, 1, 1), Float32Array.of(round, 0, 0, 0)]);
    assert.equal(s.data[0], 1 + round);
  }
});

test("a thousand runs in a fixed memory; dispose lets it go and later runs reject", async () => {
  const model = await load(fcPath);
  const before = model.memoryBytes;
  assert.ok(before > 0 && before < 256 * 1024, `memory ${before}`);
  for (let i = 0; i < 1000; i++) {
    const [y] = model.runSync(fcX);
    if (y.data[0] !== fcY[0]) assert.fail(`run ${i} differs`);
  }
  assert.equal(model.memoryBytes, before);
  model.dispose();
  assert.equal(model.disposed, true);
  assert.equal(model.memoryBytes, 0);
  await rejects(model.run(fcX), /disposed/);
});

test("loading and disposing many models does not accumulate memory", async () => {
  if (typeof globalThis.gc !== "function") return; // needs --expose-gc (test_wasm_node.py passes it)
  const bytes = new Uint8Array(readFileSync(fcPath));
  const measure = () => { globalThis.gc(); return process.memoryUsage().rss; };
  for (let i = 0; i < 50; i++) (await load(bytes)).dispose();
  const base = measure();
  for (let i = 0; i < 300; i++) {
    const m = await load(bytes);
    m.runSync(fcX);
    m.dispose();
  }
  await new Promise((r) => setTimeout(r, 50));
  const grown = measure() - base;
  assert.ok(grown < 48 * 1024 * 1024, `rss grew by ${grown} bytes over 300 load/dispose cycles`);
});

test("works inside a Worker", async () => {
  const moduleUrl = new URL("../../../runtime_wasm/tensorlet.js", import.meta.url).href;
  const code = `
    import { parentPort, workerData } from "node:worker_threads";
    const { load } = await import(workerData.moduleUrl);
    const model = await load(workerData.path);
    const [y] = await model.run(Int8Array.from(workerData.x));
    parentPort.postMessage(Array.from(y.data));`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`),
    { workerData: { moduleUrl, path: fcPath, x: Array.from(fcX) } });
  const result = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  assert.deepEqual(result, Array.from(fcY));
});

test("bad model bytes reject with the C status and detail", async () => {
  await rejects(load(new Uint8Array(32)), /the model was rejected: .*not a \.tlet model.*\(TL_ERROR_NOT_TLET\)/);
  await rejects(load(new Uint8Array(5)), /file is too short.*TL_ERROR_NOT_TLET/);
  const bytes = new Uint8Array(readFileSync(fcPath));
  await rejects(load(bytes.subarray(0, bytes.length - 1)), /not a multiple of 16.*TL_ERROR_FILE_LENGTH/);
  const broken = bytes.slice();
  new DataView(broken.buffer).setUint32(0, broken.length + 64, true); // root offset past the end
  await assert.rejects(load(broken), (e) => e instanceof TensorletError && /TL_ERROR_/.test(e.status));
  const fcOnly = readFileSync(join(dir, "fc-only", "tensorlet.wasm")); // a runtime with the FULLY_CONNECTED kernel only
  await rejects(load(join(dir, "unsupported.tlet"), { wasm: fcOnly }),
    /has no kernel in this build.*TL_ERROR_UNSUPPORTED_OP/);
  assert.ok(await load(fcPath, { wasm: fcOnly }));
  await rejects(load(join(dir, "no-such-file.tlet")), /cannot read model/);
  await rejects(load(42), /Tensorlet.load takes a URL/);
  await rejects(load(fcPath, { backend: "cuda" }), /unknown backend 'cuda'/);
  const e = await load(new Uint8Array(32)).catch((error) => error);
  assert.equal(e.status, "TL_ERROR_NOT_TLET");
});

test("wrong inputs reject saying what was expected", async () => {
  const fc = await load(fcPath);
  await rejects(fc.run(new Float32Array(8)), /input 'features' takes a Int8Array of 8 values \(int8, shape \[1,8\]\); got a Float32Array of 8 values/);
  await rejects(fc.run(new Int8Array(7)), /takes a Int8Array of 8 values .*got a Int8Array of 7 values/);
  await rejects(fc.run([fcX, fcX]), /takes 1 input\(s\) \('features'\); got 2/);
  await rejects(fc.run({ feature: fcX }), /no input named 'feature'; its inputs are 'features'/);
  await rejects(fc.run({ data: fcX, shape: [8] }), /has shape \[1,8\]; got \[8\]/);
  await rejects(fc.run(null), /run takes a typed array/);
  await rejects(fc.run([1, 2, 3, 4, 5, 6, 7, 8]), /takes 1 input/);
  const add = await load(join(dir, "add.tlet"));
  await rejects(add.run(Float32Array.of(1, 2, 3, 4)), /takes 2 inputs \('a', 'b'\)/);
  await rejects(add.run({ a: Float32Array.of(1, 2, 3, 4) }), /input 'b' is missing/);
  assert.deepEqual((await fc.run(fcX))[0].data, fcY); // still usable after the errors
});
