// CONCATENATION on WebGPU: one thread per output element finds the input holding its position along `axis`,
// then the fused activation. inputs equal but along axis -> out, their sizes along axis summed. Int8 (inputs and
// output share their quantization): the values clamped to [act_min, act_max].
import { activation, i, int8Pass, perItem, u } from "../wgsl.js";

export const int8 = true;

export function plan(op, k) {
  const y = op.outs[0];
  const axis = op.options.axis < 0 ? op.options.axis + y.shape.length : op.options.axis;
  const inner = y.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const along = y.shape[axis];
  const int = y.dtype === "int8";
  let decls = int ? "" : k.store(y, "out_y");
  let start = 0;
  const branches = op.ins.map((t, n) => {
    decls += int ? k.loadInt(t, `in_${n}`) : k.load(t, `in_${n}`);
    const size = t.shape[axis];
    const at = `(outer * ${u(size)} + p - ${u(start)}) * ${u(inner)} + r`;
    const code = `if (p < ${u(start + size)}) { v = in_${n}(${at}); }`;
    start += size;
    return code;
  });
  const pick = (e) => `
  let r = ${e} % ${u(inner)};
  let p = (${e} / ${u(inner)}) % ${u(along)};
  let outer = ${e} / ${u(inner * along)};
  var v = ${int ? "0i" : "0.0"};
  ${branches.join(" else ")}`;
  if (int) {
    return [int8Pass(y.elements, k.word(y), `${decls}fn value(e: u32) -> i32 {${pick("e")}
  return clamp(v, ${i(op.qp.act_min)}, ${i(op.qp.act_max)});
}
`)];
  }
  return [perItem(y.elements, `${pick("i")}
  out_y(i, ${activation(op.options.activation, "v")});`, decls)];
}
