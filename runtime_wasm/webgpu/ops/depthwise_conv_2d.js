// DEPTHWISE_CONV_2D on WebGPU: one thread per output element (int8: per word of four), the KHxKW taps of its
// channel. in [N,H,W,Ci], filter [1,KH,KW,Ci*M], bias (opt) [Ci*M] -> out [N,OH,OW,Ci*M]; output channel c reads
// input channel c / M. Float32; or int8 as TFLite: int32 sums of (x - x_zp) * w, + bias, requantized per channel.
import { activation, i, int8Pass, perItem, u } from "../wgsl.js";
import { requantize, zeroPoint } from "./int8.js";

export const int8 = true;

export function plan(op, k) {
  const [x, w, b] = op.ins;
  const y = op.outs[0];
  const o = op.options;
  const [, H, W, C] = x.shape;
  const [, KH, KW, Co] = w.shape;
  const [, OH, OW] = y.shape;
  const int = x.dtype === "int8";
  const load = (t, name) => (int ? k.loadInt(t, name) : k.load(t, name));
  const sum = (e) => `
  let c = ${e} % ${u(Co)};
  let ox = i32((${e} / ${u(Co)}) % ${u(OW)});
  let oy = i32((${e} / ${u(Co * OW)}) % ${u(OH)});
  let n = ${e} / ${u(Co * OW * OH)};
  let ci = c / ${u(o.depth_multiplier)};
  var s = ${int ? "0i" : "0.0"};
  for (var ky = 0i; ky < ${i(KH)}; ky = ky + 1i) {
    let iy = oy * ${i(o.stride_h)} - ${i(o.pad_top)} + ky * ${i(o.dilation_h)};
    if (iy < 0i || iy >= ${i(H)}) { continue; }
    for (var kx = 0i; kx < ${i(KW)}; kx = kx + 1i) {
      let ix = ox * ${i(o.stride_w)} - ${i(o.pad_left)} + kx * ${i(o.dilation_w)};
      if (ix < 0i || ix >= ${i(W)}) { continue; }
      s = s + (in_x(((n * ${u(H)} + u32(iy)) * ${u(W)} + u32(ix)) * ${u(C)} + ci)${int ? ` - ${i(zeroPoint(x))}` : ""})
            * in_w((u32(ky) * ${u(KW)} + u32(kx)) * ${u(Co)} + c);
    }
  }
  ${b ? "s = s + in_b(c);" : ""}`;
  const decls = load(x, "in_x") + load(w, "in_w") + (b ? load(b, "in_b") : "");
  if (int) {
    return [int8Pass(y.elements, k.word(y), `${decls}fn value(e: u32) -> i32 {${sum("e")}
  return ${requantize(op, k, "s", "c")};
}
`)];
  }
  return [perItem(y.elements, `${sum("i")}
  out_y(i, ${activation(o.activation, "s")});`, decls + k.store(y, "out_y"))];
}
