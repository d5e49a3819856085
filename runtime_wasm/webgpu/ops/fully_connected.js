// FULLY_CONNECTED on WebGPU: a tiled product (wgsl.js gemm) of the rows [M, K] and the weights [N, K] transposed,
// + bias, fused activation. in [..,K], weights [N,K] (a constant or an activation), bias (opt) [N] -> out [..,N].
// Float32; or int8 as TFLite: int32 sums of (x - x_zp) * w, + bias, requantized per unit into scratch words, packed.
import { activation, gemm, i, int8Pass, u } from "../wgsl.js";
import { requantize, zeroPoint } from "./int8.js";

export const int8 = true;

export function plan(op, k) {
  const [x, w, b] = op.ins;
  const y = op.outs[0];
  const [N, K] = w.shape;
  const M = x.elements / K;
  const int = x.dtype === "int8";
  const T = int ? "i32" : "f32";
  const load = (t, name) => (int ? k.loadInt(t, name) : k.load(t, name));
  const scratch = int ? k.scratch(M * N) : 0;
  const decls = load(x, "in_x") + load(w, "in_w") + (b ? load(b, "in_b") : "") + (int ? "" : k.store(y, "out_y")) + `
fn loadA(m: u32, kk: u32) -> ${T} { return in_x(m * ${u(K)} + kk)${int ? ` - ${i(zeroPoint(x))}` : ""}; }
fn loadB(kk: u32, n: u32) -> ${T} { return in_w(n * ${u(K)} + kk); }
fn emit(m: u32, n: u32, v: ${T}) {
  let s = v${b ? " + in_b(n)" : ""};
  ${int ? `arena[${u(scratch)} + m * ${u(N)} + n] = bitcast<u32>(${requantize(op, k, "s", "n")});`
    : `out_y(m * ${u(N)} + n, ${activation(op.options.activation, "s")});`}
}
`;
  const product = gemm(M, N, K, decls, T);
  if (!int) return [product];
  return [product, int8Pass(y.elements, k.word(y),
    `fn value(e: u32) -> i32 { return bitcast<i32>(arena[${u(scratch)} + e]); }\n`)];
}
