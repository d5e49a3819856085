// Type declarations of tensorlet.js (Tensorlet's WebAssembly runtime for JavaScript).

/** Element types of model tensors. float16 tensors are exchanged as their raw IEEE half bits (Uint16Array). */
export type DType = "float32" | "int8" | "uint8" | "int16" | "int32" | "float16";

export type TypedArray = Float32Array | Int8Array | Uint8Array | Int16Array | Int32Array | Uint16Array;

/** real = scale * (q - zeroPoint); per-tensor (axis -1, one entry) or one entry per slice along `axis`. */
export interface Quantization {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly scales: readonly number[];
  readonly zeroPoints: readonly number[];
  readonly axis: number;
}

/** A model input or output. */
export interface TensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Number of elements (the product of the shape). */
  readonly size: number;
  readonly quantization: Quantization | null;
}

/** How a raw input becomes the model's input: x' = (x * scale - mean[c]) / std[c]. */
export interface Preprocessing {
  scale: number;
  mean: number[];
  std: number[];
  /** e.g. "NHWC" or "NCHW", as the user feeds it; "" when unset. */
  layout: string;
}

export interface Metadata {
  producer: string;
  producerVersion: string;
  description: string;
  inputNames: string[];
  outputNames: string[];
  /** Class labels, in output order; [] when the model has none. */
  labels: string[];
  preprocessing: Preprocessing | null;
  extra: Record<string, string>;
}

/** An input: the typed array of the input's dtype holding exactly `size` values, or that array with its shape. */
export type InputValue = TypedArray | { data: TypedArray; shape?: readonly number[] };

/** One sample: a single input (one-input models), inputs in model-input order, or inputs by name. */
export type Inputs = InputValue | InputValue[] | Record<string, InputValue>;

/** An output of a run; data is a fresh typed array (not a view of the model's memory). */
export interface Output {
  name: string;
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

export interface LoadOptions {
  /** "webgpu": the operators run as WGSL compute shaders on the GPU (float32 within 1e-4 of the reference, int8 bit
   * for bit; float32 -> int8 QUANTIZE runs in wasm, operator by operator); the wasm backend runs the whole model
   * when no adapter is found or the device is lost. "wasm": WebAssembly only. "auto" (default): WebGPU where an
   * adapter exists, is not a software fallback and the model does enough work to gain (>= 20 M
   * multiply-accumulates per inference), else wasm. The GPU code (webgpu/*.js next to tensorlet.js) is imported by
   * "webgpu" when a GPU is there to ask, and by "auto" only when the model is to run on it. */
  backend?: "auto" | "wasm" | "webgpu";
  /** The GPU to ask for an adapter (default: navigator.gpu); in Node e.g. create([]) of the npm package webgpu. */
  gpu?: { requestAdapter(options?: object): Promise<any | null> };
  /** A GPUDevice to run on instead of asking for one (the model does not destroy it on dispose). */
  gpuDevice?: any;
  /** true: the SIMD128 build; false: the MVP build; "auto" (default): SIMD128 where WebAssembly.validate accepts it. */
  simd?: boolean | "auto";
  /** Folder (URL) holding tensorlet.wasm and tensorlet-nosimd.wasm; default: next to tensorlet.js. */
  wasmPath?: string | URL;
  /** The runtime itself, as bytes, a URL or a compiled module, instead of fetching it. */
  wasm?: BufferSource | URL | string | WebAssembly.Module;
}

/** Model sources: a URL (http(s), file, data, blob), a path (Node), bytes, a Blob or a fetch Response. */
export type ModelSource = string | URL | ArrayBuffer | ArrayBufferView | Blob | Response;

/** A tensor of the model's graph. */
export interface GraphTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Whether its values are in the file (weights, biases); false for activations, inputs and outputs. */
  readonly constant: boolean;
}

