// The walk shared by the ops over the last axis (SOFTMAX, LOG_SOFTMAX, LAYER_NORM): one thread per row of C
// values; `body` runs with `base` the row's first element.
import { perItem, u } from "../wgsl.js";

export function rowPass(op, k, body, decls = "") {
  const x = op.ins[0];
  const C = x.shape.at(-1) ?? 1;
  return perItem(x.elements / C, `let base = i * ${u(C)};\n  ${body}`,
    decls + k.load(x, "in_x") + k.store(op.outs[0], "out_y"));
}

export function rowLength(op) {
  return op.ins[0].shape.at(-1) ?? 1;
}
