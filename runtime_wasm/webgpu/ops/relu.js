// RELU on WebGPU: max(x, 0), NaN kept.
import { unaryPass } from "./unary.js";

export const int8 = true; // through its table (unary.js)

export function plan(op, k) {
  return [unaryPass(op, k, "select(x, 0.0, x < 0.0)")];
}
