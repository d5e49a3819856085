// RESHAPE on WebGPU: the same elements (float32 or int8) in row-major order, copied to the output's place in the
// arena.
import { copyPass } from "./copy.js";

export const int8 = true;

export function plan(op, k) {
  return [copyPass(op, k)];
}
