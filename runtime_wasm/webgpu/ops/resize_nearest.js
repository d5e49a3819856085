// RESIZE_NEAREST on WebGPU: one thread per output element (int8: per word of four) copies the input at the row and
// column tables (resize.js, computed at load). in [N,H,W,C] -> out [N,OH,OW,C].
import { int8Pass, perItem, u } from "../wgsl.js";
import { nearestIndices } from "./resize.js";

export const int8 = true;

export function plan(op, k) {
  const x = op.ins[0];
  const y = op.outs[0];
  const [, H, W, C] = x.shape;
  const [, OH, OW] = y.shape;
  const rows = k.table(nearestIndices(H, OH, op.options), true);
  const cols = k.table(nearestIndices(W, OW, op.options), true);
  const source = (e) => `
  let c = ${e} % ${u(C)};
  let ox = (${e} / ${u(C)}) % ${u(OW)};
  let oy = (${e} / ${u(C * OW)}) % ${u(OH)};
  let n = ${e} / ${u(C * OW * OH)};
  let at = ((n * ${u(H)} + weights[${u(rows)} + oy]) * ${u(W)} + weights[${u(cols)} + ox]) * ${u(C)} + c;`;
  if (y.dtype === "int8") {
    return [int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 {${source("e")}
  return in_x(at);
}
`)];
  }
  return [perItem(y.elements, `${source("i")}\n  out_y(i, in_x(at));`, k.load(x, "in_x") + k.store(y, "out_y"))];
}
