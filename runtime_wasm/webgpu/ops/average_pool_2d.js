// AVERAGE_POOL_2D on WebGPU: the mean over the window's input positions, or over the whole filter with
// count_include_pad (pads count as 0, in int8 as the zero point). in [N,H,W,C] -> out [N,OH,OW,C]. Int8 as TFLite:
// the integer sum of the raw values divided with rounding half away from zero, clamped to [act_min, act_max].
import { activation, f, i } from "../wgsl.js";
import { poolPass, poolPassInt8 } from "./pool.js";
import { zeroPoint } from "./int8.js";

export const int8 = true;

export function plan(op, k) {
  const o = op.options;
  const window = o.filter_h * o.filter_w;
  if (op.ins[0].dtype === "int8") {
    const pads = o.count_include_pad ? `s = s + (${i(window)} - count) * ${i(zeroPoint(op.ins[0]))};` : "";
    const n = o.count_include_pad ? i(window) : "count";
    return [poolPassInt8(op, k, "var s = 0i;", "s = s + v;", `${pads}
  let q = (abs(s) + ${n} / 2i) / ${n};
  return clamp(select(q, -q, s < 0i), ${i(op.qp.act_min)}, ${i(op.qp.act_max)});`)];
  }
  const divisor = o.count_include_pad ? f(window) : "f32(count)";
  return [poolPass(op, k, "var s = 0.0;", "s = s + v;",
    `let mean = s / ${divisor};\n  out_y(i, ${activation(o.activation, "mean")});`)];
}
