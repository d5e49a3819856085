// The window walk shared by AVERAGE_POOL_2D and MAX_POOL_2D over the input positions of an output element's window
// (padding is never a value): WGSL of a function body for output element `e` of [N,OH,OW,C] that runs `init`,
// then `step` with `v` each input value (f32, or i32 for int8) and `count` the positions seen so far.
import { i, int8Pass, perItem, u } from "../wgsl.js";

function windowWalk(op, e, init, step) {
  const x = op.ins[0];
  const o = op.options;
  const [, H, W, C] = x.shape;
  const [, OH, OW] = op.outs[0].shape;
  return `
  let c = ${e} % ${u(C)};
  let ox = i32((${e} / ${u(C)}) % ${u(OW)});
  let oy = i32((${e} / ${u(C * OW)}) % ${u(OH)});
  let n = ${e} / ${u(C * OW * OH)};
  ${init}
  var count = 0i;
  for (var fy = 0i; fy < ${i(o.filter_h)}; fy = fy + 1i) {
    let iy = oy * ${i(o.stride_h)} - ${i(o.pad_top)} + fy;
    if (iy < 0i || iy >= ${i(H)}) { continue; }
    for (var fx = 0i; fx < ${i(o.filter_w)}; fx = fx + 1i) {
      let ix = ox * ${i(o.stride_w)} - ${i(o.pad_left)} + fx;
      if (ix < 0i || ix >= ${i(W)}) { continue; }
      let v = in_x(((n * ${u(H)} + u32(iy)) * ${u(W)} + u32(ix)) * ${u(C)} + c);
      ${step}
      count = count + 1i;
    }
  }`;
}

/** A float pool: `finish` writes out_y(i, ...). */
export function poolPass(op, k, init, step, finish) {
  return perItem(op.outs[0].elements, `${windowWalk(op, "i", init, step)}\n  ${finish}`,
    k.load(op.ins[0], "in_x") + k.store(op.outs[0], "out_y"));
}

/** An int8 pool: `finish` returns the output value (i32 in [-128, 127]). */
export function poolPassInt8(op, k, init, step, finish) {
  const y = op.outs[0];
  return int8Pass(y.elements, k.word(y), `${k.loadInt(op.ins[0], "in_x")}fn value(e: u32) -> i32 {${windowWalk(op,
    "e", init, step)}\n  ${finish}\n}\n`);
}
