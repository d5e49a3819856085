// MEAN over axes [1,2] on WebGPU: one thread per (n, c) sums the H*W values. in [N,H,W,C] -> out [N,1,1,C] or [N,C].
// Int8 as TFLite: acc = sum (x - x_zp), MultiplyByQuantizedMultiplier, divided by H*W rounding half away from
// zero, + y_zp, clamped.
import { f, i, int8Pass, perItem, u } from "../wgsl.js";
import { zeroPoint } from "./int8.js";

export const int8 = true;

export function lacking(op) {
  const axes = op.options.axes ?? [];
  return axes.length === 2 && axes[0] === 1 && axes[1] === 2 ? "" : `MEAN over axes [${axes}] (v1 has [1,2])`;
}

export function plan(op, k) {
  const x = op.ins[0];
  const y = op.outs[0];
  const [, H, W, C] = x.shape;
  if (x.dtype === "int8") {
    return [int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 {
  let base = (e / ${u(C)}) * ${u(H * W * C)} + e % ${u(C)};
  var s = 0i;
  for (var p = 0u; p < ${u(H * W)}; p = p + 1u) { s = s + in_x(base + p * ${u(C)}) - ${i(zeroPoint(x))}; }
  let m = mbqm(s, ${i(op.qp.output_multiplier[0])}, ${i(op.qp.output_shift[0])});
  let q = (abs(m) + ${i(H * W)} / 2i) / ${i(H * W)};
  return to_int8(select(q, -q, m < 0i), ${i(zeroPoint(y))}, -128i, 127i);
}
`)];
  }
  return [perItem(op.outs[0].elements, `
  let c = i % ${u(C)};
  let base = (i / ${u(C)}) * ${u(H * W * C)} + c;
  var s = 0.0;
  for (var p = 0u; p < ${u(H * W)}; p = p + 1u) { s = s + in_x(base + p * ${u(C)}); }
  out_y(i, s / ${f(H * W)});`, k.load(x, "in_x") + k.store(op.outs[0], "out_y"))];
}
