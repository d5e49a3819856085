// The elementwise walk shared by the activation ops: one thread per element, y = f(x) with f a WGSL expression of
// `x` (and helper functions `decls`). Int8 activations are their 256-entry table (quant_params.lut, indexed by
// x + 128), exact by construction.
import { int8Pass, perItem } from "../wgsl.js";

export function unaryPass(op, k, expr, decls = "") {
  const x = op.ins[0];
  const y = op.outs[0];
  if (x.dtype === "int8") {
    const lut = k.table(op.qp.lut, true);
    return int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 {
  return bitcast<i32>(weights[${lut}u + u32(in_x(e) + 128i)]);
}
`);
  }
  return perItem(y.elements, `let x = in_x(i);\n  out_y(i, ${expr});`, decls + k.load(x, "in_x") + k.store(y, "out_y"));
}
