// TRANSPOSE on WebGPU: output dim k is input dim perm[k]; one thread per output element.
import { int8Pass, perItem, strides, u } from "../wgsl.js";

export const int8 = true;

export function plan(op, k) {
  const x = op.ins[0];
  const y = op.outs[0];
  const perm = op.options.perm;
  const ost = strides(y.shape);
  const ist = strides(x.shape);
  const terms = (e) => y.shape.map((d, n) => `((${e} / ${u(ost[n])}) % ${u(d)}) * ${u(ist[perm[n]])}`);
  const at = (e) => terms(e).join(" + ") || "0u";
  if (y.dtype === "int8") {
    return [int8Pass(y.elements, k.word(y),
      `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 { return in_x(${at("e")}); }\n`)];
  }
  return [perItem(y.elements, `out_y(i, in_x(${at("i")}));`, k.load(x, "in_x") + k.store(y, "out_y"))];
}
