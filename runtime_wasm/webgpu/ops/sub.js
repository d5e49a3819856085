// SUB on WebGPU: y = a - b with numpy broadcasting, then the fused activation (int8: binary.js).
import { binaryInt8Pass, binaryPass } from "./binary.js";

export const int8 = true;

export function plan(op, k) {
  if (op.ins[0].dtype === "int8") return [binaryInt8Pass(op, k, "-")];
  return [binaryPass(op, k, "a - b")];
}
