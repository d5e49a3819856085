// HARD_SWISH on WebGPU: x * min(max(x + 3, 0), 6) / 6.
import { unaryPass } from "./unary.js";

export const int8 = true; // through its table (unary.js)

export function plan(op, k) {
  return [unaryPass(op, k, "x * clamp(x + 3.0, 0.0, 6.0) / 6.0")];
}
