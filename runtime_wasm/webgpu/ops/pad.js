// PAD on WebGPU: one thread per output element: the input element at (coordinates - before), or the value (int8:
// quant_params.constant, the value quantized). in [d0,..] -> out [d0+before0+after0, ..].
import { f, i, int8Pass, perItem, strides, u } from "../wgsl.js";

export const int8 = true;

export function plan(op, k) {
  const x = op.ins[0];
  const y = op.outs[0];
  const p = op.options.paddings;
  const ost = strides(y.shape);
  const ist = strides(x.shape);
  const int = y.dtype === "int8";
  const lines = (e) => y.shape.map((d, n) => `let c${n} = i32((${e} / ${u(ost[n])}) % ${u(d)}) - ${p[2 * n]}i;
  inside = inside && c${n} >= 0i && c${n} < ${x.shape[n]}i;
  at = at + u32(max(c${n}, 0i)) * ${u(ist[n])};`).join("\n  ");
  const last = u(Math.max(x.elements - 1, 0));
  if (int) {
    return [int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 {
  var inside = true;
  var at = 0u;
  ${lines("e")}
  return select(${i(op.qp.constant)}, in_x(min(at, ${last})), inside);
}
`)];
  }
  return [perItem(y.elements, `
  var inside = true;
  var at = 0u;
  ${lines("i")}
  out_y(i, select(${f(op.options.value)}, in_x(min(at, ${last})), inside));`,
  k.load(x, "in_x") + k.store(y, "out_y"))];
}
