// CONV_2D on WebGPU: an implicit-GEMM tiled product (wgsl.js gemm) of the im2col patches [N*OH*OW, KH*KW*Ci]
// (read straight from the input, never materialized) and the filter [Co, KH*KW*Ci], + bias, fused activation.
// in [N,H,W,Ci], filter [Co,KH,KW,Ci], bias (opt) [Co] -> out [N,OH,OW,Co]. Float32; or int8 as TFLite: int32
// sums of (x - x_zp) * w (padding is a real 0), + bias, requantized per channel into scratch words, then packed.
import { activation, gemm, i, int8Pass, u } from "../wgsl.js";
import { requantize, zeroPoint } from "./int8.js";

export const int8 = true;

export function plan(op, k) {
  const [x, w, b] = op.ins;
  const y = op.outs[0];
  const o = op.options;
  const [, H, W, C] = x.shape;
  const [Co, KH, KW] = w.shape;
  const [N, OH, OW] = y.shape;
  const K = KH * KW * C;
  const int = x.dtype === "int8";
  const T = int ? "i32" : "f32";
  const load = (t, name) => (int ? k.loadInt(t, name) : k.load(t, name));
  const scratch = int ? k.scratch(N * OH * OW * Co) : 0;
  const store = int ? `fn emit(m: u32, n: u32, v: i32) {
  let s = v${b ? " + in_b(n)" : ""};
  arena[${u(scratch)} + m * ${u(Co)} + n] = bitcast<u32>(${requantize(op, k, "s", "n")});
}
` : `fn emit(m: u32, n: u32, v: f32) {
  let s = v${b ? " + in_b(n)" : ""};
  out_y(m * ${u(Co)} + n, ${activation(o.activation, "s")});
}
`;
  const decls = load(x, "in_x") + load(w, "in_w") + (b ? load(b, "in_b") : "") + (int ? "" : k.store(y, "out_y")) + `
fn loadA(m: u32, kk: u32) -> ${T} {
  let ox = i32(m % ${u(OW)});
  let oy = i32((m / ${u(OW)}) % ${u(OH)});
  let n = m / ${u(OW * OH)};
  let c = kk % ${u(C)};
  let kx = i32((kk / ${u(C)}) % ${u(KW)});
  let ky = i32(kk / ${u(C * KW)});
  let iy = oy * ${i(o.stride_h)} - ${i(o.pad_top)} + ky * ${i(o.dilation_h)};
  let ix = ox * ${i(o.stride_w)} - ${i(o.pad_left)} + kx * ${i(o.dilation_w)};
  if (iy < 0i || iy >= ${i(H)} || ix < 0i || ix >= ${i(W)}) { return ${int ? "0i" : "0.0"}; }
  return in_x(((n * ${u(H)} + u32(iy)) * ${u(W)} + u32(ix)) * ${u(C)} + c)${int ? ` - ${i(zeroPoint(x))}` : ""};
}
fn loadB(kk: u32, n: u32) -> ${T} { return in_w(n * ${u(K)} + kk); }
${store}`;
  const product = gemm(N * OH * OW, Co, K, decls, T);
  if (!int) return [product];
  return [product, int8Pass(y.elements, k.word(y),
    `fn value(e: u32) -> i32 { return bitcast<i32>(arena[${u(scratch)} + e]); }\n`)];
}
