// TANH on WebGPU: 1 - 2 / (exp(2|x|) + 1) with the sign of x (no overflow: exp(inf) gives 1).
import { unaryPass } from "./unary.js";

export const int8 = true; // through its table (unary.js)

export function plan(op, k) {
  return [unaryPass(op, k, "tanh_(x)", `fn tanh_(x: f32) -> f32 {
  let t = 1.0 - 2.0 / (exp(2.0 * abs(x)) + 1.0);
  return select(t, -t, x < 0.0);
}
`)];
}
