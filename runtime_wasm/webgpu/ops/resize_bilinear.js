// RESIZE_BILINEAR on WebGPU: one thread per output element blends the four taps (tables of resize.js, computed
// at load), in TFLite's order of float32 operations. in [N,H,W,C] -> out [N,OH,OW,C]. Int8 as TFLite's
// ResizeBilinearInteger: 10-bit weights, the 20-bit weighted sum rounded half away from zero, >> 20.
import { int8Pass, perItem, u } from "../wgsl.js";
import { bilinearTaps, bilinearTapsInt } from "./resize.js";

export const int8 = true;

function planInt8(op, k) {
  const x = op.ins[0];
  const y = op.outs[0];
  const [, H, W, C] = x.shape;
  const [, OH, OW] = y.shape;
  const rows = k.table(bilinearTapsInt(H, OH, op.options).flat(), true);
  const cols = k.table(bilinearTapsInt(W, OW, op.options).flat(), true);
  const tap = (table, k2, n) => `bitcast<i32>(weights[${u(table)} + 3u * ${k2} + ${n}u])`;
  return [int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 {
  let c = e % ${u(C)};
  let ox = (e / ${u(C)}) % ${u(OW)};
  let oy = (e / ${u(C * OW)}) % ${u(OH)};
  let n = e / ${u(C * OW * OH)};
  let y0 = u32(${tap(rows, "oy", 1)});
  let y1 = u32(${tap(rows, "oy", 2)});
  let x0 = u32(${tap(cols, "ox", 1)});
  let x1 = u32(${tap(cols, "ox", 2)});
  let wy1 = ${tap(rows, "oy", 0)} - 1024i * i32(y0);
  let wx1 = ${tap(cols, "ox", 0)} - 1024i * i32(x0);
  let wy0 = 1024i - wy1;
  let wx0 = 1024i - wx1;
  let row0 = (n * ${u(H)} + y0) * ${u(W)};
  let row1 = (n * ${u(H)} + y1) * ${u(W)};
  let acc = in_x((row0 + x0) * ${u(C)} + c) * wy0 * wx0 + in_x((row1 + x0) * ${u(C)} + c) * wy1 * wx0
          + in_x((row0 + x1) * ${u(C)} + c) * wy0 * wx1 + in_x((row1 + x1) * ${u(C)} + c) * wy1 * wx1;
  return (acc + select(-524288i, 524288i, acc > 0i)) / 1048576i;
}
`)];
}

export function plan(op, k) {
  if (op.ins[0].dtype === "int8") return planInt8(op, k);
  const x = op.ins[0];
  const y = op.outs[0];
  const [, H, W, C] = x.shape;
  const [, OH, OW] = y.shape;
  const rows = k.table(bilinearTaps(H, OH, op.options).flat());
  const cols = k.table(bilinearTaps(W, OW, op.options).flat());
  return [perItem(y.elements, `
  let c = i % ${u(C)};
  let ox = (i / ${u(C)}) % ${u(OW)};
  let oy = (i / ${u(C * OW)}) % ${u(OH)};
  let n = i / ${u(C * OW * OH)};
  let ys = bitcast<f32>(weights[${u(rows)} + 3u * oy]);
  let y0 = u32(bitcast<f32>(weights[${u(rows)} + 3u * oy + 1u]));
  let y1 = u32(bitcast<f32>(weights[${u(rows)} + 3u * oy + 2u]));
  let xs = bitcast<f32>(weights[${u(cols)} + 3u * ox]);
  let x0 = u32(bitcast<f32>(weights[${u(cols)} + 3u * ox + 1u]));
  let x1 = u32(bitcast<f32>(weights[${u(cols)} + 3u * ox + 2u]));
  let dy = ys - f32(y0);
  let dx = xs - f32(x0);
  let row0 = (n * ${u(H)} + y0) * ${u(W)};
  let row1 = (n * ${u(H)} + y1) * ${u(W)};
  let v = in_x((row0 + x0) * ${u(C)} + c) * (1.0 - dy) * (1.0 - dx) + in_x((row1 + x0) * ${u(C)} + c) * dy * (1.0 - dx)
        + in_x((row0 + x1) * ${u(C)} + c) * (1.0 - dy) * dx + in_x((row1 + x1) * ${u(C)} + c) * dy * dx;
  out_y(i, v);`, k.load(x, "in_x") + k.store(y, "out_y"))];
}
