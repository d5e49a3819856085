// The model's graph for the WebGPU backend, as the wasm core verified it (tensorlet.js reads it through the
// tlw_tensor_at / tlw_operator_info / tlw_operator_options exports, with the reader that builds model.graph): operator
// options and quant params decoded by name, tensors linked to their operators.

// Fields of each OperatorOptions member, by member id, in schema order (schemas/tensorlet.fbs): "i" an int, bool or
// enum (one word), "f" a float (one word of float32 bits), "v" an int vector (two words: offset, count).
const OPTION_FIELDS = [
  null,
  { stride_h: "i", stride_w: "i", dilation_h: "i", dilation_w: "i", pad_top: "i", pad_bottom: "i", pad_left: "i",
    pad_right: "i", activation: "i" },
  { stride_h: "i", stride_w: "i", dilation_h: "i", dilation_w: "i", pad_top: "i", pad_bottom: "i", pad_left: "i",
    pad_right: "i", activation: "i", depth_multiplier: "i" },
  { stride_h: "i", stride_w: "i", pad_top: "i", pad_bottom: "i", pad_left: "i", pad_right: "i", activation: "i" },
  { activation: "i" },
  { activation: "i" },
  { filter_h: "i", filter_w: "i", stride_h: "i", stride_w: "i", pad_top: "i", pad_bottom: "i", pad_left: "i",
    pad_right: "i", activation: "i", count_include_pad: "i" },
  { axes: "v", keep_dims: "i" },
  { axis: "i", activation: "i" },
  { paddings: "v", value: "f" },
  { beta: "f" },
  { alpha: "f" },
  { alpha: "f" },
  { approximate: "i" },
  { epsilon: "f" },
  { align_corners: "i", half_pixel_centers: "i" },
  { perm: "v" },
  { begin: "v", end: "v", strides: "v" },
];

// Fields of QuantParams, in schema order ("b" a byte vector: two words, offset and count).
const QUANT_FIELDS = { output_multiplier: "v", output_shift: "v", input_multiplier: "v", input_shift: "v",
  left_shift: "i", diff_min: "i", lut: "b", act_min: "i", act_max: "i", constant: "i" };
const QUANT_DEFAULTS = { output_multiplier: [], output_shift: [], input_multiplier: [], input_shift: [],
  left_shift: 0, diff_min: 0, lut: [], act_min: -128, act_max: 127, constant: 0 };

// The fields of a table from its words (tlw_operator_options / tlw_operator_quant_params layout), by name.
function decodeWords(fields, words, host) {
  const options = {};
  const bits = new DataView(new ArrayBuffer(4));
  let k = 0;
  for (const [name, kind] of Object.entries(fields)) {
    if (kind === "v" || kind === "b") {
      options[name] = (kind === "v" ? host.int32s : host.int8s)(words[k] >>> 0, words[k + 1]);
      k += 2;
    } else if (kind === "f") {
      bits.setInt32(0, words[k++], true);
      options[name] = bits.getFloat32(0, true);
    } else {
      options[name] = words[k++];
    }
  }
  return options;
}

/** The graph of `host` (tensorlet.js's view of its wasm model): { tensors, operators, activationBytes }, each
 * operator with `options` and `qp` (its QuantParams, defaults when absent) decoded, `ins`/`outs` its tensors (null
 * for an absent optional input). */
export function decodeGraph(host) {
  const graph = host.graph();
  for (const op of graph.operators) {
    const fields = OPTION_FIELDS[op.optionsType];
    op.options = fields ? decodeWords(fields, op.optionWords, host) : {};
    op.qp = op.quantWords.length ? decodeWords(QUANT_FIELDS, op.quantWords, host) : { ...QUANT_DEFAULTS };
    op.ins = op.inputs.map((id) => (id >= 0 ? graph.tensors[id] : null));
    op.outs = op.outputs.map((id) => graph.tensors[id]);
  }
  return graph;
}
