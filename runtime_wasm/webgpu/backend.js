// The WebGPU backend of tensorlet.js: the model's operators (float32, and int8 in TFLite's integer arithmetic) as
// WGSL compute passes laid out by the file's memory plan (one arena buffer mirroring the wasm arena's activation
// region, one weights buffer), pipelines made once at load, one command encoder per inference (one per stretch of
// GPU operators when some run in wasm) and a single readback of the outputs. The wasm instance stays alive next to
// it: operators without a GPU kernel run there (their inputs read back, their outputs written to the arena buffer),
// and it runs the whole model when there is no adapter or the device is lost.
import { decodeGraph } from "./graph.js";
import { KERNELS } from "./op_table.js";
import { ACTIVATION_FNS, HEADER, REQUANT_FNS } from "./wgsl.js";

const BUFFER_USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, STORAGE: 0x80 };
const SHADER_STAGE_COMPUTE = 0x4;
const MAP_MODE_READ = 0x1;

// The device went away (tensorlet.js then finishes the run on wasm).
class GpuLostError extends Error {
  constructor(message) {
    super(message);
    this.name = "GpuLostError";
  }
}

const align4 = (n) => Math.ceil(n / 4) * 4;

function report(graph, placement, backend, reason, extra = {}) {
  return Object.freeze({
    backend, reason, ...extra,
    ops: Object.freeze(graph.operators.map((op) => Object.freeze({ index: op.index, op: op.name,
      backend: placement[op.index].kernel ? "webgpu" : "wasm", reason: placement[op.index].reason }))),
  });
}

function allWasm(graph, reason) {
  const placement = graph.operators.map(() => ({ kernel: null, reason }));
  return { gpu: null, report: report(graph, placement, "wasm", reason) };
}

// Why operator `op` cannot run on the GPU, or "" when its kernel takes it. Kernels take float32 operators; those
// exporting int8 = true take int8 operators too (int8 activations, int8/int32 constants); float16Constants: float16
// weights.
function lacking(op) {
  const kernel = KERNELS[op.name];
  if (!kernel) return `no WebGPU kernel for ${op.name} yet`;
  const tensors = [...op.ins, ...op.outs].filter((t) => t != null);
  const int8 = op.ins[0]?.dtype === "int8" || op.outs[0].dtype === "int8";
  const takes = (t) => t.dtype === "float32" || (kernel.float16Constants && t.dtype === "float16" && t.arenaOffset < 0)
    || (int8 && kernel.int8 && (t.dtype === "int8" || (t.dtype === "int32" && t.arenaOffset < 0)));
  const bad = tensors.find((t) => !takes(t));
  if (bad) {
    return int8 && !kernel.int8 ? `no int8 WebGPU kernel for ${op.name} yet`
      : `${bad.dtype} tensor '${bad.name}': the WebGPU kernel of ${op.name} does not take it`;
  }
  return kernel.lacking?.(op) ?? "";
}

// The device to run on: options.gpuDevice as given, or one opened on `adapter` (the one "auto" already found) or on
// a new adapter of options.gpu / navigator.gpu. Throws with the reason when there is none.
async function openDevice(options, adapter) {
  if (options.gpuDevice) return { device: options.gpuDevice, owned: false, adapter: "given device" };
  if (!adapter) {
    const gpu = options.gpu ?? globalThis.navigator?.gpu;
    try {
      adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    } catch (e) {
      throw new Error(`requestAdapter failed: ${e.message}`);
    }
  }
  if (!adapter) throw new Error("no WebGPU adapter is available");
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ") || "unnamed adapter";
  const limits = adapter.limits;
  const device = await adapter.requestDevice({ requiredLimits: {
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
  } });
  return { device, owned: true, adapter: name };
}

/** Put a WebGPU backend in front of `host` (a model's wasm instance, see tensorlet.js #host); `adapter`: the adapter
 * tensorlet.js's "auto" chose, or null to ask for one. Resolves to { gpu: GpuModel | null, report } where report is model.backendReport; never rejects for a
 * missing or failing GPU (the wasm backend then runs the model). */
