// MAX_POOL_2D on WebGPU: the maximum over the window's input positions (NaN wins, as numpy's max). Int8: the
// largest raw value clamped to [act_min, act_max]. in [N,H,W,C] -> out [N,OH,OW,C].
import { activation, i } from "../wgsl.js";
import { poolPass, poolPassInt8 } from "./pool.js";

export const int8 = true;

export function plan(op, k) {
  if (op.ins[0].dtype === "int8") {
    return [poolPassInt8(op, k, "var m = -128i;", "m = max(m, v);",
      `return clamp(m, ${i(op.qp.act_min)}, ${i(op.qp.act_max)});`)];
  }
  return [poolPass(op, k, "var m = 0.0;", "if (count == 0i || v > m || v != v) { m = v; }",
    `out_y(i, ${activation(op.options.activation, "m")});`)];
}
