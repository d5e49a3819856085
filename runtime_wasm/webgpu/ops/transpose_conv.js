// TRANSPOSE_CONV on WebGPU: one thread per output element (int8: per word of four) gathers the input pixels whose
// scattered taps land on it (full position = output + top/left pad; tap ky reaches it from input row
// (full - ky) / stride when that divides). in [N,H,W,Ci], filter [Co,KH,KW,Ci], bias (opt) [Co] ->
// out [N,OH,OW,Co]. Float32; or int8 as TFLite: int32 sums of (x - x_zp) * w, + bias, requantized per channel.
import { activation, i, int8Pass, perItem, u } from "../wgsl.js";
import { requantize, zeroPoint } from "./int8.js";

export const int8 = true;

export function plan(op, k) {
  const [x, w, b] = op.ins;
  const y = op.outs[0];
  const o = op.options;
  const [, H, W, C] = x.shape;
  const [Co, KH, KW] = w.shape;
  const [, OH, OW] = y.shape;
  const int = x.dtype === "int8";
  const load = (t, name) => (int ? k.loadInt(t, name) : k.load(t, name));
  const sum = (e) => `
  let co = ${e} % ${u(Co)};
  let fx = i32((${e} / ${u(Co)}) % ${u(OW)}) + ${i(o.pad_left)};
  let fy = i32((${e} / ${u(Co * OW)}) % ${u(OH)}) + ${i(o.pad_top)};
  let n = ${e} / ${u(Co * OW * OH)};
  var s = ${int ? "0i" : "0.0"};
  for (var ky = 0i; ky < ${i(KH)}; ky = ky + 1i) {
    let dy = fy - ky;
    if (dy < 0i || dy % ${i(o.stride_h)} != 0i || dy / ${i(o.stride_h)} >= ${i(H)}) { continue; }
    let iy = u32(dy / ${i(o.stride_h)});
    for (var kx = 0i; kx < ${i(KW)}; kx = kx + 1i) {
      let dx = fx - kx;
      if (dx < 0i || dx % ${i(o.stride_w)} != 0i || dx / ${i(o.stride_w)} >= ${i(W)}) { continue; }
      let ix = u32(dx / ${i(o.stride_w)});
      for (var c = 0u; c < ${u(C)}; c = c + 1u) {
        s = s + (in_x(((n * ${u(H)} + iy) * ${u(W)} + ix) * ${u(C)} + c)${int ? ` - ${i(zeroPoint(x))}` : ""})
              * in_w(((co * ${u(KH)} + u32(ky)) * ${u(KW)} + u32(kx)) * ${u(C)} + c);
      }
    }
  }
  ${b ? "s = s + in_b(co);" : ""}`;
  const decls = load(x, "in_x") + load(w, "in_w") + (b ? load(b, "in_b") : "");
  if (int) {
    return [int8Pass(y.elements, k.word(y), `${decls}fn value(e: u32) -> i32 {${sum("e")}
  return ${requantize(op, k, "s", "co")};
}
`)];
  }
  return [perItem(y.elements, `${sum("i")}
  out_y(i, ${activation(o.activation, "s")});`, decls + k.store(y, "out_y"))];
}
