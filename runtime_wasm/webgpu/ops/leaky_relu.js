// LEAKY_RELU on WebGPU: x > 0 ? x : alpha * x.
import { f } from "../wgsl.js";
import { unaryPass } from "./unary.js";

export const int8 = true; // through its table (unary.js)

export function plan(op, k) {
  return [unaryPass(op, k, `select(${f(op.options.alpha)} * x, x, x > 0.0)`)];
}
