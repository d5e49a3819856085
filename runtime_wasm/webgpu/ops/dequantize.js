// DEQUANTIZE on WebGPU: int8 -> float32 as scale * float32(q - zero_point) (one correctly rounded product, as the
// reference); a float16 constant is widened to float32 once at load and copied.
import { f, i, perItem } from "../wgsl.js";
import { copyPass } from "./copy.js";
import { zeroPoint } from "./int8.js";

export const float16Constants = true;
export const int8 = true;

export function plan(op, k) {
  const [x, y] = [op.ins[0], op.outs[0]];
  if (x.dtype !== "int8") return [copyPass(op, k)];
  return [perItem(y.elements, `out_y(i, ${f(x.scales[0])} * f32(in_x(i) - ${i(zeroPoint(x))}));`,
    k.loadInt(x, "in_x") + k.store(y, "out_y"))];
}
