// ELU on WebGPU: x < 0 ? alpha * (exp(x) - 1) : x.
import { f } from "../wgsl.js";
import { unaryPass } from "./unary.js";

export const int8 = true; // through its table (unary.js)

export function plan(op, k) {
  return [unaryPass(op, k, `select(x, ${f(op.options.alpha)} * (exp(min(x, 0.0)) - 1.0), x < 0.0)`)];
}
