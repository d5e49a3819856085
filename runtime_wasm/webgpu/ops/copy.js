// An elementwise copy pass (RESHAPE, and DEQUANTIZE of a float16 constant widened at load); int8 a word at a time.
import { int8Pass, perItem } from "../wgsl.js";

export function copyPass(op, k) {
  const [x, y] = [op.ins[0], op.outs[0]];
  if (y.dtype === "int8") {
    return int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 { return in_x(e); }\n`);
  }
  return perItem(y.elements, "out_y(i, in_x(i));", k.load(x, "in_x") + k.store(y, "out_y"));
}