/** An operator of the model's graph. */
export interface GraphOperator {
  /** Its opcode name, e.g. "CONV_2D". */
  readonly op: string;
  /** Positions in graph.tensors; -1 for an absent optional input (e.g. a FULLY_CONNECTED without bias). */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** The graph as the runtime verified it. */
export interface Graph {
  readonly tensors: readonly GraphTensor[];
  /** In execution order. */
  readonly operators: readonly GraphOperator[];
}

/** Where one operator runs. */
export interface OperatorPlacement {
  /** Position in execution order. */
  readonly index: number;
  /** Its opcode name, e.g. "CONV_2D". */
  readonly op: string;
  readonly backend: "wasm" | "webgpu";
  /** Why it runs in wasm on a WebGPU model (e.g. "float32 -> int8 runs in wasm: ..."); "" otherwise. */
  readonly reason: string;
}

/** Which backend runs the model and each operator, and why. */
export interface BackendReport {
  /** The backend the model runs on (equal to model.backend when the report was made). */
  readonly backend: "wasm" | "webgpu";
  /** Why: e.g. "every operator on WebGPU", "no WebGPU adapter is available: the wasm backend runs the model",
   * "the WebGPU device was lost (...); the wasm backend took over". */
  readonly reason: string;
  /** The adapter (vendor, architecture, description) when on WebGPU. */
  readonly adapter?: string;
  readonly ops: readonly OperatorPlacement[];
}

/** A status other than TL_OK from the runtime, or a bad argument. */
export class TensorletError extends Error {
  /** The C status name, e.g. "TL_ERROR_NOT_TLET"; "" for errors found in JavaScript (wrong inputs). */
  readonly status: string;
  /** What exactly failed (tl_model_detail), e.g. "operator 3 (CONV_2D): tensor 5 'w' ...". */
  readonly detail: string;
}

/** A loaded model: its own WebAssembly instance and memory. */
export class TensorletModel {
  private constructor();
  /** The backend running the model: "webgpu" until the device is lost, then "wasm". */
  readonly backend: "wasm" | "webgpu";
  /** What runs where and why (updated when a lost device hands the model to wasm). */
  readonly backendReport: BackendReport;
  /** The operators' opcode names in execution order, e.g. ["CONV_2D", "DEPTHWISE_CONV_2D", ..., "SOFTMAX"]. */
  readonly ops: readonly string[];
  /** Whether this model runs on the SIMD128 build. */
  readonly simd: boolean;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly metadata: Metadata;
  /** The graph as the runtime verified it (read from the runtime on first use, then kept; frozen). Reading it
   * first after dispose() throws a TensorletError. */
  readonly graph: Graph;
  /** Bytes of activations in the file's offline memory plan (Model.arena_bytes). */
  readonly plannedArenaBytes: number;
  /** Bytes of arena the runtime holds for the model: the planned activations, runtime tables, kernel state. */
  readonly arenaBytes: number;
  /** Bytes of WebAssembly memory the model holds; 0 once disposed. */
  readonly memoryBytes: number;
  readonly disposed: boolean;
  /** Run one inference; rejects with a TensorletError saying what was expected when an input is wrong. On WebGPU,
   * runs are queued one at a time; a device lost during a run finishes it on wasm. */
  run(inputs: Inputs): Promise<Output[]>;
  /** run(), synchronously (throws instead of rejecting), always on the wasm instance. */
  runSync(inputs: Inputs): Output[];
  /** Let go of the model's instance and memory; later runs reject. */
  dispose(): void;
}

/** Load a .tlet model; rejects with a TensorletError (C status and detail) when the file is not a valid model. */
export function load(source: ModelSource, options?: LoadOptions): Promise<TensorletModel>;

/** Whether this engine runs WebAssembly SIMD128. */
export function simdSupported(): boolean;

export const version: string;

export const Tensorlet: {
  readonly load: typeof load;
  readonly simdSupported: typeof simdSupported;
  readonly version: string;
  readonly TensorletError: typeof TensorletError;
  readonly TensorletModel: typeof TensorletModel;
};

export default Tensorlet;
