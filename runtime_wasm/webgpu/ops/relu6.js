// RELU6 on WebGPU: min(max(x, 0), 6), NaN kept.
import { unaryPass } from "./unary.js";

export const int8 = true; // through its table (unary.js)

export function plan(op, k) {
  return [unaryPass(op, k, "min_keep_nan(select(x, 0.0, x < 0.0), 6.0)")];
}