export async function createGpuBackend(host, options, adapter = null) {
  const graph = decodeGraph(host);
  const placement = graph.operators.map((op) => {
    const reason = lacking(op);
    return { kernel: reason ? null : KERNELS[op.name], reason };
  });
  const onGpu = placement.filter((p) => p.kernel).length;
  if (onGpu === 0) {
    return allWasm(graph, `no operator of this model has a WebGPU kernel (${placement[0]?.reason ?? "no operators"})`
      + ": the wasm backend runs it");
  }
  let opened;
  try {
    opened = await openDevice(options, adapter);
  } catch (e) {
    return allWasm(graph, `${e.message}: the wasm backend runs the model`);
  }
  const gpu = new GpuModel(opened.device, opened.owned, graph, placement, host);
  try {
    await gpu.build();
  } catch (e) {
    gpu.dispose();
    return allWasm(graph, `the WebGPU backend could not be set up (${e.message}): the wasm backend runs the model`);
  }
  const fellBack = placement.filter((p) => !p.kernel).length;
  const reason = fellBack ? `${graph.operators.length - fellBack} of ${graph.operators.length} operators on WebGPU, `
    + `${fellBack} in wasm` : `every operator on WebGPU`;
  return { gpu, report: report(graph, placement, "webgpu", reason, { adapter: opened.adapter }) };
}

// Constants and precomputed tables, packed into the weights buffer as 32-bit words: float32 bits, int32 values, int8
// widened to one per word.
class Weights {
  #parts = [];
  #size = 0;
  #byTensor = new Map();

  constructor(host) {
    this.host = host;
  }

  /** Word offset of a table: float32 values, or int32 with `ints`. */
  table(values, ints = false) {
    const at = this.#size;
    const words = ints ? Int32Array.from(values) : Float32Array.from(values);
    this.#parts.push(new Uint32Array(words.buffer));
    this.#size += values.length;
    return at;
  }

  /** Word offset of constant tensor t (float32, float16 widened to float32, int8 widened to int32, int32). */
  tensor(t) {
    if (!this.#byTensor.has(t.index)) {
      const bytes = this.host.memory().slice(t.data, t.data + t.bytes);
      const at = {
        float16: () => this.table(Array.from(new Uint16Array(bytes), halfToFloat)),
        int8: () => this.table(new Int8Array(bytes), true),
        int32: () => this.table(new Int32Array(bytes), true),
      }[t.dtype]?.() ?? this.table(new Float32Array(bytes));
      this.#byTensor.set(t.index, at);
    }
    return this.#byTensor.get(t.index);
  }

