// The operator table and the planned activation arena of a .tlet file, read from its FlatBuffers bytes
// (schemas/tensorlet.fbs): what the page shows beyond what tensorlet.js exposes. Call these only on bytes
// Tensorlet.load accepted (the runtime verified them); every read is still bounds-checked by DataView, so a bad file
// throws a RangeError instead of reading garbage.

const OPCODES = [
  "CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "FULLY_CONNECTED", "ADD", "SUB", "MUL", "AVERAGE_POOL_2D",
  "MAX_POOL_2D", "MEAN", "RESHAPE", "CONCATENATION", "PAD", "SOFTMAX", "LOG_SOFTMAX", "LOGISTIC", "TANH", "RELU",
  "RELU6", "LEAKY_RELU", "HARD_SWISH", "ELU", "GELU", "LAYER_NORM", "RESIZE_NEAREST", "RESIZE_BILINEAR", "QUANTIZE",
  "DEQUANTIZE", "TRANSPOSE", "SLICE",
];
const DTYPES = ["float32", "int8", "uint8", "int16", "int32", "float16"];
// Field numbers of the tables read here.
const MODEL = { TENSORS: 1, OPERATORS: 2, ARENA_BYTES: 6 };
const TENSOR = { SHAPE: 1, DTYPE: 2, BUFFER: 4 };
const OPERATOR = { OPCODE: 0, INPUTS: 1, OUTPUTS: 2 };

class Reader {
  constructor(bytes) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  // The position of field `id` of the table at `table`, or 0 when absent.
  field(table, id) {
    const vtable = table - this.view.getInt32(table, true);
    const size = this.view.getUint16(vtable, true);
    const at = 4 + 2 * id;
    if (at + 2 > size) return 0;
    const offset = this.view.getUint16(vtable + at, true);
    return offset ? table + offset : 0;
  }

  // The elements' positions of the vector field `id` (each `width` bytes), [] when absent.
  vector(table, id, width) {
    const at = this.field(table, id);
    if (!at) return [];
    const start = at + this.view.getUint32(at, true);
    const length = this.view.getUint32(start, true);
    if (start + 4 + length * width > this.view.byteLength) throw new RangeError("vector out of bounds");
    return Array.from({ length }, (_, i) => start + 4 + i * width);
  }

  tables(table, id) {
    return this.vector(table, id, 4).map((at) => at + this.view.getUint32(at, true));
  }

  ints(table, id) {
    return this.vector(table, id, 4).map((at) => this.view.getInt32(at, true));
  }

  scalar(table, id, read, fallback) {
    const at = this.field(table, id);
    return at ? read.call(this.view, at, true) : fallback;
  }
}

/** The memory plan's activation arena of a verified .tlet file, in bytes (the runtime adds its tables to it). */
export function plannedArenaBytes(bytes) {
  const r = new Reader(bytes);
  return r.scalar(r.view.getUint32(0, true), MODEL.ARENA_BYTES, DataView.prototype.getUint32, 0);
}

/** The operators of a verified .tlet file in execution order: [{ index, op, inputs: [shape text], output: shape
 * text, dtype }] where inputs lists the activations (not the constant weights). */
export function operatorTable(bytes) {
  const r = new Reader(bytes);
  const root = r.view.getUint32(0, true);
  const tensors = r.tables(root, MODEL.TENSORS).map((t) => ({
    shape: r.ints(t, TENSOR.SHAPE),
    dtype: DTYPES[r.scalar(t, TENSOR.DTYPE, DataView.prototype.getInt8, 0)] ?? "?",
    constant: r.scalar(t, TENSOR.BUFFER, DataView.prototype.getInt32, -1) >= 0,
  }));
  const shape = (i) => (i < 0 ? "-" : `[${tensors[i].shape.join(", ")}]`);
  return r.tables(root, MODEL.OPERATORS).map((op, index) => {
    const code = r.scalar(op, OPERATOR.OPCODE, DataView.prototype.getUint16, 0);
    const inputs = r.ints(op, OPERATOR.INPUTS).filter((i) => i < 0 || !tensors[i].constant);
    const outputs = r.ints(op, OPERATOR.OUTPUTS);
    const first = inputs.find((i) => i >= 0) ?? outputs[0];
    return {
      index,
      op: OPCODES[code] ?? `OP_${code}`,
      inputs: inputs.map(shape),
      output: outputs.map(shape).join(", "),
      dtype: first != null ? tensors[first].dtype : "?",
    };
  });
}
