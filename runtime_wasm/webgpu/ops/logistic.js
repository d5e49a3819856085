// LOGISTIC on WebGPU: 1 / (1 + exp(-x)) in the form that never overflows: e = exp(-|x|), x >= 0 ? 1/(1+e) : e/(1+e).
import { unaryPass } from "./unary.js";

export const int8 = true; // through its table (unary.js)

export function plan(op, k) {
  return [unaryPass(op, k, "logistic(x)", `fn logistic(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
`)];
}
