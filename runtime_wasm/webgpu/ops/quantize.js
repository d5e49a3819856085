// QUANTIZE int8 -> int8 on WebGPU (a requantization, as TFLite): MultiplyByQuantizedMultiplier(x - x_zp) + y_zp,
// clamped. float32 -> int8 stays in wasm: WGSL's f32 division is not correctly rounded (2.5 ULP), so
// round(x / scale) could miss the reference by one at the .5 boundaries.
import { i, int8Pass } from "../wgsl.js";
import { zeroPoint } from "./int8.js";

export const int8 = true;

export function lacking(op) {
  return op.ins[0].dtype === "int8" ? ""
    : "float32 -> int8 runs in wasm: WGSL's division is not correctly rounded, round(x / scale) could differ";
}

export function plan(op, k) {
  const [x, y] = [op.ins[0], op.outs[0]];
  return [int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 {
  return to_int8(mbqm(in_x(e) - ${i(zeroPoint(x))}, ${i(op.qp.output_multiplier[0])}, ${i(op.qp.output_shift[0])}), `
    + `${i(zeroPoint(y))}, -128i, 127i);
}
`)];
}