  pack() {
    const out = new Uint32Array(Math.max(this.#size, 4));
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

// What a kernel's plan() gets: WGSL accessors of tensors, a place for tables and int8 scratch words.
class KernelContext {
  constructor(weights, scratchAt) {
    this.weights = weights;
    this.scratchAt = scratchAt; // first scratch word: past the memory plan
    this.scratchWords = 0;      // the most any operator asked for
  }

  /** fn <name>(i: u32) -> f32: element i (row-major) of float tensor t. */
  load(t, name) {
    if (t.arenaOffset < 0) {
      return `fn ${name}(i: u32) -> f32 { return bitcast<f32>(weights[${this.weights.tensor(t)}u + i]); }\n`;
    }
    return `fn ${name}(i: u32) -> f32 { return bitcast<f32>(arena[${t.arenaOffset / 4}u + i]); }\n`;
  }

  /** fn <name>(i: u32) -> i32: element i of int8 tensor t (an activation: four per arena word) or of an int8 or
   * int32 constant. */
  loadInt(t, name) {
    if (t.arenaOffset < 0) {
      return `fn ${name}(i: u32) -> i32 { return bitcast<i32>(weights[${this.weights.tensor(t)}u + i]); }\n`;
    }
    return `fn ${name}(i: u32) -> i32 {
  return bitcast<i32>(arena[${t.arenaOffset / 4}u + i / 4u] << (24u - 8u * (i % 4u))) >> 24u;
}\n`;
  }

  /** First arena word of activation t. */
  word(t) {
    return t.arenaOffset / 4;
  }

  /** First word of `words` scratch words (int32 results between an operator's passes). */
  scratch(words) {
    this.scratchWords = Math.max(this.scratchWords, words);
    return this.scratchAt;
  }

  /** fn <name>(i: u32, v: f32): write element i of activation t. */
  store(t, name) {
    return `fn ${name}(i: u32, v: f32) { arena[${t.arenaOffset / 4}u + i] = bitcast<u32>(v); }\n`;
  }

  /** Element offset in `weights` of a float32 table computed at load. */
  table(values, ints = false) {
    return this.weights.table(values, ints);
  }
}

/** A model on one GPUDevice; made by createGpuBackend. */
class GpuModel {
  #lostHandlers = [];
  #lost = null;
  #rejectMapping = null; // rejects the readback in flight when the device is lost

  constructor(device, owned, graph, placement, host) {
    this.device = device;
    this.owned = owned;
    this.graph = graph;
    this.placement = placement;
    this.host = host;
    this.buffers = [];
    device.lost.then((info) => {
      this.#lost = info?.message || info?.reason || "device lost";
      this.#rejectMapping?.(new GpuLostError(`the WebGPU device was lost during the run (${this.#lost})`));
      for (const handler of this.#lostHandlers) handler(this.#lost);
    });
  }

  onLost(handler) {
    this.#lostHandlers.push(handler);
    if (this.#lost) handler(this.#lost);
  }

  #buffer(size, usage) {
    const buffer = this.device.createBuffer({ size: align4(Math.max(size, 4)), usage });
    this.buffers.push(buffer);
    return buffer;
  }

  /** Plan every operator, make its pipelines, lay out the buffers and the run's steps. An operator whose kernel
   * fails to compile moves to wasm. */
  async build() {
    const { device } = this;
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    try {
      await this.#build();
    } finally {
      const errors = [await device.popErrorScope(), await device.popErrorScope()].filter(Boolean);
      if (errors.length) throw new Error(errors.map((e) => e.message).join("; "));
    }
  }

  async #build() {
    const { device, graph, placement } = this;
    const U = BUFFER_USAGE;
    const weights = new Weights(this.host);
    const context = new KernelContext(weights, align4(graph.activationBytes) / 4);
    const planned = graph.operators.map((op) => {
      const p = placement[op.index];
      if (!p.kernel) return null;
      try {
        return p.kernel.plan(op, context);
      } catch (e) {
        p.kernel = null;
        p.reason = `the WebGPU kernel cannot take it: ${e.message}`;
        return null;
      }
    });
    this.layout = device.createBindGroupLayout({ entries: [
      { binding: 0, visibility: SHADER_STAGE_COMPUTE, buffer: { type: "storage" } },
      { binding: 1, visibility: SHADER_STAGE_COMPUTE, buffer: { type: "read-only-storage" } },
    ] });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [this.layout] });
    const cache = new Map();
    const pipeline = (code) => {
      if (!cache.has(code)) {
        const module = device.createShaderModule({ code: HEADER + ACTIVATION_FNS + REQUANT_FNS + code });
        cache.set(code, device.createComputePipelineAsync({ layout: pipelineLayout,
          compute: { module, entryPoint: "main" } }));
      }
      return cache.get(code);
    };
    await Promise.all(planned.map(async (passes, n) => {
      if (!passes) return;
      try {
        planned[n] = await Promise.all(passes.map(async (p) => ({ pipeline: await pipeline(p.code),
          groups: p.groups })));
      } catch (e) {
        planned[n] = null;
        placement[n].kernel = null;
        placement[n].reason = `its WebGPU pipeline failed to build (${e.message})`;
      }
    }));
    if (!placement.some((p) => p.kernel)) throw new Error("no WebGPU pipeline could be built");

    this.arena = this.#buffer(align4(graph.activationBytes) + 4 * context.scratchWords,
      U.STORAGE | U.COPY_SRC | U.COPY_DST);
    const packed = weights.pack();
    this.weights = this.#buffer(packed.byteLength, U.STORAGE | U.COPY_DST);
    device.queue.writeBuffer(this.weights, 0, packed);
    this.bindGroup = device.createBindGroup({ layout: this.layout, entries: [
      { binding: 0, resource: { buffer: this.arena } }, { binding: 1, resource: { buffer: this.weights } }] });

    // The steps of a run: stretches of GPU passes, and wasm operators with what they read back and write.
    const producedOnGpu = new Set();
    this.steps = [];
    for (const op of graph.operators) {
      if (placement[op.index].kernel) {
        const last = this.steps.at(-1);
        if (last?.gpu) last.gpu.push(...planned[op.index]);
        else this.steps.push({ gpu: [...planned[op.index]] });
        for (const t of op.outs) producedOnGpu.add(t.index);
        continue;
      }
      const reads = op.ins.filter((t) => t && t.arenaOffset >= 0 && producedOnGpu.has(t.index));
      const ranges = [];
      let at = 0;
      for (const t of reads) {
        ranges.push({ t, staging: at });
        at += align4(t.bytes);
      }
      this.steps.push({ op, reads: ranges, staging: at ? this.#buffer(at, U.MAP_READ | U.COPY_DST) : null });
      for (const t of op.outs) producedOnGpu.delete(t.index);
    }
    let at = 0;
    this.outputs = this.host.slots[1].map((slot) => {
      const t = graph.tensors[slot.tensor];
      const range = { t, staging: at, bytes: slot.bytes };
      at += align4(slot.bytes);
      return range;
    });
    this.outputStaging = this.#buffer(at, U.MAP_READ | U.COPY_DST);
    this.inputs = this.host.slots[0].map((slot) => ({ slot, t: graph.tensors[slot.tensor] }));
  }

  // Bytes [at, at + n) of the wasm memory, padded to a multiple of 4 (the next tensor is 16-byte aligned).
  #wasmBytes(at, n) {
    return new Uint8Array(this.host.memory(), at, align4(n));
  }

  // Map `buffer` for reading; rejects with a GpuLostError instead of waiting forever when the device is lost.
  async #map(buffer) {
    if (this.#lost) throw new GpuLostError(`the WebGPU device was lost (${this.#lost})`);
    try {
      await new Promise((resolve, reject) => {
        this.#rejectMapping = reject;
        buffer.mapAsync(MAP_MODE_READ).then(resolve, (e) => reject(new GpuLostError(`reading back from the GPU `
          + `failed: ${e.message}`)));
      });
    } finally {
      this.#rejectMapping = null;
    }
  }

  /** One inference: the inputs are in the wasm memory (tensorlet.js wrote them); resolves to the outputs' bytes. */
  async run() {
    if (this.#lost) throw new GpuLostError(`the WebGPU device was lost (${this.#lost})`);
    const { device } = this;
    const queue = device.queue;
    for (const { slot, t } of this.inputs) {
      queue.writeBuffer(this.arena, t.arenaOffset, this.#wasmBytes(slot.at, slot.bytes));
    }
    let encoder = device.createCommandEncoder();
    for (const step of this.steps) {
      if (step.gpu) {
        const pass = encoder.beginComputePass();
        pass.setBindGroup(0, this.bindGroup);
        for (const p of step.gpu) {
          pass.setPipeline(p.pipeline);
          pass.dispatchWorkgroups(...p.groups);
        }
        pass.end();
        continue;
      }
      for (const r of step.reads) {
        encoder.copyBufferToBuffer(this.arena, r.t.arenaOffset, step.staging, r.staging, align4(r.t.bytes));
      }
      queue.submit([encoder.finish()]);
      if (step.staging) {
        await this.#map(step.staging);
        const mapped = new Uint8Array(step.staging.getMappedRange());
        const memory = new Uint8Array(this.host.memory());
        for (const r of step.reads) memory.set(mapped.subarray(r.staging, r.staging + r.t.bytes), r.t.data);
        step.staging.unmap();
      }
      this.host.invokeOp(step.op.index);
      for (const t of step.op.outs) queue.writeBuffer(this.arena, t.arenaOffset, this.#wasmBytes(t.data, t.bytes));
      encoder = device.createCommandEncoder();
    }
    for (const o of this.outputs) {
      encoder.copyBufferToBuffer(this.arena, o.t.arenaOffset, this.outputStaging, o.staging, align4(o.bytes));
    }
    queue.submit([encoder.finish()]);
    await this.#map(this.outputStaging);
    const mapped = new Uint8Array(this.outputStaging.getMappedRange());
    const outputs = this.outputs.map((o) => mapped.slice(o.staging, o.staging + o.bytes));
    this.outputStaging.unmap();
    return outputs;
  }

  dispose() {
    for (const buffer of this.buffers) buffer.destroy();
    this.buffers = [];
    if (this.owned) this.device.destroy();
  }
}
