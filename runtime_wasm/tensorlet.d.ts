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
  /** "auto" (default) or "wasm": this build has the WebAssembly backend only. */
  backend?: "auto" | "wasm";
  /** true: the SIMD128 build; false: the MVP build; "auto" (default): SIMD128 where WebAssembly.validate accepts it. */
  simd?: boolean | "auto";
  /** Folder (URL) holding tensorlet.wasm and tensorlet-nosimd.wasm; default: next to tensorlet.js. */
  wasmPath?: string | URL;
  /** The runtime itself, as bytes, a URL or a compiled module, instead of fetching it. */
  wasm?: BufferSource | URL | string | WebAssembly.Module;
}

/** Model sources: a URL (http(s), file, data, blob), a path (Node), bytes, a Blob or a fetch Response. */
export type ModelSource = string | URL | ArrayBuffer | ArrayBufferView | Blob | Response;

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
  readonly backend: "wasm";
  /** Whether this model runs on the SIMD128 build. */
  readonly simd: boolean;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly metadata: Metadata;
  /** Bytes of arena the model uses (activations, runtime tables, kernel state). */
  readonly arenaBytes: number;
  /** Bytes of WebAssembly memory the model holds; 0 once disposed. */
  readonly memoryBytes: number;
  readonly disposed: boolean;
  /** Run one inference; rejects with a TensorletError saying what was expected when an input is wrong. */
  run(inputs: Inputs): Promise<Output[]>;
  /** run(), synchronously (throws instead of rejecting). */
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
